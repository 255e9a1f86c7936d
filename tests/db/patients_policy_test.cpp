// The access policy (patients/policy) on both backends: who gets a grant on a patient, with which visibility,
// through which membership; and that a claimed (unconfirmed) directory link gives nothing.
#include "auth/service.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "db_fixture.hpp"
#include "patients/policy.hpp"

#include <doctest/doctest.h>

using namespace cordee;

namespace {

struct World {
    test::TestDb t;
    Config cfg;
    auth::AuthService auth{*t.db, nullptr, cfg};
    std::string patient = NewUuidV7(), structure = NewUuidV7(), entry = NewUuidV7();

    World() {
        const int64_t now = NowMicros();
        t.db->Write([&](storage::Session& s) {
            s.Exec("INSERT INTO structures (id, name, name_search, kind, status, created_at) VALUES (?, 'SSIAD', 'ssiad', "
                   "'ssiad', 'active', ?)",
                   {structure, now});
            s.Exec("INSERT INTO professionals (id, rpps, first_name, last_name, profession_code, profession_label, "
                   "created_at, national_id, active) VALUES (?, '10000000001', 'Ines', 'Roy', '60', 'Infirmier', ?, "
                   "'810000000001', 1)",
                   {entry, now});
            s.Exec("INSERT INTO patients (id, birth_name, birth_first_names, first_name, birth_date, sex, identity_status, "
                   "name_key, first_name_key, last_activity_at, created_by, created_at, updated_at) VALUES (?, 'DURAND', "
                   "'Marie', 'Marie', '1940-02-03', 'F', 'provisoire', 'durand', 'marie', ?, 'test', ?, ?)",
                   {patient, now, now, now});
        });
    }
    std::string Account(const std::string& email, const std::string& code, const std::string& role = auth::kProfessional,
                        std::vector<std::pair<std::string, std::string>> structures = {}) {
        auth::NewAccount n;
        n.email = email;
        n.password = "mot de passe assez long";
        n.first_name = "A";
        n.last_name = "B";
        n.profession_code = code;
        n.profession_label = code;
        n.role = role;
        n.structures = std::move(structures);
        return auth.CreateAccount(n, "test");
    }
    void Member(const char* column, const std::string& id, int64_t start_offset = -1000, std::optional<int64_t> end_offset = {},
                bool opposed = false, const char* kind = "account") {
        const int64_t now = NowMicros();
        t.db->Write([&](storage::Session& s) {
            s.Exec(std::string("INSERT INTO circle_members (id, patient_id, kind, ") + column +
                       ", role, start_at, end_at, opposed_at, added_by, added_at) VALUES (?, ?, ?, ?, 'infirmier', ?, ?, ?, "
                       "'test', ?)",
                   {NewUuidV7(), patient, kind, id, now + start_offset,
                    end_offset ? storage::Value(now + *end_offset) : storage::Value(std::monostate{}),
                    opposed ? storage::Value(now) : storage::Value(std::monostate{}), now});
        });
    }
    std::optional<patients::Grant> Decide(const std::string& account, const std::string& role = auth::kProfessional,
                                          patients::Need need = patients::Need::kClinical) {
        return t.db->ReadValue([&](storage::Session& s) {
            const auto actor = patients::LoadActor(s, account, role, "127.0.0.1");
            return patients::Decide(s, actor, patient, need);
        });
    }
};

}  // namespace

TEST_CASE("a grant only for active members: started, not ended, not opposed") {
    World w;
    const auto nurse = w.Account("nurse@exemple.fr", "60");
    const auto stranger = w.Account("stranger@exemple.fr", "10");
    const auto ended = w.Account("ended@exemple.fr", "10");
    const auto future = w.Account("future@exemple.fr", "10");
    const auto opposed = w.Account("opposed@exemple.fr", "10");
    w.Member("account_id", nurse);
    w.Member("account_id", ended, -2000, -1);
    w.Member("account_id", future, 3600LL * 1'000'000);
    w.Member("account_id", opposed, -1000, std::nullopt, true);
    auto g = w.Decide(nurse);
    REQUIRE(g);
    CHECK(g->via == "member");
    CHECK(g->clinical);
    CHECK(g->health);
    CHECK_FALSE(w.Decide(stranger));
    CHECK_FALSE(w.Decide(ended));
    CHECK_FALSE(w.Decide(future));
    CHECK_FALSE(w.Decide(opposed));
}

TEST_CASE("membership through a structure; social professionals do not see health entries") {
    World w;
    const auto social = w.Account("social@exemple.fr", "ASS", auth::kProfessional, {{w.structure, "member"}});
    w.Member("structure_id", w.structure, -1000, std::nullopt, false, "structure");
    auto g = w.Decide(social);
    REQUIRE(g);
    CHECK_FALSE(g->health);
    CHECK(patients::MaySee(*g, "circle", ""));
    CHECK_FALSE(patients::MaySee(*g, "health", ""));
    CHECK(patients::MaySee(*g, "structure", w.structure));
    CHECK_FALSE(patients::MaySee(*g, "structure", "another"));
    const auto clause = patients::VisibleTo(*g, "e.visibility", "e.structure_id");
    CHECK(clause.sql.find("health") == std::string::npos);
    CHECK(clause.params.size() == 1);
}

TEST_CASE("a directory entry reaches its account only once the link is proven, never as a claim") {
    World w;
    w.Member("professional_id", w.entry, -1000, std::nullopt, false, "professional");
    const auto claimant = w.Account("claimant@exemple.fr", "60");
    w.t.db->Write([&](storage::Session& s) {
        s.Exec("UPDATE accounts SET claimed_professional_id = ? WHERE id = ?", {w.entry, claimant});
    });
    CHECK_FALSE(w.Decide(claimant));
    w.t.db->Write([&](storage::Session& s) {
        s.Exec("UPDATE accounts SET professional_id = ?, professional_link = 'confirmed' WHERE id = ?", {w.entry, claimant});
    });
    auto g = w.Decide(claimant);
    REQUIRE(g);
    CHECK(g->via == "member");
    // One entry, one account: a second proven link is refused by the database itself.
    const auto other = w.Account("other@exemple.fr", "60");
    CHECK_THROWS_AS(w.t.db->Write([&](storage::Session& s) {
        s.Exec("UPDATE accounts SET professional_id = ? WHERE id = ?", {w.entry, other});
    }), Error);
}

TEST_CASE("operators administer but read no clinical content") {
    World w;
    const auto op = w.Account("op@exemple.fr", "OPE", auth::kOperator);
    CHECK_FALSE(w.Decide(op, auth::kOperator, patients::Need::kClinical));
    auto g = w.Decide(op, auth::kOperator, patients::Need::kIdentity);
    REQUIRE(g);
    CHECK(g->via == "operator");
    CHECK_FALSE(g->clinical);
    CHECK_FALSE(g->health);
}

TEST_CASE("a unique violation is a 409 duplicate naming the column, on both backends") {
    World w;
    w.Account("same@exemple.fr", "ASS");
    try {
        w.t.db->Write([&](storage::Session& s) {
            s.Exec("INSERT INTO accounts (id, email, password_hash, first_name, last_name, profession_code, "
                   "profession_label, role, status, created_at, updated_at) VALUES (?, 'same@exemple.fr', '', 'a', 'b', "
                   "'ASS', 'x', 'professional', 'active', 0, 0)",
                   {NewUuidV7()});
        });
        FAIL("the second account with the same email was accepted");
    } catch (const Error& e) {
        CHECK(e.status() == 409);
        CHECK(e.slug() == "duplicate");
        REQUIRE(e.errors().size() == 1);
        CHECK(e.errors()[0].field == "email");
    }
}

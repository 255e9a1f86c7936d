#include "auth/repository.hpp"
#include "auth/service.hpp"
#include "common/errors.hpp"
#include "db_fixture.hpp"

#include <doctest/doctest.h>

using namespace cordee;

namespace {
auth::NewAccount Someone(const std::string& email) {
    auth::NewAccount n;
    n.email = email;
    n.password = "mot de passe assez long";
    n.first_name = "Anne";
    n.last_name = "O'Neil";
    n.totp_secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    return n;
}
}  // namespace

TEST_CASE("accounts are unique by email and keep their fields") {
    test::TestDb t;
    Config cfg;
    auth::AuthService svc(*t.db, nullptr, cfg);
    const auto id = svc.CreateAccount(Someone("anne@exemple.fr"), "test");
    CHECK_THROWS_AS(svc.CreateAccount(Someone("anne@exemple.fr"), "test"), Error);
    auto a = t.db->ReadValue([&](storage::Session& s) { return auth::repo::FindAccountById(s, id); });
    REQUIRE(a);
    CHECK(a->last_name == "O'Neil");
    CHECK(a->status == "active");
    CHECK(a->totp_enabled);
}

TEST_CASE("a TOTP step is used once, a token is consumed once") {
    test::TestDb t;
    Config cfg;
    auth::AuthService svc(*t.db, nullptr, cfg);
    const auto id = svc.CreateAccount(Someone("b@exemple.fr"), "test");
    t.db->Write([&](storage::Session& s) {
        CHECK(auth::repo::UseTotpStep(s, id, 1000));
        CHECK_FALSE(auth::repo::UseTotpStep(s, id, 1000));
        CHECK_FALSE(auth::repo::UseTotpStep(s, id, 999));
        CHECK(auth::repo::UseTotpStep(s, id, 1001));
        auth::repo::InsertToken(s, "h1", id, "password_reset", 2000);
        CHECK_FALSE(auth::repo::ConsumeToken(s, "h1", "confirm_email", 1000));
        CHECK(auth::repo::ConsumeToken(s, "h1", "password_reset", 1000) == id);
        CHECK_FALSE(auth::repo::ConsumeToken(s, "h1", "password_reset", 1000));
        auth::repo::InsertToken(s, "h2", id, "password_reset", 2000);
        CHECK_FALSE(auth::repo::ConsumeToken(s, "h2", "password_reset", 3000));  // expired
    });
}

TEST_CASE("wrong passwords are throttled per account, and the trace survives the refusal") {
    test::TestDb t;
    Config cfg;
    auth::AuthService svc(*t.db, nullptr, cfg);
    svc.CreateAccount(Someone("c@exemple.fr"), "test");
    for (int i = 0; i < 5; ++i) {
        try {
            svc.Login("c@exemple.fr", "mauvais mot de passe", "10.0.0." + std::to_string(i));
            FAIL("accepted a wrong password");
        } catch (const Error& e) {
            CHECK(e.status() == 401);
        }
    }
    try {
        svc.Login("c@exemple.fr", "mot de passe assez long", "10.0.0.9");
        FAIL("not throttled");
    } catch (const Error& e) {
        CHECK(e.status() == 429);
    }
    const auto failures = t.db->ReadValue([](storage::Session& s) {
        return s.One("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login' AND outcome = 'failure'")->Int(0);
    });
    CHECK(failures == 5);
}

TEST_CASE("a structure administrator sees only the enrolments of their structures") {
    test::TestDb t;
    Config cfg;
    auth::AuthService svc(*t.db, nullptr, cfg);
    t.db->Write([](storage::Session& s) {
        s.Exec("INSERT INTO structures (id, name, name_search, kind, created_at) VALUES ('s1', 'EHPAD A', 'ehpad a', 'EHPAD', 1)");
        s.Exec("INSERT INTO structures (id, name, name_search, kind, created_at) VALUES ('s2', 'EHPAD B', 'ehpad b', 'EHPAD', 1)");
    });
    auto admin = Someone("admin@exemple.fr");
    admin.role = auth::kStructureAdmin;
    admin.structures = {{"s1", "admin"}};
    const auto admin_id = svc.CreateAccount(admin, "test");
    auto mine = Someone("mine@exemple.fr");
    mine.structures = {{"s1", "member"}};
    auto other = Someone("other@exemple.fr");
    other.structures = {{"s2", "member"}};
    const auto mine_id = svc.CreateAccount(mine, "test");
    const auto other_id = svc.CreateAccount(other, "test");
    t.db->Write([&](storage::Session& s) {
        auth::repo::SetStatus(s, mine_id, "pending_approval", "", "");
        auth::repo::SetStatus(s, other_id, "pending_approval", "", "");
    });
    auth::Principal p{admin_id, "admin@exemple.fr", auth::kStructureAdmin, "", ""};
    auto list = svc.Enrolments(p, "pending_approval");
    REQUIRE(list.size() == 1);
    CHECK(list[0].id == mine_id);
    CHECK_THROWS_AS(svc.Approve(p, other_id, auth::kProfessional), Error);
    CHECK_THROWS_AS(svc.Approve(p, mine_id, auth::kOperator), Error);
    CHECK(svc.Approve(p, mine_id, auth::kProfessional).status == "active");
}

// The liaison notebook (notebook/service) on both backends, through PatientRecords as the routes reach it: what a
// member writes, who reads it (visibility), corrections as versions, idempotent creation, and no oracle for others.
#include "auth/service.hpp"
#include "common/errors.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "db_fixture.hpp"
#include "notebook/service.hpp"
#include "patients/records.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <set>
#include <thread>

using namespace cordee;
namespace json = boost::json;

namespace {

struct Notebook {
    test::TestDb t;
    Config cfg = [this] {
        Config c;
        c.data = t.dir;
        return c;
    }();
    auth::AuthService auth{*t.db, nullptr, cfg};
    patients::PatientRecords records{*t.db};
    notebook::NotebookService service{records, cfg};
    std::string patient = NewUuidV7();

    Notebook() {
        const int64_t now = NowMicros();
        t.db->Write([&](storage::Session& s) {
            s.Exec("INSERT INTO patients (id, birth_name, birth_first_names, first_name, birth_date, sex, identity_status, "
                   "name_key, first_name_key, last_activity_at, created_by, created_at, updated_at) VALUES (?, 'DURAND', "
                   "'Marie', 'Marie', '1940-02-03', 'F', 'provisoire', 'durand', 'marie', ?, 'test', ?, ?)",
                   {patient, now, now, now});
        });
    }

    // An active professional account, member of the patient's circle unless `member` is false.
    auth::Principal Professional(const std::string& email, const std::string& profession, bool member = true) {
        auth::NewAccount n;
        n.email = email;
        n.password = "mot de passe assez long";
        n.first_name = "Prénom";
        n.last_name = email.substr(0, email.find('@'));
        n.profession_code = profession;
        n.profession_label = profession;
        n.role = auth::kProfessional;
        const std::string id = auth.CreateAccount(n, "test");
        if (member) {
            const int64_t now = NowMicros();
            t.db->Write([&](storage::Session& s) {
                s.Exec("INSERT INTO circle_members (id, patient_id, kind, account_id, role, start_at, added_by, added_at) "
                       "VALUES (?, ?, 'account', ?, 'infirmier', ?, 'test', ?)",
                       {NewUuidV7(), patient, id, now - 1000, now});
            });
        }
        auth::Principal p;
        p.account_id = id;
        p.email = email;
        p.role = auth::kProfessional;
        p.ip = "127.0.0.1";
        return p;
    }

    json::object Write(const auth::Principal& p, const std::string& visibility, const std::string& body,
                       const std::string& key = "") {
        notebook::NewEntry e;
        e.kind = "observation";
        e.visibility = visibility;
        e.body = body;
        const auto [status, text] = service.Add(p, patient, e, key);
        CHECK(status == 201);
        return json::parse(text).as_object();
    }

    std::vector<json::object> Listed(const auth::Principal& p) {
        const json::object page = service.List(p, patient, {});
        std::vector<json::object> out;
        for (const auto& item : page.at("items").as_array()) out.push_back(item.as_object());
        return out;
    }
    std::set<std::string> ListedBodies(const auth::Principal& p) {
        std::set<std::string> out;
        for (const auto& e : Listed(p)) out.insert(std::string(e.at("body").as_string()));
        return out;
    }

    int64_t Rows() {
        return t.db->ReadValue([&](storage::Session& s) {
            return s.One("SELECT COUNT(*) FROM notebook_entries WHERE patient_id = ?", {patient})->Int(0);
        });
    }
};

std::string Str(const json::value& v) { return v.is_null() ? std::string() : std::string(v.as_string()); }

// The Error a call throws, or none.
template <class F>
std::optional<Error> ErrorOf(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("an entry written by a member is listed for another member, with its author") {
    Notebook nb;
    const auto nurse = nb.Professional("infirmiere@exemple.fr", "60");
    const auto doctor = nb.Professional("medecin@exemple.fr", "10");
    const auto written = nb.Write(nurse, "circle", "Pansement refait, plaie propre.");
    CHECK(written.at("version").as_int64() == 1);
    CHECK(Str(written.at("id")) == Str(written.at("root_id")));

    const auto listed = nb.Listed(doctor);
    REQUIRE(listed.size() == 1);
    CHECK(Str(listed[0].at("id")) == Str(written.at("id")));
    CHECK(Str(listed[0].at("body")) == "Pansement refait, plaie propre.");
    CHECK(Str(listed[0].at("kind")) == "observation");
    CHECK(Str(listed[0].at("author").at("account_id")) == nurse.account_id);
    CHECK(nb.Rows() == 1);
}

TEST_CASE("a health entry is listed for a nurse, not for a social professional; circle entries for both") {
    Notebook nb;
    const auto writer = nb.Professional("medecin@exemple.fr", "10");
    const auto nurse = nb.Professional("infirmier@exemple.fr", "60");
    const auto social = nb.Professional("assistante-sociale@exemple.fr", "ASS");
    nb.Write(writer, "health", "Traitement anticoagulant ajusté.");
    nb.Write(writer, "circle", "Passage prévu jeudi matin.");

    CHECK(nb.ListedBodies(nurse) == std::set<std::string>{"Traitement anticoagulant ajusté.", "Passage prévu jeudi matin."});
    CHECK(nb.ListedBodies(social) == std::set<std::string>{"Passage prévu jeudi matin."});
}

TEST_CASE("a correction is a new version pointing to the old one; a stale version gets 409 with the current one") {
    Notebook nb;
    const auto nurse = nb.Professional("infirmiere@exemple.fr", "60");
    const auto first = nb.Write(nurse, "circle", "Tension 15/9.");
    const std::string first_id = Str(first.at("id"));

    notebook::NewEntry fix;
    fix.body = "Tension 13/8 (erreur de saisie).";
    const auto second = nb.service.Correct(nurse, nb.patient, notebook::EntryId(first_id), 1, fix);
    CHECK(second.at("version").as_int64() == 2);
    CHECK(Str(second.at("supersedes")) == first_id);
    CHECK(Str(second.at("root_id")) == first_id);
    CHECK(Str(second.at("kind")) == "observation");  // kept from the corrected version
    CHECK(Str(second.at("visibility")) == "circle");
    CHECK(Str(second.at("body")) == "Tension 13/8 (erreur de saisie).");
    CHECK(nb.Rows() == 2);  // the old version stays

    // The list shows the latest version, the old one among its previous versions (still readable).
    const auto listed = nb.Listed(nurse);
    REQUIRE(listed.size() == 1);
    CHECK(Str(listed[0].at("id")) == Str(second.at("id")));
    const auto& previous = listed[0].at("previous").as_array();
    REQUIRE(previous.size() == 1);
    CHECK(Str(previous[0].at("id")) == first_id);
    CHECK(Str(previous[0].at("body")) == "Tension 15/9.");

    // Correcting version 1 again (another tab saw only it): 409, the current version in the problem, nothing written.
    fix.body = "Tension 12/8.";
    const auto stale = ErrorOf([&] { nb.service.Correct(nurse, nb.patient, notebook::EntryId(first_id), 1, fix); });
    REQUIRE(stale);
    CHECK(stale->status() == 409);
    REQUIRE(stale->extra.contains("current"));
    CHECK(Str(stale->extra.at("current").at("id")) == Str(second.at("id")));
    CHECK(stale->extra.at("current").at("version").as_int64() == 2);
    // The right version of the latest one, but a wrong number: 409 too.
    const auto wrong = ErrorOf([&] { nb.service.Correct(nurse, nb.patient, notebook::EntryId(Str(second.at("id"))), 1, fix); });
    REQUIRE(wrong);
    CHECK(wrong->status() == 409);
    CHECK(nb.Rows() == 2);
}

TEST_CASE("a creation replayed with the same idempotency key returns the first entry and writes no second row") {
    Notebook nb;
    const auto nurse = nb.Professional("infirmiere@exemple.fr", "60");
    const std::string key = NewUuidV7();
    const auto first = nb.Write(nurse, "circle", "Chute sans gravité ce matin.", key);
    const auto replay = nb.Write(nurse, "circle", "Chute sans gravité ce matin.", key);
    CHECK(Str(replay.at("id")) == Str(first.at("id")));
    CHECK(json::serialize(replay) == json::serialize(first));
    CHECK(nb.Rows() == 1);

    // Another key is another entry.
    nb.Write(nurse, "circle", "Chute sans gravité ce matin.", NewUuidV7());
    CHECK(nb.Rows() == 2);
}

TEST_CASE("replays of one key sent at the same time write one entry, and all get it") {
    Notebook nb;
    const auto nurse = nb.Professional("infirmiere@exemple.fr", "60");
    const std::string key = NewUuidV7();
    constexpr int kSenders = 4;
    std::vector<std::string> ids(kSenders);
    std::vector<std::thread> threads;
    for (int i = 0; i < kSenders; ++i) {
        threads.emplace_back([&, i] {
            notebook::NewEntry e;
            e.kind = "observation";
            e.visibility = "circle";
            e.body = "Envoyée hors connexion.";
            const auto [status, text] = nb.service.Add(nurse, nb.patient, e, key);
            ids[i] = Str(json::parse(text).at("id"));
        });
    }
    for (auto& th : threads) th.join();
    for (const auto& id : ids) CHECK(id == ids[0]);
    CHECK(nb.Rows() == 1);
}

TEST_CASE("a non-member gets 404, the same answer as for a patient that does not exist, and writes nothing") {
    Notebook nb;
    const auto nurse = nb.Professional("infirmiere@exemple.fr", "60");
    const auto stranger = nb.Professional("autre@exemple.fr", "60", false);
    nb.Write(nurse, "circle", "Note du cercle.");

    const auto read = ErrorOf([&] { nb.service.List(stranger, nb.patient, {}); });
    REQUIRE(read);
    CHECK(read->status() == 404);

    notebook::NewEntry e;
    e.kind = "observation";
    e.visibility = "circle";
    e.body = "Intrusion.";
    const auto write = ErrorOf([&] { nb.service.Add(stranger, nb.patient, e, ""); });
    REQUIRE(write);
    CHECK(write->status() == 404);
    CHECK(nb.Rows() == 1);

    // No oracle: an unknown patient id answers exactly the same.
    const auto unknown = ErrorOf([&] { nb.service.List(stranger, NewUuidV7(), {}); });
    REQUIRE(unknown);
    CHECK(unknown->status() == read->status());
    CHECK(unknown->slug() == read->slug());
    CHECK(unknown->title() == read->title());
    CHECK(unknown->detail() == read->detail());
}

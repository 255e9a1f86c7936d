// The directory's repository (src/directory/repository, import_repository) and the rules that hold through it, on
// the backend named by CORDEE_TEST_DATABASE (SQLite when unset): local entries found back as written, a structure's
// details and capacities updated, lookups by id, a stale version or a foreign administrator refused, and the
// imports of the fixture files (tests/fixtures/directory/README.md) merged with the counts they promise.
#include "common/errors.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "db_fixture.hpp"
#include "directory/import.hpp"
#include "directory/repository.hpp"
#include "directory/service.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace cordee;
using namespace cordee::directory;

namespace {

LocalStructure Ehpad(const std::string& name = "EHPAD Les Tilleuls") {
    LocalStructure st;
    st.id = StructureId(NewUuidV7());
    st.name = name;
    st.kind = "EHPAD";
    st.category_label = "EHPAD";
    st.commune = "Châlons-en-Champagne";
    st.postal_code = "51000";
    st.point = std::pair{48.9566, 4.3631};
    st.phone = "0326000000";
    return st;
}

AccountId Account(storage::Database& db, const std::string& first, const std::string& last, const std::string& role) {
    const AccountId id(NewUuidV7());
    db.Write([&](storage::Session& s) {
        s.Exec("INSERT INTO accounts (id, email, password_hash, first_name, last_name, profession_code, profession_label, "
               "role, status, created_at, updated_at) VALUES (?, ?, '', ?, ?, '10', 'Médecin', ?, 'active', 0, 0)",
               {id.str(), id.str() + "@exemple.fr", first, last, role});
    });
    return id;
}

ActivityRow Activity(const StructureId& structure) {
    ActivityRow a;
    a.id = ActivityId(NewUuidV7());
    a.structure_id = structure;
    a.field = "Hébergement permanent";
    a.care_mode = "Complet";
    a.label = "Hébergement permanent";
    a.public_min_age = 60;
    return a;
}

std::string Fixture(const std::string& name) { return std::string(CORDEE_FIXTURES) + "/directory/" + name; }

}  // namespace

TEST_CASE("a local structure is found back as written, by id and by the words of its name and commune") {
    test::TestDb t;
    const LocalStructure st = Ehpad();
    t.db->Write([&](storage::Session& s) { repo::InsertLocalStructure(s, st, NowMicros()); });
    t.db->Read([&](storage::Session& s) {
        const auto found = repo::FindStructure(s, st.id);
        REQUIRE(found);
        CHECK(found->name == "EHPAD Les Tilleuls");
        CHECK(found->kind == "EHPAD");
        CHECK(found->category_label == "EHPAD");
        CHECK(found->commune == "Châlons-en-Champagne");
        CHECK(found->departement == "51");
        CHECK(found->phone == "0326000000");
        CHECK(found->email == "");  // NULL
        CHECK(found->finess == "");
        CHECK(found->source == "local");
        CHECK(found->active);
        CHECK(found->version == 1);
        REQUIRE(found->point);
        CHECK(found->point->first == doctest::Approx(48.9566));
        CHECK(found->point->second == doctest::Approx(4.3631));
        CHECK_FALSE(repo::FindStructure(s, StructureId(NewUuidV7())));
        CHECK(repo::StructuresMatching(s, {"tilleul", "chalons"}, 20).size() == 1);  // prefixes, accents folded
        CHECK(repo::StructuresMatching(s, {"tilleuls", "reims"}, 20).empty());
        CHECK(repo::StructuresMatching(s, {"%"}, 20).empty());  // a typed wildcard is a character
        CHECK(repo::StructuresMatching(s, {}, 20).size() == 1);
        CHECK(repo::ActiveStructures(s).size() == 1);
    });
}

TEST_CASE("a structure's details: the given ones replace the old (empty clears), the others stay, the version moves") {
    test::TestDb t;
    const LocalStructure st = Ehpad();
    t.db->Write([&](storage::Session& s) {
        repo::InsertLocalStructure(s, st, NowMicros());
        repo::UpdateStructureDetails(s, st.id, {std::nullopt, "accueil@tilleuls.fr", std::nullopt, "Accueil de jour"}, 1);
    });
    auto found = t.db->ReadValue([&](storage::Session& s) { return repo::FindStructure(s, st.id); });
    REQUIRE(found);
    CHECK(found->phone == "0326000000");
    CHECK(found->email == "accueil@tilleuls.fr");
    CHECK(found->description == "Accueil de jour");
    CHECK(found->version == 2);
    t.db->Write([&](storage::Session& s) { repo::UpdateStructureDetails(s, st.id, {"", std::nullopt, "1 rue Haute", ""}, 2); });
    found = t.db->ReadValue([&](storage::Session& s) { return repo::FindStructure(s, st.id); });
    CHECK(found->phone == "");
    CHECK(found->email == "accueil@tilleuls.fr");
    CHECK(found->address == "1 rue Haute");
    CHECK(found->description == "");
    CHECK(found->version == 3);
    CHECK(t.db->ReadValue([&](storage::Session& s) { return repo::StructureVersion(s, st.id); }) == 3);
}

TEST_CASE("a capacity: the first count is inserted, the next updates it, and the history keeps both, newest first") {
    test::TestDb t;
    const LocalStructure st = Ehpad();
    const ActivityRow a = Activity(st.id);
    const AccountId nurse = Account(*t.db, "Claire", "Roux", "structure_admin");
    t.db->Write([&](storage::Session& s) {
        repo::InsertLocalStructure(s, st, NowMicros());
        repo::InsertActivity(s, a, NowMicros());
        repo::SetCapacity(s, a.id, {"disponible", 3, "lits", 1000, nurse, std::nullopt});
    });
    t.db->Write([&](storage::Session& s) {
        repo::SetCapacity(s, a.id, {"disponible", 0, "lits", 2000, nurse, std::nullopt});
        repo::SetCapacity(s, a.id, {"installee", 80, "lits", 2000, std::nullopt, std::nullopt});
    });
    t.db->Read([&](storage::Session& s) {
        const auto activity = repo::FindActivity(s, st.id, a.id);
        REQUIRE(activity);
        CHECK(activity->field == "Hébergement permanent");
        CHECK(activity->public_min_age == 60);
        CHECK_FALSE(activity->public_max_age);
        CHECK(activity->version == 1);
        CHECK_FALSE(repo::FindActivity(s, StructureId(NewUuidV7()), a.id));  // not that structure's
        const auto caps = repo::CapacitiesOf(s, a.id);
        REQUIRE(caps.size() == 2);
        CHECK(caps[0].type == "disponible");  // by type
        CHECK(caps[0].count == 0);
        CHECK(caps[0].updated_at == 2000);
        CHECK(caps[0].updated_by == nurse);
        CHECK(caps[0].updated_by_name == "Claire Roux");
        CHECK(caps[1].type == "installee");
        CHECK(caps[1].count == 80);
        CHECK_FALSE(caps[1].updated_by);
        CHECK_FALSE(caps[1].updated_by_name);
        const auto history = repo::CapacityHistory(s, a.id);
        REQUIRE(history.size() == 3);
        CHECK(history[0].type == "installee");
        CHECK(history[1].count == 0);
        CHECK(history[2].count == 3);
        CHECK(history[2].at == 1000);
        CHECK(history[2].by_name == "Claire Roux");
        CHECK(repo::FieldsWithPlaces(s).empty());  // no place available any more
    });
    t.db->Write([&](storage::Session& s) { repo::SetCapacity(s, a.id, {"disponible", 2, "lits", 3000, nurse, std::nullopt}); });
    const auto fields = t.db->ReadValue([](storage::Session& s) { return repo::FieldsWithPlaces(s); });
    REQUIRE(fields.size() == 1);
    CHECK(fields[0].structure_id == st.id);
    CHECK(fields[0].field == "Hébergement permanent");
}

TEST_CASE("a local professional is found by their RPPS number, with their site named after their structure") {
    test::TestDb t;
    const LocalStructure st = Ehpad();
    const LocalProfessional p{ProfessionalId(NewUuidV7()), "19000000042", "Dr", "Anne", "Petit", "10", "Médecin",
                              "Gériatrie", "S", st.id, "Châlons-en-Champagne", "51000", "", "", ""};
    t.db->Write([&](storage::Session& s) {
        repo::InsertLocalStructure(s, st, NowMicros());
        repo::InsertLocalProfessional(s, p, NowMicros());
    });
    t.db->Read([&](storage::Session& s) {
        const auto found = repo::FindActiveProfessionalByRpps(s, "19000000042");
        REQUIRE(found);
        CHECK(found->id == p.id);
        CHECK(found->national_id == "819000000042");
        CHECK(found->id_type == "RPPS");
        CHECK(found->last_name == "Petit");
        CHECK(found->departement == "51");
        CHECK_FALSE(repo::FindActiveProfessionalByRpps(s, "19000000043"));
        const auto sites = repo::SitesOf(s, p.id);
        REQUIRE(sites.size() == 1);
        CHECK(sites[0].structure_id == st.id);
        CHECK(sites[0].site_name == "EHPAD Les Tilleuls");
        CHECK(sites[0].specialty_label == "Gériatrie");
        const auto members = repo::MembersOf(s, st.id);
        REQUIRE(members.size() == 1);
        CHECK(members[0].id == p.id);
    });
}

TEST_CASE("lookups by id take pages of any size, and the index is read page by page in id order") {
    test::TestDb t;
    std::vector<StructureId> ids;
    t.db->Write([&](storage::Session& s) {
        for (int i = 0; i < 60; ++i) {
            LocalStructure st = Ehpad("Structure " + std::to_string(i));
            ids.push_back(st.id);
            repo::InsertLocalStructure(s, st, NowMicros());
            repo::InsertLocalProfessional(s,
                                          {ProfessionalId(NewUuidV7()), std::to_string(19000000100 + i), "", "Jean",
                                           "Nom" + std::to_string(i), "60", "Infirmier", "", "L", std::nullopt,
                                           "Reims", "51100", "", "", ""},
                                          NowMicros());
        }
    });
    t.db->Read([&](storage::Session& s) {
        CHECK(repo::StructuresByIds(s, ids).size() == 60);  // more than one statement's 50
        CHECK(repo::StructuresByIds(s, {ids[7]}).at(0).name == "Structure 7");
        CHECK(repo::StructuresByIds(s, {}).empty());
        // Entered here: local entries, none of the national file's.
        CHECK(repo::ActiveProfessionalsAfter(s, ProfessionalId(), 25, true).empty());
        const auto first = repo::ActiveProfessionalsAfter(s, ProfessionalId(), 25, false);
        REQUIRE(first.size() == 25);
        const auto rest = repo::ActiveProfessionalsAfter(s, first.back().id, 100, false);
        CHECK(rest.size() == 35);
        CHECK(first.back().id < rest.front().id);
        const auto sites = repo::IndexedSitesBetween(s, ProfessionalId(), first.back().id, false);
        CHECK(sites.size() == 25);
        CHECK_FALSE(sites[0].point);  // their own practice: no structure, no position
        std::vector<ProfessionalId> pro_ids;
        for (const auto& p : rest) pro_ids.push_back(p.id);
        CHECK(repo::ProfessionalsByIds(s, pro_ids).size() == 35);
    });
}

TEST_CASE("a stale version is refused with the current page, and only administrators get a grant (a refusal is audited)") {
    test::TestDb t;
    DirectoryService directory(*t.db);
    const AccountId op = Account(*t.db, "Olivier", "Perrin", "operator");
    const AccountId other = Account(*t.db, "Sam", "Blanc", "structure_admin");
    const StructurePage created = directory.CreateStructure(op, {"CLIC du Perthois", "CLIC", "Vitry-le-François", "51300",
                                                                "", "0326740000", ""});
    const StructureId id = created.entry.id;
    CHECK(created.entry.source == "local");
    CHECK(created.entry.departement == "51");
    const StructureGrant grant = directory.Administer({op, "operator", "127.0.0.1"}, id);
    CHECK(directory.UpdateStructure(grant, 1, {std::nullopt, "clic@exemple.fr", std::nullopt, std::nullopt}).entry.version == 2);
    try {
        directory.UpdateStructure(grant, 1, {"0000000000", std::nullopt, std::nullopt, std::nullopt});
        FAIL("a stale version was accepted");
    } catch (const Error& e) {
        CHECK(e.status() == 409);
        REQUIRE(e.extra.contains("current"));
        CHECK(e.extra.at("current").as_object().at("version").as_int64() == 2);
    }
    CHECK(directory.Structure(id).entry.phone == "0326740000");  // nothing of the refused update was written

    const auto denied = [&] {
        return t.db->ReadValue([&](storage::Session& s) {
            return s.One("SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied' AND actor_id = ?", {other.str()})->Int(0);
        });
    };
    CHECK_THROWS_AS(directory.Administer({other, "structure_admin", "127.0.0.1"}, id), Error);
    CHECK(denied() == 1);
    t.db->Write([&](storage::Session& s) {
        s.Exec("INSERT INTO account_structures (account_id, structure_id, role) VALUES (?, ?, 'admin')", {other.str(), id.str()});
    });
    const StructureGrant theirs = directory.Administer({other, "structure_admin", "127.0.0.1"}, id);
    const OfferedActivity a = directory.AddActivity(theirs, {"Coordination", "Ambulatoire", "Évaluation à domicile", "", {}, {}});
    CHECK(directory.SetCapacity(theirs, a.activity.id, "disponible", 4, "places").updated_by == other);
    CHECK(directory.History(id, a.activity.id).size() == 1);
    CHECK_THROWS_AS(directory.SetCapacity(theirs, ActivityId(NewUuidV7()), "disponible", 1, "places"), Error);
    CHECK(denied() == 1);
}

TEST_CASE("imports of the fixture files: counts, re-import, sites linked to their FINESS structure") {
    test::TestDb t;
    std::ostringstream err;
    const ImportSummary first = ImportRpps(*t.db, Fixture("rpps.txt"), err);
    CHECK(first.read == 19);
    CHECK(first.created == 17);
    CHECK(first.rejected == 0);
    const ImportSummary finess = ImportFiness(*t.db, Fixture("finess.csv"), err);
    CHECK(finess.read == 13);
    CHECK(finess.created == 13);
    const ImportSummary again = ImportRpps(*t.db, Fixture("rpps_v2.txt"), err);
    CHECK(again.read == 19);
    CHECK(again.created == 1);
    CHECK(again.updated == 2);
    CHECK(again.deactivated == 1);
    t.db->Read([&](storage::Session& s) {
        const auto martin = repo::FindActiveProfessionalByRpps(s, "10000000011");
        REQUIRE(martin);
        CHECK(martin->specialty == "Cardiologie et maladies vasculaires");
        int linked = 0;
        for (const auto& site : repo::SitesOf(s, martin->id)) linked += site.structure_id.has_value();
        CHECK(linked == 1);  // the CHU de Reims, FINESS 510004542
    });
    std::ostringstream dup_err;
    const ImportSummary dup = ImportRpps(*t.db, Fixture("rpps_duplicates.txt"), dup_err);
    CHECK(dup.rejected >= 1);
    CHECK(dup_err.str().find("ligne 9 : ") != std::string::npos);
    CHECK_THROWS_AS(ImportRpps(*t.db, Fixture("rpps_missing_column.txt"), err), Error);
}

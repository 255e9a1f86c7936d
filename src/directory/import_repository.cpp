#include "directory/import_repository.hpp"

#include "common/text.hpp"

namespace cordee::directory::import_repo {

const StagingTable kRppsProfessionals{
    "staging_rpps_professionals",
    {"grp", "professional_id", "id_type", "national_id", "pp", "civility", "first_name", "last_name", "profession_code",
     "profession_label", "specialty_code", "specialty_label", "practice_mode", "postal_code", "commune", "departement",
     "hash"},
    "professional_id"};
const StagingTable kRppsActivities{
    "staging_rpps",
    {"line", "grp", "activity_id", "professional_id", "practice_mode", "specialty_code", "specialty_label", "siret",
     "finess_site", "finess_ej", "site_name", "address", "postal_code", "commune_code", "commune", "departement",
     "phone", "email"},
    "professional_id"};
const StagingTable kFinessStructures{
    "staging_finess",
    {"line", "structure_id", "finess", "finess_ej", "name", "name_search", "long_name", "address", "commune_code",
     "departement", "postal_code", "commune", "phone", "category_code", "category_label", "siret", "hash"},
    "finess"};
const StagingTable kFinessPositions{"staging_finess_geo", {"finess", "lat", "lon"}, "finess"};

namespace {

// ---- Named statements of the merge. -------------------------------------------------------------------------------

// RPPS: an identifier whose lines come in two groups or more (the later groups are refused).
constexpr const char* kScatteredGroups =
    "SELECT d.grp, d.national_id, f.first FROM staging_rpps_professionals d JOIN (SELECT professional_id, MIN(grp) AS "
    "first FROM staging_rpps_professionals GROUP BY professional_id HAVING COUNT(*) > 1) f ON f.professional_id = "
    "d.professional_id WHERE d.grp > f.first ORDER BY d.grp";
constexpr const char* kDropStagedActivities = "DELETE FROM staging_rpps WHERE grp = ?";
constexpr const char* kDropStagedProfessional = "DELETE FROM staging_rpps_professionals WHERE grp = ?";

// A professional entered locally (before the national file had them) is adopted, not duplicated: the file's data
// goes into that row, so that accounts and care circles pointing at it keep their link. Such rows are few: the set
// is built once and each staged row probes it.
constexpr const char* kPointStagedAtLocalEntries =
    "UPDATE staging_rpps_professionals SET professional_id = (SELECT p.id FROM professionals p WHERE p.national_id = "
    "staging_rpps_professionals.national_id) WHERE national_id IN (SELECT national_id FROM professionals WHERE (source "
    "= 'local' OR adopted = 1) AND national_id IS NOT NULL)";
constexpr const char* kPointStagedActivitiesAtLocalEntries =
    "UPDATE staging_rpps SET professional_id = (SELECT g.professional_id FROM staging_rpps_professionals g WHERE g.grp "
    "= staging_rpps.grp) WHERE grp IN (SELECT g.grp FROM staging_rpps_professionals g JOIN professionals p ON p.id = "
    "g.professional_id AND (p.source = 'local' OR p.adopted = 1))";
constexpr const char* kMarkAdopted =
    "UPDATE professionals SET adopted = 1 WHERE source = 'local' AND id IN (SELECT professional_id FROM "
    "staging_rpps_professionals WHERE professional_id IN (SELECT id FROM professionals WHERE source = 'local'))";
constexpr const char* kHasNationalProfessionals = "SELECT 1 FROM professionals WHERE source = 'rpps' LIMIT 1";
constexpr const char* kHasActivities = "SELECT 1 FROM professional_activities LIMIT 1";
// One row per professional in staging_rpps_professionals: later groups of an identifier were refused before.
constexpr const char* kDeleteChangedActivities =
    "DELETE FROM professional_activities WHERE professional_id IN (SELECT g.professional_id FROM "
    "staging_rpps_professionals g JOIN professionals p ON p.id = g.professional_id WHERE p.import_hash IS NULL OR "
    "p.import_hash <> g.hash)";
constexpr const char* kUpdateChangedProfessionals =
    "UPDATE professionals SET id_type = g.id_type, national_id = g.national_id, rpps = g.pp, civility = g.civility, "
    "first_name = g.first_name, last_name = g.last_name, profession_code = g.profession_code, profession_label = "
    "g.profession_label, specialty_code = g.specialty_code, specialty = g.specialty_label, practice_mode = "
    "g.practice_mode, postal_code = g.postal_code, commune = g.commune, departement = g.departement, source = 'rpps', "
    "active = 1, updated_at = ?, import_hash = g.hash FROM staging_rpps_professionals g WHERE professionals.id = "
    "g.professional_id AND (professionals.import_hash IS NULL OR professionals.import_hash <> g.hash OR "
    "professionals.active = 0)";
constexpr const char* kInsertNewProfessionals =
    "INSERT INTO professionals (id, rpps, id_type, national_id, civility, first_name, last_name, profession_code, "
    "profession_label, specialty_code, specialty, practice_mode, postal_code, commune, departement, source, active, "
    "created_at, updated_at, import_hash) SELECT g.professional_id, g.pp, g.id_type, g.national_id, g.civility, "
    "g.first_name, g.last_name, g.profession_code, g.profession_label, g.specialty_code, g.specialty_label, "
    "g.practice_mode, g.postal_code, g.commune, g.departement, 'rpps', 1, ?, ?, g.hash FROM staging_rpps_professionals "
    "g WHERE NOT EXISTS (SELECT 1 FROM professionals p WHERE p.id = g.professional_id)";
constexpr const char* kDeactivateMissingProfessionals =
    "UPDATE professionals SET active = 0, updated_at = ? WHERE source = 'rpps' AND active = 1 AND NOT EXISTS (SELECT 1 "
    "FROM staging_rpps_professionals sp WHERE sp.professional_id = professionals.id)";
constexpr const char* kDropActivitiesProfessionalIndex = "DROP INDEX IF EXISTS professional_activities_professional";
constexpr const char* kCreateActivitiesProfessionalIndex =
    "CREATE INDEX professional_activities_professional ON professional_activities (professional_id)";
// PostgreSQL checks a foreign key row by row (a trigger per inserted row); added back after a bulk insert, it is
// checked in one pass.
constexpr const char* kDropActivitiesForeignKey =
    "ALTER TABLE professional_activities DROP CONSTRAINT IF EXISTS professional_activities_professional_id_fkey";
constexpr const char* kAddActivitiesForeignKey =
    "ALTER TABLE professional_activities ADD CONSTRAINT professional_activities_professional_id_fkey FOREIGN KEY "
    "(professional_id) REFERENCES professionals (id)";
constexpr const char* kInsertNewActivities =
    "INSERT INTO professional_activities (id, professional_id, structure_id, site_name, siret, finess_site, finess_ej, "
    "address, postal_code, commune_code, commune, departement, phone, email, practice_mode, specialty_code, "
    "specialty_label) SELECT activity_id, professional_id, NULL, site_name, siret, finess_site, finess_ej, address, "
    "postal_code, commune_code, commune, departement, phone, email, practice_mode, specialty_code, specialty_label "
    "FROM staging_rpps sa WHERE NOT EXISTS (SELECT 1 FROM professional_activities a WHERE a.id = sa.activity_id)";

// FINESS.
constexpr const char* kUpdateChangedStructures =
    "UPDATE structures SET finess_ej = sf.finess_ej, name = sf.name, name_search = sf.name_search, long_name = "
    "sf.long_name, address = sf.address, commune_code = sf.commune_code, departement = sf.departement, postal_code = "
    "sf.postal_code, commune = sf.commune, phone = sf.phone, category_code = sf.category_code, category_label = "
    "sf.category_label, kind = sf.category_label, siret = sf.siret, source = 'finess', active = 1, status = 'active', "
    "updated_at = ?, import_hash = sf.hash FROM staging_finess sf WHERE structures.finess = sf.finess AND "
    "(structures.import_hash IS NULL OR structures.import_hash <> sf.hash OR structures.active = 0)";
constexpr const char* kInsertNewStructures =
    "INSERT INTO structures (id, name, name_search, kind, finess, finess_ej, long_name, address, commune_code, "
    "departement, postal_code, commune, phone, category_code, category_label, siret, source, active, status, "
    "created_at, updated_at, import_hash) SELECT structure_id, name, name_search, category_label, finess, finess_ej, "
    "long_name, address, commune_code, departement, postal_code, commune, phone, category_code, category_label, siret, "
    "'finess', 1, 'active', ?, ?, hash FROM staging_finess sf WHERE NOT EXISTS (SELECT 1 FROM structures st WHERE "
    "st.finess = sf.finess)";
constexpr const char* kDeactivateMissingStructures =
    "UPDATE structures SET active = 0, updated_at = ? WHERE source = 'finess' AND active = 1 AND NOT EXISTS (SELECT 1 "
    "FROM staging_finess sf WHERE sf.finess = structures.finess)";
constexpr const char* kApplyPositions =
    "UPDATE structures SET lat = g.lat, lon = g.lon FROM staging_finess_geo g WHERE structures.finess = g.finess";

// Only rows that find their structure are written (PostgreSQL rewrites every row an UPDATE touches).
constexpr const char* kLinkActivities =
    "UPDATE professional_activities SET structure_id = st.id FROM structures st WHERE st.finess = "
    "professional_activities.finess_site AND professional_activities.structure_id IS NULL AND "
    "professional_activities.finess_site <> ''";

// Staging tables: the same statements for each, made from its name.
std::string KeyIndex(const StagingTable& t) { return std::string(t.name) + "_key"; }

}  // namespace

std::string StagingInsert(const StagingTable& t, size_t rows) {
    std::string cols, one = "(";
    for (size_t i = 0; i < t.columns.size(); ++i) {
        cols += (i ? ", " : "") + std::string(t.columns[i]);
        one += i ? ", ?" : "?";
    }
    one += ")";
    std::string sql = std::string("INSERT INTO ") + t.name + " (" + cols + ") VALUES ";
    for (size_t i = 0; i < rows; ++i) sql += (i ? ", " : "") + one;
    return sql;
}

storage::Params StagedProfessional(int64_t group, const std::string& professional_id, const RppsLine& l,
                                   std::string hash) {
    return {group, professional_id, l.rpps() ? "RPPS" : "ADELI", l.national_id, l.pp, l.civility, l.first_name,
            l.last_name, l.profession_code, l.profession_label, l.specialty_code, l.specialty_label, l.practice_mode,
            l.postal_code, l.commune, l.departement, std::move(hash)};
}

storage::Params StagedActivity(int64_t line, int64_t group, std::string activity_id, const std::string& professional_id,
                               RppsLine&& l) {
    storage::Params p;
    p.reserve(kRppsActivities.columns.size());
    p.emplace_back(line);
    p.emplace_back(group);
    p.emplace_back(std::move(activity_id));
    p.emplace_back(professional_id);
    for (std::string* v : {&l.practice_mode, &l.specialty_code, &l.specialty_label, &l.siret, &l.finess_site,
                           &l.finess_ej, &l.site_name, &l.address, &l.postal_code, &l.commune_code, &l.commune,
                           &l.departement, &l.phone, &l.email})
        p.emplace_back(std::move(*v));
    return p;
}

storage::Params StagedStructure(int64_t line, std::string structure_id, FinessStructure&& s, std::string hash) {
    std::string name_search = StructureNameSearch(s.name, s.commune);
    storage::Params p;
    p.reserve(kFinessStructures.columns.size());
    p.emplace_back(line);
    p.emplace_back(std::move(structure_id));
    p.emplace_back(std::move(s.finess));
    p.emplace_back(std::move(s.finess_ej));
    p.emplace_back(std::move(s.name));
    p.emplace_back(std::move(name_search));
    for (std::string* v : {&s.long_name, &s.address, &s.commune_code, &s.departement, &s.postal_code, &s.commune,
                           &s.phone, &s.category_code, &s.category_label, &s.siret})
        p.emplace_back(std::move(*v));
    p.emplace_back(std::move(hash));
    return p;
}

storage::Params StagedPosition(std::string finess, double lat, double lon) { return {std::move(finess), lat, lon}; }

void ClearStaging(Session& s, const StagingTable& t) {
    s.ExecScript("DROP INDEX IF EXISTS " + KeyIndex(t));
    EmptyStaging(s, t);
}

void IndexStaging(Session& s, const StagingTable& t) {
    s.ExecScript("CREATE INDEX IF NOT EXISTS " + KeyIndex(t) + " ON " + t.name + " (" + t.key + ")");
    if (s.dialect() == storage::Dialect::kPostgres) s.ExecScript(std::string("ANALYZE ") + t.name);
}

void EmptyStaging(Session& s, const StagingTable& t) { s.Exec(std::string("DELETE FROM ") + t.name); }

std::vector<ScatteredGroup> ScatteredGroups(Session& s) {
    std::vector<ScatteredGroup> out;
    for (const auto& r : s.Query(kScatteredGroups)) out.push_back({r.Int(0), r.Str(1), r.Int(2)});
    return out;
}

int64_t DropStagedGroup(Session& s, int64_t group) {
    const int64_t lines = s.Exec(kDropStagedActivities, {group});
    s.Exec(kDropStagedProfessional, {group});
    return lines;
}

void PrepareMerge(Session& s) {
    if (s.dialect() == storage::Dialect::kPostgres) s.ExecScript("SET LOCAL work_mem = '256MB'");
}

int64_t PointStagedAtLocalEntries(Session& s) { return s.Exec(kPointStagedAtLocalEntries); }
void PointStagedActivitiesAtLocalEntries(Session& s) { s.Exec(kPointStagedActivitiesAtLocalEntries); }
int64_t MarkAdopted(Session& s) { return s.Exec(kMarkAdopted); }
bool HasNationalProfessionals(Session& s) { return s.One(kHasNationalProfessionals).has_value(); }
bool HasActivities(Session& s) { return s.One(kHasActivities).has_value(); }
void DeleteChangedActivities(Session& s) { s.Exec(kDeleteChangedActivities); }
int64_t UpdateChangedProfessionals(Session& s, int64_t now) { return s.Exec(kUpdateChangedProfessionals, {now}); }
int64_t InsertNewProfessionals(Session& s, int64_t now) { return s.Exec(kInsertNewProfessionals, {now, now}); }
int64_t DeactivateMissingProfessionals(Session& s, int64_t now) {
    return s.Exec(kDeactivateMissingProfessionals, {now});
}
void DropActivitiesProfessionalIndex(Session& s) { s.ExecScript(kDropActivitiesProfessionalIndex); }
void CreateActivitiesProfessionalIndex(Session& s) { s.ExecScript(kCreateActivitiesProfessionalIndex); }
void DropActivitiesForeignKey(Session& s) { s.ExecScript(kDropActivitiesForeignKey); }
void AddActivitiesForeignKey(Session& s) { s.ExecScript(kAddActivitiesForeignKey); }
void InsertNewActivities(Session& s) { s.Exec(kInsertNewActivities); }

int64_t UpdateChangedStructures(Session& s, int64_t now) { return s.Exec(kUpdateChangedStructures, {now}); }
int64_t InsertNewStructures(Session& s, int64_t now) { return s.Exec(kInsertNewStructures, {now, now}); }
int64_t DeactivateMissingStructures(Session& s, int64_t now) { return s.Exec(kDeactivateMissingStructures, {now}); }
void ApplyPositions(Session& s) { s.Exec(kApplyPositions); }

void LinkActivities(Session& s) { s.Exec(kLinkActivities); }

}  // namespace cordee::directory::import_repo

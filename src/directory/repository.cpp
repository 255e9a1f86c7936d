#include "directory/repository.hpp"

#include "common/ids.hpp"
#include "common/text.hpp"
#include "common/time.hpp"

#include <algorithm>

namespace cordee::directory::repo {
namespace {

// ---- Named statements: every SQL text of the module's live tables. -------------------------------------------

constexpr const char* kProfessionalColumns =
    "id, id_type, national_id, rpps, civility, first_name, last_name, profession_code, profession_label, specialty, "
    "practice_mode, postal_code, commune, departement, active, mssante";
constexpr const char* kSiteColumns =
    "structure_id, site_name, address, postal_code, commune, commune_code, departement, phone, email, practice_mode, "
    "finess_site, siret, specialty_label";
constexpr const char* kStructureColumns =
    "id, finess, finess_ej, siret, name, long_name, category_code, category_label, kind, address, postal_code, commune, "
    "departement, phone, email, lat, lon, source, active, description, version, mssante";
constexpr const char* kActivityColumns =
    "id, structure_id, field, care_mode, label, public_min_age, public_max_age, area, version";

// A result page shows at most this many entries: the lookups by id take a fixed list of placeholders (padded
// with NULL, which matches nothing), so that each is one statement text whatever the page size.
constexpr size_t kIdsPerLookup = 50;

const std::string kFindProfessional = std::string("SELECT ") + kProfessionalColumns + " FROM professionals WHERE id = ?";
const std::string kFindActiveProfessionalByNationalId =
    std::string("SELECT ") + kProfessionalColumns + " FROM professionals WHERE national_id = ? AND active = 1";
const std::string kSitesOfProfessional =
    std::string("SELECT ") + kSiteColumns + " FROM professional_activities WHERE professional_id = ? ORDER BY site_name";
// The national entries, or the local ones (partial index professionals_local): two search indexes.
const std::string kActiveProfessionalsAfter = std::string("SELECT ") + kProfessionalColumns +
                                              " FROM professionals WHERE active = 1 AND id > ? AND source = 'rpps' ORDER BY id LIMIT ?";
const std::string kActiveLocalProfessionalsAfter = std::string("SELECT ") + kProfessionalColumns +
                                                   " FROM professionals WHERE source <> 'rpps' AND active = 1 AND id > ? ORDER BY id LIMIT ?";
constexpr const char* kIndexedSitesBetween =
    "SELECT a.professional_id, a.practice_mode, a.postal_code, a.commune, a.departement, st.lat, st.lon, a.site_name "
    "FROM professional_activities a LEFT JOIN structures st ON st.id = a.structure_id WHERE a.professional_id > ? AND "
    "a.professional_id <= ? ORDER BY a.professional_id";
constexpr const char* kIndexedLocalSitesBetween =
    "SELECT a.professional_id, a.practice_mode, a.postal_code, a.commune, a.departement, st.lat, st.lon, a.site_name "
    "FROM professional_activities a LEFT JOIN structures st ON st.id = a.structure_id WHERE a.professional_id IN "
    "(SELECT id FROM professionals WHERE source <> 'rpps' AND id > ? AND id <= ?) ORDER BY a.professional_id";
std::string InIds(const char* select) {
    std::string sql = select;
    sql += " WHERE id IN (";
    for (size_t i = 0; i < kIdsPerLookup; ++i) sql += i ? ", ?" : "?";
    return sql + ")";
}
const std::string kProfessionalsByIds = InIds((std::string("SELECT ") + kProfessionalColumns + " FROM professionals").c_str());
// Created here (demo): the national id is the RPPS type digit and the number, like an imported entry's.
constexpr const char* kInsertLocalProfessional =
    "INSERT INTO professionals (id, rpps, id_type, national_id, civility, first_name, last_name, profession_code, "
    "profession_label, specialty, practice_mode, structure_id, commune, postal_code, departement, mssante, created_at) "
    "VALUES (?, ?, 'RPPS', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kInsertLocalSite =
    "INSERT INTO professional_activities (id, professional_id, structure_id, site_name, postal_code, commune, "
    "departement, practice_mode, specialty_label, phone, email) VALUES (?, ?, ?, (SELECT name FROM structures WHERE id "
    "= ?), ?, ?, ?, ?, ?, ?, ?)";
// The ones of a page of results who have an active account (shown: they can be reached in Cordée).
const std::string kWithAccount = [] {
    std::string sql = "SELECT professional_id FROM accounts WHERE status = 'active' AND professional_id IN (";
    for (size_t i = 0; i < kIdsPerLookup; ++i) sql += i ? ", ?" : "?";
    return sql + ")";
}();
constexpr const char* kVocabularyWords =
    "SELECT id, words, label, profession_code, specialty, practice_mode, category, created_by, created_at FROM "
    "directory_vocabulary ORDER BY created_at, id";
constexpr const char* kInsertVocabularyWord =
    "INSERT INTO directory_vocabulary (id, words, words_key, label, profession_code, specialty, practice_mode, category, "
    "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

const std::string kFindStructure = std::string("SELECT ") + kStructureColumns + " FROM structures WHERE id = ?";
constexpr const char* kStructureVersion = "SELECT version FROM structures WHERE id = ?";
const std::string kActiveStructures = std::string("SELECT ") + kStructureColumns +
                                      " FROM structures WHERE active = 1 AND status = 'active' ORDER BY id";
const std::string kStructuresByIds = InIds((std::string("SELECT ") + kStructureColumns + " FROM structures").c_str());
// The picker: one statement per number of words (0 to 6), each word a `LIKE '% word%'` on name_search (the name
// and the commune folded, after a space: common/text StructureNameSearch).
constexpr size_t kMaxPickerWords = 6;
const std::vector<std::string> kStructuresMatching = [] {
    std::vector<std::string> out;
    std::string sql = std::string("SELECT ") + kStructureColumns + " FROM structures WHERE status = 'active'";
    for (size_t n = 0; n <= kMaxPickerWords; ++n) {
        out.push_back(sql + " ORDER BY name LIMIT ?");
        sql += " AND name_search LIKE ? ESCAPE '\\'";
    }
    return out;
}();
constexpr const char* kMembersOf =
    "SELECT DISTINCT p.id, p.first_name, p.last_name, p.profession_label FROM professionals p JOIN "
    "professional_activities a ON a.professional_id = p.id WHERE a.structure_id = ? AND p.active = 1 UNION SELECT id, "
    "first_name, last_name, profession_label FROM professionals WHERE structure_id = ? AND active = 1 ORDER BY 3, 2 "
    "LIMIT 100";
// Created here (demo, operators): 'local', so that a FINESS import never deactivates it.
constexpr const char* kInsertLocalStructure =
    "INSERT INTO structures (id, name, name_search, kind, finess, commune, postal_code, departement, lat, lon, "
    "category_label, address, phone, email, proposed_by, category_code, mssante, source, status, created_at) VALUES (?, "
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'local', 'active', ?)";
// Each detail is written only when given (its flag is 1): one statement for any subset of them.
constexpr const char* kUpdateStructureDetails =
    "UPDATE structures SET phone = CASE WHEN ? = 1 THEN ? ELSE phone END, email = CASE WHEN ? = 1 THEN ? ELSE email "
    "END, address = CASE WHEN ? = 1 THEN ? ELSE address END, description = CASE WHEN ? = 1 THEN ? ELSE description "
    "END, version = version + 1, updated_at = ? WHERE id = ?";
constexpr const char* kIsStructureAdmin =
    "SELECT 1 FROM account_structures WHERE account_id = ? AND structure_id = ? AND role = 'admin'";

const std::string kActivitiesOf =
    std::string("SELECT ") + kActivityColumns + " FROM structure_activities WHERE structure_id = ? ORDER BY created_at";
const std::string kFindActivity =
    std::string("SELECT ") + kActivityColumns + " FROM structure_activities WHERE id = ? AND structure_id = ?";
constexpr const char* kInsertActivity =
    "INSERT INTO structure_activities (id, structure_id, field, care_mode, label, public_min_age, public_max_age, area, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kCapacitiesOf =
    "SELECT c.type, c.count, c.unit, c.updated_at, c.updated_by, acc.first_name, acc.last_name FROM capacities c LEFT "
    "JOIN accounts acc ON acc.id = c.updated_by WHERE c.activity_id = ? ORDER BY c.type";
constexpr const char* kUpdateCapacity =
    "UPDATE capacities SET count = ?, unit = ?, updated_at = ?, updated_by = ? WHERE activity_id = ? AND type = ?";
constexpr const char* kInsertCapacity =
    "INSERT INTO capacities (activity_id, type, count, unit, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)";
constexpr const char* kAppendCapacityHistory =
    "INSERT INTO capacity_history (activity_id, type, count, unit, at, by_account) VALUES (?, ?, ?, ?, ?, ?)";
constexpr const char* kCapacityHistory =
    "SELECT h.type, h.count, h.unit, h.at, h.by_account, acc.first_name, acc.last_name FROM capacity_history h LEFT "
    "JOIN accounts acc ON acc.id = h.by_account WHERE h.activity_id = ? ORDER BY h.id DESC LIMIT 200";
constexpr const char* kFieldsWithPlaces =
    "SELECT sa.structure_id, sa.field FROM structure_activities sa JOIN capacities c ON c.activity_id = sa.id WHERE "
    "c.type = 'disponible' AND c.count > 0";

constexpr const char* kLastDirectoryChange = "SELECT COALESCE(MAX(seq), 0) FROM change_log WHERE scope = 'directory'";
constexpr const char* kDirectoryChangesAfter =
    "SELECT seq, entity, entity_id FROM change_log WHERE scope = 'directory' AND seq > ? ORDER BY seq";

// ---- Rows to structs, structs to parameters. ----------------------------------------------------------------------

storage::Value OrNull(const std::string& v) {
    if (v.empty()) return std::monostate{};
    return v;
}
template <class Id>
storage::Value OrNull(const std::optional<Id>& id) {
    if (!id || id->empty()) return std::monostate{};
    return id->str();
}
template <class Id>
std::optional<Id> OptId(const storage::Row& r, size_t i) {
    if (r.IsNull(i) || r.Str(i).empty()) return std::nullopt;
    return Id(r.Str(i));
}
std::optional<std::pair<double, double>> OptPoint(const storage::Row& r, size_t lat) {
    if (r.IsNull(lat)) return std::nullopt;
    return std::pair{r.Double(lat), r.Double(lat + 1)};
}
// The name of an account that still exists (first and last name columns at i, i + 1).
std::optional<std::string> OptName(const storage::Row& r, size_t i) {
    if (r.IsNull(i)) return std::nullopt;
    return r.Str(i) + " " + r.Str(i + 1);
}

ProfessionalRow ReadProfessional(const storage::Row& r) {
    ProfessionalRow p;
    p.id = ProfessionalId(r.Str(0));
    p.id_type = r.Str(1);
    p.national_id = r.Str(2);
    p.rpps = r.Str(3);
    p.civility = r.Str(4);
    p.first_name = r.Str(5);
    p.last_name = r.Str(6);
    p.profession_code = r.Str(7);
    p.profession_label = r.Str(8);
    p.specialty = r.Str(9);
    p.practice_mode = r.Str(10);
    p.postal_code = r.Str(11);
    p.commune = r.Str(12);
    p.departement = r.Str(13);
    p.active = r.Int(14) != 0;
    p.mssante = r.Str(15);
    return p;
}

PracticeSiteRow ReadSite(const storage::Row& r) {
    PracticeSiteRow a;
    a.structure_id = OptId<StructureId>(r, 0);
    a.site_name = r.Str(1);
    a.address = r.Str(2);
    a.postal_code = r.Str(3);
    a.commune = r.Str(4);
    a.commune_code = r.Str(5);
    a.departement = r.Str(6);
    a.phone = r.Str(7);
    a.email = r.Str(8);
    a.practice_mode = r.Str(9);
    a.finess_site = r.Str(10);
    a.siret = r.Str(11);
    a.specialty_label = r.Str(12);
    return a;
}

StructureRow ReadStructure(const storage::Row& r) {
    StructureRow st;
    st.id = StructureId(r.Str(0));
    st.finess = r.Str(1);
    st.finess_ej = r.Str(2);
    st.siret = r.Str(3);
    st.name = r.Str(4);
    st.long_name = r.Str(5);
    st.category_code = r.Str(6);
    st.category_label = r.Str(7);
    st.kind = r.Str(8);
    st.address = r.Str(9);
    st.postal_code = r.Str(10);
    st.commune = r.Str(11);
    st.departement = r.Str(12);
    st.phone = r.Str(13);
    st.email = r.Str(14);
    st.point = OptPoint(r, 15);
    st.source = r.Str(17);
    st.active = r.Int(18) != 0;
    st.description = r.Str(19);
    st.version = r.Int(20);
    st.mssante = r.Str(21);
    return st;
}

ActivityRow ReadActivity(const storage::Row& r) {
    ActivityRow a;
    a.id = ActivityId(r.Str(0));
    a.structure_id = StructureId(r.Str(1));
    a.field = r.Str(2);
    a.care_mode = r.Str(3);
    a.label = r.Str(4);
    a.public_min_age = r.OptInt(5);
    a.public_max_age = r.OptInt(6);
    a.area = r.Str(7);
    a.version = r.Int(8);
    return a;
}

template <class Id>
storage::Params PaddedIds(const std::vector<Id>& ids, size_t from) {
    storage::Params p;
    p.reserve(kIdsPerLookup);
    for (size_t i = from; i < ids.size() && p.size() < kIdsPerLookup; ++i) p.push_back(ids[i].str());
    p.resize(kIdsPerLookup);  // NULL
    return p;
}

template <class Row, class Id, class Read>
std::vector<Row> ByIds(Session& s, const std::string& sql, const std::vector<Id>& ids, Read read) {
    std::vector<Row> out;
    for (size_t from = 0; from < ids.size(); from += kIdsPerLookup)
        for (const auto& r : s.Query(sql, PaddedIds(ids, from))) out.push_back(read(r));
    return out;
}

}  // namespace

// ---- Professionals ------------------------------------------------------------------------------------------------

std::optional<ProfessionalRow> FindProfessional(Session& s, const ProfessionalId& id) {
    auto r = s.One(kFindProfessional, {id.str()});
    if (!r) return std::nullopt;
    return ReadProfessional(*r);
}

std::optional<ProfessionalRow> FindActiveProfessionalByRpps(Session& s, const std::string& rpps) {
    auto r = s.One(kFindActiveProfessionalByNationalId, {"8" + rpps});
    if (!r) return std::nullopt;
    return ReadProfessional(*r);
}

std::vector<PracticeSiteRow> SitesOf(Session& s, const ProfessionalId& id) {
    std::vector<PracticeSiteRow> out;
    for (const auto& r : s.Query(kSitesOfProfessional, {id.str()})) out.push_back(ReadSite(r));
    return out;
}

std::vector<ProfessionalRow> ActiveProfessionalsAfter(Session& s, const ProfessionalId& after, int64_t limit,
                                                      bool national) {
    std::vector<ProfessionalRow> out;
    auto rows = s.Query(national ? kActiveProfessionalsAfter : kActiveLocalProfessionalsAfter, {after.str(), limit});
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(ReadProfessional(r));
    return out;
}

std::vector<IndexedSiteRow> IndexedSitesBetween(Session& s, const ProfessionalId& after, const ProfessionalId& last,
                                                bool national) {
    std::vector<IndexedSiteRow> out;
    auto rows = s.Query(national ? kIndexedSitesBetween : kIndexedLocalSitesBetween, {after.str(), last.str()});
    out.reserve(rows.size());
    for (const auto& r : rows)
        out.push_back({ProfessionalId(r.Str(0)), r.Str(1), r.Str(2), r.Str(3), r.Str(4), r.Str(7), OptPoint(r, 5)});
    return out;
}

std::vector<ProfessionalRow> ProfessionalsByIds(Session& s, const std::vector<ProfessionalId>& ids) {
    return ByIds<ProfessionalRow>(s, kProfessionalsByIds, ids, ReadProfessional);
}

std::vector<ProfessionalId> WithAccount(Session& s, const std::vector<ProfessionalId>& ids) {
    return ByIds<ProfessionalId>(s, kWithAccount, ids, [](const storage::Row& r) { return ProfessionalId(r.Str(0)); });
}

void InsertLocalProfessional(Session& s, const LocalProfessional& p, int64_t now) {
    const std::string dep = p.postal_code.substr(0, 2);
    s.Exec(kInsertLocalProfessional,
           {p.id.str(), p.rpps, "8" + p.rpps, p.civility, p.first_name, p.last_name, p.profession_code,
            p.profession_label, p.specialty, p.practice_mode, OrNull(p.structure_id), p.commune, p.postal_code, dep,
            OrNull(p.mssante), now});
    // Where they work: their structure for salaried ones, their own practice otherwise.
    const std::string structure = p.structure_id ? p.structure_id->str() : std::string();
    s.Exec(kInsertLocalSite, {NameBasedUuid("activity:" + p.id.str()), p.id.str(), OrNull(p.structure_id), structure,
                              p.postal_code, p.commune, dep, p.practice_mode, p.specialty, OrNull(p.phone),
                              OrNull(p.email)});
}

// ---- Vocabulary ---------------------------------------------------------------------------------------------------

std::vector<VocabularyRow> VocabularyWords(Session& s) {
    std::vector<VocabularyRow> out;
    for (const auto& r : s.Query(kVocabularyWords, {}))
        out.push_back({r.Str(0), r.Str(1), Meaning{r.Str(2), r.Str(3), r.Str(4), r.Str(5), r.Str(6)}, r.Str(7), r.Int(8)});
    return out;
}

void InsertVocabularyWord(Session& s, const VocabularyRow& w, const std::string& words_key) {
    const Meaning& m = w.meaning;
    s.Exec(kInsertVocabularyWord, {w.id, w.words, words_key, m.label, OrNull(m.profession), OrNull(m.specialty),
                                   OrNull(m.mode), OrNull(m.category), w.created_by, w.created_at});
}

// ---- Structures ---------------------------------------------------------------------------------------------------

std::optional<StructureRow> FindStructure(Session& s, const StructureId& id) {
    auto r = s.One(kFindStructure, {id.str()});
    if (!r) return std::nullopt;
    return ReadStructure(*r);
}

std::optional<int64_t> StructureVersion(Session& s, const StructureId& id) {
    auto r = s.One(kStructureVersion, {id.str()});
    if (!r) return std::nullopt;
    return r->Int(0);
}

std::vector<StructureRow> ActiveStructures(Session& s) {
    std::vector<StructureRow> out;
    auto rows = s.Query(kActiveStructures);
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(ReadStructure(r));
    return out;
}

std::vector<StructureRow> StructuresByIds(Session& s, const std::vector<StructureId>& ids) {
    return ByIds<StructureRow>(s, kStructuresByIds, ids, ReadStructure);
}

std::vector<StructureRow> StructuresMatching(Session& s, const std::vector<std::string>& folded_words, int64_t limit) {
    const size_t n = std::min(folded_words.size(), kMaxPickerWords);
    storage::Params params;
    for (size_t i = 0; i < n; ++i) {
        // Wildcards typed by the user are data, not patterns.
        std::string escaped;
        for (char c : folded_words[i]) {
            if (c == '%' || c == '_' || c == '\\') escaped.push_back('\\');
            escaped.push_back(c);
        }
        params.push_back("% " + escaped + "%");
    }
    params.push_back(limit);
    std::vector<StructureRow> out;
    for (const auto& r : s.Query(kStructuresMatching[n], params)) out.push_back(ReadStructure(r));
    return out;
}

std::vector<StructureMemberRow> MembersOf(Session& s, const StructureId& id) {
    std::vector<StructureMemberRow> out;
    for (const auto& r : s.Query(kMembersOf, {id.str(), id.str()}))
        out.push_back({ProfessionalId(r.Str(0)), r.Str(1), r.Str(2), r.Str(3)});
    return out;
}

void InsertLocalStructure(Session& s, const LocalStructure& st, int64_t now) {
    storage::Value lat, lon;
    if (st.point) {
        lat = st.point->first;
        lon = st.point->second;
    }
    s.Exec(kInsertLocalStructure,
           {st.id.str(), st.name, StructureNameSearch(st.name, st.commune), st.kind, OrNull(st.finess), st.commune,
            st.postal_code, st.postal_code.substr(0, 2), lat, lon, OrNull(st.category_label), OrNull(st.address),
            OrNull(st.phone), OrNull(st.email), OrNull(st.proposed_by), OrNull(st.category_code), OrNull(st.mssante), now});
}

void UpdateStructureDetails(Session& s, const StructureId& id, const StructureDetails& d, int64_t now) {
    storage::Params p;
    for (const auto* v : {&d.phone, &d.email, &d.address, &d.description}) {
        p.push_back(int64_t{v->has_value() ? 1 : 0});
        p.push_back(v->has_value() ? OrNull(**v) : storage::Value{});
    }
    p.push_back(now);
    p.push_back(id.str());
    s.Exec(kUpdateStructureDetails, p);
}

bool IsStructureAdmin(Session& s, const AccountId& account, const StructureId& structure) {
    return s.One(kIsStructureAdmin, {account.str(), structure.str()}).has_value();
}

// ---- Activities and capacities ------------------------------------------------------------------------------------

std::vector<ActivityRow> ActivitiesOf(Session& s, const StructureId& structure) {
    std::vector<ActivityRow> out;
    for (const auto& r : s.Query(kActivitiesOf, {structure.str()})) out.push_back(ReadActivity(r));
    return out;
}

std::optional<ActivityRow> FindActivity(Session& s, const StructureId& structure, const ActivityId& id) {
    auto r = s.One(kFindActivity, {id.str(), structure.str()});
    if (!r) return std::nullopt;
    return ReadActivity(*r);
}

void InsertActivity(Session& s, const ActivityRow& a, int64_t now) {
    auto age = [](const std::optional<int64_t>& v) { return v ? storage::Value{*v} : storage::Value{}; };
    s.Exec(kInsertActivity, {a.id.str(), a.structure_id.str(), a.field, a.care_mode, a.label, age(a.public_min_age),
                             age(a.public_max_age), a.area, now});
}

std::vector<CapacityRow> CapacitiesOf(Session& s, const ActivityId& activity) {
    std::vector<CapacityRow> out;
    for (const auto& r : s.Query(kCapacitiesOf, {activity.str()}))
        out.push_back({r.Str(0), r.Int(1), r.Str(2), r.Int(3), OptId<AccountId>(r, 4), OptName(r, 5)});
    return out;
}

void SetCapacity(Session& s, const ActivityId& activity, const CapacityRow& c) {
    const storage::Value by = OrNull(c.updated_by);
    if (s.Exec(kUpdateCapacity, {c.count, c.unit, c.updated_at, by, activity.str(), c.type}) == 0)
        s.Exec(kInsertCapacity, {activity.str(), c.type, c.count, c.unit, c.updated_at, by});
    s.Queue(kAppendCapacityHistory, {activity.str(), c.type, c.count, c.unit, c.updated_at, by});
}

std::vector<CapacityChangeRow> CapacityHistory(Session& s, const ActivityId& activity) {
    std::vector<CapacityChangeRow> out;
    for (const auto& r : s.Query(kCapacityHistory, {activity.str()}))
        out.push_back({r.Str(0), r.Int(1), r.Str(2), r.Int(3), OptId<AccountId>(r, 4), OptName(r, 5)});
    return out;
}

std::vector<AvailableFieldRow> FieldsWithPlaces(Session& s) {
    std::vector<AvailableFieldRow> out;
    for (const auto& r : s.Query(kFieldsWithPlaces)) out.push_back({StructureId(r.Str(0)), r.Str(1)});
    return out;
}

// ---- Change log ---------------------------------------------------------------------------------------------------

int64_t LastDirectoryChange(Session& s) { return s.One(kLastDirectoryChange)->Int(0); }

std::vector<DirectoryChangeRow> DirectoryChangesAfter(Session& s, int64_t seq) {
    std::vector<DirectoryChangeRow> out;
    for (const auto& r : s.Query(kDirectoryChangesAfter, {seq})) out.push_back({r.Int(0), r.Str(1), r.Str(2)});
    return out;
}

}  // namespace cordee::directory::repo

namespace cordee::directory {

void InsertStructure(storage::Session& s, const Structure& st) {
    LocalStructure local;
    local.id = StructureId(st.id);
    local.name = st.name;
    local.kind = st.kind;
    local.finess = st.finess;
    local.commune = st.commune;
    local.postal_code = st.postal_code;
    local.point = st.point;
    local.category_code = st.category_code;
    local.phone = st.phone;
    local.email = st.email;
    local.mssante = st.mssante;
    repo::InsertLocalStructure(s, local, NowMicros());
}

void InsertProfessional(storage::Session& s, const Professional& p) {
    LocalProfessional local{ProfessionalId(p.id), p.rpps, p.civility, p.first_name, p.last_name, p.profession_code,
                            p.profession_label, p.specialty, p.practice_mode,
                            p.structure_id.empty() ? std::nullopt : std::optional(StructureId(p.structure_id)),
                            p.commune, p.postal_code, p.phone, p.email, p.mssante};
    repo::InsertLocalProfessional(s, local, NowMicros());
}

}  // namespace cordee::directory

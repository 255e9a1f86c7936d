#include "patients/repository.hpp"

#include "auth/model.hpp"

namespace cordee::patients::repo {

namespace {

constexpr const char* kPatientColumns =
    "id, birth_name, birth_first_names, first_name, used_name, used_first_name, birth_date, sex, birthplace_code, "
    "identity_status, flag_douteuse, flag_fictive, flag_homonyme, ins_matricule, ins_oid, phone, address, version, "
    "created_at, status, merged_into, validation_document";

PatientRow DecodePatient(const storage::Row& r) {
    PatientRow p;
    p.id = r.Str(0);
    p.birth_name = r.Str(1);
    p.birth_first_names = r.Str(2);
    p.first_name = r.Str(3);
    p.used_name = r.OptStr(4);
    p.used_first_name = r.OptStr(5);
    p.birth_date = r.Str(6);
    p.sex = r.Str(7);
    p.birthplace_code = r.Str(8);
    p.identity_status = r.Str(9);
    p.douteuse = r.Int(10) != 0;
    p.fictive = r.Int(11) != 0;
    p.homonyme = r.Int(12) != 0;
    p.ins_matricule = r.OptStr(13);
    p.ins_oid = r.Str(14);
    p.phone = r.Str(15);
    p.address = r.Str(16);
    p.version = r.Int(17);
    p.created_at = r.Int(18);
    p.status = r.Str(19);
    p.merged_into = r.OptStr(20);
    p.validation_document = r.OptStr(21);
    return p;
}

constexpr const char* kMemberSelect =
    "SELECT m.id, m.kind, m.account_id, m.professional_id, m.structure_id, m.contact_name, m.contact_phone, "
    "m.contact_relation, m.role, m.referent, m.start_at, m.end_at, m.informed_at, m.informed_by, m.informed_how, "
    "m.opposed_at, m.opposed_by, m.opposed_how, m.opposed_reason, m.added_by, m.added_at, m.version, "
    "COALESCE(a.first_name || ' ' || a.last_name, pr.first_name || ' ' || pr.last_name, st.name, m.contact_name), "
    "COALESCE(a.profession_label, pr.profession_label, st.category_label, st.kind, m.contact_relation, '') "
    "FROM circle_members m LEFT JOIN accounts a ON a.id = m.account_id "
    "LEFT JOIN professionals pr ON pr.id = m.professional_id LEFT JOIN structures st ON st.id = m.structure_id ";

MemberRow DecodeMember(const storage::Row& r) {
    MemberRow m;
    m.id = MemberId(r.Str(0));
    m.kind = r.Str(1);
    m.account_id = r.OptStr(2);
    m.professional_id = r.OptStr(3);
    m.structure_id = r.OptStr(4);
    m.contact_name = r.Str(5);
    m.contact_phone = r.Str(6);
    m.contact_relation = r.Str(7);
    m.role = r.Str(8);
    m.referent = r.Int(9) != 0;
    m.start_at = r.Int(10);
    m.end_at = r.OptInt(11);
    m.informed_at = r.OptInt(12);
    m.informed_by = r.Str(13);
    m.informed_how = r.Str(14);
    m.opposed_at = r.OptInt(15);
    m.opposed_by = r.Str(16);
    m.opposed_how = r.Str(17);
    m.opposed_reason = r.Str(18);
    m.added_by = r.Str(19);
    m.added_at = r.Int(20);
    m.version = r.Int(21);
    m.display_name = r.Str(22);
    m.profession = r.Str(23);
    return m;
}

storage::Value OptValue(const std::optional<std::string>& v) { return v ? storage::Value{*v} : storage::Value{}; }

storage::Params Ids(const std::vector<std::string>& ids) { return storage::Params(ids.begin(), ids.end()); }

// The conditions of a search, after "status = 'active'", with their parameters.
std::pair<std::string, storage::Params> SearchWhere(const SearchFilter& f) {
    std::string where = "status = 'active'";
    storage::Params params;
    for (const auto& w : f.words) {
        where += " AND search_names LIKE ?";
        params.push_back("% " + w + "%");
    }
    if (!f.birth_date.empty()) {
        where += " AND birth_date = ?";
        params.push_back(f.birth_date);
    }
    if (!f.ins.empty()) {
        where += " AND ins_matricule = ?";
        params.push_back(f.ins);
    }
    return {where, params};
}

}  // namespace

// --- identity ----------------------------------------------------------------------------------------------------

std::optional<std::string> PatientStatus(storage::Session& s, const std::string& id) {
    auto row = s.One("SELECT status FROM patients WHERE id = ?", {id});
    if (!row) return std::nullopt;
    return row->Str(0);
}

std::optional<PatientRow> FindPatient(Scope& sc, const std::string& id) {
    auto row = sc.One(std::string("SELECT ") + kPatientColumns +
                          " FROM patients WHERE id = ? AND (id = {patient} OR merged_into = {patient})",
                      {id});
    if (!row) return std::nullopt;
    return DecodePatient(*row);
}

std::vector<PatientRow> FindPatients(storage::Session& s, const std::vector<std::string>& ids) {
    std::vector<PatientRow> out;
    for (const auto& r : s.Query(std::string("SELECT ") + kPatientColumns + " FROM patients WHERE id IN " + InList(ids.size()),
                                 Ids(ids)))
        out.push_back(DecodePatient(r));
    return out;
}

std::vector<PatientRow> FindTwins(storage::Session& s, const TwinQuery& q) {
    storage::Params p{q.birth_date, q.swapped_date, q.sex, q.first_key, q.name_key, q.used_key, q.name_key,
                      q.used_key, q.name_key, q.used_key, q.first_key, q.birthplace, q.year, q.name_key, q.used_key,
                      q.first_key, q.birthplace, q.year, q.ins, q.except_id};
    std::vector<PatientRow> out;
    for (const auto& r : s.Query(std::string("SELECT ") + kPatientColumns +
                                     " FROM patients WHERE status = 'active' AND ((birth_date IN (?, ?) AND sex = ? AND "
                                     "first_name_key = ? AND (name_key IN (?, ?) OR used_name_key IN (?, ?))) OR (name_key IN (?, ?) "
                                     "AND first_name_key = ? AND birthplace_code = ? AND birthplace_code <> '' AND "
                                     "SUBSTR(birth_date, 1, 4) = ?) OR (used_name_key IN (?, ?) AND first_name_key = ? AND "
                                     "birthplace_code = ? AND birthplace_code <> '' AND SUBSTR(birth_date, 1, 4) = ?) OR "
                                     "(ins_matricule IS NOT NULL AND ins_matricule = ?)) AND id <> ? LIMIT 10",
                                 p))
        out.push_back(DecodePatient(r));
    return out;
}

void QueueInsertPatient(storage::Session& s, const NewPatientRow& p) {
    s.Queue("INSERT INTO patients (id, birth_name, birth_first_names, first_name, used_name, used_first_name, "
            "birth_date, sex, birthplace_code, identity_status, flag_douteuse, flag_fictive, flag_homonyme, phone, "
            "address, name_key, used_name_key, first_name_key, search_names, last_activity_at, created_by, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {p.id, p.birth_name, p.birth_first_names, p.first_name, OptValue(p.used_name), OptValue(p.used_first_name),
             p.birth_date, p.sex, p.birthplace_code, p.identity_status, int64_t{p.douteuse}, int64_t{p.fictive},
             int64_t{p.homonyme}, p.phone, p.address, p.name_key, OptValue(p.used_name_key), p.first_name_key,
             p.search_names, p.now, p.created_by, p.now, p.now});
}

void QueueInsertCreator(storage::Session& s, const MemberId& member_id, const std::string& patient_id,
                        const std::string& account_id, const std::string& role, int64_t now) {
    s.Queue("INSERT INTO circle_members (id, patient_id, kind, account_id, role, referent, start_at, added_by, "
            "added_at) VALUES (?, ?, 'account', ?, ?, 1, ?, ?, ?)",
            {member_id.str(), patient_id, account_id, role, now, account_id, now});
}

bool UpdatePatientIfVersion(Scope& sc, int64_t version, int64_t now,
                            const std::vector<ColumnValue>& sets) {
    std::string sql = "UPDATE patients SET version = version + 1, updated_at = ?";
    storage::Params params{now};
    for (const auto& [col, v] : sets) {
        sql += ", " + col + " = ?";
        params.push_back(v);
    }
    params.push_back(version);
    // The version is checked again by the UPDATE itself: two concurrent changes cannot both win.
    return sc.Exec(sql + " WHERE id = {patient} AND version = ?", params) == 1;
}

void SetValidated(Scope& sc, const std::string& document, int64_t now) {
    sc.Exec("UPDATE patients SET identity_status = 'validee', validation_document = ?, version = version + 1, "
            "updated_at = ? WHERE id = {patient}",
            {document, now});
}

std::optional<std::string> OtherActiveWithIns(storage::Session& s, const std::string& matricule, const std::string& id) {
    auto twin = s.One("SELECT id FROM patients WHERE ins_matricule = ? AND status = 'active' AND id <> ?", {matricule, id});
    if (!twin) return std::nullopt;
    return twin->Str(0);
}

bool SetQualifiedIfVersion(Scope& sc, int64_t version, const std::string& matricule, const std::string& oid,
                           int64_t now) {
    return sc.Exec("UPDATE patients SET identity_status = 'qualifiee', ins_matricule = ?, ins_oid = ?, version = version + 1, "
                   "updated_at = ? WHERE id = {patient} AND version = ?",
                   {matricule, oid, now, version}) == 1;
}

// --- lists -------------------------------------------------------------------------------------------------------

std::vector<std::pair<PatientRow, bool>> SearchMine(storage::Session& s, const SearchFilter& f, const Clause& member,
                                                    bool every_patient, const std::string& account_id, int64_t now) {
    const auto [where, params] = SearchWhere(f);
    const std::string is_member = "id IN (SELECT m.patient_id FROM circle_members m WHERE " + member.sql + ")";
    storage::Params mine_params = member.params;  // for the column
    std::string mine = where;
    mine_params.insert(mine_params.end(), params.begin(), params.end());
    if (!every_patient) {
        mine += " AND (" + is_member + " OR id IN (SELECT patient_id FROM break_glass WHERE account_id = ? AND "
                "until_at > ?))";
        mine_params.insert(mine_params.end(), member.params.begin(), member.params.end());
        mine_params.insert(mine_params.end(), {account_id, now});
    }
    std::vector<std::pair<PatientRow, bool>> out;
    for (const auto& r : s.Query(std::string("SELECT ") + kPatientColumns + ", CASE WHEN " + is_member +
                                     " THEN 1 ELSE 0 END FROM patients WHERE " + mine +
                                     " ORDER BY name_key, first_name_key LIMIT 50",
                                 mine_params))
        out.emplace_back(DecodePatient(r), r.Int(22) != 0);
    return out;
}

std::vector<PatientRow> SearchAll(storage::Session& s, const SearchFilter& f) {
    const auto [where, params] = SearchWhere(f);
    std::vector<PatientRow> out;
    for (const auto& r : s.Query(std::string("SELECT ") + kPatientColumns + " FROM patients WHERE " + where +
                                     " ORDER BY name_key LIMIT 10",
                                 params))
        out.push_back(DecodePatient(r));
    return out;
}

std::vector<MinePageRow> MinePage(storage::Session& s, const Clause& member,
                                  const std::optional<std::pair<int64_t, std::string>>& cursor, int64_t limit) {
    storage::Params params = member.params;
    // The page first, through the sorter with four narrow columns; then the identities of that page only.
    std::string sql = "SELECT m.patient_id, MIN(m.role), MAX(m.referent), p.last_activity_at FROM circle_members m "
                      "JOIN patients p ON p.id = m.patient_id WHERE p.status = 'active' AND " + member.sql;
    if (cursor) {
        const auto& [at, id] = *cursor;
        sql += " AND (p.last_activity_at < ? OR (p.last_activity_at = ? AND p.id < ?))";
        params.insert(params.end(), {at, at, id});
    }
    sql += " GROUP BY m.patient_id, p.last_activity_at ORDER BY p.last_activity_at DESC, m.patient_id DESC LIMIT ?";
    params.push_back(limit);
    std::vector<MinePageRow> out;
    for (const auto& r : s.Query(sql, params)) out.push_back({r.Str(0), r.Str(1), r.Int(2) != 0, r.Int(3)});
    return out;
}

int64_t CountMine(storage::Session& s, const Clause& member) {
    const std::string sql = "SELECT COUNT(DISTINCT m.patient_id) FROM circle_members m JOIN patients p ON p.id = m.patient_id "
                            "WHERE p.status = 'active' AND " + member.sql;
    for (const auto& r : s.Query(sql, member.params)) return r.Int(0);
    return 0;
}

std::vector<std::pair<std::string, int64_t>> ReadTimes(storage::Session& s, const std::string& account_id,
                                                       const std::vector<std::string>& patient_ids) {
    storage::Params rp{account_id};
    rp.insert(rp.end(), patient_ids.begin(), patient_ids.end());
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& r : s.Query("SELECT patient_id, seen_at FROM patient_reads WHERE account_id = ? AND patient_id IN " +
                                     InList(patient_ids.size()),
                                 rp))
        out.emplace_back(r.Str(0), r.Int(1));
    return out;
}

std::vector<int64_t> UnreadCounts(storage::Session& s, const std::vector<std::pair<std::string, int64_t>>& seen,
                                  const std::string& account_id, const Clause& vis) {
    // One row per patient of the page (position, id, reading time), then a counting subquery on the index range
    // (patient, written_at): one plan for the whole page (a UNION of 50 subqueries took PostgreSQL 10 ms to plan).
    std::string rows_sql;
    storage::Params up;
    for (size_t i = 0; i < seen.size(); ++i) {
        rows_sql += (i ? ", (" : "(") + std::to_string(i) + ", ?, CAST(? AS BIGINT))";
        up.insert(up.end(), {seen[i].first, seen[i].second});
    }
    up.push_back(account_id);
    up.insert(up.end(), vis.params.begin(), vis.params.end());
    const std::string counts = "WITH v(i, pid, seen) AS (VALUES " + rows_sql +
                               ") SELECT v.i, (SELECT COUNT(*) FROM timeline_events t WHERE t.patient_id = v.pid AND "
                               "t.written_at > v.seen AND t.superseded = 0 AND (t.author_id IS NULL OR t.author_id <> ?) "
                               "AND " + vis.sql + ") FROM v";
    std::vector<int64_t> out(seen.size(), 0);
    for (const auto& r : s.Query(counts, up)) out.at(static_cast<size_t>(r.Int(0))) = r.Int(1);
    return out;
}

std::vector<std::pair<std::string, int64_t>> OpenAlertCounts(storage::Session& s, const std::string& account_id,
                                                             const std::vector<std::string>& patient_ids,
                                                             const Clause& alert_vis) {
    storage::Params ap{account_id};
    ap.insert(ap.end(), patient_ids.begin(), patient_ids.end());
    ap.insert(ap.end(), alert_vis.params.begin(), alert_vis.params.end());
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& r : s.Query("SELECT ar.patient_id, COUNT(*) FROM alert_recipients ar JOIN alerts al ON al.id = "
                                 "ar.alert_id WHERE ar.account_id = ? AND ar.acknowledged_at IS NULL AND ar.patient_id IN " +
                                     InList(patient_ids.size()) + " AND " + alert_vis.sql + " GROUP BY ar.patient_id",
                                 ap))
        out.emplace_back(r.Str(0), r.Int(1));
    return out;
}

// --- merge -------------------------------------------------------------------------------------------------------

bool HasReferent(Scope& sc) {
    return sc.One("SELECT 1 FROM circle_members WHERE patient_id = {patient} AND referent = 1").has_value();
}

void QueueClearReferentMarks(Scope& sc) {
    sc.Queue("UPDATE circle_members SET referent = 0 WHERE patient_id = {patient}");
}

void QueueMerge(Scope& survivor, Scope& duplicate, int64_t now) {
    // Everything attached to the duplicate follows the survivor (later modules add their tables here).
    for (const char* table : {"circle_members", "break_glass", "notebook_entries", "attachments", "alerts",
                              "alert_recipients", "timeline_events"})
        duplicate.Queue(std::string("UPDATE ") + table + " SET patient_id = ? WHERE patient_id = {patient}",
                        {survivor.patient()});
    duplicate.Queue("DELETE FROM patient_reads WHERE patient_id = {patient}");
    duplicate.Queue("UPDATE patients SET status = 'merged', merged_into = ?, version = version + 1, updated_at = ? "
                    "WHERE id = {patient}",
                    {survivor.patient(), now});
    survivor.Queue("UPDATE patients SET version = version + 1, updated_at = ? WHERE id = {patient}", {now});
}

// --- circle ------------------------------------------------------------------------------------------------------

std::optional<MemberRow> FindMember(Scope& sc, const MemberId& member_id) {
    auto row = sc.One(std::string(kMemberSelect) + "WHERE m.id = ? AND m.patient_id = {patient}", {member_id.str()});
    if (!row) return std::nullopt;
    return DecodeMember(*row);
}

std::vector<MemberRow> CircleMembers(Scope& sc) {
    std::vector<MemberRow> out;
    for (const auto& r : sc.Query(std::string(kMemberSelect) + "WHERE m.patient_id = {patient} ORDER BY m.referent DESC, "
                                                               "m.start_at, m.id"))
        out.push_back(DecodeMember(r));
    return out;
}

bool ActiveAccountExists(storage::Session& s, const std::string& id) {
    return s.One("SELECT 1 FROM accounts WHERE id = ? AND status = 'active'", {id}).has_value();
}

bool ProfessionalExists(storage::Session& s, const std::string& id) {
    return s.One("SELECT 1 FROM professionals WHERE id = ?", {id}).has_value();
}

bool StructureExists(storage::Session& s, const std::string& id) {
    return s.One("SELECT 1 FROM structures WHERE id = ?", {id}).has_value();
}

std::optional<MemberId> CurrentMemberFor(Scope& sc, Target target, const std::string& target_id, int64_t now) {
    const char* col = target == Target::kAccount ? "account_id"
                      : target == Target::kProfessional ? "professional_id"
                                                        : "structure_id";
    auto dup = sc.One("SELECT id FROM circle_members WHERE patient_id = {patient} AND " + std::string(col) +
                          " = ? AND opposed_at IS NULL AND (end_at IS NULL OR end_at > ?)",
                      {target_id, now});
    if (!dup) return std::nullopt;
    return MemberId(dup->Str(0));
}

void QueueClearReferent(Scope& sc) {
    sc.Queue("UPDATE circle_members SET referent = 0, version = version + 1 WHERE patient_id = {patient} AND referent = 1");
}

void QueueClearOtherReferents(Scope& sc, const MemberId& member_id) {
    sc.Queue("UPDATE circle_members SET referent = 0, version = version + 1 WHERE patient_id = {patient} AND referent = 1 "
             "AND id <> ?",
             {member_id.str()});
}

void QueueInsertMember(Scope& sc, const NewMemberRow& m) {
    sc.Queue("INSERT INTO circle_members (id, patient_id, kind, account_id, professional_id, structure_id, "
             "contact_name, contact_phone, contact_relation, role, referent, start_at, end_at, added_by, added_at) "
             "VALUES (?, {patient}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             {m.id.str(), m.kind, OptValue(m.account_id), OptValue(m.professional_id), OptValue(m.structure_id),
             OptValue(m.contact_name), OptValue(m.contact_phone), OptValue(m.contact_relation), m.role,
             int64_t{m.referent}, m.start_at, m.end_at ? storage::Value{*m.end_at} : storage::Value{}, m.added_by,
             m.added_at});
}

bool UpdateMemberIfVersion(Scope& sc, const MemberId& member_id, int64_t version,
                           const std::optional<std::string>& role, const std::optional<int64_t>& end, bool referent) {
    std::string sets = "version = version + 1";
    storage::Params params;
    if (role) {
        sets += ", role = ?";
        params.push_back(*role);
    }
    if (end) {
        sets += ", end_at = ?";
        params.push_back(*end);
    }
    if (referent) sets += ", referent = 1";
    params.insert(params.end(), {member_id.str(), version});
    return sc.Exec("UPDATE circle_members SET " + sets + " WHERE id = ? AND patient_id = {patient} AND version = ?", params) == 1;
}

void SetInformed(Scope& sc, const MemberId& member_id, int64_t at, const std::string& by, const std::string& how) {
    sc.Exec("UPDATE circle_members SET informed_at = ?, informed_by = ?, informed_how = ?, version = version + 1 WHERE id = ? "
            "AND patient_id = {patient}",
            {at, by, how, member_id.str()});
}

void SetOpposed(Scope& sc, const MemberId& member_id, int64_t at, const std::string& by, const std::string& how,
                const std::string& reason) {
    // The referent mark goes with the opposition.
    sc.Exec("UPDATE circle_members SET opposed_at = ?, opposed_by = ?, opposed_how = ?, opposed_reason = ?, referent = 0, "
            "version = version + 1 WHERE id = ? AND patient_id = {patient}",
           {at, by, how, reason, member_id.str()});
}

std::vector<AccountEmail> StructureAdmins(storage::Session& s, const std::string& structure_id) {
    std::vector<AccountEmail> out;
    for (const auto& r : s.Query("SELECT a.id, a.email FROM account_structures x JOIN accounts a ON a.id = x.account_id WHERE "
                                 "x.structure_id = ? AND x.role = 'admin' AND a.status = 'active' ORDER BY a.email",
                                 {structure_id}))
        out.push_back({r.Str(0), r.Str(1)});
    return out;
}

std::vector<AccountEmail> AccountEmails(storage::Session& s, const std::vector<std::string>& ids) {
    std::vector<AccountEmail> out;
    for (const auto& r : s.Query("SELECT id, email FROM accounts WHERE id IN " + InList(ids.size()) + " ORDER BY email", Ids(ids)))
        out.push_back({r.Str(0), r.Str(1)});
    return out;
}

std::vector<MemberId> ReferentMemberIds(Scope& sc) {
    std::vector<MemberId> out;
    for (const auto& m : sc.Query("SELECT id FROM circle_members WHERE patient_id = {patient} AND referent = 1"))
        out.emplace_back(m.Str(0));
    return out;
}

// --- emergency access and access log ------------------------------------------------------------------------------

bool HasRunningBreakGlass(storage::Session& s, const std::string& account_id, const std::string& patient_id,
                          int64_t now) {
    return s.One("SELECT 1 FROM break_glass WHERE account_id = ? AND patient_id = ? AND until_at > ?",
                 {account_id, patient_id, now})
        .has_value();
}

bool OpposedMembership(storage::Session& s, const std::string& patient_id, const Actor& actor) {
    // The same matching as MemberOf (policy.cpp), without the period; a later addition of the same account,
    // directory entry or structure (the patient agreed again) lifts the opposition.
    storage::Params p{patient_id, actor.account_id, actor.professional_id};
    p.insert(p.end(), actor.structures.begin(), actor.structures.end());
    return s.One("SELECT 1 FROM circle_members m WHERE m.patient_id = ? AND m.opposed_at IS NOT NULL AND m.kind <> "
                 "'contact' AND (m.account_id = ? OR m.professional_id = ? OR m.structure_id IN " +
                     InList(actor.structures.size()) +
                     ") AND NOT EXISTS (SELECT 1 FROM circle_members n WHERE n.patient_id = m.patient_id AND "
                     "n.added_at > m.opposed_at AND n.kind = m.kind AND (n.account_id = m.account_id OR "
                     "n.professional_id = m.professional_id OR n.structure_id = m.structure_id)) LIMIT 1",
                 p)
        .has_value();
}

int64_t BreakGlassOpenedSince(storage::Session& s, const std::string& account_id, int64_t since) {
    return s.One("SELECT COUNT(*) FROM break_glass WHERE account_id = ? AND started_at > ?", {account_id, since})->Int(0);
}

void QueueInsertBreakGlass(storage::Session& s, const std::string& id, const std::string& patient_id,
                           const std::string& account_id, const std::string& reason, int64_t started_at,
                           int64_t until_at) {
    s.Queue("INSERT INTO break_glass (id, patient_id, account_id, reason, started_at, until_at) VALUES (?, ?, ?, ?, ?, ?)",
            {id, patient_id, account_id, reason, started_at, until_at});
}

std::vector<std::string> ActiveOperatorEmails(storage::Session& s) {
    std::vector<std::string> out;
    for (const auto& op : s.Query("SELECT email FROM accounts WHERE role = ? AND status = 'active' ORDER BY email",
                                  {std::string(auth::kOperator)}))
        out.push_back(op.Str(0));
    return out;
}

std::vector<std::string> MergedInto(Scope& sc) {
    std::vector<std::string> out;
    for (const auto& r : sc.Query("SELECT id FROM patients WHERE merged_into = {patient}")) out.push_back(r.Str(0));
    return out;
}

std::vector<AccessLogRow> AccessLogPage(storage::Session& s, const std::vector<std::string>& patient_ids,
                                        std::optional<int64_t> before, int64_t limit) {
    storage::Params params = Ids(patient_ids);
    std::string sql = "SELECT l.seq, l.at, l.actor_id, l.action, l.outcome, l.detail, a.first_name, a.last_name, "
                      "a.profession_label FROM audit_log l LEFT JOIN accounts a ON a.id = l.actor_id WHERE l.target_id IN " +
                      InList(patient_ids.size()) + " AND l.target_type = 'patient'";
    if (before) {
        sql += " AND l.seq < ?";
        params.push_back(*before);
    }
    sql += " ORDER BY l.seq DESC LIMIT ?";
    params.push_back(limit);
    std::vector<AccessLogRow> out;
    for (const auto& r : s.Query(sql, params))
        out.push_back({r.Int(0), r.Int(1), r.Str(2), r.Str(3), r.Str(4), r.Str(5), r.Str(6), r.Str(7), r.Str(8)});
    return out;
}

}  // namespace cordee::patients::repo

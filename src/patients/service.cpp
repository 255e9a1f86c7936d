#include "patients/service.hpp"

#include "audit/audit.hpp"
#include "auth/model.hpp"
#include "common/errors.hpp"
#include "common/ids.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "patients/identity.hpp"
#include "storage/change_log.hpp"
#include "storage/idempotency.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <sstream>

namespace cordee::patients {

std::string SearchNames(std::initializer_list<std::string_view> names) {
    std::string out = " ";
    for (auto n : names) {
        std::string word;
        for (char c : FoldForSearch(n) + " ") {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                word += c;
            } else if (!word.empty()) {
                if (out.find(" " + word + " ") == std::string::npos) out += word + " ";
                word.clear();
            }
        }
    }
    return out;
}

std::string NameKey(std::string_view name) {
    std::string out;
    for (char c : FoldForSearch(name))
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
    return out;
}

namespace {

namespace json = boost::json;

constexpr const char* kPatientColumns =
    "id, birth_name, birth_first_names, first_name, used_name, used_first_name, birth_date, sex, birthplace_code, "
    "identity_status, flag_douteuse, flag_fictive, flag_homonyme, ins_matricule, ins_oid, phone, address, version, "
    "created_at, status, merged_into, validation_document";

json::value OptJson(const storage::Row& r, size_t i) {
    return r.IsNull(i) ? json::value(nullptr) : json::value(r.Str(i));
}

json::object SummaryJson(const storage::Row& r, const std::string& access) {
    return {{"id", r.Str(0)},          {"birth_name", r.Str(1)}, {"used_name", OptJson(r, 4)},
            {"first_name", r.Str(3)},  {"used_first_name", OptJson(r, 5)}, {"birth_date", r.Str(6)},
            {"sex", r.Str(7)},         {"identity_status", r.Str(9)},      {"access", access}};
}

json::object AccessJson(const Grant& g) {
    return {{"via", g.via},
            {"clinical", g.clinical},
            {"health", g.health},
            {"referent", g.referent},
            {"coordinator", g.coordinator},
            {"break_glass_until", g.break_glass_until ? json::value(FormatRfc3339(g.break_glass_until)) : nullptr}};
}

json::object PatientJson(const storage::Row& r, const Grant* g) {
    const bool qualified = r.Str(9) == "qualifiee" && !r.IsNull(13);
    json::object o{{"id", r.Str(0)},
                   {"birth_name", r.Str(1)},
                   {"birth_first_names", r.Str(2)},
                   {"first_name", r.Str(3)},
                   {"used_name", OptJson(r, 4)},
                   {"used_first_name", OptJson(r, 5)},
                   {"birth_date", r.Str(6)},
                   {"sex", r.Str(7)},
                   {"birthplace_code", r.Str(8)},
                   {"identity_status", r.Str(9)},
                   {"flags", {{"douteuse", r.Int(10) != 0}, {"fictive", r.Int(11) != 0}, {"homonyme", r.Int(12) != 0}}},
                   // The INS travels only with a qualified identity (RNIV).
                   {"ins", qualified ? json::value{{"matricule", r.Str(13)}, {"oid", r.Str(14)},
                                                   {"kind", OidKind(r.Str(14))}}
                                     : json::value(nullptr)},
                   {"phone", r.Str(15)},
                   {"address", r.Str(16)},
                   {"version", r.Int(17)},
                   {"created_at", FormatRfc3339(r.Int(18))},
                   {"status", r.Str(19)},
                   {"merged_into", OptJson(r, 20)},
                   {"validation_document", OptJson(r, 21)}};
    if (g) o["access"] = AccessJson(*g);
    return o;
}

std::optional<storage::Row> PatientRow(storage::Session& s, const std::string& id) {
    return s.One(std::string("SELECT ") + kPatientColumns + " FROM patients WHERE id = ?", {id});
}

constexpr const char* kMemberSelect =
    "SELECT m.id, m.kind, m.account_id, m.professional_id, m.structure_id, m.contact_name, m.contact_phone, "
    "m.contact_relation, m.role, m.referent, m.start_at, m.end_at, m.informed_at, m.informed_by, m.informed_how, "
    "m.opposed_at, m.opposed_by, m.opposed_how, m.opposed_reason, m.added_by, m.added_at, m.version, "
    "COALESCE(a.first_name || ' ' || a.last_name, pr.first_name || ' ' || pr.last_name, st.name, m.contact_name), "
    "COALESCE(a.profession_label, pr.profession_label, st.category_label, st.kind, m.contact_relation, '') "
    "FROM circle_members m LEFT JOIN accounts a ON a.id = m.account_id "
    "LEFT JOIN professionals pr ON pr.id = m.professional_id LEFT JOIN structures st ON st.id = m.structure_id ";

std::string MemberStatus(const storage::Row& r, int64_t now) {
    if (!r.IsNull(15)) return "opposed";
    if (!r.IsNull(11) && r.Int(11) <= now) return "ended";
    if (r.Int(10) > now) return "future";
    return "active";
}

json::object MemberJson(const storage::Row& r) {
    auto time = [&](size_t i) { return r.IsNull(i) ? json::value(nullptr) : json::value(FormatRfc3339(r.Int(i))); };
    return {{"id", r.Str(0)},
            {"kind", r.Str(1)},
            {"account_id", OptJson(r, 2)},
            {"professional_id", OptJson(r, 3)},
            {"structure_id", OptJson(r, 4)},
            {"contact", r.Str(1) == "contact" ? json::value{{"name", r.Str(5)}, {"phone", r.Str(6)}, {"relation", r.Str(7)}}
                                              : json::value(nullptr)},
            {"display_name", r.Str(22)},
            {"profession", r.Str(23)},
            {"role", r.Str(8)},
            {"referent", r.Int(9) != 0},
            {"start", time(10)},
            {"end", time(11)},
            {"status", MemberStatus(r, NowMicros())},
            {"informed", r.IsNull(12) ? json::value(nullptr)
                                      : json::value{{"at", time(12)}, {"by", r.Str(13)}, {"how", r.Str(14)}}},
            {"opposition", r.IsNull(15) ? json::value(nullptr)
                                        : json::value{{"at", time(15)}, {"by", r.Str(16)}, {"how", r.Str(17)},
                                                      {"reason", r.Str(18)}}},
            {"added_by", r.Str(19)},
            {"added_at", time(20)},
            {"version", r.Int(21)}};
}

std::optional<storage::Row> MemberRow(storage::Session& s, const std::string& patient_id, const std::string& member_id) {
    if (!IsUuid(member_id)) return std::nullopt;
    return s.One(std::string(kMemberSelect) + "WHERE m.id = ? AND m.patient_id = ?", {member_id, patient_id});
}

// Circle changes are for members (and operators, who administer); an emergency access only reads and writes notes.
void RequireCircleEditor(const Grant& g) {
    if (g.via == "break_glass")
        throw Forbidden("Un accès en urgence ne permet pas de modifier le cercle de soins.");
}

void Touch(storage::Session& s, const std::string& patient_id, const char* what) {
    storage::AppendChange(s, {"patient", patient_id, "update", "patient:" + patient_id,
                              json::serialize(json::object{{"changed", what}})});
}

TimelineEvent Event(const Actor& a, const std::string& patient_id, const char* kind, const char* action,
                    json::object summary, std::string ref_id = {}) {
    TimelineEvent e;
    e.patient_id = patient_id;
    e.kind = kind;
    e.action = action;
    e.author_id = a.account_id;
    e.author_name = a.name;
    e.summary = std::move(summary);
    e.ref_id = std::move(ref_id);
    return e;
}

Error PossibleDuplicate(json::array candidates) {
    Error e(409, "possible-duplicate", "Ce patient existe peut-être déjà",
            "Des patients aux traits proches existent. Ouvrez le bon dossier, ou confirmez qu'il s'agit d'une autre "
            "personne.");
    e.extra["candidates"] = std::move(candidates);
    return e;
}

// Twins: the same INS, or close strict traits (same birth date, sex and first name with one of the names
// equal once folded; or same names, first name and birthplace born the same year).
json::array Twins(storage::Session& s, const Actor& actor, const std::string& name_key, const std::string& used_key,
                  const std::string& first_key, const std::string& birth_date, const std::string& sex,
                  const std::string& birthplace, const std::string& ins, const std::string& except_id) {
    storage::Params p{birth_date, sex, first_key, name_key, used_key, name_key, used_key,
                      name_key, first_key, birthplace, birth_date.substr(0, 4), ins, except_id};
    auto rows = s.Query(std::string("SELECT ") + kPatientColumns +
                            " FROM patients WHERE status = 'active' AND ((birth_date = ? AND sex = ? AND first_name_key = ? "
                            "AND (name_key IN (?, ?) OR used_name_key IN (?, ?))) OR (name_key = ? AND first_name_key = ? "
                            "AND birthplace_code = ? AND birthplace_code <> '' AND SUBSTR(birth_date, 1, 4) = ?) OR "
                            "(ins_matricule IS NOT NULL AND ins_matricule = ?)) AND id <> ? LIMIT 10",
                        p);
    json::array out;
    for (const auto& r : rows) {
        auto c = SummaryJson(r, Decide(s, actor, r.Str(0), Need::kClinical) ? "member" : "none");
        c["birthplace_code"] = r.Str(8);
        c["reason"] = !ins.empty() && r.Str(13) == ins ? "ins" : "traits";
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace

std::pair<int, std::string> PatientService::Create(const auth::Principal& p, const Identity& id,
                                                   const std::string& creator_role, bool confirm,
                                                   const std::string& key) {
    const std::string name_key = NameKey(*id.birth_name);
    const std::string used_key = id.used_name ? NameKey(*id.used_name) : name_key;
    const std::string first_key = NameKey(*id.first_name);
    const std::string birthplace = id.birthplace_code.value_or("");
    struct Outcome {
        std::optional<storage::StoredResult> created;
        json::array twins;
    };
    auto out = records_.db().WriteValue([&](storage::Session& s) {
        const Actor actor = records_.LoadActor(s, p);
        if (actor.IsOperator())
            throw Forbidden("Les opérateurs administrent les dossiers mais n'en créent pas : un professionnel du cercle le fait.");
        Outcome o;
        // A replay answers what the first request got, before anything else is looked at.
        if (!key.empty()) {
            if (auto prev = storage::FindIdempotent(s, actor.account_id, key, "POST /api/v1/patients")) {
                o.created = *prev;
                return o;
            }
        }
        // Two people creating the same patient at once (PostgreSQL) meet here: creations of people born the same
        // day take turns, so the second one sees the first as a twin.
        s.LockForOrdering(static_cast<int64_t>(0x7A00000000000000LL | (std::hash<std::string>{}(*id.birth_date) & 0xFFFFFFFF)));
        if (!confirm) {
            o.twins = Twins(s, actor, name_key, used_key, first_key, *id.birth_date, *id.sex, birthplace, "", "");
            if (!o.twins.empty()) {
                // Showing twins reveals identities: the lookup is traced like any other read (and committed).
                for (const auto& t : o.twins)
                    PatientRecords::Audit(s, actor, std::string(t.at("id").as_string()), std::nullopt,
                                          "patient.duplicate_check", {{"outcome", "shown as possible duplicate"}});
                return o;
            }
        }
        const std::string pid = NewUuidV7();
        const int64_t now = NowMicros();
        auto opt = [](const std::optional<std::string>& v) { return v && !v->empty() ? storage::Value{*v} : storage::Value{}; };
        s.Queue("INSERT INTO patients (id, birth_name, birth_first_names, first_name, used_name, used_first_name, "
                "birth_date, sex, birthplace_code, identity_status, flag_douteuse, flag_fictive, flag_homonyme, phone, "
                "address, name_key, used_name_key, first_name_key, search_names, last_activity_at, created_by, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {pid, *id.birth_name, *id.birth_first_names, *id.first_name, opt(id.used_name), opt(id.used_first_name),
                 *id.birth_date, *id.sex, birthplace, id.identity_status.value_or("provisoire"),
                 int64_t{id.douteuse.value_or(false)}, int64_t{id.fictive.value_or(false)},
                 int64_t{id.homonyme.value_or(false)}, id.phone.value_or(""), id.address.value_or(""), name_key,
                 id.used_name ? storage::Value{used_key} : storage::Value{}, first_key,
                 SearchNames({*id.birth_name, id.used_name.value_or(""), *id.birth_first_names, id.used_first_name.value_or("")}),
                 now, actor.account_id, now, now});
        const std::string member = NewUuidV7();
        s.Queue("INSERT INTO circle_members (id, patient_id, kind, account_id, role, referent, start_at, added_by, "
                "added_at) VALUES (?, ?, 'account', ?, ?, 1, ?, ?, ?)",
                {member, pid, actor.account_id, creator_role, now, actor.account_id, now});
        AppendEvent(s, Event(actor, pid, "identity", "create", {{"identity_status", id.identity_status.value_or("provisoire")}}));
        AppendEvent(s, Event(actor, pid, "circle", "add", {{"member", actor.name}, {"role", creator_role}, {"referent", true}},
                             member));
        storage::AppendChange(s, {"patient", pid, "create", "patient:" + pid, "{}"});
        Grant g{pid, "member", true, actor.health, true, true, actor.structures, member};
        PatientRecords::Audit(s, actor, pid, g, "patient.create", {{"confirmed_not_duplicate", confirm}});
        o.created = storage::StoredResult{201, json::serialize(PatientJson(*PatientRow(s, pid), &g))};
        if (!key.empty()) storage::SaveIdempotent(s, actor.account_id, key, "POST /api/v1/patients", *o.created);
        return o;
    });
    if (!out.created) throw PossibleDuplicate(std::move(out.twins));
    return {out.created->status, out.created->body};
}

boost::json::object PatientService::Search(const auth::Principal& p, const std::string& q, const std::string& birth_date,
                                           const std::string& ins) {
    // The parts of the query as the names are kept: "Lefèvre-Abcde" looks for "lefevre" and "abcde".
    std::vector<std::string> words;
    {
        std::istringstream in(SearchNames({q}));
        for (std::string w; in >> w && words.size() < 6;) words.push_back(w);
    }
    Actor actor;
    json::array items;
    std::vector<std::string> shown, strangers;
    records_.db().Read([&](storage::Session& s) {
        actor = records_.LoadActor(s, p);
        std::string where = "status = 'active'";
        storage::Params params;
        for (const auto& w : words) {
            where += " AND search_names LIKE ?";
            params.push_back("% " + w + "%");
        }
        if (!birth_date.empty()) {
            where += " AND birth_date = ?";
            params.push_back(birth_date);
        }
        if (!ins.empty()) {
            where += " AND ins_matricule = ?";
            params.push_back(ins);
        }
        // The caller's own patients first (members, current emergency accesses; every patient for operators), each
        // with the way the caller reaches it, from the same query.
        const int64_t now = NowMicros();
        const Clause member = MemberOf(actor, "m", now);
        const std::string is_member = "id IN (SELECT m.patient_id FROM circle_members m WHERE " + member.sql + ")";
        storage::Params mine_params = member.params;  // for the column
        std::string mine = where;
        mine_params.insert(mine_params.end(), params.begin(), params.end());
        if (!actor.IsOperator()) {
            mine += " AND (" + is_member + " OR id IN (SELECT patient_id FROM break_glass WHERE account_id = ? AND "
                    "until_at > ?))";
            mine_params.insert(mine_params.end(), member.params.begin(), member.params.end());
            mine_params.insert(mine_params.end(), {actor.account_id, now});
        }
        for (const auto& r : s.Query(std::string("SELECT ") + kPatientColumns + ", CASE WHEN " + is_member +
                                         " THEN 1 ELSE 0 END FROM patients WHERE " + mine +
                                         " ORDER BY name_key, first_name_key LIMIT 50",
                                     mine_params)) {
            const char* via = r.Int(22) ? "member" : actor.IsOperator() ? "operator" : "break_glass";
            items.push_back(SummaryJson(r, via));
            shown.push_back(r.Str(0));
        }
        // Others only for a precise query (an INS, or a name with a full birth date): enough to open an
        // emergency access to the right person, never a browsable list of the territory's patients.
        const bool full_date = birth_date.size() == 10 && birth_date.substr(5, 2) != "00" && birth_date.substr(8, 2) != "00";
        const bool precise = !ins.empty() || (!words.empty() && full_date);
        if (precise && !actor.IsOperator() && items.size() < 50) {
            for (const auto& r : s.Query(std::string("SELECT ") + kPatientColumns + " FROM patients WHERE " + where +
                                             " ORDER BY name_key LIMIT 10",
                                         params)) {
                if (std::find(shown.begin(), shown.end(), r.Str(0)) != shown.end()) continue;
                items.push_back(SummaryJson(r, "none"));
                shown.push_back(r.Str(0));
                strangers.push_back(r.Str(0));
            }
        }
    });
    records_.db().Write([&](storage::Session& s) {
        audit::Event e{actor.account_id, "patient.search", "patient_list", "", actor.ip, "success",
                       {{"results", static_cast<int64_t>(shown.size())}}};
        audit::Append(s, e);
        // A patient shown to someone outside the circle appears in that patient's access log.
        for (const auto& id : strangers)
            PatientRecords::Audit(s, actor, id, std::nullopt, "patient.search_result", {{"outcome", "identity shown"}});
    });
    return {{"items", items}};
}

boost::json::object PatientService::Mine(const auth::Principal& p, int limit, const std::string& cursor) {
    Actor actor;
    json::array items;
    std::string next;
    records_.db().Read([&](storage::Session& s) {
        actor = records_.LoadActor(s, p);
        const Clause member = MemberOf(actor, "m", NowMicros());
        storage::Params params = member.params;
        // The page first, through the sorter with four narrow columns; then the identities of that page only.
        std::string sql = "SELECT m.patient_id, MIN(m.role), MAX(m.referent), p.last_activity_at FROM circle_members m "
                          "JOIN patients p ON p.id = m.patient_id WHERE p.status = 'active' AND " + member.sql;
        if (!cursor.empty()) {
            const auto [at, id] = ParseTimeCursor(cursor);
            sql += " AND (p.last_activity_at < ? OR (p.last_activity_at = ? AND p.id < ?))";
            params.insert(params.end(), {at, at, id});
        }
        sql += " GROUP BY m.patient_id, p.last_activity_at ORDER BY p.last_activity_at DESC, m.patient_id DESC LIMIT ?";
        params.push_back(static_cast<int64_t>(limit + 1));
        auto page = s.Query(sql, params);
        if (static_cast<int>(page.size()) > limit) {
            next = TimeCursor(page[limit - 1].Int(3), page[limit - 1].Str(0));
            page.erase(page.begin() + limit, page.end());
        }
        if (page.empty()) return;
        storage::Params ids;
        for (const auto& r : page) ids.push_back(r.Str(0));
        std::map<std::string, storage::Row> identity;
        for (auto& r : s.Query(std::string("SELECT ") + kPatientColumns + " FROM patients WHERE id IN " + InList(ids.size()), ids))
            identity.emplace(r.Str(0), std::move(r));
        // Unread entries (visible to the caller, written by others since their last reading) and open alerts. Each
        // patient's count is an index range after its own reading time (authors mark what they write as read).
        std::map<std::string, int64_t> seen, unread, alerts;
        storage::Params rp{actor.account_id};
        rp.insert(rp.end(), ids.begin(), ids.end());
        for (const auto& r : s.Query("SELECT patient_id, seen_at FROM patient_reads WHERE account_id = ? AND patient_id IN " +
                                         InList(ids.size()),
                                     rp))
            seen[r.Str(0)] = r.Int(1);
        Grant reader;
        reader.health = actor.health;
        reader.structures = actor.structures;
        const Clause vis = VisibleTo(reader, "t.visibility", "t.structure_id");
        // One row per patient of the page (position, id, reading time), then a counting subquery on the index range
        // (patient, written_at): one plan for the whole page (a UNION of 50 subqueries took PostgreSQL 10 ms to plan).
        std::string rows_sql;
        storage::Params up;
        for (size_t i = 0; i < ids.size(); ++i) {
            const std::string pid = std::get<std::string>(ids[i]);
            rows_sql += (i ? ", (" : "(") + std::to_string(i) + ", ?, CAST(? AS BIGINT))";
            up.insert(up.end(), {pid, seen.count(pid) ? seen[pid] : int64_t{0}});
        }
        up.push_back(actor.account_id);
        up.insert(up.end(), vis.params.begin(), vis.params.end());
        const std::string counts = "WITH v(i, pid, seen) AS (VALUES " + rows_sql +
                                   ") SELECT v.i, (SELECT COUNT(*) FROM timeline_events t WHERE t.patient_id = v.pid AND "
                                   "t.written_at > v.seen AND t.superseded = 0 AND (t.author_id IS NULL OR t.author_id <> ?) "
                                   "AND " + vis.sql + ") FROM v";
        for (const auto& r : s.Query(counts, up)) unread[std::get<std::string>(ids[r.Int(0)])] = r.Int(1);
        storage::Params ap{actor.account_id};
        ap.insert(ap.end(), ids.begin(), ids.end());
        for (const auto& r : s.Query("SELECT patient_id, COUNT(*) FROM alert_recipients WHERE account_id = ? AND "
                                     "acknowledged_at IS NULL AND patient_id IN " + InList(ids.size()) + " GROUP BY patient_id",
                                     ap))
            alerts[r.Str(0)] = r.Int(1);
        for (const auto& r : page) {
            auto found = identity.find(r.Str(0));
            if (found == identity.end()) continue;
            auto o = SummaryJson(found->second, "member");
            o["role"] = r.Str(1);
            o["referent"] = r.Int(2) != 0;
            o["last_activity_at"] = FormatRfc3339(r.Int(3));
            o["unread"] = unread[r.Str(0)];
            o["open_alerts"] = alerts[r.Str(0)];
            items.push_back(std::move(o));
        }
    });
    records_.db().Write([&](storage::Session& s) {
        json::array ids;
        for (const auto& it : items) ids.push_back(it.at("id"));
        audit::Append(s, {actor.account_id, "patient.list_mine", "patient_list", "", actor.ip, "success", {{"patients", ids}}});
    });
    return {{"items", items}, {"next_cursor", next.empty() ? json::value(nullptr) : json::value(next)}};
}

boost::json::object PatientService::Get(const auth::Principal& p, const std::string& id) {
    return records_.Read(p, id, Need::kIdentity, "patient.read", [&](storage::Session& s, const Actor&, const Grant& g) {
        // A merged id answers its own record (status merged, merged_into the survivor).
        return PatientJson(*PatientRow(s, id), &g);
    });
}

namespace {

void CheckVersion(storage::Session& s, const std::string& id, int64_t version, const Grant& g) {
    auto row = PatientRow(s, id);
    if (row->Int(17) != version)
        throw Conflict("Le dossier a été modifié entre-temps : voici la version actuelle.", PatientJson(*row, &g));
}

void RequireActive(storage::Session& s, const std::string& id) {
    if (PatientRow(s, id)->Str(19) != "active")
        throw Error(409, "patient-merged", "Dossier fusionné", "Ce dossier a été fusionné : utilisez le dossier conservé.");
}

}  // namespace

boost::json::object PatientService::Update(const auth::Principal& p, const std::string& id, int64_t version,
                                           const Identity& patch) {
    return records_.Write(p, id, Need::kIdentity, "patient.update", [&](storage::Session& s, const Actor& actor,
                                                                        const Grant& g) {
        RequireActive(s, id);
        CheckVersion(s, id, version, g);
        const auto row = *PatientRow(s, id);
        const std::string status = row.Str(9);
        if (status != "provisoire" && status != "recuperee") {
            std::vector<FieldError> frozen;
            for (auto [field, present] : {std::pair{"birth_name", patch.birth_name.has_value()},
                                          std::pair{"birth_first_names", patch.birth_first_names.has_value()},
                                          std::pair{"first_name", patch.first_name.has_value()},
                                          std::pair{"birth_date", patch.birth_date.has_value()},
                                          std::pair{"sex", patch.sex.has_value()},
                                          std::pair{"birthplace_code", patch.birthplace_code.has_value()}})
                if (present) frozen.push_back({field, "trait strict d'une identité validée ou qualifiée : il ne se modifie pas"});
            if (!frozen.empty()) throw Invalid(std::move(frozen));
        }
        std::string sets = "version = version + 1, updated_at = ?";
        storage::Params params{NowMicros()};
        json::array changed;
        auto set = [&](const char* col, const std::optional<std::string>& v, bool nullable = false) {
            if (!v) return;
            sets += std::string(", ") + col + " = ?";
            params.push_back(nullable && v->empty() ? storage::Value{} : storage::Value{*v});
            changed.push_back(json::string(col));
        };
        set("birth_name", patch.birth_name);
        set("birth_first_names", patch.birth_first_names);
        set("first_name", patch.first_name);
        set("used_name", patch.used_name, true);
        set("used_first_name", patch.used_first_name, true);
        set("birth_date", patch.birth_date);
        set("sex", patch.sex);
        set("birthplace_code", patch.birthplace_code);
        set("phone", patch.phone);
        set("address", patch.address);
        for (auto [col, v] : {std::pair{"flag_douteuse", patch.douteuse}, std::pair{"flag_fictive", patch.fictive},
                              std::pair{"flag_homonyme", patch.homonyme}}) {
            if (!v) continue;
            sets += std::string(", ") + col + " = ?";
            params.push_back(int64_t{*v});
            changed.push_back(json::string(col));
        }
        // Search and twin keys follow the names.
        const std::string birth_name = patch.birth_name.value_or(row.Str(1));
        const std::string first_name = patch.first_name.value_or(row.Str(3));
        const std::string used = patch.used_name ? *patch.used_name : row.Str(4);
        sets += ", name_key = ?, first_name_key = ?, used_name_key = ?, search_names = ?";
        params.insert(params.end(), {NameKey(birth_name), NameKey(first_name),
                                     used.empty() ? storage::Value{} : storage::Value{NameKey(used)},
                                     SearchNames({birth_name, used, patch.birth_first_names.value_or(row.Str(2)),
                                                  patch.used_first_name.value_or(row.Str(5))})});
        params.insert(params.end(), {id, version});
        // The version is checked again by the UPDATE itself: two concurrent changes cannot both win.
        if (s.Exec("UPDATE patients SET " + sets + " WHERE id = ? AND version = ?", params) != 1)
            throw Conflict("Le dossier a été modifié entre-temps : voici la version actuelle.", PatientJson(*PatientRow(s, id), &g));
        AppendEvent(s, Event(actor, id, "identity", "update", {{"fields", changed}}));
        Touch(s, id, "identity");
        return PatientJson(*PatientRow(s, id), &g);
    });
}

boost::json::object PatientService::Validate(const auth::Principal& p, const std::string& id, const std::string& document) {
    return records_.Write(p, id, Need::kIdentity, "patient.validate", [&](storage::Session& s, const Actor& actor,
                                                                          const Grant& g) {
        RequireActive(s, id);
        const auto row = *PatientRow(s, id);
        const std::string status = row.Str(9);
        if (status == "validee" || status == "qualifiee") return PatientJson(row, &g);
        if (row.Str(8).empty())
            throw Invalid("birthplace_code", "le lieu de naissance est nécessaire pour valider l'identité");
        if (row.Int(11) != 0) throw Invalid("flags.fictive", "une identité fictive ne peut pas être validée");
        s.Exec("UPDATE patients SET identity_status = 'validee', validation_document = ?, version = version + 1, "
               "updated_at = ? WHERE id = ?",
               {document, NowMicros(), id});
        AppendEvent(s, Event(actor, id, "identity", "validate", {{"document", document}}));
        Touch(s, id, "identity");
        return PatientJson(*PatientRow(s, id), &g);
    });
}

boost::json::object PatientService::Qualify(const auth::Principal& p, const std::string& id) {
    // The INSi call may take seconds: it runs between two transactions, and the second checks that the
    // identity did not change meanwhile.
    const auto before = records_.Read(p, id, Need::kIdentity, "patient.qualify_lookup",
                                      [&](storage::Session& s, const Actor&, const Grant&) { return *PatientRow(s, id); });
    if (before.Str(19) != "active")
        throw Error(409, "patient-merged", "Dossier fusionné", "Ce dossier a été fusionné : utilisez le dossier conservé.");
    if (before.Str(9) == "qualifiee") return Get(p, id);
    if (before.Str(9) != "validee")
        throw Invalid("identity_status", "seule une identité validée (pièce d'identité vérifiée) peut être qualifiée");
    const InsiAnswer answer = insi_->Lookup({before.Str(1), before.Str(2), before.Str(7), before.Str(6), before.Str(8)});
    if (!answer.found) {
        Error e(422, "insi-no-match", "Identité non retrouvée par INSi",
                answer.difference.empty()
                    ? "Le service INSi ne connaît pas cette identité : vérifiez les traits avec la pièce d'identité."
                    : "Le service INSi connaît une identité proche, mais la " + answer.difference + " diffère.");
        if (!answer.difference.empty()) e.extra["difference"] = answer.difference;
        throw e;
    }
    return records_.Write(p, id, Need::kIdentity, "patient.qualify", [&](storage::Session& s, const Actor& actor,
                                                                         const Grant& g) {
        CheckVersion(s, id, before.Int(17), g);
        auto twin = s.One("SELECT id FROM patients WHERE ins_matricule = ? AND status = 'active' AND id <> ?",
                          {answer.matricule, id});
        if (twin) {
            Error e(409, "possible-duplicate", "Cet INS appartient déjà à un autre dossier",
                    "Un autre dossier porte déjà cet INS : les deux dossiers doivent être fusionnés par un opérateur.");
            e.extra["candidates"] = json::array{json::object{{"id", twin->Str(0)}, {"reason", "ins"}}};
            throw e;
        }
        if (s.Exec("UPDATE patients SET identity_status = 'qualifiee', ins_matricule = ?, ins_oid = ?, version = version + 1, "
                   "updated_at = ? WHERE id = ? AND version = ?",
                   {answer.matricule, answer.oid, NowMicros(), id, before.Int(17)}) != 1)
            throw Conflict("Le dossier a été modifié pendant la qualification : voici la version actuelle.",
                           PatientJson(*PatientRow(s, id), &g));
        AppendEvent(s, Event(actor, id, "identity", "qualify", {{"oid_kind", OidKind(answer.oid)}}));
        Touch(s, id, "identity");
        return PatientJson(*PatientRow(s, id), &g);
    });
}

boost::json::object PatientService::Merge(const auth::Principal& p, const std::string& survivor,
                                          const std::string& duplicate) {
    if (survivor == duplicate) throw Invalid("duplicate_id", "un dossier ne se fusionne pas avec lui-même");
    return records_.Write(p, survivor, Need::kAdminister, "patient.merge", [&](storage::Session& s, const Actor& actor,
                                                                               const Grant& g) {
        if (!actor.IsOperator()) throw Forbidden("Seuls les opérateurs de territoire fusionnent des dossiers.");
        RequireActive(s, survivor);
        auto dup = PatientRow(s, duplicate);
        if (!dup || dup->Str(19) != "active") throw Invalid("duplicate_id", "dossier à fusionner introuvable ou déjà fusionné");
        // A single referent remains: the survivor's, if it has one.
        if (s.One("SELECT 1 FROM circle_members WHERE patient_id = ? AND referent = 1", {survivor}))
            s.Queue("UPDATE circle_members SET referent = 0 WHERE patient_id = ?", {duplicate});
        // Everything attached to the duplicate follows the survivor (later modules add their tables here).
        for (const char* table : {"circle_members", "break_glass", "notebook_entries", "attachments", "alerts",
                                  "alert_recipients", "timeline_events"})
            s.Queue(std::string("UPDATE ") + table + " SET patient_id = ? WHERE patient_id = ?", {survivor, duplicate});
        s.Queue("DELETE FROM patient_reads WHERE patient_id = ?", {duplicate});
        s.Queue("UPDATE patients SET status = 'merged', merged_into = ?, version = version + 1, updated_at = ? WHERE id = ?",
                {survivor, NowMicros(), duplicate});
        s.Queue("UPDATE patients SET version = version + 1, updated_at = ? WHERE id = ?", {NowMicros(), survivor});
        AppendEvent(s, Event(actor, survivor, "identity", "merge", {{"merged", duplicate}}));
        storage::AppendChange(s, {"patient", duplicate, "update", "patient:" + duplicate,
                                  json::serialize(json::object{{"merged_into", survivor}})});
        Touch(s, survivor, "merge");
        PatientRecords::Audit(s, actor, duplicate, g, "patient.merged_into", {{"survivor", survivor}});
        return PatientJson(*PatientRow(s, survivor), &g);
    });
}

boost::json::object PatientService::Circle(const auth::Principal& p, const std::string& id) {
    return records_.Read(p, id, Need::kIdentity, "circle.read", [&](storage::Session& s, const Actor&, const Grant& g) {
        json::array items;
        for (const auto& r : s.Query(std::string(kMemberSelect) + "WHERE m.patient_id = ? ORDER BY m.referent DESC, "
                                                                  "m.start_at, m.id",
                                     {g.patient_id}))
            items.push_back(MemberJson(r));
        return json::object{{"items", items}};
    });
}

std::pair<int, std::string> PatientService::AddMember(const auth::Principal& p, const std::string& id, const NewMember& m,
                                                      const std::string& key) {
    return records_.Write(p, id, Need::kIdentity, "circle.add", [&](storage::Session& s, const Actor& actor,
                                                                    const Grant& g) {
        RequireCircleEditor(g);
        RequireActive(s, g.patient_id);
        auto r = storage::OnceFor(s, actor.account_id, key, "POST /api/v1/patients/" + id + "/circle", [&] {
            std::string kind, target_col, target;
            if (!m.account_id.empty()) {
                kind = "account", target_col = "account_id", target = m.account_id;
                if (!s.One("SELECT 1 FROM accounts WHERE id = ? AND status = 'active'", {target}))
                    throw Invalid("account_id", "aucun compte actif avec cet identifiant");
            } else if (!m.professional_id.empty()) {
                kind = "professional", target_col = "professional_id", target = m.professional_id;
                if (!s.One("SELECT 1 FROM professionals WHERE id = ?", {target}))
                    throw Invalid("professional_id", "ce professionnel n'est pas dans l'annuaire");
            } else if (!m.structure_id.empty()) {
                kind = "structure", target_col = "structure_id", target = m.structure_id;
                if (!s.One("SELECT 1 FROM structures WHERE id = ?", {target}))
                    throw Invalid("structure_id", "cette structure n'est pas dans l'annuaire");
            } else {
                kind = "contact";
            }
            const int64_t now = NowMicros();
            const int64_t start = m.start ? m.start : now;
            if (m.end && *m.end <= start) throw Invalid("end", "la fin doit suivre le début");
            if (!target.empty()) {
                auto dup = s.One("SELECT id FROM circle_members WHERE patient_id = ? AND " + target_col +
                                     " = ? AND opposed_at IS NULL AND (end_at IS NULL OR end_at > ?)",
                                 {g.patient_id, target, now});
                if (dup) {
                    Error e(409, "already-member", "Déjà dans le cercle de soins",
                            "Cette personne ou structure fait déjà partie du cercle de soins.");
                    e.extra["current"] = MemberJson(*MemberRow(s, g.patient_id, dup->Str(0)));
                    throw e;
                }
            }
            const bool referent = m.referent && kind != "contact";
            if (referent) s.Queue("UPDATE circle_members SET referent = 0, version = version + 1 WHERE patient_id = ? AND referent = 1",
                                  {g.patient_id});
            const std::string member = NewUuidV7();
            auto opt = [](const std::string& v) { return v.empty() ? storage::Value{} : storage::Value{v}; };
            s.Queue("INSERT INTO circle_members (id, patient_id, kind, account_id, professional_id, structure_id, "
                    "contact_name, contact_phone, contact_relation, role, referent, start_at, end_at, added_by, added_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    {member, g.patient_id, kind, opt(m.account_id), opt(m.professional_id), opt(m.structure_id),
                     opt(m.contact_name), opt(m.contact_phone), opt(m.contact_relation), m.role, int64_t{referent}, start,
                     m.end ? storage::Value{*m.end} : storage::Value{}, actor.account_id, now});
            const auto row = *MemberRow(s, g.patient_id, member);
            AppendEvent(s, Event(actor, g.patient_id, "circle", "add",
                                 {{"member", row.Str(22)}, {"role", m.role}, {"referent", referent}}, member));
            Touch(s, g.patient_id, "circle");
            return storage::StoredResult{201, json::serialize(MemberJson(row))};
        });
        return std::pair<int, std::string>{r.status, r.body};
    });
}

boost::json::object PatientService::UpdateMember(const auth::Principal& p, const std::string& id, const std::string& member,
                                                 int64_t version, const MemberPatch& patch) {
    return records_.Write(p, id, Need::kIdentity, "circle.update", [&](storage::Session& s, const Actor& actor,
                                                                       const Grant& g) {
        RequireCircleEditor(g);
        auto row = MemberRow(s, g.patient_id, member);
        if (!row) throw NotFound("Ce membre n'existe pas dans ce cercle de soins.");
        if (row->Int(21) != version)
            throw Conflict("Ce membre a été modifié entre-temps : voici sa version actuelle.", MemberJson(*row));
        json::object summary{{"member", row->Str(22)}};
        std::string sets = "version = version + 1";
        storage::Params params;
        if (patch.role) {
            sets += ", role = ?";
            params.push_back(*patch.role);
            summary["role"] = *patch.role;
        }
        if (patch.end) {
            if (*patch.end <= row->Int(10)) throw Invalid("end", "la fin doit suivre le début");
            sets += ", end_at = ?";
            params.push_back(*patch.end);
            summary["end"] = FormatRfc3339(*patch.end);
        }
        if (patch.referent) {
            if (row->Str(1) == "contact") throw Invalid("referent", "un proche sans compte ne peut pas être référent");
            s.Queue("UPDATE circle_members SET referent = 0, version = version + 1 WHERE patient_id = ? AND referent = 1 AND "
                    "id <> ?",
                    {g.patient_id, member});
            sets += ", referent = 1";
            summary["referent"] = true;
        }
        params.insert(params.end(), {member, version});
        if (s.Exec("UPDATE circle_members SET " + sets + " WHERE id = ? AND version = ?", params) != 1)
            throw Conflict("Ce membre a été modifié entre-temps : voici sa version actuelle.",
                           MemberJson(*MemberRow(s, g.patient_id, member)));
        const char* action = patch.end && *patch.end <= NowMicros() ? "end" : "update";
        AppendEvent(s, Event(actor, g.patient_id, "circle", action, std::move(summary), member));
        Touch(s, g.patient_id, "circle");
        return MemberJson(*MemberRow(s, g.patient_id, member));
    });
}

boost::json::object PatientService::Inform(const auth::Principal& p, const std::string& id, const std::string& member,
                                           const std::string& how, int64_t at) {
    return records_.Write(p, id, Need::kIdentity, "circle.information", [&](storage::Session& s, const Actor& actor,
                                                                            const Grant& g) {
        RequireCircleEditor(g);
        auto row = MemberRow(s, g.patient_id, member);
        if (!row) throw NotFound("Ce membre n'existe pas dans ce cercle de soins.");
        s.Exec("UPDATE circle_members SET informed_at = ?, informed_by = ?, informed_how = ?, version = version + 1 WHERE id = ?",
               {at, actor.name, how, member});
        AppendEvent(s, Event(actor, g.patient_id, "circle", "information", {{"member", row->Str(22)}, {"how", how}}, member));
        Touch(s, g.patient_id, "circle");
        return MemberJson(*MemberRow(s, g.patient_id, member));
    });
}

boost::json::object PatientService::Oppose(const auth::Principal& p, const std::string& id, const std::string& member,
                                           const std::string& how, const std::string& reason) {
    return records_.Write(p, id, Need::kIdentity, "circle.opposition", [&](storage::Session& s, const Actor& actor,
                                                                           const Grant& g) {
        RequireCircleEditor(g);
        auto row = MemberRow(s, g.patient_id, member);
        if (!row) throw NotFound("Ce membre n'existe pas dans ce cercle de soins.");
        if (!row->IsNull(15)) return MemberJson(*row);
        // The patient's opposition ends that member's access at once; the referent mark goes with it.
        s.Exec("UPDATE circle_members SET opposed_at = ?, opposed_by = ?, opposed_how = ?, opposed_reason = ?, referent = 0, "
               "version = version + 1 WHERE id = ?",
               {NowMicros(), actor.name, how, reason, member});
        AppendEvent(s, Event(actor, g.patient_id, "circle", "opposition", {{"member", row->Str(22)}, {"how", how}}, member));
        Touch(s, g.patient_id, "circle");
        return MemberJson(*MemberRow(s, g.patient_id, member));
    });
}

boost::json::object PatientService::Timeline(const auth::Principal& p, const std::string& id, const TimelineQuery& q) {
    return records_.Read(
        p, id, Need::kClinical, "timeline.read",
        [&](storage::Session& s, const Actor&, const Grant& g) { return ListTimeline(s, g, q); },
        [](storage::Session& s, const Actor& a, const Grant& g) { MarkRead(s, a.account_id, g.patient_id); });
}

boost::json::object PatientService::BreakGlass(const auth::Principal& p, const std::string& id, const std::string& reason) {
    try {
        return OpenBreakGlass(p, id, reason);
    } catch (const Error& e) {
        records_.AuditRefusal(p, id, "patient.break_glass", e);
        throw;
    }
}

boost::json::object PatientService::OpenBreakGlass(const auth::Principal& p, const std::string& id, const std::string& reason) {
    auto out = records_.db().WriteValue([&](storage::Session& s) -> std::optional<json::object> {
        const Actor actor = records_.LoadActor(s, p);
        if (actor.IsOperator())
            throw Forbidden("Les opérateurs n'ont pas d'accès en urgence aux données de soins.");
        if (Decide(s, actor, id, Need::kClinical) && !s.One("SELECT 1 FROM break_glass WHERE account_id = ? AND patient_id = ? "
                                                            "AND until_at > ?", {actor.account_id, id, NowMicros()}))
            throw Error(409, "already-member", "Déjà dans le cercle de soins",
                        "Vous faites partie du cercle de soins : l'accès en urgence n'est pas nécessaire.");
        auto row = PatientRow(s, id);
        if (!row || row->Str(19) != "active") return std::nullopt;  // traced by BreakGlass, as every refusal
        const int64_t now = NowMicros();
        const std::string bg = NewUuidV7();
        s.Queue("INSERT INTO break_glass (id, patient_id, account_id, reason, started_at, until_at) VALUES (?, ?, ?, ?, ?, ?)",
                {bg, id, actor.account_id, reason, now, now + kBreakGlassMicros});
        Grant g;
        g.patient_id = id;
        g.via = "break_glass";
        g.break_glass_reason = reason;
        PatientRecords::Audit(s, actor, id, g, "patient.break_glass");
        AppendEvent(s, Event(actor, id, "access", "break_glass",
                             {{"by", actor.name}, {"profession", actor.profession_label}, {"reason", reason}}, bg));
        // The referent learns of it at once (alert in the portal and an e-mail).
        std::vector<std::string> referents;
        for (const auto& m : s.Query("SELECT id FROM circle_members WHERE patient_id = ? AND referent = 1", {id}))
            for (auto& a : AccountsOfMember(s, m.Str(0))) referents.push_back(a);
        if (!referents.empty())
            alerts::Raise(s, {id, "bris_de_glace", "urgente",
                              "Accès en urgence de " + actor.name + " (" + actor.profession_label + ") : " + reason, "rule",
                              actor.account_id, actor.name, referents},
                          cfg_.PublicUrl());
        return json::object{{"id", bg}, {"until", FormatRfc3339(now + kBreakGlassMicros)}, {"reason", reason}};
    });
    if (!out) throw Error(404, "not-found", "Patient introuvable", "Ce patient n'existe pas.");
    return *out;
}

boost::json::object PatientService::AccessLog(const auth::Principal& p, const std::string& id, std::optional<int64_t> before,
                                              int limit) {
    return records_.Read(p, id, Need::kIdentity, "patient.access_log", [&](storage::Session& s, const Actor&, const Grant& g) {
        if (!g.coordinator)
            throw Forbidden("Le journal des accès est réservé au référent du cercle, aux coordinateurs et aux opérateurs.");
        // A survivor's log includes the accesses to the records merged into it.
        storage::Params ids{g.patient_id};
        for (const auto& r : s.Query("SELECT id FROM patients WHERE merged_into = ?", {g.patient_id})) ids.push_back(r.Str(0));
        storage::Params params = ids;
        std::string sql = "SELECT l.seq, l.at, l.actor_id, l.action, l.outcome, l.detail, a.first_name, a.last_name, "
                          "a.profession_label FROM audit_log l LEFT JOIN accounts a ON a.id = l.actor_id WHERE l.target_id IN " +
                          InList(ids.size()) + " AND l.target_type = 'patient'";
        if (before) {
            sql += " AND l.seq < ?";
            params.push_back(*before);
        }
        sql += " ORDER BY l.seq DESC LIMIT ?";
        params.push_back(static_cast<int64_t>(limit + 1));
        auto rows = s.Query(sql, params);
        json::array items;
        json::value next = nullptr;
        for (size_t i = 0; i < rows.size(); ++i) {
            const auto& r = rows[i];
            if (static_cast<int>(i) == limit) {
                next = rows[i - 1].Int(0);
                break;
            }
            json::object detail;
            try {
                detail = json::parse(r.Str(5)).as_object();
            } catch (...) {
            }
            items.push_back({{"seq", r.Int(0)},
                             {"at", FormatRfc3339(r.Int(1))},
                             {"actor", {{"account_id", r.Str(2)}, {"name", r.Str(6) + " " + r.Str(7)}, {"profession", r.Str(8)}}},
                             {"action", r.Str(3)},
                             {"outcome", r.Str(4)},
                             {"via", detail.contains("via") ? detail.at("via") : json::value(nullptr)},
                             {"reason", detail.contains("reason") ? detail.at("reason") : json::value(nullptr)}});
        }
        return json::object{{"items", items}, {"next_before", next}};
    });
}

}  // namespace cordee::patients

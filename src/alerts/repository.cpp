#include "alerts/repository.hpp"

namespace cordee::alerts::repo {
namespace {

constexpr const char* kAlertColumns =
    "id, patient_id, kind, severity, body, source, raised_by, raised_by_name, created_at, visibility, structure_id";

AlertRow DecodeAlert(const storage::Row& r) {
    AlertRow a;
    a.id = AlertId(r.Str(0));
    a.patient_id = r.Str(1);
    a.kind = r.Str(2);
    a.severity = r.Str(3);
    a.body = r.Str(4);
    a.source = r.Str(5);
    a.raised_by = r.OptStr(6);
    a.raised_by_name = r.Str(7);
    a.created_at = r.Int(8);
    a.visibility = r.Str(9);
    a.structure_id = r.OptStr(10);
    return a;
}

std::vector<AlertRow> DecodeAlerts(const storage::Rows& rows) {
    std::vector<AlertRow> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(DecodeAlert(r));
    return out;
}

storage::Params With(storage::Params params, const patients::Clause& c) {
    params.insert(params.end(), c.params.begin(), c.params.end());
    return params;
}

}  // namespace

void QueueInsertAlert(patients::Scope& sc, const AlertId& id, const NewAlert& a, int64_t now) {
    const storage::Value structure = a.structure_id.empty() ? storage::Value{} : storage::Value{a.structure_id};
    sc.Queue("INSERT INTO alerts (id, patient_id, kind, severity, body, source, raised_by, raised_by_name, created_at, "
            "visibility, structure_id) VALUES (?, {patient}, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {id.str(), a.kind, a.severity, a.body, a.source,
             a.raised_by.empty() ? storage::Value{} : storage::Value{a.raised_by}, a.raised_by_name, now, a.visibility,
             structure});
}

void QueueInsertRecipient(patients::Scope& sc, const AlertId& alert_id, const std::string& account_id) {
    sc.Queue("INSERT INTO alert_recipients (alert_id, account_id, patient_id) VALUES (?, ?, {patient})",
             {alert_id.str(), account_id});
}

std::optional<std::string> AccountEmail(storage::Session& s, const std::string& account_id) {
    auto row = s.One("SELECT email FROM accounts WHERE id = ?", {account_id});
    if (!row) return std::nullopt;
    return row->Str(0);
}

std::vector<patients::MemberId> ActiveMemberIds(patients::Scope& sc, const patients::Clause& active) {
    std::vector<patients::MemberId> out;
    for (const auto& m : sc.Query("SELECT m.id FROM circle_members m WHERE m.patient_id = {patient} AND m.kind <> "
                                  "'contact' AND " + active.sql,
                                  active.params))
        out.emplace_back(m.Str(0));
    return out;
}

bool IsActiveMember(patients::Scope& sc, const patients::MemberId& member_id, const patients::Clause& active) {
    return sc.One("SELECT 1 FROM circle_members m WHERE m.id = ? AND m.patient_id = {patient} AND " + active.sql,
                  With({member_id.str()}, active))
        .has_value();
}

std::optional<AlertRow> FindAlert(patients::Scope& sc, const AlertId& alert_id) {
    auto row = sc.One(std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id = ? AND patient_id = {patient}",
                      {alert_id.str()});
    if (!row) return std::nullopt;
    return DecodeAlert(*row);
}

std::vector<AlertRow> ListAlerts(patients::Scope& sc, const patients::Clause& visible,
                                 const std::optional<std::string>& open_for) {
    std::string sql = std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE patient_id = {patient} AND " + visible.sql;
    storage::Params params = visible.params;
    if (open_for) {
        sql += " AND id IN (SELECT alert_id FROM alert_recipients WHERE account_id = ? AND patient_id = {patient} AND "
               "acknowledged_at IS NULL)";
        params.push_back(*open_for);
    }
    sql += " ORDER BY created_at DESC LIMIT 200";
    return DecodeAlerts(sc.Query(sql, params));
}

std::vector<AlertRow> OpenAlertsOf(storage::Session& s, const std::string& account_id) {
    return DecodeAlerts(s.Query(std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id IN (SELECT alert_id FROM "
                                "alert_recipients WHERE account_id = ? AND acknowledged_at IS NULL) ORDER BY created_at "
                                "DESC LIMIT 200",
                                {account_id}));
}

std::vector<RecipientRow> Recipients(patients::Scope& sc, const AlertId& alert_id) {
    std::vector<RecipientRow> out;
    for (const auto& r : sc.Query("SELECT ar.account_id, a.first_name, a.last_name, ar.acknowledged_at FROM "
                                  "alert_recipients ar JOIN accounts a ON a.id = ar.account_id WHERE ar.alert_id = ? "
                                  "AND ar.patient_id = {patient} ORDER BY a.last_name, a.first_name",
                                 {alert_id.str()}))
        out.push_back({r.Str(0), r.Str(1), r.Str(2), r.OptInt(3)});
    return out;
}

std::optional<PatientNameRow> PatientName(patients::Scope& sc) {
    auto n = sc.One("SELECT COALESCE(used_first_name, first_name), COALESCE(used_name, birth_name) FROM patients WHERE id = {patient}");
    if (!n) return std::nullopt;
    return PatientNameRow{n->Str(0), n->Str(1)};
}

int64_t Acknowledge(patients::Scope& sc, const AlertId& alert_id, const std::string& account_id, int64_t now) {
    return sc.Exec("UPDATE alert_recipients SET acknowledged_at = ? WHERE alert_id = ? AND account_id = ? AND "
                   "patient_id = {patient} AND acknowledged_at IS NULL",
                  {now, alert_id.str(), account_id});
}

bool IsRecipient(patients::Scope& sc, const AlertId& alert_id, const std::string& account_id) {
    return sc.One("SELECT 1 FROM alert_recipients WHERE alert_id = ? AND account_id = ? AND patient_id = {patient}",
                  {alert_id.str(), account_id})
        .has_value();
}

}  // namespace cordee::alerts::repo

#include "alerts/service.hpp"

#include "common/errors.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "mail/outbox.hpp"
#include "patients/timeline.hpp"
#include "storage/change_log.hpp"
#include "storage/idempotency.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>

namespace cordee::alerts {
namespace {

constexpr const char* kAlertColumns =
    "id, patient_id, kind, severity, body, source, raised_by, raised_by_name, created_at";

boost::json::object AlertJson(storage::Session& s, const storage::Row& r, const std::string& me) {
    boost::json::array recipients;
    bool for_me = false, acked_by_me = false;
    for (const auto& rr : s.Query("SELECT ar.account_id, a.first_name, a.last_name, ar.acknowledged_at FROM "
                                  "alert_recipients ar JOIN accounts a ON a.id = ar.account_id WHERE ar.alert_id = ? "
                                  "ORDER BY a.last_name, a.first_name",
                                  {r.Str(0)})) {
        const bool acked = !rr.IsNull(3);
        if (rr.Str(0) == me) {
            for_me = true;
            acked_by_me = acked;
        }
        recipients.push_back({{"account_id", rr.Str(0)},
                              {"name", rr.Str(1) + " " + rr.Str(2)},
                              {"acknowledged_at", acked ? boost::json::value(FormatRfc3339(rr.Int(3))) : nullptr}});
    }
    return {{"id", r.Str(0)},
            {"patient_id", r.Str(1)},
            {"kind", r.Str(2)},
            {"severity", r.Str(3)},
            {"body", r.Str(4)},
            {"source", r.Str(5)},
            {"raised_by", {{"account_id", r.IsNull(6) ? boost::json::value(nullptr) : boost::json::value(r.Str(6))},
                           {"name", r.Str(7)}}},
            {"created_at", FormatRfc3339(r.Int(8))},
            {"recipients", recipients},
            {"for_me", for_me},
            {"acknowledged_by_me", acked_by_me}};
}

// The patient an alert is about, as the lists name it.
boost::json::object PatientRef(storage::Session& s, const std::string& patient_id) {
    auto n = s.One("SELECT COALESCE(used_first_name, first_name), COALESCE(used_name, birth_name) FROM patients WHERE id = ?",
                   {patient_id});
    return {{"id", patient_id}, {"name", n ? n->Str(0) + " " + n->Str(1) : ""}};
}

std::optional<boost::json::object> LoadAlert(storage::Session& s, const std::string& patient_id,
                                             const std::string& alert_id, const std::string& me) {
    auto row = s.One(std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id = ? AND patient_id = ?",
                     {alert_id, patient_id});
    if (!row) return std::nullopt;
    auto o = AlertJson(s, *row, me);
    o["patient"] = PatientRef(s, patient_id);
    return o;
}

}  // namespace

std::string Raise(storage::Session& s, const NewAlert& a, const std::string& public_url) {
    const std::string id = NewUuidV7();
    const int64_t now = NowMicros();
    s.Queue("INSERT INTO alerts (id, patient_id, kind, severity, body, source, raised_by, raised_by_name, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {id, a.patient_id, a.kind, a.severity, a.body, a.source,
             a.raised_by.empty() ? storage::Value{} : storage::Value{a.raised_by}, a.raised_by_name, now});
    for (const auto& acc : a.recipient_accounts) {
        s.Queue("INSERT INTO alert_recipients (alert_id, account_id, patient_id) VALUES (?, ?, ?)", {id, acc, a.patient_id});
    }
    patients::AppendEvent(s, {a.patient_id, now, "alert", "raise", a.raised_by, a.raised_by_name, "circle", "",
                              {{"kind", a.kind}, {"severity", a.severity}}, id});
    storage::AppendChange(s, {"alert", id, "create", "patient:" + a.patient_id,
                              boost::json::serialize(boost::json::object{{"kind", a.kind}, {"severity", a.severity}})});
    // The e-mail says that something happened, never what: mailboxes are not a health data host.
    const std::string link = public_url + "/patients/" + a.patient_id;
    for (const auto& acc : a.recipient_accounts) {
        auto to = s.One("SELECT email FROM accounts WHERE id = ?", {acc});
        if (!to) continue;
        mail::Enqueue(s, {to->Str(0), "Cordée : nouvelle alerte sur un patient que vous suivez",
                          "Bonjour,\n\nUne alerte (" + a.kind + ", " + a.severity +
                              ") a été émise dans le cercle de soins d'un patient que vous suivez.\n"
                              "Connectez-vous à Cordée pour la lire et en accuser réception :\n" + link +
                              "\n\nCe message ne contient aucune donnée de santé.\n"});
    }
    return id;
}

std::pair<int, std::string> AlertService::RaiseByMember(const auth::Principal& p, const std::string& patient_id,
                                                        const std::string& kind, const std::string& severity,
                                                        const std::string& body,
                                                        const std::vector<std::string>& member_ids,
                                                        const std::string& key) {
    return records_.Write(p, patient_id, patients::Need::kClinical, "alert.raise",
                          [&](storage::Session& s, const patients::Actor& actor, const patients::Grant& g) {
        auto r = storage::OnceFor(s, actor.account_id, key, "POST /api/v1/patients/" + patient_id + "/alerts", [&] {
            std::vector<std::string> members = member_ids;
            const patients::Clause active = patients::ActiveMember("m", NowMicros());
            if (members.empty()) {
                storage::Params params{g.patient_id};
                params.insert(params.end(), active.params.begin(), active.params.end());
                for (const auto& m : s.Query("SELECT m.id FROM circle_members m WHERE m.patient_id = ? AND m.kind <> "
                                             "'contact' AND " + active.sql,
                                             params))
                    members.push_back(m.Str(0));
            }
            std::vector<std::string> accounts;
            for (const auto& m : members) {
                storage::Params params{m, g.patient_id};
                params.insert(params.end(), active.params.begin(), active.params.end());
                auto row = s.One("SELECT 1 FROM circle_members m WHERE m.id = ? AND m.patient_id = ? AND " + active.sql,
                                 params);
                if (!row) throw Invalid("recipients", "un destinataire n'est pas (ou plus) membre actif du cercle de soins");
                for (auto& acc : patients::AccountsOfMember(s, m))
                    if (acc != actor.account_id) accounts.push_back(acc);
            }
            std::sort(accounts.begin(), accounts.end());
            accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
            if (accounts.empty()) throw Invalid("recipients", "aucun destinataire avec un compte Cordée");
            const std::string id = Raise(s, {g.patient_id, kind, severity, body, "member", actor.account_id, actor.name, accounts},
                                         cfg_.PublicUrl());
            return storage::StoredResult{201, boost::json::serialize(*LoadAlert(s, g.patient_id, id, actor.account_id))};
        });
        return std::pair<int, std::string>{r.status, r.body};
    });
}

boost::json::object AlertService::List(const auth::Principal& p, const std::string& patient_id, bool open_only) {
    return records_.Read(p, patient_id, patients::Need::kClinical, "alert.list",
                         [&](storage::Session& s, const patients::Actor& actor, const patients::Grant& g) {
        std::string sql = std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE patient_id = ?";
        storage::Params params{g.patient_id};
        if (open_only) {
            sql += " AND id IN (SELECT alert_id FROM alert_recipients WHERE account_id = ? AND patient_id = ? AND "
                   "acknowledged_at IS NULL)";
            params.insert(params.end(), {actor.account_id, g.patient_id});
        }
        sql += " ORDER BY created_at DESC LIMIT 200";
        boost::json::array items;
        const auto patient = PatientRef(s, g.patient_id);
        for (const auto& r : s.Query(sql, params)) {
            auto o = AlertJson(s, r, actor.account_id);
            o["patient"] = patient;
            items.push_back(std::move(o));
        }
        return boost::json::object{{"items", items}};
    });
}

boost::json::object AlertService::Acknowledge(const auth::Principal& p, const std::string& patient_id,
                                              const std::string& alert_id) {
    return records_.Write(p, patient_id, patients::Need::kClinical, "alert.acknowledge",
                          [&](storage::Session& s, const patients::Actor& actor, const patients::Grant& g) {
        if (!IsUuid(alert_id) || !s.One("SELECT 1 FROM alerts WHERE id = ? AND patient_id = ?", {alert_id, g.patient_id}))
            throw NotFound("Cette alerte n'existe pas.");
        const int64_t n = s.Exec("UPDATE alert_recipients SET acknowledged_at = ? WHERE alert_id = ? AND account_id = ? AND "
                                 "acknowledged_at IS NULL",
                                 {NowMicros(), alert_id, actor.account_id});
        if (n == 0 && !s.One("SELECT 1 FROM alert_recipients WHERE alert_id = ? AND account_id = ?", {alert_id, actor.account_id}))
            throw Forbidden("Cette alerte ne vous est pas adressée.");
        if (n > 0)
            storage::AppendChange(s, {"alert", alert_id, "update", "patient:" + g.patient_id,
                                      boost::json::serialize(boost::json::object{{"acknowledged_by", actor.account_id}})});
        return *LoadAlert(s, g.patient_id, alert_id, actor.account_id);
    });
}

namespace {

// The caller's open alerts grouped by patient, kept only for patients the caller can still reach (an
// alert addressed to someone who has since left the circle is not shown any more).
struct OpenAlerts {
    patients::Actor actor;
    std::map<std::string, patients::Grant> grants;
    std::vector<storage::Row> rows;
};

OpenAlerts FindOpen(storage::Session& s, patients::PatientRecords& records, const auth::Principal& p) {
    OpenAlerts f;
    f.actor = records.LoadActor(s, p);
    std::map<std::string, bool> reachable;
    for (auto& r : s.Query(std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id IN (SELECT alert_id FROM "
                           "alert_recipients WHERE account_id = ? AND acknowledged_at IS NULL) ORDER BY created_at DESC "
                           "LIMIT 200",
                           {p.account_id})) {
        const std::string pid = r.Str(1);
        if (!reachable.count(pid)) {
            auto g = patients::Decide(s, f.actor, pid, patients::Need::kClinical);
            reachable[pid] = g.has_value();
            if (g) f.grants.emplace(pid, *g);
        }
        if (reachable[pid]) f.rows.push_back(std::move(r));
    }
    return f;
}

}  // namespace

boost::json::object AlertService::Mine(const auth::Principal& p) {
    boost::json::array items;
    patients::Actor actor;
    std::map<std::string, patients::Grant> grants;
    records_.db().Read([&](storage::Session& s) {
        auto f = FindOpen(s, records_, p);
        for (const auto& r : f.rows) {
            auto o = AlertJson(s, r, p.account_id);
            o["patient"] = PatientRef(s, r.Str(1));
            items.push_back(std::move(o));
        }
        actor = std::move(f.actor);
        grants = std::move(f.grants);
    });
    records_.db().Write([&](storage::Session& s) {
        for (const auto& [pid, g] : grants) patients::PatientRecords::Audit(s, actor, pid, g, "alert.list");
    });
    const auto count = static_cast<int64_t>(items.size());
    return {{"items", items}, {"count", count}};
}

int64_t AlertService::OpenCount(const auth::Principal& p) {
    return records_.db().ReadValue(
        [&](storage::Session& s) { return static_cast<int64_t>(FindOpen(s, records_, p).rows.size()); });
}

}  // namespace cordee::alerts

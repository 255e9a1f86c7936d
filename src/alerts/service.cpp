#include "alerts/service.hpp"

#include "alerts/repository.hpp"
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

boost::json::value OrNull(const std::optional<std::string>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

boost::json::object AlertJson(patients::Scope& sc, const AlertRow& r, const std::string& me) {
    boost::json::array recipients;
    bool for_me = false, acked_by_me = false;
    for (const auto& rr : repo::Recipients(sc, r.id)) {
        const bool acked = rr.acknowledged_at.has_value();
        if (rr.account_id == me) {
            for_me = true;
            acked_by_me = acked;
        }
        recipients.push_back({{"account_id", rr.account_id},
                              {"name", rr.first_name + " " + rr.last_name},
                              {"acknowledged_at", acked ? boost::json::value(FormatRfc3339(*rr.acknowledged_at)) : nullptr}});
    }
    return {{"id", r.id.str()},
            {"patient_id", r.patient_id},
            {"kind", r.kind},
            {"severity", r.severity},
            {"body", r.body},
            {"source", r.source},
            {"raised_by", {{"account_id", OrNull(r.raised_by)}, {"name", r.raised_by_name}}},
            {"created_at", FormatRfc3339(r.created_at)},
            {"visibility", r.visibility},
            {"structure_id", OrNull(r.structure_id)},
            {"recipients", recipients},
            {"for_me", for_me},
            {"acknowledged_by_me", acked_by_me}};
}

// The patient an alert is about, as the lists name it.
boost::json::object PatientRef(patients::Scope& sc) {
    auto n = repo::PatientName(sc);
    return {{"id", sc.patient()}, {"name", n ? n->first_name + " " + n->last_name : ""}};
}

// The alert if it exists and the grant may read it (an alert one may not read answers like an unknown one).
std::optional<boost::json::object> LoadAlert(patients::Scope& sc, const AlertId& alert_id) {
    auto row = IsUuid(alert_id.str()) ? repo::FindAlert(sc, alert_id) : std::nullopt;
    if (!row || !sc.MaySee(row->visibility, row->structure_id.value_or(""))) return std::nullopt;
    auto o = AlertJson(sc, *row, sc.actor().account_id);
    o["patient"] = PatientRef(sc);
    return o;
}

}  // namespace

AlertId Raise(patients::Scope& sc, const NewAlert& a, const std::string& public_url, live::Publication* pub) {
    const AlertId id(NewUuidV7());
    const int64_t now = NowMicros();
    repo::QueueInsertAlert(sc, id, a, now);
    for (const auto& acc : a.recipient_accounts) repo::QueueInsertRecipient(sc, id, acc);
    // The timeline event carries the alert's visibility: who may not read the alert does not see that it exists.
    patients::AppendEvent(sc, {now, "alert", "raise", a.raised_by, a.raised_by_name, a.visibility, a.structure_id,
                               {{"kind", a.kind}, {"severity", a.severity}}, id.str()});
    storage::Session& s = sc.shared();  // the change log, the recipients' addresses and the outbox
    storage::AppendChange(s, {"alert", id.str(), "create", "patient:" + sc.patient(),
                              boost::json::serialize(boost::json::object{
                                  {"kind", a.kind}, {"severity", a.severity}, {"visibility", a.visibility}})});
    // The e-mail says that something happened, never what: mailboxes are not a health data host.
    const std::string link = public_url + "/patients/" + sc.patient();
    for (const auto& acc : a.recipient_accounts) {
        auto to = repo::AccountEmail(s, acc);
        if (!to) continue;
        mail::Enqueue(s, {*to, "Cordée : nouvelle alerte sur un patient que vous suivez",
                          "Bonjour,\n\nUne alerte (" + a.kind + ", " + a.severity +
                              ") a été émise dans le cercle de soins d'un patient que vous suivez.\n"
                              "Connectez-vous à Cordée pour la lire et en accuser réception :\n" + link +
                              "\n\nCe message ne contient aucune donnée de santé.\n"});
    }
    live::Publication own;
    live::Publication& feed = pub ? *pub : own;
    const boost::json::object ev{{"patient_id", sc.patient()}, {"alert_id", id.str()}, {"kind", a.kind},
                                 {"severity", a.severity}};
    for (const auto& acc : a.recipient_accounts) feed.Add(acc, "alert", ev);
    if (!pub) own.Commit(s, now);
    return id;
}

std::pair<int, std::string> AlertService::RaiseByMember(const auth::Principal& p, const std::string& patient_id,
                                                        const MemberAlert& a, const std::string& key) {
    return records_.Write(p, patient_id, patients::Need::kClinical, "alert.raise",
                          [&](patients::Scope& sc) {
        const patients::Actor& actor = sc.actor();
        storage::Session& s = sc.shared();  // idempotency keys, the recipients' accounts
        auto r = storage::OnceFor(s, actor.account_id, key, "POST /api/v1/patients/" + patient_id + "/alerts", [&] {
            // The structure named for visibility structure: one of the author's (the first by default), as in the notebook.
            std::string structure = a.structure_id;
            if (!structure.empty() && std::find(actor.structures.begin(), actor.structures.end(), structure) == actor.structures.end())
                throw Invalid("structure_id", "vous n'appartenez pas à cette structure");
            if (a.visibility == "structure") {
                if (structure.empty() && !actor.structures.empty()) structure = actor.structures.front();
                if (structure.empty())
                    throw Invalid("visibility", "vous n'êtes rattaché à aucune structure : choisissez une autre visibilité");
            } else {
                structure.clear();
            }
            if (!sc.MaySee(a.visibility, structure))
                throw Invalid("visibility", "vous ne pourriez pas lire cette alerte vous-même : choisissez une visibilité qui vous inclut");
            const bool chosen = !a.member_ids.empty();
            std::vector<patients::MemberId> members = a.member_ids;
            const patients::Clause active = patients::ActiveMember("m", NowMicros());
            if (!chosen) members = repo::ActiveMemberIds(sc, active);
            // Recipients are the accounts that may read the alert: a health alert is not addressed to a social worker,
            // a structure alert to someone outside the structure.
            std::vector<std::string> accounts;
            for (const auto& m : members) {
                if (!repo::IsActiveMember(sc, m, active)) throw Invalid("recipients", "un destinataire n'est pas (ou plus) membre actif du cercle de soins");
                bool others = false, readers = false;
                for (auto& acc : patients::AccountsOfMember(sc, m)) {
                    if (acc == actor.account_id) continue;
                    others = true;
                    if (!patients::AccountMaySee(s, acc, a.visibility, structure)) continue;
                    readers = true;
                    accounts.push_back(acc);
                }
                if (chosen && others && !readers)
                    throw Invalid("recipients", a.visibility == "health"
                                                    ? "un destinataire n'est pas professionnel de santé : il ne pourrait pas lire "
                                                      "cette alerte réservée aux professionnels de santé"
                                                    : "un destinataire n'appartient pas à la structure de cette alerte : il ne "
                                                      "pourrait pas la lire");
            }
            std::sort(accounts.begin(), accounts.end());
            accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
            if (accounts.empty())
                throw Invalid("recipients", a.visibility == "circle"
                                                ? "aucun destinataire avec un compte Cordée"
                                                : "aucun autre membre du cercle ne peut lire une alerte de cette visibilité");
            NewAlert n{a.kind, a.severity, a.body, "member", actor.account_id, actor.name, accounts};
            n.visibility = a.visibility;
            n.structure_id = structure;
            const AlertId id = Raise(sc, n, cfg_.PublicUrl());
            return storage::StoredResult{201, boost::json::serialize(*LoadAlert(sc, id))};
        });
        return std::pair<int, std::string>{r.status, r.body};
    });
}

boost::json::object AlertService::List(const auth::Principal& p, const std::string& patient_id, bool open_only) {
    return records_.Read(p, patient_id, patients::Need::kClinical, "alert.list",
                         [&](patients::Scope& sc) {
        const std::string& me = sc.actor().account_id;
        const auto rows = repo::ListAlerts(sc, sc.Visible("visibility", "structure_id"),
                                           open_only ? std::optional<std::string>(me) : std::nullopt);
        boost::json::array items;
        const auto patient = PatientRef(sc);
        for (const auto& r : rows) {
            auto o = AlertJson(sc, r, me);
            o["patient"] = patient;
            items.push_back(std::move(o));
        }
        return boost::json::object{{"items", items}};
    });
}

boost::json::object AlertService::Acknowledge(const auth::Principal& p, const std::string& patient_id,
                                              const AlertId& alert_id) {
    return records_.Write(p, patient_id, patients::Need::kClinical, "alert.acknowledge",
                          [&](patients::Scope& sc) {
        const std::string& me = sc.actor().account_id;
        if (!LoadAlert(sc, alert_id)) throw NotFound("Cette alerte n'existe pas.");
        const int64_t n = repo::Acknowledge(sc, alert_id, me, NowMicros());
        if (n == 0 && !repo::IsRecipient(sc, alert_id, me)) throw Forbidden("Cette alerte ne vous est pas adressée.");
        if (n > 0) {
            storage::AppendChange(sc.shared(), {"alert", alert_id.str(), "update", "patient:" + sc.patient(),
                                                boost::json::serialize(boost::json::object{{"acknowledged_by", me}})});
            // My other devices lower their alert counters.
            live::Publication pub;
            pub.Add(me, "alert_acknowledged", {{"patient_id", sc.patient()}, {"alert_id", alert_id.str()}});
            pub.Commit(sc.shared(), NowMicros());
        }
        return *LoadAlert(sc, alert_id);
    });
}

namespace {

// The caller's open alerts, kept only for patients the caller can still reach (an alert addressed to someone who has
// since left the circle is not shown any more) and only those the grant may read (a recipient who left the structure
// of a structure alert does not read it any more). `each` runs in each reachable patient's scope with its alerts.
struct OpenAlerts {
    patients::Actor actor;
    std::map<std::string, patients::Grant> grants;  // the patients reached, for the audit
    int64_t count = 0;
};

template <class F>
OpenAlerts FindOpen(storage::Session& s, patients::PatientRecords& records, const auth::Principal& p, F&& each) {
    OpenAlerts f;
    f.actor = records.LoadActor(s, p);
    std::map<std::string, std::vector<AlertRow>> by_patient;
    std::vector<std::string> order;  // patients by their newest open alert
    for (auto& r : repo::OpenAlertsOf(s, p.account_id)) {
        if (!by_patient.count(r.patient_id)) order.push_back(r.patient_id);
        by_patient[r.patient_id].push_back(std::move(r));
    }
    for (const auto& pid : order) {
        patients::PatientRecords::IfGranted(s, f.actor, pid, patients::Need::kClinical, [&](patients::Scope& sc) {
            std::vector<AlertRow> visible;
            for (auto& r : by_patient[pid])
                if (sc.MaySee(r.visibility, r.structure_id.value_or(""))) visible.push_back(std::move(r));
            f.count += static_cast<int64_t>(visible.size());
            f.grants.emplace(pid, sc.grant());
            each(sc, visible);
        });
    }
    return f;
}

}  // namespace

boost::json::object AlertService::Mine(const auth::Principal& p) {
    std::vector<std::pair<int64_t, boost::json::object>> found;  // (created_at, alert): newest first across patients
    OpenAlerts f;
    records_.db().Read([&](storage::Session& s) {
        f = FindOpen(s, records_, p, [&](patients::Scope& sc, const std::vector<AlertRow>& rows) {
            const auto patient = PatientRef(sc);
            for (const auto& r : rows) {
                auto o = AlertJson(sc, r, p.account_id);
                o["patient"] = patient;
                found.emplace_back(r.created_at, std::move(o));
            }
        });
    });
    records_.db().Write([&](storage::Session& s) {
        for (const auto& [pid, g] : f.grants) patients::PatientRecords::Audit(s, f.actor, pid, g, "alert.list");
    });
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    boost::json::array items;
    for (auto& [at, o] : found) items.push_back(std::move(o));
    const auto count = static_cast<int64_t>(items.size());
    return {{"items", items}, {"count", count}};
}

int64_t AlertService::OpenCount(const auth::Principal& p) {
    return records_.db().ReadValue([&](storage::Session& s) {
        return FindOpen(s, records_, p, [](patients::Scope&, const std::vector<AlertRow>&) {}).count;
    });
}

sync::PatientCollection SyncCollection(int recent) {
    sync::PatientCollection c;
    c.name = "alerts";
    c.entity = "alert";
    c.need = patients::Need::kClinical;
    c.recent = [recent](patients::Scope& sc) {
        std::vector<sync::Item> out;
        for (const auto& r : repo::ListAlerts(sc, sc.Visible("visibility", "structure_id"), std::nullopt)) {
            if (static_cast<int>(out.size()) >= recent) break;
            out.push_back({"", r.id.str(), "", AlertJson(sc, r, sc.actor().account_id), ""});
        }
        return out;
    };
    c.changed = [](patients::Scope& sc, const std::string& id) -> std::optional<sync::Item> {
        auto o = LoadAlert(sc, AlertId(id));  // the change log names it; LoadAlert checks its shape
        if (!o) return sync::Item{"", id, "", nullptr, "hidden"};
        return sync::Item{"", id, "", std::move(*o), ""};
    };
    return c;
}

}  // namespace cordee::alerts

// Urgent messages (docs/messaging.md, "Urgent messages"): a message of a patient's conversation with a deadline. Past
// it, while a recipient has not read it, it escalates: first to the circle's referent and coordinators (an urgent
// alert on the patient, which they read under their own grant, with its e-mail without clinical content), then, one
// more delay later, to the territory's on-call list when configured (an e-mail saying only that an urgent message
// waits). The steps live in the message's row (escalation, urgent_due): any node may take one, once.
#include "alerts/service.hpp"
#include "audit/audit.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "mail/outbox.hpp"
#include "messaging/repository.hpp"
#include "messaging/service.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <sstream>

namespace cordee::messaging {
namespace json = boost::json;
namespace {

std::vector<std::string> OnCallList(const std::string& configured) {
    std::vector<std::string> out;
    std::stringstream in(configured);
    for (std::string a; std::getline(in, a, ',');) {
        a.erase(0, a.find_first_not_of(" \t"));
        a.erase(a.find_last_not_of(" \t") + 1);
        if (!a.empty()) out.push_back(a);
    }
    return out;
}

std::string Names(const std::vector<MemberRow>& members) {
    std::string out;
    for (const auto& m : members) out += (out.empty() ? "" : ", ") + m.first_name + " " + m.last_name;
    return out;
}

}  // namespace

void MessagingService::Start() {
    job_.Start("urgent messages and digests", std::chrono::seconds(cfg_.urgent_check_seconds), [this] {
        EscalateDue();
        if (cfg_.digest_hours > 0) SendDigests();
    });
}

void MessagingService::Stop() { job_.Stop(); }

int MessagingService::EscalateDue() {
    const auto due = db_.ReadValue([&](storage::Session& s) { return repo::DueUrgent(s, NowMicros(), 100); });
    for (const auto& m : due) Escalate(m);
    return static_cast<int>(due.size());
}

int MessagingService::SendDigests() {
    const int64_t now = NowMicros();
    const int64_t since_before = now - cfg_.digest_hours * 3600 * 1'000'000;
    const auto due = db_.ReadValue([&](storage::Session& s) { return repo::DigestsDue(s, since_before, 500); });
    int sent = 0;
    for (const auto& d : due) {
        // Who wrote and what stay in Cordée: a mailbox is not a health data host.
        sent += db_.WriteValue([&](storage::Session& s) {
            if (!repo::ClaimDigest(s, d.account_id, since_before, now)) return 0;
            mail::Enqueue(s, {d.email, "Cordée : " + std::to_string(d.unread) + " message(s) non lu(s)",
                              "Bonjour,\n\nVous avez " + std::to_string(d.unread) + " message(s) non lu(s) dans " +
                                  std::to_string(d.conversations) + " conversation(s) de Cordée.\nPour les lire : " +
                                  cfg_.PublicUrl() + "/messages\n\nCe message ne contient aucune donnée de santé. "
                                  "Vous recevez ce résumé au plus une fois toutes les " +
                                  std::to_string(cfg_.digest_hours) + " heure(s), quand des messages vous attendent.\n"});
            return 1;
        });
    }
    return sent;
}

void MessagingService::Escalate(const MessageRow& due) {
    hub_.Write([&](storage::Session& s, live::Publication& pub) {
        const auto m = repo::FindMessage(s, due.id);
        if (!m || !m->urgent_due || m->escalation != due.escalation) return 0;  // taken by another node, or deleted
        const auto conv = repo::FindConversation(s, m->conversation_id);
        // The escalation speaks for the author: what it reads (who has not read) is what the author's grant reads.
        // An author who is no longer in the circle has nobody to escalate for.
        std::optional<patients::Actor> actor;
        try {
            actor = patients::LoadActor(s, m->author_id, "", "");
        } catch (const Error&) {
        }
        bool done = !actor || !conv || conv->patient_id.empty();
        if (!done)
            done = !patients::PatientRecords::IfGranted(s, *actor, conv->patient_id, patients::Need::kClinical,
                                                        [&](patients::Scope& sc) {
                std::vector<MemberRow> unread;
                for (const auto& mem : repo::Members(s, conv->id))
                    if (!mem.left_seq && mem.account_id != m->author_id && mem.Sees(m->seq, m->visibility) &&
                        mem.read_seq < m->seq)
                        unread.push_back(mem);
                const int64_t now = NowMicros();
                if (unread.empty()) {  // everyone read it in time: nothing more to do
                    repo::Escalate(s, *m, m->escalation, std::nullopt);
                    return;
                }
                const auto on_call = OnCallList(cfg_.urgent_on_call);
                const int64_t delay = std::max<int64_t>(*m->urgent_deadline - m->created_at, 1'000'000);
                std::vector<std::string> told;
                int64_t step = m->escalation + 1;
                if (step == 1) {
                    for (const auto& acc : patients::CircleManagers(sc))
                        if (acc.account_id != m->author_id && (acc.health || m->visibility == "circle"))
                            told.push_back(acc.account_id);
                    if (!told.empty()) {
                        alerts::NewAlert a{"autre", "urgente",
                                           "Message urgent de " + actor->name + " non lu à l'échéance par " +
                                               Names(unread) + " : « " + m->body.substr(0, 500) + " »",
                                           "messagerie", "", "Cordée", told};
                        a.visibility = m->visibility;
                        alerts::Raise(sc, a, cfg_.PublicUrl(), &pub);
                    } else {
                        step = 2;  // no referent nor coordinator: straight to the on-call list
                    }
                }
                if (step == 2) {
                    for (const auto& to : on_call)
                        mail::Enqueue(s, {to, "Cordée : message urgent non lu",
                                          "Bonjour,\n\nUn message urgent sur un patient suivi dans Cordée n'a pas été lu "
                                          "par ses destinataires à son échéance, ni après l'alerte au référent du "
                                          "cercle de soins.\nLe professionnel qui l'a écrit : " + actor->name +
                                              ".\nConnectez-vous à Cordée : " + cfg_.PublicUrl() + "/messages/" +
                                              conv->id + "\n\nCe message ne contient aucune donnée de santé.\n"});
                }
                const bool last = step >= 2 || on_call.empty();
                repo::Escalate(s, *m, step, last ? std::nullopt : std::optional<int64_t>(now + delay));
                json::array names;
                for (const auto& u : unread) names.push_back(json::value(u.account_id));
                const json::object ev{{"conversation_id", conv->id}, {"message_id", m->id}, {"step", step},
                                      {"unread", std::move(names)}};
                pub.Add(m->author_id, "urgent_escalated", ev);
                for (const auto& acc : told) pub.Add(acc, "urgent_escalated", ev);
                patients::PatientRecords::Audit(s, *actor, sc.patient(), sc.grant(), "message.urgent.escalate",
                                                {{"message_id", m->id}, {"step", step},
                                                 {"unread", static_cast<int64_t>(unread.size())}});
            });
        if (done) repo::Escalate(s, *m, m->escalation, std::nullopt);
        return 0;
    });
}

}  // namespace cordee::messaging

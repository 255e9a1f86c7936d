#include "messaging/service.hpp"

#include "audit/audit.hpp"
#include "common/errors.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "alerts/repository.hpp"
#include "alerts/service.hpp"
#include "common/text.hpp"
#include "mail/outbox.hpp"
#include "live/presence.hpp"
#include "messaging/repository.hpp"
#include "patients/repository.hpp"
#include "push/service.hpp"
#include "storage/idempotency.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

namespace cordee::messaging {
namespace json = boost::json;
namespace {

json::object MemberJson(const MemberRow& m) {
    json::object o{{"account_id", m.account_id},
                   {"first_name", m.first_name},
                   {"last_name", m.last_name},
                   {"profession", m.profession_label},
                   {"read_seq", m.read_seq},
                   {"delivered_seq", m.Delivered()},
                   {"active", !m.left_seq.has_value()}};
    return o;
}

// A message as members read it; with the members, how many of those who may read it have (receipts).
json::object MessageJson(const MessageRow& m, const std::vector<MemberRow>* members = nullptr) {
    json::object o{{"id", m.id},
                   {"conversation_id", m.conversation_id},
                   {"seq", m.seq},
                   {"author_id", m.author_id},
                   {"body", m.deleted_at ? "" : m.body},
                   {"deleted", m.deleted_at.has_value()},
                   {"edited", m.edited_at.has_value()},
                   {"created_at", FormatRfc3339(m.created_at)},
                   {"version", m.version}};
    o["reply_to"] = m.reply_to.empty() ? json::value(nullptr) : json::value(m.reply_to);
    o["visibility"] = m.visibility;
    o["patient_id"] = m.patient_id.empty() ? json::value(nullptr) : json::value(m.patient_id);
    json::array mentions;
    for (const auto& id : m.mentions) mentions.push_back(json::value(id));
    o["mentions"] = std::move(mentions);
    if (m.urgent_deadline)
        o["urgent"] = json::object{{"deadline", FormatRfc3339(*m.urgent_deadline)}, {"escalation", m.escalation}};
    else
        o["urgent"] = nullptr;
    if (members) {
        int64_t readers = 0, read = 0, delivered = 0;
        for (const auto& mem : *members) {
            if (mem.account_id == m.author_id || !mem.Sees(m.seq, m.visibility)) continue;
            ++readers;
            if (mem.read_seq >= m.seq) ++read;
            if (mem.Delivered() >= m.seq) ++delivered;
        }
        o["recipients"] = readers;
        o["read_by"] = read;
        o["delivered_to"] = delivered;
    }
    return o;
}

json::object ConversationJson(const ConversationRow& c, const std::vector<MemberRow>& members) {
    json::array ms;
    for (const auto& m : members) ms.push_back(MemberJson(m));
    return {{"id", c.id},
            {"kind", c.kind},
            {"title", c.title},
            {"patient_id", c.patient_id.empty() ? json::value(nullptr) : json::value(c.patient_id)},
            {"created_by", c.created_by},
            {"created_at", FormatRfc3339(c.created_at)},
            {"last_seq", c.last_seq},
            {"last_at", FormatRfc3339(c.last_at)},
            {"members", std::move(ms)}};
}

// What the viewer calls the conversation: a group's title, the other person's name in a direct one.
std::string NameFor(const ConversationRow& c, const std::vector<MemberRow>& members, const std::string& viewer) {
    if (c.kind == "group") return c.title;
    for (const auto& m : members)
        if (m.account_id != viewer) return m.first_name + " " + m.last_name;
    return c.title;
}

std::vector<std::string> ActiveIds(const std::vector<MemberRow>& members) {
    std::vector<std::string> out;
    for (const auto& m : members)
        if (!m.left_seq) out.push_back(m.account_id);
    return out;
}

// The members whose feeds hear of this message: present, and allowed to read it (a message for health professionals
// is not sent to a social worker of the circle).
std::vector<std::string> ReaderIds(const std::vector<MemberRow>& members, const MessageRow& m) {
    std::vector<std::string> out;
    for (const auto& mem : members)
        if (!mem.left_seq && (mem.health || m.visibility == "circle")) out.push_back(mem.account_id);
    return out;
}

// A Web Push to the readers of the message other than its author who have no live socket open (docs/messaging.md,
// "Web Push"), in the message's transaction: who wrote, never what nor about whom — a push crosses the browser
// vendor's service and shows on a locked screen. The conversation is the tag: its notifications replace each other.
void PushToAway(storage::Session& s, const std::vector<MemberRow>& members, const MessageRow& m) {
    std::string author;
    for (const auto& mem : members)
        if (mem.account_id == m.author_id) author = mem.first_name + " " + mem.last_name;
    std::vector<std::string> others = ReaderIds(members, m);
    std::erase(others, m.author_id);
    const push::Notice notice{"Nouveau message", "Nouveau message de " + author, "/messages/" + m.conversation_id,
                              m.conversation_id};
    for (const auto& id : live::NotConnected(s, others, m.created_at)) push::Enqueue(s, id, notice);
}

// The caller's membership: a stranger gets 404 (a conversation's existence is not told), a former member 403 when
// it `writes`.
MemberRow RequireMember(storage::Session& s, const std::string& conversation_id, const std::string& account_id,
                        bool writes) {
    auto m = repo::Member(s, conversation_id, account_id);
    if (!m) throw NotFound("Conversation introuvable.");
    if (writes && m->left_seq)
        throw Error(Problem::kNotMember, "Vous avez quitté cette conversation : vous ne pouvez plus y écrire.");
    return *m;
}

// 60 messages at once (an outbox replayed after a day without network), then one every half second.
constexpr double kBurst = 60, kPerSecond = 2;

void PublishConversation(storage::Session& s, const ConversationRow& conv, live::Publication& pub) {
    const auto members = repo::Members(s, conv.id);
    const json::object out = ConversationJson(conv, members);
    for (const auto& id : ActiveIds(members)) pub.Add(id, "conversation", {{"conversation", out}});
}

// Keeps the members of a patient's conversation with the circle, in the transaction that looks: the accounts the
// circle now grants join (the history is theirs to scroll, not a pile of unread: their cursor starts at the last
// message), those it no longer grants leave (the policy already refuses them; their feed is told), and the health mark
// follows each one's profession. Every member hears of a change.
void FollowCircle(patients::Scope& sc, const ConversationRow& conv, live::Publication& pub) {
    storage::Session& s = sc.shared();
    std::map<std::string, MemberRow> had;
    for (auto& m : repo::Members(s, conv.id)) had.emplace(m.account_id, m);
    bool changed = false;
    for (const auto& want : patients::CircleAccounts(sc)) {
        const auto it = had.find(want.account_id);
        if (it == had.end()) {
            repo::InsertMember(s, conv.id, want.account_id, 0, conv.last_seq, want.health);
            changed = true;
            continue;
        }
        MemberRow& m = it->second;
        if (m.left_seq || m.health != want.health) {
            repo::SetMembership(s, conv.id, m.account_id, std::nullopt,
                                m.left_seq ? std::max(m.read_seq, conv.last_seq) : m.read_seq, want.health);
            changed = true;
        }
        had.erase(it);
    }
    for (const auto& [id, m] : had) {  // no longer granted by the circle
        if (m.left_seq) continue;
        repo::SetMembership(s, conv.id, id, conv.last_seq, m.read_seq, m.health);
        pub.Add(id, "conversation_left", {{"conversation_id", conv.id}});
        changed = true;
    }
    if (changed) PublishConversation(s, conv, pub);
}

}  // namespace

MessagingService::MessagingService(storage::Database& db, live::Hub& hub, patients::PatientRecords& records,
                                   notebook::NotebookService& notebook, const Config& cfg)
    : db_(db), hub_(hub), records_(records), notebook_(notebook), cfg_(cfg) {}

MessagingService::~MessagingService() { Stop(); }

template <class F>
auto MessagingService::Within(storage::Session& s, const auth::Principal& p, const std::string& conversation_id,
                              bool writes, F&& fn) {
    const auto conv = repo::FindConversation(s, conversation_id);
    if (!conv) throw NotFound("Conversation introuvable.");
    if (conv->kind != "patient") return fn(*conv, RequireMember(s, conversation_id, p.account_id, writes), nullptr);
    const patients::Actor actor = records_.LoadActor(s, p);
    return patients::PatientRecords::Decided(s, actor, conv->patient_id, patients::Need::kClinical,
                                             [&](patients::Scope& sc) {
        // An emergency access opens the record for one visit, not the circle's conversation.
        if (sc.grant().via != "member") throw NotFound("Conversation introuvable.");
        return fn(*conv, RequireMember(s, conversation_id, p.account_id, writes), &sc);
    });
}

template <class F>
auto MessagingService::Reading(const auth::Principal& p, const std::string& conversation_id, const char* action,
                               F&& fn) {
    const auto conv = db_.ReadValue(
        [&](storage::Session& s) { return repo::FindConversation(s, conversation_id); });
    if (!conv) throw NotFound("Conversation introuvable.");
    if (conv->kind != "patient")
        return db_.ReadValue([&](storage::Session& s) {
            return fn(s, *conv, RequireMember(s, conversation_id, p.account_id, false), nullptr);
        });
    return records_.Read(p, conv->patient_id, patients::Need::kClinical, action, [&](patients::Scope& sc) {
        if (sc.grant().via != "member") throw NotFound("Conversation introuvable.");
        return fn(sc.shared(), *conv, RequireMember(sc.shared(), conversation_id, p.account_id, false), &sc);
    });
}

void MessagingService::TakeToken(const std::string& account_id) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mu_);
    if (buckets_.size() > 100000) buckets_.clear();  // bounded: forgetting gives a full burst, nothing worse
    auto [it, fresh] = buckets_.try_emplace(account_id, Bucket{kBurst, now});
    Bucket& b = it->second;
    b.tokens = std::min(kBurst, b.tokens + std::chrono::duration<double>(now - b.at).count() * kPerSecond);
    b.at = now;
    if (b.tokens < 1) {
        const int wait = static_cast<int>(std::ceil((1 - b.tokens) / kPerSecond));
        throw Error(Problem::kTooManyMessages,
                    "Vous envoyez trop de messages à la fois : réessayez dans quelques secondes.")
            .WithHeader("Retry-After", std::to_string(std::max(1, wait)));
    }
    b.tokens -= 1;
}

std::set<std::string> MessagingService::People(const std::vector<std::string>& account_ids,
                                               const std::vector<std::string>& professional_ids) {
    std::set<std::string> out(account_ids.begin(), account_ids.end());
    if (!professional_ids.empty()) {
        db_.Read([&](storage::Session& s) {
            for (const auto& pro : professional_ids) {
                const auto account = repo::AccountOfProfessional(s, pro);
                if (!account)
                    throw Invalid("professional_ids", "cette personne n'a pas (encore) de compte Cordée : " + pro);
                out.insert(*account);
            }
        });
    }
    return out;
}

std::pair<int, std::string> MessagingService::Create(const auth::Principal& p, const NewConversation& c,
                                                     const std::string& key) {
    std::set<std::string> others = People(c.member_ids, c.professional_ids);
    others.erase(p.account_id);
    if (c.kind == "direct" && others.size() != 1)
        throw Invalid("member_ids", "une conversation à deux se fait avec une seule autre personne");
    if (c.kind == "group" && others.empty()) throw Invalid("member_ids", "choisissez au moins une personne");
    if (others.size() > static_cast<size_t>(kMaxMembers))
        throw Invalid("member_ids", "un groupe compte " + std::to_string(kMaxMembers) + " personnes au plus");
    const std::string direct_key =
        c.kind == "direct" ? std::min(p.account_id, *others.begin()) + ":" + std::max(p.account_id, *others.begin())
                           : std::string();
    auto [status, body] = hub_.Write([&](storage::Session& s, live::Publication& pub) {
        return storage::OnceFor(s, p.account_id, key, "POST /api/v1/conversations", [&]() -> storage::StoredResult {
            if (!direct_key.empty()) {
                if (auto id = repo::FindDirect(s, direct_key)) {
                    const auto conv = repo::FindConversation(s, *id);
                    return {200, json::serialize(ConversationJson(*conv, repo::Members(s, *id)))};
                }
            }
            for (const auto& id : others)
                if (!repo::ActiveAccount(s, id))
                    throw Invalid("member_ids", "compte introuvable ou inactif : " + id);
            ConversationRow row{NewUuidV7(), c.kind, c.kind == "group" ? c.title : "", p.account_id, NowMicros(), 0, 0,
                                ""};
            row.last_at = row.created_at;
            repo::InsertConversation(s, row, direct_key);
            repo::InsertMember(s, row.id, p.account_id, 0, 0, true);
            for (const auto& id : others) repo::InsertMember(s, row.id, id, 0, 0, true);
            const auto members = repo::Members(s, row.id);
            const json::object out = ConversationJson(row, members);
            for (const auto& id : ActiveIds(members)) pub.Add(id, "conversation", {{"conversation", out}});
            audit::Append(s, {p.account_id, "message.conversation.create", "conversation", row.id, p.ip, "success",
                              {{"kind", c.kind}, {"members", static_cast<int64_t>(members.size())}}});
            return {201, json::serialize(out)};
        });
    });
    return {status, body};
}

json::object MessagingService::List(const auth::Principal& p) {
    return db_.ReadValue([&](storage::Session& s) {
        json::array items;
        int64_t total = 0;
        std::optional<patients::Actor> actor;
        for (const auto& sum : repo::ConversationsOf(s, p.account_id, 200)) {
            const auto& conv = sum.conversation;
            const auto members = repo::Members(s, conv.id);
            json::object o = ConversationJson(conv, members);
            if (conv.kind == "patient") {
                // Named after the patient, and listed only while the circle grants access (as "my patients" lists).
                if (!actor) actor = records_.LoadActor(s, p);
                std::string name;
                const bool granted = patients::PatientRecords::IfGranted(
                    s, *actor, conv.patient_id, patients::Need::kClinical, [&](patients::Scope& sc) {
                        if (sc.grant().via != "member") return;
                        if (const auto n = alerts::repo::PatientName(sc)) name = n->first_name + " " + n->last_name;
                    });
                if (!granted || name.empty()) continue;
                o["name"] = name;
            } else {
                o["name"] = NameFor(conv, members, p.account_id);
            }
            o["unread"] = sum.unread;
            o["read_seq"] = sum.me.read_seq;
            const auto last = repo::Messages(s, conv.id, sum.me.joined_seq, conv.last_seq + 1, 1, true, sum.me.health);
            o["last_message"] = last.empty() ? json::value(nullptr) : json::value(MessageJson(last.front()));
            total += sum.unread;
            items.push_back(std::move(o));
        }
        return json::object{{"items", std::move(items)}, {"unread_total", total}};
    });
}

json::object MessagingService::Get(const auth::Principal& p, const std::string& conversation_id) {
    return Reading(p, conversation_id, "message.conversation.read",
                   [&](storage::Session& s, const ConversationRow& conv, const MemberRow& me, patients::Scope* sc) {
        const auto members = repo::Members(s, conversation_id);
        json::object o = ConversationJson(conv, members);
        o["name"] = NameFor(conv, members, p.account_id);
        if (sc)
            if (const auto n = alerts::repo::PatientName(*sc)) o["name"] = n->first_name + " " + n->last_name;
        o["read_seq"] = me.read_seq;
        o["active"] = !me.left_seq.has_value();
        // What the caller may write here: a social worker does not write for health professionals only.
        o["may_restrict"] = sc != nullptr && sc->grant().health;
        return o;
    });
}

json::object MessagingService::Messages(const auth::Principal& p, const std::string& conversation_id,
                                        std::optional<int64_t> after, std::optional<int64_t> before, int limit) {
    return Reading(p, conversation_id, "message.read",
                   [&](storage::Session& s, const ConversationRow&, const MemberRow& me, patients::Scope*) {
        const auto members = repo::Members(s, conversation_id);
        // Within what the member may read: after it joined, up to when it left.
        const int64_t lo = std::max(after.value_or(0), me.joined_seq);
        int64_t hi = before.value_or(INT64_MAX);
        if (me.left_seq) hi = std::min(hi, *me.left_seq + 1);
        json::array items;
        const auto rows = repo::Messages(s, conversation_id, lo, hi, limit, !after.has_value(), me.health);
        for (const auto& m : rows) items.push_back(MessageJson(m, &members));
        json::object o{{"items", std::move(items)}, {"read_seq", me.read_seq}};
        o["has_more"] = static_cast<int>(rows.size()) == limit;
        return o;
    });
}

namespace {
// A resend that met its first send under the conversation's lock: the transaction (and the number it took) is
// rolled back, and the stored message is the answer.
struct Replay {
    MessageRow message;
};
}  // namespace

void MessagingService::AuditRefusal(const auth::Principal& p, const std::string& conversation_id, const char* action,
                                    const Error& e) {
    const auto conv = db_.ReadValue([&](storage::Session& s) { return repo::FindConversation(s, conversation_id); });
    if (conv && conv->kind == "patient") records_.AuditRefusal(p, conv->patient_id, action, e);
}

std::pair<int, json::object> MessagingService::Send(const auth::Principal& p, const std::string& conversation_id,
                                                    const NewMessage& in) {
    TakeToken(p.account_id);
    const std::string id = in.id.empty() ? NewUuidV7() : in.id;
    // The message this id names, when it is already stored: the same author in the same conversation gets it back
    // (a resend), anyone else a refusal (an id is not a way to reach another conversation).
    auto stored = [&](storage::Session& s) -> std::optional<MessageRow> {
        auto m = repo::FindMessage(s, id);
        if (m && (m->conversation_id != conversation_id || m->author_id != p.account_id))
            throw Duplicate("id", "Cet identifiant de message est déjà pris.");
        return m;
    };
    try {
        return hub_.Write([&](storage::Session& s, live::Publication& pub) -> std::pair<int, json::object> {
            return Within(s, p, conversation_id, true,
                          [&](const ConversationRow& conv, const MemberRow&, patients::Scope* sc)
                              -> std::pair<int, json::object> {
                if (auto m = stored(s)) return {200, MessageJson(*m)};
                const int64_t now = NowMicros();
                if (in.visibility != "circle" && !(sc && sc->grant().health))
                    throw Invalid("visibility", sc ? "vous ne pourriez pas lire ce message vous-même"
                                                   : "réservé aux conversations autour d'un patient");
                if (in.urgent_until) {
                    if (!sc) throw Invalid("urgent_until", "un message urgent porte sur un patient : écrivez-le dans "
                                                           "la conversation de son cercle de soins");
                    if (*in.urgent_until <= now || *in.urgent_until > now + kMaxUrgentMicros)
                        throw Invalid("urgent_until", "échéance dans l'avenir, à 7 jours au plus");
                }
                if (sc) FollowCircle(*sc, conv, pub);  // who the circle grants now: they are the readers
                const auto members = repo::Members(s, conversation_id);
                for (const auto& who : in.mentions) {
                    const auto it = std::find_if(members.begin(), members.end(),
                                                 [&](const MemberRow& m) { return m.account_id == who; });
                    if (it == members.end() || it->left_seq || !(it->health || in.visibility == "circle"))
                        throw Invalid("mentions", "une personne mentionnée n'est pas membre de la conversation "
                                                  "ou ne pourrait pas lire ce message");
                }
                if (!in.patient_id.empty()) {
                    const patients::Actor actor = records_.LoadActor(s, p);
                    if (!patients::PatientRecords::IfGranted(s, actor, in.patient_id, patients::Need::kIdentity,
                                                             [](patients::Scope&) {}))
                        throw Invalid("patient_id", "patient introuvable parmi ceux que vous suivez");
                }
                // The number is taken under the conversation's row: a concurrent resend of the same id waits here,
                // then finds the first one stored.
                const int64_t seq = repo::TakeMessageNumber(s, conversation_id, now);
                if (auto m = stored(s)) throw Replay{*m};
                if (!in.reply_to.empty()) {
                    const auto parent = repo::FindMessage(s, in.reply_to);
                    if (!parent || parent->conversation_id != conversation_id)
                        throw Invalid("reply_to", "le message auquel vous répondez n'est pas dans cette conversation");
                }
                MessageRow m{id, conversation_id, p.account_id, in.body, in.reply_to, seq, now, 1, std::nullopt,
                             std::nullopt};
                m.visibility = in.visibility;
                m.urgent_deadline = m.urgent_due = in.urgent_until;
                m.mentions = in.mentions;
                m.patient_id = in.patient_id;
                repo::InsertMessage(s, m);
                repo::RaiseReadCursor(s, conversation_id, p.account_id, seq);  // one has read what one wrote
                const json::object out = MessageJson(m);
                for (const auto& member : ReaderIds(members, m))
                    pub.Add(member, "message", {{"conversation_id", conversation_id}, {"message", out}});
                PushToAway(s, members, m);
                if (sc) patients::PatientRecords::Audit(s, sc->actor(), sc->patient(), sc->grant(), "message.send");
                return {201, out};
            });
        });
    } catch (const Replay& r) {
        return {200, MessageJson(r.message)};
    } catch (const Error& e) {
        AuditRefusal(p, conversation_id, "message.send", e);
        throw;
    }
}

json::object MessagingService::Change(const auth::Principal& p, const std::string& conversation_id,
                                      const std::string& message_id, const std::string& body, int64_t version,
                                      bool deleted) {
    return hub_.Write([&](storage::Session& s, live::Publication& pub) {
        return Within(s, p, conversation_id, true, [&](const ConversationRow&, const MemberRow&, patients::Scope* sc) {
            const auto m = repo::FindMessage(s, message_id);
            if (!m || m->conversation_id != conversation_id) throw NotFound("Message introuvable.");
            if (m->author_id != p.account_id)
                throw Forbidden("Seul l'auteur d'un message peut le modifier ou le supprimer.");
            if (m->deleted_at) throw Conflict("Ce message a été supprimé.", MessageJson(*m));
            if (m->version != version || !repo::ReplaceBody(s, *m, body, deleted, NowMicros()))
                throw Conflict("Ce message a changé entre-temps : relisez-le avant de le modifier.", MessageJson(*m));
            // The earlier text stays: in message_versions, and in the audit trail that nobody can rewrite.
            audit::Append(s, {p.account_id, deleted ? "message.delete" : "message.edit", "message", m->id, p.ip,
                              "success", {{"conversation_id", conversation_id}, {"version", m->version},
                                          {"previous_body", m->body}}});
            const auto now = repo::FindMessage(s, message_id);
            const json::object out = MessageJson(*now);
            for (const auto& member : ReaderIds(repo::Members(s, conversation_id), *now))
                pub.Add(member, "message_updated", {{"conversation_id", conversation_id}, {"message", out}});
            if (sc)
                patients::PatientRecords::Audit(s, sc->actor(), sc->patient(), sc->grant(),
                                                deleted ? "message.delete" : "message.edit");
            return out;
        });
    });
}

json::object MessagingService::Edit(const auth::Principal& p, const std::string& conversation_id,
                                    const std::string& message_id, const std::string& body, int64_t version) {
    return Change(p, conversation_id, message_id, body, version, false);
}

json::object MessagingService::Delete(const auth::Principal& p, const std::string& conversation_id,
                                      const std::string& message_id, int64_t version) {
    return Change(p, conversation_id, message_id, "", version, true);
}

json::object MessagingService::Read(const auth::Principal& p, const std::string& conversation_id, int64_t seq) {
    return MoveCursor(p, conversation_id, seq, true);
}

json::object MessagingService::Delivered(const auth::Principal& p, const std::string& conversation_id, int64_t seq) {
    return MoveCursor(p, conversation_id, seq, false);
}

json::object MessagingService::MoveCursor(const auth::Principal& p, const std::string& conversation_id, int64_t seq,
                                          bool read) {
    return hub_.Write([&](storage::Session& s, live::Publication& pub) {
        return Within(s, p, conversation_id, false, [&](const ConversationRow& conv, const MemberRow& me,
                                                        patients::Scope*) {
            // Never beyond the last message (a forged number cannot hide messages yet to come) nor where one left.
            int64_t upto = std::min(seq, conv.last_seq);
            if (me.left_seq) upto = std::min(upto, *me.left_seq);
            int64_t at = read ? me.read_seq : me.Delivered();
            if (upto > at && (read ? repo::RaiseReadCursor(s, conversation_id, p.account_id, upto)
                                   : repo::RaiseDeliveredCursor(s, conversation_id, p.account_id, upto))) {
                at = upto;
                // The reader's other devices clear their badge; the others update "lu par" / "distribué".
                const json::object ev{{"conversation_id", conversation_id}, {"account_id", p.account_id},
                                      {read ? "read_seq" : "delivered_seq", at}};
                for (const auto& member : ActiveIds(repo::Members(s, conversation_id)))
                    pub.Add(member, read ? "read" : "delivered", ev);
                if (me.left_seq) pub.Add(p.account_id, read ? "read" : "delivered", ev);
            }
            if (!read) return json::object{{"conversation_id", conversation_id}, {"delivered_seq", at}};
            return json::object{{"conversation_id", conversation_id}, {"read_seq", at},
                                {"unread", repo::UnreadOf(s, conversation_id, p.account_id)}};
        });
    });
}

int64_t MessagingService::UnreadTotal(const auth::Principal& p) {
    return db_.ReadValue([&](storage::Session& s) { return repo::UnreadTotal(s, p.account_id); });
}

json::object MessagingService::Receipts(const auth::Principal& p, const std::string& conversation_id,
                                        const std::string& message_id) {
    return Reading(p, conversation_id, "message.receipts",
                   [&](storage::Session& s, const ConversationRow&, const MemberRow&, patients::Scope*) {
        const auto m = repo::FindMessage(s, message_id);
        if (!m || m->conversation_id != conversation_id) throw NotFound("Message introuvable.");
        if (m->author_id != p.account_id) throw Forbidden("Seul l'auteur d'un message voit qui l'a lu.");
        json::array items;
        int64_t read = 0;
        for (const auto& mem : repo::Members(s, conversation_id)) {
            if (mem.account_id == m->author_id || !mem.Sees(m->seq, m->visibility)) continue;
            const bool has_read = mem.read_seq >= m->seq;
            read += has_read;
            items.push_back(json::object{{"account_id", mem.account_id},
                                         {"first_name", mem.first_name},
                                         {"last_name", mem.last_name},
                                         {"profession", mem.profession_label},
                                         {"delivered", mem.Delivered() >= m->seq},
                                         {"read", has_read}});
        }
        return json::object{{"message_id", m->id},
                            {"recipients", static_cast<int64_t>(items.size())},
                            {"read_by", read},
                            {"items", std::move(items)}};
    });
}

std::pair<int, json::object> MessagingService::OpenPatient(const auth::Principal& p, const std::string& patient_id) {
    try {
        return hub_.Write([&](storage::Session& s, live::Publication& pub) {
            const patients::Actor actor = records_.LoadActor(s, p);
            return patients::PatientRecords::Decided(
                s, actor, patient_id, patients::Need::kClinical, [&](patients::Scope& sc) {
                    if (sc.grant().via != "member")
                        throw Forbidden("L'accès en urgence ouvre le dossier, pas la conversation du cercle de soins.");
                    int status = 200;
                    auto conv = repo::PatientConversation(sc);
                    if (!conv) {
                        const int64_t now = NowMicros();
                        conv = ConversationRow{NewUuidV7(), "patient", "", p.account_id, now, 0, now, sc.patient()};
                        repo::InsertPatientConversation(sc, *conv);
                        status = 201;
                    }
                    FollowCircle(sc, *conv, pub);
                    const auto members = repo::Members(s, conv->id);
                    json::object o = ConversationJson(*conv, members);
                    if (const auto n = alerts::repo::PatientName(sc)) o["name"] = n->first_name + " " + n->last_name;
                    patients::PatientRecords::Audit(s, actor, sc.patient(), sc.grant(), "message.conversation.open");
                    return std::pair<int, json::object>{status, o};
                });
        });
    } catch (const Error& e) {
        records_.AuditRefusal(p, patient_id, "message.conversation.open", e);
        throw;
    }
}

void MessagingService::CircleChanged(patients::Scope& sc) {
    const auto conv = repo::PatientConversation(sc);
    if (!conv) return;
    live::Publication pub;
    FollowCircle(sc, *conv, pub);
    pub.Commit(sc.shared(), NowMicros());
}

json::object MessagingService::AddMembers(const auth::Principal& p, const std::string& conversation_id,
                                          const std::vector<std::string>& member_ids,
                                          const std::vector<std::string>& professional_ids) {
    std::set<std::string> account_ids = People(member_ids, professional_ids);
    if (account_ids.empty()) throw Invalid("member_ids", "choisissez au moins une personne");
    return hub_.Write([&](storage::Session& s, live::Publication& pub) {
        return Within(s, p, conversation_id, true, [&](const ConversationRow& conv, const MemberRow&, patients::Scope*) {
            if (conv.kind != "group")
                throw Invalid("member_ids", conv.kind == "patient" ? "les membres suivent le cercle de soins du patient"
                                                                   : "une conversation à deux ne s'agrandit pas : "
                                                                     "créez un groupe");
            auto members = repo::Members(s, conversation_id);
            if (members.size() + account_ids.size() > static_cast<size_t>(kMaxMembers) + 1)
                throw Invalid("member_ids", "un groupe compte " + std::to_string(kMaxMembers) + " personnes au plus");
            for (const auto& id : account_ids) {
                if (!repo::ActiveAccount(s, id)) throw Invalid("member_ids", "compte introuvable ou inactif : " + id);
                const auto it = std::find_if(members.begin(), members.end(),
                                             [&](const MemberRow& m) { return m.account_id == id; });
                // A newcomer reads from now on, as in the groups of every messenger: what was said before was
                // said to others; one who comes back does not read what was said while away either.
                if (it == members.end()) repo::InsertMember(s, conversation_id, id, conv.last_seq, conv.last_seq, true);
                else if (it->left_seq) repo::Rejoin(s, conversation_id, id, conv.last_seq);
            }
            audit::Append(s, {p.account_id, "message.conversation.members", "conversation", conversation_id, p.ip,
                              "success", {{"added", static_cast<int64_t>(account_ids.size())}}});
            PublishConversation(s, conv, pub);
            return ConversationJson(conv, repo::Members(s, conversation_id));
        });
    });
}

json::object MessagingService::RemoveMember(const auth::Principal& p, const std::string& conversation_id,
                                            const std::string& account_id) {
    return hub_.Write([&](storage::Session& s, live::Publication& pub) {
        return Within(s, p, conversation_id, true, [&](const ConversationRow& conv, const MemberRow&, patients::Scope*) {
            if (conv.kind != "group")
                throw Invalid("account_id", conv.kind == "patient"
                                                ? "on quitte la conversation du patient en quittant son cercle de soins"
                                                : "une conversation à deux ne se quitte pas");
            if (account_id != p.account_id && conv.created_by != p.account_id)
                throw Forbidden("Seule la personne qui a créé le groupe en retire quelqu'un (chacun peut le quitter).");
            const auto them = repo::Member(s, conversation_id, account_id);
            if (!them || them->left_seq) throw NotFound("Cette personne n'est pas membre du groupe.");
            repo::SetMembership(s, conversation_id, account_id, conv.last_seq, them->read_seq, them->health);
            audit::Append(s, {p.account_id, "message.conversation.leave", "conversation", conversation_id, p.ip,
                              "success", {{"account_id", account_id}}});
            pub.Add(account_id, "conversation_left", {{"conversation_id", conversation_id}});
            PublishConversation(s, conv, pub);
            return ConversationJson(conv, repo::Members(s, conversation_id));
        });
    });
}

std::pair<int, std::string> MessagingService::CopyToNotebook(const auth::Principal& p,
                                                             const std::string& conversation_id,
                                                             const std::string& message_id) {
    struct Copy {
        std::string patient_id, visibility, text;
    };
    const Copy c = Reading(p, conversation_id, "message.read",
                           [&](storage::Session& s, const ConversationRow& conv, const MemberRow& me, patients::Scope*) {
        const auto m = repo::FindMessage(s, message_id);
        if (!m || m->conversation_id != conversation_id || !me.Sees(m->seq, m->visibility))
            throw NotFound("Message introuvable.");
        if (m->deleted_at) throw Invalid("message", "ce message a été supprimé");
        const std::string patient = conv.kind == "patient" ? conv.patient_id : m->patient_id;
        if (patient.empty())
            throw Invalid("message", "ce message ne concerne aucun patient : rien à copier dans un cahier de liaison");
        const auto author = repo::ActiveAccount(s, m->author_id);
        const std::string who = author ? author->first_name + " " + author->last_name : "un ancien membre";
        return Copy{patient, m->visibility,
                    "Message de " + who + " (" + FormatRfc3339(m->created_at).substr(0, 10) + ") : " + m->body};
    });
    notebook::NewEntry e;
    e.kind = "transmission";
    e.visibility = c.visibility;
    e.body = c.text.size() > 20000 ? c.text.substr(0, 20000) : c.text;
    // One copy per person and message: copying again answers the entry already made.
    return notebook_.Add(p, c.patient_id, e, "copie-" + message_id);
}

json::object MessagingService::Search(const auth::Principal& p, const std::string& text, MessageFilter f) {
    std::istringstream in(FoldForSearch(text));
    for (std::string w; in >> w;) f.words.push_back(w);
    if (f.words.size() > 10) throw Invalid("q", "dix mots au plus");
    std::vector<std::string> shown;
    auto [out, _] = db_.ReadValue([&](storage::Session& s) {
        std::optional<patients::Actor> actor;
        std::map<std::string, bool> granted;  // patient → the circle grants the caller its conversation
        json::array items;
        for (const auto& found : repo::SearchMessages(s, p.account_id, f)) {
            if (found.conversation_kind == "patient") {
                auto [it, fresh] = granted.try_emplace(found.conversation_patient_id, false);
                if (fresh) {
                    if (!actor) actor = records_.LoadActor(s, p);
                    patients::PatientRecords::IfGranted(s, *actor, it->first, patients::Need::kClinical,
                                                        [&](patients::Scope& sc) {
                                                            it->second = sc.grant().via == "member";
                                                        });
                }
                if (!it->second) continue;
                if (std::find(shown.begin(), shown.end(), it->first) == shown.end()) shown.push_back(it->first);
            }
            items.push_back(MessageJson(found.message));
        }
        return std::pair<json::object, std::vector<std::string>>{json::object{{"items", std::move(items)}}, shown};
    });
    // Messages of a patient's circle shown: traced per patient, like the patients a search shows.
    if (!shown.empty())
        db_.Write([&](storage::Session& s) {
            const patients::Actor actor = records_.LoadActor(s, p);
            for (const auto& id : shown)
                patients::PatientRecords::Audit(s, actor, id, std::nullopt, "message.search_result",
                                                {{"outcome", "messages shown"}});
        });
    return out;
}

}  // namespace cordee::messaging

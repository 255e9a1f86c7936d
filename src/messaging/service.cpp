#include "messaging/service.hpp"

#include "audit/audit.hpp"
#include "common/errors.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "live/presence.hpp"
#include "messaging/repository.hpp"
#include "push/service.hpp"
#include "storage/idempotency.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>

namespace cordee::messaging {
namespace json = boost::json;
namespace {

json::object MemberJson(const MemberRow& m) {
    json::object o{{"account_id", m.account_id},
                   {"first_name", m.first_name},
                   {"last_name", m.last_name},
                   {"profession", m.profession_label},
                   {"read_seq", m.read_seq},
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
    if (members) {
        int64_t readers = 0, read = 0;
        for (const auto& mem : *members) {
            if (mem.account_id == m.author_id || !mem.Sees(m.seq)) continue;
            ++readers;
            if (mem.read_seq >= m.seq) ++read;
        }
        o["recipients"] = readers;
        o["read_by"] = read;
    }
    return o;
}

json::object ConversationJson(const ConversationRow& c, const std::vector<MemberRow>& members) {
    json::array ms;
    for (const auto& m : members) ms.push_back(MemberJson(m));
    return {{"id", c.id},
            {"kind", c.kind},
            {"title", c.title},
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

// A Web Push to the active members other than the author who have no live socket open (docs/messaging.md, "Web
// Push"), in the message's transaction: who wrote, never what nor about whom — a push crosses the browser vendor's
// service and shows on a locked screen. The conversation is the tag: its notifications replace each other.
void PushToAway(storage::Session& s, const std::vector<MemberRow>& members, const MessageRow& m) {
    std::string author;
    for (const auto& mem : members)
        if (mem.account_id == m.author_id) author = mem.first_name + " " + mem.last_name;
    std::vector<std::string> others = ActiveIds(members);
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

}  // namespace

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

std::pair<int, std::string> MessagingService::Create(const auth::Principal& p, const NewConversation& c,
                                                     const std::string& key) {
    std::set<std::string> others(c.member_ids.begin(), c.member_ids.end());
    if (!c.professional_ids.empty()) {
        db_.Read([&](storage::Session& s) {
            for (const auto& pro : c.professional_ids) {
                const auto account = repo::AccountOfProfessional(s, pro);
                if (!account)
                    throw Invalid("professional_ids", "cette personne n'a pas (encore) de compte Cordée : " + pro);
                others.insert(*account);
            }
        });
    }
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
            ConversationRow row{NewUuidV7(), c.kind, c.kind == "group" ? c.title : "", p.account_id, NowMicros(), 0,
                                0};
            row.last_at = row.created_at;
            repo::InsertConversation(s, row, direct_key);
            repo::InsertMember(s, row.id, p.account_id, 0);
            for (const auto& id : others) repo::InsertMember(s, row.id, id, 0);
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
        for (const auto& sum : repo::ConversationsOf(s, p.account_id, 200)) {
            const auto members = repo::Members(s, sum.conversation.id);
            json::object o = ConversationJson(sum.conversation, members);
            o["name"] = NameFor(sum.conversation, members, p.account_id);
            o["unread"] = sum.unread;
            o["read_seq"] = sum.me.read_seq;
            const auto last = repo::Messages(s, sum.conversation.id, sum.me.joined_seq,
                                             sum.conversation.last_seq + 1, 1, true);
            o["last_message"] = last.empty() ? json::value(nullptr) : json::value(MessageJson(last.front()));
            total += sum.unread;
            items.push_back(std::move(o));
        }
        return json::object{{"items", std::move(items)}, {"unread_total", total}};
    });
}

json::object MessagingService::Get(const auth::Principal& p, const std::string& conversation_id) {
    return db_.ReadValue([&](storage::Session& s) {
        const MemberRow me = RequireMember(s, conversation_id, p.account_id, false);
        const auto conv = repo::FindConversation(s, conversation_id);
        const auto members = repo::Members(s, conversation_id);
        json::object o = ConversationJson(*conv, members);
        o["name"] = NameFor(*conv, members, p.account_id);
        o["read_seq"] = me.read_seq;
        o["active"] = !me.left_seq.has_value();
        return o;
    });
}

json::object MessagingService::Messages(const auth::Principal& p, const std::string& conversation_id,
                                        std::optional<int64_t> after, std::optional<int64_t> before, int limit) {
    return db_.ReadValue([&](storage::Session& s) {
        const MemberRow me = RequireMember(s, conversation_id, p.account_id, false);
        const auto members = repo::Members(s, conversation_id);
        // Within what the member may read: after it joined, up to when it left.
        const int64_t lo = std::max(after.value_or(0), me.joined_seq);
        int64_t hi = before.value_or(INT64_MAX);
        if (me.left_seq) hi = std::min(hi, *me.left_seq + 1);
        json::array items;
        const auto rows = repo::Messages(s, conversation_id, lo, hi, limit, !after.has_value());
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
            RequireMember(s, conversation_id, p.account_id, true);
            if (auto m = stored(s)) return {200, MessageJson(*m)};
            const int64_t now = NowMicros();
            // The number is taken under the conversation's row: a concurrent resend of the same id waits here, then
            // finds the first one stored.
            const int64_t seq = repo::TakeMessageNumber(s, conversation_id, now);
            if (auto m = stored(s)) throw Replay{*m};
            if (!in.reply_to.empty()) {
                const auto parent = repo::FindMessage(s, in.reply_to);
                if (!parent || parent->conversation_id != conversation_id)
                    throw Invalid("reply_to", "le message auquel vous répondez n'est pas dans cette conversation");
            }
            MessageRow m{id, conversation_id, p.account_id, in.body, in.reply_to, seq, now, 1, std::nullopt,
                         std::nullopt};
            repo::InsertMessage(s, m);
            repo::RaiseReadCursor(s, conversation_id, p.account_id, seq);  // one has read what one wrote
            const json::object out = MessageJson(m);
            const auto members = repo::Members(s, conversation_id);
            for (const auto& member : ActiveIds(members))
                pub.Add(member, "message", {{"conversation_id", conversation_id}, {"message", out}});
            PushToAway(s, members, m);
            return {201, out};
        });
    } catch (const Replay& r) {
        return {200, MessageJson(r.message)};
    }
}

json::object MessagingService::Change(const auth::Principal& p, const std::string& conversation_id,
                                      const std::string& message_id, const std::string& body, int64_t version,
                                      bool deleted) {
    return hub_.Write([&](storage::Session& s, live::Publication& pub) {
        RequireMember(s, conversation_id, p.account_id, true);
        const auto m = repo::FindMessage(s, message_id);
        if (!m || m->conversation_id != conversation_id) throw NotFound("Message introuvable.");
        if (m->author_id != p.account_id) throw Forbidden("Seul l'auteur d'un message peut le modifier ou le supprimer.");
        if (m->deleted_at) throw Conflict("Ce message a été supprimé.", MessageJson(*m));
        if (m->version != version || !repo::ReplaceBody(s, *m, body, deleted, NowMicros()))
            throw Conflict("Ce message a changé entre-temps : relisez-le avant de le modifier.", MessageJson(*m));
        // The earlier text stays: in message_versions, and in the audit trail that nobody can rewrite.
        audit::Append(s, {p.account_id, deleted ? "message.delete" : "message.edit", "message", m->id, p.ip,
                          "success", {{"conversation_id", conversation_id}, {"version", m->version},
                                      {"previous_body", m->body}}});
        const auto now = repo::FindMessage(s, message_id);
        const json::object out = MessageJson(*now);
        for (const auto& member : ActiveIds(repo::Members(s, conversation_id)))
            pub.Add(member, "message_updated", {{"conversation_id", conversation_id}, {"message", out}});
        return out;
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
    return hub_.Write([&](storage::Session& s, live::Publication& pub) {
        const MemberRow me = RequireMember(s, conversation_id, p.account_id, false);
        const auto conv = repo::FindConversation(s, conversation_id);
        // Never beyond the last message (a forged number cannot hide messages yet to come) nor where one left.
        int64_t upto = std::min(seq, conv->last_seq);
        if (me.left_seq) upto = std::min(upto, *me.left_seq);
        int64_t read_seq = me.read_seq;
        if (upto > me.read_seq && repo::RaiseReadCursor(s, conversation_id, p.account_id, upto)) {
            read_seq = upto;
            // The reader's other devices clear their badge; the others update "lu par".
            const json::object ev{{"conversation_id", conversation_id}, {"account_id", p.account_id},
                                  {"read_seq", read_seq}};
            for (const auto& member : ActiveIds(repo::Members(s, conversation_id))) pub.Add(member, "read", ev);
            if (me.left_seq) pub.Add(p.account_id, "read", ev);
        }
        return json::object{{"conversation_id", conversation_id}, {"read_seq", read_seq},
                            {"unread", repo::UnreadOf(s, conversation_id, p.account_id)}};
    });
}

int64_t MessagingService::UnreadTotal(const auth::Principal& p) {
    return db_.ReadValue([&](storage::Session& s) { return repo::UnreadTotal(s, p.account_id); });
}

}  // namespace cordee::messaging

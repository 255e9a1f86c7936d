#include "messaging/repository.hpp"

#include <algorithm>

namespace cordee::messaging::repo {
namespace {

constexpr const char* kMessageColumns =
    "id, conversation_id, seq, author_id, body, reply_to, created_at, edited_at, deleted_at, version";

MessageRow MessageOf(const storage::Row& r) {
    MessageRow m;
    m.id = r.Str(0);
    m.conversation_id = r.Str(1);
    m.seq = r.Int(2);
    m.author_id = r.Str(3);
    m.body = r.Str(4);
    m.reply_to = r.Str(5);
    m.created_at = r.Int(6);
    m.edited_at = r.OptInt(7);
    m.deleted_at = r.OptInt(8);
    m.version = r.Int(9);
    return m;
}

ConversationRow ConversationOf(const storage::Row& r) {
    return {r.Str(0), r.Str(1), r.Str(2), r.Str(3), r.Int(4), r.Int(5), r.Int(6)};
}

constexpr const char* kMemberColumns =
    "m.account_id, a.first_name, a.last_name, a.profession_label, m.joined_seq, m.left_seq, m.read_seq";

MemberRow MemberOf(const storage::Row& r, size_t at = 0) {
    return {r.Str(at), r.Str(at + 1), r.Str(at + 2), r.Str(at + 3), r.Int(at + 4), r.OptInt(at + 5), r.Int(at + 6)};
}

// The messages of others that the member has not read: after its cursor, within what it may read.
constexpr const char* kUnread =
    "(SELECT COUNT(*) FROM messages x WHERE x.conversation_id = m.conversation_id AND x.seq > m.read_seq "
    "AND x.seq > m.joined_seq AND (m.left_seq IS NULL OR x.seq <= m.left_seq) AND x.author_id <> m.account_id)";

}  // namespace

std::optional<AccountName> ActiveAccount(storage::Session& s, const std::string& account_id) {
    const auto r = s.One("SELECT id, first_name, last_name, profession_label FROM accounts WHERE id = ? "
                         "AND status = 'active'",
                         {account_id});
    if (!r) return std::nullopt;
    return AccountName{r->Str(0), r->Str(1), r->Str(2), r->Str(3)};
}

std::optional<std::string> AccountOfProfessional(storage::Session& s, const std::string& professional_id) {
    const auto r = s.One("SELECT id FROM accounts WHERE professional_id = ? AND status = 'active'", {professional_id});
    if (!r) return std::nullopt;
    return r->Str(0);
}

void InsertConversation(storage::Session& s, const ConversationRow& c, const std::string& direct_key) {
    s.Exec("INSERT INTO conversations (id, kind, title, direct_key, created_by, created_at, last_seq, last_at) "
           "VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
           {c.id, c.kind, c.title, direct_key.empty() ? storage::Value() : storage::Value(direct_key), c.created_by,
            c.created_at, c.created_at});
}

std::optional<ConversationRow> FindConversation(storage::Session& s, const std::string& id) {
    const auto r = s.One("SELECT id, kind, title, created_by, created_at, last_seq, last_at FROM conversations "
                         "WHERE id = ?",
                         {id});
    if (!r) return std::nullopt;
    return ConversationOf(*r);
}

std::optional<std::string> FindDirect(storage::Session& s, const std::string& direct_key) {
    const auto r = s.One("SELECT id FROM conversations WHERE direct_key = ?", {direct_key});
    if (!r) return std::nullopt;
    return r->Str(0);
}

void InsertMember(storage::Session& s, const std::string& conversation_id, const std::string& account_id,
                  int64_t joined_seq) {
    s.Queue("INSERT INTO conversation_members (conversation_id, account_id, joined_seq, read_seq) VALUES (?, ?, ?, ?)",
            {conversation_id, account_id, joined_seq, joined_seq});
}

std::vector<MemberRow> Members(storage::Session& s, const std::string& conversation_id) {
    std::vector<MemberRow> out;
    for (const auto& r : s.Query(std::string("SELECT ") + kMemberColumns +
                                     " FROM conversation_members m JOIN accounts a ON a.id = m.account_id "
                                     "WHERE m.conversation_id = ? ORDER BY a.last_name, a.first_name, m.account_id",
                                 {conversation_id}))
        out.push_back(MemberOf(r));
    return out;
}

std::optional<MemberRow> Member(storage::Session& s, const std::string& conversation_id, const std::string& account_id) {
    const auto r = s.One(std::string("SELECT ") + kMemberColumns +
                             " FROM conversation_members m JOIN accounts a ON a.id = m.account_id "
                             "WHERE m.conversation_id = ? AND m.account_id = ?",
                         {conversation_id, account_id});
    if (!r) return std::nullopt;
    return MemberOf(*r);
}

std::vector<Summary> ConversationsOf(storage::Session& s, const std::string& account_id, int limit) {
    std::vector<Summary> out;
    for (const auto& r :
         s.Query(std::string("SELECT c.id, c.kind, c.title, c.created_by, c.created_at, c.last_seq, c.last_at, ") +
                     kMemberColumns + ", " + kUnread +
                     " FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id "
                     "JOIN accounts a ON a.id = m.account_id "
                     "WHERE m.account_id = ? AND m.left_seq IS NULL ORDER BY c.last_at DESC, c.id LIMIT ?",
                 {account_id, static_cast<int64_t>(limit)}))
        out.push_back({ConversationOf(r), MemberOf(r, 7), r.Int(14)});
    return out;
}

int64_t UnreadOf(storage::Session& s, const std::string& conversation_id, const std::string& account_id) {
    const auto r = s.One(std::string("SELECT ") + kUnread +
                             " FROM conversation_members m WHERE m.conversation_id = ? AND m.account_id = ?",
                         {conversation_id, account_id});
    return r ? r->Int(0) : 0;
}

int64_t UnreadTotal(storage::Session& s, const std::string& account_id) {
    return s.One(std::string("SELECT COALESCE(SUM(") + kUnread +
                     "), 0) FROM conversation_members m WHERE m.account_id = ? AND m.left_seq IS NULL",
                 {account_id})
        ->Int(0);
}

int64_t TakeMessageNumber(storage::Session& s, const std::string& conversation_id, int64_t now) {
    return s.One("UPDATE conversations SET last_seq = last_seq + 1, last_at = ? WHERE id = ? RETURNING last_seq",
                 {now, conversation_id})
        ->Int(0);
}

void InsertMessage(storage::Session& s, const MessageRow& m) {
    s.Queue("INSERT INTO messages (id, conversation_id, seq, author_id, body, reply_to, created_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
            {m.id, m.conversation_id, m.seq, m.author_id, m.body,
             m.reply_to.empty() ? storage::Value() : storage::Value(m.reply_to), m.created_at});
}

std::optional<MessageRow> FindMessage(storage::Session& s, const std::string& id) {
    const auto r = s.One(std::string("SELECT ") + kMessageColumns + " FROM messages WHERE id = ?", {id});
    if (!r) return std::nullopt;
    return MessageOf(*r);
}

std::vector<MessageRow> Messages(storage::Session& s, const std::string& conversation_id, int64_t after,
                                 int64_t before, int limit, bool newest) {
    std::vector<MessageRow> out;
    for (const auto& r : s.Query(std::string("SELECT ") + kMessageColumns +
                                     " FROM messages WHERE conversation_id = ? AND seq > ? AND seq < ? ORDER BY seq " +
                                     (newest ? "DESC" : "ASC") + " LIMIT ?",
                                 {conversation_id, after, before, static_cast<int64_t>(limit)}))
        out.push_back(MessageOf(r));
    if (newest) std::reverse(out.begin(), out.end());
    return out;
}

bool ReplaceBody(storage::Session& s, const MessageRow& m, const std::string& body, bool deleted, int64_t now) {
    const int64_t changed =
        s.Exec(deleted ? "UPDATE messages SET body = ?, deleted_at = ?, version = version + 1 "
                         "WHERE id = ? AND version = ?"
                       : "UPDATE messages SET body = ?, edited_at = ?, version = version + 1 "
                         "WHERE id = ? AND version = ?",
               {body, now, m.id, m.version});
    if (changed == 0) return false;
    s.Queue("INSERT INTO message_versions (message_id, version, body, replaced_at) VALUES (?, ?, ?, ?)",
            {m.id, m.version, m.body, now});
    return true;
}

bool RaiseReadCursor(storage::Session& s, const std::string& conversation_id, const std::string& account_id,
                     int64_t seq) {
    return s.Exec("UPDATE conversation_members SET read_seq = ? WHERE conversation_id = ? AND account_id = ? "
                  "AND read_seq < ?",
                  {seq, conversation_id, account_id, seq}) > 0;
}

}  // namespace cordee::messaging::repo

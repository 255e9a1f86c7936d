#include "messaging/repository.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <sstream>

namespace cordee::messaging::repo {
namespace {

constexpr const char* kMessageColumns =
    "id, conversation_id, seq, author_id, body, reply_to, created_at, edited_at, deleted_at, version, visibility, "
    "urgent_deadline, urgent_due, escalation, mentions, patient_id";
constexpr const char* kMessageColumnsOfX =
    "x.id, x.conversation_id, x.seq, x.author_id, x.body, x.reply_to, x.created_at, x.edited_at, x.deleted_at, "
    "x.version, x.visibility, x.urgent_deadline, x.urgent_due, x.escalation, x.mentions, x.patient_id";

// A word as a LIKE pattern matching it anywhere ('\' escapes the pattern's own characters).
std::string Anywhere(const std::string& word) {
    std::string out = "%";
    for (char c : word) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out + "%";
}

std::vector<std::string> Words(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

std::string Joined(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

storage::Value OrNull(const std::string& v) { return v.empty() ? storage::Value() : storage::Value(v); }
storage::Value OrNull(const std::optional<int64_t>& v) { return v ? storage::Value(*v) : storage::Value(); }

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
    m.visibility = r.Str(10);
    m.urgent_deadline = r.OptInt(11);
    m.urgent_due = r.OptInt(12);
    m.escalation = r.Int(13);
    m.mentions = Words(r.Str(14));
    m.patient_id = r.Str(15);
    return m;
}

constexpr const char* kConversationColumns = "c.id, c.kind, c.title, c.created_by, c.created_at, c.last_seq, c.last_at, "
                                             "c.patient_id";

ConversationRow ConversationOf(const storage::Row& r) {
    return {r.Str(0), r.Str(1), r.Str(2), r.Str(3), r.Int(4), r.Int(5), r.Int(6), r.Str(7)};
}

constexpr const char* kMemberColumns =
    "m.account_id, a.first_name, a.last_name, a.profession_label, m.joined_seq, m.left_seq, m.read_seq, m.health, "
    "m.delivered_seq";

MemberRow MemberOf(const storage::Row& r, size_t at = 0) {
    return {r.Str(at),     r.Str(at + 1),    r.Str(at + 2), r.Str(at + 3),           r.Int(at + 4),
            r.OptInt(at + 5), r.Int(at + 6), r.Int(at + 7) != 0, r.Int(at + 8)};
}

// The messages of others that the member has not read: after its cursor, within what it may read (a message for
// health professionals is not counted to the others).
constexpr const char* kUnread =
    "(SELECT COUNT(*) FROM messages x WHERE x.conversation_id = m.conversation_id AND x.seq > m.read_seq "
    "AND x.seq > m.joined_seq AND (m.left_seq IS NULL OR x.seq <= m.left_seq) AND x.author_id <> m.account_id "
    "AND (x.visibility = 'circle' OR m.health = 1))";

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
           {c.id, c.kind, c.title, OrNull(direct_key), c.created_by, c.created_at, c.created_at});
}

std::optional<ConversationRow> FindConversation(storage::Session& s, const std::string& id) {
    const auto r = s.One(std::string("SELECT ") + kConversationColumns + " FROM conversations c WHERE c.id = ?", {id});
    if (!r) return std::nullopt;
    return ConversationOf(*r);
}

std::optional<ConversationRow> PatientConversation(patients::Scope& sc) {
    const auto r =
        sc.One(std::string("SELECT ") + kConversationColumns + " FROM conversations c WHERE c.patient_id = {patient}");
    if (!r) return std::nullopt;
    return ConversationOf(*r);
}

void InsertPatientConversation(patients::Scope& sc, const ConversationRow& c) {
    sc.Exec("INSERT INTO conversations (id, kind, title, created_by, created_at, last_seq, last_at, patient_id) "
            "VALUES (?, 'patient', '', ?, ?, 0, ?, {patient})",
            {c.id, c.created_by, c.created_at, c.created_at});
}

std::optional<std::string> FindDirect(storage::Session& s, const std::string& direct_key) {
    const auto r = s.One("SELECT id FROM conversations WHERE direct_key = ?", {direct_key});
    if (!r) return std::nullopt;
    return r->Str(0);
}

void InsertMember(storage::Session& s, const std::string& conversation_id, const std::string& account_id,
                  int64_t joined_seq, int64_t read_seq, bool health) {
    s.Queue("INSERT INTO conversation_members (conversation_id, account_id, joined_seq, read_seq, health) "
            "VALUES (?, ?, ?, ?, ?)",
            {conversation_id, account_id, joined_seq, read_seq, static_cast<int64_t>(health)});
}

void SetMembership(storage::Session& s, const std::string& conversation_id, const std::string& account_id,
                   std::optional<int64_t> left_seq, int64_t read_seq, bool health) {
    s.Queue("UPDATE conversation_members SET left_seq = ?, read_seq = ?, health = ? "
            "WHERE conversation_id = ? AND account_id = ?",
            {OrNull(left_seq), read_seq, static_cast<int64_t>(health), conversation_id, account_id});
}

void Rejoin(storage::Session& s, const std::string& conversation_id, const std::string& account_id, int64_t seq) {
    s.Queue("UPDATE conversation_members SET left_seq = NULL, joined_seq = ?, read_seq = ? "
            "WHERE conversation_id = ? AND account_id = ?",
            {seq, seq, conversation_id, account_id});
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
         s.Query(std::string("SELECT ") + kConversationColumns + ", " + kMemberColumns + ", " + kUnread +
                     " FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id "
                     "JOIN accounts a ON a.id = m.account_id "
                     "WHERE m.account_id = ? AND m.left_seq IS NULL ORDER BY c.last_at DESC, c.id LIMIT ?",
                 {account_id, static_cast<int64_t>(limit)}))
        out.push_back({ConversationOf(r), MemberOf(r, 8), r.Int(17)});
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
    s.Queue("INSERT INTO messages (id, conversation_id, seq, author_id, body, reply_to, created_at, version, visibility, "
            "urgent_deadline, urgent_due, mentions, patient_id, search_text) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
            {m.id, m.conversation_id, m.seq, m.author_id, m.body, OrNull(m.reply_to), m.created_at, m.visibility,
             OrNull(m.urgent_deadline), OrNull(m.urgent_due), Joined(m.mentions), OrNull(m.patient_id),
             FoldForSearch(m.body)});
}

std::optional<MessageRow> FindMessage(storage::Session& s, const std::string& id) {
    const auto r = s.One(std::string("SELECT ") + kMessageColumns + " FROM messages WHERE id = ?", {id});
    if (!r) return std::nullopt;
    return MessageOf(*r);
}

std::vector<MessageRow> Messages(storage::Session& s, const std::string& conversation_id, int64_t after,
                                 int64_t before, int limit, bool newest, bool health) {
    std::vector<MessageRow> out;
    for (const auto& r : s.Query(std::string("SELECT ") + kMessageColumns +
                                     " FROM messages WHERE conversation_id = ? AND seq > ? AND seq < ? "
                                     "AND (visibility = 'circle' OR ? = 1) ORDER BY seq " +
                                     (newest ? "DESC" : "ASC") + " LIMIT ?",
                                 {conversation_id, after, before, static_cast<int64_t>(health),
                                  static_cast<int64_t>(limit)}))
        out.push_back(MessageOf(r));
    if (newest) std::reverse(out.begin(), out.end());
    return out;
}

bool ReplaceBody(storage::Session& s, const MessageRow& m, const std::string& body, bool deleted, int64_t now) {
    const int64_t changed =
        s.Exec(deleted ? "UPDATE messages SET body = ?, search_text = ?, deleted_at = ?, urgent_due = NULL, "
                         "version = version + 1 WHERE id = ? AND version = ?"
                       : "UPDATE messages SET body = ?, search_text = ?, edited_at = ?, version = version + 1 "
                         "WHERE id = ? AND version = ?",
               {body, FoldForSearch(body), now, m.id, m.version});
    if (changed == 0) return false;
    s.Queue("INSERT INTO message_versions (message_id, version, body, replaced_at) VALUES (?, ?, ?, ?)",
            {m.id, m.version, m.body, now});
    return true;
}

bool RaiseDeliveredCursor(storage::Session& s, const std::string& conversation_id, const std::string& account_id,
                          int64_t seq) {
    return s.Exec("UPDATE conversation_members SET delivered_seq = ? WHERE conversation_id = ? AND account_id = ? "
                  "AND delivered_seq < ? AND read_seq < ?",
                  {seq, conversation_id, account_id, seq, seq}) > 0;
}

bool RaiseReadCursor(storage::Session& s, const std::string& conversation_id, const std::string& account_id,
                     int64_t seq) {
    return s.Exec("UPDATE conversation_members SET read_seq = ? WHERE conversation_id = ? AND account_id = ? "
                  "AND read_seq < ?",
                  {seq, conversation_id, account_id, seq}) > 0;
}

std::vector<MessageRow> DueUrgent(storage::Session& s, int64_t now, int limit) {
    std::vector<MessageRow> out;
    for (const auto& r : s.Query(std::string("SELECT ") + kMessageColumns +
                                     " FROM messages WHERE urgent_due IS NOT NULL AND urgent_due <= ? "
                                     "ORDER BY urgent_due LIMIT ?",
                                 {now, static_cast<int64_t>(limit)}))
        out.push_back(MessageOf(r));
    return out;
}

bool Escalate(storage::Session& s, const MessageRow& m, int64_t step, std::optional<int64_t> next_due) {
    return s.Exec("UPDATE messages SET escalation = ?, urgent_due = ? WHERE id = ? AND escalation = ? "
                  "AND urgent_due IS NOT NULL",
                  {step, OrNull(next_due), m.id, m.escalation}) > 0;
}

std::vector<Found> SearchMessages(storage::Session& s, const std::string& account_id, const MessageFilter& f) {
    std::string sql = std::string("SELECT ") + kMessageColumnsOfX +
                      ", c.kind, c.patient_id FROM messages x "
                      "JOIN conversation_members m ON m.conversation_id = x.conversation_id AND m.account_id = ? "
                      "JOIN conversations c ON c.id = x.conversation_id "
                      "WHERE x.seq > m.joined_seq AND (m.left_seq IS NULL OR x.seq <= m.left_seq) "
                      "AND (x.visibility = 'circle' OR m.health = 1) AND x.deleted_at IS NULL";
    storage::Params params{account_id};
    for (const auto& w : f.words) {
        sql += " AND x.search_text LIKE ? ESCAPE '\\'";
        params.emplace_back(Anywhere(w));
    }
    if (!f.author_id.empty()) {
        sql += " AND x.author_id = ?";
        params.emplace_back(f.author_id);
    }
    if (!f.patient_id.empty()) {
        sql += " AND (c.patient_id = ? OR x.patient_id = ?)";
        params.emplace_back(f.patient_id);
        params.emplace_back(f.patient_id);
    }
    if (f.from) {
        sql += " AND x.created_at >= ?";
        params.emplace_back(*f.from);
    }
    if (f.to) {
        sql += " AND x.created_at < ?";
        params.emplace_back(*f.to);
    }
    sql += " ORDER BY x.created_at DESC, x.id LIMIT ?";
    params.emplace_back(static_cast<int64_t>(f.limit));
    std::vector<Found> out;
    for (const auto& r : s.Query(sql, params)) out.push_back({MessageOf(r), r.Str(16), r.Str(17)});
    return out;
}

std::vector<DigestRow> DigestsDue(storage::Session& s, int64_t since_before, int limit) {
    // Active accounts with messages of others they have not read, the newest of which came after their last digest
    // (or that never had one), and whose last digest is older than the period.
    std::vector<DigestRow> out;
    for (const auto& r : s.Query(
             "SELECT m.account_id, a.email, COUNT(*), COUNT(DISTINCT m.conversation_id), MAX(x.created_at), "
             "MAX(d.sent_at) FROM conversation_members m JOIN accounts a ON a.id = m.account_id AND a.status = 'active' "
             "JOIN messages x ON x.conversation_id = m.conversation_id AND x.seq > m.read_seq AND x.seq > m.joined_seq "
             "AND x.author_id <> m.account_id AND x.deleted_at IS NULL AND (x.visibility = 'circle' OR m.health = 1) "
             "LEFT JOIN message_digests d ON d.account_id = m.account_id "
             "WHERE m.left_seq IS NULL AND (d.sent_at IS NULL OR d.sent_at < ?) "
             "GROUP BY m.account_id, a.email HAVING MAX(d.sent_at) IS NULL OR MAX(x.created_at) > MAX(d.sent_at) "
             "ORDER BY m.account_id LIMIT ?",
             {since_before, static_cast<int64_t>(limit)}))
        out.push_back({r.Str(0), r.Str(1), r.Int(2), r.Int(3)});
    return out;
}

bool ClaimDigest(storage::Session& s, const std::string& account_id, int64_t since_before, int64_t now) {
    return s.Exec("INSERT INTO message_digests (account_id, sent_at) VALUES (?, ?) ON CONFLICT (account_id) "
                  "DO UPDATE SET sent_at = excluded.sent_at WHERE message_digests.sent_at < ?",
                  {account_id, now, since_before}) > 0;
}

}  // namespace cordee::messaging::repo

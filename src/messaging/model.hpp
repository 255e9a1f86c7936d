#pragma once
// Conversations between professionals (docs/messaging.md): one-to-one ('direct'), named groups ('group') and the
// conversation of a patient's care circle ('patient').
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cordee::messaging {

inline constexpr int kMaxBody = 4000;       // characters of a message
inline constexpr int kMaxMembers = 100;     // of a group
inline constexpr int kMaxTitle = 120;
inline constexpr int kMaxMentions = 20;
// How far ahead an urgent message's deadline may be set: urgency is for the day, not the month.
inline constexpr int64_t kMaxUrgentMicros = 7LL * 24 * 3600 * 1'000'000;

struct ConversationRow {
    std::string id, kind, title, created_by;
    int64_t created_at = 0, last_seq = 0, last_at = 0;
    std::string patient_id;  // kind 'patient' only
};

struct MemberRow {
    std::string account_id, first_name, last_name, profession_label;
    int64_t joined_seq = 0;
    std::optional<int64_t> left_seq;
    int64_t read_seq = 0;
    bool health = true;
    int64_t delivered_seq = 0;  // a device of the member has it (at least read_seq)
    int64_t Delivered() const { return std::max(delivered_seq, read_seq); }  // a health professional (reads the messages restricted to them)
    // Whether the member may read the message numbered `seq`, of this visibility.
    bool Sees(int64_t seq, const std::string& visibility = "circle") const {
        return seq > joined_seq && (!left_seq || seq <= *left_seq) && (health || visibility == "circle");
    }
};

struct MessageRow {
    std::string id, conversation_id, author_id, body, reply_to;
    int64_t seq = 0, created_at = 0, version = 1;
    std::optional<int64_t> edited_at, deleted_at;
    std::string visibility = "circle";   // 'circle' or 'health' (patient conversations)
    std::optional<int64_t> urgent_deadline, urgent_due;
    int64_t escalation = 0;
    std::vector<std::string> mentions;  // account ids
    std::string patient_id;             // the patient the message is about, if any
};

// A conversation as one member sees it in their list.
struct Summary {
    ConversationRow conversation;
    MemberRow me;
    int64_t unread = 0;
};

// A message found by a search, with the conversation it is in.
struct Found {
    MessageRow message;
    std::string conversation_kind, conversation_patient_id;
};

// What a search asks: every word (folded) in the text, and the other criteria when given.
struct MessageFilter {
    std::vector<std::string> words;
    std::string author_id, patient_id;
    std::optional<int64_t> from, to;
    int limit = 50;
};

// An account an e-mail digest is due to: its address, its unread messages and the conversations they are in.
struct DigestRow {
    std::string account_id, email;
    int64_t unread = 0, conversations = 0;
};

struct AccountName {
    std::string id, first_name, last_name, profession_label;
};

}  // namespace cordee::messaging

#pragma once
// Conversations between professionals (docs/messaging.md): one-to-one ('direct') and named groups ('group').
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cordee::messaging {

inline constexpr int kMaxBody = 4000;       // characters of a message
inline constexpr int kMaxMembers = 100;     // of a group
inline constexpr int kMaxTitle = 120;

struct ConversationRow {
    std::string id, kind, title, created_by;
    int64_t created_at = 0, last_seq = 0, last_at = 0;
};

struct MemberRow {
    std::string account_id, first_name, last_name, profession_label;
    int64_t joined_seq = 0;
    std::optional<int64_t> left_seq;
    int64_t read_seq = 0;
    // Whether the member may read the message numbered `seq`.
    bool Sees(int64_t seq) const { return seq > joined_seq && (!left_seq || seq <= *left_seq); }
};

struct MessageRow {
    std::string id, conversation_id, author_id, body, reply_to;
    int64_t seq = 0, created_at = 0, version = 1;
    std::optional<int64_t> edited_at, deleted_at;
};

// A conversation as one member sees it in their list.
struct Summary {
    ConversationRow conversation;
    MemberRow me;
    int64_t unread = 0;
};

struct AccountName {
    std::string id, first_name, last_name, profession_label;
};

}  // namespace cordee::messaging

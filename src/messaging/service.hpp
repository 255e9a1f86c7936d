#pragma once
// Messaging between professionals (docs/messaging.md): conversations one-to-one and in named groups, messages named
// by the client (a resend returns the stored one), edits and deletions that leave a trace, read cursors. Every
// change goes to the live feed of each member in the same transaction (live/service.hpp), and the unread counts are
// always the messages of others after the member's read cursor.
#include "auth/service.hpp"
#include "live/service.hpp"
#include "messaging/model.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <string>
#include <utility>
#include <vector>

namespace cordee::messaging {

struct NewConversation {
    std::string kind;  // "direct" or "group"
    std::string title;
    std::vector<std::string> member_ids;        // accounts, besides the creator
    std::vector<std::string> professional_ids;  // or directory entries of people with an account
};

struct NewMessage {
    std::string id;  // the client's name for it; empty: the server names it
    std::string body, reply_to;
};

class MessagingService {
public:
    MessagingService(storage::Database& db, live::Hub& hub) : db_(db), hub_(hub) {}

    // A direct conversation with the same person is the existing one (200); a new one is 201.
    std::pair<int, std::string> Create(const auth::Principal& p, const NewConversation& c, const std::string& key);
    boost::json::object List(const auth::Principal& p);
    boost::json::object Get(const auth::Principal& p, const std::string& conversation_id);
    // A page of messages in number order: the newest `limit` before `before` (default: the newest), or the oldest
    // `limit` after `after` (what a client missed).
    boost::json::object Messages(const auth::Principal& p, const std::string& conversation_id,
                                 std::optional<int64_t> after, std::optional<int64_t> before, int limit);
    // 201 with the stored message; 200 with it when this id was already sent by this author here.
    std::pair<int, boost::json::object> Send(const auth::Principal& p, const std::string& conversation_id,
                                             const NewMessage& m);
    boost::json::object Edit(const auth::Principal& p, const std::string& conversation_id,
                             const std::string& message_id, const std::string& body, int64_t version);
    boost::json::object Delete(const auth::Principal& p, const std::string& conversation_id,
                               const std::string& message_id, int64_t version);
    // Raises the caller's read cursor to `seq` (at most the last message): every device and every member learns it.
    boost::json::object Read(const auth::Principal& p, const std::string& conversation_id, int64_t seq);
    int64_t UnreadTotal(const auth::Principal& p);

private:
    boost::json::object Change(const auth::Principal& p, const std::string& conversation_id,
                               const std::string& message_id, const std::string& body, int64_t version, bool deleted);

    storage::Database& db_;
    live::Hub& hub_;
    // Messages each account may send: a burst, then a steady pace (a flood is refused with 429, others unaffected).
    struct Bucket {
        double tokens;
        std::chrono::steady_clock::time_point at;
    };
    std::mutex mu_;
    std::unordered_map<std::string, Bucket> buckets_;
    void TakeToken(const std::string& account_id);
};

}  // namespace cordee::messaging

#pragma once
// Messaging between professionals (docs/messaging.md): conversations one-to-one, in named groups and around each
// patient (its care circle, through the policy's grant like the notebook), messages named by the client (a resend
// returns the stored one), edits and deletions that leave a trace, read cursors, urgent messages that escalate.
// Every change goes to the live feed of each member in the same transaction (live/service.hpp), and the unread counts
// are always the messages of others after the member's read cursor.
#include "auth/service.hpp"
#include "common/background.hpp"
#include "common/config.hpp"
#include "common/errors.hpp"
#include "live/service.hpp"
#include "messaging/model.hpp"
#include "notebook/service.hpp"
#include "patients/records.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <functional>
#include <optional>
#include <set>
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
    std::string visibility = "circle";     // 'health': health professionals of a patient's circle only
    std::optional<int64_t> urgent_until;   // an urgent message's deadline (patient conversations)
    std::vector<std::string> mentions;     // members named in it
    std::string patient_id;                // a patient it is about (opened by each reader's own grant)
};

class MessagingService {
public:
    MessagingService(storage::Database& db, live::Hub& hub, patients::PatientRecords& records,
                     notebook::NotebookService& notebook, const Config& cfg);
    ~MessagingService();
    // The escalation of urgent messages (a thread; several nodes share the work through the database).
    void Start();
    void Stop();
    // One pass over the urgent messages due (the thread's work; tests and the CLI call it too). Returns steps taken.
    int EscalateDue();
    // The e-mail digests due (every `digest_hours`, to accounts with unread messages, no clinical content); returns
    // how many were queued.
    int SendDigests();

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
    // Raises the caller's delivered cursor to `seq`: a device of hers received the messages up to it.
    boost::json::object Delivered(const auth::Principal& p, const std::string& conversation_id, int64_t seq);
    int64_t UnreadTotal(const auth::Principal& p);
    // Who of the members has read the message, who has not (its author only).
    boost::json::object Receipts(const auth::Principal& p, const std::string& conversation_id,
                                 const std::string& message_id);

    // The conversation of the patient's care circle, made on first use; its members follow the circle.
    std::pair<int, boost::json::object> OpenPatient(const auth::Principal& p, const std::string& patient_id);
    // The circle of this patient changed (in its transaction): members join and leave.
    void CircleChanged(patients::Scope& sc);
    // A group's members: add people (any member), remove one (its creator) or oneself (leave).
    boost::json::object AddMembers(const auth::Principal& p, const std::string& conversation_id,
                                   const std::vector<std::string>& member_ids,
                                   const std::vector<std::string>& professional_ids);
    boost::json::object RemoveMember(const auth::Principal& p, const std::string& conversation_id,
                                     const std::string& account_id);
    // Copies the message into the patient's notebook as a transmission, once per person (a repeat answers the same entry).
    std::pair<int, std::string> CopyToNotebook(const auth::Principal& p, const std::string& conversation_id,
                                               const std::string& message_id);
    // The caller's messages matching the query, newest first, within what it may read.
    boost::json::object Search(const auth::Principal& p, const std::string& text, MessageFilter f);

private:
    boost::json::object Change(const auth::Principal& p, const std::string& conversation_id,
                               const std::string& message_id, const std::string& body, int64_t version, bool deleted);
    // Runs fn(conversation, caller's membership, scope) in the transaction `s` once the caller may reach the
    // conversation: a member of it and, for a patient's conversation, granted by the policy as a member of the circle
    // (scope given; null otherwise). 404 for a stranger.
    template <class F>
    auto Within(storage::Session& s, const auth::Principal& p, const std::string& conversation_id, bool writes, F&& fn);
    // The same for a read: the patient's grant is audited (durably, before the answer) under `action`.
    template <class F>
    auto Reading(const auth::Principal& p, const std::string& conversation_id, const char* action, F&& fn);
    boost::json::object MoveCursor(const auth::Principal& p, const std::string& conversation_id, int64_t seq,
                                   bool read);
    // The accounts named, directly or by directory entries (proven links only).
    std::set<std::string> People(const std::vector<std::string>& account_ids,
                                 const std::vector<std::string>& professional_ids);
    // A refusal met on a patient's conversation inside a write, traced once the write is rolled back.
    void AuditRefusal(const auth::Principal& p, const std::string& conversation_id, const char* action, const Error& e);
    void Escalate(const MessageRow& m);

    storage::Database& db_;
    live::Hub& hub_;
    patients::PatientRecords& records_;
    notebook::NotebookService& notebook_;
    const Config& cfg_;
    Background job_;
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

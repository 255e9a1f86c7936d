#pragma once
// The SQL of the live feeds: each account's head (its last event number) and its events.
#include "live/model.hpp"
#include "storage/database.hpp"

#include <string>
#include <vector>

namespace cordee::live::repo {

// Takes `count` numbers of the account's feed (in the caller's transaction, holding the head until commit on
// PostgreSQL) and returns the last one: the numbers are last - count + 1 … last.
int64_t TakeNumbers(storage::Session& s, const std::string& account_id, int64_t count);
void QueueInsertEvent(storage::Session& s, const std::string& account_id, const EventRow& e);
// Tells the other nodes (PostgreSQL NOTIFY, sent at commit) that the account's feed has new events.
inline constexpr const char* kChannel = "cordee_live";
void QueueNotify(storage::Session& s, const std::string& account_id);
int64_t Head(storage::Session& s, const std::string& account_id);  // 0 for a feed with no event
// The events of several feeds, each numbered after its own `after`: rows by account then number, at most `limit`.
std::vector<std::pair<std::string, EventRow>> EventsAfterEach(storage::Session& s,
                                                              const std::vector<std::pair<std::string, int64_t>>& after,
                                                              int limit);

// Presence (live/presence.hpp): this node is alive at `now`; it has `sockets` sockets of the account open (0: none,
// the row goes); nodes silent since `before` are forgotten with their rows; this node's rows go (a clean stop).
void Heartbeat(storage::Session& s, const std::string& node_id, int64_t now);
void SetPresence(storage::Session& s, const std::string& node_id, const std::string& account_id, int64_t sockets);
void ForgetNodesBefore(storage::Session& s, int64_t before);
void DeleteNode(storage::Session& s, const std::string& node_id);
// Those of `accounts` with a socket open on a node heard from since `alive_since`.
std::vector<std::string> ConnectedAmong(storage::Session& s, const std::vector<std::string>& accounts,
                                        int64_t alive_since);

}  // namespace cordee::live::repo

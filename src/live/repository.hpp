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
// The account's events numbered after `after`, in order, at most `limit`.
std::vector<EventRow> EventsAfter(storage::Session& s, const std::string& account_id, int64_t after, int limit);

}  // namespace cordee::live::repo

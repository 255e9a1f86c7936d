#pragma once
// The SQL of the sync: the account's store key, the patients its feed has delivered, and the change log read in
// feed order. What a change means for a store (which items, visible or not) is decided in service.cpp through the
// patients policy; the patient data itself is read by each collection's owner (sync/collections.hpp).
#include "storage/database.hpp"
#include "sync/model.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cordee::sync::repo {

std::optional<KeyRow> FindKey(storage::Session& s, const std::string& account_id);
void InsertKey(storage::Session& s, const std::string& account_id, const KeyRow& k, int64_t now);
bool DeleteKey(storage::Session& s, const std::string& account_id);  // false: there was none

// The patients the account's feed has delivered (sorted), and changes to that list.
std::vector<std::string> Delivered(storage::Session& s, const std::string& account_id);
// A page of them after `after`, sorted.
std::vector<std::string> DeliveredAfter(storage::Session& s, const std::string& account_id, const std::string& after,
                                        int64_t limit);
void QueueDeliver(storage::Session& s, const std::string& account_id, const std::string& patient_id);
void QueueUndeliver(storage::Session& s, const std::string& account_id, const std::string& patient_id);

// Where the log stands for this read: every change at or before it is visible to this transaction and none can still
// be committed before it (PostgreSQL: the transactions before the oldest one still running).
std::pair<int64_t, int64_t> LogBound(storage::Session& s);
// The changes after (tx, seq), in feed order, of the account's own scope or of a patient it was delivered, at most
// `limit`; on PostgreSQL only those of transactions older than the oldest one still running.
std::vector<ChangeRow> ChangesAfter(storage::Session& s, const std::string& account_id, int64_t tx, int64_t seq,
                                    int64_t limit);
// The last number of the log: a cursor beyond it was not written by this database (a restored backup, another server).
int64_t LastSeq(storage::Session& s);

}  // namespace cordee::sync::repo

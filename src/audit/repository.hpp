#pragma once
// The SQL of the audit trail: the entries (`audit_log`) and the head of each lane (`audit_head`, id = lane + 1).
// The rules (hashing, lanes, what verification concludes) stay in audit.cpp.
#include "audit/audit.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cordee::audit::repo {

// The last entry of a lane; an empty lane's head is seq 0 with the genesis hash.
struct Head {
    int64_t seq = 0;
    std::string hash;
};

// An entry as stored, with its link to the chain.
struct StoredEntry {
    int64_t seq = 0, at = 0, lane = 0;
    std::string actor_id, action, target_type, target_id, ip, outcome, detail, prev_hash, hash;
    std::optional<int64_t> prev_seq;  // the entry this one follows in its lane; none for a lane's first
};

// An entry as listed to an operator: the actor's e-mail joined ("" when the account is unknown).
struct ListedEntry {
    int64_t seq = 0, at = 0;
    std::string actor_id, actor_email, action, target_type, target_id, ip, outcome, detail;
};

// Appending (in the transaction of the action).
std::optional<Head> ReadHead(storage::Session& s, int64_t lane);
// PostgreSQL: locks the lane's head row and takes the next number of `audit_log_seq`, in one round trip.
struct LockedHead {
    Head head;
    int64_t next_seq = 0;
};
std::optional<LockedHead> LockHeadAndNumber(storage::Session& s, int64_t lane);
void QueueInsertEntry(storage::Session& s, const StoredEntry& e);
void QueueMoveHead(storage::Session& s, int64_t lane, const Head& head);    // the lane's head row exists
void QueueInsertHead(storage::Session& s, int64_t lane, const Head& head);  // its first entry (SQLite)

// Reading the chain.
std::vector<LaneHead> NonEmptyHeads(storage::Session& s);  // by lane
std::vector<int64_t> Lanes(storage::Session& s);           // every lane with entries or a head
std::vector<StoredEntry> EntriesAfter(storage::Session& s, int64_t lane, int64_t after_seq, int64_t limit);

// Newest first, at most `limit`, filtered as `f` says (its own limit is not read).
std::vector<ListedEntry> ListEntries(storage::Session& s, const Filter& f, int64_t limit);

}  // namespace cordee::audit::repo

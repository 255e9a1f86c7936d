#pragma once
// The audit trail: append-only and hash-chained. Each entry's hash covers its fields and the previous
// entry's hash, and `audit_head` holds the last one, so that an altered, inserted or removed entry
// (the last ones included) breaks the chain. Entries are written in the transaction of the action.
// Someone able to write to the database could still cut the newest entries (head included) or recompute the
// whole chain: checkpoints of the heads signed outside the database catch that (audit/anchor.hpp).
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace cordee::audit {

struct Event {
    std::string actor_id;     // account id, empty for anonymous
    std::string action;       // "auth.login", "enrolment.approve", …
    std::string target_type;  // "account", "patient", …
    std::string target_id;
    std::string ip;
    std::string outcome = "success";  // success, failure, denied
    boost::json::object detail;       // never a secret
};

void Append(storage::Session& s, const Event& e);

// Where the checkpoints of the chain live, outside the database (audit/anchor.hpp).
struct AnchorOptions {
    std::string key_file;     // HMAC key (default DATA/audit.key)
    std::string anchor_file;  // append-only JSON lines (default DATA/audit-anchors.jsonl)
};

// The head of each lane that holds entries (audit_head rows with seq > 0).
struct LaneHead {
    int64_t lane = 0, seq = 0;
    std::string hash;
};
std::vector<LaneHead> Heads(storage::Database& db);

struct VerifyResult {
    bool ok = true;
    int64_t checked = 0;                  // entries whose hash and link were checked
    std::optional<int64_t> first_bad_seq;  // the first entry found altered, removed or not matching its checkpoint
    std::string problem;                   // what was found first (French); empty when ok
    std::vector<std::string> problems;     // everything found (at most 20), `problem` first
    // Anchoring: what the checkpoints outside the database could prove.
    bool anchored = false;           // at least one authentic checkpoint was compared with the entries
    int64_t checkpoints = 0;         // authentic checkpoints compared
    std::string last_checkpoint_at;  // RFC 3339 of the newest one
    int64_t unanchored = 0;          // entries newer than the last checkpoint of their lane: not covered
    std::vector<std::string> not_checked;  // what could not be checked, in words (no key, no anchor file…)
};
// Checks the chain of every lane; with `anchors`, also the checkpoints outside the database.
VerifyResult Verify(storage::Database& db, const AnchorOptions* anchors = nullptr);

struct Filter {
    std::string action, actor, outcome, target_id;
    std::optional<int64_t> before;  // seq, for paging backwards from the newest
    int limit = 50;
};
boost::json::object List(storage::Database& db, const Filter& f);

std::string EntryHash(const std::string& prev_hash, int64_t seq, int64_t at, const std::string& actor_id,
                      const std::string& action, const std::string& target_type, const std::string& target_id,
                      const std::string& ip, const std::string& outcome, const std::string& detail);

}  // namespace cordee::audit

#pragma once
// The offline sync (issue 10): what a device's store holds, as the feed of one account delivers it. The feed is the
// change log read through what the account may see; each change becomes the current state of one item of a
// collection ("patients", "entries", "alerts", "favorites"; later modules add theirs) or its tombstone.
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cordee::sync {

// One item of the store: put `value` under (collection, key), or remove it when `value` is null. `patient_id` names
// the patient an item belongs to (empty for the account's own items): removing a patient removes its items.
struct Item {
    std::string collection, key, patient_id;
    boost::json::value value;  // null: tombstone
    std::string reason;        // for a tombstone: "access_ended", "merged", "hidden", "deleted"
};

// A position in an account's feed: every change up to (tx, seq) is reflected. `phase` snapshot: a first sync in
// progress, patients after `after` still to send, then the changes after (tx, seq).
struct Cursor {
    enum class Phase { kSnapshot, kChanges };
    std::string account_id, key_id;
    Phase phase = Phase::kSnapshot;
    int64_t tx = 0, seq = 0;
    std::string after;  // snapshot: the last patient sent
    int64_t issued_at = 0;
};

// A row of the change log as the feed reads it.
struct ChangeRow {
    int64_t tx = 0, seq = 0;
    std::string entity, entity_id, op, scope, data;
};

struct KeyRow {
    std::string key_id, secret;  // secret: 32 random bytes, base64url
};

}  // namespace cordee::sync

#pragma once
// The offline sync (issue 10, docs/architecture.md "Offline"): one feed per account, read from the change log through
// what the account may see now, in order, paged and resumable.
// - A first sync (no cursor) sends the account's patients one by one as the collections give them (banner, recent
//   entries, alerts…), then its favourites; the cursor then follows the change log from where that picture was taken.
// - Each change becomes the current state of the item it touched (or its tombstone) as the policy lets the account
//   read it now; a change the account may not see is skipped.
// - The patients a feed has delivered are recorded (sync_access); when the account no longer follows one (it left
//   the circle, its period ended, the record was merged), the next sync of any of its devices writes the tombstone
//   into the change log, so that every device receives it in order.
// - Every patient whose data a page carries is audited (sync.read), like any patient read.
#include "auth/model.hpp"
#include "patients/records.hpp"
#include "sync/collection.hpp"
#include "sync/model.hpp"

#include <string>
#include <vector>

namespace cordee::sync {

struct Page {
    std::vector<Item> items;
    std::string cursor;
    bool more = false;
    std::string key_id;
};

class SyncService {
public:
    SyncService(patients::PatientRecords& records, Collections collections);

    // The page after `since` ("" for a first sync), of about `limit` items. A cursor this account cannot resume
    // (garbled, another account's, older than kCursorMaxAge, written before the store key was revoked, from another
    // database) → 410 sync-reset with its `reason`: the device forgets its store and syncs from the start.
    Page Read(const auth::Principal& p, const std::string& since, int limit);
    // The key the account's devices encrypt their store with (made at the first call).
    KeyRow Key(const auth::Principal& p);
    // Revokes it: the next sync of every device answers sync-reset "revoked" and the device wipes its store.
    void RevokeKey(const auth::Principal& p);

    static constexpr int64_t kCursorMaxAge = 30LL * 24 * 3600 * 1'000'000;  // the device wipes after 30 days too
    static constexpr int64_t kMaxPatients = 1000;

private:
    // Makes the key if there is none and writes the tombstones and arrivals of patients since the last sync.
    KeyRow Prepare(const auth::Principal& p);
    patients::PatientRecords& records_;
    Collections collections_;
};

}  // namespace cordee::sync

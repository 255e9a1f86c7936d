#pragma once
// Idempotency-Key support: the first result of a creating request is stored with its key in the same
// transaction as the creation, and a replay gets that stored result instead of a second record.
#include "storage/database.hpp"

#include <optional>
#include <string>

namespace cordee::storage {

struct StoredResult {
    int status;
    std::string body;
};

// Within a write transaction: the stored result for (owner, key), if any. Throws 422 when the key was
// used for a different request (another path).
std::optional<StoredResult> FindIdempotent(Session& s, const std::string& owner, const std::string& key,
                                           const std::string& request_path);
void SaveIdempotent(Session& s, const std::string& owner, const std::string& key, const std::string& request_path,
                    const StoredResult& result);
// Takes the key for this request: true when it was free (the caller then produces the result), false when a
// first request already used it (PostgreSQL: a concurrent first request is waited for, through the key's unique
// index). One round trip for a new key.
bool ClaimIdempotent(Session& s, const std::string& owner, const std::string& key, const std::string& request_path);
void CompleteIdempotent(Session& s, const std::string& owner, const std::string& key, const StoredResult& result);

// The stored result for the key if any, else make()'s, saved under the key (no key: just make()).
template <class F>
StoredResult OnceFor(Session& s, const std::string& owner, const std::string& key, const std::string& request_path,
                     F&& make) {
    if (key.empty()) return make();
    if (!ClaimIdempotent(s, owner, key, request_path)) return *FindIdempotent(s, owner, key, request_path);
    StoredResult r = make();
    CompleteIdempotent(s, owner, key, r);
    return r;
}
// Validates the header value; empty means "no key".
std::string CheckIdempotencyKey(const std::string& header_value);

}  // namespace cordee::storage

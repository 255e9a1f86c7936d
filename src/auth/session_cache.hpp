#pragma once
// A node-local cache of usable sessions (and of the account /me shows), so that an authenticated
// request needs no database read. The database stays the truth:
// - every change the auth service makes to a session or an account forgets the cached entries after
//   its commit, and a read that raced with a change is not stored (generation check);
// - entries also expire after a few seconds, a safety net for changes made elsewhere;
// - it is on by default only with SQLite, where one process owns the data. With several nodes on
//   PostgreSQL a change made on another node would be seen late, so it is off there.
#include "auth/model.hpp"
#include "auth/repository.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace cordee::auth {

class SessionCache {
public:
    explicit SessionCache(int64_t ttl_micros) : ttl_(ttl_micros) {}
    bool enabled() const { return ttl_ > 0; }

    struct Entry {
        repo::SessionRow row;
        std::optional<std::string> me_json;  // the body of GET /me for this session, once read
        int64_t stored_at = 0;
    };
    // Read the generation before reading the database, and give it back to Put.
    uint64_t Generation() const { return generation_.load(std::memory_order_acquire); }
    std::shared_ptr<const Entry> Get(const std::string& token_hash, int64_t now) const;
    void Put(uint64_t generation, Entry entry);
    void ForgetSession(const std::string& token_hash);
    void ForgetAccount(const std::string& account_id);  // and every session of it

private:
    static constexpr size_t kMaxEntries = 100000;
    const int64_t ttl_;
    std::atomic<uint64_t> generation_{0};
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<const Entry>> entries_;
};

}  // namespace cordee::auth

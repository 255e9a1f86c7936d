#include "auth/session_cache.hpp"

#include <mutex>

namespace cordee::auth {

std::shared_ptr<const SessionCache::Entry> SessionCache::Get(const std::string& token_hash, int64_t now) const {
    if (!enabled()) return nullptr;
    std::shared_lock lock(mutex_);
    auto it = entries_.find(token_hash);
    if (it == entries_.end() || now - it->second->stored_at > ttl_) return nullptr;
    return it->second;
}

void SessionCache::Put(uint64_t generation, Entry entry) {
    if (!enabled()) return;
    std::unique_lock lock(mutex_);
    // Something changed since the caller read the database: its copy may be stale.
    if (generation != generation_.load(std::memory_order_acquire)) return;
    if (entries_.size() >= kMaxEntries) entries_.clear();
    const std::string key = entry.row.token_hash;
    entries_[key] = std::make_shared<const Entry>(std::move(entry));
}

void SessionCache::ForgetSession(const std::string& token_hash) {
    if (!enabled()) return;
    std::unique_lock lock(mutex_);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    entries_.erase(token_hash);
}

void SessionCache::ForgetAccount(const std::string& account_id) {
    if (!enabled()) return;
    std::unique_lock lock(mutex_);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    std::erase_if(entries_, [&](const auto& kv) { return kv.second->row.account_id == account_id; });
}

}  // namespace cordee::auth

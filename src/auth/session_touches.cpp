#include "auth/session_touches.hpp"

#include "auth/repository.hpp"
#include "common/log.hpp"

namespace cordee::auth {

SessionTouches::SessionTouches(storage::Database& db, std::chrono::milliseconds interval,
                               std::function<void(const std::vector<std::string>&)> written)
    : db_(db), interval_(interval), written_(std::move(written)) {}

SessionTouches::~SessionTouches() { Stop(); }

void SessionTouches::Start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable() || stop_) return;
    thread_ = std::thread([this] { Loop(); });
}

void SessionTouches::Stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    WriteNow();
}

void SessionTouches::Touch(const std::string& token_hash, int64_t at) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = touches_.try_emplace(token_hash, at);
    if (!inserted && it->second < at) it->second = at;
}

void SessionTouches::Expire(const std::string& token_hash) {
    std::lock_guard lock(mutex_);
    touches_.erase(token_hash);
    expired_.insert(token_hash);
}

std::optional<int64_t> SessionTouches::Pending(const std::string& token_hash) const {
    std::lock_guard lock(mutex_);
    auto it = touches_.find(token_hash);
    if (it == touches_.end()) return std::nullopt;
    return it->second;
}

bool SessionTouches::WriteNow() {
    std::lock_guard one_batch(write_mutex_);
    std::unordered_map<std::string, int64_t> touches;
    std::unordered_set<std::string> expired;
    {
        std::lock_guard lock(mutex_);
        touches.swap(touches_);
        expired.swap(expired_);
    }
    if (touches.empty() && expired.empty()) return true;
    try {
        db_.Write([&](storage::Session& s) {
            for (const auto& [hash, at] : touches) repo::TouchSession(s, hash, at);
            for (const auto& hash : expired) repo::DeleteSession(s, hash);
        });
    } catch (const std::exception& e) {
        log::Warn("session touches not written, kept for the next try",
                  {{"sessions", static_cast<unsigned long>(touches.size() + expired.size())}, {"error", e.what()}});
        std::lock_guard lock(mutex_);
        for (const auto& [hash, at] : touches) {
            if (expired_.count(hash)) continue;
            auto [it, inserted] = touches_.try_emplace(hash, at);
            if (!inserted && it->second < at) it->second = at;
        }
        expired_.insert(expired.begin(), expired.end());
        return false;
    }
    std::vector<std::string> changed;
    changed.reserve(touches.size() + expired.size());
    for (const auto& [hash, at] : touches) changed.push_back(hash);
    changed.insert(changed.end(), expired.begin(), expired.end());
    if (written_) written_(changed);
    return true;
}

void SessionTouches::Loop() {
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, interval_, [this] { return stop_; });
            if (stop_) return;
        }
        WriteNow();
    }
}

}  // namespace cordee::auth

#include "live/presence.hpp"

#include "common/ids.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "live/repository.hpp"

#include <chrono>
#include <set>

namespace cordee::live {
namespace {
constexpr auto kHeartbeat = std::chrono::seconds(10);
// Connections and closes that come together (a node's clients reconnecting after a restart) share one write.
constexpr auto kGather = std::chrono::milliseconds(50);
// A node silent this long is gone for good: its rows are removed (they stopped counting after 30 s).
constexpr int64_t kForgetNodeMicros = 600'000'000;
}  // namespace

Presence::Presence(storage::Database& db) : db_(db), node_id_(NewUuidV7()), thread_([this] { Run(); }) {}

Presence::~Presence() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    try {
        db_.Write([&](storage::Session& s) { repo::DeleteNode(s, node_id_); });
    } catch (const std::exception& e) {
        // Its heartbeat stops: within 30 s the other nodes no longer count its sockets.
        log::Warn("live presence not cleared", {{"error", e.what()}});
    }
}

void Presence::Opened(const std::string& account_id) {
    {
        std::lock_guard lock(mu_);
        ++counts_[account_id];
        dirty_.insert(account_id);
    }
    cv_.notify_one();
}

void Presence::Closed(const std::string& account_id) {
    {
        std::lock_guard lock(mu_);
        auto it = counts_.find(account_id);
        if (it == counts_.end()) return;
        if (--it->second <= 0) counts_.erase(it);
        dirty_.insert(account_id);
    }
    cv_.notify_one();
}

void Presence::Run() {
    auto next_beat = std::chrono::steady_clock::now();  // at once: the node is known before its first socket
    for (;;) {
        {
            std::unique_lock lock(mu_);
            cv_.wait_until(lock, next_beat, [&] { return stop_ || !dirty_.empty(); });
            if (stop_) return;
        }
        if (std::chrono::steady_clock::now() < next_beat) std::this_thread::sleep_for(kGather);
        try {
            Flush();
            if (std::chrono::steady_clock::now() >= next_beat) next_beat = std::chrono::steady_clock::now() + kHeartbeat;
        } catch (const std::exception& e) {
            // The database is away: the changes stay marked and go with the next round.
            log::Warn("live presence not written", {{"error", e.what()}});
            std::unique_lock lock(mu_);
            cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_; });
        }
    }
}

void Presence::Flush() {
    std::vector<std::pair<std::string, int64_t>> changes;
    {
        std::lock_guard lock(mu_);
        for (const auto& a : dirty_) {
            const auto it = counts_.find(a);
            changes.emplace_back(a, it == counts_.end() ? 0 : it->second);
        }
        dirty_.clear();
    }
    const int64_t now = NowMicros();
    try {
        db_.Write([&](storage::Session& s) {
            repo::Heartbeat(s, node_id_, now);
            for (const auto& [account, sockets] : changes) repo::SetPresence(s, node_id_, account, sockets);
            repo::ForgetNodesBefore(s, now - kForgetNodeMicros);
        });
    } catch (...) {
        std::lock_guard lock(mu_);
        for (const auto& [account, sockets] : changes) dirty_.insert(account);
        throw;
    }
}

bool Connected(storage::Session& s, const std::string& account_id, int64_t now) {
    return !repo::ConnectedAmong(s, {account_id}, now - kPresenceStaleMicros).empty();
}

std::vector<std::string> NotConnected(storage::Session& s, const std::vector<std::string>& accounts, int64_t now) {
    if (accounts.empty()) return {};
    const auto connected = repo::ConnectedAmong(s, accounts, now - kPresenceStaleMicros);
    const std::set<std::string> on(connected.begin(), connected.end());
    std::vector<std::string> out;
    for (const auto& a : accounts)
        if (!on.count(a)) out.push_back(a);
    return out;
}

}  // namespace cordee::live

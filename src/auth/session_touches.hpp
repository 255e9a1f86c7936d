#pragma once
// Sessions' "last seen" times, written in batches by a background thread instead of by the request that saw
// them: a GET never waits on a durable write (common/network_thread.hpp), and a session in use costs one
// UPDATE per touch interval of the auth service, never one per request. Sessions found expired are deleted
// the same way (they are refused at once; the row is only tidied).
// - a touch waits at most `interval` (kept well under the idle time-out), and the idle check counts a touch
//   not yet written (Pending), so that a late batch never ends a session in use;
// - Stop() writes what waits (`cordee serve` on SIGTERM); a batch that fails is kept and tried again.
#include "storage/database.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace cordee::auth {

class SessionTouches {
public:
    // `written` is told the sessions whose row changed, after the commit (the session cache forgets them).
    SessionTouches(storage::Database& db, std::chrono::milliseconds interval,
                   std::function<void(const std::vector<std::string>&)> written);
    ~SessionTouches();
    SessionTouches(const SessionTouches&) = delete;
    SessionTouches& operator=(const SessionTouches&) = delete;

    void Start();
    void Stop();
    void Touch(const std::string& token_hash, int64_t at);
    void Expire(const std::string& token_hash);
    std::optional<int64_t> Pending(const std::string& token_hash) const;
    // Writes what waits now, on the calling thread (Stop, tests); false if the write failed (kept for later).
    bool WriteNow();

private:
    void Loop();

    storage::Database& db_;
    const std::chrono::milliseconds interval_;
    const std::function<void(const std::vector<std::string>&)> written_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::unordered_map<std::string, int64_t> touches_;
    std::unordered_set<std::string> expired_;
    std::mutex write_mutex_;  // one batch at a time (the thread, Stop)
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace cordee::auth

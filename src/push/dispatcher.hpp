#pragma once
// The push outbox's sender (docs/messaging.md, "Web Push"): one thread per node claims the notices due, pushes each
// to the subscriptions of its account (RFC 8291 payload, RFC 8292 VAPID, through libcurl), removes the subscriptions
// the push service says are gone (404/410), tries again later on a transient failure (5xx, 429, time-out) with a
// growing delay, and drops a notice after kMaxAttempts. Several nodes may run it on one PostgreSQL: a notice is
// claimed (a lease) before it is sent.
#include "push/model.hpp"
#include "push/service.hpp"
#include "common/background.hpp"
#include "storage/database.hpp"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace cordee::push {

inline constexpr int kMaxAttempts = 6;

struct DispatcherOptions {
    std::string node_id;  // who holds a claim
    // Whether the account has a live socket open on some node now: it then saw the message live, and the notice goes.
    std::function<bool(const std::string& account_id)> connected;
    int64_t retry_seconds = 30;  // first delay after a transient failure, doubled at each attempt (config)
    int64_t ttl_seconds = 24 * 3600;  // how long the push service keeps a notice for a device that is off
};

class Dispatcher {
public:
    Dispatcher(storage::Database& db, const PushService& push, DispatcherOptions opt);
    ~Dispatcher();
    void Start();
    void Stop();
    int DeliverPending();  // one pass; returns the notices done with (delivered or dropped)

    enum class Outcome { kDelivered, kGone, kRetry, kRefused };

private:
    struct Result;
    void Deliver(Result& r);
    void Apply(storage::Session& s, const Result& r);
    Outcome Send(const Subscription& sub, const std::string& payload, const std::string& topic, long& status,
                 std::string& error);

    storage::Database& db_;
    const PushService& push_;
    DispatcherOptions opt_;
    void* curl_ = nullptr;  // one handle, reused: connections to a push service stay open between notices
    Background job_;
};

}  // namespace cordee::push

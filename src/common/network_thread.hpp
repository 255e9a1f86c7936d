#pragma once
// Network threads (the HTTP server's io threads) never wait on the disk or on another server: a durable
// commit or a PostgreSQL round trip there would stall every connection of the thread. The server marks
// its io threads; the storage layer calls LeaveNetworkThread() before anything that waits, which throws
// MustRunOnWorker there, before any work is done. The server catches it and runs the whole handler again
// on the worker pool (a handler that runs inline has only read so far, so running it again is safe).
#include <stdexcept>

namespace cordee {

// Marks the current thread as a network thread for the scope's lifetime.
class NetworkThreadScope {
public:
    NetworkThreadScope();
    ~NetworkThreadScope();
    NetworkThreadScope(const NetworkThreadScope&) = delete;
    NetworkThreadScope& operator=(const NetworkThreadScope&) = delete;

private:
    bool previous_;
};

bool OnNetworkThread();

// Not an Error: it must never become an answer; http::Dispatch lets it through to the server.
class MustRunOnWorker : public std::runtime_error {
public:
    explicit MustRunOnWorker(const char* what) : std::runtime_error(what) {}
};

// Throws MustRunOnWorker when called on a network thread; `what` says what would have waited.
void LeaveNetworkThread(const char* what);

}  // namespace cordee

#pragma once
// Live push (docs/messaging.md, "Live push"): each account has one feed of events numbered 1, 2, 3… A write that
// concerns an account adds its events to the feed in the write's own transaction (Publication), so that an event
// exists exactly when what it tells does; the hub then sends each feed's new events to the account's open
// sockets, in order and once, whatever node they are connected to (each socket remembers the last number it sent
// and reads what follows from the database: nothing lives only in a node's memory).
#include "common/time.hpp"
#include "live/model.hpp"
#include "live/presence.hpp"
#include "http/router.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace cordee::live {

// The events one transaction publishes: Add them as the work goes; Commit numbers and stores them at the end of the
// transaction, taking the accounts' heads in one order (so that two transactions never wait on each other), and has
// the node's hub woken once the transaction committed (storage::AfterCommit). Any module's write may publish: one
// publication per transaction (two would take heads in two passes, out of the one order).
class Publication {
public:
    void Add(const std::string& account_id, std::string kind, const boost::json::object& data);
    void Commit(storage::Session& s, int64_t now);
    std::vector<std::string> accounts() const;
    bool empty() const { return events_.empty(); }

private:
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> events_;  // account → (kind, data)
};

class Hub {
public:
    // `own_reads`: a database handle of the hub's own for the feeds' reads (PostgreSQL: one connection, so that the
    // sockets are not served behind a queue of requests waiting for the pool); none: `db`.
    explicit Hub(storage::Database& db, std::unique_ptr<storage::Database> own_reads = nullptr);
    ~Hub();
    Hub(const Hub&) = delete;
    Hub& operator=(const Hub&) = delete;

    struct Subscriber;
    // Sends the socket a "hello" with the feed's head, then every event numbered after `after` (no `after`: after the
    // head), then each new one. An `after` beyond the head (a device restored from another server) gets a "reset"
    // with the head first, and the events that follow the head. `still_allowed` is asked every minute: false closes the socket (session ended).
    std::shared_ptr<Subscriber> Subscribe(const std::string& account_id, std::optional<int64_t> after,
                                          std::shared_ptr<http::Socket> socket, std::function<bool()> still_allowed);
    void Unsubscribe(const std::shared_ptr<Subscriber>& sub);
    // One write transaction that publishes: fn(session, publication) does the work and adds the events; they are
    // numbered and stored at the end of the same transaction, then the sockets concerned are woken. Returns fn's result.
    template <class F>
    auto Write(F&& fn) {
        Publication pub;
        return db_.WriteValue([&](storage::Session& s) {
            pub = Publication{};  // a transaction run again starts from an empty publication
            auto r = fn(s, pub);
            pub.Commit(s, NowMicros());
            return r;
        });
    }
    // This node committed new events in these feeds (after the commit: Publication::Commit arranges it, through the
    // node's hub, whichever module's transaction published).
    void Committed(const std::vector<std::string>& accounts);
    // New events were committed in these feeds (by this node, or by another one: storage notifications).
    void Wake(const std::vector<std::string>& accounts);
    size_t sockets() const;
    // This node's sockets per account, as the other nodes and the push dispatcher see them (live/presence.hpp).
    const Presence& presence() const { return *presence_; }

private:
    void WakeAll();
    void Run();
    void PumpAll(const std::vector<std::shared_ptr<Subscriber>>& subs);
    // Sends the subscriber its events among rows[from, to); `more`: the read was cut short, come back for the rest.
    void Pump(const std::shared_ptr<Subscriber>& sub, const std::vector<std::pair<std::string, EventRow>>& rows,
              size_t from, size_t to, bool more);
    // The subscriber's socket has room again: it is due.
    void Resume(const std::weak_ptr<Subscriber>& sub);
    void Sweep();

    storage::Database& db_;
    std::unique_ptr<storage::Database> own_reads_;
    storage::Database& reads_;  // before thread_, which reads from the start
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::unordered_map<std::string, std::vector<std::shared_ptr<Subscriber>>> by_account_;
    std::deque<std::shared_ptr<Subscriber>> due_;  // subscribers with events to read
    bool stop_ = false;
    std::thread thread_;
    std::unique_ptr<Presence> presence_;
    std::unique_ptr<storage::Listener> listener_;  // last: stopped first
};

}  // namespace cordee::live

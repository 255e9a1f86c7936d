#pragma once
// Who has a live socket open, across the nodes (docs/messaging.md, "Web Push"): a push is for the accounts that are
// not connected. Each node counts its sockets per account in memory and writes the changes from a thread of its
// own, many connections in one transaction (the socket's path stays one map update), with a heartbeat every 10 s;
// a node not heard from for 30 s (killed, cut off) no longer counts.
#include "storage/database.hpp"

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace cordee::live {

inline constexpr int64_t kPresenceStaleMicros = 30'000'000;

class Presence {
public:
    explicit Presence(storage::Database& db);  // a node id of its own, random for each start
    ~Presence();                               // this node's rows go: its sockets are closed
    Presence(const Presence&) = delete;
    Presence& operator=(const Presence&) = delete;

    void Opened(const std::string& account_id);
    void Closed(const std::string& account_id);
    const std::string& node_id() const { return node_id_; }

private:
    void Run();
    void Flush();

    storage::Database& db_;
    const std::string node_id_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::unordered_map<std::string, int64_t> counts_;  // open sockets per account on this node
    std::unordered_set<std::string> dirty_;            // accounts whose count changed since the last write
    bool stop_ = false;
    std::thread thread_;
};

// Whether the account has a socket open on a node alive now (any node sharing the database).
bool Connected(storage::Session& s, const std::string& account_id, int64_t now);
// Those of `accounts` that have no socket open anywhere: the ones a push is for.
std::vector<std::string> NotConnected(storage::Session& s, const std::vector<std::string>& accounts, int64_t now);

}  // namespace cordee::live

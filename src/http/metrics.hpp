#pragma once
// Prometheus metrics: request counts and latency histograms by method, route pattern and status,
// open connections, plus gauges that other parts register (database pool and queue).
#include "http/router.hpp"

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace cordee::http {

class Metrics {
public:
    void Observe(const std::string& method, const std::string& route, int status, double seconds);
    void AddGauge(std::string name, std::string help, std::function<double()> read);
    std::string Render() const;
    std::atomic<int64_t> open_connections{0};
    std::atomic<int64_t> open_sockets{0};  // WebSockets (also counted in open_connections)

private:
    struct Series {
        std::vector<uint64_t> buckets;
        uint64_t count = 0;
        double sum = 0;
    };
    // Shards, one per io thread in practice, so that threads recording requests do not wait on each other.
    static constexpr size_t kShards = 8;
    struct Shard {
        std::mutex mutex;
        std::map<std::tuple<std::string, std::string, int>, Series> series;
    };
    mutable std::array<Shard, kShards> shards_;
    mutable std::mutex gauges_mutex_;
    struct Gauge {
        std::string name, help;
        std::function<double()> read;
    };
    std::vector<Gauge> gauges_;
};

// Who may read /metrics (it tells the load, the routes and the database's state: not for everyone). A request
// straight from this machine (loopback peer, not relayed: no X-Forwarded-For or Forwarded header, which a reverse
// proxy on the same machine would add), or one bearing `metrics_token` (when set) as a Bearer token. The route
// answers 404 to anyone else, as if it did not exist.
bool MayReadMetrics(const Request& req, const std::string& metrics_token);

}  // namespace cordee::http

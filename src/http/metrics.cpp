#include "http/metrics.hpp"

#include "common/crypto.hpp"
#include "common/ip_network.hpp"

#include <cstdio>

namespace cordee::http {
namespace {
constexpr double kBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
constexpr size_t kBucketCount = sizeof kBuckets / sizeof kBuckets[0];

std::string Num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}
}  // namespace

void Metrics::Observe(const std::string& method, const std::string& route, int status, double seconds) {
    static std::atomic<size_t> next_shard{0};
    thread_local const size_t shard_index = next_shard++ % kShards;
    Shard& shard = shards_[shard_index];
    std::lock_guard lock(shard.mutex);
    auto& s = shard.series[{method, route, status}];
    if (s.buckets.empty()) s.buckets.assign(kBucketCount, 0);
    for (size_t i = 0; i < kBucketCount; ++i)
        if (seconds <= kBuckets[i]) ++s.buckets[i];
    ++s.count;
    s.sum += seconds;
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
    std::lock_guard lock(gauges_mutex_);
    gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

std::string Metrics::Render() const {
    // Merge the shards into one view.
    std::map<std::tuple<std::string, std::string, int>, Series> merged;
    for (auto& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        for (const auto& [key, s] : shard.series) {
            auto& m = merged[key];
            if (m.buckets.empty()) m.buckets.assign(s.buckets.size(), 0);
            for (size_t i = 0; i < s.buckets.size(); ++i) m.buckets[i] += s.buckets[i];
            m.count += s.count;
            m.sum += s.sum;
        }
    }
    std::string out;
    out += "# HELP cordee_http_requests_total HTTP requests by method, route and status.\n";
    out += "# TYPE cordee_http_requests_total counter\n";
    for (const auto& [key, s] : merged) {
        const auto& [method, route, status] = key;
        out += "cordee_http_requests_total{method=\"" + method + "\",route=\"" + route + "\",status=\"" +
               std::to_string(status) + "\"} " + std::to_string(s.count) + "\n";
    }
    out += "# HELP cordee_http_request_duration_seconds Time to answer, by method, route and status.\n";
    out += "# TYPE cordee_http_request_duration_seconds histogram\n";
    for (const auto& [key, s] : merged) {
        const auto& [method, route, status] = key;
        const std::string labels =
            "method=\"" + method + "\",route=\"" + route + "\",status=\"" + std::to_string(status) + "\"";
        for (size_t i = 0; i < kBucketCount; ++i)
            out += "cordee_http_request_duration_seconds_bucket{" + labels + ",le=\"" + Num(kBuckets[i]) + "\"} " +
                   std::to_string(s.buckets[i]) + "\n";
        out += "cordee_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(s.count) + "\n";
        out += "cordee_http_request_duration_seconds_sum{" + labels + "} " + Num(s.sum) + "\n";
        out += "cordee_http_request_duration_seconds_count{" + labels + "} " + std::to_string(s.count) + "\n";
    }
    out += "# HELP cordee_http_open_connections Open client connections.\n# TYPE cordee_http_open_connections gauge\n";
    out += "cordee_http_open_connections " + std::to_string(open_connections.load()) + "\n";
    out += "# HELP cordee_http_open_websockets Open WebSockets.\n# TYPE cordee_http_open_websockets gauge\n";
    out += "cordee_http_open_websockets " + std::to_string(open_sockets.load()) + "\n";
    std::lock_guard lock(gauges_mutex_);
    for (const auto& g : gauges_) {
        out += "# HELP " + g.name + " " + g.help + "\n# TYPE " + g.name + " gauge\n";
        out += g.name + " " + Num(g.read()) + "\n";
    }
    return out;
}

bool MayReadMetrics(const Request& req, const std::string& metrics_token) {
    if (!metrics_token.empty()) {
        const std::string authz = req.Header("authorization");
        if (authz.rfind("Bearer ", 0) == 0 && crypto::ConstantTimeEqual(authz.substr(7), metrics_token)) return true;
    }
    for (const auto& [name, value] : req.headers)
        if (name == "x-forwarded-for" || name == "forwarded" || name == "x-real-ip") return false;
    const auto peer = ParseIpAddress(req.peer_ip);
    return peer && peer->IsLoopback();
}

}  // namespace cordee::http

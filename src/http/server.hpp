#pragma once
// The HTTP(S) server: Beast with C++20 coroutines on N io threads, handlers that may block run on a
// worker pool, keep-alive, limits, security headers, access log, graceful drain on SIGTERM/SIGINT.
// The io threads never wait on the disk or on PostgreSQL (common/network_thread.hpp).
#include "common/ip_network.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"

#include <memory>
#include <string>
#include <vector>

namespace cordee::http {

struct ServerOptions {
    std::string listen = "127.0.0.1";
    int port = 8080;
    int io_threads = 2;
    int worker_threads = 32;
    std::string tls_cert, tls_key;
    int64_t max_body_bytes = 1 << 20;
    // Routes that take files (Router::AddUpload) accept bodies up to this size.
    int64_t max_upload_bytes = 10LL << 20;
    bool access_log = true;  // one JSON line per request on stdout, written by the log's own thread
    int drain_seconds = 10;
    // WebSockets (Router::AddSocket): bytes queued for a client before it is dropped as not reading, the largest
    // message taken from a client, and the silence after which it is closed (a ping is sent at half of it).
    size_t socket_queue_bytes = 256 * 1024;
    size_t socket_message_bytes = 64 * 1024;
    int socket_idle_seconds = 60;
    // Connections from these addresses may say who the client is (X-Forwarded-For: http/client_address.hpp).
    std::vector<IpNetwork> trusted_proxies;
};

class Server {
public:
    Server(ServerOptions options, const Router& router, const StaticFiles& statics, Metrics& metrics);
    ~Server();
    // Binds the socket (port 0 picks a free one) and returns the bound port.
    int Listen();
    // Serves until SIGTERM/SIGINT, then stops accepting, lets requests in flight finish, returns.
    void Run();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cordee::http

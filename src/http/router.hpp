#pragma once
// Request, Response and Router: what modules see of HTTP. Beast stays inside server.cpp, so that
// modules' routes.cpp compile fast and never depend on the network library.
#include "common/errors.hpp"

#include <boost/json/value.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cordee::http {

struct Request {
    std::string method;
    std::string path;          // decoded path, without the query
    std::map<std::string, std::string> query;
    std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
    std::string body;
    std::string remote_ip;     // the client: the peer, or what a trusted proxy says (X-Forwarded-For)
    std::string peer_ip;       // the address the connection comes from
    std::string request_id;
    bool tls = false;
    std::map<std::string, std::string> params;  // from {name} in the route pattern

    std::string Header(std::string_view lower_name) const;
    std::string Cookie(std::string_view name) const;
    std::string Query(std::string_view name) const;
    const std::string& Param(const std::string& name) const { return params.at(name); }
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    static Response Json(int status, const boost::json::value& v);
    static Response NoContent();
    static Response Text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
    Response& Header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
};

using Handler = std::function<Response(Request&)>;
// Judges a request on its line and headers alone, before its body is read (Router::AddUpload): throws an Error
// (401, 404…) to refuse it; the server then answers that and closes the connection without reading the body.
using Precheck = std::function<void(const Request&)>;

// Where a handler runs: kInline on the network thread (quick reads), kWorker on the worker pool
// (anything that writes, hashes a password or may wait). An inline handler that reaches something that
// waits (a durable write, a PostgreSQL round trip: common/network_thread.hpp) is run again on the pool.
enum class Runs { kInline, kWorker };

// A WebSocket (RFC 6455) as modules see it; the server owns the connection. Send, Room and Close may be called from
// any thread. Send queues a text message: past the server's bound on queued bytes the peer is dropped and Send
// returns false, as it does once the socket is closed.
class Socket {
public:
    virtual ~Socket() = default;
    virtual bool Send(std::string text) = 0;
    // Whether `bytes` more fit now without crowding the queue (an empty queue, or within its first half). A sender
    // with a backlog (a client catching up) sends while there is room; when there is not, `on_room` is called once,
    // from the connection's thread, when the queue has emptied. A queue that has not moved for kStallSeconds — its
    // client does not read — drops the client instead: it is never waited for.
    virtual bool Room(size_t bytes, const std::function<void()>& on_room) = 0;
    virtual void Close() = 0;
    static constexpr int kStallSeconds = 10;
};
// What a module keeps of one open socket: its messages from the client, one at a time and in order, on the worker
// pool; then OnClose once, when the socket has closed for any reason.
class SocketSession {
public:
    virtual ~SocketSession() = default;
    virtual void OnText(std::string_view text) = 0;
    virtual void OnClose() = 0;
};
// Accepts (returns the session) or refuses (throws an Error, answered as problem+json before the upgrade) a
// WebSocket on its request, on the worker pool. The socket may be used as soon as the function returns.
using SocketOpen = std::function<std::unique_ptr<SocketSession>(Request&, std::shared_ptr<Socket>)>;

struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    Runs runs;
    bool raw_body = false;  // takes a file as it is (any Content-Type, the upload size limit)
    Precheck precheck;      // run on the worker pool before the body is read (may be empty)
    SocketOpen socket;      // a WebSocket endpoint (Router::AddSocket)
};

class Router {
public:
    // By default GET runs inline and every other method on the worker pool.
    void Add(std::string method, std::string pattern, Handler handler);
    void Add(std::string method, std::string pattern, Handler handler, Runs runs);
    // A route that receives a file as its body (on the worker pool): not JSON, up to max_upload_bytes.
    void AddUpload(std::string method, std::string pattern, Handler handler);
    // The same, with the access check made before the body is read (a refused client never sends its 10 MiB):
    // `precheck` gets the request without its body (params filled) and throws to refuse it; the handler runs only
    // after it passed and must check again what it relies on (the precheck is an early answer, not the guard).
    void AddUpload(std::string method, std::string pattern, Precheck precheck, Handler handler);
    // A WebSocket endpoint: GET with "Upgrade: websocket"; a plain GET there is answered 426.
    void AddSocket(std::string pattern, SocketOpen open);

    struct Match {
        const Route* route = nullptr;
        std::map<std::string, std::string> params;
        std::vector<std::string> allowed;  // methods of the path when the method did not match
    };
    Match Find(std::string_view method, std::string_view path) const;
    std::vector<std::string> Table() const;

private:
    std::vector<Route> routes_;
};

// A non-negative integer of the query (at most 18 digits), absent → nullopt; anything else 422 naming it.
std::optional<int64_t> QueryNumber(const Request& req, const std::string& name, const std::string& message);

// The version a client says it modifies (If-Match); 428 when absent, 422 when unreadable.
int64_t IfMatchVersion(const Request& req);

// Runs a matched route (or answers 404/405), turning every error into problem+json (MustRunOnWorker excepted).
Response Dispatch(const Router::Match& match, Request& req);
// Runs the matched route's precheck on a request whose body is not read yet: the problem+json refusal, or nothing
// when the route has no precheck or the request passed it.
std::optional<Response> RunPrecheck(const Router::Match& match, Request& req);
Response Problem(const Error& e, const std::string& request_id);

}  // namespace cordee::http

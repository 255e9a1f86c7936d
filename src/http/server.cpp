#include "http/server.hpp"

#include "common/ids.hpp"
#include "common/log.hpp"
#include "common/network_thread.hpp"
#include "http/client_address.hpp"
#include "http/gate.hpp"
#include "http/request_target.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/intrusive/list.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <tuple>
#include <map>
#include <mutex>
#include <thread>

namespace cordee::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(60);
// How long a drain lets a connection opened just before it send its first request.
constexpr auto kFirstRequestGrace = std::chrono::seconds(2);

// A connection waiting for its next request (or for its TLS handshake) is idle: a drain closes it, since no request
// would be lost; a fresh one (no request yet) only after kFirstRequestGrace, as its client is most likely sending
// one. A mark lives in the connection's coroutine and unlinks itself when it ends.
struct IdleMark : boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
    IdleMark(tcp::socket& s, bool f) : socket(s), fresh(f) {}
    tcp::socket& socket;
    bool fresh;
};
// The idle connections of one io thread, touched only on that thread.
using IdleList = boost::intrusive::list<IdleMark, boost::intrusive::constant_time_size<false>>;

// The completion of every spawned coroutine: what escaped it is logged, never swallowed (as asio::detached would).
auto LogFailure(const char* coroutine) {
    return [coroutine](std::exception_ptr p) {
        if (!p) return;
        try {
            std::rethrow_exception(p);
        } catch (const std::exception& e) {
            log::Error("coroutine failed", {{"coroutine", coroutine}, {"error", e.what()}});
        } catch (...) {
            log::Error("coroutine failed", {{"coroutine", coroutine}, {"error", "unknown exception"}});
        }
    };
}

// One WebSocket's outgoing queue, shared between the modules (Send from any thread) and the connection's coroutine
// (on its io thread). Past `limit` queued bytes the client is not reading: it is dropped, never waited for.
class SocketPeer final : public Socket, public std::enable_shared_from_this<SocketPeer> {
public:
    SocketPeer(asio::any_io_executor ex, size_t limit) : ex_(std::move(ex)), wake_(ex_), limit_(limit) {
        wake_.expires_at(asio::steady_timer::time_point::max());
    }

    bool Send(std::string text) override {
        bool dropped = false;
        {
            std::lock_guard lock(mu_);
            if (state_ != State::kOpen) return false;
            bytes_ += text.size();
            queue_.push_back(std::move(text));
            if (bytes_ > limit_) state_ = State::kDropped, dropped = true;
        }
        if (dropped) {
            Drop();
            return false;
        }
        Wake();
        return true;
    }
    bool Room(size_t bytes, const std::function<void()>& on_room) override {
        {
            std::lock_guard lock(mu_);
            if (state_ != State::kOpen) return false;
            if (bytes_ == 0 || bytes_ + bytes <= limit_ / 2) return true;
            if (std::chrono::steady_clock::now() - moved_ < std::chrono::seconds(kStallSeconds)) {
                on_room_ = on_room;
                return false;
            }
            state_ = State::kDropped;
        }
        Drop();
        return false;
    }
    void Close() override {
        {
            std::lock_guard lock(mu_);
            if (state_ == State::kOpen) state_ = State::kClosing;
        }
        Wake();
    }
    // The writer may be stuck in a write the client never reads: close the socket under it (on its thread), which
    // ends that write, rather than wait for it.
    void Drop() {
        log::Warn("websocket client dropped", {{"queued_bytes", static_cast<long long>(limit_)}});
        asio::post(ex_, [self = shared_from_this()] {
            if (self->abort_) self->abort_();
        });
    }

    // On the io thread. The connection's writer: sends what is queued, in order, until the socket ends (`Gone`), the
    // module closes it (after what it queued) or the client is dropped.
    template <class WebSocket>
    asio::awaitable<void> Writer(WebSocket& ws) {
        abort_ = [&ws] {
            boost::system::error_code ec;
            beast::get_lowest_layer(ws).socket().close(ec);  // the pending write and the reader then end
        };
        struct Forget {  // ws does not outlive this coroutine
            SocketPeer& peer;
            ~Forget() { peer.abort_ = nullptr; }
        } forget{*this};
        for (;;) {
            std::vector<std::string> batch;
            State state;
            {
                std::lock_guard lock(mu_);
                state = state_;
                if (state != State::kDropped) batch.swap(queue_);
            }
            if (state == State::kGone) co_return;
            if (state == State::kDropped) {
                abort_();
                co_return;
            }
            if (batch.empty()) {
                if (state == State::kClosing) {
                    co_await ws.async_close(beast::websocket::close_code::normal, asio::as_tuple(asio::use_awaitable));
                    co_return;
                }
                co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled by Wake
                continue;
            }
            for (auto& text : batch) {
                ws.text(true);
                auto [ec, n] = co_await ws.async_write(asio::buffer(text), asio::as_tuple(asio::use_awaitable));
                if (ec) {
                    Ended();
                    co_return;
                }
                std::function<void()> room;
                {
                    std::lock_guard lock(mu_);
                    bytes_ -= text.size();
                    moved_ = std::chrono::steady_clock::now();
                    if (bytes_ == 0) room.swap(on_room_);
                }
                if (room) room();  // a sender waiting with a backlog goes on
            }
        }
    }
    // The socket is closed or broken: nothing more is sent, Send returns false.
    void Ended() {
        {
            std::lock_guard lock(mu_);
            state_ = State::kGone;
        }
        Wake();
    }

private:
    enum class State { kOpen, kClosing, kDropped, kGone };
    void Wake() {
        asio::post(ex_, [self = shared_from_this()] { self->wake_.cancel(); });
    }

    asio::any_io_executor ex_;
    asio::steady_timer wake_;             // touched only on ex_
    std::function<void()> abort_;         // closes the connection's socket; set by Writer, touched only on ex_
    const size_t limit_;
    std::mutex mu_;
    std::vector<std::string> queue_;  // not a deque: an empty vector holds no memory (thousands of idle sockets)
    size_t bytes_ = 0;
    State state_ = State::kOpen;
    std::chrono::steady_clock::time_point moved_ = std::chrono::steady_clock::now();  // last write done
    std::function<void()> on_room_;
};

}  // namespace

struct Server::Impl {
    ServerOptions opt;
    const Router& router;
    const StaticFiles& statics;
    Metrics& metrics;
    // Declared before the io_contexts, which outlive neither: a connection still open when they stop is destroyed
    // with them, and its holder and idle mark must find these alive.
    Gate connections;               // every connection coroutine holds it; a drain awaits it
    std::vector<IdleList> idle;     // per io thread, the connections a drain may close at once
    // One io_context per io thread: a connection lives on one thread, so its handlers never wake
    // another thread or take a contended lock (a shared context costs more in futex wake-ups on 2 cores).
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    size_t next_context = 0;
    asio::io_context& ioc;
    asio::thread_pool workers;
    std::optional<asio::ssl::context> ssl;
    tcp::acceptor acceptor;
    std::atomic<bool> draining{false};

    Impl(ServerOptions o, const Router& r, const StaticFiles& s, Metrics& m)
        : opt(std::move(o)), router(r), statics(s), metrics(m), contexts(MakeContexts(opt.io_threads)),
          ioc(*contexts.front()), workers(opt.worker_threads), acceptor(ioc) {
        idle.resize(contexts.size());
        if (!opt.tls_cert.empty()) {
            ssl.emplace(asio::ssl::context::tls_server);
            ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                             asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                             asio::ssl::context::no_tlsv1_1);
            ssl->use_certificate_chain_file(opt.tls_cert);
            ssl->use_private_key_file(opt.tls_key, asio::ssl::context::pem);
        }
    }

    static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int n) {
        std::vector<std::unique_ptr<asio::io_context>> v;
        for (int i = 0; i < std::max(1, n); ++i) v.push_back(std::make_unique<asio::io_context>(1));
        return v;
    }

    Request Convert(bhttp::request<bhttp::string_body>& msg, const std::string& ip) {
        Request req;
        req.method = std::string(msg.method_string());
        req.peer_ip = ip;
        req.tls = ssl.has_value();
        for (const auto& f : msg) {
            std::string name(f.name_string());
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            req.headers.emplace_back(std::move(name), std::string(f.value()));
        }
        if (opt.trusted_proxies.empty()) {
            req.remote_ip = ip;
        } else {
            std::vector<std::string_view> forwarded;
            for (const auto& [name, value] : req.headers)
                if (name == "x-forwarded-for") forwarded.emplace_back(value);
            req.remote_ip = ClientAddress(ip, forwarded, opt.trusted_proxies);
        }
        const std::string rid = req.Header("x-request-id");
        req.request_id = ValidRequestId(rid) ? rid : NewRequestId();
        req.body = std::move(msg.body());
        if (!ParseTarget(std::string_view(msg.target().data(), msg.target().size()), req.path, req.query)) {
            req.path.clear();  // Handle answers 400: the address itself is unreadable
        }
        return req;
    }

    // `label` names the route for metrics (its pattern, so that ids do not explode the series); `on_worker` tells
    // whether the handler ran on the worker pool.
    asio::awaitable<Response> Handle(Request& req, std::string& label, bool& on_worker) {
        if (req.path.empty()) {
            label = "bad-target";
            co_return Problem(Error(Problem::kBadRequest,
                                    "L'adresse demandée est mal encodée (caractère % isolé ou invalide)."),
                              req.request_id);
        }
        auto match = router.Find(req.method, req.path);
        label = match.route ? match.route->pattern : (req.path.rfind("/api/", 0) == 0 ? "unmatched" : "static");
        if (!match.route && match.allowed.empty() && (req.method == "GET" || req.method == "HEAD") &&
            req.path.rfind("/api/", 0) != 0) {
            if (auto r = statics.Serve(req.path, req.Header("accept-encoding"))) co_return *r;
        }
        if (!match.route || match.route->runs == Runs::kInline) {
            // Inline, unless the handler reaches something that waits: then nothing has been done that running
            // it again could repeat (common/network_thread.hpp), and it runs again on the pool.
            std::optional<Response> inline_response;
            try {
                inline_response = Dispatch(match, req);
            } catch (const MustRunOnWorker&) {
            }
            if (inline_response) co_return std::move(*inline_response);
        }
        on_worker = true;
        co_return co_await asio::co_spawn(
            workers, [&]() -> asio::awaitable<Response> { co_return Dispatch(match, req); }, asio::use_awaitable);
    }

    // One header field; a value cannot end the header (CR and LF become spaces).
    static void AddField(std::string& head, std::string_view name, std::string_view value) {
        head.append(name);
        head.append(": ");
        for (const char c : value) head.push_back(c == '\r' || c == '\n' ? ' ' : c);
        head.append("\r\n");
    }

    // The status line and every header field in one string, written with the body as two buffers (one writev).
    // Beast's serializer walked a view of every field at each write: for our small answers, more time than the
    // write itself (a tenth of the server's time on GET /me, bench/http_me.sh).
    std::string Head(const Response& res, const Request& req, unsigned version, bool keep) const {
        static constexpr std::string_view kSecurity =
            "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nX-Frame-Options: DENY\r\n"
            "Cross-Origin-Opener-Policy: same-origin\r\nPermissions-Policy: camera=(), microphone=(), payment=(), usb=()\r\n";
        static constexpr std::string_view kCsp =
            "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'\r\n";
        std::string head;
        head.reserve(768 + 64 * res.headers.size());
        head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
        head += std::to_string(res.status);
        head += ' ';
        const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(res.status));
        head.append(reason.data(), reason.size());
        head += "\r\n";
        if (!res.content_type.empty()) AddField(head, "Content-Type", res.content_type);
        bool has_cache = false, has_csp = false;
        for (const auto& [name, value] : res.headers) {
            has_cache = has_cache || beast::iequals(name, "Cache-Control");
            has_csp = has_csp || beast::iequals(name, "Content-Security-Policy");
            AddField(head, name, value);
        }
        if (!has_cache) head += "Cache-Control: no-store\r\n";
        AddField(head, "X-Request-Id", req.request_id);
        head += kSecurity;
        if (!has_csp) head += kCsp;
        if (ssl) head += "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n";
        // No body, hence no length, for 1xx, 204 and 304; a HEAD answer gives the length of what GET would send.
        if (res.status >= 200 && res.status != 204 && res.status != 304) {
            head += "Content-Length: ";
            head += std::to_string(res.body.size());
            head += "\r\n";
        }
        if (version >= 11 && !keep) head += "Connection: close\r\n";
        if (version < 11 && keep) head += "Connection: keep-alive\r\n";
        head += "\r\n";
        return head;
    }

    template <class Stream>
    asio::awaitable<void> Serve(Stream& stream, std::string ip, IdleList& idle_here) {
        beast::flat_buffer buffer;
        for (bool fresh = true;; fresh = false) {
            if (draining && !fresh) break;  // asked to finish: no next request
            bhttp::request_parser<bhttp::string_body> parser;
            parser.header_limit(16 * 1024);
            // Beast compares Content-Length with the body limit as soon as the header is parsed, before the route
            // is known: let the header through with the largest limit, then apply the route's (below).
            parser.body_limit(static_cast<uint64_t>(std::max(opt.max_body_bytes, opt.max_upload_bytes)));
            beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
            IdleMark waiting(beast::get_lowest_layer(stream).socket(), fresh);
            if (buffer.size() == 0) idle_here.push_back(waiting);  // bytes of a next request already read: not idle
            auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
            waiting.unlink();
            int64_t limit = opt.max_body_bytes;
            Early early;
            if (!ec) {
                // A body larger than the usual limit is allowed only by a route that takes files (Router::AddUpload).
                const auto length = parser.content_length();
                if (length && *length > static_cast<uint64_t>(limit)) {
                    const auto target = parser.get().target();
                    const auto match = router.Find(std::string(parser.get().method_string()),
                                                   std::string(target.substr(0, target.find('?'))));
                    if (match.route && match.route->raw_body) limit = std::max(limit, opt.max_upload_bytes);
                }
                parser.body_limit(static_cast<uint64_t>(limit));
                if (length && *length > static_cast<uint64_t>(limit)) {
                    ec = bhttp::error::body_limit;
                } else {
                    // A route may judge the request on its headers before its body is read (Router::AddUpload).
                    early = co_await CheckBeforeBody(parser.get(), ip);
                    if (!early.refusal) {
                        if (early.req) beast::get_lowest_layer(stream).expires_after(kIdleTimeout);  // after the check
                        if (ExpectsContinue(parser)) co_await WriteContinue(stream, parser.get().version());
                        std::tie(ec, n) = co_await bhttp::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
                    }
                }
            }
            if (ec) {
                // Answer what the client can act on; silently close idle or broken connections.
                if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) {
                    Request req;
                    req.request_id = NewRequestId();
                    req.method = "POST";
                    auto res = Problem(Error(Problem::kPayloadTooLarge,
                                             "La requête dépasse la taille maximale de " +
                                                 std::to_string(limit) + " octets."),
                                       req.request_id);
                    co_await Write(stream, res, req, 11, false);
                    co_await DrainBeforeClose(stream);
                } else if (ec.category() == boost::system::error_code(bhttp::error::bad_target).category() &&
                           ec != bhttp::error::end_of_stream) {
                    Request req;
                    req.request_id = NewRequestId();
                    auto res = Problem(Error(Problem::kBadRequest, "Requête HTTP mal formée."),
                                       req.request_id);
                    co_await Write(stream, res, req, 11, false);
                }
                break;
            }
            auto& msg = parser.get();
            const unsigned version = msg.version();
            // A request refused on its headers leaves its body unread: its connection cannot carry another one.
            const bool keep = msg.keep_alive() && !draining && !early.refusal;
            const auto start = early.req ? early.start : std::chrono::steady_clock::now();
            Request req = early.req ? std::move(*early.req) : Convert(msg, ip);
            if (early.req) req.body = std::move(msg.body());
            if (!early.refusal && beast::websocket::is_upgrade(msg) && !req.path.empty()) {
                const auto match = router.Find("GET", req.path);
                if (match.route && match.route->socket) {
                    co_await ServeSocket(stream, buffer, msg, req, match, idle_here, start);
                    break;  // the connection was the socket's
                }
            }
            std::string label;
            bool on_worker = false;
            Response res;
            if (early.refusal) {
                res = std::move(*early.refusal);
                label = early.label;
                on_worker = true;
            } else {
                res = co_await Handle(req, label, on_worker);
            }
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            metrics.Observe(req.method, label, res.status, secs);
            if (opt.access_log) {
                // "ip" is the client (behind a trusted proxy, what it says); "peer" the connection's own address.
                log::Info("request", {{"method", req.method}, {"path", req.path}, {"status", res.status},
                                      {"ms", secs * 1000.0}, {"request_id", req.request_id}, {"ip", req.remote_ip},
                                      {"peer", ip}, {"ran", on_worker ? "worker" : "inline"}});
            }
            // A drain that began while the request ran: this answer is the connection's last, and says so.
            const bool keep_open = keep && !draining;
            const bool ok = co_await Write(stream, res, req, version, keep_open);
            if (!ok || !keep_open) break;
        }
    }

    // A WebSocket route (Router::AddSocket): the module accepts or refuses on the worker pool, then the socket lives
    // here until either side closes it; the module's session gets each text message in order, on the pool.
    template <class Stream>
    asio::awaitable<void> ServeSocket(Stream& stream, beast::flat_buffer& buffer, bhttp::request<bhttp::string_body>& msg,
                                      Request& req,
                                      const Router::Match& match, IdleList& idle_here,
                                      std::chrono::steady_clock::time_point start) {
        namespace websocket = beast::websocket;
        auto peer = std::make_shared<SocketPeer>(co_await asio::this_coro::executor, opt.socket_queue_bytes);
        std::unique_ptr<SocketSession> session;
        std::optional<Response> refusal;
        req.params = match.params;
        co_await asio::co_spawn(workers, [&]() -> asio::awaitable<void> {
            try {
                session = match.route->socket(req, peer);
            } catch (const Error& e) {
                refusal = Problem(e, req.request_id);
            } catch (const std::exception& e) {
                log::Error("websocket open failed", {{"request_id", req.request_id}, {"error", e.what()}});
                refusal = Problem(Error(Problem::kInternal, "Une erreur inattendue s'est produite."), req.request_id);
            }
            co_return;
        }, asio::use_awaitable);
        const int status = refusal ? refusal->status : 101;
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        metrics.Observe(req.method, match.route->pattern, status, secs);
        if (opt.access_log) {
            log::Info("request", {{"method", req.method}, {"path", req.path}, {"status", status}, {"ms", secs * 1000.0},
                                  {"request_id", req.request_id}, {"ip", req.remote_ip}, {"ran", "worker"}});
        }
        if (refusal) {
            co_await Write(stream, *refusal, req, msg.version(), false);
            co_return;
        }
        websocket::stream<Stream&> ws(stream);
        beast::get_lowest_layer(stream).expires_never();  // the WebSocket keeps its own time (pings, idle)
        websocket::stream_base::timeout timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
        timeouts.handshake_timeout = std::chrono::seconds(10);
        timeouts.idle_timeout = std::chrono::seconds(opt.socket_idle_seconds);  // a ping at half of it
        ws.set_option(timeouts);
        ws.read_message_max(opt.socket_message_bytes);
        ws.set_option(websocket::stream_base::decorator([rid = req.request_id](websocket::response_type& r) {
            r.set("X-Request-Id", rid);
        }));
        auto [aec] = co_await ws.async_accept(msg, asio::as_tuple(asio::use_awaitable));
        // The HTTP request's memory is not needed while the socket lives (thousands of idle sockets per node): its
        // headers, its parsed form and the read buffer go now.
        msg = {};
        req = Request{};
        buffer.clear();
        buffer.shrink_to_fit();
        if (!aec) {
            ++metrics.open_sockets;
            // A drain closes the reading side of an open socket as of an idle connection; the client reconnects to
            // another node (or this one, restarted) and resumes from its last event.
            IdleMark open_socket(beast::get_lowest_layer(stream).socket(), false);
            idle_here.push_back(open_socket);
            using namespace asio::experimental::awaitable_operators;
            co_await (ReadSocket(ws, *session, *peer) && peer->Writer(ws));
            --metrics.open_sockets;
        }
        peer->Ended();
        co_await asio::co_spawn(workers, [&]() -> asio::awaitable<void> {
            try {
                session->OnClose();
            } catch (const std::exception& e) {
                log::Error("websocket close failed", {{"error", e.what()}});
            }
            co_return;
        }, asio::use_awaitable);
    }

    template <class WebSocket>
    asio::awaitable<void> ReadSocket(WebSocket& ws, SocketSession& session, SocketPeer& peer) {
        beast::flat_buffer buffer;
        for (;;) {
            auto [ec, n] = co_await ws.async_read(buffer, asio::as_tuple(asio::use_awaitable));
            if (ec) break;
            std::string text = beast::buffers_to_string(buffer.data());
            buffer.consume(buffer.size());
            if (!ws.got_text()) continue;  // binary messages mean nothing here
            co_await asio::co_spawn(workers, [&]() -> asio::awaitable<void> {
                try {
                    session.OnText(text);
                } catch (const std::exception& e) {
                    log::Error("websocket message failed", {{"error", e.what()}});
                }
                co_return;
            }, asio::use_awaitable);
        }
        peer.Ended();  // the writer stops
    }

    // What a route's precheck (Router::AddUpload) says of a request whose body is not read yet, asked on the worker
    // pool: the request made from the headers (kept, to receive the body once read) and the refusal, if any.
    struct Early {
        std::optional<Request> req;
        std::optional<Response> refusal;
        std::string label;
        std::chrono::steady_clock::time_point start;
    };
    asio::awaitable<Early> CheckBeforeBody(bhttp::request<bhttp::string_body>& msg, const std::string& ip) {
        Early early;
        const auto target = msg.target();
        std::string path;
        std::map<std::string, std::string> query;
        if (!ParseTarget(std::string_view(target.data(), target.size()), path, query)) co_return early;
        const auto match = router.Find(std::string(msg.method_string()), path);
        if (!match.route || !match.route->precheck) co_return early;
        early.start = std::chrono::steady_clock::now();
        early.label = match.route->pattern;
        early.req = Convert(msg, ip);
        Request& req = *early.req;
        early.refusal = co_await asio::co_spawn(
            workers, [&]() -> asio::awaitable<std::optional<Response>> { co_return RunPrecheck(match, req); },
            asio::use_awaitable);
        co_return early;
    }

    // "Expect: 100-continue" (RFC 9110 §10.1.1): the client waits for a go-ahead before sending its body; given once
    // the headers passed (and the precheck, if any), so that a refused client never sends it.
    static bool ExpectsContinue(const bhttp::request_parser<bhttp::string_body>& parser) {
        const auto& msg = parser.get();
        if (parser.is_done() || msg.version() < 11) return false;
        const auto it = msg.find(bhttp::field::expect);
        return it != msg.end() && beast::iequals(it->value(), "100-continue");
    }
    template <class Stream>
    asio::awaitable<void> WriteContinue(Stream& stream, unsigned version) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, version};
        co_await bhttp::async_write(stream, cont, asio::as_tuple(asio::use_awaitable));
    }

    // After refusing a body the client is still sending, read and drop what comes for a moment before closing:
    // closing at once would reset the connection and the client might never read the 413.
    template <class Stream>
    asio::awaitable<void> DrainBeforeClose(Stream& stream) {
        auto& socket = beast::get_lowest_layer(stream);
        socket.expires_after(std::chrono::seconds(2));
        std::vector<char> sink(64 * 1024);
        size_t drained = 0;
        while (drained < (32u << 20)) {
            auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
            if (ec) break;
            drained += n;
        }
    }

    template <class Stream>
    asio::awaitable<bool> Write(Stream& stream, Response& res, const Request& req, unsigned version, bool keep) {
        const std::string head = Head(res, req, version, keep);
        const bool with_body = req.method != "HEAD" && res.status >= 200 && res.status != 204 && res.status != 304;
        const std::array<asio::const_buffer, 2> buffers{asio::buffer(head),
                                                        with_body ? asio::buffer(res.body) : asio::const_buffer()};
        // The answer has its own time: the timer set before the request was read may have run out while the handler
        // waited (a decode slot, the database), and the client would then get a closed connection instead.
        beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
        auto [ec, n] = co_await asio::async_write(stream, buffers, asio::as_tuple(asio::use_awaitable));
        co_return !ec;
    }

    // One connection, on the io thread `lane` accepted it for; `held` keeps a drain waiting until it ends.
    asio::awaitable<void> Connection(tcp::socket socket, Gate::Holder held, size_t lane) {
        struct Counted {
            std::atomic<int64_t>& n;
            explicit Counted(std::atomic<int64_t>& c) : n(c) { ++n; }
            ~Counted() { --n; }
        } counted(metrics.open_connections);
        try {
            std::string ip;
            boost::system::error_code ec;
            auto ep = socket.remote_endpoint(ec);
            if (!ec) ip = ep.address().to_string();
            socket.set_option(tcp::no_delay(true), ec);
            if (ssl) {
                beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *ssl);
                beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(15));
                IdleMark handshaking(beast::get_lowest_layer(stream).socket(), true);
                idle[lane].push_back(handshaking);
                auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server,
                                                             asio::as_tuple(asio::use_awaitable));
                handshaking.unlink();
                if (!hec) co_await Serve(stream, ip, idle[lane]);
            } else {
                beast::tcp_stream stream(std::move(socket));
                co_await Serve(stream, ip, idle[lane]);
                // Half-close, then read what the client still sends (an oversize body) for a moment,
                // so that closing does not reset the connection before it has read our answer.
                boost::system::error_code sec;
                stream.socket().shutdown(tcp::socket::shutdown_send, sec);
                stream.expires_after(std::chrono::milliseconds(500));
                std::array<char, 16384> sink;
                for (size_t discarded = 0; discarded < (8u << 20);) {
                    auto [rec, n] = co_await stream.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
                    if (rec) break;
                    discarded += n;
                }
            }
        } catch (const std::exception& e) {
            log::Error("connection failed", {{"error", e.what()}});
        } catch (...) {
            log::Error("connection failed", {{"error", "unknown exception"}});
        }
    }

    asio::awaitable<void> Accept() {
        for (;;) {
            try {
                const size_t lane = next_context++ % contexts.size();
                auto [ec, socket] = co_await acceptor.async_accept(*contexts[lane], asio::as_tuple(asio::use_awaitable));
                if (ec) {
                    if (draining || ec == asio::error::operation_aborted) co_return;
                    log::Warn("accept failed", {{"error", ec.message()}});
                    continue;
                }
                auto held = connections.TryEnter();
                if (!held) co_return;  // the drain has begun: the socket closes here
                auto ex = socket.get_executor();
                asio::co_spawn(ex, Connection(std::move(socket), std::move(held), lane), LogFailure("connection"));
            } catch (const std::exception& e) {
                log::Error("accept loop failed", {{"error", e.what()}});
                if (draining) co_return;
            }
        }
    }

    // On the first io thread (the signal's). Stops accepting, closes the idle connections (the others end after the
    // answer they are writing, with "Connection: close"), then stops the io threads once every connection has
    // ended, or when the drain time is up.
    void Drain() {
        if (draining.exchange(true)) return;
        log::Info("draining", {{"open_connections", static_cast<long long>(metrics.open_connections.load())}});
        boost::system::error_code ec;
        acceptor.close(ec);
        CloseIdle(false);
        asio::co_spawn(ioc, StopWhenDrained(), LogFailure("drain"));
    }

    // Shuts the reading side of each idle connection (fresh ones too with `fresh_too`), on its own io thread.
    void CloseIdle(bool fresh_too) {
        for (size_t lane = 0; lane < contexts.size(); ++lane) {
            asio::post(*contexts[lane], [this, lane, fresh_too] {
                for (auto& waiting : idle[lane]) {
                    // A request that has already arrived is read and answered (with "Connection: close").
                    boost::system::error_code ec;
                    if ((fresh_too || !waiting.fresh) && waiting.socket.available(ec) == 0 && !ec)
                        waiting.socket.shutdown(tcp::socket::shutdown_receive, ec);
                }
            });
        }
    }

    asio::awaitable<void> StopWhenDrained() {
        try {
            const auto now = std::chrono::steady_clock::now();
            const auto deadline = now + std::chrono::seconds(opt.drain_seconds);
            bool all_left = co_await connections.Close(std::min(deadline, now + kFirstRequestGrace));
            if (!all_left) {
                CloseIdle(true);  // the fresh connections that sent nothing meanwhile
                all_left = co_await connections.Close(deadline);
            }
            if (!all_left)
                log::Warn("drain time is up", {{"open_connections", static_cast<long long>(connections.count())}});
        } catch (const std::exception& e) {
            log::Error("drain failed", {{"error", e.what()}});
        }
        for (auto& c : contexts) c->stop();
    }
};

Server::Server(ServerOptions options, const Router& router, const StaticFiles& statics, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, statics, metrics)) {}

Server::~Server() = default;

int Server::Listen() {
    auto& a = impl_->acceptor;
    tcp::endpoint ep(asio::ip::make_address(impl_->opt.listen), static_cast<unsigned short>(impl_->opt.port));
    a.open(ep.protocol());
    a.set_option(asio::socket_base::reuse_address(true));
    a.bind(ep);
    a.listen(asio::socket_base::max_listen_connections);
    return a.local_endpoint().port();
}

void Server::Run() {
    auto& impl = *impl_;
    asio::co_spawn(impl.ioc, impl.Accept(), LogFailure("accept"));
    asio::signal_set signals(impl.ioc, SIGINT, SIGTERM);
    signals.async_wait([&impl](boost::system::error_code ec, int) {
        if (!ec) impl.Drain();
    });
    std::vector<std::thread> threads;
    // Keep the other contexts running while they have no connection yet.
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    for (size_t i = 1; i < impl.contexts.size(); ++i) {
        guards.push_back(asio::make_work_guard(*impl.contexts[i]));
        threads.emplace_back([ctx = impl.contexts[i].get()] {
            NetworkThreadScope network;
            ctx->run();
        });
    }
    {
        NetworkThreadScope network;
        impl.ioc.run();
    }
    for (auto& t : threads) t.join();
    impl.workers.join();
    log::Info("stopped");
}

}  // namespace cordee::http

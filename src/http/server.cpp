#include "http/server.hpp"

#include "common/ids.hpp"
#include "common/log.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <chrono>
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

bool ValidRequestId(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
    return true;
}

}  // namespace

struct Server::Impl {
    ServerOptions opt;
    const Router& router;
    const StaticFiles& statics;
    Metrics& metrics;
    // One io_context per io thread: a connection lives on one thread, so its handlers never wake
    // another thread or take a contended lock (a shared context costs more in futex wake-ups on 2 cores).
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    size_t next_context = 0;
    asio::io_context& ioc;
    asio::thread_pool workers;
    std::optional<asio::ssl::context> ssl;
    tcp::acceptor acceptor;
    std::atomic<bool> draining{false};
    std::mutex conns_mutex;
    uint64_t next_conn = 0;
    std::map<uint64_t, std::function<void()>> closers;  // shut the read side of each open connection

    Impl(ServerOptions o, const Router& r, const StaticFiles& s, Metrics& m)
        : opt(std::move(o)), router(r), statics(s), metrics(m), contexts(MakeContexts(opt.io_threads)),
          ioc(*contexts.front()), workers(opt.worker_threads), acceptor(ioc) {
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
        req.remote_ip = ip;
        req.tls = ssl.has_value();
        for (const auto& f : msg) {
            std::string name(f.name_string());
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            req.headers.emplace_back(std::move(name), std::string(f.value()));
        }
        const std::string rid = req.Header("x-request-id");
        req.request_id = ValidRequestId(rid) ? rid : NewRequestId();
        req.body = std::move(msg.body());
        auto url = boost::urls::parse_origin_form(msg.target());
        if (url) {
            req.path = std::string(url->path());
            for (auto p : url->params()) req.query[std::string(p.key)] = std::string(p.value);
        } else {
            req.path.clear();  // Handle answers 400: the address itself is unreadable
        }
        return req;
    }

    // `label` names the route for metrics (its pattern, so that ids do not explode the series).
    asio::awaitable<Response> Handle(Request& req, std::string& label) {
        if (req.path.empty()) {
            label = "bad-target";
            co_return Problem(Error(400, "bad-request", "Adresse invalide",
                                    "L'adresse demandée est mal encodée (caractère % isolé ou invalide)."),
                              req.request_id);
        }
        auto match = router.Find(req.method, req.path);
        label = match.route ? match.route->pattern : (req.path.rfind("/api/", 0) == 0 ? "unmatched" : "static");
        if (!match.route && match.allowed.empty() && (req.method == "GET" || req.method == "HEAD") &&
            req.path.rfind("/api/", 0) != 0) {
            if (auto r = statics.Serve(req.path)) co_return *r;
        }
        if (match.route && match.route->runs == Runs::kWorker) {
            co_return co_await asio::co_spawn(
                workers, [&]() -> asio::awaitable<Response> { co_return Dispatch(match, req); }, asio::use_awaitable);
        }
        co_return Dispatch(match, req);
    }

    void Finish(bhttp::response<bhttp::string_body>& out, Response& res, const Request& req) {
        if (!res.content_type.empty()) out.set(bhttp::field::content_type, res.content_type);
        bool has_cache = false;
        for (auto& [k, v] : res.headers) {
            if (k == "Cache-Control") has_cache = true;
            out.insert(k, v);
        }
        if (!has_cache) out.set(bhttp::field::cache_control, "no-store");
        out.set("X-Request-Id", req.request_id);
        out.set("X-Content-Type-Options", "nosniff");
        out.set("Referrer-Policy", "no-referrer");
        out.set("X-Frame-Options", "DENY");
        out.set("Cross-Origin-Opener-Policy", "same-origin");
        out.set("Permissions-Policy", "camera=(), microphone=(), payment=(), usb=()");
        if (out.find("Content-Security-Policy") == out.end())
            out.set("Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                "connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; "
                "base-uri 'self'; form-action 'self'; frame-ancestors 'none'");
        if (ssl) out.set(bhttp::field::strict_transport_security, "max-age=31536000; includeSubDomains");
        const bool head = req.method == "HEAD";
        const auto size = res.body.size();
        out.body() = std::move(res.body);
        out.prepare_payload();
        if (head) {
            out.body().clear();
            out.content_length(size);
        }
    }

    template <class Stream>
    asio::awaitable<void> Serve(Stream& stream, std::string ip) {
        beast::flat_buffer buffer;
        for (;;) {
            bhttp::request_parser<bhttp::string_body> parser;
            parser.header_limit(16 * 1024);
            // Beast compares Content-Length with the body limit as soon as the header is parsed, before the route
            // is known: let the header through with the largest limit, then apply the route's (below).
            parser.body_limit(static_cast<uint64_t>(std::max(opt.max_body_bytes, opt.max_upload_bytes)));
            beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
            auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
            int64_t limit = opt.max_body_bytes;
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
                if (length && *length > static_cast<uint64_t>(limit)) ec = bhttp::error::body_limit;
                else std::tie(ec, n) = co_await bhttp::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
            }
            if (ec) {
                // Answer what the client can act on; silently close idle or broken connections.
                if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) {
                    Request req;
                    req.request_id = NewRequestId();
                    req.method = "POST";
                    auto res = Problem(Error(413, "payload-too-large", "Requête trop volumineuse",
                                             "La requête dépasse la taille maximale de " +
                                                 std::to_string(limit) + " octets."),
                                       req.request_id);
                    co_await Write(stream, res, req, 11, false);
                    co_await DrainBeforeClose(stream);
                } else if (ec.category() == boost::system::error_code(bhttp::error::bad_target).category() &&
                           ec != bhttp::error::end_of_stream) {
                    Request req;
                    req.request_id = NewRequestId();
                    auto res = Problem(Error(400, "bad-request", "Requête invalide", "Requête HTTP mal formée."),
                                       req.request_id);
                    co_await Write(stream, res, req, 11, false);
                }
                break;
            }
            auto& msg = parser.get();
            const unsigned version = msg.version();
            const bool keep = msg.keep_alive() && !draining;
            const auto start = std::chrono::steady_clock::now();
            Request req = Convert(msg, ip);
            std::string label;
            Response res = co_await Handle(req, label);
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            metrics.Observe(req.method, label, res.status, secs);
            if (opt.access_log) {
                log::Info("request", {{"method", req.method}, {"path", req.path}, {"status", res.status},
                                      {"ms", secs * 1000.0}, {"request_id", req.request_id}, {"ip", ip}});
            }
            const bool ok = co_await Write(stream, res, req, version, keep);
            if (!ok || !keep) break;
        }
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
        bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
        Finish(out, res, req);
        out.keep_alive(keep);
        auto [ec, n] = co_await bhttp::async_write(stream, out, asio::as_tuple(asio::use_awaitable));
        co_return !ec;
    }

    // Registers a way to end the connection's reads when the server drains.
    uint64_t Track(std::weak_ptr<tcp::socket> sock, asio::any_io_executor ex) {
        std::lock_guard lock(conns_mutex);
        const uint64_t id = ++next_conn;
        closers[id] = [sock, ex] {
            asio::post(ex, [sock] {
                if (auto s = sock.lock()) {
                    boost::system::error_code ec;
                    s->shutdown(tcp::socket::shutdown_receive, ec);
                }
            });
        };
        ++metrics.open_connections;
        if (draining) closers[id]();
        return id;
    }
    void Untrack(uint64_t id) {
        std::lock_guard lock(conns_mutex);
        closers.erase(id);
        --metrics.open_connections;
    }

    asio::awaitable<void> Connection(tcp::socket socket) {
        std::string ip;
        boost::system::error_code ec;
        auto ep = socket.remote_endpoint(ec);
        if (!ec) ip = ep.address().to_string();
        socket.set_option(tcp::no_delay(true), ec);
        auto ex = co_await asio::this_coro::executor;
        try {
            if (ssl) {
                auto stream = std::make_shared<beast::ssl_stream<beast::tcp_stream>>(std::move(socket), *ssl);
                auto id = Track(std::shared_ptr<tcp::socket>(stream, &beast::get_lowest_layer(*stream).socket()), ex);
                beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(15));
                auto [hec] = co_await stream->async_handshake(asio::ssl::stream_base::server,
                                                              asio::as_tuple(asio::use_awaitable));
                if (!hec) co_await Serve(*stream, ip);
                Untrack(id);
            } else {
                auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
                auto id = Track(std::shared_ptr<tcp::socket>(stream, &stream->socket()), ex);
                co_await Serve(*stream, ip);
                // Half-close, then read what the client still sends (an oversize body) for a moment,
                // so that closing does not reset the connection before it has read our answer.
                boost::system::error_code sec;
                stream->socket().shutdown(tcp::socket::shutdown_send, sec);
                stream->expires_after(std::chrono::milliseconds(500));
                std::array<char, 16384> sink;
                for (size_t discarded = 0; discarded < (8u << 20);) {
                    auto [rec, n] = co_await stream->async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
                    if (rec) break;
                    discarded += n;
                }
                Untrack(id);
            }
        } catch (const std::exception& e) {
            log::Error("connection failed", {{"error", e.what()}});
        }
    }

    asio::awaitable<void> Accept() {
        for (;;) {
            auto& target = *contexts[next_context++ % contexts.size()];
            auto [ec, socket] = co_await acceptor.async_accept(target, asio::as_tuple(asio::use_awaitable));
            if (ec) {
                if (draining || ec == asio::error::operation_aborted) co_return;
                log::Warn("accept failed", {{"error", ec.message()}});
                continue;
            }
            auto ex = socket.get_executor();
            asio::co_spawn(ex, Connection(std::move(socket)), [](std::exception_ptr p) {
                if (!p) return;
                try {
                    std::rethrow_exception(p);
                } catch (const std::exception& e) {
                    log::Error("connection coroutine failed", {{"error", e.what()}});
                }
            });
        }
    }

    void Drain() {
        if (draining.exchange(true)) return;
        log::Info("draining", {{"open_connections", static_cast<long long>(metrics.open_connections.load())}});
        boost::system::error_code ec;
        acceptor.close(ec);
        {
            std::lock_guard lock(conns_mutex);
            for (auto& [id, close] : closers) close();
        }
        drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(opt.drain_seconds);
        PollDrain();
    }

    // Stops the io threads once every connection is closed, or when the drain time is up.
    void PollDrain() {
        if (metrics.open_connections.load() == 0 || std::chrono::steady_clock::now() > drain_deadline) {
            for (auto& c : contexts) c->stop();
            return;
        }
        drain_timer.expires_after(std::chrono::milliseconds(20));
        drain_timer.async_wait([this](boost::system::error_code) { PollDrain(); });
    }
    std::chrono::steady_clock::time_point drain_deadline;
    asio::steady_timer drain_timer{ioc};
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
    asio::co_spawn(impl.ioc, impl.Accept(), asio::detached);
    asio::signal_set signals(impl.ioc, SIGINT, SIGTERM);
    signals.async_wait([&impl](boost::system::error_code ec, int) {
        if (!ec) impl.Drain();
    });
    std::vector<std::thread> threads;
    // Keep the other contexts running while they have no connection yet.
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    for (size_t i = 1; i < impl.contexts.size(); ++i) {
        guards.push_back(asio::make_work_guard(*impl.contexts[i]));
        threads.emplace_back([ctx = impl.contexts[i].get()] { ctx->run(); });
    }
    impl.ioc.run();
    for (auto& t : threads) t.join();
    impl.workers.join();
    log::Info("stopped");
}

}  // namespace cordee::http

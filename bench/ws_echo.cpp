// The baseline of the messaging benchmarks (bench/messaging.sh, bench/README.md): a bare WebSocket fan-out built the
// same way as cordee (the same http::Server, Router::AddSocket and http::Socket, io threads, worker pool and access
// log as `cordee serve` by default) and answering the same requests, with no storage, no session check and no
// access check:
//   GET  /api/v1/live                      WebSocket; the Bearer token is taken as the account's name (not checked);
//                                          "hello", then an "event" frame per message of its conversations, "pong"
//   POST /api/v1/conversations             {kind, title, member_ids}: a conversation kept in memory, 201
//   POST /api/v1/conversations/{id}/messages  {id, body}: numbered, framed as cordee frames it, queued to every
//                                          member's sockets (the author's too, as cordee does), 201 with the message
// Prints the same "listening" log line as `cordee serve`.
//   build/bench_ws_echo [--port 0] [--worker-threads 32] [--io-threads 2]
#include "common/config.hpp"
#include "common/crypto.hpp"
#include "common/ids.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"

#include <boost/json.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

using namespace cordee;
namespace json = boost::json;

namespace {

std::string TokenOf(const http::Request& req) {
    const std::string h = req.Header("authorization");
    if (h.rfind("Bearer ", 0) != 0 || h.size() <= 7) throw Error(Problem::kUnauthenticated, "no token");
    return h.substr(7);
}

json::object BodyOf(const http::Request& req) {
    boost::system::error_code ec;
    auto v = json::parse(req.body, ec);
    if (ec || !v.is_object()) throw Error(Problem::kBadRequest, "JSON object expected");
    return std::move(v.as_object());
}

class Fanout {
public:
    struct Conversation {
        std::vector<std::string> members;
        int64_t last_seq = 0;
    };

    int64_t Attach(const std::string& account, std::shared_ptr<http::Socket> socket) {
        std::lock_guard lock(mu_);
        sockets_[account].push_back(std::move(socket));
        return heads_[account];
    }
    void Detach(const std::string& account, const std::shared_ptr<http::Socket>& socket) {
        std::lock_guard lock(mu_);
        auto it = sockets_.find(account);
        if (it == sockets_.end()) return;
        std::erase(it->second, socket);
        if (it->second.empty()) sockets_.erase(it);
    }
    std::string Create(const std::string& creator, std::vector<std::string> members) {
        members.insert(members.begin(), creator);
        const std::string id = NewUuidV7();
        std::lock_guard lock(mu_);
        conversations_[id].members = std::move(members);
        return id;
    }
    // Numbers the message and queues one event frame to every member's sockets (in number order: under the lock).
    std::optional<json::object> Send(const std::string& author, const std::string& conversation_id, std::string id,
                                     std::string body) {
        const int64_t now = NowMicros();
        std::lock_guard lock(mu_);
        auto it = conversations_.find(conversation_id);
        if (it == conversations_.end()) return std::nullopt;
        Conversation& c = it->second;
        json::object m{{"id", std::move(id)},
                       {"conversation_id", conversation_id},
                       {"seq", ++c.last_seq},
                       {"author_id", author},
                       {"body", std::move(body)},
                       {"deleted", false},
                       {"edited", false},
                       {"created_at", FormatRfc3339(now)},
                       {"version", 1},
                       {"reply_to", nullptr}};
        const std::string data = json::serialize(json::object{{"conversation_id", conversation_id}, {"message", m}});
        const std::string at = FormatRfc3339(now);
        for (const auto& member : c.members) {
            const int64_t seq = ++heads_[member];
            auto s = sockets_.find(member);
            if (s == sockets_.end()) continue;
            const std::string frame = "{\"type\":\"event\",\"seq\":" + std::to_string(seq) +
                                      ",\"kind\":\"message\",\"at\":\"" + at + "\",\"data\":" + data + "}";
            for (const auto& socket : s->second) socket->Send(frame);
        }
        return m;
    }

private:
    std::mutex mu_;
    std::unordered_map<std::string, std::vector<std::shared_ptr<http::Socket>>> sockets_;
    std::unordered_map<std::string, int64_t> heads_;
    std::unordered_map<std::string, Conversation> conversations_;
};

class EchoSession final : public http::SocketSession {
public:
    EchoSession(Fanout& fan, std::string account, std::shared_ptr<http::Socket> socket)
        : fan_(fan), account_(std::move(account)), socket_(std::move(socket)) {}
    void OnText(std::string_view text) override {
        boost::system::error_code ec;
        const auto v = json::parse(text, ec);
        const auto* o = !ec ? v.if_object() : nullptr;
        const auto* type = o ? o->if_contains("type") : nullptr;
        if (type && type->is_string() && type->as_string() == "ping") socket_->Send("{\"type\":\"pong\"}");
        else socket_->Send("{\"type\":\"error\",\"problem\":\"unknown-message\"}");
    }
    void OnClose() override { fan_.Detach(account_, socket_); }

private:
    Fanout& fan_;
    std::string account_;
    std::shared_ptr<http::Socket> socket_;
};

}  // namespace

int main(int argc, char** argv) {
    Config cfg;
    cfg.port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        if (k == "--port") cfg.port = std::stoi(argv[i + 1]);
        else if (k == "--worker-threads") cfg.worker_threads = std::stoi(argv[i + 1]);
        else if (k == "--io-threads") cfg.io_threads = std::stoi(argv[i + 1]);
    }
    crypto::Init();
    log::Init(cfg.log_level);
    Fanout fan;
    http::Router router;
    router.AddSocket("/api/v1/live", [&fan](http::Request& req, std::shared_ptr<http::Socket> socket) {
        const std::string account = TokenOf(req);
        const int64_t head = fan.Attach(account, socket);
        socket->Send("{\"type\":\"hello\",\"seq\":" + std::to_string(head) + "}");
        return std::unique_ptr<http::SocketSession>(std::make_unique<EchoSession>(fan, account, socket));
    });
    router.Add("POST", "/api/v1/conversations", [&fan](http::Request& req) {
        const std::string creator = TokenOf(req);
        const auto body = BodyOf(req);
        std::vector<std::string> members;
        if (const auto* ids = body.if_contains("member_ids"); ids && ids->is_array())
            for (const auto& v : ids->as_array())
                if (v.is_string()) members.emplace_back(v.as_string());
        const std::string id = fan.Create(creator, members);
        json::array ms;
        for (const auto& m : members) ms.push_back(json::object{{"account_id", m}});
        return http::Response::Json(201, json::object{{"id", id}, {"members", std::move(ms)}});
    });
    router.Add("POST", "/api/v1/conversations/{id}/messages", [&fan](http::Request& req) {
        const std::string author = TokenOf(req);
        auto body = BodyOf(req);
        const auto* id = body.if_contains("id");
        const auto* text = body.if_contains("body");
        if (!text || !text->is_string()) throw Error(Problem::kBadRequest, "body expected");
        auto m = fan.Send(author, req.Param("id"), id && id->is_string() ? std::string(id->as_string()) : NewUuidV7(),
                          std::string(text->as_string()));
        if (!m) throw Error(Problem::kNotFound, "no such conversation");
        return http::Response::Json(201, *m);
    });
    http::StaticFiles none("");
    http::Metrics metrics;
    http::ServerOptions opt;
    opt.listen = cfg.listen;
    opt.port = cfg.port;
    opt.io_threads = cfg.io_threads;
    opt.worker_threads = cfg.WorkerThreads();
    opt.access_log = cfg.access_log;
    http::Server server(opt, router, none, metrics);
    const int port = server.Listen();
    log::Info("listening", {{"url", "http://" + cfg.listen + ":" + std::to_string(port)},
                            {"worker_threads", cfg.WorkerThreads()}});
    server.Run();
    log::Flush();
    return 0;
}

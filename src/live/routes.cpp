#include "live/routes.hpp"

#include "auth/http_auth.hpp"

#include <boost/json.hpp>

#include <chrono>

namespace cordee::live {
namespace {

// What a client may send: pings, at most kBurst messages in kWindow (a client past it is closed: it is broken or
// hostile, and the others must not pay for it).
constexpr int kBurst = 60;
constexpr auto kWindow = std::chrono::seconds(10);

std::string OriginOf(const std::string& url) {
    // scheme://host[:port] of a URL, lower case.
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) return {};
    const auto path = url.find('/', scheme_end + 3);
    std::string o = url.substr(0, path);
    for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
}

// A browser always says where the page that opens a socket comes from: a page of another site (which would ride
// on our session cookie) is refused. Clients that are not browsers send no Origin and hold a Bearer token.
void CheckOrigin(const http::Request& req, const auth::Credentials& c, const Config& cfg) {
    const std::string origin = OriginOf(req.Header("origin"));
    if (origin.empty()) {
        if (c.from_cookie || req.Header("origin").size())
            throw Error(Problem::kOriginRefused, "Cette connexion doit venir d'une page de Cordée.");
        return;
    }
    std::string host = req.Header("host");
    for (char& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (origin == OriginOf(cfg.public_url) || origin == (req.tls ? "https://" : "http://") + host) return;
    throw Error(Problem::kOriginRefused, "Cette connexion vient d'une page d'un autre site : elle est refusée.");
}

class LiveSession final : public http::SocketSession {
public:
    LiveSession(Hub& hub, std::shared_ptr<http::Socket> socket) : hub_(hub), socket_(std::move(socket)) {}
    void Start(const std::string& account_id, std::optional<int64_t> after, std::function<bool()> still_allowed) {
        sub_ = hub_.Subscribe(account_id, after, socket_, std::move(still_allowed));
    }

    void OnText(std::string_view text) override {
        const auto now = std::chrono::steady_clock::now();
        if (now - window_start_ > kWindow) {
            window_start_ = now;
            in_window_ = 0;
        }
        if (++in_window_ > kBurst) {
            Reply("error", "too-many-messages");
            socket_->Close();
            return;
        }
        boost::system::error_code ec;
        const auto v = boost::json::parse(text, ec);
        const auto* o = !ec ? v.if_object() : nullptr;
        const auto* type = o ? o->if_contains("type") : nullptr;
        if (type && type->is_string() && type->as_string() == "ping") {
            Reply("pong", "");
            return;
        }
        Reply("error", "unknown-message");
    }
    void OnClose() override {
        if (sub_) hub_.Unsubscribe(sub_);
    }

private:
    void Reply(const char* type, const char* problem) {
        boost::json::object o{{"type", type}};
        if (*problem) o["problem"] = problem;
        socket_->Send(boost::json::serialize(o));
    }

    Hub& hub_;
    std::shared_ptr<http::Socket> socket_;
    std::shared_ptr<Hub::Subscriber> sub_;
    std::chrono::steady_clock::time_point window_start_ = std::chrono::steady_clock::now();
    int in_window_ = 0;
};

}  // namespace

void RegisterRoutes(http::Router& r, Hub& hub, auth::AuthService& auth, const Config& cfg) {
    r.AddSocket("/api/v1/live", [&hub, &auth, &cfg](http::Request& req, std::shared_ptr<http::Socket> socket) {
        const auth::Credentials c = auth::CredentialsOf(req);
        CheckOrigin(req, c, cfg);
        const auth::Principal p = auth.Authenticate(c);
        const auto after = http::QueryNumber(req, "after", "numéro du dernier événement reçu attendu (entier positif)");
        auto session = std::make_unique<LiveSession>(hub, std::move(socket));
        // The session is asked again every minute: a logout or a disabled account closes its sockets.
        session->Start(p.account_id, after, [&auth, c] {
            try {
                auth.Authenticate(c);
                return true;
            } catch (const Error&) {
                return false;
            }
        });
        return std::unique_ptr<http::SocketSession>(std::move(session));
    });
}

}  // namespace cordee::live

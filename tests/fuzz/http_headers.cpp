// Fuzz target: what the server and the routes read from a request before any service runs. The input is a
// request as text: "METHOD TARGET", then "name: value" header lines, then an empty line and the body. It is
// split the way the server hands it over (names in lower case, values as sent), then goes through the real
// code: the target split (path + query, http/request_target), X-Request-Id, Request::Cookie and
// auth::CredentialsOf (Bearer or session cookie), If-Match (http::IfMatchVersion), Idempotency-Key
// (storage::CheckIdempotencyKey), routing (Router::Find) and Dispatch with handlers shaped like the app's
// (JSON body, path parameter, query). Dispatch must answer, never with a 500, and always with readable JSON.
#include "auth/http_auth.hpp"
#include "common/errors.hpp"
#include "common/json_input.hpp"
#include "common/text.hpp"
#include "http/request_target.hpp"
#include "http/router.hpp"
#include "storage/idempotency.hpp"

#include <boost/json.hpp>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace cordee;

namespace {

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                     \
        }                                                                                     \
    } while (0)

bool Printable(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x21 || c > 0x7E) return false;
    return true;
}

// RFC 6265 §5.4 as browsers send it: pairs separated by ";", optional spaces, the name ends at the pair's
// first "="; a pair without "=" (a browser sends "foo" for document.cookie = "foo") names nothing.
std::string ReferenceCookie(const std::string& all, std::string_view name) {
    size_t i = 0;
    while (i <= all.size()) {
        size_t end = all.find(';', i);
        if (end == std::string::npos) end = all.size();
        std::string_view pair(all.data() + i, end - i);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        const size_t eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
        i = end + 1;
    }
    return {};
}

const http::Router& AppLikeRouter() {
    static const http::Router router = [] {
        http::Router r;
        r.Add("GET", "/api/v1/patients", [](http::Request& req) {
            const std::string q = req.Query("q"), status = req.Query("status");
            return http::Response::Json(200, {{"n", q.size() + status.size()}});
        });
        r.Add("GET", "/api/v1/patients/{id}", [](http::Request& req) {
            if (!IsValidUtf8(req.Param("id")) || req.Param("id").size() != 36) throw NotFound();
            return http::Response::Json(200, {{"id", req.Param("id")}});
        });
        r.Add("PATCH", "/api/v1/patients/{id}", [](http::Request& req) {
            const int64_t version = http::IfMatchVersion(req);
            CHECK(version >= 0);
            JsonInput in(req.body);
            in.OnlyFields({"phone", "address"});
            auto phone = in.OptText("phone", 30);
            in.Done();
            return http::Response::Json(200, {{"version", version + 1}, {"phone", phone ? *phone : ""}});
        });
        r.Add("POST", "/api/v1/patients/{id}/notebook", [](http::Request& req) {
            const std::string key = storage::CheckIdempotencyKey(req.Header("idempotency-key"));
            CHECK(key.size() <= 128 && Printable(key));
            JsonInput in(req.body);
            const std::string body = in.Text("body", 1, 10000);
            in.Done();
            return http::Response::Json(201, {{"key", key}, {"chars", CodePoints(body)}});
        });
        r.AddUpload("POST", "/api/v1/patients/{id}/attachments",
                    [](http::Request& req) { return http::Response::Json(201, {{"size", req.body.size()}}); });
        r.Add("DELETE", "/api/v1/sessions/current", [](http::Request& req) {
            const auth::Credentials c = auth::CredentialsOf(req);
            if (c.token.empty()) throw Unauthenticated();
            return http::Response::NoContent();
        });
        return r;
    }();
    return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    http::Request req;
    req.remote_ip = "203.0.113.7";

    size_t pos = 0;
    auto next_line = [&](std::string_view& line) {
        if (pos >= in.size()) return false;
        size_t nl = in.find('\n', pos);
        if (nl == std::string_view::npos) nl = in.size();
        line = in.substr(pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = nl + 1;
        return true;
    };
    std::string_view line;
    if (!next_line(line)) return 0;
    const size_t sp = line.find(' ');
    req.method = std::string(line.substr(0, sp));
    const std::string_view target = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
    while (next_line(line) && !line.empty()) {
        const size_t colon = line.find(':');
        std::string name(line.substr(0, colon));
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        req.headers.emplace_back(std::move(name), std::string(value));
    }
    if (pos < in.size()) req.body = std::string(in.substr(pos));

    // As Server::Impl::Convert does.
    const std::string rid = req.Header("x-request-id");
    req.request_id = http::ValidRequestId(rid) ? rid : "fuzz-request";
    CHECK(req.request_id.size() <= 64 && Printable(req.request_id));
    if (!http::ParseTarget(target, req.path, req.query)) {
        CHECK(req.path.empty() && req.query.empty());
    } else {
        CHECK(!req.path.empty() && req.path.front() == '/');
    }

    for (const char* name : {auth::kSessionCookie, auth::kCsrfCookie, "", "a"}) {
        const std::string v = req.Cookie(name);
        CHECK(v == ReferenceCookie(req.Header("cookie"), name));
        CHECK(v.find(';') == std::string::npos);
        CHECK(v.size() <= req.Header("cookie").size());
    }
    const auth::Credentials cred = auth::CredentialsOf(req);
    CHECK(cred.token.size() <= 128);
    // A cookie too long to be ours leaves from_cookie set with no token: Authenticate refuses an empty token.
    CHECK(!cred.from_cookie || cred.token.empty() || cred.token == req.Cookie(auth::kSessionCookie));
    CHECK(cred.unsafe_method == (req.method != "GET" && req.method != "HEAD"));

    try {
        CHECK(http::IfMatchVersion(req) >= 0);
    } catch (const Error& e) {
        CHECK(e.status() == 428 || e.status() == 422);
    }
    try {
        const std::string key = storage::CheckIdempotencyKey(req.Header("idempotency-key"));
        CHECK(key.size() <= 128 && Printable(key));
    } catch (const Error& e) {
        CHECK(e.status() == 422);
    }

    if (req.path.empty()) return 0;  // the server answers 400 before routing
    const auto match = AppLikeRouter().Find(req.method, req.path);
    const http::Response res = http::Dispatch(match, req);
    CHECK(res.status != 500);
    CHECK(res.status >= 200 && res.status < 500);
    if (!res.body.empty()) {
        boost::system::error_code ec;
        const auto v = boost::json::parse(res.body, ec);
        CHECK(!ec && v.is_object());
    }
    return 0;
}

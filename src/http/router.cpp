#include "http/router.hpp"

#include "common/log.hpp"
#include "common/network_thread.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace cordee::http {
namespace {

std::vector<std::string> Split(std::string_view path) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '/') {
            ++i;
            continue;
        }
        const size_t j = path.find('/', i);
        out.emplace_back(path.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
        if (j == std::string_view::npos) break;
        i = j;
    }
    return out;
}

bool IsJsonContentType(const std::string& ct) {
    return ct.rfind("application/json", 0) == 0 || ct.rfind("application/merge-patch+json", 0) == 0;
}

}  // namespace

std::string Request::Header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
        if (k == lower_name) return v;
    return {};
}

std::string Request::Cookie(std::string_view name) const {
    // Pairs separated by ";" (RFC 6265 §5.4); a name ends at the first "=" of its own pair, so that a pair
    // without "=" (a browser sends "foo" for document.cookie = "foo") hides nothing after it.
    const std::string all = Header("cookie");
    size_t i = 0;
    while (i < all.size()) {
        while (i < all.size() && (all[i] == ' ' || all[i] == ';')) ++i;
        size_t end = all.find(';', i);
        if (end == std::string::npos) end = all.size();
        const size_t eq = all.find('=', i);
        if (eq < end && std::string_view(all).substr(i, eq - i) == name) return all.substr(eq + 1, end - eq - 1);
        i = end + 1;
    }
    return {};
}

std::string Request::Query(std::string_view name) const {
    auto it = query.find(std::string(name));
    return it == query.end() ? std::string() : it->second;
}

Response Response::Json(int status, const boost::json::value& v) {
    Response r;
    r.status = status;
    r.body = boost::json::serialize(v);
    return r;
}

Response Response::NoContent() {
    Response r;
    r.status = 204;
    r.content_type.clear();
    return r;
}

Response Response::Text(int status, std::string body, std::string content_type) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    return r;
}

void Router::Add(std::string method, std::string pattern, Handler handler) {
    const Runs runs = method == "GET" ? Runs::kInline : Runs::kWorker;
    Add(std::move(method), std::move(pattern), std::move(handler), runs);
}

void Router::Add(std::string method, std::string pattern, Handler handler, Runs runs) {
    Route r{std::move(method), pattern, Split(pattern), std::move(handler), runs};
    routes_.push_back(std::move(r));
}

void Router::AddUpload(std::string method, std::string pattern, Handler handler) {
    Add(std::move(method), std::move(pattern), std::move(handler), Runs::kWorker);
    routes_.back().raw_body = true;
}

void Router::AddUpload(std::string method, std::string pattern, Precheck precheck, Handler handler) {
    AddUpload(std::move(method), std::move(pattern), std::move(handler));
    routes_.back().precheck = std::move(precheck);
}

void Router::AddSocket(std::string pattern, SocketOpen open) {
    Add("GET", std::move(pattern), [](Request&) -> Response {
        throw Error(Problem::kUpgradeRequired, "Cette adresse s'ouvre en WebSocket (en-tête Upgrade: websocket).")
            .WithHeader("Upgrade", "websocket");
    }, Runs::kInline);
    routes_.back().socket = std::move(open);
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
    Match m;
    const auto segs = Split(path);
    for (const auto& r : routes_) {
        if (r.segments.size() != segs.size()) continue;
        std::map<std::string, std::string> params;
        bool ok = true;
        for (size_t i = 0; i < segs.size() && ok; ++i) {
            const auto& p = r.segments[i];
            if (p.size() > 2 && p.front() == '{' && p.back() == '}') params[p.substr(1, p.size() - 2)] = segs[i];
            else ok = p == segs[i];
        }
        if (!ok) continue;
        if (r.method == method || (method == "HEAD" && r.method == "GET")) {
            m.route = &r;
            m.params = std::move(params);
            return m;
        }
        m.allowed.push_back(r.method);
    }
    return m;
}

std::vector<std::string> Router::Table() const {
    std::vector<std::string> out;
    for (const auto& r : routes_) out.push_back(r.method + " " + r.pattern);
    return out;
}

std::optional<int64_t> QueryNumber(const Request& req, const std::string& name, const std::string& message) {
    const auto it = req.query.find(name);
    if (it == req.query.end()) return std::nullopt;
    const std::string& v = it->second;
    if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) throw Invalid(name, message);
    return std::stoll(v);
}

int64_t IfMatchVersion(const Request& req) {
    std::string v = req.Header("if-match");
    if (v.empty()) {
        throw Error(Problem::kPreconditionRequired,
                    "Indiquez la version modifiée dans l'en-tête If-Match.");
    }
    v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
    try {
        size_t pos = 0;
        const long long n = std::stoll(v, &pos);
        if (pos == v.size() && n >= 0) return n;
    } catch (...) {
    }
    throw Invalid("If-Match", "version invalide");
}

Response Problem(const Error& e, const std::string& request_id) {
    boost::json::object o;
    o["type"] = "urn:cordee:problem:" + e.slug();
    o["title"] = e.title();
    o["status"] = e.status();
    if (!e.detail().empty()) o["detail"] = e.detail();
    if (!e.errors().empty()) {
        boost::json::array arr;
        for (const auto& fe : e.errors()) arr.push_back({{"field", fe.field}, {"message", fe.message}});
        o["errors"] = std::move(arr);
    }
    for (const auto& [k, v] : e.extra) o[k] = v;
    o["request_id"] = request_id;
    Response r = Response::Json(e.status(), o);
    r.content_type = "application/problem+json";
    for (const auto& h : e.headers) r.headers.push_back(h);
    return r;
}

namespace {

Response InternalProblem(const Request& req, const std::exception& e) {
    // Internals go to the log with the request id, never to the client.
    log::Error("unhandled", {{"request_id", req.request_id}, {"error", e.what()}});
    return Problem(Error(Problem::kInternal,
                         "Une erreur inattendue s'est produite. Réessayez ; si elle persiste, "
                         "communiquez ce numéro au support : " + req.request_id + "."),
                   req.request_id);
}

}  // namespace

std::optional<Response> RunPrecheck(const Router::Match& match, Request& req) {
    if (!match.route || !match.route->precheck) return std::nullopt;
    try {
        req.params = match.params;
        match.route->precheck(req);
        return std::nullopt;
    } catch (const Error& e) {
        return Problem(e, req.request_id);
    } catch (const std::exception& e) {
        return InternalProblem(req, e);
    }
}

Response Dispatch(const Router::Match& match, Request& req) {
    try {
        if (!match.route) {
            if (match.allowed.empty()) throw NotFound("Aucune ressource à cette adresse.");
            std::string allow;
            for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
            Error e(Problem::kMethodNotAllowed, "Cette adresse accepte : " + allow + ".");
            e.WithHeader("Allow", allow);
            throw e;
        }
        if (!req.body.empty() && !match.route->raw_body && !IsJsonContentType(req.Header("content-type"))) {
            throw Error(Problem::kUnsupportedMediaType,
                        "Le corps de la requête doit être en JSON (Content-Type: application/json).");
        }
        req.params = match.params;
        return match.route->handler(req);
    } catch (const Error& e) {
        return Problem(e, req.request_id);
    } catch (const MustRunOnWorker&) {
        throw;  // the server runs the handler again on the worker pool (common/network_thread.hpp)
    } catch (const std::exception& e) {
        return InternalProblem(req, e);
    }
}

}  // namespace cordee::http

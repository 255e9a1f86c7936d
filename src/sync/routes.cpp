#include "sync/routes.hpp"

#include "auth/http_auth.hpp"
#include "http/compress.hpp"
#include "patients/http_input.hpp"

#include <boost/json.hpp>

namespace cordee::sync {
namespace {

namespace json = boost::json;

json::object ItemJson(const Item& it) {
    json::object o{{"collection", it.collection}, {"key", it.key}};
    o["patient_id"] = it.patient_id.empty() ? json::value(nullptr) : json::value(it.patient_id);
    if (it.value.is_null()) {
        o["op"] = "delete";
        o["reason"] = it.reason;
    } else {
        o["op"] = "put";
        o["value"] = it.value;
    }
    return o;
}

}  // namespace

void RegisterRoutes(http::Router& r, SyncService& sync, auth::AuthService& auth) {
    const auto worker = http::Runs::kWorker;  // audited, and it may write the feed's tombstones
    r.Add("GET", "/api/v1/sync", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string since = req.Query("since").substr(0, 1000);  // longer is no cursor of ours: reset
        const int limit = patients::LimitParam(req, 500, 2000);
        const Page page = sync.Read(p, since, limit);
        json::array changes;
        for (const auto& it : page.items) changes.push_back(ItemJson(it));
        const json::object body{{"changes", changes}, {"cursor", page.cursor}, {"more", page.more},
                                {"key_id", page.key_id}};
        // A first sync on a weak mobile link is mostly repeated JSON names: compressed, it is a fifth of the size.
        return http::MaybeGzip(req, http::Response::Json(200, body));
    }, worker);

    r.Add("GET", "/api/v1/sync/key", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const KeyRow k = sync.Key(p);
        return http::Response::Json(200, {{"key_id", k.key_id}, {"key", k.secret}}).Header("Cache-Control", "no-store");
    }, worker);

    r.Add("DELETE", "/api/v1/sync/key", [&](http::Request& req) {
        sync.RevokeKey(auth::RequireAccount(auth, req));
        return http::Response::NoContent();
    }, worker);
}

}  // namespace cordee::sync

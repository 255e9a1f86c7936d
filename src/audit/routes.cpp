#include "audit/routes.hpp"

#include "audit/audit.hpp"
#include "auth/http_auth.hpp"

#include <boost/json.hpp>

namespace cordee::audit {

void RegisterRoutes(http::Router& r, storage::Database& db, auth::AuthService& auth, AnchorOptions anchors) {
    r.Add("GET", "/api/v1/audit", [&db, &auth](http::Request& req) {
        auth::RequireRole(auth, req, {auth::kOperator});
        Filter f;
        f.action = req.Query("action").substr(0, 100);
        f.actor = req.Query("actor").substr(0, 254);
        f.outcome = req.Query("outcome").substr(0, 20);
        f.target_id = req.Query("target").substr(0, 64);
        try {
            if (!req.Query("before").empty()) f.before = std::stoll(req.Query("before"));
            if (!req.Query("limit").empty()) f.limit = std::clamp(std::stoi(req.Query("limit")), 1, 200);
        } catch (...) {
            throw Invalid("before", "nombre attendu");
        }
        return http::Response::Json(200, List(db, f));
    });

    r.Add("GET", "/api/v1/audit/verify", [&db, &auth, anchors](http::Request& req) {
        auth::RequireRole(auth, req, {auth::kOperator});
        const auto v = Verify(db, &anchors);
        boost::json::object o{{"ok", v.ok}, {"checked", v.checked}};
        o["first_bad_seq"] = v.first_bad_seq ? boost::json::value(*v.first_bad_seq) : nullptr;
        o["problem"] = v.ok ? boost::json::value(nullptr) : boost::json::value(v.problem);
        boost::json::array not_checked;
        for (const auto& n : v.not_checked) not_checked.emplace_back(n);
        o["anchors"] = boost::json::object{
            {"anchored", v.anchored},
            {"checkpoints", v.checkpoints},
            {"last_checkpoint_at", v.last_checkpoint_at.empty() ? boost::json::value(nullptr)
                                                                : boost::json::value(v.last_checkpoint_at)},
            {"unanchored_entries", v.anchored ? v.unanchored : v.checked},
            {"not_checked", not_checked}};
        return http::Response::Json(200, o);
    }, http::Runs::kWorker);
}

}  // namespace cordee::audit

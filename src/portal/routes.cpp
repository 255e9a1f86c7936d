#include "portal/routes.hpp"

#include "auth/http_auth.hpp"
#include "common/ids.hpp"
#include "common/json_input.hpp"
#include "storage/idempotency.hpp"

#include <boost/json.hpp>

namespace cordee::portal {

void RegisterRoutes(http::Router& r, PortalService& portal, auth::AuthService& auth) {
    r.Add("GET", "/api/v1/portal", [&](http::Request& req) {
        return http::Response::Json(200, portal.Summary(auth::RequireAccount(auth, req)));
    });

    r.Add("GET", "/api/v1/me/favorites", [&](http::Request& req) {
        return http::Response::Json(200, {{"items", portal.Favorites(auth::RequireAccount(auth, req))}});
    });

    r.Add("POST", "/api/v1/me/favorites", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string key = storage::CheckIdempotencyKey(req.Header("idempotency-key"));
        JsonInput in(req.body);
        const std::string label = in.Text("label", 1, 200);
        const std::string url = in.Text("url", 1, 2000);
        // Only links inside Cordée: a favourite must never become a phishing link shown in the portal.
        if (!url.empty() && (url[0] != '/' || url.rfind("//", 0) == 0)) in.Fail("url", "lien interne attendu (commençant par /)");
        in.Done();
        auto [status, body] = portal.AddFavorite(p, label, url, key);
        return http::Response::Text(status, body, "application/json");
    });

    r.Add("DELETE", "/api/v1/me/favorites/{id}", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        if (!IsUuid(req.Param("id"))) throw NotFound();
        portal.RemoveFavorite(p, req.Param("id"));
        return http::Response::NoContent();
    });
}

}  // namespace cordee::portal

#include "push/routes.hpp"

#include "auth/http_auth.hpp"
#include "push/subscription_input.hpp"

#include <boost/json.hpp>

namespace cordee::push {

void RegisterRoutes(http::Router& r, PushService& push, auth::AuthService& auth) {
    // Public by nature (every browser that subscribes gets it), so no session is needed to read it.
    r.Add("GET", "/api/v1/push/key", [&push](http::Request&) {
        return http::Response::Json(200, boost::json::object{{"public_key", push.PublicKey()}});
    });

    r.Add("POST", "/api/v1/push/subscriptions", [&push, &auth](http::Request& req) {
        const auto p = auth::RequireAccount(auth, req);
        const SubscriptionInput in = ParseSubscription(req.body, push.Hosts());
        auto [status, out] = push.Subscribe(p, in);
        return http::Response::Json(status, out);
    });

    r.Add("DELETE", "/api/v1/push/subscriptions", [&push, &auth](http::Request& req) {
        const auto p = auth::RequireAccount(auth, req);
        push.Unsubscribe(p, ParseEndpointOnly(req.body));
        return http::Response::NoContent();
    });
}

}  // namespace cordee::push

#include "alerts/routes.hpp"

#include "auth/http_auth.hpp"
#include "common/ids.hpp"
#include "patients/http_input.hpp"
#include "storage/idempotency.hpp"

#include <boost/json.hpp>

namespace cordee::alerts {

void RegisterRoutes(http::Router& r, AlertService& alerts, auth::AuthService& auth) {
    r.Add("GET", "/api/v1/alerts", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        patients::EnumParam(req, "state", {"open"});
        return http::Response::Json(200, alerts.Mine(p));
    }, http::Runs::kWorker);

    r.Add("GET", "/api/v1/patients/{id}/alerts", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string state = patients::EnumParam(req, "state", {"open", "all"});
        return http::Response::Json(200, alerts.List(p, patients::IdParam(req, "id"), state == "open"));
    }, http::Runs::kWorker);

    r.Add("POST", "/api/v1/patients/{id}/alerts", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string& id = patients::IdParam(req, "id");
        const std::string key = storage::CheckIdempotencyKey(req.Header("idempotency-key"));
        const auto body = ParseJsonObject(req.body);
        JsonInput in(body);
        in.OnlyFields({"kind", "severity", "body", "recipients"});
        // bris_de_glace is raised by the emergency access itself, never by hand.
        std::vector<std::string> kinds;
        for (const auto& k : kKinds)
            if (k != "bris_de_glace") kinds.push_back(k);
        auto kind = patients::EnumField(body, in, "kind", kinds, true);
        auto severity = patients::EnumField(body, in, "severity", kSeverities, false);
        const std::string text = in.Text("body", 1, 2000);
        std::vector<std::string> recipients;
        if (auto it = body.find("recipients"); it != body.end() && !it->value().is_null()) {
            if (!it->value().is_array() || it->value().as_array().size() > 100) {
                in.Fail("recipients", "liste de 100 membres au plus");
            } else {
                for (const auto& v : it->value().as_array()) {
                    if (!v.is_string() || !IsUuid(v.as_string())) {
                        in.Fail("recipients", "identifiant de membre invalide");
                        break;
                    }
                    recipients.emplace_back(v.as_string());
                }
            }
        }
        in.Done();
        auto [status, out] = alerts.RaiseByMember(p, id, *kind, severity.value_or("importante"), text, recipients, key);
        return http::Response{status, "application/json", out, {}};
    });

    r.Add("POST", "/api/v1/patients/{id}/alerts/{alert}/ack", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        return http::Response::Json(200, alerts.Acknowledge(p, patients::IdParam(req, "id"), patients::IdParam(req, "alert")));
    });
}

}  // namespace cordee::alerts

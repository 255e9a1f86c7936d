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
        in.OnlyFields({"kind", "severity", "body", "recipients", "visibility", "structure_id"});
        // bris_de_glace is raised by the emergency access itself, never by hand.
        std::vector<std::string> kinds;
        for (const auto& k : kKinds)
            if (k != "bris_de_glace") kinds.push_back(k);
        MemberAlert a;
        a.kind = patients::EnumField(body, in, "kind", kinds, true).value_or("");
        a.severity = patients::EnumField(body, in, "severity", kSeverities, false).value_or("importante");
        a.body = in.Text("body", 1, 2000);
        // As in the notebook; an alert without a visibility is for the whole circle (a fall concerns everyone).
        a.visibility = patients::EnumField(body, in, "visibility", kVisibilities, false).value_or("circle");
        if (auto st = in.OptText("structure_id", 36); st && !st->empty()) {
            if (!IsUuid(*st)) in.Fail("structure_id", "identifiant invalide");
            a.structure_id = *st;
        }
        std::vector<patients::MemberId>& recipients = a.member_ids;
        if (auto it = body.find("recipients"); it != body.end() && !it->value().is_null()) {
            if (!it->value().is_array() || it->value().as_array().size() > 100) {
                in.Fail("recipients", "liste de 100 membres au plus");
            } else {
                for (const auto& v : it->value().as_array()) {
                    if (!v.is_string() || !IsUuid(v.as_string())) {
                        in.Fail("recipients", "identifiant de membre invalide");
                        break;
                    }
                    recipients.emplace_back(std::string(v.as_string()));
                }
            }
        }
        in.Done();
        auto [status, out] = alerts.RaiseByMember(p, id, a, key);
        return http::Response{status, "application/json", out, {}};
    });

    r.Add("POST", "/api/v1/patients/{id}/alerts/{alert}/ack", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        return http::Response::Json(200, alerts.Acknowledge(p, patients::IdParam(req, "id"), AlertId(patients::IdParam(req, "alert"))));
    });
}

}  // namespace cordee::alerts

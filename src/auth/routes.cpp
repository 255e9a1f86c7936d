#include "auth/http_auth.hpp"
#include "common/ids.hpp"
#include "common/json_input.hpp"
#include "common/text.hpp"

#include <boost/json.hpp>

namespace cordee::auth {
namespace {

std::string SessionCookie(const std::string& name, const std::string& value, bool http_only, int64_t max_age) {
    // What the __Host- prefix requires: Secure, Path=/, no Domain.
    std::string c = name + "=" + value + "; Path=/; Secure; SameSite=Strict";
    if (http_only) c += "; HttpOnly";
    if (max_age >= 0) c += "; Max-Age=" + std::to_string(max_age);
    return c;
}

}  // namespace

http::Response WithSession(http::Response r, const std::string& token, const std::string& csrf, int64_t max_age) {
    r.Header("Set-Cookie", SessionCookie(kSessionCookie, token, true, max_age));
    r.Header("Set-Cookie", SessionCookie(kCsrfCookie, csrf, false, max_age));
    return r;
}

http::Response ClearSession(http::Response r) {
    r.Header("Set-Cookie", SessionCookie(kSessionCookie, "", true, 0));
    r.Header("Set-Cookie", SessionCookie(kCsrfCookie, "", false, 0));
    return r;
}

// A full session, to the client that asked for it the way it holds it. A browser (the pending step came in the
// cookie) gets the cookies and no token in the body: the HttpOnly cookie is then the only copy, out of reach of
// scripts. An API client (the pending step came as Bearer) gets the token in the body and no cookie.
http::Response SessionResponse(const Credentials& c, boost::json::object body, const OpenSession& s, int64_t max_age) {
    body["csrf_token"] = s.csrf_token;
    body["account"] = ToJson(s.account);
    if (c.from_cookie) return WithSession(http::Response::Json(200, body), s.token, s.csrf_token, max_age);
    body["token"] = s.token;
    return http::Response::Json(200, body);
}

namespace {

// The password step (or the e-mail link) does not know yet how the client will hold its session: it gets both.
// The pending token can do nothing but the second factor, for 10 minutes, and is replaced when it succeeds.
http::Response PendingResponse(const PendingLogin& p) {
    return WithSession(http::Response::Json(200, {{"next", p.next}, {"pending_token", p.token}, {"csrf_token", p.csrf_token}}),
                       p.token, p.csrf_token, 600);
}

std::string CodeOf(const http::Request& req) {
    JsonInput in(req.body);
    std::string code = in.Text("code", 6, 20);
    in.Done();
    return code;
}

const std::string& UuidParam(const http::Request& req, const std::string& name) {
    const auto& v = req.Param(name);
    if (!IsUuid(v)) throw NotFound();
    return v;
}

}  // namespace

Principal RequireAccount(AuthService& auth, const http::Request& req) { return auth.Authenticate(CredentialsOf(req)); }

Principal RequireRole(AuthService& auth, const http::Request& req, std::initializer_list<const char*> roles) {
    Principal p = RequireAccount(auth, req);
    for (const char* r : roles)
        if (p.role == r) return p;
    auth.AuditDenied(p, "access.denied " + req.method + " " + req.path, req.remote_ip);
    throw Forbidden("Cette page est réservée à d'autres rôles que le vôtre.");
}

void RegisterRoutes(http::Router& r, AuthService& auth) {
    const int64_t full_age = auth.config().session_absolute_seconds;

    r.Add("POST", "/api/v1/auth/login", [&auth](http::Request& req) {
        JsonInput in(req.body);
        const std::string email = in.Email("email");
        const std::string password = in.Secret("password", 256);
        in.Done();
        return PendingResponse(auth.Login(email, password, req.remote_ip));
    });

    r.Add("POST", "/api/v1/auth/totp", [&auth, full_age](http::Request& req) {
        const std::string code = CodeOf(req);
        const Credentials c = CredentialsOf(req);
        return SessionResponse(c, {}, auth.CompleteTotp(c, code), full_age);
    });

    r.Add("GET", "/api/v1/auth/totp/enrol", [&auth](http::Request& req) {
        auto [secret, uri] = auth.BeginTotpEnrolment(CredentialsOf(req));
        return http::Response::Json(200, {{"secret", secret}, {"otpauth_uri", uri}});
    }, http::Runs::kWorker);

    r.Add("POST", "/api/v1/auth/totp/enrol", [&auth, full_age](http::Request& req) {
        const std::string code = CodeOf(req);
        const Credentials c = CredentialsOf(req);
        auto e = auth.FinishTotpEnrolment(c, code);
        boost::json::array codes;
        for (const auto& rc : e.recovery_codes) codes.push_back(boost::json::value(rc));
        boost::json::object body{{"recovery_codes", codes}, {"status", e.status}};
        if (e.session) return SessionResponse(c, std::move(body), *e.session, full_age);
        return ClearSession(http::Response::Json(200, body));
    });

    r.Add("POST", "/api/v1/auth/logout", [&auth](http::Request& req) {
        auth.Logout(CredentialsOf(req));
        return ClearSession(http::Response::NoContent());
    });

    r.Add("POST", "/api/v1/auth/logout-all", [&auth](http::Request& req) {
        auth.LogoutEverywhere(RequireAccount(auth, req));
        return ClearSession(http::Response::NoContent());
    });

    r.Add("POST", "/api/v1/auth/password-reset", [&auth](http::Request& req) {
        JsonInput in(req.body);
        const std::string email = in.Email("email");
        in.Done();
        auth.RequestPasswordReset(email, req.remote_ip);
        return http::Response::Json(202, {{"status", "sent_if_known"}});
    });

    r.Add("POST", "/api/v1/auth/password-reset/confirm", [&auth](http::Request& req) {
        JsonInput in(req.body);
        const std::string token = in.Text("token", 10, 128);
        const std::string password = in.Password("password");
        in.Done();
        auth.ResetPassword(token, password, req.remote_ip);
        return ClearSession(http::Response::NoContent());
    });

    r.Add("POST", "/api/v1/enrolments", [&auth](http::Request& req) {
        JsonInput in(req.body);
        SignUp s;
        s.email = in.Email("email");
        s.password = in.Password("password");
        s.first_name = in.Text("first_name", 1, 100);
        s.last_name = in.Text("last_name", 1, 100);
        // With an RPPS number the profession is the directory's; without, a code of the closed list.
        s.profession_code = in.OptText("profession_code", 10).value_or("");
        s.profession_label = in.OptText("profession_label", 100).value_or("");
        s.specialty = in.OptText("specialty", 100).value_or("");
        // The 11 digits, or the 12-digit national identifier ("8" + them) pasted from elsewhere: kept as the 11.
        const std::string typed_rpps = in.OptText("rpps", 20).value_or("");
        s.rpps = RppsNumber(typed_rpps);
        if (!typed_rpps.empty() && s.rpps.empty()) in.Fail("rpps", "le numéro RPPS compte 11 chiffres (ou 12 en commençant par 8)");
        s.phone = in.OptText("phone", 30).value_or("");
        s.structure_id = in.OptText("structure_id", 36).value_or("");
        if (!s.structure_id.empty() && !IsUuid(s.structure_id)) in.Fail("structure_id", "structure inconnue");
        if (auto p = in.OptObject("structure_proposal")) {
            s.proposal_name = p->Text("name", 2, 200);
            s.proposal_commune = p->Text("commune", 1, 100);
            p->Done();
        }
        in.Done();
        auth.Register(s, req.remote_ip);
        return http::Response::Json(202, {{"status", "pending_email"}});
    });

    r.Add("POST", "/api/v1/enrolments/confirm-email", [&auth](http::Request& req) {
        JsonInput in(req.body);
        const std::string token = in.Text("token", 10, 128);
        in.Done();
        return PendingResponse(auth.ConfirmEmail(token, req.remote_ip));
    });

    r.Add("GET", "/api/v1/enrolments", [&auth](http::Request& req) {
        auto p = RequireRole(auth, req, {kOperator, kStructureAdmin});
        const std::string status = req.Query("status");
        if (!status.empty() && status != "pending_approval" && status != "rejected" && status != "active") {
            throw Invalid("status", "pending_approval, rejected ou active");
        }
        boost::json::array items;
        for (const auto& a : auth.Enrolments(p, status)) items.push_back(ToJson(a));
        return http::Response::Json(200, {{"items", items}});
    });

    r.Add("POST", "/api/v1/enrolments/{id}/approve", [&auth](http::Request& req) {
        auto p = RequireRole(auth, req, {kOperator, kStructureAdmin});
        std::string role = kProfessional;
        std::optional<bool> confirm_professional;
        if (!req.body.empty()) {
            JsonInput in(req.body);
            role = in.OptText("role", 30).value_or(kProfessional);
            if (!IsRole(role)) in.Fail("role", "rôle inconnu");
            confirm_professional = in.OptBool("confirm_professional");
            in.Done();
        }
        return http::Response::Json(200, ToJson(auth.Approve(p, UuidParam(req, "id"), role, confirm_professional)));
    });

    r.Add("POST", "/api/v1/enrolments/{id}/reject", [&auth](http::Request& req) {
        auto p = RequireRole(auth, req, {kOperator, kStructureAdmin});
        JsonInput in(req.body);
        const std::string reason = in.Text("reason", 3, 500);
        in.Done();
        return http::Response::Json(200, ToJson(auth.Reject(p, UuidParam(req, "id"), reason)));
    });

    r.Add("GET", "/api/v1/me", [&auth](http::Request& req) {
        return http::Response::Text(200, auth.MeJson(CredentialsOf(req)), "application/json");
    });

    r.Add("PATCH", "/api/v1/me", [&auth](http::Request& req) {
        auto p = RequireAccount(auth, req);
        const int64_t version = http::IfMatchVersion(req);
        JsonInput in(req.body);
        in.OnlyFields({"first_name", "last_name", "phone", "specialty"});
        ProfilePatch patch;
        if (in.Has("first_name")) patch.first_name = in.Text("first_name", 1, 100);
        if (in.Has("last_name")) patch.last_name = in.Text("last_name", 1, 100);
        patch.phone = in.OptText("phone", 30);
        patch.specialty = in.OptText("specialty", 100);
        in.Done();
        auto body = ToJson(auth.UpdateMe(p, patch, version));
        body["csrf_token"] = p.csrf_token;
        return http::Response::Json(200, body);
    });
}

}  // namespace cordee::auth

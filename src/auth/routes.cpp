#include "auth/http_auth.hpp"
#include "common/ids.hpp"
#include "common/json_input.hpp"

#include <boost/json.hpp>

namespace cordee::auth {
namespace {

std::string SessionCookie(const std::string& name, const std::string& value, bool http_only, int64_t max_age) {
    std::string c = name + "=" + value + "; Path=/; Secure; SameSite=Strict";
    if (http_only) c += "; HttpOnly";
    if (max_age >= 0) c += "; Max-Age=" + std::to_string(max_age);
    return c;
}

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

boost::json::object OpenSessionJson(const OpenSession& s) {
    return {{"token", s.token}, {"csrf_token", s.csrf_token}, {"account", ToJson(s.account)}};
}

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

Credentials CredentialsOf(const http::Request& req) {
    Credentials c;
    const std::string authz = req.Header("authorization");
    if (authz.rfind("Bearer ", 0) == 0) {
        c.token = authz.substr(7);
    } else {
        c.token = req.Cookie(kSessionCookie);
        c.from_cookie = !c.token.empty();
    }
    if (c.token.size() > 128) c.token.clear();  // ours are 43 characters: anything longer is not one
    c.csrf_header = req.Header("x-csrf-token");
    c.ip = req.remote_ip;
    c.unsafe_method = req.method != "GET" && req.method != "HEAD";
    return c;
}

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
        auto s = auth.CompleteTotp(CredentialsOf(req), code);
        return WithSession(http::Response::Json(200, OpenSessionJson(s)), s.token, s.csrf_token, full_age);
    });

    r.Add("GET", "/api/v1/auth/totp/enrol", [&auth](http::Request& req) {
        auto [secret, uri] = auth.BeginTotpEnrolment(CredentialsOf(req));
        return http::Response::Json(200, {{"secret", secret}, {"otpauth_uri", uri}});
    }, http::Runs::kWorker);

    r.Add("POST", "/api/v1/auth/totp/enrol", [&auth, full_age](http::Request& req) {
        const std::string code = CodeOf(req);
        auto e = auth.FinishTotpEnrolment(CredentialsOf(req), code);
        boost::json::array codes;
        for (const auto& c : e.recovery_codes) codes.push_back(boost::json::value(c));
        boost::json::object body{{"recovery_codes", codes}, {"status", e.status}};
        if (e.session) {
            for (auto& [k, v] : OpenSessionJson(*e.session)) body[k] = v;
            return WithSession(http::Response::Json(200, body), e.session->token, e.session->csrf_token, full_age);
        }
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
        s.profession_code = in.Text("profession_code", 1, 10);
        s.profession_label = in.Text("profession_label", 1, 100);
        s.specialty = in.OptText("specialty", 100).value_or("");
        s.rpps = in.OptText("rpps", 11).value_or("");
        if (!s.rpps.empty() && (s.rpps.size() != 11 || s.rpps.find_first_not_of("0123456789") != std::string::npos)) {
            in.Fail("rpps", "le numéro RPPS compte 11 chiffres");
        }
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
        if (!req.body.empty()) {
            JsonInput in(req.body);
            role = in.OptText("role", 30).value_or(kProfessional);
            if (!IsRole(role)) in.Fail("role", "rôle inconnu");
            in.Done();
        }
        return http::Response::Json(200, ToJson(auth.Approve(p, UuidParam(req, "id"), role)));
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

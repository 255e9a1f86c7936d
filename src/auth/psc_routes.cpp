// HTTP of Pro Santé Connect (auth/psc.hpp): the browser goes to /start, comes back to /callback, and, when no
// account is reached by the identity yet, chooses on /connexion/pro-sante-connect between /link and /register.
#include "auth/psc_routes.hpp"

#include "auth/http_auth.hpp"
#include "common/ids.hpp"
#include "common/json_input.hpp"

#include <boost/json.hpp>

namespace cordee::auth {
namespace {

// The browser that started a login (Lax: it must come back with the provider's cross-site redirect).
constexpr const char* kBindingCookie = "cordee_psc";
// The verified identity waiting for "link" or "create" (Strict: only our own pages send it).
constexpr const char* kLinkCookie = "cordee_psc_link";

std::string PscCookie(const char* name, const std::string& value, const char* same_site, int64_t max_age) {
    return std::string(name) + "=" + value + "; Path=/api/v1/auth/psc; Secure; HttpOnly; SameSite=" + same_site +
           "; Max-Age=" + std::to_string(max_age);
}

http::Response SeeOther(const std::string& location) {
    http::Response r = http::Response::NoContent();
    r.status = 303;
    r.Header("Location", location);
    r.Header("Cache-Control", "no-store");
    return r;
}

}  // namespace

void RegisterPscRoutes(http::Router& r, AuthService& auth, ProSanteConnect& psc) {
    const int64_t full_age = auth.config().session_absolute_seconds;

    r.Add("GET", "/api/v1/auth/psc", [&psc](http::Request&) {
        return http::Response::Json(200, {{"enabled", psc.Enabled()}});
    });

    r.Add("GET", "/api/v1/auth/psc/start", [&psc](http::Request&) {
        const PscStart start = psc.Start();
        return SeeOther(start.url).Header("Set-Cookie", PscCookie(kBindingCookie, start.binding, "Lax", 600));
    }, http::Runs::kWorker);

    r.Add("GET", "/api/v1/auth/psc/callback", [&psc, full_age](http::Request& req) {
        // Whatever happens, the browser lands on a page of ours that says it in words: never a JSON error page.
        const std::string error = req.Query("error");
        const std::string code = req.Query("code"), state = req.Query("state");
        if (!error.empty() || code.empty() || state.empty() || code.size() > 2048 || state.size() > 256) {
            return SeeOther(std::string("/connexion?psc=") + (error == "access_denied" ? "annule" : "refuse"));
        }
        try {
            PscOutcome out = psc.Callback(code, state, req.Cookie(kBindingCookie), req.remote_ip);
            const std::string clear_binding = PscCookie(kBindingCookie, "", "Lax", 0);
            if (out.session) {
                return WithSession(SeeOther("/"), out.session->token, out.session->csrf_token, full_age)
                    .Header("Set-Cookie", clear_binding);
            }
            return SeeOther("/connexion/pro-sante-connect")
                .Header("Set-Cookie", clear_binding)
                .Header("Set-Cookie", PscCookie(kLinkCookie, out.link_token, "Strict", 1800));
        } catch (const Error& e) {
            const std::string slug = e.slug() == "account-pending-approval" ? "en-attente"
                                     : e.slug() == "account-disabled"       ? "desactive"
                                                                            : "refuse";
            return SeeOther("/connexion?psc=" + slug);
        }
    }, http::Runs::kWorker);

    r.Add("GET", "/api/v1/auth/psc/pending", [&psc](http::Request& req) {
        return http::Response::Json(200, psc.Pending(req.Cookie(kLinkCookie)));
    }, http::Runs::kWorker);

    r.Add("POST", "/api/v1/auth/psc/link", [&auth, &psc, full_age](http::Request& req) {
        // After the usual password + TOTP: the session proves the account, PSC proves the professional.
        const Credentials c = CredentialsOf(req);
        const Principal p = auth.Authenticate(c);
        const OpenSession s = psc.Link(p, req.Cookie(kLinkCookie));
        return SessionResponse(c, {{"status", "linked"}}, s, full_age)
            .Header("Set-Cookie", PscCookie(kLinkCookie, "", "Strict", 0));
    });

    r.Add("POST", "/api/v1/auth/psc/register", [&psc, full_age](http::Request& req) {
        JsonInput in(req.body);
        PscRegistration reg;
        reg.email = in.Email("email");
        reg.phone = in.OptText("phone", 30).value_or("");
        reg.structure_id = in.OptText("structure_id", 36).value_or("");
        if (!reg.structure_id.empty() && !IsUuid(reg.structure_id)) in.Fail("structure_id", "structure inconnue");
        if (auto p = in.OptObject("structure_proposal")) {
            reg.proposal_name = p->Text("name", 2, 200);
            reg.proposal_commune = p->Text("commune", 1, 100);
            p->Done();
        }
        in.Done();
        const PscRegistered out = psc.Register(req.Cookie(kLinkCookie), reg, req.remote_ip);
        const std::string clear_link = PscCookie(kLinkCookie, "", "Strict", 0);
        if (!out.session) return http::Response::Json(202, {{"status", out.status}}).Header("Set-Cookie", clear_link);
        // Only a browser holds the link cookie: it gets a cookie session.
        Credentials browser;
        browser.from_cookie = true;
        return SessionResponse(browser, {{"status", out.status}}, *out.session, full_age).Header("Set-Cookie", clear_link);
    });
}

}  // namespace cordee::auth

#pragma once
// What every module's routes use to know who calls: the session from the Bearer header or the
// cookie, checked (expiry, second factor, CSRF) by the auth service.
#include "auth/service.hpp"
#include "http/router.hpp"

namespace cordee::auth {

// `__Host-`: the browser takes them only with Secure, Path=/ and no Domain, from the very origin (no sub-domain
// or other site can set or overwrite them). Browsers treat http://localhost as secure, so they also work there.
inline constexpr const char* kSessionCookie = "__Host-cordee_session";
inline constexpr const char* kCsrfCookie = "__Host-cordee_csrf";

Credentials CredentialsOf(const http::Request& req);
Principal RequireAccount(AuthService& auth, const http::Request& req);
// Same, and the account must hold one of the roles; a refusal is audited.
Principal RequireRole(AuthService& auth, const http::Request& req, std::initializer_list<const char*> roles);

// A response that opens (or closes) the cookie session of a browser.
http::Response WithSession(http::Response r, const std::string& token, const std::string& csrf, int64_t max_age);
http::Response ClearSession(http::Response r);
// A full session for the client the way it holds it: cookies and no token in the body for a browser, the token in
// the body for an API (Bearer) client.
http::Response SessionResponse(const Credentials& c, boost::json::object body, const OpenSession& s, int64_t max_age);

void RegisterRoutes(http::Router& router, AuthService& auth);

}  // namespace cordee::auth

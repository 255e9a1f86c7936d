#pragma once
// What every module's routes use to know who calls: the session from the Bearer header or the
// cookie, checked (expiry, second factor, CSRF) by the auth service.
#include "auth/service.hpp"
#include "http/router.hpp"

namespace cordee::auth {

inline constexpr const char* kSessionCookie = "cordee_session";
inline constexpr const char* kCsrfCookie = "cordee_csrf";

Credentials CredentialsOf(const http::Request& req);
Principal RequireAccount(AuthService& auth, const http::Request& req);
// Same, and the account must hold one of the roles; a refusal is audited.
Principal RequireRole(AuthService& auth, const http::Request& req, std::initializer_list<const char*> roles);

void RegisterRoutes(http::Router& router, AuthService& auth);

}  // namespace cordee::auth

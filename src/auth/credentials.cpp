// CredentialsOf on its own (no service, no database), so that tests/fuzz/http_headers can link it.
#include "auth/http_auth.hpp"

namespace cordee::auth {

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

}  // namespace cordee::auth

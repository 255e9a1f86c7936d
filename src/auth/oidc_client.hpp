#pragma once
// An OpenID Connect relying party, as Pro Santé Connect needs it (DOMAIN.md): discovery, JWKS cached and
// refetched when a token names an unknown key (rotation), authorization code flow with PKCE, ID token and
// userinfo (JSON or signed JWT) checked here: signature RS256/ES256 only, iss, aud, exp, nonce.
// Blocking (libcurl): call it from worker threads, as route handlers are.
#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace cordee::auth {

struct OidcSettings {
    std::string issuer, client_id, client_secret, redirect_uri;
    int64_t leeway_seconds = 60;  // clock difference tolerated on exp/iat
};

// What the provider answered for one login, once every check passed.
struct OidcTokens {
    boost::json::object id_claims;        // the ID token's payload
    boost::json::object userinfo;         // the userinfo answer (verified when it was a JWT)
};

class OidcClient {
public:
    explicit OidcClient(OidcSettings settings);
    ~OidcClient();

    // The address to send the browser to. `state`, `nonce` and `code_verifier` are the caller's to keep.
    std::string AuthorizationUrl(const std::string& state, const std::string& nonce, const std::string& code_verifier,
                                 const std::string& scope, const std::string& acr_values);
    // Exchanges the code (client_secret_basic + code_verifier), checks the ID token against `nonce`, reads userinfo
    // (whose `sub` must be the ID token's). Throws Error 502 `sso-refused` with the reason when any check fails.
    OidcTokens Redeem(const std::string& code, const std::string& code_verifier, const std::string& nonce);

    // Checks a compact JWS against the provider's keys (refetching them once for an unknown kid) and returns its
    // payload. Exposed for tests and for signed userinfo.
    boost::json::object VerifyJws(const std::string& jws);

    static std::string PkceChallenge(const std::string& code_verifier);  // S256, base64url

private:
    struct Keys;
    struct Metadata {
        std::string issuer, authorization_endpoint, token_endpoint, userinfo_endpoint, jwks_uri;
    };
    const Metadata& Discover();
    void FetchKeys();

    OidcSettings s_;
    std::mutex mutex_;
    std::unique_ptr<Metadata> meta_;
    std::unique_ptr<Keys> keys_;
};

// base64url without padding (RFC 7515 §2); Decode returns false on bad input.
std::string Base64UrlEncode(std::string_view bytes);
bool Base64UrlDecode(std::string_view text, std::string& out);

}  // namespace cordee::auth

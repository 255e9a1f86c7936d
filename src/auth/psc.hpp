#pragma once
// Pro Santé Connect: the national login of health professionals (DOMAIN.md). A PSC login is a strong
// authentication (no TOTP asked) and proves the RPPS number, so it links the account to its directory entry.
//   Start     → the provider's authorization URL (state, nonce, PKCE kept in psc_logins; the browser gets a
//               binding cookie so that a callback cannot be replayed from another browser: login CSRF)
//   Callback  → checks everything (OidcClient), then: an account already reached by this identity gets a session;
//               otherwise the verified identity waits (link token, 30 min) for the person to choose
//   Link      → an existing account, after its password and TOTP, takes the proven link
//   Register  → a new account pre-filled from the directory entry and the claims; active at once when the claims
//               prove one of its structures (FINESS of a site), otherwise waiting for the approver as a sign-up does
#include "auth/oidc_client.hpp"
#include "auth/service.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cordee::auth {

// The person as PSC describes them (claims of the ID token and userinfo).
struct PscIdentity {
    std::string sub, rpps, given_name, family_name, civility, profession_code;
    std::vector<std::string> finess_sites;  // numeroFinessSite of each activity
};
// Reads SubjectNameID ('8' + 11 digits), names and SubjectRefPro; throws 502 sso-refused when the national id
// is missing or malformed.
PscIdentity ReadPscClaims(const boost::json::object& id_claims, const boost::json::object& userinfo);
boost::json::object ToJson(const PscIdentity& who);

struct PscStart {
    std::string url, binding;  // where to send the browser; the value of its binding cookie
};

struct PscOutcome {
    std::optional<OpenSession> session;  // logged in
    std::string link_token;              // or: the identity waits for link / register
};

struct PscRegistration {
    std::string email, phone, structure_id, proposal_name, proposal_commune;
};

struct PscRegistered {
    std::string status;                  // active | pending_approval
    std::optional<OpenSession> session;  // when active
};

class ProSanteConnect {
public:
    ProSanteConnect(storage::Database& db, AuthService& auth, const Config& cfg);
    bool Enabled() const { return client_ != nullptr; }

    PscStart Start();
    PscOutcome Callback(const std::string& code, const std::string& state, const std::string& binding,
                        const std::string& ip);
    // What the "link or create" page shows: the identity and the directory entry it reaches.
    boost::json::object Pending(const std::string& link_token);
    OpenSession Link(const Principal& p, const std::string& link_token);
    PscRegistered Register(const std::string& link_token, const PscRegistration& in, const std::string& ip);

private:
    PscIdentity PendingIdentity(storage::Session& s, const std::string& link_token);

    storage::Database& db_;
    AuthService& auth_;
    const Config& cfg_;
    std::unique_ptr<OidcClient> client_;
};

}  // namespace cordee::auth

#pragma once
// Accounts, roles, statuses and the authenticated principal.
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cordee::auth {

// Roles: what an account may administer. Access to patients is decided elsewhere (care circles).
inline constexpr const char* kProfessional = "professional";
inline constexpr const char* kCoordinator = "coordinator";
inline constexpr const char* kStructureAdmin = "structure_admin";
inline constexpr const char* kOperator = "operator";
bool IsRole(const std::string& r);

// Account life: pending_email → pending_totp → pending_approval → active | rejected; disabled.
struct StructureLink {
    std::string id, name, role;  // role in the structure: member or admin
    bool proposed = false;
};

struct Account {
    std::string id, email, first_name, last_name, profession_code, profession_label, specialty, rpps, phone;
    std::string role, status, rejection_reason;
    std::string professional_id;  // directory entry, when known
    std::string password_hash, totp_secret;
    bool totp_enabled = false;
    int64_t totp_last_step = 0;
    int64_t version = 1, created_at = 0;
    std::vector<StructureLink> structures;
};

boost::json::object ToJson(const Account& a);

// Who is calling, once their session is checked.
struct Principal {
    std::string account_id, email, role, session_hash, csrf_token;
    std::string ip;  // of the request, for the audit trail
    bool IsOperator() const { return role == kOperator; }
};

}  // namespace cordee::auth

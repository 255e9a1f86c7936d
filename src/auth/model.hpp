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

// A directory entry as the approver of a self-declared RPPS sees it.
struct DirectoryEntry {
    std::string id, rpps, civility, first_name, last_name, profession_code, profession_label, specialty;
};

// How an account's link to a directory entry was proven (a typed RPPS number proves nothing).
inline constexpr const char* kLinkConfirmed = "confirmed";  // by the approver, who saw the entry
inline constexpr const char* kLinkPsc = "psc";              // by a Pro Santé Connect login
inline constexpr const char* kLinkOperator = "operator";    // created by an operator (CLI, demo)
inline constexpr const char* kLinkLocal = "local";  // the account's own local entry (no national one): repo::GiveLocalEntry

struct Account {
    std::string id, email, first_name, last_name, profession_code, profession_label, specialty, rpps, phone;
    std::string role, status, rejection_reason;
    // The proven link to a directory entry: the only one the access policy reads.
    std::string professional_id, professional_link;
    // The entry whose RPPS the applicant typed, until an approver confirms it; what they typed (JSON).
    std::string claimed_professional_id, declared;
    std::optional<DirectoryEntry> claimed;  // loaded for approvers
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

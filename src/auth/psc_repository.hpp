#pragma once
// The SQL of Pro Santé Connect logins in progress (table psc_logins, migration 0007) and of the accounts a
// PSC identity reaches.
#include "storage/database.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cordee::auth::repo {

struct PscLoginRow {
    std::string state_hash, binding_hash, nonce, code_verifier, identity;
    int64_t expires_at = 0, link_expires_at = 0;
    bool used = false, linked = false;
};

void InsertPscLogin(storage::Session& s, const PscLoginRow& r, int64_t now);
// Takes the login of this state once: the row if it existed, was unused and unexpired (then marked used).
std::optional<PscLoginRow> TakePscLogin(storage::Session& s, const std::string& state_hash, int64_t now);
void SetPscIdentity(storage::Session& s, const std::string& state_hash, const std::string& link_token_hash,
                    const std::string& identity_json, int64_t link_expires_at);
// The verified identity waiting for "link" or "create", if its token is valid and not used yet.
std::optional<std::string> PendingPscIdentity(storage::Session& s, const std::string& link_token_hash, int64_t now);
// Marks the waiting identity used; false when it was already (two tabs racing).
bool ConsumePscIdentity(storage::Session& s, const std::string& link_token_hash, int64_t now);
void DeleteExpiredPscLogins(storage::Session& s, int64_t now);

// The account a PSC identity reaches: linked to its directory entry, or created by PSC with its RPPS number.
struct PscAccount {
    std::string id, status;
};
std::optional<PscAccount> AccountOfPscIdentity(storage::Session& s, const std::string& professional_id,
                                               const std::string& rpps);
// Active structures of the directory whose FINESS is one of `finess` (the sites PSC says the person works at).
std::vector<std::string> StructuresByFiness(storage::Session& s, const std::vector<std::string>& finess);

}  // namespace cordee::auth::repo

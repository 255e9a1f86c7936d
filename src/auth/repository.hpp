#pragma once
// The SQL of accounts, sessions, one-time tokens, recovery codes and login failures.
#include "auth/model.hpp"
#include "storage/database.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cordee::auth::repo {

using storage::Session;

std::optional<Account> FindAccountByEmail(Session& s, const std::string& email);
std::optional<Account> FindAccountById(Session& s, const std::string& id);
void InsertAccount(Session& s, const Account& a);

// The directory entries that accounts link to (read from the directory's table).
std::optional<DirectoryEntry> FindProfessionalByRpps(Session& s, const std::string& rpps);  // 11 digits, active
std::optional<DirectoryEntry> FindProfessionalById(Session& s, const std::string& id);
bool ProfessionalHeldByActiveAccount(Session& s, const std::string& professional_id);
// Other live sign-ups that claim the same entry (shown to the approver).
int64_t OtherClaims(Session& s, const std::string& professional_id, const std::string& account_id);
// The link is proven (`how`: kLinkConfirmed, kLinkPsc, kLinkOperator); a second active account on the same entry
// is refused by the unique index (Duplicate "professional_id").
void ProveProfessionalLink(Session& s, const std::string& account_id, const std::string& professional_id,
                           const std::string& how);
// Names, profession and RPPS number of the account become the directory entry's.
void TakeDirectoryIdentity(Session& s, const std::string& account_id, const DirectoryEntry& entry);
// The account claims `entry` (a typed RPPS): names and profession become the entry's, `declared` keeps what was typed.
void ClaimProfessional(Session& s, const std::string& account_id, const DirectoryEntry& entry,
                       const std::string& declared);
// The approver did not recognise the entry: the account keeps no RPPS and no profession taken from it.
void DropProfessionalClaim(Session& s, const std::string& account_id, const std::string& profession_code,
                           const std::string& profession_label);
// An active account without a national entry gets a local one in the directory, under its own id, linked as
// kLinkLocal: at the commune of its first structure, with a site at each of its structures. False when the account
// already has an entry (linked or claimed). Local entries follow their account's names (SyncLocalEntry).
bool GiveLocalEntry(Session& s, const std::string& account_id, int64_t now);
void SyncLocalEntry(Session& s, const Account& a, int64_t now);
// Bumps version and updated_at; returns false when `expected_version` is stale.
bool UpdateProfile(Session& s, const Account& a, int64_t expected_version);
void SetStatus(Session& s, const std::string& id, const std::string& status, const std::string& reason,
               const std::string& decided_by);
void SetRole(Session& s, const std::string& id, const std::string& role);
void SetPassword(Session& s, const std::string& id, const std::string& hash);
void SetTotp(Session& s, const std::string& id, const std::string& secret, bool enabled, int64_t last_step);
// Records a used TOTP step; false when this step (or a later one) was already used: a replay.
bool UseTotpStep(Session& s, const std::string& id, int64_t step);
bool StructureOpen(Session& s, const std::string& structure_id);  // exists and is not inactive
// A structure an applicant proposes at sign-up; it enters the directory when an operator approves them.
void InsertProposedStructure(Session& s, const std::string& id, const std::string& name, const std::string& commune,
                             const std::string& proposed_by);
void LinkStructure(Session& s, const std::string& account_id, const std::string& structure_id, const std::string& role);
std::vector<StructureLink> StructuresOf(Session& s, const std::string& account_id);

struct SessionRow {
    std::string token_hash, account_id, stage, csrf_token;
    int64_t created_at = 0, last_seen_at = 0, expires_at = 0;
    std::string email, role, status;
};
void InsertSession(Session& s, const SessionRow& r);
std::optional<SessionRow> FindSession(Session& s, const std::string& token_hash);
void TouchSession(Session& s, const std::string& token_hash, int64_t now);
void DeleteSession(Session& s, const std::string& token_hash);
int64_t DeleteSessionsOf(Session& s, const std::string& account_id);
void DeleteExpiredSessions(Session& s, int64_t now);

void InsertToken(Session& s, const std::string& token_hash, const std::string& account_id, const std::string& purpose,
                 int64_t expires_at);
// Marks the token used and returns its account, if the token exists, has this purpose, is unused and valid.
std::optional<std::string> ConsumeToken(Session& s, const std::string& token_hash, const std::string& purpose,
                                        int64_t now);

bool RecoveryCodeExists(Session& s, const std::string& account_id, const std::string& code_hash);
// A token of this purpose that exists, is unused and unexpired (checked before slow work, not consumed).
bool TokenUsable(Session& s, const std::string& token_hash, const std::string& purpose, int64_t now);
void MarkEmailConfirmed(Session& s, const std::string& account_id, int64_t now);  // pending_email → pending_totp
void MakeAdminOfItsStructures(Session& s, const std::string& account_id);
// The structures this applicant proposed enter the directory (status active); returns their ids.
std::vector<std::string> AdoptProposedStructures(Session& s, const std::string& account_id);

void ReplaceRecoveryCodes(Session& s, const std::string& account_id, const std::vector<std::string>& code_hashes);
bool UseRecoveryCode(Session& s, const std::string& account_id, const std::string& code_hash, int64_t now);

void InsertFailure(Session& s, const std::string& key, int64_t at);
// A login attempt counted as a failure before its password is checked; its id, to take it back when right.
int64_t InsertAttempt(Session& s, const std::string& key, int64_t at);
void DeleteAttempt(Session& s, int64_t id);
// PostgreSQL: holds the throttle key until the transaction ends (concurrent checks of one key take turns).
void LockThrottleKey(Session& s, const std::string& key);
// Count of failures since `since`, and the oldest of them (to compute Retry-After).
std::pair<int64_t, int64_t> Failures(Session& s, const std::string& key, int64_t since);
void ClearFailures(Session& s, const std::string& key);

struct EnrolmentFilter {
    std::string status = "pending_approval";
    std::string admin_of;  // structure administrator: only applicants of their structures
};
std::vector<Account> ListEnrolments(Session& s, const EnrolmentFilter& f, int limit);
int64_t CountPendingEnrolments(Session& s, const std::string& admin_of);
bool SharesAdminStructure(Session& s, const std::string& admin_id, const std::string& applicant_id);

}  // namespace cordee::auth::repo

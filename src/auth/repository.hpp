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
// Bumps version and updated_at; returns false when `expected_version` is stale.
bool UpdateProfile(Session& s, const Account& a, int64_t expected_version);
void SetStatus(Session& s, const std::string& id, const std::string& status, const std::string& reason,
               const std::string& decided_by);
void SetRole(Session& s, const std::string& id, const std::string& role);
void SetPassword(Session& s, const std::string& id, const std::string& hash);
void SetTotp(Session& s, const std::string& id, const std::string& secret, bool enabled, int64_t last_step);
// Records a used TOTP step; false when this step (or a later one) was already used: a replay.
bool UseTotpStep(Session& s, const std::string& id, int64_t step);
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

void ReplaceRecoveryCodes(Session& s, const std::string& account_id, const std::vector<std::string>& code_hashes);
bool UseRecoveryCode(Session& s, const std::string& account_id, const std::string& code_hash, int64_t now);

void InsertFailure(Session& s, const std::string& key, int64_t at);
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

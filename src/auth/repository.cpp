#include "auth/repository.hpp"

#include "common/text.hpp"
#include "common/time.hpp"
#include "storage/change_log.hpp"

namespace cordee::auth::repo {
namespace {

const char* kAccountColumns =
    "id, email, first_name, last_name, profession_code, profession_label, specialty, rpps, phone, role, status, "
    "rejection_reason, password_hash, totp_secret, totp_enabled, totp_last_step, version, created_at, professional_id, "
    "professional_link, claimed_professional_id, declared";

Account ReadAccount(const storage::Row& r) {
    Account a;
    a.id = r.Str(0);
    a.email = r.Str(1);
    a.first_name = r.Str(2);
    a.last_name = r.Str(3);
    a.profession_code = r.Str(4);
    a.profession_label = r.Str(5);
    a.specialty = r.Str(6);
    a.rpps = r.Str(7);
    a.phone = r.Str(8);
    a.role = r.Str(9);
    a.status = r.Str(10);
    a.rejection_reason = r.Str(11);
    a.password_hash = r.Str(12);
    a.totp_secret = r.Str(13);
    a.totp_enabled = r.Int(14) != 0;
    a.totp_last_step = r.Int(15);
    a.version = r.Int(16);
    a.created_at = r.Int(17);
    a.professional_id = r.Str(18);
    a.professional_link = r.Str(19);
    a.claimed_professional_id = r.Str(20);
    a.declared = r.Str(21);
    return a;
}

storage::Value OrNull(const std::string& s) {
    if (s.empty()) return std::monostate{};
    return s;
}

}  // namespace

std::optional<Account> FindAccountByEmail(Session& s, const std::string& email) {
    auto row = s.One(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE email = ?", {email});
    if (!row) return std::nullopt;
    return ReadAccount(*row);
}

std::optional<Account> FindAccountById(Session& s, const std::string& id) {
    auto row = s.One(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id = ?", {id});
    if (!row) return std::nullopt;
    Account a = ReadAccount(*row);
    a.structures = StructuresOf(s, a.id);
    if (!a.claimed_professional_id.empty()) a.claimed = FindProfessionalById(s, a.claimed_professional_id);
    return a;
}

void InsertAccount(Session& s, const Account& a) {
    const int64_t now = NowMicros();
    s.Exec("INSERT INTO accounts (id, email, password_hash, first_name, last_name, profession_code, profession_label, "
           "specialty, rpps, phone, role, status, totp_secret, totp_enabled, created_at, updated_at, version, "
           "professional_id, professional_link, claimed_professional_id, declared) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
           {a.id, a.email, a.password_hash, a.first_name, a.last_name, a.profession_code, a.profession_label,
            OrNull(a.specialty), OrNull(a.rpps), OrNull(a.phone), a.role, a.status, OrNull(a.totp_secret),
            static_cast<int64_t>(a.totp_enabled), now, now, OrNull(a.professional_id), OrNull(a.professional_link),
            OrNull(a.claimed_professional_id), OrNull(a.declared)});
}

std::optional<DirectoryEntry> FindProfessional(Session& s, const std::string& column, const std::string& value) {
    // `column` is one of two fixed names (never user input): the entry by its id or by its RPPS number.
    const std::string where = column == "id" ? "id = ?" : "national_id = ? AND active = 1";
    auto r = s.One("SELECT id, rpps, civility, first_name, last_name, profession_code, profession_label, specialty "
                   "FROM professionals WHERE " + where,
                   {column == "id" ? value : "8" + value});
    if (!r) return std::nullopt;
    return DirectoryEntry{r->Str(0), r->Str(1), r->Str(2), r->Str(3), r->Str(4), r->Str(5), r->Str(6), r->Str(7)};
}

std::optional<DirectoryEntry> FindProfessionalByRpps(Session& s, const std::string& rpps) {
    return FindProfessional(s, "rpps", rpps);
}

std::optional<DirectoryEntry> FindProfessionalById(Session& s, const std::string& id) {
    return FindProfessional(s, "id", id);
}

bool ProfessionalHeldByActiveAccount(Session& s, const std::string& professional_id) {
    return s.One("SELECT 1 FROM accounts WHERE professional_id = ? AND status = 'active'", {professional_id}).has_value();
}

int64_t OtherClaims(Session& s, const std::string& professional_id, const std::string& account_id) {
    return s.One("SELECT COUNT(*) FROM accounts WHERE claimed_professional_id = ? AND id <> ? AND status NOT IN "
                 "('rejected', 'disabled')",
                 {professional_id, account_id})
        ->Int(0);
}

void ProveProfessionalLink(Session& s, const std::string& account_id, const std::string& professional_id,
                           const std::string& how) {
    // The account's own local entry (repo::GiveLocalEntry) gives way to the national one: one entry per person.
    if (professional_id != account_id &&
        s.Exec("UPDATE professionals SET active = 0, updated_at = ? WHERE id = ? AND source = 'local' AND active = 1",
               {NowMicros(), account_id}) > 0)
        storage::AppendChange(s, {"professional", account_id, "update", "directory", "{}"});
    s.Exec("UPDATE accounts SET professional_id = ?, professional_link = ?, claimed_professional_id = NULL, "
           "updated_at = ?, version = version + 1 WHERE id = ?",
           {professional_id, how, NowMicros(), account_id});
}

void TakeDirectoryIdentity(Session& s, const std::string& account_id, const DirectoryEntry& entry) {
    s.Exec("UPDATE accounts SET rpps = ?, first_name = ?, last_name = ?, profession_code = ?, profession_label = ?, "
           "updated_at = ?, version = version + 1 WHERE id = ?",
           {entry.rpps, entry.first_name, entry.last_name, entry.profession_code, entry.profession_label, NowMicros(),
            account_id});
}

void ClaimProfessional(Session& s, const std::string& account_id, const DirectoryEntry& entry,
                       const std::string& declared) {
    TakeDirectoryIdentity(s, account_id, entry);
    s.Exec("UPDATE accounts SET claimed_professional_id = ?, declared = ? WHERE id = ?", {entry.id, declared, account_id});
}

void DropProfessionalClaim(Session& s, const std::string& account_id, const std::string& profession_code,
                           const std::string& profession_label) {
    s.Exec("UPDATE accounts SET claimed_professional_id = NULL, rpps = NULL, profession_code = ?, profession_label = ?, "
           "updated_at = ?, version = version + 1 WHERE id = ?",
           {profession_code, profession_label, NowMicros(), account_id});
}

bool GiveLocalEntry(Session& s, const std::string& account_id, int64_t now) {
    const auto a = FindAccountById(s, account_id);
    if (!a || !a->professional_id.empty() || !a->claimed_professional_id.empty()) return false;
    s.Exec("INSERT INTO professionals (id, first_name, last_name, profession_code, profession_label, specialty, "
           "practice_mode, commune, postal_code, departement, source, active, created_at) SELECT a.id, a.first_name, "
           "a.last_name, a.profession_code, a.profession_label, a.specialty, 'S', st.commune, st.postal_code, "
           "st.departement, 'local', 1, ? FROM accounts a LEFT JOIN structures st ON st.id = (SELECT l.structure_id "
           "FROM account_structures l WHERE l.account_id = a.id ORDER BY l.structure_id LIMIT 1) WHERE a.id = ?",
           {now, account_id});
    s.Exec("INSERT INTO professional_activities (id, professional_id, structure_id, site_name, postal_code, commune, "
           "departement, practice_mode) SELECT 'local:' || l.account_id || ':' || l.structure_id, l.account_id, st.id, "
           "st.name, st.postal_code, st.commune, st.departement, 'S' FROM account_structures l JOIN structures st ON "
           "st.id = l.structure_id WHERE l.account_id = ?",
           {account_id});
    ProveProfessionalLink(s, account_id, account_id, kLinkLocal);
    return true;
}

void SyncLocalEntry(Session& s, const Account& a, int64_t now) {
    if (a.professional_link != kLinkLocal) return;
    s.Exec("UPDATE professionals SET first_name = ?, last_name = ?, specialty = ?, updated_at = ? WHERE id = ? AND "
           "source = 'local'",
           {a.first_name, a.last_name, OrNull(a.specialty), now, a.professional_id});
}

bool UpdateProfile(Session& s, const Account& a, int64_t expected_version) {
    return s.Exec("UPDATE accounts SET first_name = ?, last_name = ?, phone = ?, specialty = ?, updated_at = ?, "
                  "version = version + 1 WHERE id = ? AND version = ?",
                  {a.first_name, a.last_name, OrNull(a.phone), OrNull(a.specialty), NowMicros(), a.id,
                   expected_version}) == 1;
}

void SetStatus(Session& s, const std::string& id, const std::string& status, const std::string& reason,
               const std::string& decided_by) {
    s.Exec("UPDATE accounts SET status = ?, rejection_reason = ?, decided_by = ?, decided_at = ?, updated_at = ?, "
           "version = version + 1 WHERE id = ?",
           {status, OrNull(reason), OrNull(decided_by), NowMicros(), NowMicros(), id});
}

void SetRole(Session& s, const std::string& id, const std::string& role) {
    s.Exec("UPDATE accounts SET role = ? WHERE id = ?", {role, id});
}

void SetPassword(Session& s, const std::string& id, const std::string& hash) {
    s.Exec("UPDATE accounts SET password_hash = ?, updated_at = ?, version = version + 1 WHERE id = ?",
           {hash, NowMicros(), id});
}

void SetTotp(Session& s, const std::string& id, const std::string& secret, bool enabled, int64_t last_step) {
    s.Exec("UPDATE accounts SET totp_secret = ?, totp_enabled = ?, totp_last_step = ? WHERE id = ?",
           {secret, static_cast<int64_t>(enabled), last_step, id});
}

bool UseTotpStep(Session& s, const std::string& id, int64_t step) {
    return s.Exec("UPDATE accounts SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?", {step, id, step}) == 1;
}

bool StructureOpen(Session& s, const std::string& structure_id) {
    return s.One("SELECT 1 FROM structures WHERE id = ? AND status <> 'inactive'", {structure_id}).has_value();
}

void InsertProposedStructure(Session& s, const std::string& id, const std::string& name, const std::string& commune,
                             const std::string& proposed_by) {
    s.Exec("INSERT INTO structures (id, name, name_search, kind, commune, status, proposed_by, created_at) "
           "VALUES (?, ?, ?, 'proposed', ?, 'proposed', ?, ?)",
           {id, name, StructureNameSearch(name, commune), commune, proposed_by, NowMicros()});
}

void LinkStructure(Session& s, const std::string& account_id, const std::string& structure_id, const std::string& role) {
    s.Exec("INSERT INTO account_structures (account_id, structure_id, role) VALUES (?, ?, ?)",
           {account_id, structure_id, role});
}

std::vector<StructureLink> StructuresOf(Session& s, const std::string& account_id) {
    std::vector<StructureLink> out;
    for (const auto& r : s.Query("SELECT st.id, st.name, l.role, st.status FROM account_structures l JOIN structures st "
                                 "ON st.id = l.structure_id WHERE l.account_id = ? ORDER BY st.name",
                                 {account_id}))
        out.push_back({r.Str(0), r.Str(1), r.Str(2), r.Str(3) == "proposed"});
    return out;
}

void InsertSession(Session& s, const SessionRow& r) {
    s.Exec("INSERT INTO sessions (token_hash, account_id, stage, csrf_token, created_at, last_seen_at, expires_at) "
           "VALUES (?, ?, ?, ?, ?, ?, ?)",
           {r.token_hash, r.account_id, r.stage, r.csrf_token, r.created_at, r.last_seen_at, r.expires_at});
}

std::optional<SessionRow> FindSession(Session& s, const std::string& token_hash) {
    auto row = s.One("SELECT s.token_hash, s.account_id, s.stage, s.csrf_token, s.created_at, s.last_seen_at, "
                     "s.expires_at, a.email, a.role, a.status FROM sessions s JOIN accounts a ON a.id = s.account_id "
                     "WHERE s.token_hash = ?",
                     {token_hash});
    if (!row) return std::nullopt;
    return SessionRow{row->Str(0), row->Str(1), row->Str(2), row->Str(3), row->Int(4), row->Int(5),
                      row->Int(6), row->Str(7), row->Str(8), row->Str(9)};
}

void TouchSession(Session& s, const std::string& token_hash, int64_t now) {
    // Never backwards (another node may have written a later time); queued: batches of touches (auth/session_touches)
    // travel in one round trip on PostgreSQL.
    s.Queue("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?", {now, token_hash, now});
}

void DeleteSession(Session& s, const std::string& token_hash) {
    s.Exec("DELETE FROM sessions WHERE token_hash = ?", {token_hash});
}

int64_t DeleteSessionsOf(Session& s, const std::string& account_id) {
    return s.Exec("DELETE FROM sessions WHERE account_id = ?", {account_id});
}

void DeleteExpiredSessions(Session& s, int64_t now) { s.Exec("DELETE FROM sessions WHERE expires_at < ?", {now}); }

void InsertToken(Session& s, const std::string& token_hash, const std::string& account_id, const std::string& purpose,
                 int64_t expires_at) {
    s.Exec("INSERT INTO auth_tokens (token_hash, account_id, purpose, expires_at) VALUES (?, ?, ?, ?)",
           {token_hash, account_id, purpose, expires_at});
}

std::optional<std::string> ConsumeToken(Session& s, const std::string& token_hash, const std::string& purpose,
                                        int64_t now) {
    auto row = s.One("SELECT account_id FROM auth_tokens WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND "
                     "expires_at > ?",
                     {token_hash, purpose, now});
    if (!row) return std::nullopt;
    s.Exec("UPDATE auth_tokens SET used_at = ? WHERE token_hash = ?", {now, token_hash});
    return row->Str(0);
}

bool RecoveryCodeExists(Session& s, const std::string& account_id, const std::string& code_hash) {
    return s.One("SELECT 1 FROM recovery_codes WHERE account_id = ? AND code_hash = ?", {account_id, code_hash})
        .has_value();
}

bool TokenUsable(Session& s, const std::string& token_hash, const std::string& purpose, int64_t now) {
    return s.One("SELECT 1 FROM auth_tokens WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?",
                 {token_hash, purpose, now})
        .has_value();
}

void MarkEmailConfirmed(Session& s, const std::string& account_id, int64_t now) {
    s.Exec("UPDATE accounts SET status = 'pending_totp', email_confirmed_at = ?, version = version + 1 WHERE id = ? "
           "AND status = 'pending_email'",
           {now, account_id});
}

void MakeAdminOfItsStructures(Session& s, const std::string& account_id) {
    s.Exec("UPDATE account_structures SET role = 'admin' WHERE account_id = ?", {account_id});
}

std::vector<std::string> AdoptProposedStructures(Session& s, const std::string& account_id) {
    std::vector<std::string> out;
    for (const auto& r : s.Query("SELECT id FROM structures WHERE status = 'proposed' AND proposed_by = ?", {account_id})) {
        s.Exec("UPDATE structures SET status = 'active' WHERE id = ?", {r.Str(0)});
        out.push_back(r.Str(0));
    }
    return out;
}

void ReplaceRecoveryCodes(Session& s, const std::string& account_id, const std::vector<std::string>& code_hashes) {
    s.Exec("DELETE FROM recovery_codes WHERE account_id = ?", {account_id});
    for (const auto& h : code_hashes)
        s.Exec("INSERT INTO recovery_codes (account_id, code_hash) VALUES (?, ?)", {account_id, h});
}

bool UseRecoveryCode(Session& s, const std::string& account_id, const std::string& code_hash, int64_t now) {
    return s.Exec("UPDATE recovery_codes SET used_at = ? WHERE account_id = ? AND code_hash = ? AND used_at IS NULL",
                  {now, account_id, code_hash}) == 1;
}

void InsertFailure(Session& s, const std::string& key, int64_t at) {
    s.Exec("INSERT INTO auth_failures (key, at) VALUES (?, ?)", {key, at});
}

int64_t InsertAttempt(Session& s, const std::string& key, int64_t at) {
    return s.One("INSERT INTO auth_failures (key, at) VALUES (?, ?) RETURNING id", {key, at})->Int(0);
}

void DeleteAttempt(Session& s, int64_t id) { s.Queue("DELETE FROM auth_failures WHERE id = ?", {id}); }

void LockThrottleKey(Session& s, const std::string& key) {
    // SQLite has one writer: its transactions already take turns.
    if (s.dialect() == storage::Dialect::kPostgres)
        s.Query("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", {"throttle\n" + key});
}

std::pair<int64_t, int64_t> Failures(Session& s, const std::string& key, int64_t since) {
    auto row = s.One("SELECT COUNT(*), MIN(at) FROM auth_failures WHERE key = ? AND at > ?", {key, since});
    return {row->Int(0), row->Int(1)};
}

void ClearFailures(Session& s, const std::string& key) { s.Exec("DELETE FROM auth_failures WHERE key = ?", {key}); }

std::vector<Account> ListEnrolments(Session& s, const EnrolmentFilter& f, int limit) {
    std::string sql = "SELECT ";
    std::string cols = kAccountColumns;
    for (size_t p = 0; (p = cols.find(", ", p)) != std::string::npos; p += 4) cols.replace(p, 2, ", a.");
    sql += "a." + cols + " FROM accounts a WHERE a.status = ?";
    storage::Params params{f.status};
    if (!f.admin_of.empty()) {
        sql += " AND EXISTS (SELECT 1 FROM account_structures mine JOIN account_structures theirs ON theirs.structure_id "
               "= mine.structure_id WHERE mine.account_id = ? AND mine.role = 'admin' AND theirs.account_id = a.id)";
        params.push_back(f.admin_of);
    }
    sql += " ORDER BY a.created_at LIMIT ?";
    params.push_back(static_cast<int64_t>(limit));
    std::vector<Account> out;
    for (const auto& r : s.Query(sql, params)) {
        Account a = ReadAccount(r);
        a.structures = StructuresOf(s, a.id);
        if (!a.claimed_professional_id.empty()) a.claimed = FindProfessionalById(s, a.claimed_professional_id);
        out.push_back(std::move(a));
    }
    return out;
}

int64_t CountPendingEnrolments(Session& s, const std::string& admin_of) {
    if (admin_of.empty()) return s.One("SELECT COUNT(*) FROM accounts WHERE status = 'pending_approval'")->Int(0);
    return s
        .One("SELECT COUNT(*) FROM accounts a WHERE a.status = 'pending_approval' AND EXISTS (SELECT 1 FROM "
             "account_structures mine JOIN account_structures theirs ON theirs.structure_id = mine.structure_id WHERE "
             "mine.account_id = ? AND mine.role = 'admin' AND theirs.account_id = a.id)",
             {admin_of})
        ->Int(0);
}

bool SharesAdminStructure(Session& s, const std::string& admin_id, const std::string& applicant_id) {
    return s.One("SELECT 1 FROM account_structures mine JOIN account_structures theirs ON theirs.structure_id = "
                 "mine.structure_id WHERE mine.account_id = ? AND mine.role = 'admin' AND theirs.account_id = ?",
                 {admin_id, applicant_id})
        .has_value();
}

}  // namespace cordee::auth::repo

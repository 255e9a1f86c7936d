#include "auth/psc_repository.hpp"


namespace cordee::auth::repo {

void InsertPscLogin(storage::Session& s, const PscLoginRow& r, int64_t now) {
    s.Exec("INSERT INTO psc_logins (state_hash, binding_hash, nonce, code_verifier, created_at, expires_at) "
           "VALUES (?, ?, ?, ?, ?, ?)",
           {r.state_hash, r.binding_hash, r.nonce, r.code_verifier, now, r.expires_at});
}

std::optional<PscLoginRow> TakePscLogin(storage::Session& s, const std::string& state_hash, int64_t now) {
    auto row = s.One("SELECT state_hash, binding_hash, nonce, code_verifier, expires_at FROM psc_logins "
                     "WHERE state_hash = ? AND used_at IS NULL AND expires_at > ?",
                     {state_hash, now});
    if (!row) return std::nullopt;
    if (s.Exec("UPDATE psc_logins SET used_at = ? WHERE state_hash = ? AND used_at IS NULL", {now, state_hash}) != 1) {
        return std::nullopt;
    }
    PscLoginRow r;
    r.state_hash = row->Str(0);
    r.binding_hash = row->Str(1);
    r.nonce = row->Str(2);
    r.code_verifier = row->Str(3);
    r.expires_at = row->Int(4);
    return r;
}

void SetPscIdentity(storage::Session& s, const std::string& state_hash, const std::string& link_token_hash,
                    const std::string& identity_json, int64_t link_expires_at) {
    s.Exec("UPDATE psc_logins SET link_token_hash = ?, identity = ?, link_expires_at = ? WHERE state_hash = ?",
           {link_token_hash, identity_json, link_expires_at, state_hash});
}

std::optional<std::string> PendingPscIdentity(storage::Session& s, const std::string& link_token_hash, int64_t now) {
    auto row = s.One("SELECT identity FROM psc_logins WHERE link_token_hash = ? AND linked_at IS NULL AND "
                     "link_expires_at > ?",
                     {link_token_hash, now});
    if (!row) return std::nullopt;
    return row->Str(0);
}

bool ConsumePscIdentity(storage::Session& s, const std::string& link_token_hash, int64_t now) {
    return s.Exec("UPDATE psc_logins SET linked_at = ? WHERE link_token_hash = ? AND linked_at IS NULL AND "
                  "link_expires_at > ?",
                  {now, link_token_hash, now}) == 1;
}

void DeleteExpiredPscLogins(storage::Session& s, int64_t now) {
    s.Exec("DELETE FROM psc_logins WHERE expires_at < ? AND (link_expires_at IS NULL OR link_expires_at < ?)",
           {now, now});
}

std::optional<PscAccount> AccountOfPscIdentity(storage::Session& s, const std::string& professional_id,
                                               const std::string& rpps) {
    auto row = s.One("SELECT id, status FROM accounts WHERE status <> 'rejected' AND (professional_id = ? OR "
                     "(professional_link = 'psc' AND rpps = ?)) ORDER BY CASE status WHEN 'active' THEN 0 ELSE 1 END "
                     "LIMIT 1",
                     {professional_id, rpps});
    if (!row) return std::nullopt;
    return PscAccount{row->Str(0), row->Str(1)};
}

std::vector<std::string> StructuresByFiness(storage::Session& s, const std::vector<std::string>& finess) {
    std::vector<std::string> out;
    if (finess.empty()) return out;
    storage::Params params(finess.begin(), finess.end());
    std::string in = "(";
    for (size_t i = 0; i < finess.size(); ++i) in += i ? ", ?" : "?";
    for (const auto& r : s.Query("SELECT id FROM structures WHERE status = 'active' AND finess IN " + in + ") ORDER BY id",
                                 params))
        out.push_back(r.Str(0));
    return out;
}

}  // namespace cordee::auth::repo

#include "mail/repository.hpp"

namespace cordee::mail::repo {

void InsertEmail(storage::Session& s, const std::string& id, const Email& e, int64_t now) {
    s.Queue("INSERT INTO emails (id, to_addr, subject, body, created_at) VALUES (?, ?, ?, ?, ?)",
            {id, e.to, e.subject, e.body, now});
}

std::vector<Pending> PendingEmails(storage::Session& s, int64_t claim_before, int64_t limit) {
    std::vector<Pending> out;
    for (const auto& r : s.Query("SELECT id, to_addr, subject, body, created_at FROM emails WHERE sent_at IS NULL AND "
                                 "(claimed_at IS NULL OR claimed_at < ?) ORDER BY created_at LIMIT ?",
                                 {claim_before, limit}))
        out.push_back({r.Str(0), Email{r.Str(1), r.Str(2), r.Str(3)}, r.Int(4)});
    return out;
}

bool ClaimEmail(storage::Session& s, const std::string& id, int64_t now, int64_t claim_before) {
    return s.Exec("UPDATE emails SET claimed_at = ?, attempts = attempts + 1 WHERE id = ? AND sent_at IS NULL "
                  "AND (claimed_at IS NULL OR claimed_at < ?)",
                  {now, id, claim_before}) == 1;
}

void MarkEmailSent(storage::Session& s, const std::string& id, int64_t now) {
    s.Exec("UPDATE emails SET sent_at = ?, last_error = NULL WHERE id = ?", {now, id});
}

void MarkEmailFailed(storage::Session& s, const std::string& id, const std::string& error) {
    s.Exec("UPDATE emails SET last_error = ? WHERE id = ?", {error, id});
}

}  // namespace cordee::mail::repo

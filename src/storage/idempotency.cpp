#include "storage/idempotency.hpp"

#include "common/errors.hpp"
#include "common/time.hpp"

namespace cordee::storage {

std::optional<StoredResult> FindIdempotent(Session& s, const std::string& owner, const std::string& key,
                                           const std::string& request_path) {
    // Concurrent replays of one key on PostgreSQL wait here for the first to commit, then find its row.
    if (s.dialect() == Dialect::kPostgres) {
        s.Query("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", {owner + "\n" + key});
    }
    auto row = s.One("SELECT request_path, status, body FROM idempotency_keys WHERE owner = ? AND key = ?", {owner, key});
    if (!row) return std::nullopt;
    if (row->Str(0) != request_path) {
        throw Invalid("Idempotency-Key", "cette clé a déjà servi pour une autre requête");
    }
    return StoredResult{static_cast<int>(row->Int(1)), row->Str(2)};
}

void SaveIdempotent(Session& s, const std::string& owner, const std::string& key, const std::string& request_path,
                    const StoredResult& result) {
    s.Queue("INSERT INTO idempotency_keys (owner, key, request_path, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
           {owner, key, request_path, static_cast<int64_t>(result.status), result.body, NowMicros()});
}

bool ClaimIdempotent(Session& s, const std::string& owner, const std::string& key, const std::string& request_path) {
    // Status 0 marks a claim in progress; it is never seen by others (they wait for the commit, or the rollback
    // removes it).
    return s.Exec("INSERT INTO idempotency_keys (owner, key, request_path, status, body, created_at) VALUES (?, ?, ?, 0, "
                  "'', ?) ON CONFLICT (owner, key) DO NOTHING",
                  {owner, key, request_path, NowMicros()}) == 1;
}

void CompleteIdempotent(Session& s, const std::string& owner, const std::string& key, const StoredResult& result) {
    s.Queue("UPDATE idempotency_keys SET status = ?, body = ? WHERE owner = ? AND key = ?",
            {static_cast<int64_t>(result.status), result.body, owner, key});
}

}  // namespace cordee::storage

#include "sync/repository.hpp"

namespace cordee::sync::repo {
namespace {

constexpr const char* kFindKey = "SELECT key_id, secret FROM sync_keys WHERE account_id = ?";
constexpr const char* kInsertKey =
    "INSERT INTO sync_keys (account_id, key_id, secret, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO NOTHING";
constexpr const char* kDeleteKey = "DELETE FROM sync_keys WHERE account_id = ?";
constexpr const char* kDelivered = "SELECT patient_id FROM sync_access WHERE account_id = ? ORDER BY patient_id";
constexpr const char* kDeliveredAfter =
    "SELECT patient_id FROM sync_access WHERE account_id = ? AND patient_id > ? ORDER BY patient_id LIMIT ?";
constexpr const char* kDeliver =
    "INSERT INTO sync_access (account_id, patient_id) VALUES (?, ?) ON CONFLICT (account_id, patient_id) DO NOTHING";
constexpr const char* kUndeliver = "DELETE FROM sync_access WHERE account_id = ? AND patient_id = ?";

constexpr const char* kBoundSqlite = "SELECT 0, COALESCE(MAX(seq), 0) FROM change_log";
// Every transaction older than the snapshot's xmin has ended: its changes are all visible now, and no change can
// appear later with a tx below it. Changes of younger transactions already visible are sent again later (harmless:
// the feed sends current states).
constexpr const char* kBoundPostgres =
    "SELECT txid_snapshot_xmin(txid_current_snapshot()) - 1, COALESCE(MAX(seq), 0) FROM change_log";

#define CORDEE_SYNC_CHANGES(BOUND)                                                                                   \
    "SELECT c.tx, c.seq, c.entity, c.entity_id, c.op, c.scope, c.data FROM change_log c "                            \
    "WHERE (c.tx > ? OR (c.tx = ? AND c.seq > ?)) " BOUND                                                              \
    "AND (c.scope = ? OR c.scope IN (SELECT 'patient:' || a.patient_id FROM sync_access a WHERE a.account_id = ?)) " \
    "ORDER BY c.tx, c.seq LIMIT ?"
constexpr const char* kChangesSqlite = CORDEE_SYNC_CHANGES("");
constexpr const char* kChangesPostgres = CORDEE_SYNC_CHANGES("AND c.tx < txid_snapshot_xmin(txid_current_snapshot()) ");
#undef CORDEE_SYNC_CHANGES

constexpr const char* kLastSeq = "SELECT COALESCE(MAX(seq), 0) FROM change_log";

bool Pg(storage::Session& s) { return s.dialect() == storage::Dialect::kPostgres; }

std::vector<std::string> Ids(const storage::Rows& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.Str(0));
    return out;
}

}  // namespace

std::optional<KeyRow> FindKey(storage::Session& s, const std::string& account_id) {
    auto r = s.One(kFindKey, {account_id});
    if (!r) return std::nullopt;
    return KeyRow{r->Str(0), r->Str(1)};
}

void InsertKey(storage::Session& s, const std::string& account_id, const KeyRow& k, int64_t now) {
    s.Exec(kInsertKey, {account_id, k.key_id, k.secret, now});
}

bool DeleteKey(storage::Session& s, const std::string& account_id) { return s.Exec(kDeleteKey, {account_id}) > 0; }

std::vector<std::string> Delivered(storage::Session& s, const std::string& account_id) {
    return Ids(s.Query(kDelivered, {account_id}));
}

std::vector<std::string> DeliveredAfter(storage::Session& s, const std::string& account_id, const std::string& after,
                                        int64_t limit) {
    return Ids(s.Query(kDeliveredAfter, {account_id, after, limit}));
}

void QueueDeliver(storage::Session& s, const std::string& account_id, const std::string& patient_id) {
    s.Queue(kDeliver, {account_id, patient_id});
}

void QueueUndeliver(storage::Session& s, const std::string& account_id, const std::string& patient_id) {
    s.Queue(kUndeliver, {account_id, patient_id});
}

std::pair<int64_t, int64_t> LogBound(storage::Session& s) {
    auto r = s.One(Pg(s) ? kBoundPostgres : kBoundSqlite);
    return {r->Int(0), r->Int(1)};
}

std::vector<ChangeRow> ChangesAfter(storage::Session& s, const std::string& account_id, int64_t tx, int64_t seq,
                                    int64_t limit) {
    std::vector<ChangeRow> out;
    for (const auto& r : s.Query(Pg(s) ? kChangesPostgres : kChangesSqlite, {tx, tx, seq, account_id, account_id, limit}))
        out.push_back({r.Int(0), r.Int(1), r.Str(2), r.Str(3), r.Str(4), r.Str(5), r.Str(6)});
    return out;
}

int64_t LastSeq(storage::Session& s) { return s.One(kLastSeq)->Int(0); }

}  // namespace cordee::sync::repo

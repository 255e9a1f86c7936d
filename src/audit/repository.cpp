#include "audit/repository.hpp"

namespace cordee::audit::repo {

std::optional<Head> ReadHead(storage::Session& s, int64_t lane) {
    auto row = s.One("SELECT seq, hash FROM audit_head WHERE id = ?", {lane + 1});
    if (!row) return std::nullopt;
    return Head{row->Int(0), row->Str(1)};
}

std::optional<LockedHead> LockHeadAndNumber(storage::Session& s, int64_t lane) {
    auto row = s.One("SELECT seq, hash, nextval('audit_log_seq') FROM audit_head WHERE id = ? FOR UPDATE", {lane + 1});
    if (!row) return std::nullopt;
    return LockedHead{{row->Int(0), row->Str(1)}, row->Int(2)};
}

void QueueInsertEntry(storage::Session& s, const StoredEntry& e) {
    s.Queue("INSERT INTO audit_log (seq, at, actor_id, action, target_type, target_id, ip, outcome, detail, prev_hash, "
            "hash, lane, prev_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {e.seq, e.at, e.actor_id, e.action, e.target_type, e.target_id, e.ip, e.outcome, e.detail, e.prev_hash,
             e.hash, e.lane, e.prev_seq ? storage::Value{*e.prev_seq} : storage::Value{}});
}

void QueueMoveHead(storage::Session& s, int64_t lane, const Head& head) {
    s.Queue("UPDATE audit_head SET seq = ?, hash = ? WHERE id = ?", {head.seq, head.hash, lane + 1});
}

void QueueInsertHead(storage::Session& s, int64_t lane, const Head& head) {
    s.Queue("INSERT INTO audit_head (id, seq, hash) VALUES (?, ?, ?)", {lane + 1, head.seq, head.hash});
}

std::vector<LaneHead> NonEmptyHeads(storage::Session& s) {
    std::vector<LaneHead> out;
    for (const auto& row : s.Query("SELECT id - 1, seq, hash FROM audit_head WHERE seq > 0 ORDER BY id"))
        out.push_back({row.Int(0), row.Int(1), row.Str(2)});
    return out;
}

std::vector<int64_t> Lanes(storage::Session& s) {
    std::vector<int64_t> out;
    for (const auto& row : s.Query("SELECT DISTINCT lane FROM audit_log UNION SELECT id - 1 FROM audit_head"))
        out.push_back(row.Int(0));
    return out;
}

std::vector<StoredEntry> EntriesAfter(storage::Session& s, int64_t lane, int64_t after_seq, int64_t limit) {
    std::vector<StoredEntry> out;
    for (const auto& row : s.Query("SELECT seq, at, actor_id, action, target_type, target_id, ip, outcome, detail, "
                                   "prev_hash, hash, prev_seq FROM audit_log WHERE lane = ? AND seq > ? ORDER BY seq "
                                   "LIMIT ?",
                                   {lane, after_seq, limit})) {
        StoredEntry e;
        e.seq = row.Int(0);
        e.at = row.Int(1);
        e.lane = lane;
        e.actor_id = row.Str(2);
        e.action = row.Str(3);
        e.target_type = row.Str(4);
        e.target_id = row.Str(5);
        e.ip = row.Str(6);
        e.outcome = row.Str(7);
        e.detail = row.Str(8);
        e.prev_hash = row.Str(9);
        e.hash = row.Str(10);
        e.prev_seq = row.OptInt(11);
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<ListedEntry> ListEntries(storage::Session& s, const Filter& f, int64_t limit) {
    // One statement per combination of filters (at most 32 texts, each prepared once per connection).
    std::string sql =
        "SELECT l.seq, l.at, l.actor_id, a.email, l.action, l.target_type, l.target_id, l.ip, l.outcome, l.detail "
        "FROM audit_log l LEFT JOIN accounts a ON a.id = l.actor_id WHERE 1 = 1";
    storage::Params p;
    if (!f.action.empty()) {
        sql += " AND l.action LIKE ?";
        p.push_back(f.action + "%");
    }
    if (!f.actor.empty()) {
        sql += " AND (l.actor_id = ? OR a.email = ?)";
        p.push_back(f.actor);
        p.push_back(f.actor);
    }
    if (!f.outcome.empty()) {
        sql += " AND l.outcome = ?";
        p.push_back(f.outcome);
    }
    if (!f.target_id.empty()) {
        sql += " AND l.target_id = ?";
        p.push_back(f.target_id);
    }
    if (f.before) {
        sql += " AND l.seq < ?";
        p.push_back(*f.before);
    }
    sql += " ORDER BY l.seq DESC LIMIT ?";
    p.push_back(limit);
    std::vector<ListedEntry> out;
    for (const auto& r : s.Query(sql, p))
        out.push_back({r.Int(0), r.Int(1), r.Str(2), r.Str(3), r.Str(4), r.Str(5), r.Str(6), r.Str(7), r.Str(8),
                       r.Str(9)});
    return out;
}

}  // namespace cordee::audit::repo

#include "live/repository.hpp"

namespace cordee::live::repo {

int64_t TakeNumbers(storage::Session& s, const std::string& account_id, int64_t count) {
    return s
        .One("INSERT INTO live_heads (account_id, seq) VALUES (?, ?) ON CONFLICT (account_id) "
             "DO UPDATE SET seq = live_heads.seq + excluded.seq RETURNING seq",
             {account_id, count})
        ->Int(0);
}

void QueueInsertEvent(storage::Session& s, const std::string& account_id, const EventRow& e) {
    s.Queue("INSERT INTO live_events (account_id, seq, kind, data, at) VALUES (?, ?, ?, ?, ?)",
            {account_id, e.seq, e.kind, e.data_json, e.at});
}

void QueueNotify(storage::Session& s, const std::string& account_id) {
    if (s.dialect() == storage::Dialect::kPostgres) s.Queue("SELECT pg_notify(?, ?)", {std::string(kChannel), account_id});
}

int64_t Head(storage::Session& s, const std::string& account_id) {
    const auto r = s.One("SELECT seq FROM live_heads WHERE account_id = ?", {account_id});
    return r ? r->Int(0) : 0;
}

std::vector<std::pair<std::string, EventRow>> EventsAfterEach(storage::Session& s,
                                                              const std::vector<std::pair<std::string, int64_t>>& after,
                                                              int limit) {
    std::string sql = "SELECT e.account_id, e.seq, e.kind, e.data, e.at FROM live_events e JOIN (VALUES ";
    storage::Params params;
    for (size_t i = 0; i < after.size(); ++i) {
        sql += i ? ", (?, CAST(? AS BIGINT))" : "(?, CAST(? AS BIGINT))";
        params.emplace_back(after[i].first);
        params.emplace_back(after[i].second);
    }
    // VALUES columns are column1, column2… on both backends.
    sql += ") w ON e.account_id = w.column1 AND e.seq > w.column2 ORDER BY e.account_id, e.seq LIMIT ?";
    params.emplace_back(static_cast<int64_t>(limit));
    std::vector<std::pair<std::string, EventRow>> out;
    for (const auto& r : s.Query(sql, params)) out.push_back({r.Str(0), {r.Int(1), r.Str(2), r.Str(3), r.Int(4)}});
    return out;
}

void Heartbeat(storage::Session& s, const std::string& node_id, int64_t now) {
    s.Queue("INSERT INTO live_nodes (node_id, heartbeat_at) VALUES (?, ?) ON CONFLICT (node_id) "
            "DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
            {node_id, now});
}

void SetPresence(storage::Session& s, const std::string& node_id, const std::string& account_id, int64_t sockets) {
    if (sockets > 0)
        s.Queue("INSERT INTO live_presence (node_id, account_id, sockets) VALUES (?, ?, ?) ON CONFLICT (node_id, "
                "account_id) DO UPDATE SET sockets = excluded.sockets",
                {node_id, account_id, sockets});
    else
        s.Queue("DELETE FROM live_presence WHERE node_id = ? AND account_id = ?", {node_id, account_id});
}

void ForgetNodesBefore(storage::Session& s, int64_t before) {
    s.Queue("DELETE FROM live_presence WHERE node_id IN (SELECT node_id FROM live_nodes WHERE heartbeat_at < ?)",
            {before});
    s.Queue("DELETE FROM live_nodes WHERE heartbeat_at < ?", {before});
}

void DeleteNode(storage::Session& s, const std::string& node_id) {
    s.Queue("DELETE FROM live_presence WHERE node_id = ?", {node_id});
    s.Queue("DELETE FROM live_nodes WHERE node_id = ?", {node_id});
}

std::vector<std::string> ConnectedAmong(storage::Session& s, const std::vector<std::string>& accounts,
                                        int64_t alive_since) {
    if (accounts.empty()) return {};
    // One statement for a whole group's members (up to messaging::kMaxMembers placeholders).
    std::string sql = "SELECT DISTINCT p.account_id FROM live_presence p JOIN live_nodes n ON n.node_id = p.node_id "
                      "WHERE p.sockets > 0 AND n.heartbeat_at >= ? AND p.account_id IN (";
    storage::Params params{alive_since};
    for (size_t i = 0; i < accounts.size(); ++i) {
        sql += i ? ", ?" : "?";
        params.emplace_back(accounts[i]);
    }
    sql += ")";
    std::vector<std::string> out;
    for (const auto& r : s.Query(sql, params)) out.push_back(r.Str(0));
    return out;
}

}  // namespace cordee::live::repo

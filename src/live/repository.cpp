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

std::vector<EventRow> EventsAfter(storage::Session& s, const std::string& account_id, int64_t after, int limit) {
    std::vector<EventRow> out;
    for (const auto& r : s.Query("SELECT seq, kind, data, at FROM live_events WHERE account_id = ? AND seq > ? "
                                 "ORDER BY seq LIMIT ?",
                                 {account_id, after, static_cast<int64_t>(limit)}))
        out.push_back({r.Int(0), r.Str(1), r.Str(2), r.Int(3)});
    return out;
}

}  // namespace cordee::live::repo

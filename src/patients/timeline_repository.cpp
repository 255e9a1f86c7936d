#include "patients/repository.hpp"

namespace cordee::patients::repo {

void QueueInsertEvent(Scope& sc, const std::string& id, const TimelineEvent& e, int64_t at, int64_t now,
                      const std::string& summary) {
    sc.Queue("INSERT INTO timeline_events (id, patient_id, at, written_at, kind, action, author_id, author_name, "
            "visibility, structure_id, summary, ref_id) VALUES (?, {patient}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {id, at, now, e.kind, e.action, e.author_id, e.author_name, e.visibility,
             e.structure_id.empty() ? storage::Value{} : storage::Value{e.structure_id}, summary,
             e.ref_id.empty() ? storage::Value{} : storage::Value{e.ref_id}});
}

void QueueMoveLastActivity(Scope& sc, int64_t now) {
    sc.Queue("UPDATE patients SET last_activity_at = ? WHERE id = {patient} AND last_activity_at < ?", {now, now});
}

void QueueSupersedeEvent(Scope& sc, const std::string& ref_id) {
    sc.Queue("UPDATE timeline_events SET superseded = 1 WHERE patient_id = {patient} AND ref_id = ?", {ref_id});
}

std::vector<TimelineRow> ListEvents(Scope& sc, const Clause& vis,
                                    const std::string& kind, const std::string& author,
                                    const std::optional<std::pair<int64_t, std::string>>& cursor, int64_t limit) {
    std::string sql = "SELECT id, at, kind, action, author_id, author_name, visibility, summary, ref_id "
                      "FROM timeline_events WHERE patient_id = {patient} AND superseded = 0 AND " + vis.sql;
    storage::Params p;
    p.insert(p.end(), vis.params.begin(), vis.params.end());
    if (!kind.empty()) {
        sql += " AND kind = ?";
        p.push_back(kind);
    }
    if (!author.empty()) {
        sql += " AND author_id = ?";
        p.push_back(author);
    }
    if (cursor) {
        const auto& [at, id] = *cursor;
        sql += " AND (at < ? OR (at = ? AND id < ?))";
        p.insert(p.end(), {at, at, id});
    }
    sql += " ORDER BY at DESC, id DESC LIMIT ?";
    p.push_back(limit);
    std::vector<TimelineRow> out;
    for (const auto& r : sc.Query(sql, p))
        out.push_back({r.Str(0), r.Int(1), r.Str(2), r.Str(3), r.OptStr(4), r.Str(5), r.Str(6), r.Str(7), r.OptStr(8)});
    return out;
}

void QueueMarkRead(Scope& sc, const std::string& account_id, int64_t now) {
    sc.Queue("INSERT INTO patient_reads (account_id, patient_id, seen_at) VALUES (?, {patient}, ?) ON CONFLICT (account_id, "
            "patient_id) DO UPDATE SET seen_at = excluded.seen_at",
            {account_id, now});
}

}  // namespace cordee::patients::repo

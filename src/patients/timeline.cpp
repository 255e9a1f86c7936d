#include "patients/timeline.hpp"

#include "common/errors.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "storage/change_log.hpp"

#include <boost/json.hpp>

namespace cordee::patients {

void AppendEvent(storage::Session& s, const TimelineEvent& e) {
    const int64_t now = NowMicros();
    const int64_t at = e.at ? e.at : now;
    const std::string id = NewUuidV7();
    const std::string summary = boost::json::serialize(e.summary);
    s.Queue("INSERT INTO timeline_events (id, patient_id, at, written_at, kind, action, author_id, author_name, "
            "visibility, structure_id, summary, ref_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {id, e.patient_id, at, now, e.kind, e.action, e.author_id, e.author_name, e.visibility,
             e.structure_id.empty() ? storage::Value{} : storage::Value{e.structure_id}, summary,
             e.ref_id.empty() ? storage::Value{} : storage::Value{e.ref_id}});
    s.Queue("UPDATE patients SET last_activity_at = ? WHERE id = ? AND last_activity_at < ?", {now, e.patient_id, now});
    // Whoever writes in a record has it before their eyes: what they wrote is not "unread" for them, and the
    // unread counts never have to step over a busy author's own entries.
    if (!e.author_id.empty()) MarkRead(s, e.author_id, e.patient_id);
    storage::AppendChange(s, {"timeline_event", id, "create", "patient:" + e.patient_id,
                              boost::json::serialize(boost::json::object{{"kind", e.kind}, {"action", e.action},
                                                                         {"visibility", e.visibility},
                                                                         {"ref_id", e.ref_id}})});
}

void SupersedeEvent(storage::Session& s, const std::string& patient_id, const std::string& ref_id) {
    s.Queue("UPDATE timeline_events SET superseded = 1 WHERE patient_id = ? AND ref_id = ?", {patient_id, ref_id});
}

std::string TimeCursor(int64_t at, const std::string& id) { return std::to_string(at) + "." + id; }

std::pair<int64_t, std::string> ParseTimeCursor(const std::string& c) {
    const auto dot = c.find('.');
    try {
        if (dot != std::string::npos && dot > 0 && dot <= 20 && IsUuid(c.substr(dot + 1)))
            return {std::stoll(c.substr(0, dot)), c.substr(dot + 1)};
    } catch (...) {
    }
    throw Invalid("cursor", "curseur invalide");
}

boost::json::object ListTimeline(storage::Session& s, const Grant& g, const TimelineQuery& q) {
    const Clause vis = VisibleTo(g, "visibility", "structure_id");
    std::string sql = "SELECT id, at, kind, action, author_id, author_name, visibility, summary, ref_id "
                      "FROM timeline_events WHERE patient_id = ? AND superseded = 0 AND " + vis.sql;
    storage::Params p{g.patient_id};
    p.insert(p.end(), vis.params.begin(), vis.params.end());
    if (!q.kind.empty()) {
        sql += " AND kind = ?";
        p.push_back(q.kind);
    }
    if (!q.author.empty()) {
        sql += " AND author_id = ?";
        p.push_back(q.author);
    }
    if (!q.cursor.empty()) {
        const auto [at, id] = ParseTimeCursor(q.cursor);
        sql += " AND (at < ? OR (at = ? AND id < ?))";
        p.insert(p.end(), {at, at, id});
    }
    sql += " ORDER BY at DESC, id DESC LIMIT ?";
    p.push_back(static_cast<int64_t>(q.limit + 1));
    auto rows = s.Query(sql, p);
    boost::json::array items;
    std::string next;
    for (size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        if (static_cast<int>(i) == q.limit) {
            const auto& last = rows[i - 1];
            next = TimeCursor(last.Int(1), last.Str(0));
            break;
        }
        boost::json::value summary;
        try {
            summary = boost::json::parse(r.Str(7));
        } catch (...) {
            summary = boost::json::object{};
        }
        items.push_back({{"id", r.Str(0)},
                         {"at", FormatRfc3339(r.Int(1))},
                         {"kind", r.Str(2)},
                         {"action", r.Str(3)},
                         {"author", {{"account_id", r.OptStr(4) ? boost::json::value(r.Str(4)) : nullptr}, {"name", r.Str(5)}}},
                         {"visibility", r.Str(6)},
                         {"summary", summary},
                         {"ref_id", r.OptStr(8) ? boost::json::value(r.Str(8)) : nullptr}});
    }
    return {{"items", items}, {"next_cursor", next.empty() ? boost::json::value(nullptr) : boost::json::value(next)}};
}

void MarkRead(storage::Session& s, const std::string& account_id, const std::string& patient_id) {
    s.Queue("INSERT INTO patient_reads (account_id, patient_id, seen_at) VALUES (?, ?, ?) ON CONFLICT (account_id, "
            "patient_id) DO UPDATE SET seen_at = excluded.seen_at",
            {account_id, patient_id, NowMicros()});
}

}  // namespace cordee::patients

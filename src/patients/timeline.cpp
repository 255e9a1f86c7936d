#include "patients/timeline.hpp"

#include "common/errors.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "patients/repository.hpp"
#include "storage/change_log.hpp"

#include <boost/json.hpp>

namespace cordee::patients {

void AppendEvent(Scope& sc, const TimelineEvent& e) {
    const int64_t now = NowMicros();
    const int64_t at = e.at ? e.at : now;
    const std::string id = NewUuidV7();
    const std::string summary = boost::json::serialize(e.summary);
    repo::QueueInsertEvent(sc, id, e, at, now, summary);
    repo::QueueMoveLastActivity(sc, now);
    // Whoever writes in a record has it before their eyes: what they wrote is not "unread" for them, and the
    // unread counts never have to step over a busy author's own entries.
    if (!e.author_id.empty()) MarkRead(sc, e.author_id);
    storage::AppendChange(sc.shared(), {"timeline_event", id, "create", "patient:" + sc.patient(),
                              boost::json::serialize(boost::json::object{{"kind", e.kind}, {"action", e.action},
                                                                         {"visibility", e.visibility},
                                                                         {"ref_id", e.ref_id}})});
}

void SupersedeEvent(Scope& sc, const std::string& ref_id) {
    repo::QueueSupersedeEvent(sc, ref_id);
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

boost::json::object ListTimeline(Scope& sc, const TimelineQuery& q) {
    std::optional<std::pair<int64_t, std::string>> cursor;
    if (!q.cursor.empty()) cursor = ParseTimeCursor(q.cursor);
    const auto rows = repo::ListEvents(sc, sc.Visible("visibility", "structure_id"), q.kind, q.author,
                                       cursor, static_cast<int64_t>(q.limit + 1));
    boost::json::array items;
    std::string next;
    for (size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        if (static_cast<int>(i) == q.limit) {
            const auto& last = rows[i - 1];
            next = TimeCursor(last.at, last.id);
            break;
        }
        boost::json::value summary;
        try {
            summary = boost::json::parse(r.summary);
        } catch (...) {
            summary = boost::json::object{};
        }
        // Whether an entry holds vital signs is itself health data (notebook/vitals.hpp).
        if (!sc.grant().health && summary.is_object()) summary.as_object().erase("has_vitals");
        items.push_back({{"id", r.id},
                         {"at", FormatRfc3339(r.at)},
                         {"kind", r.kind},
                         {"action", r.action},
                         {"author", {{"account_id", r.author_id ? boost::json::value(*r.author_id) : nullptr}, {"name", r.author_name}}},
                         {"visibility", r.visibility},
                         {"summary", summary},
                         {"ref_id", r.ref_id ? boost::json::value(*r.ref_id) : nullptr}});
    }
    return {{"items", items}, {"next_cursor", next.empty() ? boost::json::value(nullptr) : boost::json::value(next)}};
}

void MarkRead(Scope& sc, const std::string& account_id) {
    repo::QueueMarkRead(sc, account_id, NowMicros());
}

}  // namespace cordee::patients

#pragma once
// The follow-up timeline: one row per thing that happened to a patient (notebook entry, alert, circle
// change, identity step, emergency access, and later messages, appointments, hospital movements),
// written by each service in its own transaction. Rows carry the notebook's visibility rules so that
// one filter (policy VisibleTo) serves every kind.
#include "patients/policy.hpp"
#include "patients/scope.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace cordee::patients {

// Of the scope's patient.
struct TimelineEvent {
    int64_t at = 0;              // when it happened (fact time); 0 = now
    std::string kind;            // notebook, alert, circle, identity, access
    std::string action;          // create, correct, end, raise, validate, qualify, merge, break_glass…
    std::string author_id, author_name;
    std::string visibility = "circle";
    std::string structure_id;
    boost::json::object summary;  // what a list shows; the full record is behind ref_id
    std::string ref_id;
};

// Appends the event, moves the patient's last activity and writes the change log (scope patient:ID).
void AppendEvent(Scope& sc, const TimelineEvent& e);
// Hides the event of a notebook version that a correction replaced.
void SupersedeEvent(Scope& sc, const std::string& ref_id);

struct TimelineQuery {
    std::string kind, author, cursor;
    int limit = 30;
};
// Newest first; `next_cursor` continues after the last item (stable under concurrent appends).
boost::json::object ListTimeline(Scope& sc, const TimelineQuery& q);
// Lists ordered by (time, id) page with cursors "TIME.ID": the position of the last item shown.
std::string TimeCursor(int64_t at, const std::string& id);
std::pair<int64_t, std::string> ParseTimeCursor(const std::string& cursor);  // 422 on field cursor
// The account has read the record up to now (the unread counts start after it).
void MarkRead(Scope& sc, const std::string& account_id);

}  // namespace cordee::patients

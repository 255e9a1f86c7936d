#pragma once
// What the patients service's files share (identity_service, circle_service, access_service, lists_service): the JSON
// of a record, a member and a grant, the rules on who manages a record, and the two traces every change leaves (the
// timeline event and the change log). Internal to the patients module.
#include "patients/model.hpp"
#include "patients/scope.hpp"
#include "patients/timeline.hpp"

#include "common/errors.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>

namespace cordee::patients::parts {

namespace json = boost::json;

json::value OptJson(const std::optional<std::string>& v);
// A line of a list (search, my patients, possible duplicates); `access` says how the caller reaches the record.
json::object SummaryJson(const PatientRow& r, const std::string& access);
// Manages the circle and the identity: the referent, the circle's coordinators, operators (never an emergency access).
bool Manages(const Grant& g);
json::object AccessJson(const Grant& g);
json::object PatientJson(const PatientRow& r, const Grant* g);
std::string MemberStatus(const MemberRow& r, int64_t now);
json::object MemberJson(const MemberRow& r);

void RequireCircleEditor(const Grant& g);
void RequireIdentityEditor(const Grant& g);
void RequireManager(const Grant& g, const std::string& what);
// 409 patient-merged when `id` names a record merged into the scope's patient.
void RequireActive(Scope& sc, const std::string& id);

// The change log's entry for the record (its feed: patient:ID).
void Touch(Scope& sc, const char* what);
// A timeline event written by the actor.
TimelineEvent Event(const Actor& a, const char* kind, const char* action, json::object summary, std::string ref_id = {});

}  // namespace cordee::patients::parts

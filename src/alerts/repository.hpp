#pragma once
// The SQL of alerts: the alerts, their recipients, and what raising one reads of the circle and the accounts.
// The rules (who may raise or acknowledge, who the recipients are, what a grant may see) stay in service.cpp;
// the visibility and membership conditions come from the policy as Clauses.
#include "alerts/model.hpp"
#include "patients/policy.hpp"
#include "patients/scope.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cordee::alerts::repo {

// Raising (in the caller's transaction).
void QueueInsertAlert(patients::Scope& sc, const AlertId& id, const NewAlert& a, int64_t now);
void QueueInsertRecipient(patients::Scope& sc, const AlertId& alert_id, const std::string& account_id);
std::optional<std::string> AccountEmail(storage::Session& s, const std::string& account_id);
// The circle's members (not contacts) that `active` keeps, and whether one member is among them.
std::vector<patients::MemberId> ActiveMemberIds(patients::Scope& sc, const patients::Clause& active);
bool IsActiveMember(patients::Scope& sc, const patients::MemberId& member_id, const patients::Clause& active);

// Reading.
std::optional<AlertRow> FindAlert(patients::Scope& sc, const AlertId& alert_id);
// The patient's alerts that `visible` keeps, newest first, at most 200; with `open_for`, only those this account
// has still to acknowledge.
std::vector<AlertRow> ListAlerts(patients::Scope& sc, const patients::Clause& visible,
                                 const std::optional<std::string>& open_for);
// The alerts this account has still to acknowledge, across patients, newest first, at most 200 (the caller then
// opens each patient's scope and keeps what its grant may read).
std::vector<AlertRow> OpenAlertsOf(storage::Session& s, const std::string& account_id);
std::vector<RecipientRow> Recipients(patients::Scope& sc, const AlertId& alert_id);  // by name
std::optional<PatientNameRow> PatientName(patients::Scope& sc);

// Acknowledging: the number of rows changed (0 when already acknowledged or not a recipient).
int64_t Acknowledge(patients::Scope& sc, const AlertId& alert_id, const std::string& account_id, int64_t now);
bool IsRecipient(patients::Scope& sc, const AlertId& alert_id, const std::string& account_id);

}  // namespace cordee::alerts::repo

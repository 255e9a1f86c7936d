#pragma once
// What the alerts module holds, as the repository reads and writes it: the alert (`alerts`), its recipients
// (`alert_recipients`), and the kinds, severities and visibilities an alert may have.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.hpp"

namespace cordee::alerts {

using AlertId = StrongId<struct AlertTag>;

inline const std::vector<std::string> kKinds = {"chute", "aggravation", "hospitalisation", "visite_manquee",
                                                "bris_de_glace", "autre"};
inline const std::vector<std::string> kSeverities = {"info", "importante", "urgente"};
// The notebook's visibilities, with the same rule (patients::VisibleTo / MaySee): circle, health, structure.
inline const std::vector<std::string> kVisibilities = {"circle", "health", "structure"};

// About the scope's patient.
struct NewAlert {
    std::string kind, severity = "importante", body, source = "member", raised_by, raised_by_name;
    std::vector<std::string> recipient_accounts;  // each one may read it (the caller checked)
    std::string visibility = "circle", structure_id;  // structure_id: for visibility structure only
};

// An alert as stored. raised_by is none for an alert raised by a rule without an author, structure_id none
// unless the visibility is structure.
struct AlertRow {
    AlertId id;
    std::string patient_id, kind, severity, body, source;
    std::optional<std::string> raised_by;
    std::string raised_by_name;
    int64_t created_at = 0;
    std::string visibility;
    std::optional<std::string> structure_id;
};

// A recipient of an alert, with the account's name; acknowledged_at none while it has not acknowledged.
struct RecipientRow {
    std::string account_id, first_name, last_name;
    std::optional<int64_t> acknowledged_at;
};

// The patient's name as the lists show it: the used names when there are, else the birth ones.
struct PatientNameRow {
    std::string first_name, last_name;
};

}  // namespace cordee::alerts

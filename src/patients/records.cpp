#include "patients/records.hpp"

#include "audit/audit.hpp"

namespace cordee::patients {

void PatientRecords::Audit(storage::Session& s, const Actor& actor, const std::string& patient_id,
                           const std::optional<Grant>& grant, const char* action, boost::json::object detail) {
    if (grant) {
        detail["via"] = grant->via;
        if (grant->via == "break_glass") detail["reason"] = grant->break_glass_reason;
        if (grant->patient_id != patient_id) detail["survivor"] = grant->patient_id;
    }
    audit::Append(s, {actor.account_id, action, "patient", patient_id, actor.ip, grant ? "success" : "denied",
                      std::move(detail)});
}

void PatientRecords::AuditRefusal(const auth::Principal& who, const std::string& patient_id, const char* action,
                                  const Error& e) {
    if (e.status() != 403 && e.status() != 404) return;
    db_.Write([&](storage::Session& s) {
        audit::Append(s, {who.account_id, action, "patient", patient_id, who.ip, "denied",
                          {{"status", e.status()}, {"reason", e.slug()}}});
    });
}

Error PatientRecords::Denied() {
    return Error(Problem::kNotFound,
                 "Ce patient n'existe pas ou vous ne faites pas partie de son cercle de soins.");
}

}  // namespace cordee::patients

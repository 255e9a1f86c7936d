#pragma once
// Alerts on a patient: raised by a circle member (a fall, a worsening, a hospitalisation, a missed
// visit) or by a rule (pathways, hospital feeds, emergency accesses call Raise in their own
// transaction); addressed to the whole circle or to chosen members; each recipient acknowledges.
// Recipients get an e-mail without clinical content.
#include "patients/records.hpp"

#include "common/config.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace cordee::alerts {

inline const std::vector<std::string> kKinds = {"chute", "aggravation", "hospitalisation", "visite_manquee",
                                                "bris_de_glace", "autre"};
inline const std::vector<std::string> kSeverities = {"info", "importante", "urgente"};

struct NewAlert {
    std::string patient_id, kind, severity = "importante", body, source = "member", raised_by, raised_by_name;
    std::vector<std::string> recipient_accounts;
};

// Within the caller's transaction: stores the alert and its recipients, adds the timeline event and
// queues the e-mails. Returns the alert id.
std::string Raise(storage::Session& s, const NewAlert& a, const std::string& public_url);

class AlertService {
public:
    AlertService(patients::PatientRecords& records, const Config& cfg) : records_(records), cfg_(cfg) {}

    // `member_ids` empty: every active member of the circle.
    std::pair<int, std::string> RaiseByMember(const auth::Principal& p, const std::string& patient_id,
                                              const std::string& kind, const std::string& severity,
                                              const std::string& body, const std::vector<std::string>& member_ids,
                                              const std::string& idempotency_key);
    boost::json::object List(const auth::Principal& p, const std::string& patient_id, bool open_only);
    boost::json::object Acknowledge(const auth::Principal& p, const std::string& patient_id, const std::string& alert_id);
    // The caller's unacknowledged alerts across the patients they can still reach.
    boost::json::object Mine(const auth::Principal& p);
    int64_t OpenCount(const auth::Principal& p);

private:
    patients::PatientRecords& records_;
    const Config& cfg_;  // public URL for e-mailed links, known once the server listens
};

}  // namespace cordee::alerts

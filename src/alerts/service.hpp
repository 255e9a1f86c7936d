#pragma once
// Alerts on a patient: raised by a circle member (a fall, a worsening, a hospitalisation, a missed
// visit) or by a rule (pathways, hospital feeds, emergency accesses call Raise in their own
// transaction); addressed to the whole circle or to chosen members; each recipient acknowledges.
// An alert has a visibility like a notebook entry: lists, counters and the timeline show it only to whom
// may read it, and only such members are its recipients. Recipients get an e-mail without clinical content.
#include "alerts/model.hpp"
#include "live/service.hpp"
#include "patients/records.hpp"
#include "sync/collection.hpp"

#include "common/config.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace cordee::alerts {

// What a member sends: `member_ids` empty means every active member of the circle who may read it.
struct MemberAlert {
    std::string kind, severity = "importante", body;
    std::string visibility = "circle", structure_id;  // structure_id empty: the author's first structure
    std::vector<patients::MemberId> member_ids;
};

// Within the caller's transaction: stores the alert and its recipients, adds the timeline event, queues the
// e-mails and tells each recipient's live feed (an "alert" event: which patient, kind, severity; the text stays in
// the record). `pub`: the caller's publication when its transaction publishes too (one per transaction). Returns the
// alert id.
AlertId Raise(patients::Scope& sc, const NewAlert& a, const std::string& public_url,
              live::Publication* pub = nullptr);

class AlertService {
public:
    AlertService(patients::PatientRecords& records, const Config& cfg) : records_(records), cfg_(cfg) {}

    std::pair<int, std::string> RaiseByMember(const auth::Principal& p, const std::string& patient_id,
                                              const MemberAlert& a, const std::string& idempotency_key);
    boost::json::object List(const auth::Principal& p, const std::string& patient_id, bool open_only);
    boost::json::object Acknowledge(const auth::Principal& p, const std::string& patient_id, const AlertId& alert_id);
    // The caller's unacknowledged alerts across the patients they can still reach.
    boost::json::object Mine(const auth::Principal& p);
    int64_t OpenCount(const auth::Principal& p);

private:
    patients::PatientRecords& records_;
    const Config& cfg_;  // public URL for e-mailed links, known once the server listens
};

// The alerts' collection of the offline store: the `recent` newest alerts of each patient the grant may read.
sync::PatientCollection SyncCollection(int recent);

}  // namespace cordee::alerts

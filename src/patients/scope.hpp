#pragma once
// One patient's record, as a grant of the policy opened it (DESIGN.md §3 and §5). PatientRecords (records.hpp) makes
// a Scope only after Decide granted access, and hands it to the service; the service never gets a database session
// for patient data:
// - the patient tables (patients, circle_members, notebook_entries, attachments, alerts, alert_recipients,
//   timeline_events, patient_reads, break_glass) are read and written by repository functions that take a Scope,
//   and a Scope's statements name the patient as `{patient}`, which the scope binds to its own patient itself: a
//   statement without it is refused, so no statement run through a scope reaches another patient;
// - what a grant may read of those rows (visibility, structure) comes from the scope too (Visible, MaySee);
// - `shared()` is the same transaction for what is not one patient's data (accounts, directory, mails, the change
//   log, idempotency keys, the audit trail).
// tests/shape/patient_scope.test.mjs checks that a repository function reaching a patient table takes a Scope, or is
// one of the few listed there with their reason (the policy itself, creation, lists across patients).
#include "patients/policy.hpp"
#include "storage/database.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace cordee::patients {

class Scope {
public:
    const std::string& patient() const { return grant_.patient_id; }
    const Grant& grant() const { return grant_; }
    const Actor& actor() const { return actor_; }

    // The condition keeping the rows this grant may read, on a table with visibility and structure columns.
    Clause Visible(std::string_view visibility_col, std::string_view structure_col) const {
        return VisibleTo(grant_, visibility_col, structure_col);
    }
    bool MaySee(std::string_view visibility, std::string_view structure_id) const {
        return patients::MaySee(grant_, visibility, structure_id);
    }

    // Statements on this patient's data (repositories only): `{patient}` in the SQL is this patient, bound as a
    // parameter where it stands among the `?`.
    storage::Rows Query(std::string_view sql, const storage::Params& params = {});
    std::optional<storage::Row> One(std::string_view sql, const storage::Params& params = {});
    int64_t Exec(std::string_view sql, const storage::Params& params = {});
    void Queue(std::string_view sql, const storage::Params& params = {});

    // The same transaction, for what is not this patient's data.
    storage::Session& shared() { return s_; }

    // The rewriting, exposed for its unit test: `{patient}` → `?`, the patient's id inserted at its place.
    static std::pair<std::string, storage::Params> Bind(std::string_view sql, const storage::Params& params,
                                                        const std::string& patient_id);

private:
    friend class PatientRecords;
    Scope(storage::Session& s, const Actor& actor, const Grant& grant) : s_(s), actor_(actor), grant_(grant) {}
    storage::Session& s_;
    const Actor& actor_;
    const Grant& grant_;
};

}  // namespace cordee::patients

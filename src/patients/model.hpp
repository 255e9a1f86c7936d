#pragma once
// The data of the patients module as the service handles it: identities and circle changes as checked by the routes,
// and the rows the repositories (repository.hpp) read, decoded into named fields.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.hpp"

namespace cordee::patients {

// The id of a member row: a bare string (a patient's id, an account's) cannot be given where it is expected. Patient
// ids do not reach the repositories at all: the Scope binds its own patient ({patient}).
using MemberId = StrongId<struct MemberTag>;

// Identity traits as checked by the routes (names normalised, dates valid).
struct Identity {
    std::optional<std::string> birth_name, birth_first_names, first_name, used_name, used_first_name, birth_date, sex,
        birthplace_code, identity_status, phone, address;
    std::optional<bool> douteuse, fictive, homonyme;
};

struct NewMember {
    std::string account_id, professional_id, structure_id;
    std::string contact_name, contact_phone, contact_relation;
    std::string role;
    int64_t start = 0;  // 0: now
    std::optional<int64_t> end;
    bool referent = false;
};

struct MemberPatch {
    std::optional<std::string> role;
    std::optional<int64_t> end;
    bool referent = false;
};

// --- rows --------------------------------------------------------------------------------------------------------

// An account as the policy loads it, with its structures (ids and names, by id).
struct AccountRow {
    std::string first_name, last_name, profession_code, profession_label, professional_id, status;
    std::vector<std::string> structure_ids, structure_names;
};

// A patient and the caller's best membership of it (none: member_id empty).
struct MembershipRow {
    std::string status, merged_into;  // "" when not asked for
    std::optional<MemberId> member_id;
    std::string role;
    bool referent = false;
};

struct BreakGlassRow {
    std::string reason;
    int64_t until = 0;
};

// A patient record (table patients).
struct PatientRow {
    std::string id, birth_name, birth_first_names, first_name;
    std::optional<std::string> used_name, used_first_name;
    std::string birth_date, sex, birthplace_code, identity_status;
    bool douteuse = false, fictive = false, homonyme = false;
    std::optional<std::string> ins_matricule;
    std::string ins_oid, phone, address;
    int64_t version = 0, created_at = 0;
    std::string status;
    std::optional<std::string> merged_into, validation_document;
};

// A new patient, with its search and twin keys.
struct NewPatientRow {
    std::string id, birth_name, birth_first_names, first_name;
    std::optional<std::string> used_name, used_first_name;  // none: NULL
    std::string birth_date, sex, birthplace_code, identity_status;
    bool douteuse = false, fictive = false, homonyme = false;
    std::string phone, address, name_key;
    std::optional<std::string> used_name_key;
    std::string first_name_key, search_names, created_by;
    int64_t now = 0;
};

// A member of a care circle, with the name and profession shown for it.
struct MemberRow {
    MemberId id;
    std::string kind;
    std::optional<std::string> account_id, professional_id, structure_id;
    std::string contact_name, contact_phone, contact_relation, role;
    bool referent = false;
    int64_t start_at = 0;
    std::optional<int64_t> end_at, informed_at;
    std::string informed_by, informed_how;
    std::optional<int64_t> opposed_at;
    std::string opposed_by, opposed_how, opposed_reason, added_by;
    int64_t added_at = 0, version = 0;
    std::string display_name, profession;
};

// A member of the scope's patient's circle.
struct NewMemberRow {
    MemberId id;
    std::string kind;
    std::optional<std::string> account_id, professional_id, structure_id, contact_name, contact_phone, contact_relation;
    std::string role;
    bool referent = false;
    int64_t start_at = 0;
    std::optional<int64_t> end_at;
    std::string added_by;
    int64_t added_at = 0;
};

struct AccountEmail {
    std::string id, email;
};

// A patient of the caller's "my patients" page: the caller's role there, and when the record last moved.
struct MinePageRow {
    std::string patient_id, role;
    bool referent = false;
    int64_t last_activity_at = 0;
};

struct TimelineRow {
    std::string id;
    int64_t at = 0;
    std::string kind, action;
    std::optional<std::string> author_id;
    std::string author_name, visibility, summary;
    std::optional<std::string> ref_id;
};

struct AccessLogRow {
    int64_t seq = 0, at = 0;
    std::string actor_id, action, outcome, detail, first_name, last_name, profession_label;
};

}  // namespace cordee::patients

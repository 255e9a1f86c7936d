#pragma once
// The access policy to patient data (DESIGN.md §5), decided here and nowhere else: who is calling
// (Actor), whether and how they may reach one patient (Grant), and which entries of a patient a grant
// may read (VisibleTo). Routes and services never filter by hand: they go through PatientRecords
// (records.hpp), which calls this and audits the outcome.
#include "patients/model.hpp"
#include "storage/database.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cordee::patients {

// RPPS/ADELI codes of health professions (CSP, 4th part) and the aide-soignant/auxiliaire de
// puériculture codes of the directory; everyone else (social work, coordination without a health
// profession, management) is not a health professional.
bool IsHealthProfession(std::string_view profession_code);

struct Actor {
    std::string account_id, role, ip, name, profession_code, profession_label, professional_id;
    std::vector<std::string> structures;  // the structures the account belongs to (ids, sorted)
    std::vector<std::string> structure_names;  // their names, same order
    bool health = false;
    bool IsOperator() const;
};
// Loads what the policy needs to know of an active account; 401 when the account is no longer active.
Actor LoadActor(storage::Session& s, const std::string& account_id, const std::string& role, const std::string& ip);

enum class Need {
    kIdentity,    // identity banner, circle: members, and operators (who administer)
    kClinical,    // notebook, alerts, timeline: members and break-the-glass only
    kAdminister,  // merge: operators
};

struct Grant {
    std::string patient_id;       // the record reached (the survivor when the id given was merged)
    std::string via;              // "member", "break_glass", "operator"
    bool clinical = false;        // may read clinical content
    bool health = false;          // sees entries restricted to health professionals
    bool referent = false;        // referent (coordinator) of the circle
    bool coordinator = false;     // may read the access log
    std::vector<std::string> structures;
    MemberId member_id;
    std::string break_glass_reason;
    int64_t break_glass_until = 0;
};

// The grant of `actor` on `patient_id` for `need`, or nothing (no access, or no such patient).
std::optional<Grant> Decide(storage::Session& s, const Actor& actor, const std::string& patient_id, Need need);

// A SQL condition (with its parameters) keeping the rows of a table with visibility and structure
// columns that `g` may read: circle rows, health rows for health professionals, structure rows of the
// reader's structures.
struct Clause {
    std::string sql;
    storage::Params params;
};
Clause VisibleTo(const Grant& g, std::string_view visibility_col, std::string_view structure_col);
bool MaySee(const Grant& g, std::string_view visibility, std::string_view structure_id);
// The same rule for another account than the caller (the recipients of an alert): its profession and structures
// as they are now. An account that is not active may see nothing.
bool AccountMaySee(storage::Session& s, const std::string& account_id, std::string_view visibility,
                   std::string_view structure_id);

// The membership rule, written once for every query that needs it: a row `alias` of circle_members is active
// (started, not ended, not opposed) …
Clause ActiveMember(std::string_view alias, int64_t now);
// … and, for MemberOf, grants access to this actor (not a contact; the account itself, its directory entry or
// one of its structures).
Clause MemberOf(const Actor& actor, std::string_view alias, int64_t now);

// "(?, ?, ?)" for n values, "(NULL)" for none (an empty IN list is not valid PostgreSQL).
std::string InList(size_t n);

// Accounts reached through a member of the scope's patient's circle: the account itself, the accounts of a directory
// professional, or the active accounts of a structure.
class Scope;
std::vector<std::string> AccountsOfMember(Scope& sc, const MemberId& member_id);
// The accounts the scope's patient's circle grants access to now, by id, each with whether it is a health
// professional (who reads what is restricted to them): the members of the patient's conversation.
struct CircleAccount {
    std::string account_id;
    bool health = false;
};
std::vector<CircleAccount> CircleAccounts(Scope& sc);
// Those reached through the circle's referent and coordinators (who are told when an urgent message stays unread).
std::vector<CircleAccount> CircleManagers(Scope& sc);

}  // namespace cordee::patients

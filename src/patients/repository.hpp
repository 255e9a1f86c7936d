#pragma once
// All SQL of the patients module, as named statements returning the rows of model.hpp:
// - repository.cpp: identity (patients), duplicates, search and "my patients" lists, merge, the care circle,
//   emergency accesses and the access log;
// - policy_repository.cpp: what the policy reads (the actor, the best membership, a running emergency access);
// - timeline_repository.cpp: the timeline and the reading marks.
// The rules (who may do what, what a change means) stay in the *_service.cpp files, policy.cpp and timeline.cpp.
#include "patients/model.hpp"
#include "patients/policy.hpp"
#include "patients/scope.hpp"
#include "patients/timeline.hpp"
#include "storage/database.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cordee::patients::repo {

// --- policy ------------------------------------------------------------------------------------------------------
// The account and its structures in one round trip; nothing when there is no such account.
std::optional<AccountRow> FindAccount(storage::Session& s, const std::string& account_id);
// The patient (status and merged_into when `with_patient`) and the best membership matching `member`; nothing when
// there is no such patient.
std::optional<MembershipRow> BestMembership(storage::Session& s, const Clause& member, const std::string& patient_id,
                                            bool with_patient);
// The account's emergency access to the patient running at `now`, the one that ends last.
std::optional<BreakGlassRow> RunningBreakGlass(storage::Session& s, const std::string& account_id,
                                               const std::string& patient_id, int64_t now);
// Active accounts reached through a member (may repeat an id).
std::vector<std::string> AccountIdsOfMember(Scope& sc, const MemberId& member_id);
// Every account reached through the active members of the circle (id, profession code), by id; with `managers`,
// through its referent and coordinators only.
std::vector<std::pair<std::string, std::string>> CircleAccountIds(Scope& sc, const Clause& active, bool managers);

// --- timeline ----------------------------------------------------------------------------------------------------
void QueueInsertEvent(Scope& sc, const std::string& id, const TimelineEvent& e, int64_t at, int64_t now,
                      const std::string& summary);
void QueueMoveLastActivity(Scope& sc, int64_t now);
void QueueSupersedeEvent(Scope& sc, const std::string& ref_id);
// Newest first, at most `limit` rows, after `cursor` (time, id) when given.
std::vector<TimelineRow> ListEvents(Scope& sc, const Clause& visible,
                                    const std::string& kind, const std::string& author,
                                    const std::optional<std::pair<int64_t, std::string>>& cursor, int64_t limit);
void QueueMarkRead(Scope& sc, const std::string& account_id, int64_t now);

// --- identity ----------------------------------------------------------------------------------------------------
// The scope's patient, or a record merged into it when `id` names one (it answers as itself: status merged).
std::optional<PatientRow> FindPatient(Scope& sc, const std::string& id);
// Whether a record exists and its status, before any grant (the emergency door: an unknown or merged record opens none).
std::optional<std::string> PatientStatus(storage::Session& s, const std::string& id);
std::vector<PatientRow> FindPatients(storage::Session& s, const std::vector<std::string>& ids);
// Active records close to these traits (identity vigilance): see Twins in identity_service.cpp; at most 10.
struct TwinQuery {
    std::string birth_date, swapped_date, sex, first_key, name_key, used_key, birthplace, year, ins, except_id;
};
std::vector<PatientRow> FindTwins(storage::Session& s, const TwinQuery& q);
void QueueInsertPatient(storage::Session& s, const NewPatientRow& p);
// The creator of a record, its first member and referent from `now`.
void QueueInsertCreator(storage::Session& s, const MemberId& member_id, const std::string& patient_id,
                        const std::string& account_id, const std::string& role, int64_t now);
// A column set by an identity change, with its value.
using ColumnValue = std::pair<std::string, storage::Value>;
// The change, if the record is still at `version`: false when it moved meanwhile.
bool UpdatePatientIfVersion(Scope& sc, int64_t version, int64_t now, const std::vector<ColumnValue>& sets);
void SetValidated(Scope& sc, const std::string& document, int64_t now);
std::optional<std::string> OtherActiveWithIns(storage::Session& s, const std::string& matricule, const std::string& id);
bool SetQualifiedIfVersion(Scope& sc, int64_t version, const std::string& matricule, const std::string& oid,
                           int64_t now);

// --- lists -------------------------------------------------------------------------------------------------------
struct SearchFilter {
    std::vector<std::string> words;  // each the start of a part of the names
    std::string birth_date, ins;     // "" when not asked
};
// The caller's own patients (members of `member`; also current emergency accesses unless `every_patient`), with
// whether the caller is a member; at most 50.
std::vector<std::pair<PatientRow, bool>> SearchMine(storage::Session& s, const SearchFilter& f, const Clause& member,
                                                    bool every_patient, const std::string& account_id, int64_t now);
// Any active patient matching; at most 10.
std::vector<PatientRow> SearchAll(storage::Session& s, const SearchFilter& f);
// A page of the caller's patients (`member`), by last activity, after `cursor`, at most `limit` rows.
std::vector<MinePageRow> MinePage(storage::Session& s, const Clause& member,
                                  const std::optional<std::pair<int64_t, std::string>>& cursor, int64_t limit);
// How many active patients the caller follows (`member`): the number "Mes patients" lists.
int64_t CountMine(storage::Session& s, const Clause& member);
// The account's reading time of each patient it read (patient id, seen_at).
std::vector<std::pair<std::string, int64_t>> ReadTimes(storage::Session& s, const std::string& account_id,
                                                       const std::vector<std::string>& patient_ids);
// For each (patient, reading time), in order, the entries visible through `visible` written since by others.
std::vector<int64_t> UnreadCounts(storage::Session& s, const std::vector<std::pair<std::string, int64_t>>& seen,
                                  const std::string& account_id, const Clause& visible);
// Open alerts addressed to the account, visible through `visible`, per patient.
std::vector<std::pair<std::string, int64_t>> OpenAlertCounts(storage::Session& s, const std::string& account_id,
                                                             const std::vector<std::string>& patient_ids,
                                                             const Clause& visible);

// --- merge -------------------------------------------------------------------------------------------------------
bool HasReferent(Scope& sc);
void QueueClearReferentMarks(Scope& sc);  // without moving versions
// Moves everything attached to the duplicate to the survivor, and marks the duplicate merged into it.
void QueueMerge(Scope& survivor, Scope& duplicate, int64_t now);

// --- circle ------------------------------------------------------------------------------------------------------
std::optional<MemberRow> FindMember(Scope& sc, const MemberId& member_id);
std::vector<MemberRow> CircleMembers(Scope& sc);
bool ActiveAccountExists(storage::Session& s, const std::string& id);
bool ProfessionalExists(storage::Session& s, const std::string& id);
bool StructureExists(storage::Session& s, const std::string& id);
enum class Target { kAccount, kProfessional, kStructure };
// The member of the circle for this account, professional or structure that has not ended and is not opposed.
std::optional<MemberId> CurrentMemberFor(Scope& sc, Target target, const std::string& target_id, int64_t now);
void QueueClearReferent(Scope& sc);  // moving versions
void QueueClearOtherReferents(Scope& sc, const MemberId& member_id);
void QueueInsertMember(Scope& sc, const NewMemberRow& m);
// The change, if the member is still at `version`: false when it moved meanwhile.
bool UpdateMemberIfVersion(Scope& sc, const MemberId& member_id, int64_t version,
                           const std::optional<std::string>& role, const std::optional<int64_t>& end, bool referent);
void SetInformed(Scope& sc, const MemberId& member_id, int64_t at, const std::string& by, const std::string& how);
void SetOpposed(Scope& sc, const MemberId& member_id, int64_t at, const std::string& by, const std::string& how,
                const std::string& reason);
std::vector<AccountEmail> StructureAdmins(storage::Session& s, const std::string& structure_id);
std::vector<AccountEmail> AccountEmails(storage::Session& s, const std::vector<std::string>& ids);
std::vector<MemberId> ReferentMemberIds(Scope& sc);

// --- emergency access and access log ------------------------------------------------------------------------------
bool HasRunningBreakGlass(storage::Session& s, const std::string& account_id, const std::string& patient_id,
                          int64_t now);
// Whether the patient opposed a membership of this actor (the account, its directory entry or one of its structures)
// that no later addition of the same member replaced.
bool OpposedMembership(storage::Session& s, const std::string& patient_id, const Actor& actor);
int64_t BreakGlassOpenedSince(storage::Session& s, const std::string& account_id, int64_t since);
void QueueInsertBreakGlass(storage::Session& s, const std::string& id, const std::string& patient_id,
                           const std::string& account_id, const std::string& reason, int64_t started_at,
                           int64_t until_at);
std::vector<std::string> ActiveOperatorEmails(storage::Session& s);
std::vector<std::string> MergedInto(Scope& sc);  // the records merged into the scope's patient
// Newest first, at most `limit` rows, before `before` when given.
std::vector<AccessLogRow> AccessLogPage(storage::Session& s, const std::vector<std::string>& patient_ids,
                                        std::optional<int64_t> before, int64_t limit);

}  // namespace cordee::patients::repo

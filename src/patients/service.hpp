#pragma once
// Patients: identity (RNIV/INS), duplicate detection and merge, the care circle, emergency access
// (break-the-glass), the timeline, the "my patients" list and the access log. Every call reaches data
// through PatientRecords (records.hpp), which checks the policy, audits and hands each function a Scope (scope.hpp).
// Written in identity_service.cpp, circle_service.cpp, access_service.cpp and lists_service.cpp.
#include "alerts/service.hpp"
#include "patients/insi.hpp"
#include "patients/model.hpp"
#include "patients/records.hpp"
#include "patients/timeline.hpp"
#include "sync/collection.hpp"

#include "common/config.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cordee::patients {

inline const std::vector<std::string> kRoles = {
    "medecin_traitant", "medecin_specialiste", "infirmier", "pharmacien", "kinesitherapeute", "sage_femme",
    "aide_soignant", "aide_a_domicile", "assistante_sociale", "coordinateur", "psychologue", "structure",
    "proche_aidant", "autre"};
inline const std::vector<std::string> kValidationDocuments = {"cni", "passeport", "titre_sejour", "livret_famille",
                                                              "acte_naissance"};
constexpr int64_t kBreakGlassMicros = 4LL * 3600 * 1'000'000;
// The window in which one account's emergency openings are counted against Config::break_glass_per_day.
constexpr int64_t kBreakGlassWindowMicros = 24LL * 3600 * 1'000'000;

class PatientService {
public:
    PatientService(PatientRecords& records, std::unique_ptr<InsiClient> insi, const Config& cfg)
        : records_(records), insi_(std::move(insi)), cfg_(cfg) {}

    std::pair<int, std::string> Create(const auth::Principal& p, const Identity& id, const std::string& creator_role,
                                       bool confirm_not_duplicate, const std::string& idempotency_key);
    boost::json::object Search(const auth::Principal& p, const std::string& q, const std::string& birth_date,
                               const std::string& ins);
    boost::json::object Mine(const auth::Principal& p, int limit, const std::string& cursor);
    // The number of patients Mine lists (no identity is read: not audited as a read).
    int64_t MineCount(const auth::Principal& p);
    boost::json::object Get(const auth::Principal& p, const std::string& id);
    boost::json::object Update(const auth::Principal& p, const std::string& id, int64_t version, const Identity& patch);
    boost::json::object Validate(const auth::Principal& p, const std::string& id, const std::string& document);
    boost::json::object Qualify(const auth::Principal& p, const std::string& id);
    boost::json::object Merge(const auth::Principal& p, const std::string& survivor, const std::string& duplicate);

    boost::json::object Circle(const auth::Principal& p, const std::string& id);
    std::pair<int, std::string> AddMember(const auth::Principal& p, const std::string& id, const NewMember& m,
                                          const std::string& idempotency_key);
    boost::json::object UpdateMember(const auth::Principal& p, const std::string& id, const MemberId& member,
                                     int64_t version, const MemberPatch& patch);
    boost::json::object Inform(const auth::Principal& p, const std::string& id, const MemberId& member,
                               const std::string& how, int64_t at);
    boost::json::object Oppose(const auth::Principal& p, const std::string& id, const MemberId& member,
                               const std::string& how, const std::string& reason);

    boost::json::object Timeline(const auth::Principal& p, const std::string& id, const TimelineQuery& q);
    boost::json::object BreakGlass(const auth::Principal& p, const std::string& id, const std::string& reason);
    boost::json::object AccessLog(const auth::Principal& p, const std::string& id, std::optional<int64_t> before,
                                  int limit);

    // Told of each change of a circle's members, in the transaction that makes it (messaging keeps the patient's
    // conversation's members with the circle).
    using CircleHook = std::function<void(Scope&)>;
    void OnCircleChange(CircleHook hook) { circle_hook_ = std::move(hook); }

private:
    // In a transaction that changed the circle.
    void CircleChanged(Scope& sc) {
        if (circle_hook_) circle_hook_(sc);
    }
    CircleHook circle_hook_;
    boost::json::object OpenBreakGlass(const auth::Principal& p, const std::string& id, const std::string& reason);
    PatientRecords& records_;
    std::unique_ptr<InsiClient> insi_;
    const Config& cfg_;  // public URL for e-mailed links, known once the server listens
};

// Lower case, no accents, letters and digits only: "Dupont-Aignan" and "DUPONT AIGNAN" compare equal.
std::string NameKey(std::string_view name);
// Every part of the names, folded, each after a space (" lefevre abcde marie "): search matches any part's start.
std::string SearchNames(std::initializer_list<std::string_view> names);

// The offline store's view of the patients (lists_service.cpp): the patients `actor` follows as a member (active
// records, at most `limit`; never an emergency access, which is for one visit and not for the device), and the
// banner collection (the record as the patient page shows it).
std::vector<std::string> FollowedPatients(storage::Session& s, const Actor& actor, int64_t limit);
// "merged" or "active" (or "" for no such record), before any grant: why a record left a feed.
std::string RecordStatus(storage::Session& s, const std::string& patient_id);
sync::PatientCollection BannerCollection();

}  // namespace cordee::patients

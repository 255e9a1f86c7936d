#include "patients/service_parts.hpp"

#include "common/time.hpp"
#include "patients/identity.hpp"
#include "patients/repository.hpp"
#include "storage/change_log.hpp"

namespace cordee::patients::parts {

json::value OptJson(const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::object SummaryJson(const PatientRow& r, const std::string& access) {
    return {{"id", r.id},
            {"birth_name", r.birth_name},
            {"used_name", OptJson(r.used_name)},
            {"first_name", r.first_name},
            {"used_first_name", OptJson(r.used_first_name)},
            {"birth_date", r.birth_date},
            {"sex", r.sex},
            {"identity_status", r.identity_status},
            {"access", access}};
}

// Who manages a record: the referent, the circle's coordinators (circle role coordinateur or account role
// coordinator) and operators — exactly Grant::coordinator — never an emergency access. They change the circle (roles,
// ending others, the referent mark) and the identity (validate, qualify, edit traits); any other member adds a
// colleague, ends her own participation and keeps the contact details up to date.
bool Manages(const Grant& g) { return g.coordinator && g.via != "break_glass"; }

json::object AccessJson(const Grant& g) {
    return {{"via", g.via},
            {"clinical", g.clinical},
            {"health", g.health},
            {"referent", g.referent},
            {"coordinator", g.coordinator},
            // Manages the circle and the identity: the referent, the circle's coordinators, operators (never an
            // emergency access).
            {"manager", Manages(g)},
            {"break_glass_until", g.break_glass_until ? json::value(FormatRfc3339(g.break_glass_until)) : nullptr}};
}

json::object PatientJson(const PatientRow& r, const Grant* g) {
    const bool qualified = r.identity_status == "qualifiee" && r.ins_matricule;
    json::object o{{"id", r.id},
                   {"birth_name", r.birth_name},
                   {"birth_first_names", r.birth_first_names},
                   {"first_name", r.first_name},
                   {"used_name", OptJson(r.used_name)},
                   {"used_first_name", OptJson(r.used_first_name)},
                   {"birth_date", r.birth_date},
                   {"sex", r.sex},
                   {"birthplace_code", r.birthplace_code},
                   {"identity_status", r.identity_status},
                   {"flags", {{"douteuse", r.douteuse}, {"fictive", r.fictive}, {"homonyme", r.homonyme}}},
                   // The INS travels only with a qualified identity (RNIV).
                   {"ins", qualified ? json::value{{"matricule", *r.ins_matricule}, {"oid", r.ins_oid},
                                                   {"kind", OidKind(r.ins_oid)}}
                                     : json::value(nullptr)},
                   {"phone", r.phone},
                   {"address", r.address},
                   {"version", r.version},
                   {"created_at", FormatRfc3339(r.created_at)},
                   {"status", r.status},
                   {"merged_into", OptJson(r.merged_into)},
                   {"validation_document", OptJson(r.validation_document)}};
    if (g) o["access"] = AccessJson(*g);
    return o;
}

std::string MemberStatus(const MemberRow& r, int64_t now) {
    if (r.opposed_at) return "opposed";
    if (r.end_at && *r.end_at <= now) return "ended";
    if (r.start_at > now) return "future";
    return "active";
}

json::object MemberJson(const MemberRow& r) {
    auto time = [](const std::optional<int64_t>& v) { return v ? json::value(FormatRfc3339(*v)) : json::value(nullptr); };
    return {{"id", r.id.str()},
            {"kind", r.kind},
            {"account_id", OptJson(r.account_id)},
            {"professional_id", OptJson(r.professional_id)},
            {"structure_id", OptJson(r.structure_id)},
            {"contact", r.kind == "contact" ? json::value{{"name", r.contact_name}, {"phone", r.contact_phone},
                                                          {"relation", r.contact_relation}}
                                            : json::value(nullptr)},
            {"display_name", r.display_name},
            {"profession", r.profession},
            {"role", r.role},
            {"referent", r.referent},
            {"start", time(r.start_at)},
            {"end", time(r.end_at)},
            {"status", MemberStatus(r, NowMicros())},
            {"informed", !r.informed_at ? json::value(nullptr)
                                        : json::value{{"at", time(r.informed_at)}, {"by", r.informed_by},
                                                      {"how", r.informed_how}}},
            {"opposition", !r.opposed_at ? json::value(nullptr)
                                         : json::value{{"at", time(r.opposed_at)}, {"by", r.opposed_by},
                                                       {"how", r.opposed_how}, {"reason", r.opposed_reason}}},
            {"added_by", r.added_by},
            {"added_at", time(r.added_at)},
            {"version", r.version}};
}


// Circle changes are for members (and operators, who administer); an emergency access only reads and writes notes.
void RequireCircleEditor(const Grant& g) {
    if (g.via == "break_glass")
        throw Forbidden("Un accès en urgence ne permet pas de modifier le cercle de soins.");
}

// Nor the identity: an emergency access never validates, qualifies or edits it.
void RequireIdentityEditor(const Grant& g) {
    if (g.via == "break_glass")
        throw Forbidden("Un accès en urgence permet de lire et d'écrire le contenu clinique, pas de modifier l'identité du "
                        "patient.");
}

// A member who does not manage the record sees the patient: the refusal is a 403 that says why (a 404 would lie).
void RequireManager(const Grant& g, const std::string& what) {
    if (!Manages(g))
        throw Forbidden("Vous ne pouvez pas " + what +
                        " : seuls le référent du cercle, ses coordinateurs et les opérateurs le font.");
}


void RequireActive(Scope& sc, const std::string& id) {
    if (repo::FindPatient(sc, id)->status != "active")
        throw Error(Problem::kPatientMerged, "Ce dossier a été fusionné : utilisez le dossier conservé.");
}

void Touch(Scope& sc, const char* what) {
    storage::AppendChange(sc.shared(), {"patient", sc.patient(), "update", "patient:" + sc.patient(),
                              json::serialize(json::object{{"changed", what}})});
}

TimelineEvent Event(const Actor& a, const char* kind, const char* action, json::object summary,
                    std::string ref_id) {
    TimelineEvent e;
    e.kind = kind;
    e.action = action;
    e.author_id = a.account_id;
    e.author_name = a.name;
    e.summary = std::move(summary);
    e.ref_id = std::move(ref_id);
    return e;
}


}  // namespace cordee::patients::parts

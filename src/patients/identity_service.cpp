// Identity (RNIV/INS): creation with the twins check, reading, editing, validation, qualification by INSi, merge.
#include "patients/service.hpp"

#include "patients/service_parts.hpp"

#include "audit/audit.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "patients/identity.hpp"
#include "patients/repository.hpp"
#include "storage/change_log.hpp"
#include "storage/idempotency.hpp"

#include <algorithm>

namespace cordee::patients {
using namespace parts;

namespace {

Error PossibleDuplicate(json::array candidates) {
    Error e(Problem::kPossibleDuplicate,
            "Des patients aux traits proches existent. Ouvrez le bon dossier, ou confirmez qu'il s'agit d'une autre "
            "personne.");
    e.extra["candidates"] = std::move(candidates);
    return e;
}

// Twins (identity vigilance, RNIV): the same INS, or close strict traits —
// - same sex and first name, born the same day or on the day with day and month swapped (09/08 typed for 08/09), with a
//   name in common: birth or used name of the one, birth or used name of the other (a married name typed as the birth
//   name meets the record that holds it as its used name);
// - a name in common (the same crossing), the same first name and birthplace, born the same year.
// Each branch starts from an index (birth date, name, used name, INS), so that the check never scans the table.
json::array Twins(storage::Session& s, const Actor& actor, const std::string& name_key, const std::string& used_key,
                  const std::string& first_key, const std::string& birth_date, const std::string& sex,
                  const std::string& birthplace, const std::string& ins, const std::string& except_id) {
    const std::string swapped = SwappedDayMonth(birth_date);
    const std::string year = birth_date.substr(0, 4);
    const auto rows = repo::FindTwins(s, {birth_date, swapped.empty() ? birth_date : swapped, sex, first_key, name_key,
                                          used_key, birthplace, year, ins, except_id});
    json::array out;
    for (const auto& r : rows) {
        auto c = SummaryJson(r, Decide(s, actor, r.id, Need::kClinical) ? "member" : "none");
        c["birthplace_code"] = r.birthplace_code;
        c["reason"] = !ins.empty() && r.ins_matricule.value_or("") == ins ? "ins" : "traits";
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace

std::pair<int, std::string> PatientService::Create(const auth::Principal& p, const Identity& id,
                                                   const std::string& creator_role, bool confirm,
                                                   const std::string& key) {
    const std::string name_key = NameKey(*id.birth_name);
    const std::string used_key = id.used_name ? NameKey(*id.used_name) : name_key;
    const std::string first_key = NameKey(*id.first_name);
    const std::string birthplace = id.birthplace_code.value_or("");
    struct Outcome {
        std::optional<storage::StoredResult> created;
        json::array twins;
    };
    auto out = records_.db().WriteValue([&](storage::Session& s) {
        const Actor actor = records_.LoadActor(s, p);
        if (actor.IsOperator())
            throw Forbidden("Les opérateurs administrent les dossiers mais n'en créent pas : un professionnel du cercle le fait.");
        Outcome o;
        // A replay answers what the first request got, before anything else is looked at.
        if (!key.empty()) {
            if (auto prev = storage::FindIdempotent(s, actor.account_id, key, "POST /api/v1/patients")) {
                o.created = *prev;
                return o;
            }
        }
        // Two people creating the same patient at once (PostgreSQL) meet here: creations of people born the same
        // day — or on the day with day and month swapped — take turns, so the second one sees the first as a twin.
        const std::string swapped = SwappedDayMonth(*id.birth_date);
        const std::string& day = swapped.empty() ? *id.birth_date : std::min(*id.birth_date, swapped);
        s.LockForOrdering(static_cast<int64_t>(0x7A00000000000000LL | (std::hash<std::string>{}(day) & 0xFFFFFFFF)));
        if (!confirm) {
            o.twins = Twins(s, actor, name_key, used_key, first_key, *id.birth_date, *id.sex, birthplace, "", "");
            if (!o.twins.empty()) {
                // Showing twins reveals identities: the lookup is traced like any other read (and committed).
                for (const auto& t : o.twins)
                    PatientRecords::Audit(s, actor, std::string(t.at("id").as_string()), std::nullopt,
                                          "patient.duplicate_check", {{"outcome", "shown as possible duplicate"}});
                return o;
            }
        }
        const std::string pid = NewUuidV7();
        const int64_t now = NowMicros();
        auto opt = [](const std::optional<std::string>& v) { return v && !v->empty() ? v : std::nullopt; };
        NewPatientRow row;
        row.id = pid;
        row.birth_name = *id.birth_name;
        row.birth_first_names = *id.birth_first_names;
        row.first_name = *id.first_name;
        row.used_name = opt(id.used_name);
        row.used_first_name = opt(id.used_first_name);
        row.birth_date = *id.birth_date;
        row.sex = *id.sex;
        row.birthplace_code = birthplace;
        row.identity_status = id.identity_status.value_or("provisoire");
        row.douteuse = id.douteuse.value_or(false);
        row.fictive = id.fictive.value_or(false);
        row.homonyme = id.homonyme.value_or(false);
        row.phone = id.phone.value_or("");
        row.address = id.address.value_or("");
        row.name_key = name_key;
        if (id.used_name) row.used_name_key = used_key;
        row.first_name_key = first_key;
        row.search_names =
            SearchNames({*id.birth_name, id.used_name.value_or(""), *id.birth_first_names, id.used_first_name.value_or("")});
        row.created_by = actor.account_id;
        row.now = now;
        repo::QueueInsertPatient(s, row);
        const MemberId member(NewUuidV7());
        repo::QueueInsertCreator(s, member, pid, actor.account_id, creator_role, now);
        // From here the creator is the record's first member: the policy grants her access like any member's.
        PatientRecords::Decided(s, actor, pid, Need::kIdentity, [&](Scope& sc) {
            AppendEvent(sc, Event(actor, "identity", "create", {{"identity_status", id.identity_status.value_or("provisoire")}}));
            AppendEvent(sc, Event(actor, "circle", "add", {{"member", actor.name}, {"role", creator_role}, {"referent", true}},
                                  member.str()));
            storage::AppendChange(s, {"patient", pid, "create", "patient:" + pid, "{}"});
            PatientRecords::Audit(s, actor, pid, sc.grant(), "patient.create", {{"confirmed_not_duplicate", confirm}});
            o.created = storage::StoredResult{201, json::serialize(PatientJson(*repo::FindPatient(sc, pid), &sc.grant()))};
        });
        if (!key.empty()) storage::SaveIdempotent(s, actor.account_id, key, "POST /api/v1/patients", *o.created);
        return o;
    });
    if (!out.created) throw PossibleDuplicate(std::move(out.twins));
    return {out.created->status, out.created->body};
}


boost::json::object PatientService::Get(const auth::Principal& p, const std::string& id) {
    return records_.Read(p, id, Need::kIdentity, "patient.read", [&](Scope& sc) {
        const Grant& g = sc.grant();
        // A merged id answers its own record (status merged, merged_into the survivor).
        return PatientJson(*repo::FindPatient(sc, id), &g);
    });
}

namespace {

void CheckVersion(Scope& sc, const std::string& id, int64_t version) {
    auto row = repo::FindPatient(sc, id);
    if (row->version != version)
        throw Conflict("Le dossier a été modifié entre-temps : voici la version actuelle.", PatientJson(*row, &sc.grant()));
}

}  // namespace

boost::json::object PatientService::Update(const auth::Principal& p, const std::string& id, int64_t version,
                                           const Identity& patch) {
    return records_.Write(p, id, Need::kIdentity, "patient.update", [&](Scope& sc) {
        const Actor& actor = sc.actor();
        const Grant& g = sc.grant();
        RequireIdentityEditor(g);
        // Contact details (phone, address) are kept up to date by every member; the identity itself by those who
        // manage the record.
        if (patch.birth_name || patch.birth_first_names || patch.first_name || patch.used_name || patch.used_first_name ||
            patch.birth_date || patch.sex || patch.birthplace_code || patch.douteuse || patch.fictive || patch.homonyme)
            RequireManager(g, "modifier l'identité du patient (seuls le téléphone et l'adresse sont ouverts à tout membre)");
        RequireActive(sc, id);
        CheckVersion(sc, id, version);
        const auto row = *repo::FindPatient(sc, id);
        const std::string status = row.identity_status;
        if (status != "provisoire" && status != "recuperee") {
            std::vector<FieldError> frozen;
            for (auto [field, present] : {std::pair{"birth_name", patch.birth_name.has_value()},
                                          std::pair{"birth_first_names", patch.birth_first_names.has_value()},
                                          std::pair{"first_name", patch.first_name.has_value()},
                                          std::pair{"birth_date", patch.birth_date.has_value()},
                                          std::pair{"sex", patch.sex.has_value()},
                                          std::pair{"birthplace_code", patch.birthplace_code.has_value()}})
                if (present) frozen.push_back({field, "trait strict d'une identité validée ou qualifiée : il ne se modifie pas"});
            if (!frozen.empty()) throw Invalid(std::move(frozen));
        }
        const int64_t now = NowMicros();
        std::vector<repo::ColumnValue> sets;
        json::array changed;
        auto set = [&](const char* col, const std::optional<std::string>& v, bool nullable = false) {
            if (!v) return;
            sets.emplace_back(col, nullable && v->empty() ? storage::Value{} : storage::Value{*v});
            changed.push_back(json::string(col));
        };
        set("birth_name", patch.birth_name);
        set("birth_first_names", patch.birth_first_names);
        set("first_name", patch.first_name);
        set("used_name", patch.used_name, true);
        set("used_first_name", patch.used_first_name, true);
        set("birth_date", patch.birth_date);
        set("sex", patch.sex);
        set("birthplace_code", patch.birthplace_code);
        set("phone", patch.phone);
        set("address", patch.address);
        for (auto [col, v] : {std::pair{"flag_douteuse", patch.douteuse}, std::pair{"flag_fictive", patch.fictive},
                              std::pair{"flag_homonyme", patch.homonyme}}) {
            if (!v) continue;
            sets.emplace_back(col, int64_t{*v});
            changed.push_back(json::string(col));
        }
        // Search and twin keys follow the names.
        const std::string birth_name = patch.birth_name.value_or(row.birth_name);
        const std::string first_name = patch.first_name.value_or(row.first_name);
        const std::string used = patch.used_name ? *patch.used_name : row.used_name.value_or("");
        sets.emplace_back("name_key", NameKey(birth_name));
        sets.emplace_back("first_name_key", NameKey(first_name));
        sets.emplace_back("used_name_key", used.empty() ? storage::Value{} : storage::Value{NameKey(used)});
        sets.emplace_back("search_names", SearchNames({birth_name, used, patch.birth_first_names.value_or(row.birth_first_names),
                                                       patch.used_first_name.value_or(row.used_first_name.value_or(""))}));
        // The version is checked again by the UPDATE itself: two concurrent changes cannot both win.
        if (!repo::UpdatePatientIfVersion(sc, version, now, sets))
            throw Conflict("Le dossier a été modifié entre-temps : voici la version actuelle.", PatientJson(*repo::FindPatient(sc, id), &g));
        AppendEvent(sc, Event(actor, "identity", "update", {{"fields", changed}}));
        Touch(sc, "identity");
        return PatientJson(*repo::FindPatient(sc, id), &g);
    });
}

boost::json::object PatientService::Validate(const auth::Principal& p, const std::string& id, const std::string& document) {
    return records_.Write(p, id, Need::kIdentity, "patient.validate", [&](Scope& sc) {
        const Actor& actor = sc.actor();
        const Grant& g = sc.grant();
        RequireIdentityEditor(g);
        RequireManager(g, "valider l'identité du patient");
        RequireActive(sc, id);
        const auto row = *repo::FindPatient(sc, id);
        const std::string status = row.identity_status;
        if (status == "validee" || status == "qualifiee") return PatientJson(row, &g);
        if (row.birthplace_code.empty())
            throw Invalid("birthplace_code", "le lieu de naissance est nécessaire pour valider l'identité");
        if (row.fictive) throw Invalid("flags.fictive", "une identité fictive ne peut pas être validée");
        repo::SetValidated(sc, document, NowMicros());
        AppendEvent(sc, Event(actor, "identity", "validate", {{"document", document}}));
        Touch(sc, "identity");
        return PatientJson(*repo::FindPatient(sc, id), &g);
    });
}

boost::json::object PatientService::Qualify(const auth::Principal& p, const std::string& id) {
    // The INSi call may take seconds: it runs between two transactions, and the second checks that the
    // identity did not change meanwhile.
    const auto before = records_.Read(p, id, Need::kIdentity, "patient.qualify_lookup",
                                      [&](Scope& sc) {
        const Grant& g = sc.grant();
                                          RequireIdentityEditor(g);  // before asking INSi anything
                                          RequireManager(g, "qualifier l'identité du patient");
                                          return *repo::FindPatient(sc, id);
                                      });
    if (before.status != "active")
        throw Error(Problem::kPatientMerged, "Ce dossier a été fusionné : utilisez le dossier conservé.");
    if (before.identity_status == "qualifiee") return Get(p, id);
    if (before.identity_status != "validee")
        throw Invalid("identity_status", "seule une identité validée (pièce d'identité vérifiée) peut être qualifiée");
    const InsiAnswer answer = insi_->Lookup({before.birth_name, before.birth_first_names, before.sex, before.birth_date, before.birthplace_code});
    if (!answer.found) {
        Error e(Problem::kInsiNoMatch,
                answer.difference.empty()
                    ? "Le service INSi ne connaît pas cette identité : vérifiez les traits avec la pièce d'identité."
                    : "Le service INSi connaît une identité proche, mais la " + answer.difference + " diffère.");
        if (!answer.difference.empty()) e.extra["difference"] = answer.difference;
        throw e;
    }
    return records_.Write(p, id, Need::kIdentity, "patient.qualify", [&](Scope& sc) {
        const Actor& actor = sc.actor();
        const Grant& g = sc.grant();
        RequireIdentityEditor(g);
        RequireManager(g, "qualifier l'identité du patient");
        CheckVersion(sc, id, before.version);
        auto twin = repo::OtherActiveWithIns(sc.shared(), answer.matricule, id);
        if (twin) {
            Error e(Problem::kPossibleDuplicate,
                    "Un autre dossier porte déjà cet INS : les deux dossiers doivent être fusionnés par un opérateur.");
            e.extra["candidates"] = json::array{json::object{{"id", *twin}, {"reason", "ins"}}};
            throw e;
        }
        if (!repo::SetQualifiedIfVersion(sc, before.version, answer.matricule, answer.oid, NowMicros()))
            throw Conflict("Le dossier a été modifié pendant la qualification : voici la version actuelle.",
                           PatientJson(*repo::FindPatient(sc, id), &g));
        AppendEvent(sc, Event(actor, "identity", "qualify", {{"oid_kind", OidKind(answer.oid)}}));
        Touch(sc, "identity");
        return PatientJson(*repo::FindPatient(sc, id), &g);
    });
}

boost::json::object PatientService::Merge(const auth::Principal& p, const std::string& survivor,
                                          const std::string& duplicate) {
    if (survivor == duplicate) throw Invalid("duplicate_id", "un dossier ne se fusionne pas avec lui-même");
    return records_.Write(p, survivor, Need::kAdminister, "patient.merge", [&](Scope& sc) {
        const Actor& actor = sc.actor();
        const Grant& g = sc.grant();
        if (!actor.IsOperator()) throw Forbidden("Seuls les opérateurs de territoire fusionnent des dossiers.");
        bool merged = false;
        RequireActive(sc, survivor);
        // The duplicate is reached through the policy too (an operator administers every record).
        const bool found = PatientRecords::IfGranted(sc.shared(), actor, duplicate, Need::kAdminister, [&](Scope& dup) {
            const auto row = repo::FindPatient(dup, duplicate);
            if (!row || row->status != "active" || dup.patient() == survivor) return;
            // A single referent remains: the survivor's, if it has one.
            if (repo::HasReferent(sc)) repo::QueueClearReferentMarks(dup);
            // Everything attached to the duplicate follows the survivor.
            repo::QueueMerge(sc, dup, NowMicros());
            merged = true;
        });
        if (!found || !merged) throw Invalid("duplicate_id", "dossier à fusionner introuvable ou déjà fusionné");
        AppendEvent(sc, Event(actor, "identity", "merge", {{"merged", duplicate}}));
        storage::AppendChange(sc.shared(), {"patient", duplicate, "update", "patient:" + duplicate,
                                            json::serialize(json::object{{"merged_into", survivor}})});
        Touch(sc, "merge");
        PatientRecords::Audit(sc.shared(), actor, duplicate, g, "patient.merged_into", {{"survivor", survivor}});
        return PatientJson(*repo::FindPatient(sc, survivor), &g);
    });
}


}  // namespace cordee::patients

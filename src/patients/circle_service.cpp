// The care circle: its members, their roles and periods, the referent, informing the patient and the patient's
// opposition; members are told by e-mail (without health data).
#include "patients/service.hpp"

#include "patients/service_parts.hpp"

#include "common/ids.hpp"
#include "common/time.hpp"
#include "mail/outbox.hpp"
#include "patients/repository.hpp"
#include "storage/idempotency.hpp"

namespace cordee::patients {
using namespace parts;

namespace {

std::optional<MemberRow> FindMember(Scope& sc, const MemberId& member_id) {
    if (!IsUuid(member_id.str())) return std::nullopt;
    return repo::FindMember(sc, member_id);
}

// The member a change is about, for someone allowed to edit the circle at all (what each change further needs is
// checked by the change itself).
MemberRow MemberToEdit(Scope& sc, const MemberId& member_id) {
    RequireCircleEditor(sc.grant());
    auto row = FindMember(sc, member_id);
    if (!row) throw NotFound("Ce membre n'existe pas dans ce cercle de soins.");
    return *row;
}

// The member row is the caller herself (listed by account, or by her proven directory entry): her own participation.
bool IsOwnMembership(const MemberRow& member, const Actor& a) {
    if (member.kind == "account") return member.account_id.value_or("") == a.account_id;
    if (member.kind == "professional")
        return !a.professional_id.empty() && member.professional_id.value_or("") == a.professional_id;
    return false;
}

// The people told that they were added to or removed from a circle: the accounts of the member (for a structure,
// its administrators), never the one who made the change.
std::vector<std::string> EmailsToTell(Scope& sc, const MemberRow& member) {
    std::vector<std::string> out;
    if (member.kind == "contact") return out;
    std::vector<AccountEmail> rows;
    if (member.kind == "structure") {
        rows = repo::StructureAdmins(sc.shared(), member.structure_id.value_or(""));
    } else {
        const auto ids = AccountsOfMember(sc, member.id);
        if (!ids.empty()) rows = repo::AccountEmails(sc.shared(), ids);
    }
    for (const auto& r : rows)
        if (r.id != sc.actor().account_id) out.push_back(r.email);
    return out;
}

// The e-mail says that the circle of *a* patient changed, never whose: the patient's name, even as initials, tells a
// mailbox who is followed (a health datum). The link leads to the record after login.
enum class CircleChange { kAdded, kEnded, kEnds };
void TellMember(Scope& sc, const MemberRow& member, CircleChange change, const std::string& public_url) {
    const std::string& patient_id = sc.patient();
    const bool structure = member.kind == "structure";
    const std::string who = structure ? "La participation de votre structure (" + member.display_name + ")" : "Votre participation";
    std::string subject, text;
    switch (change) {
        case CircleChange::kAdded:
            subject = "Cordée : vous avez été ajouté(e) à un cercle de soins";
            text = (structure ? "Votre structure (" + member.display_name + ") a été ajoutée au cercle de soins d'un patient sur "
                                "Cordée : ses membres ont accès à son dossier."
                              : std::string("Vous avez été ajouté(e) au cercle de soins d'un patient sur Cordée.")) +
                   "\nConnectez-vous pour ouvrir son dossier :\n" + public_url + "/patients/" + patient_id + "\n";
            break;
        case CircleChange::kEnded:
            subject = "Cordée : fin de participation à un cercle de soins";
            text = who + " au cercle de soins d'un patient sur Cordée a pris fin." +
                   (structure ? " Ses membres n'ont plus accès à son dossier par ce cercle.\n"
                              : " Vous n'avez plus accès à son dossier par ce cercle.\n");
            break;
        case CircleChange::kEnds:
            subject = "Cordée : date de fin de participation à un cercle de soins";
            text = who + " au cercle de soins d'un patient sur Cordée prendra fin à la date fixée. Connectez-vous pour la "
                         "voir :\n" + public_url + "/patients/" + patient_id + "\n";
            break;
    }
    for (const auto& to : EmailsToTell(sc, member))
        mail::Enqueue(sc.shared(), {to, subject, "Bonjour,\n\n" + text + "\nCe message ne contient aucune donnée de santé.\n"});
}


}  // namespace

boost::json::object PatientService::Circle(const auth::Principal& p, const std::string& id) {
    return records_.Read(p, id, Need::kIdentity, "circle.read", [&](Scope& sc) {
        const Grant& g = sc.grant();
        json::array items;
        for (const auto& r : repo::CircleMembers(sc)) items.push_back(MemberJson(r));
        return json::object{{"items", items}};
    });
}

std::pair<int, std::string> PatientService::AddMember(const auth::Principal& p, const std::string& id, const NewMember& m,
                                                      const std::string& key) {
    return records_.Write(p, id, Need::kIdentity, "circle.add", [&](Scope& sc) {
        const Actor& actor = sc.actor();
        const Grant& g = sc.grant();
        RequireCircleEditor(g);
        // Any member adds a colleague; naming the referent or a coordinator (who would manage the circle) is for those
        // who manage it.
        if (m.referent) RequireManager(g, "désigner le référent du cercle");
        if (m.role == "coordinateur") RequireManager(g, "ajouter un coordinateur au cercle");
        RequireActive(sc, g.patient_id);
        auto r = storage::OnceFor(sc.shared(), actor.account_id, key, "POST /api/v1/patients/" + id + "/circle", [&] {
            std::string kind, target;
            repo::Target target_kind = repo::Target::kAccount;
            if (!m.account_id.empty()) {
                kind = "account", target_kind = repo::Target::kAccount, target = m.account_id;
                if (!repo::ActiveAccountExists(sc.shared(), target))
                    throw Invalid("account_id", "aucun compte actif avec cet identifiant");
            } else if (!m.professional_id.empty()) {
                kind = "professional", target_kind = repo::Target::kProfessional, target = m.professional_id;
                if (!repo::ProfessionalExists(sc.shared(), target))
                    throw Invalid("professional_id", "ce professionnel n'est pas dans l'annuaire");
            } else if (!m.structure_id.empty()) {
                kind = "structure", target_kind = repo::Target::kStructure, target = m.structure_id;
                if (!repo::StructureExists(sc.shared(), target))
                    throw Invalid("structure_id", "cette structure n'est pas dans l'annuaire");
            } else {
                kind = "contact";
            }
            const int64_t now = NowMicros();
            const int64_t start = m.start ? m.start : now;
            if (m.end && *m.end <= start) throw Invalid("end", "la fin doit suivre le début");
            if (!target.empty()) {
                auto dup = repo::CurrentMemberFor(sc, target_kind, target, now);
                if (dup) {
                    Error e(Problem::kAlreadyMember,
                            "Cette personne ou structure fait déjà partie du cercle de soins.");
                    e.extra["current"] = MemberJson(*FindMember(sc, *dup));
                    throw e;
                }
            }
            const bool referent = m.referent && kind != "contact";
            if (referent) repo::QueueClearReferent(sc);
            const MemberId member(NewUuidV7());
            auto opt = [](const std::string& v) { return v.empty() ? std::nullopt : std::optional<std::string>(v); };
            repo::QueueInsertMember(sc, {member, kind, opt(m.account_id), opt(m.professional_id),
                                        opt(m.structure_id), opt(m.contact_name), opt(m.contact_phone),
                                        opt(m.contact_relation), m.role, referent, start, m.end, actor.account_id, now});
            const auto row = *FindMember(sc, member);
            AppendEvent(sc, Event(actor, "circle", "add",
                                 {{"member", row.display_name}, {"role", m.role}, {"referent", referent}}, member.str()));
            Touch(sc, "circle");
            TellMember(sc, row, CircleChange::kAdded, cfg_.PublicUrl());
            CircleChanged(sc);
            return storage::StoredResult{201, json::serialize(MemberJson(row))};
        });
        return std::pair<int, std::string>{r.status, r.body};
    });
}

boost::json::object PatientService::UpdateMember(const auth::Principal& p, const std::string& id, const MemberId& member,
                                                 int64_t version, const MemberPatch& patch) {
    return records_.Write(p, id, Need::kIdentity, "circle.update", [&](Scope& sc) {
        const Actor& actor = sc.actor();
        const Grant& g = sc.grant();
        const auto row = MemberToEdit(sc, member);
        const bool own = IsOwnMembership(row, actor);
        if (patch.role) RequireManager(g, "changer le rôle d'un membre");
        if (patch.referent) RequireManager(g, "désigner le référent du cercle");
        if (patch.end && !own)
            RequireManager(g, "mettre fin à la participation d'un autre membre (vous pouvez mettre fin à la vôtre)");
        if (row.version != version)
            throw Conflict("Ce membre a été modifié entre-temps : voici sa version actuelle.", MemberJson(row));
        const int64_t now = NowMicros();
        // The referent mark moves before the referent leaves: a circle is never left without its referent by a departure.
        if (patch.end && row.referent)
            throw Invalid("end", own ? "vous êtes le référent du cercle : désignez d'abord un autre référent, puis mettez fin "
                                       "à votre participation"
                                     : "ce membre est le référent du cercle : désignez d'abord un autre référent, puis mettez "
                                       "fin à sa participation");
        if (patch.referent && MemberStatus(row, now) != "active")
            throw Invalid("referent", "seul un membre actif du cercle peut en devenir le référent");
        json::object summary{{"member", row.display_name}};
        if (patch.role) summary["role"] = *patch.role;
        if (patch.end) {
            if (*patch.end <= row.start_at) throw Invalid("end", "la fin doit suivre le début");
            summary["end"] = FormatRfc3339(*patch.end);
        }
        if (patch.referent) {
            if (row.kind == "contact") throw Invalid("referent", "un proche sans compte ne peut pas être référent");
            repo::QueueClearOtherReferents(sc, member);
            summary["referent"] = true;
        }
        if (!repo::UpdateMemberIfVersion(sc, member, version, patch.role, patch.end, patch.referent))
            throw Conflict("Ce membre a été modifié entre-temps : voici sa version actuelle.",
                           MemberJson(*FindMember(sc, member)));
        const bool ends_now = patch.end && *patch.end <= NowMicros();
        AppendEvent(sc, Event(actor, "circle", ends_now ? "end" : "update", std::move(summary), member.str()));
        Touch(sc, "circle");
        if (patch.end)
            TellMember(sc, row, ends_now ? CircleChange::kEnded : CircleChange::kEnds,
                       cfg_.PublicUrl());
        CircleChanged(sc);
        return MemberJson(*FindMember(sc, member));
    });
}

boost::json::object PatientService::Inform(const auth::Principal& p, const std::string& id, const MemberId& member,
                                           const std::string& how, int64_t at) {
    return records_.Write(p, id, Need::kIdentity, "circle.information", [&](Scope& sc) {
        const Actor& actor = sc.actor();
        const auto row = MemberToEdit(sc, member);
        repo::SetInformed(sc, member, at, actor.name, how);
        AppendEvent(sc, Event(actor, "circle", "information", {{"member", row.display_name}, {"how", how}}, member.str()));
        Touch(sc, "circle");
        return MemberJson(*FindMember(sc, member));
    });
}

boost::json::object PatientService::Oppose(const auth::Principal& p, const std::string& id, const MemberId& member,
                                           const std::string& how, const std::string& reason) {
    return records_.Write(p, id, Need::kIdentity, "circle.opposition", [&](Scope& sc) {
        const Actor& actor = sc.actor();
        const Grant& g = sc.grant();
        const auto row = MemberToEdit(sc, member);
        // Ending another member's access, even on the patient's word, is for those who manage the circle (told, they
        // record it); a member records the patient's opposition to herself.
        if (!IsOwnMembership(row, actor))
            RequireManager(g, "enregistrer l'opposition du patient à un autre membre (signalez-la au référent)");
        if (row.opposed_at) return MemberJson(row);
        // The patient's opposition ends that member's access at once; the referent mark goes with it.
        repo::SetOpposed(sc, member, NowMicros(), actor.name, how, reason);
        AppendEvent(sc, Event(actor, "circle", "opposition", {{"member", row.display_name}, {"how", how}}, member.str()));
        Touch(sc, "circle");
        TellMember(sc, row, CircleChange::kEnded, cfg_.PublicUrl());
        CircleChanged(sc);
        return MemberJson(*FindMember(sc, member));
    });
}


}  // namespace cordee::patients

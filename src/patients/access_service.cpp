// Reaching a record: the timeline, the emergency access (break-the-glass) and the record's access log.
#include "patients/service.hpp"

#include "patients/service_parts.hpp"

#include "alerts/service.hpp"
#include "audit/audit.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "mail/outbox.hpp"
#include "patients/repository.hpp"

namespace cordee::patients {
using namespace parts;

boost::json::object PatientService::Timeline(const auth::Principal& p, const std::string& id, const TimelineQuery& q) {
    return records_.Read(
        p, id, Need::kClinical, "timeline.read",
        [&](Scope& sc) {
        return ListTimeline(sc, q); },
        [](Scope& sc) { MarkRead(sc, sc.actor().account_id); });
}

boost::json::object PatientService::BreakGlass(const auth::Principal& p, const std::string& id, const std::string& reason) {
    try {
        return OpenBreakGlass(p, id, reason);
    } catch (const Error& e) {
        records_.AuditRefusal(p, id, "patient.break_glass", e);
        throw;
    }
}

boost::json::object PatientService::OpenBreakGlass(const auth::Principal& p, const std::string& id, const std::string& reason) {
    auto out = records_.db().WriteValue([&](storage::Session& s) -> std::optional<json::object> {
        const Actor actor = records_.LoadActor(s, p);
        if (actor.IsOperator())
            throw Forbidden("Les opérateurs n'ont pas d'accès en urgence aux données de soins.");
        if (Decide(s, actor, id, Need::kClinical) && !repo::HasRunningBreakGlass(s, actor.account_id, id, NowMicros()))
            throw Error(Problem::kAlreadyMember,
                        "Vous faites partie du cercle de soins : l'accès en urgence n'est pas nécessaire.");
        const auto status = repo::PatientStatus(s, id);
        if (!status || *status != "active") return std::nullopt;  // traced by BreakGlass, as every refusal
        // The patient's opposition to a professional is honoured (DESIGN.md §5): the emergency door is not a way
        // around it.
        if (repo::OpposedMembership(s, id, actor))
            throw Forbidden("Le patient s'est opposé à votre participation à son cercle de soins : l'accès en urgence à "
                            "son dossier ne vous est pas ouvert.");
        const int64_t now = NowMicros();
        // Openings are bounded per account: break_glass_per_day in the last 24 hours. Past the bound the access still
        // opens (an emergency is never blocked), and the operators of the territory are told. One account's openings
        // take turns (PostgreSQL), so that two at once do not both count below the bound.
        s.LockForOrdering(static_cast<int64_t>(0x7B00000000000000LL | (std::hash<std::string>{}(actor.account_id) & 0xFFFFFFFF)));
        const int64_t opened = repo::BreakGlassOpenedSince(s, actor.account_id, now - kBreakGlassWindowMicros) + 1;
        const bool over = opened > cfg_.break_glass_per_day;
        const std::string bg = NewUuidV7();
        repo::QueueInsertBreakGlass(s, bg, id, actor.account_id, reason, now, now + kBreakGlassMicros);
        // The access now open is a grant of the policy like any other (via break_glass).
        PatientRecords::Decided(s, actor, id, Need::kClinical, [&](Scope& sc) {
            PatientRecords::Audit(s, actor, id, sc.grant(), "patient.break_glass");
            AppendEvent(sc, Event(actor, "access", "break_glass",
                                  {{"by", actor.name}, {"profession", actor.profession_label}, {"reason", reason}}, bg));
            // The referent learns of it at once (alert in the portal and an e-mail).
            std::vector<std::string> referents;
            for (const auto& m : repo::ReferentMemberIds(sc))
                for (auto& a : AccountsOfMember(sc, m)) referents.push_back(a);
            if (!referents.empty())
                alerts::Raise(sc, {"bris_de_glace", "urgente",
                                   "Accès en urgence de " + actor.name + " (" + actor.profession_label + ") : " + reason,
                                   "rule", actor.account_id, actor.name, referents},
                              cfg_.PublicUrl());
        });
        int64_t told = 0;
        if (over) {
            // Who opened how many, never which patient nor why: an operator reads the rest in the audit trail.
            for (const auto& op : repo::ActiveOperatorEmails(s)) {
                mail::Enqueue(s, {op, "Cordée : accès en urgence au-delà du seuil quotidien",
                                  "Bonjour,\n\n" + actor.name + " (" + actor.profession_label + ") vient d'ouvrir son " +
                                      std::to_string(opened) + "e accès en urgence en 24 heures ; le seuil "
                                      "du territoire est de " + std::to_string(cfg_.break_glass_per_day) + ".\n"
                                      "L'accès a été ouvert (une urgence n'est jamais bloquée) et le référent du patient en "
                                      "est averti. Vérifiez ces accès dans le journal d'audit :\n" + cfg_.PublicUrl() +
                                      "/journal\n\nCe message ne contient aucune donnée de santé.\n"});
                ++told;
            }
            audit::Append(s, {actor.account_id, "break_glass.over_limit", "account", actor.account_id, actor.ip, "success",
                              {{"patient_id", id}, {"openings", opened}, {"limit", cfg_.break_glass_per_day},
                               {"operators_alerted", told}}});
        }
        return json::object{{"id", bg},
                            {"until", FormatRfc3339(now + kBreakGlassMicros)},
                            {"reason", reason},
                            {"openings_24h", opened},
                            {"daily_limit", cfg_.break_glass_per_day},
                            {"operators_alerted", told > 0}};
    });
    if (!out) throw Error(Problem::kNotFound, "Ce patient n'existe pas.");
    return *out;
}

boost::json::object PatientService::AccessLog(const auth::Principal& p, const std::string& id, std::optional<int64_t> before,
                                              int limit) {
    return records_.Read(p, id, Need::kIdentity, "patient.access_log", [&](Scope& sc) {
        const Grant& g = sc.grant();
        if (!g.coordinator)
            throw Forbidden("Le journal des accès est réservé au référent du cercle, aux coordinateurs et aux opérateurs.");
        // A survivor's log includes the accesses to the records merged into it.
        std::vector<std::string> ids{g.patient_id};
        for (auto& merged : repo::MergedInto(sc)) ids.push_back(std::move(merged));
        const auto rows = repo::AccessLogPage(sc.shared(), ids, before, static_cast<int64_t>(limit + 1));
        json::array items;
        json::value next = nullptr;
        for (size_t i = 0; i < rows.size(); ++i) {
            const auto& r = rows[i];
            if (static_cast<int>(i) == limit) {
                next = rows[i - 1].seq;
                break;
            }
            json::object detail;
            try {
                detail = json::parse(r.detail).as_object();
            } catch (...) {
            }
            items.push_back({{"seq", r.seq},
                             {"at", FormatRfc3339(r.at)},
                             {"actor", {{"account_id", r.actor_id}, {"name", r.first_name + " " + r.last_name},
                                        {"profession", r.profession_label}}},
                             {"action", r.action},
                             {"outcome", r.outcome},
                             {"via", detail.contains("via") ? detail.at("via") : json::value(nullptr)},
                             {"reason", detail.contains("reason") ? detail.at("reason") : json::value(nullptr)}});
        }
        return json::object{{"items", items}, {"next_before", next}};
    });
}


}  // namespace cordee::patients

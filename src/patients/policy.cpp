#include "patients/policy.hpp"

#include "auth/model.hpp"
#include "common/errors.hpp"
#include "common/time.hpp"

#include <algorithm>
#include <array>

namespace cordee::patients {

bool IsHealthProfession(std::string_view code) {
    static constexpr std::array<std::string_view, 23> kHealth = {
        "10", "21", "40", "50", "60", "70", "80", "81", "82", "83", "84", "85", "86",
        "91", "92", "93", "94", "95", "96", "97", "98", "AS", "AP"};
    return std::find(kHealth.begin(), kHealth.end(), code) != kHealth.end();
}

bool Actor::IsOperator() const { return role == auth::kOperator; }

Actor LoadActor(storage::Session& s, const std::string& account_id, const std::string& role, const std::string& ip) {
    auto row = s.One("SELECT first_name, last_name, profession_code, profession_label, professional_id, status "
                     "FROM accounts WHERE id = ?",
                     {account_id});
    if (!row || row->Str(5) != "active") throw Unauthenticated();
    Actor a;
    a.account_id = account_id;
    a.role = role;
    a.ip = ip;
    a.name = row->Str(0) + " " + row->Str(1);
    a.profession_code = row->Str(2);
    a.profession_label = row->Str(3);
    a.professional_id = row->Str(4);
    a.health = IsHealthProfession(a.profession_code);
    for (const auto& r : s.Query("SELECT structure_id FROM account_structures WHERE account_id = ? ORDER BY structure_id",
                                 {account_id}))
        a.structures.push_back(r.Str(0));
    return a;
}

std::string InList(size_t n) {
    if (n == 0) return "(NULL)";
    std::string out = "(";
    for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
    return out + ")";
}

std::optional<Grant> Decide(storage::Session& s, const Actor& actor, const std::string& patient_id, Need need) {
    auto patient = s.One("SELECT status, merged_into FROM patients WHERE id = ?", {patient_id});
    if (!patient) return std::nullopt;
    std::string id = patient_id;
    if (patient->Str(0) == "merged") {
        // A merged record still answers its identity (pointing to the survivor); nothing else.
        if (need != Need::kIdentity) return std::nullopt;
        id = patient->Str(1);
    }
    Grant g;
    g.patient_id = id;
    g.structures = actor.structures;
    g.health = actor.health;
    const int64_t now = NowMicros();

    // Membership: directly, through the actor's directory entry, or through one of their structures.
    storage::Params p{id, now, now, actor.account_id, actor.professional_id};
    for (const auto& st : actor.structures) p.push_back(st);
    auto member = s.One("SELECT id, role, referent FROM circle_members WHERE patient_id = ? AND start_at <= ? AND "
                        "(end_at IS NULL OR end_at > ?) AND opposed_at IS NULL AND kind <> 'contact' AND "
                        "(account_id = ? OR professional_id = ? OR structure_id IN " +
                            InList(actor.structures.size()) + ") ORDER BY referent DESC LIMIT 1",
                        p);
    if (member) {
        g.via = "member";
        g.clinical = true;
        g.member_id = member->Str(0);
        g.referent = member->Int(2) != 0;
        g.coordinator = g.referent || member->Str(1) == "coordinateur" || actor.role == auth::kCoordinator;
        return g;
    }
    if (!actor.IsOperator()) {
        auto bg = s.One("SELECT reason, until_at FROM break_glass WHERE account_id = ? AND patient_id = ? AND until_at > ? "
                        "ORDER BY until_at DESC LIMIT 1",
                        {actor.account_id, id, now});
        if (bg) {
            g.via = "break_glass";
            g.clinical = true;
            g.break_glass_reason = bg->Str(0);
            g.break_glass_until = bg->Int(1);
            return g;
        }
        return std::nullopt;
    }
    // Operators administer (identity, circle, merge, access log) but read no clinical content.
    if (need == Need::kClinical) return std::nullopt;
    g.via = "operator";
    g.health = false;
    g.coordinator = true;
    return g;
}

Clause VisibleTo(const Grant& g, std::string_view vis, std::string_view st) {
    Clause c;
    const std::string v(vis), sc(st);
    c.sql = "(" + v + " = 'circle'";
    if (g.health) c.sql += " OR " + v + " = 'health'";
    if (!g.structures.empty()) {
        c.sql += " OR (" + v + " = 'structure' AND " + sc + " IN " + InList(g.structures.size()) + ")";
        for (const auto& s : g.structures) c.params.push_back(s);
    }
    c.sql += ")";
    return c;
}

bool MaySee(const Grant& g, std::string_view visibility, std::string_view structure_id) {
    if (visibility == "circle") return true;
    if (visibility == "health") return g.health;
    return std::find(g.structures.begin(), g.structures.end(), structure_id) != g.structures.end();
}

std::vector<std::string> AccountsOfMember(storage::Session& s, const std::string& member_id) {
    std::vector<std::string> out;
    auto rows = s.Query(
        "SELECT a.id FROM circle_members m JOIN accounts a ON a.status = 'active' AND ("
        "a.id = m.account_id OR (m.professional_id IS NOT NULL AND a.professional_id = m.professional_id) OR "
        "a.id IN (SELECT account_id FROM account_structures WHERE structure_id = m.structure_id)) WHERE m.id = ?",
        {member_id});
    for (const auto& r : rows) out.push_back(r.Str(0));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace cordee::patients

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
    // One round trip: the account, then its structures (this runs before every patient read and write).
    auto rows = s.Query("SELECT 0, first_name, last_name, profession_code, profession_label, professional_id, status "
                        "FROM accounts WHERE id = ? UNION ALL SELECT 1, st.id, st.name, NULL, NULL, NULL, NULL FROM "
                        "account_structures a JOIN structures st ON st.id = a.structure_id WHERE a.account_id = ? "
                        "ORDER BY 1, 2",
                        {account_id, account_id});
    if (rows.empty() || rows[0].Int(0) != 0 || rows[0].Str(6) != "active") throw Unauthenticated();
    const auto& row = rows[0];
    Actor a;
    a.account_id = account_id;
    a.role = role;
    a.ip = ip;
    a.name = row.Str(1) + " " + row.Str(2);
    a.profession_code = row.Str(3);
    a.profession_label = row.Str(4);
    a.professional_id = row.Str(5);
    a.health = IsHealthProfession(a.profession_code);
    for (size_t i = 1; i < rows.size(); ++i) {
        a.structures.push_back(rows[i].Str(1));
        a.structure_names.push_back(rows[i].Str(2));
    }
    return a;
}

std::string InList(size_t n) {
    if (n == 0) return "(NULL)";
    std::string out = "(";
    for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
    return out + ")";
}

std::optional<Grant> Decide(storage::Session& s, const Actor& actor, const std::string& patient_id, Need need) {
    // The patient and the caller's best membership in one round trip (this runs before every patient access).
    auto member_of = [&](const std::string& id, bool with_patient) {
        const Clause member = MemberOf(actor, "m", NowMicros());
        storage::Params p = member.params;
        p.push_back(id);
        return s.One(std::string("SELECT ") + (with_patient ? "p.status, p.merged_into" : "NULL, NULL") +
                         ", m.id, m.role, m.referent FROM patients p LEFT JOIN circle_members m ON m.patient_id = p.id AND " +
                         member.sql + " WHERE p.id = ? ORDER BY m.referent DESC LIMIT 1",
                     p);
    };
    auto row = member_of(patient_id, true);
    if (!row) return std::nullopt;
    std::string id = patient_id;
    if (row->Str(0) == "merged") {
        // A merged record still answers its identity (pointing to the survivor); nothing else.
        if (need != Need::kIdentity) return std::nullopt;
        id = row->Str(1);
        row = member_of(id, false);
        if (!row) return std::nullopt;
    }
    Grant g;
    g.patient_id = id;
    g.structures = actor.structures;
    g.health = actor.health;
    const int64_t now = NowMicros();
    if (!row->IsNull(2)) {
        g.via = "member";
        g.clinical = true;
        g.member_id = row->Str(2);
        g.referent = row->Int(4) != 0;
        g.coordinator = g.referent || row->Str(3) == "coordinateur" || actor.role == auth::kCoordinator;
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

Clause ActiveMember(std::string_view alias, int64_t now) {
    const std::string a(alias);
    return {a + ".start_at <= ? AND (" + a + ".end_at IS NULL OR " + a + ".end_at > ?) AND " + a + ".opposed_at IS NULL",
            {now, now}};
}

Clause MemberOf(const Actor& actor, std::string_view alias, int64_t now) {
    Clause c = ActiveMember(alias, now);
    const std::string a(alias);
    c.sql += " AND " + a + ".kind <> 'contact' AND (" + a + ".account_id = ? OR " + a + ".professional_id = ? OR " + a +
             ".structure_id IN " + InList(actor.structures.size()) + ")";
    c.params.insert(c.params.end(), {actor.account_id, actor.professional_id});
    for (const auto& st : actor.structures) c.params.push_back(st);
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

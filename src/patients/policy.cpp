#include "patients/policy.hpp"

#include "auth/model.hpp"
#include "common/errors.hpp"
#include "common/time.hpp"
#include "patients/repository.hpp"

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
    auto row = repo::FindAccount(s, account_id);
    if (!row || row->status != "active") throw Unauthenticated();
    Actor a;
    a.account_id = account_id;
    a.role = role;
    a.ip = ip;
    a.name = row->first_name + " " + row->last_name;
    a.profession_code = row->profession_code;
    a.profession_label = row->profession_label;
    a.professional_id = row->professional_id;
    a.health = IsHealthProfession(a.profession_code);
    a.structures = std::move(row->structure_ids);
    a.structure_names = std::move(row->structure_names);
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
        return repo::BestMembership(s, MemberOf(actor, "m", NowMicros()), id, with_patient);
    };
    auto row = member_of(patient_id, true);
    if (!row) return std::nullopt;
    std::string id = patient_id;
    if (row->status == "merged") {
        // A merged record still answers its identity (pointing to the survivor); nothing else.
        if (need != Need::kIdentity) return std::nullopt;
        id = row->merged_into;
        row = member_of(id, false);
        if (!row) return std::nullopt;
    }
    Grant g;
    g.patient_id = id;
    g.structures = actor.structures;
    g.health = actor.health;
    const int64_t now = NowMicros();
    if (row->member_id) {
        g.via = "member";
        g.clinical = true;
        g.member_id = *row->member_id;
        g.referent = row->referent;
        g.coordinator = g.referent || row->role == "coordinateur" || actor.role == auth::kCoordinator;
        return g;
    }
    if (!actor.IsOperator()) {
        auto bg = repo::RunningBreakGlass(s, actor.account_id, id, now);
        if (bg) {
            g.via = "break_glass";
            g.clinical = true;
            g.break_glass_reason = bg->reason;
            g.break_glass_until = bg->until;
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

bool AccountMaySee(storage::Session& s, const std::string& account_id, std::string_view visibility,
                   std::string_view structure_id) {
    if (visibility == "circle") return true;
    Grant reader;
    try {
        const Actor a = LoadActor(s, account_id, "", "");
        reader.health = a.health;
        reader.structures = a.structures;
    } catch (const Error&) {
        return false;
    }
    return MaySee(reader, visibility, structure_id);
}

std::vector<std::string> AccountsOfMember(Scope& sc, const MemberId& member_id) {
    auto out = repo::AccountIdsOfMember(sc, member_id);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

namespace {
std::vector<CircleAccount> AccountsOfCircle(Scope& sc, bool managers) {
    std::vector<CircleAccount> out;
    for (const auto& [id, code] : repo::CircleAccountIds(sc, ActiveMember("m", NowMicros()), managers))
        out.push_back({id, IsHealthProfession(code)});
    return out;
}
}  // namespace

std::vector<CircleAccount> CircleAccounts(Scope& sc) { return AccountsOfCircle(sc, false); }
std::vector<CircleAccount> CircleManagers(Scope& sc) { return AccountsOfCircle(sc, true); }

}  // namespace cordee::patients

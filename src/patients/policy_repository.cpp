#include "patients/repository.hpp"

namespace cordee::patients::repo {

std::optional<AccountRow> FindAccount(storage::Session& s, const std::string& account_id) {
    // One round trip: the account, then its structures (this runs before every patient read and write).
    auto rows = s.Query("SELECT 0, first_name, last_name, profession_code, profession_label, professional_id, status "
                        "FROM accounts WHERE id = ? UNION ALL SELECT 1, st.id, st.name, NULL, NULL, NULL, NULL FROM "
                        "account_structures a JOIN structures st ON st.id = a.structure_id WHERE a.account_id = ? "
                        "ORDER BY 1, 2",
                        {account_id, account_id});
    if (rows.empty() || rows[0].Int(0) != 0) return std::nullopt;
    const auto& row = rows[0];
    AccountRow a{row.Str(1), row.Str(2), row.Str(3), row.Str(4), row.Str(5), row.Str(6), {}, {}};
    for (size_t i = 1; i < rows.size(); ++i) {
        a.structure_ids.push_back(rows[i].Str(1));
        a.structure_names.push_back(rows[i].Str(2));
    }
    return a;
}

std::optional<MembershipRow> BestMembership(storage::Session& s, const Clause& member, const std::string& patient_id,
                                            bool with_patient) {
    storage::Params p = member.params;
    p.push_back(patient_id);
    auto row = s.One(std::string("SELECT ") + (with_patient ? "p.status, p.merged_into" : "NULL, NULL") +
                         ", m.id, m.role, m.referent FROM patients p LEFT JOIN circle_members m ON m.patient_id = p.id AND " +
                         member.sql +
                         " WHERE p.id = ? ORDER BY m.referent DESC, CASE WHEN m.role = 'coordinateur' THEN 0 ELSE 1 END LIMIT 1",
                     p);
    if (!row) return std::nullopt;
    return MembershipRow{row->Str(0), row->Str(1), OptionalId<MemberId>(row->OptStr(2)), row->Str(3), row->Int(4) != 0};
}

std::optional<BreakGlassRow> RunningBreakGlass(storage::Session& s, const std::string& account_id,
                                               const std::string& patient_id, int64_t now) {
    auto bg = s.One("SELECT reason, until_at FROM break_glass WHERE account_id = ? AND patient_id = ? AND until_at > ? "
                    "ORDER BY until_at DESC LIMIT 1",
                    {account_id, patient_id, now});
    if (!bg) return std::nullopt;
    return BreakGlassRow{bg->Str(0), bg->Int(1)};
}

std::vector<std::string> AccountIdsOfMember(Scope& sc, const MemberId& member_id) {
    std::vector<std::string> out;
    auto rows = sc.Query(
        "SELECT a.id FROM circle_members m JOIN accounts a ON a.status = 'active' AND ("
        "a.id = m.account_id OR (m.professional_id IS NOT NULL AND a.professional_id = m.professional_id) OR "
        "a.id IN (SELECT account_id FROM account_structures WHERE structure_id = m.structure_id)) WHERE m.id = ? "
        "AND m.patient_id = {patient}",
        {member_id.str()});
    for (const auto& r : rows) out.push_back(r.Str(0));
    return out;
}

std::vector<std::pair<std::string, std::string>> CircleAccountIds(Scope& sc, const Clause& active, bool managers) {
    std::vector<std::pair<std::string, std::string>> out;
    auto rows = sc.Query(
        "SELECT DISTINCT a.id, a.profession_code FROM circle_members m JOIN accounts a ON a.status = 'active' AND ("
        "a.id = m.account_id OR (m.professional_id IS NOT NULL AND a.professional_id = m.professional_id) OR "
        "a.id IN (SELECT account_id FROM account_structures WHERE structure_id = m.structure_id)) "
        "WHERE m.patient_id = {patient} AND m.kind <> 'contact' AND " +
            std::string(managers ? "(m.referent = 1 OR m.role = 'coordinateur') AND " : "") + active.sql +
            " ORDER BY a.id",
        active.params);
    for (const auto& r : rows) out.emplace_back(r.Str(0), r.Str(1));
    return out;
}

}  // namespace cordee::patients::repo

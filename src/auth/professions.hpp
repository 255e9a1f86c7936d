#pragma once
// Which professions an applicant may declare. The health professions of the RPPS (médecin, infirmier, …)
// open `health` entries of the notebook, so they are never typed: they come from the directory entry of the
// RPPS number (confirmed by an approver) or from Pro Santé Connect. Without an RPPS number an applicant picks
// one of a closed list of professions that have no national register.
#include <string>
#include <string_view>

namespace cordee::auth {

struct DeclaredProfession {
    std::string_view code, label;
};

// The profession of the closed list, or nullptr (unknown code, or a profession that needs an RPPS number).
const DeclaredProfession* SelfDeclaredProfession(std::string_view code);
// Codes of the professions registered in the RPPS (CSP, 4th part): declaring one needs the RPPS number.
bool IsRppsProfession(std::string_view code);
// Its label ("Médecin", "Infirmier", …), or "Profession de santé" for a code we do not know.
std::string_view RppsProfessionLabel(std::string_view code);

// What an account keeps when the approver did not recognise the directory entry it claimed.
inline constexpr std::string_view kUnverifiedCode = "NV";
inline constexpr std::string_view kUnverifiedLabel = "Profession non vérifiée";

}  // namespace cordee::auth

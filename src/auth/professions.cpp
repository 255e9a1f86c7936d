#include "auth/professions.hpp"

#include <algorithm>
#include <array>

namespace cordee::auth {

const DeclaredProfession* SelfDeclaredProfession(std::string_view code) {
    // Aides-soignants and auxiliaires de puériculture have no national register: the structure's approver
    // vouches for them. The others are social or coordination professions (no `health` entries).
    static constexpr std::array<DeclaredProfession, 8> kList = {{
        {"AS", "Aide-soignant"},
        {"AP", "Auxiliaire de puériculture"},
        {"ASS", "Assistant(e) de service social"},
        {"EDS", "Éducateur spécialisé"},
        {"CESF", "Conseiller en économie sociale familiale"},
        {"COORD", "Coordinateur de parcours"},
        {"SEC", "Secrétaire médical(e)"},
        {"AUTRE", "Autre"},
    }};
    auto it = std::find_if(kList.begin(), kList.end(), [&](const auto& p) { return p.code == code; });
    return it == kList.end() ? nullptr : &*it;
}

namespace {
struct RppsProfession {
    std::string_view code, label;
};
constexpr std::array<RppsProfession, 21> kRpps = {{
    {"10", "Médecin"}, {"21", "Pharmacien"}, {"40", "Chirurgien-dentiste"}, {"50", "Sage-femme"},
    {"60", "Infirmier"}, {"70", "Masseur-kinésithérapeute"}, {"80", "Pédicure-podologue"},
    {"81", "Orthoprothésiste"}, {"82", "Podo-orthésiste"}, {"83", "Orthopédiste-orthésiste"}, {"84", "Oculariste"},
    {"85", "Épithésiste"}, {"86", "Technicien de laboratoire médical"}, {"91", "Orthophoniste"},
    {"92", "Orthoptiste"}, {"93", "Psychologue"}, {"94", "Ergothérapeute"}, {"95", "Diététicien"},
    {"96", "Psychomotricien"}, {"97", "Audioprothésiste"}, {"98", "Manipulateur ERM"},
}};
const RppsProfession* FindRpps(std::string_view code) {
    auto it = std::find_if(kRpps.begin(), kRpps.end(), [&](const auto& p) { return p.code == code; });
    return it == kRpps.end() ? nullptr : &*it;
}
}  // namespace

bool IsRppsProfession(std::string_view code) { return FindRpps(code) != nullptr; }

std::string_view RppsProfessionLabel(std::string_view code) {
    const auto* p = FindRpps(code);
    return p ? p->label : "Profession de santé";
}

}  // namespace cordee::auth

#include "directory/rpps_file.hpp"

#include "common/text.hpp"
#include "directory/line_reader.hpp"

#include <map>

namespace cordee::directory {
namespace {

struct ColumnName {
    RppsColumns::Column column;
    const char* name;
};
constexpr ColumnName kColumns[] = {
    {RppsColumns::kIdType, "Type d'identifiant PP"},
    {RppsColumns::kPp, "Identifiant PP"},
    {RppsColumns::kNationalId, "Identification nationale PP"},
    {RppsColumns::kCivility, "Libellé civilité d'exercice"},
    {RppsColumns::kLastName, "Nom d'exercice"},
    {RppsColumns::kFirstName, "Prénom d'exercice"},
    {RppsColumns::kProfessionCode, "Code profession"},
    {RppsColumns::kProfessionLabel, "Libellé profession"},
    {RppsColumns::kSpecialtyCode, "Code savoir-faire"},
    {RppsColumns::kSpecialtyLabel, "Libellé savoir-faire"},
    {RppsColumns::kPracticeMode, "Code mode exercice"},
    {RppsColumns::kSiret, "Numéro SIRET site"},
    {RppsColumns::kFinessSite, "Numéro FINESS site"},
    {RppsColumns::kFinessEj, "Numéro FINESS établissement juridique"},
    {RppsColumns::kSiteName, "Raison sociale site"},
    {RppsColumns::kSiteBrand, "Enseigne commerciale site"},
    {RppsColumns::kStreetNumber, "Numéro Voie (coord. structure)"},
    {RppsColumns::kStreetRepeat, "Indice répétition voie (coord. structure)"},
    {RppsColumns::kStreetType, "Libellé type de voie (coord. structure)"},
    {RppsColumns::kStreetName, "Libellé Voie (coord. structure)"},
    {RppsColumns::kPostalCode, "Code postal (coord. structure)"},
    {RppsColumns::kCommuneCode, "Code commune (coord. structure)"},
    {RppsColumns::kCommune, "Libellé commune (coord. structure)"},
    {RppsColumns::kPhone, "Téléphone (coord. structure)"},
    {RppsColumns::kEmail, "Adresse e-mail (coord. structure)"},
    {RppsColumns::kDepartement, "Code Département (structure)"},
};
static_assert(std::size(kColumns) == RppsColumns::kColumnCount, "every column has its header name");

constexpr size_t kAbsent = static_cast<size_t>(-1);

}  // namespace

RppsColumns RppsColumns::FromHeader(std::string_view header) {
    if (header.rfind("finess;", 0) == 0)
        throw UnusableFile("Ce fichier est une extraction FINESS : utilisez « cordee import finess ».");
    if (header.find('|') == std::string_view::npos)
        throw UnusableFile("La première ligne n'est pas un en-tête RPPS séparé par des « | » (séparateur attendu : |).");
    std::vector<std::string_view> names;
    SplitFields(header, '|', names);
    std::map<std::string, size_t> index;  // a name given twice: its last column
    for (size_t i = 0; i < names.size(); ++i) index[Trim(names[i])] = i;
    // The checks come in this order, so that the message names the first required column missing.
    static constexpr const char* kRequired[] = {"Type d'identifiant PP", "Identifiant PP", "Nom d'exercice",
                                                "Prénom d'exercice", "Code profession", "Libellé profession"};
    for (const char* name : kRequired)
        if (!index.count(name)) throw UnusableFile(std::string("Colonne absente de l'en-tête : « ") + name + " ».");
    RppsColumns c;
    for (const auto& [column, name] : kColumns) {
        auto it = index.find(name);
        c.at_[column] = it == index.end() ? kAbsent : it->second;
    }
    // The header ends with "|", so a complete line has at least as many fields as named columns.
    c.fields_ = names.size();
    if (!names.empty() && Trim(names.back()).empty()) --c.fields_;
    return c;
}

std::variant<RppsLine, LineError> ParseRppsLine(const RppsColumns& c, std::string_view line,
                                                std::vector<std::string_view>& f) {
    SplitFields(line, '|', f);
    if (f.size() < c.fields()) {
        return LineError{"ligne incomplète (" + std::to_string(f.size()) + " champs au lieu de " +
                             std::to_string(c.fields()) + ")",
                         true};
    }
    auto get = [&](RppsColumns::Column column) { return Field(c.Get(f, column)); };
    RppsLine r;
    r.id_type = get(RppsColumns::kIdType);
    r.pp = get(RppsColumns::kPp);
    const bool rpps = r.id_type == "8", adeli = r.id_type == "0";
    if (!(rpps && r.pp.size() == 11 && AllDigits(r.pp)) && !(adeli && r.pp.size() == 9 && AllDigits(r.pp))) {
        return LineError{"identifiant PP invalide (« " + r.pp.substr(0, 20) + " », type « " + r.id_type.substr(0, 3) +
                         "» : 11 chiffres pour un RPPS, 9 pour un ADELI)"};
    }
    r.last_name = get(RppsColumns::kLastName);
    if (r.last_name.empty()) return LineError{"nom d'exercice absent"};
    r.national_id = get(RppsColumns::kNationalId);
    if (r.national_id.empty()) r.national_id = r.id_type + r.pp;
    r.civility = get(RppsColumns::kCivility);
    r.first_name = get(RppsColumns::kFirstName);
    r.profession_code = get(RppsColumns::kProfessionCode);
    r.profession_label = get(RppsColumns::kProfessionLabel);
    r.specialty_code = get(RppsColumns::kSpecialtyCode);
    r.specialty_label = get(RppsColumns::kSpecialtyLabel);
    r.practice_mode = get(RppsColumns::kPracticeMode);
    r.siret = get(RppsColumns::kSiret);
    r.finess_site = get(RppsColumns::kFinessSite);
    r.finess_ej = get(RppsColumns::kFinessEj);
    r.site_name = get(RppsColumns::kSiteName);
    if (r.site_name.empty()) r.site_name = get(RppsColumns::kSiteBrand);
    r.address = JoinNonEmpty({get(RppsColumns::kStreetNumber), get(RppsColumns::kStreetRepeat),
                              get(RppsColumns::kStreetType), get(RppsColumns::kStreetName)});
    r.postal_code = get(RppsColumns::kPostalCode);
    r.commune_code = get(RppsColumns::kCommuneCode);
    r.commune = get(RppsColumns::kCommune);
    r.departement = get(RppsColumns::kDepartement);
    if (r.departement.empty() && r.postal_code.size() == 5) r.departement = r.postal_code.substr(0, 2);
    r.phone = get(RppsColumns::kPhone);
    r.email = get(RppsColumns::kEmail);
    return r;
}

}  // namespace cordee::directory

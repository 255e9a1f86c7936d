#include "directory/finess_file.hpp"

#include "common/text.hpp"
#include "directory/line_reader.hpp"

#include <cctype>
#include <map>

namespace cordee::directory {
namespace {

bool ValidFiness(const std::string& v) {
    if (v.size() != 9) return false;
    const bool corsica = v[0] == '2' && (v[1] == 'A' || v[1] == 'B');
    return (corsica || (std::isdigit(static_cast<unsigned char>(v[0])) && std::isdigit(static_cast<unsigned char>(v[1])))) &&
           AllDigits(std::string_view(v).substr(2));
}

// INSEE commune code from FINESS's département and 3-digit commune: "51" + "230", "974" + "(4)11".
std::string InseeCode(const std::string& dep, const std::string& commune) {
    if (commune.empty()) return {};
    if (dep.size() == 3 && commune.size() == 3) return dep + commune.substr(1);
    return dep + commune;
}

}  // namespace

void CheckFinessHeader(std::string_view header) {
    if (header.find("Identifiant PP") != std::string_view::npos)
        throw UnusableFile("Ce fichier est une extraction RPPS : utilisez « cordee import rpps ».");
    if (AsciiLower(header).rfind("finess;etalab", 0) != 0)
        throw UnusableFile("La première ligne doit commencer par « finess;etalab » (extraction etalab, séparateur « ; »).");
}

FinessLineKind KindOfFinessLine(std::string_view line, std::string& kind) {
    kind = Field(line.substr(0, line.find(';')));
    if (kind == "structureet") return FinessLineKind::kStructure;
    if (kind == "geolocalisation") return FinessLineKind::kPosition;
    return FinessLineKind::kOther;
}

std::variant<FinessStructure, LineError> ParseFinessStructure(std::string_view line,
                                                              std::vector<std::string_view>& f) {
    SplitFields(line, ';', f);
    if (f.size() < 32) return LineError{"ligne incomplète (" + std::to_string(f.size() - 1) + " champs au lieu de 31)", true};
    FinessStructure s;
    s.finess = Field(f[1]);
    if (!ValidFiness(s.finess)) return LineError{"numéro FINESS invalide (« " + s.finess.substr(0, 20) + " »)"};
    s.finess_ej = Field(f[2]);
    s.name = Field(f[3]);
    s.long_name = Field(f[4]);
    if (s.name.empty()) s.name = s.long_name;
    s.address = JoinNonEmpty({Field(f[7]), Field(f[8]), Field(f[9]), Field(f[10])});
    // FINESS writes the overseas départements 9A…9F; everyone else says 971…976.
    static const std::map<std::string, std::string> overseas = {
        {"9A", "971"}, {"9B", "972"}, {"9C", "973"}, {"9D", "974"}, {"9E", "975"}, {"9F", "976"}};
    s.departement = Field(f[13]);
    if (auto it = overseas.find(s.departement); it != overseas.end()) s.departement = it->second;
    s.commune_code = InseeCode(s.departement, Field(f[12]));
    // ligneacheminement is "51100 REIMS": postal code, then the commune in capitals.
    const std::string routing = Field(f[15]);
    const auto space = routing.find(' ');
    s.postal_code = space == std::string::npos ? "" : routing.substr(0, space);
    s.commune = space == std::string::npos ? routing : routing.substr(space + 1);
    s.phone = Field(f[16]);
    s.category_code = Field(f[18]);
    s.category_label = Field(f[19]);
    s.siret = Field(f[22]);
    return s;
}

std::variant<FinessPosition, LineError> ParseFinessPosition(std::string_view line, std::vector<std::string_view>& f) {
    SplitFields(line, ';', f);
    if (f.size() < 5) return LineError{"géolocalisation incomplète"};
    FinessPosition p;
    p.finess = Field(f[1]);
    // sourcecoordet: "1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93": the system is its last item.
    const std::string source = Field(f[4]);
    p.system = source.substr(source.rfind(',') == std::string::npos ? 0 : source.rfind(',') + 1);
    try {
        p.x = std::stod(Field(f[2]));
        p.y = std::stod(Field(f[3]));
    } catch (...) {
        return LineError{"coordonnées illisibles"};
    }
    return p;
}

}  // namespace cordee::directory

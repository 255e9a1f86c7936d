#pragma once
// Lines of the FINESS etalab extraction (`;`-separated, first line `finess;etalab;…`): `structureet` lines (one
// establishment, 31 fields after the kind) and `geolocalisation` lines (its position, in Lambert-93 or UTM
// overseas) turned into structs. Pure functions: no database, no file; coordinates are converted elsewhere (geo.hpp).
#include "directory/national_file.hpp"

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cordee::directory {

// Throws UnusableFile when `header` is not the first line of an etalab extraction.
void CheckFinessHeader(std::string_view header);

enum class FinessLineKind { kStructure, kPosition, kOther };
// The kind of a line (its first field); `kind` receives that field, trimmed.
FinessLineKind KindOfFinessLine(std::string_view line, std::string& kind);

// An establishment (structureet line), with its place written the way the rest of Cordée writes it.
struct FinessStructure {
    std::string finess;     // 9 characters: 2 digits (or 2A/2B) then digits
    std::string finess_ej;  // its legal entity
    std::string name;       // the short name, or the long one when the file has no short name
    std::string long_name, address;
    std::string commune_code;  // INSEE: département + commune ("51" + "230", "974" + "11")
    std::string departement;   // 971…976 for the overseas ones FINESS writes 9A…9F
    std::string postal_code, commune;  // from "51100 REIMS"
    std::string phone, category_code, category_label, siret;
};

// A position as the file gives it: projected coordinates in `system` (LAMBERT_93, UTM_N20, UTM_S40…).
struct FinessPosition {
    std::string finess, system;
    double x = 0, y = 0;
};

// `fields` is scratch space, reused from line to line.
std::variant<FinessStructure, LineError> ParseFinessStructure(std::string_view line,
                                                              std::vector<std::string_view>& fields);
std::variant<FinessPosition, LineError> ParseFinessPosition(std::string_view line,
                                                            std::vector<std::string_view>& fields);

}  // namespace cordee::directory

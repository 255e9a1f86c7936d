#pragma once
// One line of the RPPS extraction (PS_LibreAcces_Personne_activite_*.txt: `|`-separated, a header line, a
// trailing `|`, one line per activity of a professional) turned into a struct. Columns are found by header name,
// since their order changes between editions (DOMAIN.md). Pure functions: no database, no file.
#include "directory/national_file.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cordee::directory {

// Where the columns the import reads are in this file's lines.
class RppsColumns {
public:
    enum Column {
        kIdType, kPp, kNationalId, kCivility, kLastName, kFirstName, kProfessionCode, kProfessionLabel,
        kSpecialtyCode, kSpecialtyLabel, kPracticeMode, kSiret, kFinessSite, kFinessEj, kSiteName, kSiteBrand,
        kStreetNumber, kStreetRepeat, kStreetType, kStreetName, kPostalCode, kCommuneCode, kCommune, kPhone, kEmail,
        kDepartement, kColumnCount
    };
    // Throws UnusableFile when `header` is not the header of an RPPS extraction (another kind of file, another
    // separator, a column the import needs missing).
    static RppsColumns FromHeader(std::string_view header);
    // A complete line has at least this many fields (the header's, less the empty one after its trailing `|`).
    size_t fields() const { return fields_; }
    // The field of `column` in a line split on `|`; empty when the file has no such column.
    std::string_view Get(const std::vector<std::string_view>& f, Column column) const {
        const size_t i = at_[column];
        return i < f.size() ? f[i] : std::string_view();
    }

private:
    std::array<size_t, kColumnCount> at_{};
    size_t fields_ = 0;
};

// One activity of a professional, as the file gives it (trimmed, in UTF-8), with the usual fallbacks applied.
struct RppsLine {
    std::string id_type;      // "8" RPPS (11 digits), "0" ADELI (9 digits)
    std::string pp;           // the RPPS or ADELI number
    std::string national_id;  // "Identification nationale PP", or id_type + pp when the file leaves it empty
    std::string civility, first_name, last_name, profession_code, profession_label;
    std::string specialty_code, specialty_label, practice_mode;
    std::string siret, finess_site, finess_ej;
    std::string site_name;  // the site's name, or its commercial name
    std::string address;    // number, repetition, type and name of the street
    std::string postal_code, commune_code, commune;
    std::string departement;  // from the file, or the postal code's first two digits
    std::string phone, email;
    bool rpps() const { return id_type == "8"; }
};

// `fields` is scratch space, reused from line to line.
std::variant<RppsLine, LineError> ParseRppsLine(const RppsColumns& columns, std::string_view line,
                                                std::vector<std::string_view>& fields);

}  // namespace cordee::directory

#pragma once
// The minimal directory of the foundation: structures (for sign-up) and professionals (demo).
// The directory capability extends these tables with imports, activities and capacities.
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <utility>

namespace cordee::directory {

struct Structure {
    std::string id, name, kind, finess, commune, postal_code;
    std::optional<std::pair<double, double>> point;  // lat, lon
};
struct Professional {
    std::string id, rpps, civility, first_name, last_name, profession_code, profession_label, specialty, practice_mode,
        structure_id, commune, postal_code;
};

void InsertStructure(storage::Session& s, const Structure& st);
void InsertProfessional(storage::Session& s, const Professional& p);
// Case- and accent-insensitive: every word of `q` must start a word of the name or the commune.
boost::json::array SearchStructures(storage::Database& db, const std::string& q, int limit);

}  // namespace cordee::directory

#include "directory/repository.hpp"

#include "common/ids.hpp"
#include "common/text.hpp"
#include "common/time.hpp"

#include <boost/json.hpp>
#include <sstream>

namespace cordee::directory {

void InsertStructure(storage::Session& s, const Structure& st) {
    storage::Value lat, lon;
    if (st.point) {
        lat = st.point->first;
        lon = st.point->second;
    }
    // Created here (demo, proposals, operators): 'local', so that a FINESS import never deactivates it.
    s.Exec("INSERT INTO structures (id, name, name_search, kind, finess, commune, postal_code, departement, lat, lon, "
           "source, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?)",
           {st.id, st.name, StructureNameSearch(st.name, st.commune), st.kind,
            st.finess.empty() ? storage::Value{} : storage::Value{st.finess}, st.commune, st.postal_code,
            st.postal_code.substr(0, 2), lat, lon, "local", NowMicros()});
}

void InsertProfessional(storage::Session& s, const Professional& p) {
    s.Exec("INSERT INTO professionals (id, rpps, id_type, national_id, civility, first_name, last_name, profession_code, "
           "profession_label, specialty, practice_mode, structure_id, commune, postal_code, departement, created_at) VALUES "
           "(?, ?, 'RPPS', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
           {p.id, p.rpps, "8" + p.rpps, p.civility, p.first_name, p.last_name, p.profession_code, p.profession_label,
            p.specialty, p.practice_mode, p.structure_id.empty() ? storage::Value{} : storage::Value{p.structure_id},
            p.commune, p.postal_code, p.postal_code.substr(0, 2), NowMicros()});
    // Where they work: their structure for salaried ones, their own practice otherwise.
    s.Exec("INSERT INTO professional_activities (id, professional_id, structure_id, site_name, postal_code, commune, "
           "departement, practice_mode, specialty_label) VALUES (?, ?, ?, (SELECT name FROM structures WHERE id = ?), ?, "
           "?, ?, ?, ?)",
           {NameBasedUuid("activity:" + p.id), p.id, p.structure_id.empty() ? storage::Value{} : storage::Value{p.structure_id}, p.structure_id,
            p.postal_code, p.commune, p.postal_code.substr(0, 2), p.practice_mode, p.specialty});
}

boost::json::array SearchStructures(storage::Database& db, const std::string& q, int limit) {
    std::string sql = "SELECT id, name, kind, commune, finess FROM structures WHERE status = 'active'";
    storage::Params params;
    std::istringstream words(FoldForSearch(q.substr(0, 200)));
    std::string w;
    int n = 0;
    while (words >> w && n < 6) {
        // Wildcards typed by the user are data, not patterns.
        std::string escaped;
        for (char c : w) {
            if (c == '%' || c == '_' || c == '\\') escaped.push_back('\\');
            escaped.push_back(c);
        }
        sql += " AND name_search LIKE ? ESCAPE '\\'";
        params.push_back("% " + escaped + "%");
        ++n;
    }
    sql += " ORDER BY name LIMIT ?";
    params.push_back(static_cast<int64_t>(limit));
    auto rows = db.ReadValue([&](storage::Session& s) { return s.Query(sql, params); });
    boost::json::array out;
    for (const auto& r : rows)
        out.push_back({{"id", r.Str(0)}, {"name", r.Str(1)}, {"kind", r.Str(2)}, {"commune", r.Str(3)}, {"finess", r.Str(4)}});
    return out;
}

}  // namespace cordee::directory

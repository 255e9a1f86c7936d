#include "directory/routes.hpp"

#include "common/errors.hpp"
#include "directory/repository.hpp"

#include <boost/json.hpp>

#include <optional>

namespace cordee::directory {

void RegisterRoutes(http::Router& r, storage::Database& db) {
    // Sign-up: a professional types their RPPS number and finds their national entry (the RPPS is open
    // data). Only the fields the sign-up form fills are given.
    r.Add("GET", "/api/v1/directory/rpps/{number}", [&db](http::Request& req) {
        const std::string& n = req.Param("number");
        if (n.size() != 11 || n.find_first_not_of("0123456789") != std::string::npos) {
            throw Invalid("number", "le numéro RPPS compte 11 chiffres");
        }
        auto out = db.ReadValue([&](storage::Session& s) -> std::optional<boost::json::object> {
            auto p = s.One("SELECT id, civility, first_name, last_name, profession_code, profession_label, specialty FROM "
                           "professionals WHERE national_id = ? AND active = 1",
                           {"8" + n});
            if (!p) return std::nullopt;
            boost::json::array sites;
            for (const auto& a : s.Query("SELECT a.structure_id, a.site_name, a.commune FROM professional_activities a "
                                         "WHERE a.professional_id = ? ORDER BY a.site_name",
                                         {p->Str(0)}))
                sites.push_back({{"structure_id", a.IsNull(0) ? boost::json::value(nullptr) : boost::json::value(a.Str(0))},
                                 {"site_name", a.Str(1)}, {"commune", a.Str(2)}});
            return boost::json::object{{"professional_id", p->Str(0)}, {"civility", p->Str(1)}, {"first_name", p->Str(2)},
                                       {"last_name", p->Str(3)}, {"profession_code", p->Str(4)},
                                       {"profession_label", p->Str(5)}, {"specialty", p->Str(6)}, {"sites", sites}};
        });
        if (!out) throw NotFound("Aucun professionnel avec ce numéro RPPS dans l'annuaire.");
        return http::Response::Json(200, *out);
    });

    r.Add("GET", "/api/v1/structures", [&db](http::Request& req) {
        return http::Response::Json(200, {{"items", SearchStructures(db, req.Query("q"), 20)}});
    });
}

}  // namespace cordee::directory

#include "directory/routes.hpp"

#include "common/errors.hpp"
#include "common/text.hpp"
#include "directory/json.hpp"
#include "directory/service.hpp"

#include <boost/json.hpp>

namespace cordee::directory {
namespace {
constexpr size_t kMaxStructureQuery = 100;
constexpr int kMaxStructureResults = 50;
}  // namespace

void RegisterRoutes(http::Router& r, storage::Database& db) {
    // Sign-up: a professional types their RPPS number and finds their national entry (the RPPS is open
    // data). Only the fields the sign-up form fills are given.
    r.Add("GET", "/api/v1/directory/rpps/{number}", [&db](http::Request& req) {
        const std::string n = RppsNumber(req.Param("number"));
        if (n.empty()) throw Invalid("number", "le numéro RPPS compte 11 chiffres (ou 12 en commençant par 8)");
        return http::Response::Json(200, ToJson(FindRppsEntry(db, n)));
    });

    // Public (the sign-up form, before any account): bounded before any work (at most 100 characters of query, 50
    // answers), and on the worker pool, since a query of several words reads the whole structures table.
    r.Add("GET", "/api/v1/structures", [&db](http::Request& req) {
        const std::string q = req.Query("q");
        if (!IsValidUtf8(q) || CodePoints(q) > kMaxStructureQuery) {
            throw Invalid("q", "au plus " + std::to_string(kMaxStructureQuery) + " caractères");
        }
        int limit = 20;
        if (const std::string l = req.Query("limit"); !l.empty()) {
            if (l.size() > 2 || l.find_first_not_of("0123456789") != std::string::npos || std::stoi(l) < 1 ||
                std::stoi(l) > kMaxStructureResults) {
                throw Invalid("limit", "nombre entre 1 et " + std::to_string(kMaxStructureResults));
            }
            limit = std::stoi(l);
        }
        return http::Response::Json(200, {{"items", StructureChoicesJson(PickStructures(db, q, limit))}});
    }, http::Runs::kWorker);
}

}  // namespace cordee::directory

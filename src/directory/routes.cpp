#include "directory/routes.hpp"

#include "directory/repository.hpp"

#include <boost/json.hpp>

namespace cordee::directory {

void RegisterRoutes(http::Router& r, storage::Database& db) {
    r.Add("GET", "/api/v1/structures", [&db](http::Request& req) {
        return http::Response::Json(200, {{"items", SearchStructures(db, req.Query("q"), 20)}});
    });
}

}  // namespace cordee::directory

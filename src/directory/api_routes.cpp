#include "directory/api_routes.hpp"

#include "auth/http_auth.hpp"
#include "common/ids.hpp"
#include "common/json_input.hpp"

#include <boost/json.hpp>

#include <cmath>

namespace cordee::directory {
namespace {

const std::string& UuidParam(const http::Request& req, const std::string& name) {
    const auto& v = req.Param(name);
    // Imported entries have name-based ids (version 8), local ones UUIDv7: both have the UUID shape.
    if (!IsUuid(v)) throw NotFound();
    return v;
}

std::optional<double> Number(const http::Request& req, const char* name, double min, double max) {
    const std::string v = req.Query(name);
    if (v.empty()) return std::nullopt;
    try {
        size_t pos = 0;
        const double d = std::stod(v, &pos);
        if (pos == v.size() && std::isfinite(d) && d >= min && d <= max) return d;
    } catch (...) {
    }
    throw Invalid(name, "nombre attendu entre " + std::to_string(static_cast<int>(min)) + " et " +
                            std::to_string(static_cast<int>(max)));
}

std::string Short(const http::Request& req, const char* name, size_t max) { return req.Query(name).substr(0, max); }

void RequireAdmin(DirectoryService& directory, auth::AuthService& auth, const auth::Principal& p,
                  const std::string& structure_id, const http::Request& req) {
    if (!directory.MayAdminister(p.account_id, p.role, structure_id)) {
        auth.AuditDenied(p, "directory.administer " + structure_id, req.remote_ip);
        throw Forbidden("Seuls les administrateurs de cette structure et les opérateurs peuvent modifier son offre.");
    }
}

}  // namespace

void RegisterApiRoutes(http::Router& r, DirectoryService& directory, auth::AuthService& auth) {
    r.Add("GET", "/api/v1/directory/search", [&](http::Request& req) {
        auth::RequireAccount(auth, req);
        SearchQuery q;
        q.q = req.Query("q").substr(0, 200);
        const std::string kind = req.Query("kind");
        if (kind == "professional") q.structures = false;
        else if (kind == "structure") q.structures = true;
        else if (!kind.empty()) throw Invalid("kind", "professional ou structure");
        q.profession = Short(req, "profession", 10);
        q.departement = Short(req, "departement", 3);
        q.commune = Short(req, "commune", 100);
        q.postal_code = Short(req, "postal_code", 5);
        q.practice_mode = Short(req, "practice_mode", 1);
        q.has_capacity = Short(req, "has_capacity", 100);
        if (!req.Query("specialty").empty()) q.q += " " + Short(req, "specialty", 100);
        q.lat = Number(req, "lat", -90, 90);
        q.lon = Number(req, "lon", -180, 180);
        q.radius_km = Number(req, "radius_km", 0, 2000);
        if (q.lat.has_value() != q.lon.has_value()) throw Invalid("lon", "donnez lat et lon ensemble");
        const int per_page = static_cast<int>(Number(req, "per_page", 1, 50).value_or(20));
        const int page = static_cast<int>(Number(req, "page", 1, 1000).value_or(1));
        q.limit = per_page;
        q.offset = (page - 1) * per_page;
        return http::Response::Json(200, directory.Search(q));
    });

    r.Add("GET", "/api/v1/directory/professionals/{id}", [&](http::Request& req) {
        auth::RequireAccount(auth, req);
        return http::Response::Json(200, directory.Professional(UuidParam(req, "id")));
    });

    r.Add("GET", "/api/v1/directory/structures/{id}", [&](http::Request& req) {
        auth::RequireAccount(auth, req);
        return http::Response::Json(200, directory.Structure(UuidParam(req, "id")));
    });

    r.Add("POST", "/api/v1/directory/structures", [&](http::Request& req) {
        auto p = auth::RequireRole(auth, req, {auth::kOperator});
        JsonInput in(req.body);
        boost::json::object f;
        f["name"] = in.Text("name", 2, 200);
        f["category_label"] = in.Text("category_label", 2, 100);
        f["commune"] = in.Text("commune", 1, 100);
        const std::string postal = in.Text("postal_code", 5, 5);
        if (!postal.empty() && postal.find_first_not_of("0123456789AB") != std::string::npos)
            in.Fail("postal_code", "5 chiffres");
        f["postal_code"] = postal;
        f["address"] = in.OptText("address", 300).value_or("");
        f["phone"] = in.OptText("phone", 30).value_or("");
        f["email"] = in.OptText("email", 254).value_or("");
        in.Done();
        return http::Response::Json(201, directory.CreateStructure(p.account_id, f));
    });

    r.Add("PATCH", "/api/v1/directory/structures/{id}", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string& sid = UuidParam(req, "id");
        RequireAdmin(directory, auth, p, sid, req);
        const int64_t version = http::IfMatchVersion(req);
        JsonInput in(req.body);
        in.OnlyFields({"phone", "email", "address", "description"});
        boost::json::object f;
        if (auto v = in.OptText("phone", 30)) f["phone"] = *v;
        if (auto v = in.OptText("email", 254)) f["email"] = *v;
        if (auto v = in.OptText("address", 300)) f["address"] = *v;
        if (auto v = in.OptText("description", 4000)) f["description"] = *v;
        in.Done();
        try {
            return http::Response::Json(200, directory.UpdateStructure(sid, version, f));
        } catch (Error& e) {
            if (e.status() == 409) e.extra["current"] = directory.Structure(sid);
            throw;
        }
    });

    r.Add("POST", "/api/v1/directory/structures/{id}/activities", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string& sid = UuidParam(req, "id");
        RequireAdmin(directory, auth, p, sid, req);
        JsonInput in(req.body);
        boost::json::object f;
        f["field"] = in.Text("field", 2, 100);
        f["care_mode"] = in.Text("care_mode", 2, 100);
        f["label"] = in.Text("label", 2, 200);
        f["area"] = in.OptText("area", 200).value_or("");
        const auto body = ParseJsonObject(req.body);
        for (const char* k : {"public_min_age", "public_max_age"}) {
            if (!body.contains(k) || body.at(k).is_null()) continue;
            if (!body.at(k).is_int64() || body.at(k).as_int64() < 0 || body.at(k).as_int64() > 130) in.Fail(k, "âge entre 0 et 130 ans");
            else f[k] = body.at(k).as_int64();
        }
        in.Done();
        return http::Response::Json(201, directory.AddActivity(sid, p.account_id, f));
    });

    r.Add("PUT", "/api/v1/directory/structures/{id}/activities/{activity}/capacities/{type}", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string& sid = UuidParam(req, "id");
        const std::string& aid = UuidParam(req, "activity");
        const std::string& type = req.Param("type");
        if (std::find(kCapacityTypes.begin(), kCapacityTypes.end(), type) == kCapacityTypes.end())
            throw Invalid("type", "installee, disponible, occupee, reservee, fermee ou supplementaire");
        RequireAdmin(directory, auth, p, sid, req);
        const auto body = ParseJsonObject(req.body);
        JsonInput in(body);
        int64_t count = 0;
        if (!body.contains("count") || !body.at("count").is_int64() || body.at("count").as_int64() < 0 ||
            body.at("count").as_int64() > 100000)
            in.Fail("count", "nombre entier entre 0 et 100000");
        else count = body.at("count").as_int64();
        const std::string unit = in.Text("unit", 1, 20);
        if (!unit.empty() && unit != "lits" && unit != "places") in.Fail("unit", "lits ou places");
        in.Done();
        return http::Response::Json(200, directory.SetCapacity(sid, aid, type, count, unit, p.account_id));
    });

    r.Add("GET", "/api/v1/directory/structures/{id}/activities/{activity}/history", [&](http::Request& req) {
        auth::RequireAccount(auth, req);
        return http::Response::Json(200, {{"items", directory.History(UuidParam(req, "id"), UuidParam(req, "activity"))}});
    });
}

}  // namespace cordee::directory

#include "directory/api_routes.hpp"

#include "auth/http_auth.hpp"
#include "common/ids.hpp"
#include "common/json_input.hpp"
#include "common/time.hpp"
#include "directory/json.hpp"

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

Actor ActorOf(const auth::Principal& p, const http::Request& req) { return {AccountId(p.account_id), p.role, req.remote_ip}; }

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
        return http::Response::Json(200, ToJson(directory.Search(q)));
    });

    r.Add("GET", "/api/v1/directory/vocabulary", [&](http::Request& req) {
        auth::RequireAccount(auth, req);
        boost::json::array items;
        for (const auto& w : directory.Words()) items.push_back(ToJson(w));
        return http::Response::Json(200, {{"items", items}});
    });

    // An operator teaches the directory a word of the territory ("ESA", "PTA"…); the service refuses anyone else.
    r.Add("POST", "/api/v1/directory/vocabulary", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        JsonInput in(req.body);
        in.OnlyFields({"words", "label", "profession_code", "specialty", "practice_mode", "category"});
        VocabularyEntry w;
        w.words = in.Text("words", 1, 100);
        w.meaning.label = in.Text("label", 2, 100);
        w.meaning.profession = in.OptText("profession_code", 10).value_or("");
        w.meaning.specialty = in.OptText("specialty", 100).value_or("");
        w.meaning.mode = in.OptText("practice_mode", 1).value_or("");
        w.meaning.category = in.OptText("category", 100).value_or("");
        if (!w.meaning.mode.empty() && w.meaning.mode != "L" && w.meaning.mode != "S")
            in.Fail("practice_mode", "L (libéral) ou S (salarié)");
        if (!w.meaning.label.empty() && w.meaning.profession.empty() && w.meaning.specialty.empty() &&
            w.meaning.mode.empty() && w.meaning.category.empty())
            in.Fail("profession_code", "indiquez au moins une profession, un savoir-faire, un mode d'exercice ou une catégorie");
        in.Done();
        return http::Response::Json(201, ToJson(directory.AddWord(ActorOf(p, req), w)));
    });

    r.Add("GET", "/api/v1/directory/professionals/{id}", [&](http::Request& req) {
        auth::RequireAccount(auth, req);
        return http::Response::Json(200, ToJson(directory.Professional(ProfessionalId(UuidParam(req, "id")))));
    });

    r.Add("GET", "/api/v1/directory/structures/{id}", [&](http::Request& req) {
        auth::RequireAccount(auth, req);
        return http::Response::Json(200, ToJson(directory.Structure(StructureId(UuidParam(req, "id")))));
    });

    r.Add("POST", "/api/v1/directory/structures", [&](http::Request& req) {
        auto p = auth::RequireRole(auth, req, {auth::kOperator});
        JsonInput in(req.body);
        NewStructure n;
        n.name = in.Text("name", 2, 200);
        n.category_label = in.Text("category_label", 2, 100);
        n.commune = in.Text("commune", 1, 100);
        n.postal_code = in.Text("postal_code", 5, 5);
        if (!n.postal_code.empty() && n.postal_code.find_first_not_of("0123456789AB") != std::string::npos)
            in.Fail("postal_code", "5 chiffres");
        n.address = in.OptText("address", 300).value_or("");
        n.phone = in.OptText("phone", 30).value_or("");
        n.email = in.OptText("email", 254).value_or("");
        in.Done();
        return http::Response::Json(201, ToJson(directory.CreateStructure(AccountId(p.account_id), n)));
    });

    r.Add("PATCH", "/api/v1/directory/structures/{id}", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const auto grant = directory.Administer(ActorOf(p, req), StructureId(UuidParam(req, "id")));
        const int64_t version = http::IfMatchVersion(req);
        JsonInput in(req.body);
        in.OnlyFields({"phone", "email", "address", "description"});
        StructureDetails d;
        d.phone = in.OptText("phone", 30);
        d.email = in.OptText("email", 254);
        d.address = in.OptText("address", 300);
        d.description = in.OptText("description", 4000);
        in.Done();
        return http::Response::Json(200, ToJson(directory.UpdateStructure(grant, version, d)));
    });

    r.Add("POST", "/api/v1/directory/structures/{id}/activities", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const auto grant = directory.Administer(ActorOf(p, req), StructureId(UuidParam(req, "id")));
        JsonInput in(req.body);
        NewActivity a;
        a.field = in.Text("field", 2, 100);
        a.care_mode = in.Text("care_mode", 2, 100);
        a.label = in.Text("label", 2, 200);
        a.area = in.OptText("area", 200).value_or("");
        const auto body = ParseJsonObject(req.body);
        for (auto [k, age] : {std::pair{"public_min_age", &a.public_min_age}, std::pair{"public_max_age", &a.public_max_age}}) {
            if (!body.contains(k) || body.at(k).is_null()) continue;
            if (!body.at(k).is_int64() || body.at(k).as_int64() < 0 || body.at(k).as_int64() > 130) in.Fail(k, "âge entre 0 et 130 ans");
            else *age = body.at(k).as_int64();
        }
        in.Done();
        return http::Response::Json(201, ToJson(directory.AddActivity(grant, a), NowMicros()));
    });

    r.Add("PUT", "/api/v1/directory/structures/{id}/activities/{activity}/capacities/{type}", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const StructureId sid(UuidParam(req, "id"));
        const ActivityId aid(UuidParam(req, "activity"));
        const std::string& type = req.Param("type");
        if (std::find(kCapacityTypes.begin(), kCapacityTypes.end(), type) == kCapacityTypes.end())
            throw Invalid("type", "installee, disponible, occupee, reservee, fermee ou supplementaire");
        const auto grant = directory.Administer(ActorOf(p, req), sid);
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
        const CapacityRow c = directory.SetCapacity(grant, aid, type, count, unit);
        return http::Response::Json(200, ToJson(c, c.updated_at));
    });

    r.Add("GET", "/api/v1/directory/structures/{id}/activities/{activity}/history", [&](http::Request& req) {
        auth::RequireAccount(auth, req);
        const StructureId sid(UuidParam(req, "id"));
        const ActivityId aid(UuidParam(req, "activity"));
        return http::Response::Json(200, {{"items", ToJson(directory.History(sid, aid))}});
    });
}

}  // namespace cordee::directory

#include "patients/routes.hpp"

#include "auth/http_auth.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "patients/http_input.hpp"
#include "patients/identity.hpp"
#include "storage/idempotency.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace cordee::patients {
namespace {

namespace json = boost::json;

std::string Today() { return FormatRfc3339(NowMicros()).substr(0, 10); }

std::optional<std::string> NameField(JsonInput& in, const char* key, bool upper, bool required) {
    auto raw = in.OptText(key, 400);
    if (!raw || raw->empty()) {
        if (required) in.Fail(key, "obligatoire");
        return raw ? std::optional<std::string>("") : std::nullopt;
    }
    auto c = CheckName(*raw, upper);
    if (!c.error.empty()) {
        in.Fail(key, c.error);
        return std::nullopt;
    }
    return c.value;
}

// Identity fields of a creation (`creating`) or of a change (only those present).
Identity ParseIdentity(const json::object& body, JsonInput& in, bool creating) {
    Identity id;
    id.birth_name = NameField(in, "birth_name", true, creating);
    id.birth_first_names = NameField(in, "birth_first_names", false, creating);
    id.first_name = NameField(in, "first_name", false, false);
    if (id.birth_first_names && !id.birth_first_names->empty()) {
        const std::string first = id.birth_first_names->substr(0, id.birth_first_names->find(' '));
        if (!id.first_name || id.first_name->empty()) id.first_name = first;
        else if (*id.first_name != first)
            in.Fail("first_name", "le premier prénom est le premier des prénoms de naissance (" + first + ")");
    }
    id.used_name = NameField(in, "used_name", true, false);
    id.used_first_name = NameField(in, "used_first_name", false, false);
    if (auto d = in.OptText("birth_date", 10)) {
        const std::string err = CheckBirthDate(*d, Today());
        if (!err.empty()) in.Fail("birth_date", err);
        else id.birth_date = *d;
    } else if (creating) {
        in.Fail("birth_date", "obligatoire (AAAA-MM-JJ, 00 pour un jour ou un mois inconnu)");
    }
    id.sex = EnumField(body, in, "sex", {"F", "M", "I"}, creating);
    if (auto b = in.OptText("birthplace_code", 5)) {
        std::string code = *b;
        std::transform(code.begin(), code.end(), code.begin(), [](char c) { return c == 'a' ? 'A' : c == 'b' ? 'B' : c; });
        if (!code.empty() && !IsInseeCode(code)) in.Fail("birthplace_code", "code de la commune de naissance : 5 caractères (99 et le code du pays pour une naissance à l'étranger)");
        else id.birthplace_code = code;
    }
    if (creating) id.identity_status = EnumField(body, in, "identity_status", {"provisoire", "recuperee"}, false);
    else if (body.contains("identity_status")) in.Fail("identity_status", "l'identité se valide ou se qualifie par son action dédiée");
    id.phone = in.OptText("phone", 30);
    id.address = in.OptText("address", 300);
    if (auto flags = in.OptObject("flags")) {
        const json::object& f = body.at("flags").as_object();
        flags->OnlyFields({"douteuse", "fictive", "homonyme"});
        id.douteuse = BoolField(f, *flags, "douteuse");
        id.fictive = BoolField(f, *flags, "fictive");
        id.homonyme = BoolField(f, *flags, "homonyme");
        try {
            flags->Done();
        } catch (Error& e) {
            for (const auto& fe : e.errors()) in.Fail(fe.field, fe.message);
        }
    }
    if (body.contains("ins"))
        in.Fail("ins", "l'INS n'est enregistré que par la qualification de l'identité (service INSi), jamais saisi");
    return id;
}

}  // namespace

void RegisterRoutes(http::Router& r, PatientService& patients, auth::AuthService& auth) {
    const auto worker = http::Runs::kWorker;  // every patient read is audited, hence written

    r.Add("POST", "/api/v1/patients", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string key = storage::CheckIdempotencyKey(req.Header("idempotency-key"));
        const auto body = ParseJsonObject(req.body);
        JsonInput in(body);
        in.OnlyFields({"birth_name", "birth_first_names", "first_name", "used_name", "used_first_name", "birth_date",
                       "sex", "birthplace_code", "identity_status", "flags", "phone", "address", "confirm_not_duplicate",
                       "creator_role", "ins"});
        Identity id = ParseIdentity(body, in, true);
        const bool confirm = BoolField(body, in, "confirm_not_duplicate").value_or(false);
        const std::string role = EnumField(body, in, "creator_role", kRoles, false).value_or("coordinateur");
        in.Done();
        auto [status, out] = patients.Create(p, id, role, confirm, key);
        return http::Response{status, "application/json", out, {}};
    });

    r.Add("GET", "/api/v1/patients", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string q = req.Query("q").substr(0, 200);
        std::string birth_date = req.Query("birth_date");
        if (!birth_date.empty() && !CheckBirthDate(birth_date, Today()).empty())
            throw Invalid("birth_date", CheckBirthDate(birth_date, Today()));
        std::string ins;
        if (!req.Query("ins").empty()) {
            auto nir = CheckNir(req.Query("ins"));
            if (!nir) throw Invalid("ins", "matricule INS invalide : 15 caractères dont une clé de contrôle correcte");
            ins = *nir;
        }
        if (q.empty() && birth_date.empty() && ins.empty()) return http::Response::Json(200, {{"items", json::array{}}});
        return http::Response::Json(200, patients.Search(p, q, birth_date, ins));
    }, worker);

    r.Add("GET", "/api/v1/patients/mine", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        return http::Response::Json(200, patients.Mine(p, LimitParam(req, 50, 200), req.Query("cursor").substr(0, 80)));
    }, worker);

    r.Add("GET", "/api/v1/patients/{id}", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        return http::Response::Json(200, patients.Get(p, IdParam(req, "id")));
    }, worker);

    r.Add("PATCH", "/api/v1/patients/{id}", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string& id = IdParam(req, "id");
        const int64_t version = http::IfMatchVersion(req);
        const auto body = ParseJsonObject(req.body);
        JsonInput in(body);
        in.OnlyFields({"birth_name", "birth_first_names", "first_name", "used_name", "used_first_name", "birth_date",
                       "sex", "birthplace_code", "flags", "phone", "address"});
        Identity patch = ParseIdentity(body, in, false);
        in.Done();
        return http::Response::Json(200, patients.Update(p, id, version, patch));
    });

    r.Add("POST", "/api/v1/patients/{id}/validate", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string& id = IdParam(req, "id");
        const auto body = ParseJsonObject(req.body);
        JsonInput in(body);
        in.OnlyFields({"document"});
        auto doc = EnumField(body, in, "document", kValidationDocuments, true);
        in.Done();
        return http::Response::Json(200, patients.Validate(p, id, *doc));
    });

    r.Add("POST", "/api/v1/patients/{id}/qualify", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        return http::Response::Json(200, patients.Qualify(p, IdParam(req, "id")));
    });

    r.Add("POST", "/api/v1/patients/{id}/merge", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string& id = IdParam(req, "id");
        JsonInput in(req.body);
        in.OnlyFields({"duplicate_id"});
        const std::string dup = in.Text("duplicate_id", 36, 36);
        in.Done();
        if (!IsUuid(dup)) throw Invalid("duplicate_id", "identifiant de dossier invalide");
        return http::Response::Json(200, patients.Merge(p, id, dup));
    });

    r.Add("GET", "/api/v1/patients/{id}/circle", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        return http::Response::Json(200, patients.Circle(p, IdParam(req, "id")));
    }, worker);

    r.Add("POST", "/api/v1/patients/{id}/circle", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string& id = IdParam(req, "id");
        const std::string key = storage::CheckIdempotencyKey(req.Header("idempotency-key"));
        const auto body = ParseJsonObject(req.body);
        JsonInput in(body);
        in.OnlyFields({"account_id", "professional_id", "structure_id", "contact", "role", "start", "end", "referent"});
        NewMember m;
        int targets = 0;
        for (auto [k, dst] : {std::pair{"account_id", &m.account_id}, std::pair{"professional_id", &m.professional_id},
                              std::pair{"structure_id", &m.structure_id}}) {
            if (auto v = in.OptText(k, 36); v && !v->empty()) {
                ++targets;
                if (!IsUuid(*v)) in.Fail(k, "identifiant invalide");
                *dst = *v;
            }
        }
        if (auto c = in.OptObject("contact")) {
            ++targets;
            m.contact_name = c->Text("name", 1, 200);
            m.contact_phone = c->OptText("phone", 30).value_or("");
            m.contact_relation = c->OptText("relation", 100).value_or("");
            try {
                c->Done();
            } catch (Error& e) {
                for (const auto& fe : e.errors()) in.Fail(fe.field, fe.message);
            }
        }
        if (targets != 1) in.Fail("account_id", "indiquez un seul membre : account_id, professional_id, structure_id ou contact");
        m.role = EnumField(body, in, "role", kRoles, true).value_or("");
        m.start = TimeField(body, in, "start").value_or(0);
        m.end = TimeField(body, in, "end");
        m.referent = BoolField(body, in, "referent").value_or(false);
        in.Done();
        auto [status, out] = patients.AddMember(p, id, m, key);
        return http::Response{status, "application/json", out, {}};
    });

    r.Add("PATCH", "/api/v1/patients/{id}/circle/{member}", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string& id = IdParam(req, "id");
        const MemberId member(IdParam(req, "member"));
        const int64_t version = http::IfMatchVersion(req);
        const auto body = ParseJsonObject(req.body);
        JsonInput in(body);
        in.OnlyFields({"role", "end", "referent"});
        MemberPatch patch;
        patch.role = EnumField(body, in, "role", kRoles, false);
        patch.end = TimeField(body, in, "end");
        auto referent = BoolField(body, in, "referent");
        if (referent && !*referent) in.Fail("referent", "désignez plutôt le nouveau référent (referent: true sur lui)");
        patch.referent = referent.value_or(false);
        in.Done();
        return http::Response::Json(200, patients.UpdateMember(p, id, member, version, patch));
    });

    r.Add("POST", "/api/v1/patients/{id}/circle/{member}/information", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string& id = IdParam(req, "id");
        const MemberId member(IdParam(req, "member"));
        const auto body = ParseJsonObject(req.body);
        JsonInput in(body);
        in.OnlyFields({"how", "at"});
        auto how = EnumField(body, in, "how", {"oral", "ecrit", "courrier", "autre"}, true);
        const int64_t at = TimeField(body, in, "at").value_or(NowMicros());
        if (at > NowMicros() + 300 * kMicrosPerSecond) in.Fail("at", "date dans le futur");
        in.Done();
        return http::Response::Json(200, patients.Inform(p, id, member, *how, at));
    });

    r.Add("POST", "/api/v1/patients/{id}/circle/{member}/opposition", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string& id = IdParam(req, "id");
        const MemberId member(IdParam(req, "member"));
        const auto body = ParseJsonObject(req.body);
        JsonInput in(body);
        in.OnlyFields({"how", "reason"});
        auto how = EnumField(body, in, "how", {"oral", "ecrit", "courrier", "autre"}, true);
        const std::string reason = in.OptText("reason", 1000).value_or("");
        in.Done();
        return http::Response::Json(200, patients.Oppose(p, id, member, *how, reason));
    });

    r.Add("GET", "/api/v1/patients/{id}/timeline", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        TimelineQuery q;
        q.kind = EnumParam(req, "kind", {"notebook", "alert", "circle", "identity", "access"});
        q.author = req.Query("author");
        if (!q.author.empty() && !IsUuid(q.author)) throw Invalid("author", "identifiant de compte invalide");
        q.cursor = req.Query("cursor").substr(0, 80);
        q.limit = LimitParam(req, 30, 100);
        return http::Response::Json(200, patients.Timeline(p, IdParam(req, "id"), q));
    }, worker);

    r.Add("POST", "/api/v1/patients/{id}/break-glass", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string& id = IdParam(req, "id");
        JsonInput in(req.body);
        in.OnlyFields({"reason"});
        const std::string reason = in.Text("reason", 15, 1000);
        in.Done();
        return http::Response::Json(201, patients.BreakGlass(p, id, reason));
    });

    r.Add("GET", "/api/v1/patients/{id}/access-log", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        std::optional<int64_t> before;
        if (!req.Query("before").empty()) {
            try {
                before = std::stoll(req.Query("before"));
            } catch (...) {
                throw Invalid("before", "numéro d'entrée attendu");
            }
        }
        return http::Response::Json(200, patients.AccessLog(p, IdParam(req, "id"), before, LimitParam(req, 50, 200)));
    }, worker);
}

}  // namespace cordee::patients

#include "notebook/routes.hpp"

#include "notebook/vitals.hpp"

#include "auth/http_auth.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "patients/http_input.hpp"
#include "storage/idempotency.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <sstream>

namespace cordee::notebook {
namespace {

namespace json = boost::json;
using patients::EnumField;

json::object ParseVitals(const json::object& body, JsonInput& in) {
    json::object out;
    auto it = body.find("vitals");
    if (it == body.end() || it->value().is_null()) return out;
    if (!it->value().is_object()) {
        in.Fail("vitals", "doit être un objet");
        return out;
    }
    for (const auto& kv : it->value().as_object()) {
        const VitalSign* sign = FindVitalSign(kv.key());
        const std::string field = "vitals." + std::string(kv.key());
        if (!sign) {
            in.Fail(field, "constante inconnue");
            continue;
        }
        if (kv.value().is_null()) continue;
        const bool number = kv.value().is_number();
        const double d = number ? kv.value().to_number<double>() : 0;
        if (!number || !std::isfinite(d) || d < sign->min || d > sign->max || (sign->integer && d != std::floor(d))) {
            std::ostringstream msg;
            msg << (sign->integer ? "nombre entier" : "nombre") << " entre " << sign->min << " et " << sign->max;
            in.Fail(field, msg.str());
            continue;
        }
        if (sign->integer) out[kv.key()] = static_cast<int64_t>(d);
        else out[kv.key()] = d;
    }
    return out;
}

NewEntry ParseEntry(const json::object& body, JsonInput& in, bool correction) {
    in.OnlyFields({"kind", "visibility", "body", "fact_at", "vitals", "attachments", "structure_id"});
    NewEntry e;
    e.kind = EnumField(body, in, "kind", kKinds, !correction);
    e.visibility = EnumField(body, in, "visibility", kVisibilities, !correction);
    e.body = in.Text("body", 1, 20000);
    if (auto t = patients::TimeField(body, in, "fact_at")) {
        if (*t > NowMicros() + 300 * kMicrosPerSecond) in.Fail("fact_at", "le fait ne peut pas être dans le futur");
        else if (*t < NowMicros() - 20LL * 365 * 86400 * kMicrosPerSecond) in.Fail("fact_at", "date trop ancienne");
        else e.fact_at = *t;
    }
    e.vitals = ParseVitals(body, in);
    if (auto it = body.find("attachments"); it != body.end() && !it->value().is_null()) {
        if (!it->value().is_array() || it->value().as_array().size() > 20) {
            in.Fail("attachments", "liste de 20 fichiers au plus");
        } else {
            for (const auto& v : it->value().as_array()) {
                if (!v.is_string() || !IsUuid(v.as_string())) {
                    in.Fail("attachments", "identifiant de fichier invalide");
                    break;
                }
                e.attachments.emplace_back(std::string(v.as_string()));
            }
        }
    }
    if (auto s = in.OptText("structure_id", 36); s && !s->empty()) {
        if (!IsUuid(*s)) in.Fail("structure_id", "identifiant invalide");
        e.structure_id = *s;
    }
    return e;
}

// RFC 8187 filename*: percent-encoded UTF-8, so that any name is safe in the header.
std::string DispositionName(const std::string& name) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : name) {
        if (std::isalnum(c) || c == '.' || c == '-' || c == '_') out += static_cast<char>(c);
        else out += std::string("%") + kHex[c >> 4] + kHex[c & 15];
    }
    return out;
}

}  // namespace

void RegisterRoutes(http::Router& r, NotebookService& notebook, auth::AuthService& auth) {
    r.Add("GET", "/api/v1/patients/{id}/notebook", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        ListQuery q;
        q.kind = patients::EnumParam(req, "kind", kKinds);
        q.author = req.Query("author");
        if (!q.author.empty() && !IsUuid(q.author)) throw Invalid("author", "identifiant de compte invalide");
        q.cursor = req.Query("cursor").substr(0, 80);
        q.limit = patients::LimitParam(req, 30, 100);
        return http::Response::Json(200, notebook.List(p, patients::IdParam(req, "id"), q));
    }, http::Runs::kWorker);

    r.Add("POST", "/api/v1/patients/{id}/notebook", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string& id = patients::IdParam(req, "id");
        const std::string key = storage::CheckIdempotencyKey(req.Header("idempotency-key"));
        const auto body = ParseJsonObject(req.body);
        JsonInput in(body);
        NewEntry e = ParseEntry(body, in, false);
        in.Done();
        auto [status, out] = notebook.Add(p, id, e, key);
        return http::Response{status, "application/json", out, {}};
    });

    r.Add("POST", "/api/v1/patients/{id}/notebook/{entry}/corrections", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        const std::string& id = patients::IdParam(req, "id");
        const EntryId entry(patients::IdParam(req, "entry"));
        const int64_t version = http::IfMatchVersion(req);
        const auto body = ParseJsonObject(req.body);
        JsonInput in(body);
        NewEntry e = ParseEntry(body, in, true);
        in.Done();
        return http::Response::Json(201, notebook.Correct(p, id, entry, version, e));
    });

    auto require_name = [](const http::Request& req) {
        if (req.Query("name").empty()) throw Invalid("name", "le nom du fichier est obligatoire (?name=compte-rendu.pdf)");
    };
    r.AddUpload(
        "POST", "/api/v1/patients/{id}/attachments",
        // On the request line and headers, before the body is read: a caller without a session (401) or without
        // access to the patient (404) is answered before sending its file, and the server never reads it.
        [&, require_name](const http::Request& req) {
            auto p = auth::RequireAccount(auth, req);
            const std::string& id = patients::IdParam(req, "id");
            require_name(req);
            notebook.CheckUpload(p, id);
        },
        [&, require_name](http::Request& req) {
            auto p = auth::RequireAccount(auth, req);
            const std::string& id = patients::IdParam(req, "id");
            require_name(req);
            if (static_cast<int64_t>(req.body.size()) > kMaxAttachmentBytes)
                throw Error(Problem::kPayloadTooLarge, "Un fichier joint fait 10 Mio au plus.");
            return http::Response::Json(201, notebook.Upload(p, id, req.Query("name").substr(0, 400), req.body));
        });

    r.Add("GET", "/api/v1/patients/{id}/vitals", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        return http::Response::Json(200, notebook.VitalsHistory(p, patients::IdParam(req, "id")));
    });
    r.Add("GET", "/api/v1/patients/{id}/attachments/{attachment}", [&](http::Request& req) {
        auto p = auth::RequireAccount(auth, req);
        File f = notebook.Download(p, patients::IdParam(req, "id"), AttachmentId(patients::IdParam(req, "attachment")));
        // Only images are shown in the page; everything else downloads, and nothing is sniffed or cached.
        const bool inline_ok = f.mime == "image/png" || f.mime == "image/jpeg";
        http::Response res{200, f.mime, std::move(f.bytes), {}};
        res.Header("Content-Disposition", std::string(inline_ok ? "inline" : "attachment") +
                                              "; filename*=UTF-8''" + DispositionName(f.name))
            .Header("Cache-Control", "private, no-store")
            .Header("Content-Security-Policy", "default-src 'none'; img-src 'self'; sandbox");
        return res;
    }, http::Runs::kWorker);
}

}  // namespace cordee::notebook

#include "messaging/routes.hpp"

#include "auth/http_auth.hpp"
#include "common/ids.hpp"
#include "common/json_input.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "storage/idempotency.hpp"

#include <boost/json.hpp>

namespace cordee::messaging {
namespace {

const std::string& IdOf(const http::Request& req, const std::string& name) {
    const auto& v = req.Param(name);
    if (!IsUuid(v)) throw NotFound("Conversation ou message introuvable.");
    return v;
}

std::optional<int64_t> NumberOf(const http::Request& req, const std::string& name) {
    return http::QueryNumber(req, name, "numéro de message attendu (entier positif)");
}

int LimitOf(const http::Request& req) {
    const auto n = NumberOf(req, "limit");
    if (n && (*n < 1 || *n > 200)) throw Invalid("limit", "entre 1 et 200");
    return n ? static_cast<int>(*n) : 50;
}

// A list of ids (accounts, or directory entries), absent meaning none.
std::vector<std::string> IdList(const boost::json::object& body, JsonInput& in, const char* field,
                                int most = kMaxMembers) {
    std::vector<std::string> out;
    const auto* v = body.if_contains(field);
    if (!v || v->is_null()) return out;
    if (!v->is_array() || v->as_array().size() > static_cast<size_t>(most)) {
        in.Fail(field, "liste de " + std::to_string(most) + " personnes au plus");
        return out;
    }
    for (const auto& id : v->as_array()) {
        if (!id.is_string() || !IsUuid(id.as_string())) {
            in.Fail(field, "identifiant invalide");
            break;
        }
        out.emplace_back(id.as_string());
    }
    return out;
}

}  // namespace

void RegisterRoutes(http::Router& r, MessagingService& messaging, auth::AuthService& auth) {
    r.Add("GET", "/api/v1/conversations", [&](http::Request& req) {
        return http::Response::Json(200, messaging.List(auth::RequireAccount(auth, req)));
    }, http::Runs::kWorker);

    r.Add("POST", "/api/v1/conversations", [&](http::Request& req) {
        const auto p = auth::RequireAccount(auth, req);
        const std::string key = storage::CheckIdempotencyKey(req.Header("idempotency-key"));
        const auto body = ParseJsonObject(req.body);
        JsonInput in(body);
        in.OnlyFields({"kind", "title", "member_ids", "professional_ids"});
        NewConversation c;
        c.kind = in.Text("kind", 1, 10);
        if (c.kind != "direct" && c.kind != "group") in.Fail("kind", "« direct » ou « group »");
        if (c.kind == "group") c.title = in.Text("title", 1, kMaxTitle);
        else if (in.Has("title")) in.Fail("title", "une conversation à deux n'a pas de titre");
        c.member_ids = IdList(body, in, "member_ids");
        c.professional_ids = IdList(body, in, "professional_ids");
        if (c.member_ids.empty() && c.professional_ids.empty()) in.Fail("member_ids", "choisissez au moins une personne");
        in.Done();
        auto [status, out] = messaging.Create(p, c, key);
        return http::Response{status, "application/json", out, {}};
    });

    r.Add("GET", "/api/v1/conversations/{id}", [&](http::Request& req) {
        return http::Response::Json(200, messaging.Get(auth::RequireAccount(auth, req), IdOf(req, "id")));
    }, http::Runs::kWorker);

    r.Add("GET", "/api/v1/conversations/{id}/messages", [&](http::Request& req) {
        const auto p = auth::RequireAccount(auth, req);
        const auto after = NumberOf(req, "after"), before = NumberOf(req, "before");
        if (after && before) throw Invalid("before", "after ou before, pas les deux");
        return http::Response::Json(200, messaging.Messages(p, IdOf(req, "id"), after, before, LimitOf(req)));
    }, http::Runs::kWorker);

    r.Add("POST", "/api/v1/conversations/{id}/messages", [&](http::Request& req) {
        const auto p = auth::RequireAccount(auth, req);
        const std::string& id = IdOf(req, "id");
        const auto body = ParseJsonObject(req.body);
        JsonInput in(body);
        in.OnlyFields({"id", "body", "reply_to", "visibility", "urgent_until", "mentions", "patient_id"});
        NewMessage m;
        if (auto mid = in.OptText("id", 36); mid && !mid->empty()) {
            if (!IsUuid(*mid)) in.Fail("id", "identifiant de message invalide (UUID attendu)");
            m.id = *mid;
        }
        m.body = in.Text("body", 1, kMaxBody);
        if (auto rt = in.OptText("reply_to", 36); rt && !rt->empty()) {
            if (!IsUuid(*rt)) in.Fail("reply_to", "identifiant de message invalide");
            m.reply_to = *rt;
        }
        if (auto v = in.OptText("visibility", 10)) {
            if (*v != "circle" && *v != "health") in.Fail("visibility", "« circle » ou « health »");
            m.visibility = *v;
        }
        if (auto u = in.OptText("urgent_until", 40); u && !u->empty()) {
            m.urgent_until = ParseRfc3339(*u);
            if (!m.urgent_until) in.Fail("urgent_until", "date et heure RFC 3339 attendues");
        }
        if (auto pid = in.OptText("patient_id", 36); pid && !pid->empty()) {
            if (!IsUuid(*pid)) in.Fail("patient_id", "identifiant de patient invalide");
            m.patient_id = *pid;
        }
        m.mentions = IdList(body, in, "mentions", kMaxMentions);
        in.Done();
        auto [status, out] = messaging.Send(p, id, m);
        return http::Response::Json(status, out);
    });

    r.Add("PATCH", "/api/v1/conversations/{id}/messages/{message}", [&](http::Request& req) {
        const auto p = auth::RequireAccount(auth, req);
        const int64_t version = http::IfMatchVersion(req);
        JsonInput in(req.body);
        in.OnlyFields({"body"});
        const std::string body = in.Text("body", 1, kMaxBody);
        in.Done();
        return http::Response::Json(200, messaging.Edit(p, IdOf(req, "id"), IdOf(req, "message"), body, version));
    });

    r.Add("DELETE", "/api/v1/conversations/{id}/messages/{message}", [&](http::Request& req) {
        const auto p = auth::RequireAccount(auth, req);
        const int64_t version = http::IfMatchVersion(req);
        return http::Response::Json(200, messaging.Delete(p, IdOf(req, "id"), IdOf(req, "message"), version));
    });

    // The read and delivered cursors: {"seq": the last message read, or received by a device}.
    for (const bool read : {true, false}) {
        r.Add("POST", read ? "/api/v1/conversations/{id}/read" : "/api/v1/conversations/{id}/delivered",
              [&messaging, &auth, read](http::Request& req) {
            const auto p = auth::RequireAccount(auth, req);
            const auto body = ParseJsonObject(req.body);
            JsonInput in(body);
            in.OnlyFields({"seq"});
            const auto* seq = body.if_contains("seq");
            if (!seq || !seq->is_int64() || seq->as_int64() < 0) in.Fail("seq", "numéro de message attendu");
            in.Done();
            const std::string& id = IdOf(req, "id");
            return http::Response::Json(200, read ? messaging.Read(p, id, seq->as_int64())
                                                  : messaging.Delivered(p, id, seq->as_int64()));
        });
    }

    r.Add("GET", "/api/v1/conversations/{id}/messages/{message}/receipts", [&](http::Request& req) {
        const auto p = auth::RequireAccount(auth, req);
        return http::Response::Json(200, messaging.Receipts(p, IdOf(req, "id"), IdOf(req, "message")));
    }, http::Runs::kWorker);

    r.Add("POST", "/api/v1/conversations/{id}/messages/{message}/copy", [&](http::Request& req) {
        const auto p = auth::RequireAccount(auth, req);
        auto [status, out] = messaging.CopyToNotebook(p, IdOf(req, "id"), IdOf(req, "message"));
        return http::Response{status, "application/json", out, {}};
    });

    r.Add("POST", "/api/v1/conversations/{id}/members", [&](http::Request& req) {
        const auto p = auth::RequireAccount(auth, req);
        const auto body = ParseJsonObject(req.body);
        JsonInput in(body);
        in.OnlyFields({"member_ids", "professional_ids"});
        const auto members = IdList(body, in, "member_ids");
        const auto professionals = IdList(body, in, "professional_ids");
        if (members.empty() && professionals.empty()) in.Fail("member_ids", "choisissez au moins une personne");
        in.Done();
        return http::Response::Json(200, messaging.AddMembers(p, IdOf(req, "id"), members, professionals));
    });

    r.Add("DELETE", "/api/v1/conversations/{id}/members/{account}", [&](http::Request& req) {
        const auto p = auth::RequireAccount(auth, req);
        return http::Response::Json(200, messaging.RemoveMember(p, IdOf(req, "id"), IdOf(req, "account")));
    });

    r.Add("POST", "/api/v1/patients/{id}/conversation", [&](http::Request& req) {
        const auto p = auth::RequireAccount(auth, req);
        const auto& id = req.Param("id");
        if (!IsUuid(id)) throw NotFound("Patient introuvable.");
        auto [status, out] = messaging.OpenPatient(p, id);
        return http::Response::Json(status, out);
    });

    r.Add("GET", "/api/v1/messages/search", [&](http::Request& req) {
        const auto p = auth::RequireAccount(auth, req);
        MessageFilter f;
        const std::string q = req.Query("q");
        if (q.size() > 200) throw Invalid("q", "200 caractères au plus");
        if (!IsValidUtf8(q)) throw Invalid("q", "texte UTF-8 attendu");
        for (const char* field : {"author_id", "patient_id"}) {
            const std::string v = req.Query(field);
            if (!v.empty() && !IsUuid(v)) throw Invalid(field, "identifiant invalide");
            (std::string_view(field) == "author_id" ? f.author_id : f.patient_id) = v;
        }
        for (const char* field : {"from", "to"}) {
            const std::string v = req.Query(field);
            if (v.empty()) continue;
            auto t = ParseRfc3339(v);
            if (!t) throw Invalid(field, "date et heure RFC 3339 attendues");
            (std::string_view(field) == "from" ? f.from : f.to) = t;
        }
        f.limit = LimitOf(req);
        if (q.find_first_not_of(" 	") == std::string::npos && f.author_id.empty() && f.patient_id.empty() &&
            !f.from && !f.to)
            throw Invalid("q", "des mots, une personne, un patient ou des dates à chercher");
        return http::Response::Json(200, messaging.Search(p, q, std::move(f)));
    }, http::Runs::kWorker);
}

}  // namespace cordee::messaging

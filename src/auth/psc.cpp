#include "auth/psc.hpp"

#include "audit/audit.hpp"
#include "auth/professions.hpp"
#include "auth/psc_repository.hpp"
#include "common/crypto.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "storage/change_log.hpp"

#include <boost/json.hpp>

namespace cordee::auth {
namespace json = boost::json;
namespace {

constexpr int64_t kLoginLifetime = 10 * 60 * kMicrosPerSecond;
constexpr int64_t kLinkLifetime = 30 * 60 * kMicrosPerSecond;

Error Refused(const std::string& why) {
    return Error(Problem::kSsoRefused, why);
}

Error LinkExpired() {
    return Error(Problem::kPscLinkExpired,
                 "Cette connexion Pro Santé Connect a expiré ou a déjà servi : reconnectez-vous avec Pro Santé Connect.");
}

std::string Str(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

// A claim from the userinfo when it has it (PSC's fullest answer), else from the ID token.
std::string Claim(const json::object& id, const json::object& ui, std::string_view key) {
    auto v = Str(ui, key);
    return v.empty() ? Str(id, key) : v;
}

const json::object* ObjectClaim(const json::object& id, const json::object& ui, std::string_view key) {
    for (const auto* o : {&ui, &id}) {
        auto it = o->find(key);
        if (it == o->end()) continue;
        if (it->value().is_object()) return &it->value().as_object();
    }
    return nullptr;
}

audit::Event Ev(std::string actor, std::string action, std::string target, std::string ip, std::string outcome,
                json::object detail) {
    return audit::Event{std::move(actor), std::move(action), "account", std::move(target), std::move(ip),
                        std::move(outcome), std::move(detail)};
}

PscIdentity FromJson(const json::object& o) {
    PscIdentity w;
    w.sub = Str(o, "sub");
    w.rpps = Str(o, "rpps");
    w.given_name = Str(o, "given_name");
    w.family_name = Str(o, "family_name");
    w.civility = Str(o, "civility");
    w.profession_code = Str(o, "profession_code");
    if (auto it = o.find("finess_sites"); it != o.end() && it->value().is_array())
        for (const auto& f : it->value().as_array())
            if (f.is_string()) w.finess_sites.emplace_back(f.as_string());
    return w;
}

}  // namespace

PscIdentity ReadPscClaims(const json::object& id, const json::object& ui) {
    PscIdentity w;
    w.sub = Str(id, "sub");
    const std::string national = Claim(id, ui, "SubjectNameID");
    // The RPPS national identifier: '8' then the 11-digit RPPS number (ADELI identifiers start otherwise).
    if (national.size() != 12 || national[0] != '8' || national.find_first_not_of("0123456789") != std::string::npos) {
        throw Refused("Pro Santé Connect n'a pas transmis de numéro RPPS valable (SubjectNameID).");
    }
    w.rpps = national.substr(1);
    w.given_name = Claim(id, ui, "given_name");
    w.family_name = Claim(id, ui, "family_name");
    if (const auto* ref = ObjectClaim(id, ui, "SubjectRefPro")) {
        w.civility = Str(*ref, "codeCivilite");
        if (auto ex = ref->find("exercices"); ex != ref->end() && ex->value().is_array()) {
            for (const auto& e : ex->value().as_array()) {
                if (!e.is_object()) continue;
                if (w.profession_code.empty()) w.profession_code = Str(e.as_object(), "codeProfession");
                auto acts = e.as_object().find("activities");
                if (acts == e.as_object().end() || !acts->value().is_array()) continue;
                for (const auto& a : acts->value().as_array()) {
                    if (!a.is_object()) continue;
                    const std::string finess = Str(a.as_object(), "numeroFinessSite");
                    if (finess.size() == 9 && w.finess_sites.size() < 50) w.finess_sites.push_back(finess);
                }
            }
        }
    }
    return w;
}

json::object ToJson(const PscIdentity& w) {
    json::array sites;
    for (const auto& f : w.finess_sites) sites.push_back(json::value(f));
    return {{"sub", w.sub},
            {"rpps", w.rpps},
            {"given_name", w.given_name},
            {"family_name", w.family_name},
            {"civility", w.civility},
            {"profession_code", w.profession_code},
            {"finess_sites", sites}};
}

ProSanteConnect::ProSanteConnect(storage::Database& db, AuthService& auth, const Config& cfg)
    : db_(db), auth_(auth), cfg_(cfg) {
    if (cfg.psc_issuer.empty()) return;
    client_ = std::make_unique<OidcClient>(OidcSettings{cfg.psc_issuer, cfg.psc_client_id, cfg.psc_client_secret,
                                                        cfg.PublicUrl() + "/api/v1/auth/psc/callback"});
}

PscStart ProSanteConnect::Start() {
    if (!client_) throw NotFound("Pro Santé Connect n'est pas configuré sur cette plateforme.");
    const std::string state = crypto::RandomToken(24), nonce = crypto::RandomToken(24);
    const std::string verifier = crypto::RandomToken(48);  // 64 characters, within RFC 7636's 43..128
    PscStart out;
    out.binding = crypto::RandomToken(24);
    // The URL first: an unreachable provider fails here, before anything is written.
    out.url = client_->AuthorizationUrl(state, nonce, verifier, "openid scope_all", "eidas1");
    const int64_t now = NowMicros();
    db_.Write([&](storage::Session& s) {
        repo::DeleteExpiredPscLogins(s, now);
        repo::InsertPscLogin(s, {crypto::Sha256Hex(state), crypto::Sha256Hex(out.binding), nonce, verifier, "",
                                 now + kLoginLifetime, 0, false, false},
                             now);
    });
    return out;
}

PscOutcome ProSanteConnect::Callback(const std::string& code, const std::string& state, const std::string& binding,
                                     const std::string& ip) {
    if (!client_) throw NotFound("Pro Santé Connect n'est pas configuré sur cette plateforme.");
    const int64_t now = NowMicros();
    const std::string state_hash = crypto::Sha256Hex(state);
    auto login = db_.WriteValue([&](storage::Session& s) { return repo::TakePscLogin(s, state_hash, now); });
    // State unknown, used or expired, or a callback opened in another browser than the one that started.
    if (!login || !crypto::ConstantTimeEqual(login->binding_hash, crypto::Sha256Hex(binding))) {
        db_.Write([&](storage::Session& s) {
            audit::Append(s, Ev("", "auth.psc", "", ip, "denied", {{"reason", "state"}}));
        });
        throw Refused("Cette connexion Pro Santé Connect n'est plus valable (lien déjà utilisé, expiré ou ouvert dans "
                      "un autre navigateur). Recommencez depuis la page de connexion.");
    }
    OidcTokens tokens;
    try {
        tokens = client_->Redeem(code, login->code_verifier, login->nonce);
    } catch (const Error& e) {
        db_.Write([&](storage::Session& s) {
            audit::Append(s, Ev("", "auth.psc", "", ip, "denied", {{"reason", e.detail()}}));
        });
        throw;
    }
    const PscIdentity who = ReadPscClaims(tokens.id_claims, tokens.userinfo);
    PscOutcome out;
    std::optional<Error> refusal;
    db_.Write([&](storage::Session& s) {
        const auto entry = repo::FindProfessionalByRpps(s, who.rpps);
        const auto account = repo::AccountOfPscIdentity(s, entry ? entry->id : std::string("-"), who.rpps);
        if (account && account->status == "active") {
            out.session = auth_.OpenStrongSession(s, account->id, ip, "psc");
            return;
        }
        if (account) {
            audit::Append(s, Ev(account->id, "auth.psc", account->id, ip, "denied", {{"reason", account->status}}));
            refusal = account->status == "pending_approval"
                          ? Error(Problem::kAccountPendingApproval,
                                  "Votre inscription attend la validation d'un administrateur. Vous serez prévenu par "
                                  "e-mail.")
                          : Error(Problem::kAccountDisabled, "Ce compte a été désactivé.");
            return;
        }
        out.link_token = crypto::RandomToken(32);
        repo::SetPscIdentity(s, state_hash, crypto::Sha256Hex(out.link_token), json::serialize(ToJson(who)),
                             now + kLinkLifetime);
        audit::Append(s, Ev("", "auth.psc", "", ip, "success", {{"rpps", who.rpps}, {"next", "link_or_create"}}));
    });
    if (refusal) throw *refusal;
    return out;
}

PscIdentity ProSanteConnect::PendingIdentity(storage::Session& s, const std::string& link_token) {
    if (link_token.empty()) throw LinkExpired();
    auto text = repo::PendingPscIdentity(s, crypto::Sha256Hex(link_token), NowMicros());
    if (!text) throw LinkExpired();
    return FromJson(json::parse(*text).as_object());
}

json::object ProSanteConnect::Pending(const std::string& link_token) {
    return db_.ReadValue([&](storage::Session& s) {
        const PscIdentity who = PendingIdentity(s, link_token);
        json::object out = ToJson(who);
        out.erase("sub");
        out.erase("finess_sites");
        if (auto entry = repo::FindProfessionalByRpps(s, who.rpps)) {
            out["directory"] = {{"id", entry->id},
                                {"civility", entry->civility},
                                {"first_name", entry->first_name},
                                {"last_name", entry->last_name},
                                {"profession_label", entry->profession_label},
                                {"specialty", entry->specialty}};
        } else {
            out["directory"] = nullptr;
        }
        out["structures_proven"] = static_cast<int64_t>(repo::StructuresByFiness(s, who.finess_sites).size());
        return out;
    });
}

OpenSession ProSanteConnect::Link(const Principal& p, const std::string& link_token) {
    auto out = db_.WriteValue([&](storage::Session& s) {
        const PscIdentity who = PendingIdentity(s, link_token);
        auto account = repo::FindAccountById(s, p.account_id);
        if (!account || account->status != "active") throw Unauthenticated();
        const auto entry = repo::FindProfessionalByRpps(s, who.rpps);
        if (!entry) {
            throw Error(Problem::kPscNotInDirectory,
                        "Votre numéro RPPS n'est pas encore dans l'annuaire de Cordée : votre compte ne peut pas y être "
                        "lié pour l'instant. Réessayez après la prochaine mise à jour de l'annuaire.");
        }
        // Its own local entry (no RPPS was known) gives way to the national one.
        if (!account->professional_id.empty() && account->professional_id != entry->id &&
            account->professional_link != kLinkLocal) {
            throw Duplicate("professional_id", "Votre compte est déjà lié à un autre professionnel de l'annuaire : "
                                               "prévenez l'administrateur de votre territoire.");
        }
        if (account->professional_id != entry->id && repo::ProfessionalHeldByActiveAccount(s, entry->id)) {
            throw Duplicate("professional_id", "Un autre compte Cordée est lié à votre fiche de l'annuaire : prévenez "
                                               "l'administrateur de votre territoire, qui désactivera le compte en trop.");
        }
        if (!repo::ConsumePscIdentity(s, crypto::Sha256Hex(link_token), NowMicros())) throw LinkExpired();
        // The directory says who they are, now that PSC proved it.
        repo::TakeDirectoryIdentity(s, p.account_id, *entry);
        repo::ProveProfessionalLink(s, p.account_id, entry->id, kLinkPsc);
        audit::Append(s, Ev(p.account_id, "auth.psc_link", p.account_id, p.ip, "success",
                            {{"professional_id", entry->id}, {"rpps", who.rpps}}));
        storage::AppendChange(s, {"account", p.account_id, "update", p.account_id, "{}"});
        return auth_.OpenStrongSession(s, p.account_id, p.ip, "psc");
    });
    auth_.ForgetAccount(p.account_id);
    return out;
}

PscRegistered ProSanteConnect::Register(const std::string& link_token, const PscRegistration& in, const std::string& ip) {
    PscRegistered out;
    std::string created;
    db_.Write([&](storage::Session& s) {
        const PscIdentity who = PendingIdentity(s, link_token);
        if (repo::FindAccountByEmail(s, in.email)) {
            // The person is identified by PSC: telling them this address has an account reveals nothing to a stranger.
            throw Duplicate("email", "Un compte Cordée utilise déjà cette adresse : choisissez « J'ai déjà un compte ».");
        }
        if (!in.structure_id.empty() && !repo::StructureOpen(s, in.structure_id)) {
            throw Invalid("structure_id", "structure inconnue");
        }
        const auto entry = repo::FindProfessionalByRpps(s, who.rpps);
        if (entry && repo::ProfessionalHeldByActiveAccount(s, entry->id)) {
            throw Duplicate("professional_id", "Un compte Cordée est déjà lié à votre fiche de l'annuaire : "
                                               "choisissez « J'ai déjà un compte ».");
        }
        if (!repo::ConsumePscIdentity(s, crypto::Sha256Hex(link_token), NowMicros())) throw LinkExpired();
        Account a;
        a.id = NewUuidV7();
        a.email = in.email;
        a.phone = in.phone;
        a.rpps = who.rpps;
        a.role = kProfessional;
        // No password: this account signs in with Pro Santé Connect only (a password reset cannot add one).
        a.password_hash = "";
        if (entry) {
            a.first_name = entry->first_name;
            a.last_name = entry->last_name;
            a.profession_code = entry->profession_code;
            a.profession_label = entry->profession_label;
            a.specialty = entry->specialty;
            a.professional_id = entry->id;
        } else {
            a.first_name = who.given_name;
            a.last_name = who.family_name;
            a.profession_code = who.profession_code;
            a.profession_label = std::string(RppsProfessionLabel(who.profession_code));
        }
        a.professional_link = kLinkPsc;
        const auto proven = repo::StructuresByFiness(s, who.finess_sites);
        // Without a structure PSC proves, someone must approve: the applicant names the structure whose
        // administrator will (an account waiting for no one would wait forever).
        if (proven.empty() && in.structure_id.empty() && in.proposal_name.empty()) {
            throw Invalid("structure_id", "choisissez votre structure, ou proposez-la si elle n'est pas dans la liste");
        }
        a.status = !proven.empty() ? "active" : "pending_approval";
        repo::InsertAccount(s, a);
        for (const auto& st : proven) repo::LinkStructure(s, a.id, st, "member");
        std::string structure_id = in.structure_id;
        if (structure_id.empty() && !in.proposal_name.empty()) {
            structure_id = NewUuidV7();
            repo::InsertProposedStructure(s, structure_id, in.proposal_name, in.proposal_commune, a.id);
        }
        if (!structure_id.empty() && std::find(proven.begin(), proven.end(), structure_id) == proven.end()) {
            repo::LinkStructure(s, a.id, structure_id, "member");
        }
        audit::Append(s, Ev(a.id, "enrolment.psc", a.id, ip, "success",
                            {{"rpps", who.rpps}, {"status", a.status}, {"structures_proven", proven.size()}}));
        storage::AppendChange(s, {"account", a.id, "create", "enrolments", "{}"});
        out.status = a.status;
        created = a.id;
        if (a.status == "active") out.session = auth_.OpenStrongSession(s, a.id, ip, "psc");
    });
    return out;
}

}  // namespace cordee::auth

#include "auth/service.hpp"

#include "audit/audit.hpp"
#include "auth/professions.hpp"
#include "auth/totp.hpp"
#include "common/crypto.hpp"
#include "common/errors.hpp"
#include "common/ids.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "storage/change_log.hpp"

#include <boost/json.hpp>

namespace cordee::auth {
namespace {

constexpr int64_t kPendingLifetime = 10 * 60 * kMicrosPerSecond;
constexpr int64_t kThrottleWindow = 15 * 60 * kMicrosPerSecond;
constexpr int64_t kMaxFailuresPerAccount = 5;
constexpr int64_t kMaxFailuresPerAddress = 50;
constexpr int64_t kConfirmLifetime = 48 * 3600 * kMicrosPerSecond;
constexpr int64_t kResetLifetime = 3600 * kMicrosPerSecond;

Error InvalidCredentials() {
    return Error(Problem::kInvalidCredentials, "L'adresse e-mail ou le mot de passe est incorrect.");
}
Error InvalidCode() {
    return Error(Problem::kInvalidCode, "Le code saisi est incorrect ou a expiré. Saisissez le code affiché maintenant par votre application.");
}
Error InvalidToken() {
    return Error(Problem::kInvalidToken, "Ce lien n'est pas valide ou a déjà servi. Demandez-en un nouveau.");
}

std::string DummyHash() {
    // Unknown emails are checked against this hash so that they take as long as known ones.
    static const std::string h = crypto::HashPassword("cordee-timing-equaliser");
    return h;
}

std::string NormalizeRecoveryCode(const std::string& code) { return AsciiLower(Trim(code)); }

std::string NewRecoveryCode() {
    const std::string b = AsciiLower(crypto::Base32Encode(crypto::RandomBytes(7)));
    return b.substr(0, 5) + "-" + b.substr(5, 5);
}

audit::Event Ev(std::string actor, std::string action, std::string target_id, std::string ip,
                std::string outcome = "success", boost::json::object detail = {}) {
    return audit::Event{std::move(actor), std::move(action), "account", std::move(target_id),
                        std::move(ip), std::move(outcome), std::move(detail)};
}

Account NewRecord(const Identity& id, const std::string& password_hash, const std::string& role,
                  const std::string& status) {
    Account a;
    a.id = NewUuidV7();
    a.email = id.email;
    a.password_hash = password_hash;
    a.first_name = id.first_name;
    a.last_name = id.last_name;
    a.profession_code = id.profession_code;
    a.profession_label = id.profession_label;
    a.specialty = id.specialty;
    a.rpps = id.rpps;
    a.phone = id.phone;
    a.role = role;
    a.status = status;
    return a;
}

boost::json::value ClaimedJson(const Account& a) {
    if (!a.claimed) return nullptr;
    const auto& e = *a.claimed;
    return boost::json::object{{"id", e.id},
                               {"rpps", e.rpps},
                               {"civility", e.civility},
                               {"first_name", e.first_name},
                               {"last_name", e.last_name},
                               {"profession_code", e.profession_code},
                               {"profession_label", e.profession_label},
                               {"specialty", e.specialty}};
}

// Every active account is in the directory, so that colleagues find it by name (docs/directory.md, "Local
// entries"): one without a national entry gets a local one; the change log brings it into search.
void ListInDirectory(storage::Session& s, const std::string& account_id) {
    if (repo::GiveLocalEntry(s, account_id, NowMicros()))
        storage::AppendChange(s, {"professional", account_id, "create", "directory", "{}"});
}

}  // namespace

bool IsRole(const std::string& r) {
    return r == kProfessional || r == kCoordinator || r == kStructureAdmin || r == kOperator;
}

boost::json::object ToJson(const Account& a) {
    boost::json::array structures;
    for (const auto& s : a.structures)
        structures.push_back({{"id", s.id}, {"name", s.name}, {"role", s.role}, {"proposed", s.proposed}});
    auto opt = [](const std::string& v) -> boost::json::value {
        if (v.empty()) return nullptr;
        return boost::json::value(v);
    };
    return {{"id", a.id},
            {"email", a.email},
            {"first_name", a.first_name},
            {"last_name", a.last_name},
            {"role", a.role},
            {"status", a.status},
            {"profession_code", a.profession_code},
            {"profession_label", a.profession_label},
            {"specialty", opt(a.specialty)},
            {"rpps", opt(a.rpps)},
            {"phone", opt(a.phone)},
            {"structures", structures},
            {"created_at", FormatRfc3339(a.created_at)},
            {"professional_id", opt(a.professional_id)},
            {"professional_link", opt(a.professional_link)},
            {"claimed_professional", ClaimedJson(a)},
            {"declared", a.declared.empty() ? boost::json::value(nullptr) : boost::json::parse(a.declared)},
            {"version", a.version}};
}

AuthService::AuthService(storage::Database& db, mail::Dispatcher* mailer, const Config& cfg)
    : db_(db), mailer_(mailer), cfg_(cfg), cache_(cfg.SessionCacheMicros()),
      // Written every second, or an eighth of the idle time-out when it is shorter: a touch always lands long
      // before the session could look idle.
      touches_(db, std::chrono::milliseconds(std::clamp<int64_t>(cfg.session_idle_seconds * 1000 / 8, 50, 1000)),
               [this](const std::vector<std::string>& hashes) {
                   for (const auto& h : hashes) cache_.ForgetSession(h);
               }) {}

void AuthService::Mail(storage::Session& s, const std::string& to, const std::string& subject, const std::string& body) {
    mail::Enqueue(s, {to, subject,
                      body + "\n\n-- \nCordée, la plateforme de coordination de votre territoire.\n"
                             "Ce message est automatique : merci de ne pas y répondre."});
}

std::pair<std::string, std::string> AuthService::NewSession(storage::Session& s, const std::string& account_id,
                                                            const std::string& stage, int64_t lifetime) {
    const std::string token = crypto::RandomToken(32), csrf = crypto::RandomToken(18);
    const int64_t now = NowMicros();
    repo::InsertSession(s, {crypto::Sha256Hex(token), account_id, stage, csrf, now, now, now + lifetime, "", "", ""});
    return {token, csrf};
}

OpenSession AuthService::OpenStrongSession(storage::Session& s, const std::string& account_id, const std::string& ip,
                                           const std::string& how) {
    OpenSession out;
    std::tie(out.token, out.csrf_token) = NewSession(s, account_id, "full", cfg_.session_absolute_seconds * kMicrosPerSecond);
    out.account = *repo::FindAccountById(s, account_id);
    audit::Append(s, Ev(account_id, "auth." + how, account_id, ip));
    return out;
}

bool AuthService::SessionUsable(const repo::SessionRow& row) const {
    const int64_t now = NowMicros();
    const int64_t idle = cfg_.session_idle_seconds * kMicrosPerSecond;
    return now <= row.expires_at && (now - row.last_seen_at <= idle || now - LastSeen(row) <= idle) &&
           row.stage == "full" && row.status == "active";
}

int64_t AuthService::LastSeen(const repo::SessionRow& row) const {
    const auto pending = touches_.Pending(row.token_hash);
    return pending ? std::max(*pending, row.last_seen_at) : row.last_seen_at;
}

Principal AuthService::PrincipalOf(const repo::SessionRow& row, const Credentials& c) {
    return Principal{row.account_id, row.email, row.role, row.token_hash, row.csrf_token, c.ip};
}

Principal AuthService::Authenticate(const Credentials& c) {
    if (c.token.empty()) throw Unauthenticated();
    const std::string hash = crypto::Sha256Hex(c.token);
    const int64_t now = NowMicros();
    if (auto hit = cache_.Get(hash, now)) return CheckSession(hit->row, c);
    const uint64_t generation = cache_.Generation();
    auto row = db_.ReadValue([&](storage::Session& s) { return repo::FindSession(s, hash); });
    if (row && SessionUsable(*row)) cache_.Put(generation, {*row, std::nullopt, now});
    return CheckSession(row, c);
}

Principal AuthService::CheckSession(const std::optional<repo::SessionRow>& row, const Credentials& c) {
    if (c.token.empty()) throw Unauthenticated();
    if (!row) throw Unauthenticated("Votre session n'existe pas ou est terminée. Connectez-vous.");
    const std::string& hash = row->token_hash;
    const int64_t now = NowMicros();
    const int64_t idle = cfg_.session_idle_seconds * kMicrosPerSecond;
    if (now > row->expires_at || (now - row->last_seen_at > idle && now - LastSeen(*row) > idle)) {
        // Refused now; the row is deleted by the touches' batch (no durable write on a GET).
        touches_.Expire(hash);
        cache_.ForgetSession(hash);
        throw Error(Problem::kSessionExpired,
                    "Votre session a expiré par sécurité. Connectez-vous de nouveau.");
    }
    if (row->stage != "full") {
        throw Error(Problem::kSecondFactorRequired,
                    "Saisissez d'abord le code de votre application d'authentification.");
    }
    if (row->status != "active") {
        throw Error(Problem::kAccountDisabled, "Ce compte n'est pas actif.");
    }
    Principal p = PrincipalOf(*row, c);
    if (c.from_cookie && c.unsafe_method && !crypto::ConstantTimeEqual(c.csrf_header, row->csrf_token)) {
        db_.Write([&](storage::Session& s) {
            audit::Append(s, Ev(p.account_id, "auth.csrf", p.account_id, c.ip, "denied"));
        });
        throw Error(Problem::kCsrf,
                    "La requête ne vient pas de l'application Cordée (jeton anti-falsification absent ou faux).");
    }
    // Sliding idle time-out, written at most every minute (or quarter of the time-out) per session, by the
    // touches' batch (auth/session_touches.hpp): the request does not wait for it.
    if (now - row->last_seen_at > std::min<int64_t>(60 * kMicrosPerSecond, idle / 4)) touches_.Touch(hash, now);
    return p;
}

void AuthService::CheckThrottle(storage::Session& s, const std::string& email, const std::string& ip) {
    // Always in this order ("acct:" < "ip:"), so that two transactions never wait for each other's lock.
    repo::LockThrottleKey(s, "acct:" + email);
    repo::LockThrottleKey(s, "ip:" + ip);
    const int64_t since = NowMicros() - kThrottleWindow;
    for (const auto& [key, limit] : {std::pair{"acct:" + email, kMaxFailuresPerAccount},
                                     std::pair{"ip:" + ip, kMaxFailuresPerAddress}}) {
        const auto [count, oldest] = repo::Failures(s, key, since);
        if (count >= limit) {
            const int64_t retry = (oldest + kThrottleWindow - NowMicros()) / kMicrosPerSecond + 1;
            throw TooManyAttempts(static_cast<int>(std::max<int64_t>(retry, 1)));
        }
    }
}

PendingLogin AuthService::Login(const std::string& email, const std::string& password, const std::string& ip) {
    // The throttle check and the record of this attempt are one write: concurrent guesses cannot all pass the
    // check before any of them is counted. The attempt counts as a failure until the password proves right.
    std::optional<Account> account;
    std::vector<int64_t> attempt;
    db_.Write([&](storage::Session& s) {
        CheckThrottle(s, email, ip);
        const int64_t now = NowMicros();
        attempt = {repo::InsertAttempt(s, "acct:" + email, now), repo::InsertAttempt(s, "ip:" + ip, now)};
        account = repo::FindAccountByEmail(s, email);
    });
    const bool ok = crypto::VerifyPassword(account ? account->password_hash : DummyHash(), password) && account;
    std::optional<Error> refusal;
    PendingLogin out;
    db_.Write([&](storage::Session& s) {
        if (!ok) {
            audit::Append(s, Ev(account ? account->id : "", "auth.login", account ? account->id : "", ip, "failure",
                                {{"reason", "bad_password"}, {"email", email}}));
            refusal = InvalidCredentials();
            return;
        }
        for (const int64_t id : attempt) repo::DeleteAttempt(s, id);
        const std::string& st = account->status;
        if (st == "pending_email") {
            refusal = Error(Problem::kEmailNotConfirmed,
                            "Ouvrez le lien reçu par e-mail pour confirmer votre adresse.");
        } else if (st == "pending_approval") {
            refusal = Error(Problem::kAccountPendingApproval,
                            "Votre inscription attend la validation d'un administrateur. Vous serez prévenu par e-mail.");
        } else if (st == "rejected") {
            refusal = Error(Problem::kAccountRejected,
                            "Votre inscription a été refusée. Motif : " + account->rejection_reason);
        } else if (st == "disabled") {
            refusal = Error(Problem::kAccountDisabled, "Ce compte a été désactivé.");
        }
        if (refusal) {
            audit::Append(s, Ev(account->id, "auth.login", account->id, ip, "denied", {{"reason", st}}));
            return;
        }
        out.next = (st == "active" && account->totp_enabled) ? "totp" : "totp_enrol";
        std::tie(out.token, out.csrf_token) =
            NewSession(s, account->id, out.next == "totp" ? "totp" : "enrol", kPendingLifetime);
        audit::Append(s, Ev(account->id, "auth.password", account->id, ip));
    });
    if (refusal) throw *refusal;
    return out;
}

repo::SessionRow AuthService::RequireStage(const Credentials& c, const std::string& stage) {
    if (c.token.empty()) throw Unauthenticated();
    auto row = db_.ReadValue([&](storage::Session& s) { return repo::FindSession(s, crypto::Sha256Hex(c.token)); });
    if (!row || row->stage != stage || NowMicros() > row->expires_at) {
        throw Unauthenticated("Cette étape de connexion a expiré ou n'est pas la bonne. Recommencez la connexion.");
    }
    if (c.from_cookie && c.unsafe_method && !crypto::ConstantTimeEqual(c.csrf_header, row->csrf_token)) {
        throw Error(Problem::kCsrf, "Jeton anti-falsification absent ou faux.");
    }
    return *row;
}

OpenSession AuthService::CompleteTotp(const Credentials& c, const std::string& code) {
    const auto pending = RequireStage(c, "totp");
    std::optional<Error> refusal;
    OpenSession out;
    db_.Write([&](storage::Session& s) {
        CheckThrottle(s, pending.email, c.ip);
        auto account = repo::FindAccountById(s, pending.account_id);
        if (!account || account->status != "active") throw Unauthenticated();
        const int64_t now = NowMicros();
        bool accepted = false;
        std::string method = "totp";
        if (code.size() > 6) {
            method = "recovery_code";
            const std::string code_hash = crypto::Sha256Hex(NormalizeRecoveryCode(code));
            accepted = repo::UseRecoveryCode(s, account->id, code_hash, now);
            if (!accepted && repo::RecoveryCodeExists(s, account->id, code_hash)) {
                refusal = Error(Problem::kCodeAlreadyUsed,
                                "Ce code de secours a déjà servi : chaque code ne sert qu'une fois.");
            } else if (!accepted) {
                refusal = InvalidCode();
            }
        } else if (auto step = MatchTotp(account->totp_secret, code, now / kMicrosPerSecond)) {
            accepted = repo::UseTotpStep(s, account->id, *step);
            if (!accepted) {
                refusal = Error(Problem::kCodeAlreadyUsed,
                                "Ce code a déjà servi. Attendez le code suivant de votre application.");
            }
        } else {
            refusal = InvalidCode();
        }
        if (!accepted) {
            repo::InsertFailure(s, "acct:" + account->email, now);
            audit::Append(s, Ev(account->id, "auth.totp", account->id, c.ip, "failure", {{"method", method}}));
            return;
        }
        repo::ClearFailures(s, "acct:" + account->email);
        repo::DeleteSession(s, pending.token_hash);
        // A new token at the second factor: a token seen before it can never become a full session.
        std::tie(out.token, out.csrf_token) =
            NewSession(s, account->id, "full", cfg_.session_absolute_seconds * kMicrosPerSecond);
        audit::Append(s, Ev(account->id, "auth.login", account->id, c.ip, "success", {{"method", method}}));
        out.account = *account;
    });
    cache_.ForgetAccount(pending.account_id);
    if (refusal) throw *refusal;
    return out;
}

std::pair<std::string, std::string> AuthService::BeginTotpEnrolment(const Credentials& c) {
    const auto pending = RequireStage(c, "enrol");
    auto out = db_.WriteValue([&](storage::Session& s) {
        auto account = repo::FindAccountById(s, pending.account_id);
        if (!account) throw Unauthenticated();
        std::string secret = account->totp_secret;
        if (secret.empty() || account->totp_enabled) {
            secret = NewTotpSecret();
            repo::SetTotp(s, account->id, secret, false, 0);
        }
        return std::pair{secret, OtpauthUri(secret, account->email)};
    });
    cache_.ForgetAccount(pending.account_id);
    return out;
}

Enrolled AuthService::FinishTotpEnrolment(const Credentials& c, const std::string& code) {
    const auto pending = RequireStage(c, "enrol");
    std::optional<Error> refusal;
    Enrolled out;
    db_.Write([&](storage::Session& s) {
        CheckThrottle(s, pending.email, c.ip);
        auto account = repo::FindAccountById(s, pending.account_id);
        if (!account) throw Unauthenticated();
        if (account->totp_secret.empty()) {
            refusal = Error(Problem::kConflict, "Affichez d'abord le QR code à scanner.");
            return;
        }
        auto step = MatchTotp(account->totp_secret, code, NowMicros() / kMicrosPerSecond);
        if (!step) {
            repo::InsertFailure(s, "acct:" + account->email, NowMicros());
            audit::Append(s, Ev(account->id, "auth.totp_enrol", account->id, c.ip, "failure"));
            refusal = InvalidCode();
            return;
        }
        repo::SetTotp(s, account->id, account->totp_secret, true, *step);
        std::vector<std::string> hashes;
        for (int i = 0; i < 10; ++i) {
            out.recovery_codes.push_back(NewRecoveryCode());
            hashes.push_back(crypto::Sha256Hex(out.recovery_codes.back()));
        }
        repo::ReplaceRecoveryCodes(s, account->id, hashes);
        repo::DeleteSession(s, pending.token_hash);
        repo::ClearFailures(s, "acct:" + account->email);
        if (account->status == "pending_totp") {
            repo::SetStatus(s, account->id, "pending_approval", "", "");
            out.status = "pending_approval";
        } else {
            out.status = account->status;
        }
        audit::Append(s, Ev(account->id, "auth.totp_enrol", account->id, c.ip));
        if (out.status == "active") {
            OpenSession os;
            std::tie(os.token, os.csrf_token) =
                NewSession(s, account->id, "full", cfg_.session_absolute_seconds * kMicrosPerSecond);
            os.account = *repo::FindAccountById(s, account->id);
            audit::Append(s, Ev(account->id, "auth.login", account->id, c.ip, "success", {{"method", "totp_enrol"}}));
            out.session = std::move(os);
        }
    });
    cache_.ForgetAccount(pending.account_id);
    if (refusal) throw *refusal;
    return out;
}

void AuthService::Logout(const Credentials& c) {
    if (c.token.empty()) return;
    const std::string hash = crypto::Sha256Hex(c.token);
    db_.Write([&](storage::Session& s) {
        auto row = repo::FindSession(s, hash);
        if (!row) return;
        if (c.from_cookie && !crypto::ConstantTimeEqual(c.csrf_header, row->csrf_token)) {
            throw Error(Problem::kCsrf, "Jeton anti-falsification absent ou faux.");
        }
        repo::DeleteSession(s, hash);
        if (session_end_.one) session_end_.one(s, hash);
        audit::Append(s, Ev(row->account_id, "auth.logout", row->account_id, c.ip));
    });
    cache_.ForgetSession(hash);
}

void AuthService::LogoutEverywhere(const Principal& p) {
    db_.Write([&](storage::Session& s) {
        const int64_t n = repo::DeleteSessionsOf(s, p.account_id);
        if (session_end_.all) session_end_.all(s, p.account_id);
        audit::Append(s, Ev(p.account_id, "auth.logout_all", p.account_id, p.ip, "success", {{"sessions", n}}));
    });
    cache_.ForgetAccount(p.account_id);
}

void AuthService::RequestPasswordReset(const std::string& email, const std::string& ip) {
    db_.Write([&](storage::Session& s) {
        auto account = repo::FindAccountByEmail(s, email);
        // At most 3 links an hour per address: no one can flood a mailbox through us.
        const auto [recent, oldest] = repo::Failures(s, "reset:" + email, NowMicros() - 3600 * kMicrosPerSecond);
        // An account made through Pro Santé Connect has no password, and a reset must not give it one.
        if (!account || recent >= 3 || account->status == "pending_email" || account->password_hash.empty()) {
            audit::Append(s, Ev("", "auth.password_reset_request", account ? account->id : "", ip, "denied",
                                {{"email", email}}));
            return;
        }
        repo::InsertFailure(s, "reset:" + email, NowMicros());
        const std::string token = crypto::RandomToken(32);
        repo::InsertToken(s, crypto::Sha256Hex(token), account->id, "password_reset", NowMicros() + kResetLifetime);
        Mail(s, email, "Cordée : réinitialisation de votre mot de passe",
             "Bonjour " + account->first_name + ",\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable "
             "une heure, une seule fois) :\n" + cfg_.PublicUrl() + "/reinitialiser?jeton=" + token +
             "\n\nSi vous n'avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.");
        audit::Append(s, Ev(account->id, "auth.password_reset_request", account->id, ip));
    });
    if (mailer_) mailer_->Poke();
}

void AuthService::ResetPassword(const std::string& token, const std::string& password, const std::string& ip) {
    const std::string token_hash = crypto::Sha256Hex(token);
    // Check the token before the (slow) hashing so that random tokens cost us nothing.
    const bool exists = db_.ReadValue([&](storage::Session& s) {
        return repo::TokenUsable(s, token_hash, "password_reset", NowMicros());
    });
    if (!exists) throw InvalidToken();
    const std::string hash = crypto::HashPassword(password);
    bool ok = false;
    std::string reset_account;
    db_.Write([&](storage::Session& s) {
        auto account_id = repo::ConsumeToken(s, token_hash, "password_reset", NowMicros());
        if (!account_id) return;
        ok = true;
        reset_account = *account_id;
        repo::SetPassword(s, *account_id, hash);
        repo::DeleteSessionsOf(s, *account_id);
        auto account = repo::FindAccountById(s, *account_id);
        repo::ClearFailures(s, "acct:" + account->email);
        audit::Append(s, Ev(*account_id, "auth.password_reset", *account_id, ip));
        Mail(s, account->email, "Cordée : votre mot de passe a été changé",
             "Bonjour " + account->first_name + ",\n\nLe mot de passe de votre compte Cordée vient d'être changé et "
             "toutes vos sessions ont été fermées.\nSi ce n'est pas vous, prévenez immédiatement l'administrateur "
             "de votre territoire.");
    });
    if (!ok) throw InvalidToken();
    cache_.ForgetAccount(reset_account);
    if (mailer_) mailer_->Poke();
}

std::optional<Error> AuthService::CheckSignUp(storage::Session& s, const SignUp& in, Account& a) {
    if (!in.structure_id.empty() && !repo::StructureOpen(s, in.structure_id)) {
        return Invalid("structure_id", "structure inconnue");
    }
    if (!in.rpps.empty()) {
        // A typed RPPS number proves nothing (it is public): names and profession are the directory's, and the
        // entry stays a claim that gives no access until an approver confirms it (or a PSC login proves it).
        auto entry = repo::FindProfessionalByRpps(s, in.rpps);
        if (!entry) {
            return Invalid("rpps", "Ce numéro RPPS n'est pas dans l'annuaire national de Cordée : vérifiez-le. Si votre "
                                   "inscription au RPPS est toute récente, connectez-vous avec Pro Santé Connect.");
        }
        if (repo::ProfessionalHeldByActiveAccount(s, entry->id)) {
            return Duplicate("rpps", "Ce numéro RPPS est déjà celui d'un compte Cordée actif. Si c'est le vôtre, "
                                     "connectez-vous (ou choisissez « Mot de passe oublié »). Sinon, connectez-vous avec "
                                     "Pro Santé Connect, qui prouve votre identité, et prévenez l'administrateur de "
                                     "votre territoire.");
        }
        a.declared = boost::json::serialize(boost::json::object{{"first_name", in.first_name},
                                                                {"last_name", in.last_name},
                                                                {"profession_code", in.profession_code},
                                                                {"profession_label", in.profession_label}});
        a.first_name = entry->first_name;
        a.last_name = entry->last_name;
        a.profession_code = entry->profession_code;
        a.profession_label = entry->profession_label;
        if (a.specialty.empty()) a.specialty = entry->specialty;
        a.claimed_professional_id = entry->id;
        return std::nullopt;
    }
    const auto* profession = SelfDeclaredProfession(in.profession_code);
    if (!profession) {
        if (IsRppsProfession(in.profession_code)) {
            return Invalid("rpps", "Pour cette profession de santé, indiquez votre numéro RPPS (ou connectez-vous avec "
                                   "Pro Santé Connect) : la profession est reprise de l'annuaire national.");
        }
        return Invalid("profession_code", in.profession_code.empty() ? "choisissez votre profession" : "profession inconnue");
    }
    if (profession->code == "AUTRE" && in.profession_label.empty()) {
        return Invalid("profession_label", "précisez votre profession");
    }
    a.profession_code = std::string(profession->code);
    a.profession_label = profession->code == "AUTRE" ? in.profession_label : std::string(profession->label);
    return std::nullopt;
}

void AuthService::Register(const SignUp& in, const std::string& ip) {
    // Sign-ups send emails: bounded per address (20 an hour), so that no one can use us to flood mailboxes.
    db_.Read([&](storage::Session& s) {
        const auto [recent, oldest] = repo::Failures(s, "signup-ip:" + ip, NowMicros() - 3600 * kMicrosPerSecond);
        if (recent >= 20) throw TooManyAttempts(static_cast<int>((oldest + 3600 * kMicrosPerSecond - NowMicros()) / kMicrosPerSecond + 1));
    });
    const std::string hash = crypto::HashPassword(in.password);
    std::optional<Error> refusal;
    db_.Write([&](storage::Session& s) {
        repo::InsertFailure(s, "signup-ip:" + ip, NowMicros());
        Account a = NewRecord(in, hash, kProfessional, "pending_email");
        // Everything else is checked before the email, so that the answer never tells whether it has an account.
        if ((refusal = CheckSignUp(s, in, a))) return;
        if (auto existing = repo::FindAccountByEmail(s, in.email)) {
            // Same answer as a new sign-up (no account enumeration); the owner is told by email.
            Mail(s, in.email, "Cordée : vous avez déjà un compte",
                 "Bonjour,\n\nQuelqu'un (peut-être vous) a voulu créer un compte Cordée avec cette adresse, qui en a "
                 "déjà un. Pour vous connecter : " + cfg_.PublicUrl() + "/connexion\nMot de passe oublié : " +
                 cfg_.PublicUrl() + "/mot-de-passe-oublie");
            audit::Append(s, Ev("", "enrolment.signup", existing->id, ip, "denied", {{"reason", "email_taken"}}));
            return;
        }
        repo::InsertAccount(s, a);
        std::string structure_id = in.structure_id;
        if (structure_id.empty() && !in.proposal_name.empty()) {
            structure_id = NewUuidV7();
            repo::InsertProposedStructure(s, structure_id, in.proposal_name, in.proposal_commune, a.id);
        }
        if (!structure_id.empty()) repo::LinkStructure(s, a.id, structure_id, "member");
        const std::string token = crypto::RandomToken(32);
        repo::InsertToken(s, crypto::Sha256Hex(token), a.id, "confirm_email", NowMicros() + kConfirmLifetime);
        Mail(s, a.email, "Cordée : confirmez votre adresse e-mail",
             "Bonjour " + a.first_name + ",\n\nPour confirmer votre adresse et poursuivre votre inscription, ouvrez ce "
             "lien (valable 48 heures) :\n" + cfg_.PublicUrl() + "/confirmer?jeton=" + token +
             "\n\nVous configurerez ensuite la double authentification, puis un administrateur validera votre compte.");
        audit::Append(s, Ev(a.id, "enrolment.signup", a.id, ip, "success",
                            {{"structure_id", structure_id}, {"proposed", !in.proposal_name.empty()},
                             {"claimed_professional_id", a.claimed_professional_id}}));
        storage::AppendChange(s, {"account", a.id, "create", "enrolments", "{}"});
    });
    if (refusal) throw *refusal;
    if (mailer_) mailer_->Poke();
}

PendingLogin AuthService::ConfirmEmail(const std::string& token, const std::string& ip) {
    std::optional<Error> refusal;
    std::string confirmed_account;
    PendingLogin out;
    db_.Write([&](storage::Session& s) {
        auto account_id = repo::ConsumeToken(s, crypto::Sha256Hex(token), "confirm_email", NowMicros());
        if (!account_id) {
            refusal = InvalidToken();
            return;
        }
        confirmed_account = *account_id;
        repo::MarkEmailConfirmed(s, *account_id, NowMicros());
        out.next = "totp_enrol";
        std::tie(out.token, out.csrf_token) = NewSession(s, *account_id, "enrol", kPendingLifetime);
        audit::Append(s, Ev(*account_id, "enrolment.confirm_email", *account_id, ip));
    });
    if (!confirmed_account.empty()) cache_.ForgetAccount(confirmed_account);
    if (refusal) throw *refusal;
    return out;
}

std::vector<Account> AuthService::Enrolments(const Principal& p, const std::string& status) {
    if (p.role != kOperator && p.role != kStructureAdmin) throw Forbidden("Réservé aux administrateurs.");
    repo::EnrolmentFilter f;
    f.status = status.empty() ? "pending_approval" : status;
    if (p.role == kStructureAdmin) f.admin_of = p.account_id;
    return db_.ReadValue([&](storage::Session& s) { return repo::ListEnrolments(s, f, 200); });
}

int64_t AuthService::PendingEnrolmentCount(const Principal& p) {
    if (p.role != kOperator && p.role != kStructureAdmin) return 0;
    return db_.ReadValue([&](storage::Session& s) {
        return repo::CountPendingEnrolments(s, p.role == kOperator ? "" : p.account_id);
    });
}

Account AuthService::Decide(const Principal& p, const std::string& id, const std::string& verb,
                            const std::function<void(storage::Session&, const Account&)>& decision) {
    auto out = db_.WriteValue([&](storage::Session& s) {
        auto a = repo::FindAccountById(s, id);
        if (!a) throw NotFound("Cette inscription n'existe pas.");
        const bool allowed = p.role == kOperator || (p.role == kStructureAdmin && repo::SharesAdminStructure(s, p.account_id, id));
        if (!allowed) throw Forbidden("Vous ne pouvez " + verb + " que les inscriptions de vos structures.");
        if (a->status != "pending_approval") {
            throw Conflict("Cette inscription n'est pas en attente de validation.", ToJson(*a));
        }
        decision(s, *a);
        auto updated = *repo::FindAccountById(s, id);
        storage::AppendChange(s, {"account", id, "update", "enrolments", boost::json::serialize(ToJson(updated))});
        return updated;
    });
    cache_.ForgetAccount(id);
    if (mailer_) mailer_->Poke();
    return out;
}

Account AuthService::Approve(const Principal& p, const std::string& id, const std::string& role,
                             std::optional<bool> confirm_professional) {
    if (role == kOperator && p.role != kOperator) throw Forbidden("Seul un opérateur peut nommer un opérateur.");
    return Decide(p, id, "valider", [&](storage::Session& s, const Account& a) {
        std::string link = "none";
        if (!a.claimed_professional_id.empty()) {
            // The approver looked at the directory entry beside what was typed, and says whether it is this person.
            if (!confirm_professional) {
                throw Invalid("confirm_professional", "dites si cette personne est bien le professionnel de l'annuaire "
                                                      "dont elle a donné le numéro RPPS");
            }
            if (*confirm_professional) {
                if (repo::ProfessionalHeldByActiveAccount(s, a.claimed_professional_id)) {
                    throw Duplicate("confirm_professional", "Ce professionnel de l'annuaire a déjà un compte actif : "
                                                            "refusez cette inscription ou validez-la sans ce lien.");
                }
                repo::ProveProfessionalLink(s, id, a.claimed_professional_id, kLinkConfirmed);
                link = kLinkConfirmed;
            } else {
                repo::DropProfessionalClaim(s, id, std::string(kUnverifiedCode), std::string(kUnverifiedLabel));
                link = "refused";
            }
        }
        repo::SetStatus(s, id, "active", "", p.account_id);
        repo::SetRole(s, id, role);
        ListInDirectory(s, id);
        if (role == kStructureAdmin) repo::MakeAdminOfItsStructures(s, id);
        if (p.role == kOperator) {
            // The structure proposed at sign-up enters the directory: the change log brings it into search.
            for (const auto& st : repo::AdoptProposedStructures(s, id)) {
                storage::AppendChange(s, {"structure", st, "update", "directory", "{}"});
            }
        }
        Mail(s, a.email, "Cordée : votre compte est validé",
             "Bonjour " + a.first_name + ",\n\nVotre inscription à Cordée a été validée. Vous pouvez vous connecter : " +
                 cfg_.PublicUrl() + "/connexion");
        audit::Append(s, Ev(p.account_id, "enrolment.approve", id, p.ip, "success",
                            {{"role", role}, {"professional_link", link}, {"professional_id", a.claimed_professional_id}}));
    });
}

Account AuthService::Reject(const Principal& p, const std::string& id, const std::string& reason) {
    return Decide(p, id, "refuser", [&](storage::Session& s, const Account& a) {
        repo::SetStatus(s, id, "rejected", reason, p.account_id);
        Mail(s, a.email, "Cordée : votre inscription n'a pas été validée",
             "Bonjour " + a.first_name + ",\n\nVotre inscription à Cordée n'a pas été validée, pour le motif "
             "suivant :\n\n" + reason + "\n\nPour toute question, contactez l'administrateur de votre structure.");
        audit::Append(s, Ev(p.account_id, "enrolment.reject", id, p.ip, "success", {{"reason", reason}}));
    });
}

std::string AuthService::MeJson(const Credentials& c) {
    if (c.token.empty()) throw Unauthenticated();
    const std::string hash = crypto::Sha256Hex(c.token);
    const int64_t now = NowMicros();
    if (auto hit = cache_.Get(hash, now); hit && hit->me_json) {
        CheckSession(hit->row, c);
        return *hit->me_json;
    }
    const uint64_t generation = cache_.Generation();
    std::optional<repo::SessionRow> row;
    std::optional<Account> account;
    // The session and the account in one read transaction.
    db_.Read([&](storage::Session& s) {
        row = repo::FindSession(s, hash);
        if (row && SessionUsable(*row)) account = repo::FindAccountById(s, row->account_id);
    });
    std::string body;
    if (account) {
        auto json = ToJson(*account);
        json["csrf_token"] = row->csrf_token;
        body = boost::json::serialize(json);
        cache_.Put(generation, {*row, body, now});
    }
    CheckSession(row, c);
    if (!account) throw Unauthenticated();
    return body;
}

Account AuthService::UpdateMe(const Principal& p, const ProfilePatch& patch, int64_t expected_version) {
    auto out = db_.WriteValue([&](storage::Session& s) {
        auto a = repo::FindAccountById(s, p.account_id);
        if (!a) throw Unauthenticated();
        if (a->version != expected_version) {
            throw Conflict("Votre profil a été modifié entre-temps (ailleurs ou dans un autre onglet).", ToJson(*a));
        }
        if (patch.first_name) a->first_name = *patch.first_name;
        if (patch.last_name) a->last_name = *patch.last_name;
        if (patch.phone) a->phone = *patch.phone;
        if (patch.specialty) a->specialty = *patch.specialty;
        if (!repo::UpdateProfile(s, *a, expected_version)) {
            throw Conflict("Votre profil a été modifié entre-temps.", ToJson(*repo::FindAccountById(s, p.account_id)));
        }
        auto updated = *repo::FindAccountById(s, p.account_id);
        if (updated.professional_link == kLinkLocal) {
            repo::SyncLocalEntry(s, updated, NowMicros());
            storage::AppendChange(s, {"professional", updated.professional_id, "update", "directory", "{}"});
        }
        audit::Append(s, Ev(p.account_id, "account.update", p.account_id, p.ip));
        storage::AppendChange(s, {"account", p.account_id, "update", p.account_id, boost::json::serialize(ToJson(updated))});
        return updated;
    });
    cache_.ForgetAccount(p.account_id);
    return out;
}

std::string AuthService::CreateAccount(const NewAccount& n, const std::string& actor) {
    const std::string hash = crypto::HashPassword(n.password);
    return db_.WriteValue([&](storage::Session& s) {
        if (repo::FindAccountByEmail(s, n.email)) {
            throw Error(Problem::kConflict, "Un compte existe déjà avec l'adresse " + n.email + ".");
        }
        Account a = NewRecord(n, hash, n.role, "active");
        a.totp_secret = n.totp_secret;
        a.totp_enabled = !n.totp_secret.empty();
        if (!a.rpps.empty()) {
            // An operator creating the account vouches for it: the entry is linked at once.
            if (auto entry = repo::FindProfessionalByRpps(s, a.rpps)) {
                a.professional_id = entry->id;
                a.professional_link = kLinkOperator;
            }
        }
        repo::InsertAccount(s, a);
        for (const auto& [sid, role] : n.structures) repo::LinkStructure(s, a.id, sid, role);
        if (!n.waiting) ListInDirectory(s, a.id);
        audit::Append(s, Ev(actor, "account.create", a.id, "", "success", {{"role", n.role}, {"email", n.email}}));
        storage::AppendChange(s, {"account", a.id, "create", a.id, "{}"});
        return a.id;
    });
}

void AuthService::AuditDenied(const Principal& p, const std::string& action, const std::string& ip) {
    db_.Write([&](storage::Session& s) { audit::Append(s, Ev(p.account_id, action, "", ip, "denied")); });
}

}  // namespace cordee::auth

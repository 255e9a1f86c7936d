#pragma once
// Accounts, sign-in with a second factor, sessions, self-enrolment and its approval, password reset.
// Every outcome that matters is audited in the same transaction; failures that must leave a trace
// (wrong password, wrong code) are committed first and reported after.
#include "auth/model.hpp"
#include "common/errors.hpp"
#include "auth/repository.hpp"
#include "auth/session_cache.hpp"
#include "auth/session_touches.hpp"
#include "common/config.hpp"
#include "mail/outbox.hpp"
#include "storage/database.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cordee::auth {

// What a request carries to prove who it is.
struct Credentials {
    std::string token;
    bool from_cookie = false;
    std::string csrf_header;
    std::string ip;
    bool unsafe_method = false;  // POST, PUT, PATCH, DELETE: CSRF applies to cookie sessions
};

struct PendingLogin {
    std::string next;  // "totp" or "totp_enrol"
    std::string token, csrf_token;
};

struct OpenSession {
    std::string token, csrf_token;
    Account account;
};

struct Enrolled {
    std::vector<std::string> recovery_codes;
    std::string status;
    std::optional<OpenSession> session;  // when the account was already approved
};

// Who a new account is, however it is created (sign-up, CLI, demo).
struct Identity {
    std::string email, first_name, last_name, profession_code, profession_label, specialty, rpps, phone;
};

struct SignUp : Identity {
    std::string password;
    std::string structure_id;
    std::string proposal_name, proposal_commune;
};

struct ProfilePatch {
    std::optional<std::string> first_name, last_name, phone, specialty;
};

struct NewAccount : Identity {
    std::string password, role = kProfessional;
    std::string totp_secret;  // empty: TOTP enrolled at first sign-in
    std::vector<std::pair<std::string, std::string>> structures;  // (structure id, member|admin)
    bool waiting = false;  // to be set waiting for approval at once (demo): listed in the directory when approved
};

class AuthService {
public:
    AuthService(storage::Database& db, mail::Dispatcher* mailer, const Config& cfg);
    // The thread that writes sessions' last-seen times (`cordee serve`); Stop() writes what still waits.
    void StartSessionTouches() { touches_.Start(); }
    void Stop() { touches_.Stop(); }

    Principal Authenticate(const Credentials& c);
    PendingLogin Login(const std::string& email, const std::string& password, const std::string& ip);
    OpenSession CompleteTotp(const Credentials& c, const std::string& code);
    std::pair<std::string, std::string> BeginTotpEnrolment(const Credentials& c);  // secret, otpauth URI
    Enrolled FinishTotpEnrolment(const Credentials& c, const std::string& code);
    void Logout(const Credentials& c);
    void LogoutEverywhere(const Principal& p);
    // What other modules end with sessions, inside the logout's transaction (app.cpp wires it: the Web Push
    // subscriptions of the device, so that its next user does not get notices meant for the previous one). `one`
    // gets the session's hash (Logout), `all` the account (LogoutEverywhere).
    struct SessionEndHooks {
        std::function<void(storage::Session&, const std::string& session_hash)> one;
        std::function<void(storage::Session&, const std::string& account_id)> all;
    };
    void OnSessionsEnded(SessionEndHooks hooks) { session_end_ = std::move(hooks); }
    void RequestPasswordReset(const std::string& email, const std::string& ip);
    void ResetPassword(const std::string& token, const std::string& password, const std::string& ip);

    void Register(const SignUp& s, const std::string& ip);
    PendingLogin ConfirmEmail(const std::string& token, const std::string& ip);
    std::vector<Account> Enrolments(const Principal& p, const std::string& status);
    // An enrolment that claims a directory entry (typed RPPS) needs `confirm_professional`: true links the entry,
    // false approves the account without it (and without the profession taken from it).
    Account Approve(const Principal& p, const std::string& id, const std::string& role,
                    std::optional<bool> confirm_professional = std::nullopt);
    Account Reject(const Principal& p, const std::string& id, const std::string& reason);
    int64_t PendingEnrolmentCount(const Principal& p);

    // The body of GET /me (the account and the session's CSRF token), from the session cache when it can.
    std::string MeJson(const Credentials& c);
    Account UpdateMe(const Principal& p, const ProfilePatch& patch, int64_t expected_version);

    // CLI and demo: an approved account, created without the sign-up steps.
    std::string CreateAccount(const NewAccount& n, const std::string& actor);
    // Records a refused access (wrong role…) in the audit trail.
    void AuditDenied(const Principal& p, const std::string& action, const std::string& ip);

    const Config& config() const { return cfg_; }

    // A full session opened by a strong authentication other than password + TOTP (Pro Santé Connect), inside the
    // caller's transaction, audited as `auth.<how>`.
    OpenSession OpenStrongSession(storage::Session& s, const std::string& account_id, const std::string& ip,
                                  const std::string& how);
    // After a change of what the account may reach, the sessions cached for it are read again.
    void ForgetAccount(const std::string& account_id) { cache_.ForgetAccount(account_id); }

private:
    // An approval or a rejection: rights, pending status, the decision, the change log, then e-mail.
    Account Decide(const Principal& p, const std::string& id, const std::string& verb,
                   const std::function<void(storage::Session&, const Account&)>& decision);
    bool SessionUsable(const repo::SessionRow& row) const;
    // The session's last activity, counting a touch not written yet.
    int64_t LastSeen(const repo::SessionRow& row) const;
    static Principal PrincipalOf(const repo::SessionRow& row, const Credentials& c);
    Principal CheckSession(const std::optional<repo::SessionRow>& row, const Credentials& c);
    void Mail(storage::Session& s, const std::string& to, const std::string& subject, const std::string& body);
    std::pair<std::string, std::string> NewSession(storage::Session& s, const std::string& account_id,
                                                   const std::string& stage, int64_t lifetime);
    repo::SessionRow RequireStage(const Credentials& c, const std::string& stage);
    // Throws 429 when the account or the address has too many recent failures. On PostgreSQL it first locks both
    // keys until the end of the transaction, so that a check and the failure recorded after it are one step.
    void CheckThrottle(storage::Session& s, const std::string& email, const std::string& ip);
    // What a sign-up can get wrong (structure, RPPS number, profession); fills `a` from the directory entry.
    std::optional<Error> CheckSignUp(storage::Session& s, const SignUp& in, Account& a);

    storage::Database& db_;
    mail::Dispatcher* mailer_;
    const Config& cfg_;
    SessionCache cache_;
    SessionEndHooks session_end_;
    SessionTouches touches_;
};

}  // namespace cordee::auth

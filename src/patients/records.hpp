#pragma once
// The policy-aware repository (DESIGN.md §5): the only way services reach patient data. Each call
// loads the actor, asks the policy for a grant, runs the service's function with it and audits the
// access, so that no route can forget the check or the trace:
// - Read: the check and the function share one read snapshot; the audit entry is then written
//   durably before the answer leaves (a read that is not traced is not answered).
// - Write: check, function and audit in one transaction.
// A refusal answers 404 (as for an unknown id: guessing ids teaches nothing) and is audited too.
#include "auth/model.hpp"
#include "common/errors.hpp"
#include "patients/policy.hpp"
#include "patients/scope.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>

namespace cordee::patients {

class PatientRecords {
public:
    explicit PatientRecords(storage::Database& db) : db_(db) {}
    storage::Database& db() { return db_; }

    // `also` runs in the audit's transaction after a granted read (e.g. marking the patient read).
    using After = std::function<void(Scope&)>;
    template <class F>
    auto Read(const auth::Principal& who, const std::string& patient_id, Need need, const char* action, F&& fn,
              const After& also = nullptr) {
        using R = std::invoke_result_t<F, Scope&>;
        std::optional<R> out;
        std::optional<Grant> grant;
        Actor actor;
        try {
            db_.Read([&](storage::Session& s) {
                actor = patients::LoadActor(s, who.account_id, who.role, who.ip);
                grant = Decide(s, actor, patient_id, need);
                if (grant) {
                    Scope scope(s, actor, *grant);
                    out.emplace(fn(scope));
                }
            });
        } catch (const Error& e) {
            AuditRefusal(who, patient_id, action, e);
            throw;
        }
        db_.Write([&](storage::Session& s) {
            Audit(s, actor, patient_id, grant, action);
            if (grant && also) {
                Scope scope(s, actor, *grant);
                also(scope);
            }
        });
        if (!grant) throw Denied();
        return std::move(*out);
    }

    template <class F>
    auto Write(const auth::Principal& who, const std::string& patient_id, Need need, const char* action, F&& fn) {
        using R = std::invoke_result_t<F, Scope&>;
        std::optional<std::optional<R>> out;
        try {
            out = db_.WriteValue([&](storage::Session& s) -> std::optional<R> {
                const Actor actor = patients::LoadActor(s, who.account_id, who.role, who.ip);
                const auto grant = Decide(s, actor, patient_id, need);
                if (!grant) {
                    Audit(s, actor, patient_id, grant, action);
                    return std::nullopt;  // commit the refusal's audit entry, nothing else
                }
                Scope scope(s, actor, *grant);
                std::optional<R> r(fn(scope));
                // Last, so that the audit chain's lock (PostgreSQL) is held only until the commit.
                Audit(s, actor, patient_id, grant, action);
                return r;
            });
        } catch (const Error& e) {
            AuditRefusal(who, patient_id, action, e);  // the transaction was rolled back: trace it apart
            throw;
        }
        if (!*out) throw Denied();
        return std::move(**out);
    }

    // For a transaction that reaches a patient on its way (the record it has just created, the duplicate of a merge,
    // the emergency access it has just opened, each patient of a list): the policy decides in that transaction and
    // `fn` runs with the scope; no grant → Denied. The caller audits.
    template <class F>
    static auto Decided(storage::Session& s, const Actor& actor, const std::string& patient_id, Need need, F&& fn) {
        const auto grant = Decide(s, actor, patient_id, need);
        if (!grant) throw Denied();
        Scope scope(s, actor, *grant);
        return fn(scope);
    }
    // The same for a list across patients: `fn` runs when the policy grants access; whether it ran.
    template <class F>
    static bool IfGranted(storage::Session& s, const Actor& actor, const std::string& patient_id, Need need, F&& fn) {
        const auto grant = Decide(s, actor, patient_id, need);
        if (!grant) return false;
        Scope scope(s, actor, *grant);
        fn(scope);
        return true;
    }

    // A refusal decided inside a service function (403 a role may not do this, 404 an entry the grant may not
    // see) is traced like a refusal of the patient itself, in its own transaction.
    void AuditRefusal(const auth::Principal& who, const std::string& patient_id, const char* action, const Error& e);

    // For creations (no patient yet) and lists across patients: the actor only.
    Actor LoadActor(storage::Session& s, const auth::Principal& who) {
        return patients::LoadActor(s, who.account_id, who.role, who.ip);
    }
    // Audits an access decided elsewhere (lists across patients, creation).
    static void Audit(storage::Session& s, const Actor& actor, const std::string& patient_id,
                      const std::optional<Grant>& grant, const char* action, boost::json::object detail = {});

private:
    static Error Denied();
    storage::Database& db_;
};

}  // namespace cordee::patients

#pragma once
// The audit trail: append-only and hash-chained. Each entry's hash covers its fields and the previous
// entry's hash, and `audit_head` holds the last one, so that an altered, inserted or removed entry
// (the last ones included) breaks the chain. Entries are written in the transaction of the action.
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace cordee::audit {

struct Event {
    std::string actor_id;     // account id, empty for anonymous
    std::string action;       // "auth.login", "enrolment.approve", …
    std::string target_type;  // "account", "patient", …
    std::string target_id;
    std::string ip;
    std::string outcome = "success";  // success, failure, denied
    boost::json::object detail;       // never a secret
};

void Append(storage::Session& s, const Event& e);

struct VerifyResult {
    bool ok = true;
    int64_t checked = 0;
    std::optional<int64_t> first_bad_seq;
    std::string problem;
};
VerifyResult Verify(storage::Database& db);

struct Filter {
    std::string action, actor, outcome, target_id;
    std::optional<int64_t> before;  // seq, for paging backwards from the newest
    int limit = 50;
};
boost::json::object List(storage::Database& db, const Filter& f);

std::string EntryHash(const std::string& prev_hash, int64_t seq, int64_t at, const std::string& actor_id,
                      const std::string& action, const std::string& target_type, const std::string& target_id,
                      const std::string& ip, const std::string& outcome, const std::string& detail);

}  // namespace cordee::audit

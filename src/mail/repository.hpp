#pragma once
// The SQL of the email outbox: emails are written in the transaction of what they tell, then claimed and sent by
// one dispatcher at a time (a claim expires, so that a node that died while sending does not lose them).
#include "mail/outbox.hpp"
#include "storage/database.hpp"

#include <string>
#include <vector>

namespace cordee::mail::repo {

struct Pending {
    std::string id;
    Email email;
    int64_t created_at = 0;
};

void InsertEmail(storage::Session& s, const std::string& id, const Email& e, int64_t now);
// Unsent emails not claimed since `claim_before`, oldest first.
std::vector<Pending> PendingEmails(storage::Session& s, int64_t claim_before, int64_t limit);
bool ClaimEmail(storage::Session& s, const std::string& id, int64_t now, int64_t claim_before);  // false: taken
void MarkEmailSent(storage::Session& s, const std::string& id, int64_t now);
void MarkEmailFailed(storage::Session& s, const std::string& id, const std::string& error);

}  // namespace cordee::mail::repo

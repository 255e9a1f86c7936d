#pragma once
// The SQL of Web Push: the server's VAPID key, the subscriptions, and the outbox of notices (claimed by one node at a
// time: a claim is a lease that expires, so a node that died while sending loses nothing).
#include "push/model.hpp"
#include "storage/database.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cordee::push::repo {

// The VAPID key pair (base64url private scalar, public point), made once: the first node to insert wins.
std::optional<std::pair<std::string, std::string>> VapidKey(storage::Session& s);
void InsertVapidKeyIfNone(storage::Session& s, const std::string& private_key, const std::string& public_key,
                          int64_t now);

std::optional<Subscription> FindSubscription(storage::Session& s, const std::string& endpoint);
// Inserts, or replaces the row of the same endpoint (a browser subscription is one device: its last owner has it).
void UpsertSubscription(storage::Session& s, const Subscription& sub);
// Keeps the account's `keep` most recently renewed subscriptions; returns how many were removed.
int64_t TrimSubscriptions(storage::Session& s, const std::string& account_id, int keep);
int64_t DeleteSubscriptionOf(storage::Session& s, const std::string& account_id, const std::string& endpoint);
void QueueDeleteSubscription(storage::Session& s, const std::string& endpoint);
int64_t DeleteSubscriptionsOfSession(storage::Session& s, const std::string& session_hash);
int64_t DeleteSubscriptionsOfAccount(storage::Session& s, const std::string& account_id);
// Where a notice to the account goes: its subscriptions made by `created_before` (only `endpoint` when not empty),
// and none at all when the account is not active (disabled accounts get nothing).
std::vector<Subscription> Targets(storage::Session& s, const std::string& account_id, const std::string& endpoint,
                                  int64_t created_before);

void QueueInsertNotice(storage::Session& s, const Pending& p, int64_t due_at);
// Whether some notice is due at `now` and not held by a live claim (a read: an idle node writes nothing).
bool AnyDue(storage::Session& s, int64_t now);
// Claims up to `limit` of the notices due, oldest first, for `claim` until `until` (one statement: on PostgreSQL a
// row another node claimed meanwhile no longer matches and is skipped); then reads what `claim` holds.
void ClaimDue(storage::Session& s, const std::string& claim, int64_t now, int64_t until, int limit);
std::vector<Pending> Claimed(storage::Session& s, const std::string& claim);
void QueueDeleteNotice(storage::Session& s, const std::string& id);
// Releases the claim and sets the next attempt (a transient failure).
void QueueRetryNotice(storage::Session& s, const std::string& id, int64_t due_at);

}  // namespace cordee::push::repo

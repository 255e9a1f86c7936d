#include "push/repository.hpp"

namespace cordee::push::repo {
namespace {

constexpr const char* kSubscriptionColumns =
    "ps.endpoint, ps.account_id, ps.session_hash, ps.p256dh, ps.auth, ps.created_at, ps.updated_at";

Subscription SubscriptionOf(const storage::Row& r) {
    return {r.Str(0), r.Str(1), r.Str(2), r.Str(3), r.Str(4), r.Int(5), r.Int(6)};
}

}  // namespace

std::optional<std::pair<std::string, std::string>> VapidKey(storage::Session& s) {
    const auto r = s.One("SELECT private_key, public_key FROM push_keys WHERE id = 'vapid'");
    if (!r) return std::nullopt;
    return std::make_pair(r->Str(0), r->Str(1));
}

void InsertVapidKeyIfNone(storage::Session& s, const std::string& private_key, const std::string& public_key,
                          int64_t now) {
    s.Exec("INSERT INTO push_keys (id, private_key, public_key, created_at) VALUES ('vapid', ?, ?, ?) "
           "ON CONFLICT (id) DO NOTHING",
           {private_key, public_key, now});
}

std::optional<Subscription> FindSubscription(storage::Session& s, const std::string& endpoint) {
    const auto r = s.One(std::string("SELECT ") + kSubscriptionColumns +
                             " FROM push_subscriptions ps WHERE ps.endpoint = ?",
                         {endpoint});
    if (!r) return std::nullopt;
    return SubscriptionOf(*r);
}

void UpsertSubscription(storage::Session& s, const Subscription& sub) {
    s.Exec("INSERT INTO push_subscriptions (endpoint, account_id, session_hash, p256dh, auth, created_at, updated_at) "
           "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint) DO UPDATE SET account_id = excluded.account_id, "
           "session_hash = excluded.session_hash, p256dh = excluded.p256dh, auth = excluded.auth, "
           "updated_at = excluded.updated_at",
           {sub.endpoint, sub.account_id, sub.session_hash, sub.p256dh, sub.auth, sub.created_at, sub.updated_at});
}

int64_t TrimSubscriptions(storage::Session& s, const std::string& account_id, int keep) {
    return s.Exec("DELETE FROM push_subscriptions WHERE account_id = ? AND endpoint NOT IN (SELECT endpoint FROM "
                  "push_subscriptions WHERE account_id = ? ORDER BY updated_at DESC, endpoint LIMIT ?)",
                  {account_id, account_id, static_cast<int64_t>(keep)});
}

int64_t DeleteSubscriptionOf(storage::Session& s, const std::string& account_id, const std::string& endpoint) {
    return s.Exec("DELETE FROM push_subscriptions WHERE account_id = ? AND endpoint = ?", {account_id, endpoint});
}

void QueueDeleteSubscription(storage::Session& s, const std::string& endpoint) {
    s.Queue("DELETE FROM push_subscriptions WHERE endpoint = ?", {endpoint});
}

int64_t DeleteSubscriptionsOfSession(storage::Session& s, const std::string& session_hash) {
    return s.Exec("DELETE FROM push_subscriptions WHERE session_hash = ?", {session_hash});
}

int64_t DeleteSubscriptionsOfAccount(storage::Session& s, const std::string& account_id) {
    return s.Exec("DELETE FROM push_subscriptions WHERE account_id = ?", {account_id});
}

std::vector<Subscription> Targets(storage::Session& s, const std::string& account_id, const std::string& endpoint,
                                  int64_t created_before) {
    std::vector<Subscription> out;
    const std::string sql = std::string("SELECT ") + kSubscriptionColumns +
                            " FROM push_subscriptions ps JOIN accounts a ON a.id = ps.account_id "
                            "WHERE ps.account_id = ? AND a.status = 'active' AND ps.created_at <= ?" +
                            (endpoint.empty() ? "" : " AND ps.endpoint = ?") + " ORDER BY ps.updated_at DESC";
    storage::Params params{account_id, created_before};
    if (!endpoint.empty()) params.emplace_back(endpoint);
    for (const auto& r : s.Query(sql, params)) out.push_back(SubscriptionOf(r));
    return out;
}

void QueueInsertNotice(storage::Session& s, const Pending& p, int64_t due_at) {
    s.Queue("INSERT INTO push_outbox (id, account_id, endpoint, title, body, url, tag, created_at, due_at, attempts) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {p.id, p.account_id, p.endpoint, p.notice.title, p.notice.body, p.notice.url, p.notice.tag, p.created_at,
             due_at, p.attempts});
}

bool AnyDue(storage::Session& s, int64_t now) {
    return s.One("SELECT 1 FROM push_outbox WHERE due_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) LIMIT 1",
                 {now, now})
        .has_value();
}

void ClaimDue(storage::Session& s, const std::string& claim, int64_t now, int64_t until, int limit) {
    s.Exec("UPDATE push_outbox SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1 WHERE id IN (SELECT id "
           "FROM push_outbox WHERE due_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY due_at, id "
           "LIMIT ?) AND due_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)",
           {claim, until, now, now, static_cast<int64_t>(limit), now, now});
}

std::vector<Pending> Claimed(storage::Session& s, const std::string& claim) {
    std::vector<Pending> out;
    for (const auto& r : s.Query("SELECT id, account_id, endpoint, title, body, url, tag, attempts, created_at "
                                 "FROM push_outbox WHERE claimed_by = ? ORDER BY due_at, id",
                                 {claim}))
        out.push_back({r.Str(0), r.Str(1), r.Str(2), Notice{r.Str(3), r.Str(4), r.Str(5), r.Str(6)}, r.Int(7), r.Int(8)});
    return out;
}

void QueueDeleteNotice(storage::Session& s, const std::string& id) {
    s.Queue("DELETE FROM push_outbox WHERE id = ?", {id});
}

void QueueRetryNotice(storage::Session& s, const std::string& id, int64_t due_at) {
    s.Queue("UPDATE push_outbox SET due_at = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?", {due_at, id});
}

}  // namespace cordee::push::repo

#pragma once
// Web Push (docs/messaging.md, "Web Push"): accounts that have no live socket open get a notification on their
// devices — who wrote, never what. A browser subscribes with the server's VAPID public key and registers its
// subscription here; a module that wants an account told calls Enqueue inside its own write transaction, and the
// Dispatcher (push/dispatcher.hpp) pushes it after the commit.
#include "auth/model.hpp"
#include "common/config.hpp"
#include "push/model.hpp"
#include "push/subscription_input.hpp"
#include "push/webpush.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <utility>

namespace cordee::push {

// Queues `notice` for every subscription of the account, in the caller's transaction: it is pushed if and only if
// what it tells was committed. Bounded: title and body are cut to their limits.
void Enqueue(storage::Session& s, const std::string& account_id, const Notice& notice);

class PushService {
public:
    // Loads the VAPID key (config push_vapid_private_key, else the database's, made at the first start).
    PushService(storage::Database& db, const Config& cfg);

    const std::string& PublicKey() const { return public_key_; }  // base64url uncompressed point
    const EcKey& VapidKey() const { return key_; }
    const std::vector<std::string>& Hosts() const { return hosts_; }
    std::string Subject() const { return subject_; }

    // Registers (or renews) the browser's subscription for the caller's account and session: 201 when new, 200 when
    // it was already there. At most kMaxSubscriptions per account: the oldest go.
    std::pair<int, boost::json::object> Subscribe(const auth::Principal& p, const SubscriptionInput& in);
    // Removes one of the caller's subscriptions; 404 when the caller has none at that endpoint.
    void Unsubscribe(const auth::Principal& p, const std::string& endpoint);

    // A session ended by logout: its device stops getting pushes (the next user of the device must not read
    // "Nouveau message de …" meant for the previous one). Called inside the logout's transaction.
    static void SessionEnded(storage::Session& s, const std::string& session_hash);
    // Every session of the account ended (logout everywhere: a phone lost).
    static void AccountSessionsEnded(storage::Session& s, const std::string& account_id);

private:
    storage::Database& db_;
    EcKey key_;
    std::string public_key_, subject_;
    std::vector<std::string> hosts_;
};

}  // namespace cordee::push

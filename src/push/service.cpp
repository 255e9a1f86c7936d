#include "push/service.hpp"

#include "common/errors.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "push/repository.hpp"

#include <stdexcept>

namespace cordee::push {
namespace {

// Cut to at most `max` bytes without splitting a UTF-8 sequence.
std::string Cut(const std::string& s, size_t max) {
    if (s.size() <= max) return s;
    size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n);
}

EcKey LoadKey(storage::Database& db, const Config& cfg) {
    if (!cfg.push_vapid_private_key.empty()) {
        const auto scalar = Base64UrlDecode(cfg.push_vapid_private_key);
        try {
            if (scalar) return EcKey::FromPrivate(*scalar);
        } catch (const std::invalid_argument&) {
        }
        throw Error(Problem::kBadConfig, "push_vapid_private_key : clé privée P-256 en base64url (32 octets) attendue.");
    }
    // Made once for all the nodes: the first insert wins, and every node then reads the same key (in the write
    // transaction, which also sees a database just migrated in memory: `cordee routes`).
    const EcKey fresh = EcKey::Generate();
    const auto stored = db.WriteValue([&](storage::Session& s) {
        if (auto k = repo::VapidKey(s)) return *k;
        repo::InsertVapidKeyIfNone(s, Base64UrlEncode(fresh.PrivateScalar()), Base64UrlEncode(fresh.PublicPoint()),
                                   NowMicros());
        return *repo::VapidKey(s);
    });
    const auto scalar = Base64UrlDecode(stored.first);
    if (!scalar) throw std::runtime_error("push_keys: unreadable VAPID key");
    return EcKey::FromPrivate(*scalar);
}

// RFC 8292 §2.1: a contact for the push services, mailto: or https:.
std::string SubjectOf(const Config& cfg) {
    if (!cfg.push_subject.empty()) return cfg.push_subject;
    const std::string url = cfg.PublicUrl();
    if (url.rfind("https://", 0) == 0) return url;
    std::string from = cfg.smtp_from;
    if (const auto lt = from.find('<'); lt != std::string::npos) from = from.substr(lt + 1, from.find('>', lt) - lt - 1);
    return "mailto:" + from;
}

}  // namespace

void Enqueue(storage::Session& s, const std::string& account_id, const Notice& notice) {
    const Notice bounded{Cut(notice.title, kMaxNoticeTitle), Cut(notice.body, kMaxNoticeBody), Cut(notice.url, 512),
                         Cut(notice.tag, 64)};
    const int64_t now = NowMicros();
    repo::QueueInsertNotice(s, Pending{NewUuidV7(), account_id, "", bounded, 0, now}, now);
}

PushService::PushService(storage::Database& db, const Config& cfg)
    : db_(db), key_(LoadKey(db, cfg)), public_key_(Base64UrlEncode(key_.PublicPoint())), subject_(SubjectOf(cfg)),
      hosts_(ParseHostList(cfg.push_hosts)) {}

std::pair<int, boost::json::object> PushService::Subscribe(const auth::Principal& p, const SubscriptionInput& in) {
    return db_.WriteValue([&](storage::Session& s) -> std::pair<int, boost::json::object> {
        const int64_t now = NowMicros();
        const auto existing = repo::FindSubscription(s, in.endpoint);
        // The endpoint is the browser's secret address, but an endpoint is not proof of owning it: another account
        // may take it over only with the same keys (the same browser, another user), never replace the keys.
        if (existing && existing->account_id != p.account_id &&
            (existing->p256dh != in.p256dh || existing->auth != in.auth))
            throw Duplicate("endpoint", "Cet abonnement appartient à un autre compte.");
        Subscription sub{in.endpoint, p.account_id, p.session_hash, in.p256dh, in.auth,
                         existing ? existing->created_at : now, now};
        repo::UpsertSubscription(s, sub);
        repo::TrimSubscriptions(s, p.account_id, kMaxSubscriptions);
        const bool renewed = existing && existing->account_id == p.account_id;
        return {renewed ? 200 : 201, boost::json::object{{"endpoint", in.endpoint},
                                                         {"created_at", FormatRfc3339(sub.created_at)},
                                                         {"updated_at", FormatRfc3339(sub.updated_at)}}};
    });
}

void PushService::Unsubscribe(const auth::Principal& p, const std::string& endpoint) {
    const int64_t removed =
        db_.WriteValue([&](storage::Session& s) { return repo::DeleteSubscriptionOf(s, p.account_id, endpoint); });
    // Someone else's subscription is not told apart from none.
    if (removed == 0) throw NotFound("Aucun abonnement de votre compte à cette adresse.");
}

void PushService::SessionEnded(storage::Session& s, const std::string& session_hash) {
    repo::DeleteSubscriptionsOfSession(s, session_hash);
}

void PushService::AccountSessionsEnded(storage::Session& s, const std::string& account_id) {
    repo::DeleteSubscriptionsOfAccount(s, account_id);
}

}  // namespace cordee::push

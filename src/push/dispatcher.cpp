#include "push/dispatcher.hpp"

#include "common/crypto.hpp"
#include "common/ids.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "push/repository.hpp"
#include "push/webpush.hpp"

#include <boost/json.hpp>
#include <curl/curl.h>

#include <algorithm>
#include <chrono>

namespace cordee::push {
namespace {

// A claim outlives the sends of one notice (10 subscriptions, 10 s each at worst) with room to spare.
constexpr int64_t kLeaseMicros = 180 * kMicrosPerSecond;
constexpr int kBatch = 50;  // notices claimed in one write
constexpr int64_t kMaxDelayMicros = 30 * 60 * kMicrosPerSecond;
// The VAPID token's life (RFC 8292 §2: at most 24 h); a fresh one per push costs one signature.
constexpr int64_t kTokenSeconds = 12 * 3600;

size_t Discard(char*, size_t size, size_t nmemb, void*) { return size * nmemb; }

std::string PayloadOf(const Notice& n) {
    return boost::json::serialize(
        boost::json::object{{"title", n.title}, {"body", n.body}, {"url", n.url}, {"tag", n.tag}});
}

}  // namespace

Dispatcher::Dispatcher(storage::Database& db, const PushService& push, DispatcherOptions opt)
    : db_(db), push_(push), opt_(std::move(opt)) {}

Dispatcher::~Dispatcher() {
    Stop();
    if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

void Dispatcher::Start() {
    job_.Start("push", std::chrono::milliseconds(500), [this] { DeliverPending(); });
}

void Dispatcher::Stop() { job_.Stop(); }

// What became of one claimed notice, written with the others of its batch.
struct Dispatcher::Result {
    Pending row;
    std::vector<std::string> gone, again;  // endpoints to remove, endpoints to try again
    bool released = false;                 // not tried (the claim was running out): due again at once
};

int Dispatcher::DeliverPending() {
    int done = 0;
    // Batches until nothing is due: a backlog (the node was down, a push service was) goes at once.
    for (;;) {
        const int64_t now = NowMicros();
        if (!db_.ReadValue([&](storage::Session& s) { return repo::AnyDue(s, now); })) return done;
        const std::string claim = opt_.node_id + ":" + NewUuidV7();
        const auto batch = db_.WriteValue([&](storage::Session& s) {
            repo::ClaimDue(s, claim, now, now + kLeaseMicros, kBatch);
            return repo::Claimed(s, claim);
        });
        std::vector<Result> results;
        for (const auto& row : batch) {
            Result r{row, {}, {}, false};
            // Stop well before the claim runs out (push services that hang), so that no other node sends these too.
            if (NowMicros() - now > kLeaseMicros / 2) r.released = true;
            else Deliver(r);
            results.push_back(std::move(r));
        }
        db_.Write([&](storage::Session& s) {
            for (const auto& r : results) Apply(s, r);
        });
        for (const auto& r : results)
            if (!r.released && (r.again.empty() || r.row.attempts >= kMaxAttempts)) ++done;
        if (batch.size() < static_cast<size_t>(kBatch)) return done;
    }
}

void Dispatcher::Deliver(Result& r) {
    const Pending& row = r.row;
    // Seen live (a socket is open somewhere): no notification on top of it.
    if (opt_.connected && opt_.connected(row.account_id)) return;
    const auto targets = db_.ReadValue(
        [&](storage::Session& s) { return repo::Targets(s, row.account_id, row.endpoint, row.created_at); });
    if (targets.empty()) return;
    const std::string payload = PayloadOf(row.notice);
    // Topic (RFC 8030 §5.4): a push service keeps one undelivered notice per topic, so a device that was off gets
    // the last of a conversation, not all of them. At most 32 characters of the base64url alphabet.
    const std::string topic = row.notice.tag.empty() ? "" : crypto::Sha256Hex(row.notice.tag).substr(0, 32);
    for (const auto& sub : targets) {
        long status = 0;
        std::string error;
        const Outcome outcome = Send(sub, payload, topic, status, error);
        if (outcome == Outcome::kGone) r.gone.push_back(sub.endpoint);
        if (outcome == Outcome::kRetry) {
            r.again.push_back(sub.endpoint);
            log::Warn("push not delivered", {{"origin", OriginOf(sub.endpoint)}, {"status", status}, {"error", error},
                                             {"attempt", static_cast<long long>(row.attempts)}});
        }
        // Our request is wrong for this service (a key it does not know, a payload too big): sending it again would
        // change nothing.
        if (outcome == Outcome::kRefused)
            log::Warn("push refused", {{"origin", OriginOf(sub.endpoint)}, {"status", status},
                                        {"account_id", row.account_id}});
    }
    if (!r.again.empty() && row.attempts >= kMaxAttempts)
        log::Warn("push dropped after its last attempt",
                  {{"account_id", row.account_id}, {"attempts", static_cast<long long>(row.attempts)}});
}

void Dispatcher::Apply(storage::Session& s, const Result& r) {
    const Pending& row = r.row;
    if (r.released) {
        repo::QueueRetryNotice(s, row.id, NowMicros());
        return;
    }
    for (const auto& endpoint : r.gone) repo::QueueDeleteSubscription(s, endpoint);
    if (r.again.empty() || row.attempts >= kMaxAttempts) {
        repo::QueueDeleteNotice(s, row.id);
        return;
    }
    const int64_t delay =
        std::min(kMaxDelayMicros, (opt_.retry_seconds * kMicrosPerSecond) << std::min<int64_t>(row.attempts - 1, 20));
    if (!row.endpoint.empty()) {
        repo::QueueRetryNotice(s, row.id, NowMicros() + delay);
        return;
    }
    // Only the subscriptions that failed are tried again, one row each, so that the others do not get it twice.
    repo::QueueDeleteNotice(s, row.id);
    for (const auto& endpoint : r.again) {
        Pending retry = row;
        retry.id = NewUuidV7();
        retry.endpoint = endpoint;
        repo::QueueInsertNotice(s, retry, NowMicros() + delay);
    }
}

Dispatcher::Outcome Dispatcher::Send(const Subscription& sub, const std::string& payload, const std::string& topic,
                                     long& status, std::string& error) {
    const auto ua_public = Base64UrlDecode(sub.p256dh);
    const auto auth = Base64UrlDecode(sub.auth);
    if (!ua_public || !auth) return Outcome::kGone;  // checked when stored: a row this broken is of no use
    Bytes body;
    try {
        body = Encrypt(payload, *ua_public, *auth);
    } catch (const std::invalid_argument& e) {
        error = e.what();
        return Outcome::kGone;
    }
    if (!curl_) curl_ = curl_easy_init();
    CURL* curl = static_cast<CURL*>(curl_);
    if (!curl) {
        error = "curl init failed";
        return Outcome::kRetry;
    }
    curl_easy_reset(curl);  // keeps the open connections
    const std::string authorization =
        "Authorization: " + VapidAuthorization(push_.VapidKey(), OriginOf(sub.endpoint), push_.Subject(),
                                               NowMicros() / kMicrosPerSecond + kTokenSeconds);
    curl_slist* headers = nullptr;
    for (const std::string& h : {authorization, std::string("Content-Encoding: aes128gcm"),
                                 std::string("Content-Type: application/octet-stream"),
                                 "TTL: " + std::to_string(opt_.ttl_seconds), std::string("Urgency: high"),
                                 topic.empty() ? std::string() : "Topic: " + topic})
        if (!h.empty()) headers = curl_slist_append(headers, h.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, sub.endpoint.c_str());
    // Checked when stored (https, or http to this machine); redirects are never followed.
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, reinterpret_cast<const char*>(body.data()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    const CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
        error = curl_easy_strerror(rc);
        return Outcome::kRetry;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) return Outcome::kDelivered;
    if (status == 404 || status == 410) return Outcome::kGone;  // RFC 8030 §7.3: the subscription expired
    if (status == 429 || status >= 500) return Outcome::kRetry;
    return Outcome::kRefused;
}

}  // namespace cordee::push

#pragma once
// Web Push (docs/messaging.md, "Web Push"): the browsers' subscriptions of each account, and the notices waiting to
// be pushed to them.
#include <cstdint>
#include <string>

namespace cordee::push {

inline constexpr size_t kMaxEndpoint = 1024;   // bytes of a push service URL (the big services use ~200–400)
inline constexpr int kMaxSubscriptions = 10;   // per account: a new one past it replaces the oldest
inline constexpr size_t kMaxNoticeTitle = 120;
inline constexpr size_t kMaxNoticeBody = 400;

// What a notification shows. Never clinical: who wrote, not what ("Nouveau message de …"), since a push travels
// through the browser vendor's service and is shown on a locked screen.
struct Notice {
    std::string title, body;
    std::string url;  // the page a tap opens (same origin, a path)
    std::string tag;  // notices of one tag replace each other on the device (one per conversation)
};

struct Subscription {
    std::string endpoint, account_id;
    std::string session_hash;  // the session that made it: its logout ends it (the device changed hands)
    std::string p256dh, auth;  // base64url, as the browser gave them
    int64_t created_at = 0, updated_at = 0;
};

// A notice for one account, waiting in the outbox; endpoint "" means every subscription of the account, else the
// one subscription a transient failure left to try again.
struct Pending {
    std::string id, account_id, endpoint;
    Notice notice;
    int64_t attempts = 0;    // claims so far, this one included
    int64_t created_at = 0;  // of the notice (a retry keeps it): devices subscribed later do not get it
};

}  // namespace cordee::push

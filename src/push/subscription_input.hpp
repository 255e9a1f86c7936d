#pragma once
// Reading a browser's PushSubscription (its toJSON(): endpoint, expirationTime, keys.p256dh, keys.auth) from an
// untrusted body, before any service runs (fuzzed: tests/fuzz/push_subscription.cpp).
#include "push/webpush.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace cordee::push {

// Push service hosts a subscription may point at (config push_hosts): exact names, "*.suffix" for any name under
// it, "*" for any host. The server POSTs to these URLs, so an unchecked endpoint would let anyone make it call an
// internal address (SSRF).
std::vector<std::string> ParseHostList(std::string_view list);
bool HostAllowed(std::string_view host, const std::vector<std::string>& hosts);

struct SubscriptionInput {
    std::string endpoint;
    std::string p256dh, auth;  // base64url as sent (checked: a P-256 point on the curve, 16 bytes)
};

// Throws 400 malformed-json (not a JSON object) or 422 invalid-field naming each bad field.
SubscriptionInput ParseSubscription(std::string_view body, const std::vector<std::string>& hosts);
// The body of a DELETE: {"endpoint": "..."} (same checks of form, not of host: a subscription made before a host was
// removed from the list can still be removed).
std::string ParseEndpointOnly(std::string_view body);

}  // namespace cordee::push

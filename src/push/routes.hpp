#pragma once
#include "auth/service.hpp"
#include "http/router.hpp"
#include "push/service.hpp"

namespace cordee::push {
// /api/v1/push/… (docs/messaging.md, "Web Push"): the VAPID public key, and the caller's subscriptions.
void RegisterRoutes(http::Router& r, PushService& push, auth::AuthService& auth);
}

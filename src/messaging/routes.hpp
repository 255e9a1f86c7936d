#pragma once
#include "auth/service.hpp"
#include "http/router.hpp"
#include "messaging/service.hpp"

namespace cordee::messaging {
// /api/v1/conversations… (docs/messaging.md).
void RegisterRoutes(http::Router& r, MessagingService& messaging, auth::AuthService& auth);
}

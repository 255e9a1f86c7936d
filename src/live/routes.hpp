#pragma once
#include "auth/service.hpp"
#include "common/config.hpp"
#include "http/router.hpp"
#include "live/service.hpp"

namespace cordee::live {
// GET /api/v1/live (WebSocket, docs/messaging.md): the caller's live feed.
void RegisterRoutes(http::Router& r, Hub& hub, auth::AuthService& auth, const Config& cfg);
}

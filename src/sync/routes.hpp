#pragma once
// GET /api/v1/sync (the feed), GET and DELETE /api/v1/sync/key (the store key): HTTP only (docs/openapi.yaml).
#include "auth/service.hpp"
#include "http/router.hpp"
#include "sync/service.hpp"

namespace cordee::sync {

void RegisterRoutes(http::Router& r, SyncService& sync, auth::AuthService& auth);

}  // namespace cordee::sync

#pragma once
#include "audit/audit.hpp"
#include "auth/service.hpp"
#include "http/router.hpp"
#include "storage/database.hpp"

namespace cordee::audit {
// GET /api/v1/audit (browse, filter) and /api/v1/audit/verify (chain and checkpoints), for territory operators.
void RegisterRoutes(http::Router& r, storage::Database& db, auth::AuthService& auth, AnchorOptions anchors);
}

#pragma once
#include "auth/service.hpp"
#include "http/router.hpp"
#include "portal/service.hpp"

namespace cordee::portal {
// GET /api/v1/portal, GET/POST /api/v1/me/favorites, DELETE /api/v1/me/favorites/{id}.
void RegisterRoutes(http::Router& r, PortalService& portal, auth::AuthService& auth);
}

#pragma once
#include "alerts/service.hpp"
#include "auth/service.hpp"
#include "http/router.hpp"

namespace cordee::alerts {
// /api/v1/patients/{id}/alerts…, /api/v1/alerts (docs/patients.md).
void RegisterRoutes(http::Router& r, AlertService& alerts, auth::AuthService& auth);
}

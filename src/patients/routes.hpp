#pragma once
#include "auth/service.hpp"
#include "http/router.hpp"
#include "patients/service.hpp"

namespace cordee::patients {
// /api/v1/patients… : identity, search, mine, circle, timeline, break-glass, access log (docs/patients.md).
void RegisterRoutes(http::Router& r, PatientService& patients, auth::AuthService& auth);
}

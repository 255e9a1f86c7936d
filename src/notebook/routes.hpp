#pragma once
#include "auth/service.hpp"
#include "http/router.hpp"
#include "notebook/service.hpp"

namespace cordee::notebook {
// /api/v1/patients/{id}/notebook…, /attachments… (docs/patients.md).
void RegisterRoutes(http::Router& r, NotebookService& notebook, auth::AuthService& auth);
}

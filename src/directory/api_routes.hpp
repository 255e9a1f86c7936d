#pragma once
#include "auth/service.hpp"
#include "directory/service.hpp"
#include "http/router.hpp"

namespace cordee::directory {
// /api/v1/directory/…: search, professional and structure pages, local structures, activities and
// capacities (docs/directory.md).
void RegisterApiRoutes(http::Router& r, DirectoryService& directory, auth::AuthService& auth);
}

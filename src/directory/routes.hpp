#pragma once
#include "http/router.hpp"
#include "storage/database.hpp"

namespace cordee::directory {
// GET /api/v1/structures?q= : public, so that sign-up can pick a structure (FINESS data is open data).
void RegisterRoutes(http::Router& r, storage::Database& db);
}

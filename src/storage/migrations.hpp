#pragma once
// Numbered SQL migrations (src/storage/migrations/NNNN_name.sql), embedded in the binary, applied in
// order at start and by `cordee migrate`, each in its own transaction. One portable file per change;
// the few words that differ are written as tokens ({{serial_pk}}, {{blob}}, {{unlogged}}) and replaced
// per backend.
// A file NNNN_name.sqlite.sql / NNNN_name.postgres.sql applies to that backend only.
#include "storage/database.hpp"

#include <string>
#include <vector>

namespace cordee::storage {

struct EmbeddedMigration {
    const char* file;
    const char* sql;
};
const std::vector<EmbeddedMigration>& EmbeddedMigrations();

// Applies what is missing; returns the names applied now.
std::vector<std::string> Migrate(Database& db);
// Number of migrations this binary knows that the database has not applied (0 = ready).
int PendingMigrations(Database& db);
std::string TranslateDialect(std::string_view sql, Dialect d);

}  // namespace cordee::storage

#pragma once
// Imports of the national files into the directory: RPPS (professionals, one line per activity) and
// FINESS (structures with their coordinates). Lines are parsed by header name and streamed into
// staging tables in small transactions; the new data then replaces the old in one transaction, so an
// interrupted import changes nothing users see.
#include "storage/database.hpp"

#include <cstdint>
#include <ostream>
#include <string>

namespace cordee::directory {

struct ImportSummary {
    int64_t read = 0, created = 0, updated = 0, deactivated = 0, rejected = 0;
    int64_t adopted = 0;  // local entries the national file now describes (counted in updated too)
};

// Throws cordee::Error (with a French message) when the file cannot be used at all; then nothing changed.
// Rejected lines are written to `err` with their numbers.
ImportSummary ImportRpps(storage::Database& db, const std::string& path, std::ostream& err);
ImportSummary ImportFiness(storage::Database& db, const std::string& path, std::ostream& err);

}  // namespace cordee::directory

#pragma once
// The SQL of the imports: the staging tables the national files are streamed into (no index while they load),
// and the set-based merge of the staged rows into the live tables (one transaction, at the end). Each function
// holds one statement, or the same statement for each staging table given; rows are staged as parameter lists
// in the order of their table's columns.
#include "directory/finess_file.hpp"
#include "directory/rpps_file.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cordee::directory::import_repo {

using storage::Session;

// A staging table: its name, the columns a staged row fills (in order) and the column its index is made on.
struct StagingTable {
    const char* name;
    std::vector<const char*> columns;
    const char* key;
};
extern const StagingTable kRppsProfessionals;  // one row per professional (their first line)
extern const StagingTable kRppsActivities;     // one row per line
extern const StagingTable kFinessStructures;
extern const StagingTable kFinessPositions;

// `INSERT INTO table (columns) VALUES (?, …), …` for `rows` rows.
std::string StagingInsert(const StagingTable& t, size_t rows);
// Staged rows, in the order of their table's columns. `group` is the line where the professional's lines begin.
storage::Params StagedProfessional(int64_t group, const std::string& professional_id, const RppsLine& first,
                                   std::string hash);
storage::Params StagedActivity(int64_t line, int64_t group, std::string activity_id, const std::string& professional_id,
                               RppsLine&& l);
storage::Params StagedStructure(int64_t line, std::string structure_id, FinessStructure&& s, std::string hash);
storage::Params StagedPosition(std::string finess, double lat, double lon);

// Emptied, and without their index, before loading.
void ClearStaging(Session& s, const StagingTable& t);
// Indexed on their key once loaded; on PostgreSQL also analysed (the merge is planned from statistics, and
// freshly filled tables have none until autovacuum comes).
void IndexStaging(Session& s, const StagingTable& t);
void EmptyStaging(Session& s, const StagingTable& t);

// ---- RPPS ----
// An identifier found again after other professionals' lines: the later group of lines.
struct ScatteredGroup {
    int64_t group = 0;  // its first line
    std::string national_id;
    int64_t first_group = 0;  // where the identifier was first seen
};
std::vector<ScatteredGroup> ScatteredGroups(Session& s);
// Removes that group's staged rows; returns how many activity lines it held.
int64_t DropStagedGroup(Session& s, int64_t group);

// The merge, in this order (see ImportRpps).
void PrepareMerge(Session& s);  // PostgreSQL: memory for the hash joins and sorts of the merge
// Staged professionals whose national id is a local (or already adopted) entry's take that entry's id;
// returns how many.
int64_t PointStagedAtLocalEntries(Session& s);
void PointStagedActivitiesAtLocalEntries(Session& s);
int64_t MarkAdopted(Session& s);  // local entries the file now describes
bool HasNationalProfessionals(Session& s);
bool HasActivities(Session& s);
void DeleteChangedActivities(Session& s);  // of professionals whose lines changed
int64_t UpdateChangedProfessionals(Session& s, int64_t now);
int64_t InsertNewProfessionals(Session& s, int64_t now);
int64_t DeactivateMissingProfessionals(Session& s, int64_t now);
// A first load inserts the activities without their professional index and (PostgreSQL) foreign key, both made
// once after the bulk insert.
void DropActivitiesProfessionalIndex(Session& s);
void CreateActivitiesProfessionalIndex(Session& s);
void DropActivitiesForeignKey(Session& s);
void AddActivitiesForeignKey(Session& s);
void InsertNewActivities(Session& s);

// ---- FINESS ----
int64_t UpdateChangedStructures(Session& s, int64_t now);
int64_t InsertNewStructures(Session& s, int64_t now);
int64_t DeactivateMissingStructures(Session& s, int64_t now);
void ApplyPositions(Session& s);

// ---- Both ----
// Links the professionals' sites to the structures of their FINESS number, whichever file came first.
void LinkActivities(Session& s);

}  // namespace cordee::directory::import_repo

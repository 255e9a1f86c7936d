#pragma once
// All the SQL of the directory's live tables (professionals, structures, their sites, activities, capacities),
// as named statements at the top of repository.cpp, each row decoded into a model.hpp struct. The imports'
// staging and merge SQL is in import_repository.hpp. Every function runs in the caller's transaction.
#include "directory/model.hpp"
#include "storage/database.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cordee::directory::repo {

using storage::Session;

// Professionals.
std::optional<ProfessionalRow> FindProfessional(Session& s, const ProfessionalId& id);
// The active entry of an RPPS number (11 digits), for sign-up.
std::optional<ProfessionalRow> FindActiveProfessionalByRpps(Session& s, const std::string& rpps);
std::vector<PracticeSiteRow> SitesOf(Session& s, const ProfessionalId& id);  // by site name
// Active professionals after `after` in id order, at most `limit`: the search index is built page by page.
// `national`: the imported entries (source 'rpps'); else the local ones (demo, accounts without RPPS).
std::vector<ProfessionalRow> ActiveProfessionalsAfter(Session& s, const ProfessionalId& after, int64_t limit,
                                                      bool national);
// The sites of the professionals in (after, last], in professional order: all of them (national: the index keeps
// those of its entries), or only the local entries' (a few, among millions of national ids in that range).
std::vector<IndexedSiteRow> IndexedSitesBetween(Session& s, const ProfessionalId& after, const ProfessionalId& last,
                                                bool national);
std::vector<ProfessionalRow> ProfessionalsByIds(Session& s, const std::vector<ProfessionalId>& ids);  // any order
// Those of `ids` that an active account is linked to.
std::vector<ProfessionalId> WithAccount(Session& s, const std::vector<ProfessionalId>& ids);
void InsertLocalProfessional(Session& s, const LocalProfessional& p, int64_t now);

// The territory's words (the shipped ones are a file), oldest first.
std::vector<VocabularyRow> VocabularyWords(Session& s);
void InsertVocabularyWord(Session& s, const VocabularyRow& w, const std::string& words_key);

// Structures.
std::optional<StructureRow> FindStructure(Session& s, const StructureId& id);
std::optional<int64_t> StructureVersion(Session& s, const StructureId& id);
std::vector<StructureRow> ActiveStructures(Session& s);  // in id order
std::vector<StructureRow> StructuresByIds(Session& s, const std::vector<StructureId>& ids);  // any order
// The structure picker of sign-up: every folded word must start a word of the name or the commune
// (at most 6 words are used), by name.
std::vector<StructureRow> StructuresMatching(Session& s, const std::vector<std::string>& folded_words, int64_t limit);
// Professionals working there (by a site or as their structure), by name, at most 100.
std::vector<StructureMemberRow> MembersOf(Session& s, const StructureId& id);
void InsertLocalStructure(Session& s, const LocalStructure& st, int64_t now);
// Each given detail replaces its column (empty → NULL), the others stay; bumps the version.
void UpdateStructureDetails(Session& s, const StructureId& id, const StructureDetails& d, int64_t now);
bool IsStructureAdmin(Session& s, const AccountId& account, const StructureId& structure);

// Activities and capacities.
std::vector<ActivityRow> ActivitiesOf(Session& s, const StructureId& structure);  // by creation
std::optional<ActivityRow> FindActivity(Session& s, const StructureId& structure, const ActivityId& id);
void InsertActivity(Session& s, const ActivityRow& a, int64_t now);
std::vector<CapacityRow> CapacitiesOf(Session& s, const ActivityId& activity);  // by type
// Sets the count (creating the row the first time) and appends it to the history.
void SetCapacity(Session& s, const ActivityId& activity, const CapacityRow& c);
std::vector<CapacityChangeRow> CapacityHistory(Session& s, const ActivityId& activity);  // newest first, at most 200
std::vector<AvailableFieldRow> FieldsWithPlaces(Session& s);

// The change log's directory scope (written through storage::AppendChange).
int64_t LastDirectoryChange(Session& s);
std::vector<DirectoryChangeRow> DirectoryChangesAfter(Session& s, int64_t seq);

}  // namespace cordee::directory::repo

namespace cordee::directory {

// The entry points src/demo calls today, by their former names and with text ids; they go once the demo
// inserts LocalStructure / LocalProfessional through repo:: itself.
struct Structure {
    std::string id, name, kind, finess, commune, postal_code;
    std::optional<std::pair<double, double>> point;  // lat, lon
    std::string category_code, phone, email, mssante;
};
struct Professional {
    std::string id, rpps, civility, first_name, last_name, profession_code, profession_label, specialty, practice_mode,
        structure_id, commune, postal_code;
    std::string phone, email, mssante;
};
void InsertStructure(storage::Session& s, const Structure& st);
void InsertProfessional(storage::Session& s, const Professional& p);

}  // namespace cordee::directory

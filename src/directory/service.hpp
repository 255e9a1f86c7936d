#pragma once
// The directory's rules: search over professionals and structures, their pages, locally created structures,
// and what structures offer (activities) with their capacities and history. The search index is built in the
// background from the database and rebuilt when the change log says the directory changed (an import, a
// capacity, a new structure), the professionals' and the structures' parts separately so that a capacity update
// only rebuilds the (small) structures' part. No SQL here (repository.hpp), no JSON (json.hpp): the service
// answers with the structs below and raises problem kinds (common/errors.hpp).
#include "directory/model.hpp"
#include "directory/search_index.hpp"
#include "storage/database.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <variant>

namespace cordee::directory {

// ---- What the service answers -----------------------------------------------------------------------------------

struct ProfessionalPage {
    ProfessionalRow entry;
    std::vector<PracticeSiteRow> sites;
    std::vector<std::string> specialties, practice_modes;  // without repeats: the entry's first, then its sites'
};

struct OfferedActivity {
    ActivityRow activity;
    std::vector<CapacityRow> capacities;
};

struct StructurePage {
    StructureRow entry;
    std::vector<OfferedActivity> activities;
    std::vector<StructureMemberRow> professionals;
    int64_t read_at = 0;  // the capacities' ages count from here
};

struct SearchItem {
    std::variant<ProfessionalRow, StructureRow> entry;
    float score = 0;
    float distance_km = -1;  // < 0 when unknown
};

struct SearchPage {
    SearchResult result;  // totals and facets (the index's page is `items`, read from the database)
    std::vector<SearchItem> items;
    std::set<std::string> with_account;  // the professionals of `items` who have an active Cordée account
    int page = 1, per_page = 20;
};

// The national entry a professional finds by their RPPS number at sign-up, with their sites.
struct RppsEntry {
    ProfessionalRow entry;
    std::vector<PracticeSiteRow> sites;
};

// ---- What the service is asked ----------------------------------------------------------------------------------

// A structure in no national file (association, CLIC, DAC, CPTS…), created by an operator.
struct NewStructure {
    std::string name, category_label, commune, postal_code, address, phone, email;
};

struct NewActivity {
    std::string field, care_mode, label, area;
    std::optional<int64_t> public_min_age, public_max_age;
};

// A word of the vocabulary with one of its meanings: shipped with Cordée, or added by an operator of the territory.
struct VocabularyItem {
    std::string id;  // "" for a shipped word
    std::string words;
    Meaning meaning;
    bool shipped = true;
    std::string created_by;
    int64_t created_at = 0;
};

// The right to change one structure's offer and details. Only DirectoryService::Administer makes one, after
// checking the actor, so that no change can be reached without that check.
class StructureGrant {
public:
    const StructureId& structure() const { return structure_; }
    const AccountId& by() const { return by_; }

private:
    friend class DirectoryService;
    StructureGrant(StructureId structure, AccountId by) : structure_(std::move(structure)), by_(std::move(by)) {}
    StructureId structure_;
    AccountId by_;
};

class DirectoryService {
public:
    explicit DirectoryService(storage::Database& db) : db_(db) {}
    ~DirectoryService();
    // Builds the index now (tests, small territories) or in the background (serve).
    void BuildNow();
    void StartRefresher();
    void Stop();
    bool ready() const { return ready_; }

    // 503 with Retry-After while the first index is being built.
    SearchPage Search(const SearchQuery& q);
    ProfessionalPage Professional(const ProfessionalId& id);  // 404 unknown
    StructurePage Structure(const StructureId& id);           // 404 unknown
    StructurePage CreateStructure(const AccountId& by, const NewStructure& s);

    // Operators and the administrators of this structure may change it; anyone else gets 403, audited.
    StructureGrant Administer(const Actor& actor, const StructureId& structure);
    // 404 unknown, 409 (with the current page) when `expected_version` is stale.
    StructurePage UpdateStructure(const StructureGrant& g, int64_t expected_version, const StructureDetails& d);
    OfferedActivity AddActivity(const StructureGrant& g, const NewActivity& a);
    // `type` is one of kCapacityTypes; each update is kept in the history. 404 when the activity is not the
    // structure's.
    CapacityRow SetCapacity(const StructureGrant& g, const ActivityId& activity, const std::string& type, int64_t count,
                            const std::string& unit);
    std::vector<CapacityChangeRow> History(const StructureId& structure, const ActivityId& activity);

    // The vocabulary: the shipped words, then the territory's (oldest first).
    std::vector<VocabularyItem> Words();
    // Operators only (anyone else 403, audited); 409 when the words already have this meaning. Audited, and in
    // search at once (other nodes: through the change log).
    VocabularyItem AddWord(const Actor& actor, const VocabularyEntry& word);

private:
    // National entries (imported) or local ones (demo, accounts without RPPS): two indexes, so that an account's
    // entry rebuilds only the small one.
    std::shared_ptr<const SearchIndex> BuildProfessionals(bool national);
    std::shared_ptr<const Vocabulary> LoadVocabulary();
    std::shared_ptr<const SearchIndex> BuildStructures();
    void RefreshLoop();
    StructurePage LoadStructure(storage::Session& s, const StructureId& id, int64_t now);

    storage::Database& db_;
    std::mutex index_mutex_;
    std::shared_ptr<const SearchIndex> professionals_, locals_, structures_;
    std::shared_ptr<const Vocabulary> vocabulary_;
    std::atomic<bool> ready_{false};
    std::thread refresher_;
    std::mutex stop_mutex_;
    std::condition_variable stop_cv_;
    bool stop_ = false;
    int64_t seen_seq_ = 0;
};

// Sign-up, before any account (open data; no index needed).
// The active national entry of an 11-digit RPPS number; 404 when there is none.
RppsEntry FindRppsEntry(storage::Database& db, const std::string& rpps);
// The structure picker: every word of `q` (case and accents ignored, the first 6) starts a word of the name or
// the commune; by name, at most `limit`.
std::vector<StructureRow> PickStructures(storage::Database& db, const std::string& q, int limit);

}  // namespace cordee::directory

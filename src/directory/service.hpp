#pragma once
// The directory: search over professionals and structures, their pages, locally created structures,
// and what structures offer (activities) with their capacities and history. The search index is
// built in the background from the database and rebuilt when the change log says the directory
// changed (an import, a capacity, a new structure), the professionals' and the structures' parts
// separately so that a capacity update only rebuilds the (small) structures' part.
#include "directory/search_index.hpp"
#include "storage/database.hpp"

#include <boost/json/object.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace cordee::directory {

inline const std::vector<std::string> kCapacityTypes = {"installee", "disponible", "occupee", "reservee", "fermee",
                                                       "supplementaire"};

class DirectoryService {
public:
    explicit DirectoryService(storage::Database& db) : db_(db) {}
    ~DirectoryService();
    // Builds the index now (tests, small territories) or in the background (serve).
    void BuildNow();
    void StartRefresher();
    void Stop();
    bool ready() const { return ready_; }

    boost::json::object Search(const SearchQuery& q);
    boost::json::object Professional(const std::string& id);
    boost::json::object Structure(const std::string& id);
    boost::json::object CreateStructure(const std::string& actor, const boost::json::object& fields);
    // The structure's own description (kept by its administrators; a FINESS import does not touch it).
    boost::json::object UpdateStructure(const std::string& id, int64_t expected_version, const boost::json::object& fields);
    boost::json::object AddActivity(const std::string& structure_id, const std::string& actor,
                                    const boost::json::object& fields);
    boost::json::object SetCapacity(const std::string& structure_id, const std::string& activity_id,
                                    const std::string& type, int64_t count, const std::string& unit,
                                    const std::string& actor);
    boost::json::array History(const std::string& structure_id, const std::string& activity_id);
    // Structure administrators of this structure and operators may change its offer.
    bool MayAdminister(const std::string& account_id, const std::string& role, const std::string& structure_id);

private:
    std::shared_ptr<const SearchIndex> BuildProfessionals();
    std::shared_ptr<const SearchIndex> BuildStructures();
    void RefreshLoop();
    int64_t LastDirectoryChange();

    storage::Database& db_;
    std::mutex index_mutex_;
    std::shared_ptr<const SearchIndex> professionals_, structures_;
    std::atomic<bool> ready_{false};
    std::thread refresher_;
    std::mutex stop_mutex_;
    std::condition_variable stop_cv_;
    bool stop_ = false;
    int64_t seen_seq_ = 0;
};

}  // namespace cordee::directory

#pragma once
// The SQL of the portal: a professional's favourite links.
#include "storage/database.hpp"

#include <string>
#include <vector>

namespace cordee::portal::repo {

struct Favorite {
    std::string id, label, url;
    int64_t created_at = 0;
};

int64_t CountFavorites(storage::Session& s, const std::string& account_id);
std::vector<Favorite> NewestFavorites(storage::Session& s, const std::string& account_id, int64_t limit);
void InsertFavorite(storage::Session& s, const std::string& account_id, const Favorite& f);
bool DeleteFavorite(storage::Session& s, const std::string& account_id, const std::string& id);  // false: not theirs

}  // namespace cordee::portal::repo

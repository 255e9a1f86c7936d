#include "portal/repository.hpp"

namespace cordee::portal::repo {

int64_t CountFavorites(storage::Session& s, const std::string& account_id) {
    return s.One("SELECT COUNT(*) FROM favorites WHERE account_id = ?", {account_id})->Int(0);
}

std::vector<Favorite> NewestFavorites(storage::Session& s, const std::string& account_id, int64_t limit) {
    std::vector<Favorite> out;
    for (const auto& r : s.Query("SELECT id, label, url, created_at FROM favorites WHERE account_id = ? ORDER BY "
                                 "created_at DESC LIMIT ?",
                                 {account_id, limit}))
        out.push_back({r.Str(0), r.Str(1), r.Str(2), r.Int(3)});
    return out;
}

void InsertFavorite(storage::Session& s, const std::string& account_id, const Favorite& f) {
    s.Queue("INSERT INTO favorites (id, account_id, label, url, created_at) VALUES (?, ?, ?, ?, ?)",
            {f.id, account_id, f.label, f.url, f.created_at});
}

bool DeleteFavorite(storage::Session& s, const std::string& account_id, const std::string& id) {
    return s.Exec("DELETE FROM favorites WHERE id = ? AND account_id = ?", {id, account_id}) == 1;
}

}  // namespace cordee::portal::repo

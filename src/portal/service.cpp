#include "portal/service.hpp"

#include "common/errors.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "portal/repository.hpp"
#include "storage/change_log.hpp"
#include "storage/idempotency.hpp"

#include <boost/json.hpp>

namespace cordee::portal {
namespace {
// The portal lists the newest 200; older ones stay (nothing a user added is dropped silently).
constexpr int64_t kListedFavorites = 200;

boost::json::object FavoriteJson(const std::string& id, const std::string& label, const std::string& url, int64_t at) {
    return {{"id", id}, {"label", label}, {"url", url}, {"created_at", FormatRfc3339(at)}};
}
}  // namespace

boost::json::object PortalService::Summary(const auth::Principal& p) {
    const int64_t pending = auth_.PendingEnrolmentCount(p);
    const int64_t favorites = db_.ReadValue([&](storage::Session& s) {
        return repo::CountFavorites(s, p.account_id);
    });
    const bool approver = p.role == auth::kOperator || p.role == auth::kStructureAdmin;
    boost::json::array services;
    // Services arrive capability by capability; the portal shows those not yet here as "coming".
    // Operators administer patients' records but do not follow patients: no alerts for them.
    const int64_t open_alerts = p.role == auth::kOperator ? 0 : alerts_.OpenCount(p);
    // Each tile counts what it says: the patients tile the patients followed ("6 patients suivis"), with the
    // open alerts beside them in the counters.
    const int64_t followed = p.role == auth::kOperator ? 0 : patients_.MineCount(p);
    services.push_back({{"key", "directory"}, {"available", true}, {"count", nullptr}});
    services.push_back({{"key", "patients"}, {"available", true}, {"count", followed}});
    const int64_t unread = messaging_.UnreadTotal(p);
    services.push_back({{"key", "messages"}, {"available", true}, {"count", unread}});
    for (const char* key : {"agenda", "pathways"})
        services.push_back({{"key", key}, {"available", false}, {"count", nullptr}});
    if (approver) services.push_back({{"key", "approvals"}, {"available", true}, {"count", pending}});
    if (p.role == auth::kOperator) services.push_back({{"key", "audit"}, {"available", true}, {"count", nullptr}});
    return {{"services", services}, {"counters",
             {{"pending_enrolments", pending}, {"favorites", favorites}, {"open_alerts", open_alerts}, {"followed_patients", followed},
              {"unread_messages", unread}}},
            {"open_alerts", open_alerts}};
}

boost::json::array PortalService::Favorites(const auth::Principal& p) {
    auto rows = db_.ReadValue([&](storage::Session& s) { return repo::NewestFavorites(s, p.account_id, kListedFavorites); });
    boost::json::array out;
    for (const auto& f : rows) out.push_back(FavoriteJson(f.id, f.label, f.url, f.created_at));
    return out;
}

std::pair<int, std::string> PortalService::AddFavorite(const auth::Principal& p, const std::string& label,
                                                       const std::string& url, const std::string& key) {
    return db_.WriteValue([&](storage::Session& s) -> std::pair<int, std::string> {
        if (!key.empty()) {
            if (auto prev = storage::FindIdempotent(s, p.account_id, key, "POST /api/v1/me/favorites"))
                return {prev->status, prev->body};
        }
        const std::string id = NewUuidV7();
        const int64_t now = NowMicros();
        repo::InsertFavorite(s, p.account_id, {id, label, url, now});
        const std::string body = boost::json::serialize(FavoriteJson(id, label, url, now));
        storage::AppendChange(s, {"favorite", id, "create", p.account_id, body});
        if (!key.empty()) storage::SaveIdempotent(s, p.account_id, key, "POST /api/v1/me/favorites", {201, body});
        return {201, body};
    });
}

void PortalService::RemoveFavorite(const auth::Principal& p, const std::string& id) {
    db_.Write([&](storage::Session& s) {
        if (!repo::DeleteFavorite(s, p.account_id, id)) throw NotFound();
        storage::AppendChange(s, {"favorite", id, "delete", p.account_id, "{}"});
    });
}

sync::AccountCollection FavoritesCollection() {
    sync::AccountCollection c;
    c.name = "favorites";
    c.entity = "favorite";
    c.all = [](storage::Session& s, const std::string& account_id) {
        std::vector<sync::Item> out;
        for (const auto& f : repo::NewestFavorites(s, account_id, kListedFavorites))
            out.push_back({"", f.id, "", FavoriteJson(f.id, f.label, f.url, f.created_at), ""});
        return out;
    };
    c.changed = [](const sync::ChangeRow& row) -> std::optional<sync::Item> {
        if (row.op == "delete") return sync::Item{"", row.entity_id, "", nullptr, "deleted"};
        boost::system::error_code ec;
        auto v = boost::json::parse(row.data, ec);
        if (ec) return std::nullopt;
        return sync::Item{"", row.entity_id, "", std::move(v), ""};
    };
    return c;
}

}  // namespace cordee::portal

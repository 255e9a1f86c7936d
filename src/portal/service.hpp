#pragma once
// The professional portal: one home page giving access to every service, with counters, and the
// user's favourites (shortcuts to the people, structures and pages they use most).
#include "alerts/service.hpp"
#include "auth/service.hpp"
#include "patients/service.hpp"
#include "storage/database.hpp"
#include "sync/collection.hpp"

#include "messaging/service.hpp"

#include <boost/json/object.hpp>

namespace cordee::portal {

class PortalService {
public:
    PortalService(storage::Database& db, auth::AuthService& auth, alerts::AlertService& alerts,
                  patients::PatientService& patients, messaging::MessagingService& messaging)
        : db_(db), auth_(auth), alerts_(alerts), patients_(patients), messaging_(messaging) {}
    boost::json::object Summary(const auth::Principal& p);
    boost::json::array Favorites(const auth::Principal& p);
    // Returns (status, body); a replayed Idempotency-Key returns the first answer.
    std::pair<int, std::string> AddFavorite(const auth::Principal& p, const std::string& label, const std::string& url,
                                            const std::string& idempotency_key);
    void RemoveFavorite(const auth::Principal& p, const std::string& id);

private:
    storage::Database& db_;
    auth::AuthService& auth_;
    alerts::AlertService& alerts_;
    patients::PatientService& patients_;
    messaging::MessagingService& messaging_;
};

// The favourites' collection of the offline store (sync/collection.hpp).
sync::AccountCollection FavoritesCollection();

}  // namespace cordee::portal

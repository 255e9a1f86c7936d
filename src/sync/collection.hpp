#pragma once
// What a module gives the offline store (docs/architecture.md, "Offline"): a collection of items of one patient,
// filled by the module that owns the data, through the scope the policy granted. The sync service knows no table
// of patient data: the banner, the notebook and the alerts plug in here, and later modules (messaging, agenda,
// pathways) add their own collection in app.cpp without touching the feed.
#include "patients/policy.hpp"
#include "patients/scope.hpp"
#include "storage/database.hpp"
#include "sync/model.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cordee::sync {

struct PatientCollection {
    std::string name;    // the store's collection ("entries")
    std::string entity;  // the change-log entity it follows ("notebook_entry")
    patients::Need need = patients::Need::kClinical;
    // The items the store keeps of the scope's patient (a bounded, recent part: the store is for the round, not the
    // archive), each with its key and value; collection and patient_id are filled by the feed.
    std::function<std::vector<Item>(patients::Scope&)> recent;
    // What a change of the entity `entity_id` makes of the store now: its item's current state, a tombstone (value
    // null: corrected into a version the grant may not read, gone), or nothing when the change is not for the store.
    std::function<std::optional<Item>(patients::Scope&, const std::string& entity_id)> changed;
};

// A collection of the account's own data (favourites; later its agenda…), whose changes are logged in the account's
// scope.
struct AccountCollection {
    std::string name, entity;
    std::function<std::vector<Item>(storage::Session&, const std::string& account_id)> all;
    // The item a logged change of `entity` gives (its state travels in the change), or its tombstone.
    std::function<std::optional<Item>(const ChangeRow&)> changed;
};

struct Collections {
    std::vector<PatientCollection> patient;
    std::vector<AccountCollection> account;
};

}  // namespace cordee::sync

#pragma once
// The one ordered change log (DESIGN.md §4): every write appends here in its own transaction, and
// sync, push and notifications read from it. `scope` names whose feed the change belongs to (an
// account id, or later a patient id whose circle may see it).
#include "storage/database.hpp"

#include <string>

namespace cordee::storage {

struct Change {
    std::string entity;     // "account", "favorite", …
    std::string entity_id;
    std::string op;         // "create", "update", "delete"
    std::string scope;      // feed it belongs to
    std::string data_json;  // the new state, or "{}" for a delete (tombstone)
};

void AppendChange(Session& s, const Change& c);

}  // namespace cordee::storage

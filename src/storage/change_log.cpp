#include "storage/change_log.hpp"

#include "common/time.hpp"

namespace cordee::storage {

void AppendChange(Session& s, const Change& c) {
    s.Queue("INSERT INTO change_log (at, entity, entity_id, op, scope, data) VALUES (?, ?, ?, ?, ?, ?)",
           {NowMicros(), c.entity, c.entity_id, c.op, c.scope, c.data_json});
}

}  // namespace cordee::storage

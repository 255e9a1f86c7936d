#pragma once
// One event of an account's live feed (docs/messaging.md, "Live push").
#include <cstdint>
#include <string>

namespace cordee::live {

struct EventRow {
    int64_t seq = 0;
    std::string kind;       // "message", "message_updated", "read", "conversation", …
    std::string data_json;  // the event's object
    int64_t at = 0;         // micros
};

}  // namespace cordee::live

#pragma once
// Identifiers: UUIDv7 text (time-ordered, so indexes stay compact) and strong typedefs so that
// two kinds of id cannot be swapped silently.
#include <string>
#include <string_view>

namespace cordee {

std::string NewUuidV7();
bool IsUuid(std::string_view s);
// A UUIDv7-shaped id from a fast per-thread generator: for request ids, which must be unique but need
// not be unpredictable (no system call per request).
std::string NewRequestId();
// A stable id derived from a name (UUID version 8 over SHA-256): the same national identifier always gives
// the same id, so re-imports and several nodes agree without a lookup.
std::string NameBasedUuid(std::string_view name);
// The same, but its first 8 bytes are `order`: ids of entries imported in the order of a national file
// sort in that order, so that bulk inserts append to indexes instead of scattering.
std::string OrderedNameUuid(uint64_t order, std::string_view name);

template <class Tag>
struct StrongId {
    std::string value;
    bool operator==(const StrongId&) const = default;
    bool empty() const { return value.empty(); }
};
using AccountId = StrongId<struct AccountTag>;
using StructureId = StrongId<struct StructureTag>;

}  // namespace cordee

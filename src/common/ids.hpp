#pragma once
// Identifiers: UUIDv7 text (time-ordered, so indexes stay compact) and strong typedefs so that
// two kinds of id cannot be swapped silently.
#include <compare>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

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

// An id of one kind: made from its text only explicitly, so that a StructureId cannot be passed where an
// AccountId is expected, nor a bare string where either is. Read back with str() (SQL parameters, JSON).
template <class Tag>
class StrongId {
public:
    StrongId() = default;
    explicit StrongId(std::string value) : value_(std::move(value)) {}
    const std::string& str() const { return value_; }
    bool empty() const { return value_.empty(); }
    auto operator<=>(const StrongId&) const = default;

private:
    std::string value_;
};
// An optional column read as an optional id of its kind.
template <class Id>
std::optional<Id> OptionalId(std::optional<std::string> value) {
    if (!value) return std::nullopt;
    return Id(std::move(*value));
}

using AccountId = StrongId<struct AccountTag>;
using StructureId = StrongId<struct StructureTag>;

}  // namespace cordee

template <class Tag>
struct std::hash<cordee::StrongId<Tag>> {
    size_t operator()(const cordee::StrongId<Tag>& id) const noexcept { return std::hash<std::string>{}(id.str()); }
};

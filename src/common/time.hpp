#pragma once
// Instants are stored as integer microseconds since the Unix epoch (UTC) and shown as RFC 3339.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cordee {

int64_t NowMicros();
std::string FormatRfc3339(int64_t micros);
std::optional<int64_t> ParseRfc3339(std::string_view s);
constexpr int64_t kMicrosPerSecond = 1'000'000;

}  // namespace cordee

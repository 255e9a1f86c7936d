#pragma once
// What the server reads from a request line and headers before routing, kept apart from Beast so that it
// can be tested and fuzzed on its own (tests/fuzz/http_headers).
#include <map>
#include <string>
#include <string_view>

namespace cordee::http {

// Splits an origin-form target ("/path?a=1&b=%C3%A9") into its decoded path and decoded query parameters
// (a repeated name keeps the last value). False when the target is unreadable; then nothing is written.
bool ParseTarget(std::string_view target, std::string& path, std::map<std::string, std::string>& query);

// An X-Request-Id a client may choose: 1 to 64 of [A-Za-z0-9_-].
bool ValidRequestId(const std::string& s);

}  // namespace cordee::http

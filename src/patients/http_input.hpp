#pragma once
// Input helpers shared by the routes of patient modules (patients, notebook, alerts): ids in paths,
// page sizes, times and enumerations in bodies. Bad values become 404 (ids) or 422 on the field.
#include "common/json_input.hpp"
#include "http/router.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cordee::patients {

// A path id that is not a UUID answers like an unknown patient (404), never 400: nothing to learn.
const std::string& IdParam(const http::Request& req, const std::string& name);
int LimitParam(const http::Request& req, int fallback, int max);
// Query parameter that must be one of `allowed` (or empty).
std::string EnumParam(const http::Request& req, const char* name, const std::vector<std::string>& allowed);
// Body field that must be one of `allowed`; nothing when absent (and not required).
std::optional<std::string> EnumField(const boost::json::object& body, JsonInput& in, const char* key,
                                     const std::vector<std::string>& allowed, bool required);
// RFC 3339 instant in the body.
std::optional<int64_t> TimeField(const boost::json::object& body, JsonInput& in, const char* key);
std::optional<bool> BoolField(const boost::json::object& body, JsonInput& in, const char* key);
std::string JoinAllowed(const std::vector<std::string>& allowed);

}  // namespace cordee::patients

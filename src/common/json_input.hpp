#pragma once
// Reading untrusted JSON bodies: parse with a depth limit, then pick typed fields with length
// bounds, collecting every problem so that the user sees all fields to fix at once (422 errors[]).
#include "common/errors.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace cordee {

// Throws 400 malformed-json when the body is not a JSON object within the limits.
boost::json::object ParseJsonObject(std::string_view body);

class JsonInput {
public:
    explicit JsonInput(const boost::json::object& obj) : obj_(obj) {}
    explicit JsonInput(std::string_view body) : owned_(ParseJsonObject(body)), obj_(owned_) {}

    // Required text, NFC-normalised and trimmed, between min and max characters (UTF-8 code points).
    std::string Text(std::string_view key, size_t min_chars, size_t max_chars);
    std::optional<std::string> OptText(std::string_view key, size_t max_chars);
    std::optional<JsonInput> OptObject(std::string_view key);
    std::optional<bool> OptBool(std::string_view key);
    std::string Email(std::string_view key);
    std::string Password(std::string_view key);  // a new password: 12 to 256 characters
    std::string Secret(std::string_view key, size_t max_chars);  // as typed: no trimming or normalising
    void Fail(std::string field, std::string message) { errors_.push_back({std::move(field), std::move(message)}); }
    // Fields outside `allowed` are refused (a client must not believe it changed what it cannot change).
    void OnlyFields(std::initializer_list<std::string_view> allowed);
    bool Has(std::string_view key) const { return obj_.contains(key) && !obj_.at(key).is_null(); }
    // Throws 422 with every collected error, if any.
    void Done();

private:
    boost::json::object owned_;
    const boost::json::object& obj_;
    std::vector<FieldError> errors_;
    std::string prefix_;
};

}  // namespace cordee

#pragma once
// Errors that map to an HTTP status, thrown from deep code and turned into RFC 9457 problem+json in
// one place (http/router). Services never build responses themselves.
#include <boost/json/value.hpp>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace cordee {

struct FieldError {
    std::string field;
    std::string message;
};

class Error : public std::runtime_error {
public:
    Error(int status, std::string slug, std::string title, std::string detail = {},
          std::vector<FieldError> errors = {});

    int status() const { return status_; }
    const std::string& slug() const { return slug_; }
    const std::string& title() const { return title_; }
    const std::string& detail() const { return detail_; }
    const std::vector<FieldError>& errors() const { return errors_; }
    // Extra response headers (Retry-After, Allow) and members (the current record on a conflict).
    std::vector<std::pair<std::string, std::string>> headers;
    boost::json::object extra;

    Error& WithHeader(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }

private:
    int status_;
    std::string slug_, title_, detail_;
    std::vector<FieldError> errors_;
};

// The common ones, with their French titles, so that every module says the same thing.
Error NotFound(std::string detail = "La ressource demandée n'existe pas.");
Error Invalid(std::vector<FieldError> errors);
Error Invalid(std::string field, std::string message);
Error Unauthenticated(std::string detail = "Connectez-vous pour continuer.");
Error Forbidden(std::string detail = "Vous n'avez pas le droit de faire cela.");
Error Conflict(std::string detail, boost::json::object current);
Error TooManyAttempts(int retry_after_seconds);

}  // namespace cordee

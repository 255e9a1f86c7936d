#pragma once
// Errors that map to an HTTP status, thrown from deep code and turned into RFC 9457 problem+json in
// one place (http/router). Services never build responses themselves.
#include "common/problems.hpp"

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
    // A kind of the one list (common/problems.hpp) and what happened in this case, in French.
    // There is no other constructor: a status, slug or title never appears outside the one list.
    explicit Error(Problem kind, std::string detail = {}, std::vector<FieldError> errors = {});

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
    Error(int status, std::string slug, std::string title, std::string detail, std::vector<FieldError> errors);
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
// A value that must be unique is already taken (a unique index refused the write, on either backend):
// 409 naming the column, never a 500.
Error Duplicate(std::string field, std::string detail = "Cette valeur est déjà utilisée.");
// The disk is full (ENOSPC, SQLITE_FULL): 507, nothing of the request was kept.
Error InsufficientStorage();
// The disk refused a write or a sync (EIO…): 503, nothing of the request was kept.
Error StorageFailure();
// The column named by a backend's unique-violation message: "UNIQUE constraint failed: accounts.email"
// (SQLite) or "Key (email)=(…) already exists." (PostgreSQL); "" when none is found.
std::string UniqueColumnOf(const std::string& message);

}  // namespace cordee

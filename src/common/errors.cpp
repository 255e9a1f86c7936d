#include "common/errors.hpp"

namespace cordee {

Error::Error(int status, std::string slug, std::string title, std::string detail, std::vector<FieldError> errors)
    : std::runtime_error(slug + ": " + detail),
      status_(status),
      slug_(std::move(slug)),
      title_(std::move(title)),
      detail_(std::move(detail)),
      errors_(std::move(errors)) {}

Error NotFound(std::string detail) { return Error(404, "not-found", "Introuvable", std::move(detail)); }

Error Invalid(std::vector<FieldError> errors) {
    return Error(422, "invalid-field", "Données invalides", "Certains champs sont à corriger.", std::move(errors));
}

Error Invalid(std::string field, std::string message) {
    return Invalid(std::vector<FieldError>{{std::move(field), std::move(message)}});
}

Error Unauthenticated(std::string detail) {
    return Error(401, "unauthenticated", "Connexion nécessaire", std::move(detail));
}

Error Forbidden(std::string detail) { return Error(403, "forbidden", "Accès refusé", std::move(detail)); }

Error Conflict(std::string detail, boost::json::object current) {
    Error e(409, "conflict", "Modification concurrente", std::move(detail));
    e.extra["current"] = std::move(current);
    return e;
}

Error TooManyAttempts(int retry_after_seconds) {
    Error e(429, "too-many-attempts", "Trop de tentatives",
            "Trop de tentatives en peu de temps. Réessayez dans " + std::to_string((retry_after_seconds + 59) / 60) +
                " minute(s).");
    e.WithHeader("Retry-After", std::to_string(retry_after_seconds));
    e.extra["retry_after"] = retry_after_seconds;
    return e;
}

}  // namespace cordee

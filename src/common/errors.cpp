#include "common/errors.hpp"

namespace cordee {

const ProblemInfo& InfoOf(Problem kind) {
    static constexpr ProblemInfo kInfo[] = {
#define CORDEE_PROBLEM_INFO(name, status, slug, title) {status, slug, title},
        CORDEE_PROBLEM_KINDS(CORDEE_PROBLEM_INFO)
#undef CORDEE_PROBLEM_INFO
    };
    return kInfo[static_cast<size_t>(kind)];
}

Error::Error(Problem kind, std::string detail, std::vector<FieldError> errors)
    : Error(InfoOf(kind).status, std::string(InfoOf(kind).slug), std::string(InfoOf(kind).title), std::move(detail),
            std::move(errors)) {}

Error::Error(int status, std::string slug, std::string title, std::string detail, std::vector<FieldError> errors)
    : std::runtime_error(slug + ": " + detail),
      status_(status),
      slug_(std::move(slug)),
      title_(std::move(title)),
      detail_(std::move(detail)),
      errors_(std::move(errors)) {}

Error NotFound(std::string detail) { return Error(Problem::kNotFound, std::move(detail)); }

Error Invalid(std::vector<FieldError> errors) {
    return Error(Problem::kInvalidField, "Certains champs sont à corriger.", std::move(errors));
}

Error Invalid(std::string field, std::string message) {
    return Invalid(std::vector<FieldError>{{std::move(field), std::move(message)}});
}

Error Unauthenticated(std::string detail) {
    return Error(Problem::kUnauthenticated, std::move(detail));
}

Error Forbidden(std::string detail) { return Error(Problem::kForbidden, std::move(detail)); }

Error Conflict(std::string detail, boost::json::object current) {
    Error e(Problem::kConflict, std::move(detail));
    e.extra["current"] = std::move(current);
    return e;
}

Error TooManyAttempts(int retry_after_seconds) {
    Error e(Problem::kTooManyAttempts,
            "Trop de tentatives en peu de temps. Réessayez dans " + std::to_string((retry_after_seconds + 59) / 60) +
                " minute(s).");
    e.WithHeader("Retry-After", std::to_string(retry_after_seconds));
    e.extra["retry_after"] = retry_after_seconds;
    return e;
}

Error Duplicate(std::string field, std::string detail) {
    return Error(Problem::kDuplicate, std::move(detail), {{std::move(field), "déjà utilisé"}});
}

Error InsufficientStorage() {
    return Error(Problem::kInsufficientStorage,
                 "Le serveur n'a plus d'espace disque : rien de cette demande n'a été enregistré. Réessayez plus tard ; "
                 "si cela dure, prévenez l'administrateur de la plateforme.");
}

Error StorageFailure() {
    return Error(Problem::kStorageUnavailable,
                 "Le disque du serveur a refusé l'écriture : rien de cette demande n'a été enregistré. Réessayez plus "
                 "tard ; si cela dure, prévenez l'administrateur de la plateforme.");
}

std::string UniqueColumnOf(const std::string& message) {
    if (auto at = message.find("UNIQUE constraint failed: "); at != std::string::npos) {
        auto start = at + 26;
        auto end = message.find_first_of(", \n", start);
        std::string col = message.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (auto dot = col.find('.'); dot != std::string::npos) col = col.substr(dot + 1);
        return col;
    }
    if (auto at = message.find("Key ("); at != std::string::npos) {
        auto start = at + 5;
        auto end = message.find_first_of(",)", start);
        if (end != std::string::npos) return message.substr(start, end - start);
    }
    return "";
}

}  // namespace cordee

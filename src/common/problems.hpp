#pragma once
// The one list of problem kinds (RFC 9457): each is mapped here, once, to its HTTP status, its stable `type`
// (urn:cordee:problem:SLUG, what clients test) and its French title (what people read). Services raise a kind
// with a detail that says what happened in this case; they never name a status.
#include <string_view>

namespace cordee {

// X(enumerator, status, slug, title)
#define CORDEE_PROBLEM_KINDS(X)                                                                              \
    X(kBadRequest, 400, "bad-request", "Requête invalide")                                                    \
    X(kMalformedJson, 400, "malformed-json", "Requête illisible")                                             \
    X(kBadFile, 400, "bad-file", "Fichier inutilisable")                                                      \
    X(kBadConfig, 400, "bad-config", "Configuration invalide")                                                \
    X(kInvalidToken, 400, "invalid-token", "Lien invalide")                                                   \
    X(kPscLinkExpired, 400, "psc-link-expired", "Connexion Pro Santé Connect à refaire")                      \
    X(kUnauthenticated, 401, "unauthenticated", "Connexion nécessaire")                                       \
    X(kInvalidCredentials, 401, "invalid-credentials", "Identifiants incorrects")                             \
    X(kInvalidCode, 401, "invalid-code", "Code incorrect")                                                    \
    X(kCodeAlreadyUsed, 401, "code-already-used", "Code déjà utilisé")                                        \
    X(kSecondFactorRequired, 401, "second-factor-required", "Second facteur requis")                          \
    X(kSessionExpired, 401, "session-expired", "Session expirée")                                             \
    X(kForbidden, 403, "forbidden", "Accès refusé")                                                           \
    X(kOriginRefused, 403, "origin-refused", "Origine refusée")                                               \
    X(kNotMember, 403, "not-member", "Vous ne participez pas à cette conversation")                           \
    X(kCsrf, 403, "csrf", "Requête refusée")                                                                  \
    X(kEmailNotConfirmed, 403, "email-not-confirmed", "Adresse e-mail non confirmée")                         \
    X(kAccountPendingApproval, 403, "account-pending-approval", "Inscription en attente")                     \
    X(kAccountRejected, 403, "account-rejected", "Inscription refusée")                                       \
    X(kAccountDisabled, 403, "account-disabled", "Compte désactivé")                                          \
    X(kNotFound, 404, "not-found", "Introuvable")                                                             \
    X(kMethodNotAllowed, 405, "method-not-allowed", "Méthode non permise")                                    \
    X(kConflict, 409, "conflict", "Modification concurrente")                                                 \
    X(kDuplicate, 409, "duplicate", "Déjà utilisé")                                                           \
    X(kPossibleDuplicate, 409, "possible-duplicate", "Ce patient existe peut-être déjà")                      \
    X(kPatientMerged, 409, "patient-merged", "Dossier fusionné")                                              \
    X(kAlreadyMember, 409, "already-member", "Déjà dans le cercle de soins")                                  \
    X(kSyncReset, 410, "sync-reset", "Synchronisation à reprendre depuis le début")                           \
    X(kPayloadTooLarge, 413, "payload-too-large", "Requête trop volumineuse")                                 \
    X(kUnsupportedMediaType, 415, "unsupported-media-type", "Format non pris en charge")                      \
    X(kInvalidField, 422, "invalid-field", "Données invalides")                                               \
    X(kInsiNoMatch, 422, "insi-no-match", "Identité non retrouvée par INSi")                                  \
    X(kPscNotInDirectory, 422, "psc-not-in-directory", "Professionnel absent de l'annuaire")                  \
    X(kPreconditionRequired, 428, "precondition-required", "Version manquante")                               \
    X(kUpgradeRequired, 426, "upgrade-required", "Connexion WebSocket attendue")                             \
    X(kTooManyAttempts, 429, "too-many-attempts", "Trop de tentatives")                                       \
    X(kTooManyMessages, 429, "too-many-messages", "Trop de messages envoyés")                                 \
    X(kInternal, 500, "internal", "Erreur interne")                                                           \
    X(kAuditKey, 500, "audit-key", "Clé d'ancrage du journal d'audit inutilisable")                           \
    X(kSsoRefused, 502, "sso-refused", "Connexion Pro Santé Connect refusée")                                 \
    X(kStorageUnavailable, 503, "storage-unavailable", "Enregistrement impossible")                           \
    X(kServerBusy, 503, "server-busy", "Serveur occupé")                                                      \
    X(kIndexBuilding, 503, "index-building", "Annuaire en préparation")                                       \
    X(kInsufficientStorage, 507, "insufficient-storage", "Espace disque insuffisant")                         \
    X(kQuotaExceeded, 507, "quota-exceeded", "Quota de stockage atteint")

enum class Problem {
#define CORDEE_PROBLEM_ENUM(name, status, slug, title) name,
    CORDEE_PROBLEM_KINDS(CORDEE_PROBLEM_ENUM)
#undef CORDEE_PROBLEM_ENUM
};

struct ProblemInfo {
    int status;
    std::string_view slug, title;
};
const ProblemInfo& InfoOf(Problem kind);

}  // namespace cordee

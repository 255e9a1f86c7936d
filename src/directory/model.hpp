#pragma once
// What the directory holds, as the repository reads and writes it: one struct per kind of row, and the
// strong ids that name them in every signature (a StructureId cannot go where a ProfessionalId is expected).
// Texts are "" when the column is NULL: the API shows both as null (docs/directory.md, Model).
#include "common/ids.hpp"
#include "directory/vocabulary.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cordee::directory {

using ProfessionalId = StrongId<struct ProfessionalTag>;
using ActivityId = StrongId<struct ActivityTag>;  // what a structure offers (structure_activities)
// StructureId and AccountId: common/ids.hpp (other modules name them too).

// A professional of the RPPS (or ADELI) file, or one entered locally (demo, before the national file had them).
struct ProfessionalRow {
    ProfessionalId id;
    std::string id_type;      // "RPPS", "ADELI"; "" for a local entry of the foundation
    std::string national_id;  // type digit + number ("8" + RPPS), the key of the imports
    std::string rpps, civility, first_name, last_name, profession_code, profession_label, specialty, practice_mode;
    std::string postal_code, commune, departement;
    std::string mssante;  // their MSSanté (secure messaging) address
    bool active = true;
};

// A place where a professional works (professional_activities): their structure, or their own practice.
struct PracticeSiteRow {
    std::optional<StructureId> structure_id;  // the FINESS structure of the site, when it is one
    std::string site_name, address, postal_code, commune, commune_code, departement, phone, email, practice_mode,
        finess_site, siret, specialty_label;
};

// What the search index needs of a site: its places, and the position of its structure.
struct IndexedSiteRow {
    ProfessionalId professional_id;
    std::string practice_mode, postal_code, commune, departement, site_name;
    std::optional<std::pair<double, double>> point;  // lat, lon
};

struct StructureRow {
    StructureId id;
    std::string finess, finess_ej, siret, name, long_name, category_code, category_label, kind, address, postal_code,
        commune, departement, phone, email, mssante;
    std::optional<std::pair<double, double>> point;  // lat, lon
    std::string source;  // "finess" or "local"
    bool active = true;
    std::string description;
    int64_t version = 1;
};

// A structure created in Cordée (association, CLIC, DAC, CPTS… or the demo): in no national file, so that a
// FINESS import never deactivates it.
struct LocalStructure {
    StructureId id;
    std::string name, kind, finess, commune, postal_code;
    std::optional<std::pair<double, double>> point;  // lat, lon
    std::string category_label, address, phone, email;
    std::optional<AccountId> proposed_by;
    std::string category_code, mssante;  // the demo's FINESS category; its MSSanté mailbox
};

// What a structure's administrators keep about it (a FINESS import does not touch these): each field given
// replaces the current one (empty clears it), the others stay.
struct StructureDetails {
    std::optional<std::string> phone, email, address, description;
};

// A professional entered locally (the demo), with the one site they work at: their structure when salaried.
struct LocalProfessional {
    ProfessionalId id;
    std::string rpps, civility, first_name, last_name, profession_code, profession_label, specialty, practice_mode;
    std::optional<StructureId> structure_id;
    std::string commune, postal_code;
    std::string phone, email, mssante;  // of their site, as the national files carry them
};

// What a structure offers (ROR-like): a field and a care mode, for a public.
struct ActivityRow {
    ActivityId id;
    StructureId structure_id;
    std::string field, care_mode, label;
    std::optional<int64_t> public_min_age, public_max_age;
    std::string area;
    int64_t version = 1;
};

inline const std::vector<std::string> kCapacityTypes = {"installee", "disponible", "occupee", "reservee", "fermee",
                                                       "supplementaire"};

// The current count of one capacity type of an activity.
struct CapacityRow {
    std::string type;  // one of kCapacityTypes
    int64_t count = 0;
    std::string unit;  // "lits" or "places"
    int64_t updated_at = 0;
    std::optional<AccountId> updated_by;
    std::optional<std::string> updated_by_name;  // when the account still exists
};

// One update of a capacity, as kept in its history.
struct CapacityChangeRow {
    std::string type;
    int64_t count = 0;
    std::string unit;
    int64_t at = 0;
    std::optional<AccountId> by;
    std::optional<std::string> by_name;
};

// A professional shown on a structure's page.
struct StructureMemberRow {
    ProfessionalId id;
    std::string first_name, last_name, profession_label;
};

// An activity field of a structure with places available now (the has_capacity filter of the search).
struct AvailableFieldRow {
    StructureId structure_id;
    std::string field;
};

// An entry of the change log's directory scope: what the search index refresher reacts to.
struct DirectoryChangeRow {
    int64_t seq = 0;
    std::string entity, entity_id;
};

// Who asks for a change, as the routes know them.
struct Actor {
    AccountId account;
    std::string role;  // auth roles: "operator", "structure_admin", …
    std::string ip;    // of the request, for the audit trail
};

}  // namespace cordee::directory

namespace cordee::directory {

// A word a territory's operator added to the vocabulary, with one meaning.
struct VocabularyRow {
    std::string id, words;
    Meaning meaning;
    std::string created_by;
    int64_t created_at = 0;
};

}  // namespace cordee::directory

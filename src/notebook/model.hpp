#pragma once
// What the notebook holds, as the repository reads and writes it: the entries' versions (`notebook_entries`), the
// files attached to them (`attachments`), and the kinds and visibilities an entry may have.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.hpp"

namespace cordee::notebook {

// An entry is named by the id of its first version (its root) or of one version; a file by its own id.
using EntryId = StrongId<struct EntryTag>;
using AttachmentId = StrongId<struct AttachmentTag>;

inline const std::vector<std::string> kKinds = {"observation", "transmission", "visit", "event", "document"};
inline const std::vector<std::string> kVisibilities = {"circle", "health", "structure"};

// One version of an entry as stored, with the name of its author's structure. supersedes none for a first version,
// structure_id and structure_name none without a structure, vitals "" without vital signs (JSON text otherwise).
struct EntryRow {
    EntryId id, root_id;
    int64_t version = 1;
    std::optional<EntryId> supersedes;
    std::string kind, visibility, author_id, author_name, author_profession;
    std::optional<std::string> structure_id;
    int64_t fact_at = 0, written_at = 0;
    std::string body, vitals;
    std::optional<std::string> structure_name;
};

// The vital signs of one entry's latest version (JSON text), for the history of each measure.
struct VitalsRow {
    EntryId root_id;
    int64_t fact_at = 0;
    std::string vitals;
};

// A version to insert (a new entry or a correction). supersedes, structure_id and vitals: "" for NULL.
struct NewVersion {
    EntryId id, root_id;  // of the scope's patient
    int64_t version = 1;
    EntryId supersedes;
    std::string kind, visibility, author_id, author_name, author_profession, structure_id;
    int64_t fact_at = 0, written_at = 0;
    std::string body, vitals;
};

// What a correction reads of the version it corrects; superseded_by none while it is the latest.
struct EntryHeadRow {
    EntryId root_id;
    int64_t version = 1;
    std::string kind, visibility, author_id;
    std::optional<std::string> superseded_by;
    std::string structure_id;  // "" when none
};

// The visibility of an entry's latest version ("" structure when none).
struct EntryVisibilityRow {
    std::string visibility, structure_id;
};

// A file as the entries list it; entry_id is the root of the entry it is attached to ("" when not read).
struct AttachmentRow {
    EntryId entry_id;
    AttachmentId id;
    std::string name, mime;
    int64_t size = 0;
};

// Who uploaded a file and the entry (root) it is attached to, none before it is attached.
struct AttachmentOwnerRow {
    std::string uploaded_by;
    std::optional<EntryId> entry_id;
};

// A file as a download reads it: its blob, name and type, uploader and entry (root; none before it is attached).
struct StoredFileRow {
    std::string sha256, name, mime, uploaded_by;
    std::optional<EntryId> entry_id;
};

struct NewAttachment {
    AttachmentId id;  // of the scope's patient
    std::string sha256, name, mime;
    int64_t size = 0;
    std::string uploaded_by;
    int64_t uploaded_at = 0;
};

}  // namespace cordee::notebook

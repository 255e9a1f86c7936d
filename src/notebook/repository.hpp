#pragma once
// The SQL of the notebook: the entries' versions and their attached files. The rules (who may write, correct or
// download, what a grant may see, the quota) stay in service.cpp; the visibility condition comes from the policy as
// a Clause. Every function runs in the caller's transaction.
#include "notebook/model.hpp"
#include "patients/policy.hpp"
#include "patients/scope.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace cordee::notebook::repo {

// Entries.
// The scope's patient's entries only.
std::optional<EntryRow> FindEntry(patients::Scope& sc, const EntryId& id);
// The latest versions of the patient's entries that `visible` keeps, newest fact first (then id), after `cursor`
// (fact_at, id) when given, of this kind and author when not empty, at most `limit`.
struct EntryFilter {
    std::string kind, author;
    std::optional<std::pair<int64_t, EntryId>> cursor;
    int64_t limit = 31;
};
std::vector<EntryRow> ListLatest(patients::Scope& sc, const patients::Clause& visible, const EntryFilter& f);
// The older versions of these entries (roots), latest first.
std::vector<EntryRow> OlderVersions(patients::Scope& sc, const std::vector<EntryId>& roots);
std::optional<EntryHeadRow> FindEntryHead(patients::Scope& sc, const EntryId& id);
std::optional<EntryId> LatestVersionId(patients::Scope& sc, const EntryId& root_id);
std::optional<EntryVisibilityRow> LatestVisibility(patients::Scope& sc, const EntryId& root_id);
void QueueInsertVersion(patients::Scope& sc, const NewVersion& v);
// The vital signs of the latest versions `visible` keeps, newest fact first, at most `limit` entries.
std::vector<VitalsRow> LatestVitals(patients::Scope& sc, const patients::Clause& visible, int64_t limit);
// Marks a version corrected by `by`: the number of rows changed (0 when it already was).
int64_t MarkSuperseded(patients::Scope& sc, const EntryId& id, const EntryId& by);

// Attachments.
// The files of these entries (roots) of the patient, by upload.
std::vector<AttachmentRow> AttachmentsOfEntries(patients::Scope& sc, const std::vector<EntryId>& roots);
std::vector<AttachmentRow> AttachmentsOfEntry(patients::Scope& sc, const EntryId& root_id);  // by upload
std::optional<AttachmentOwnerRow> AttachmentOwner(patients::Scope& sc, const AttachmentId& id);
void QueueAttach(patients::Scope& sc, const AttachmentId& id, const EntryId& root_id);
std::optional<StoredFileRow> FindAttachment(patients::Scope& sc, const AttachmentId& id);
// The account's files across patients, in bytes (its quota).
int64_t UploadedBytes(storage::Session& s, const std::string& account_id);
void QueueInsertAttachment(patients::Scope& sc, const NewAttachment& a);
// Whether a row refers to this blob; which of these blobs rows refer to.
bool BlobReferenced(storage::Session& s, const std::string& sha256);
std::set<std::string> ReferencedBlobs(storage::Session& s, const std::vector<std::string>& sha256s);

}  // namespace cordee::notebook::repo

#pragma once
// The liaison notebook (cahier de liaison): typed entries with a visibility, the time of the fact and of
// the writing, vital signs and attachments. Append-only: a correction is a new version pointing to the
// one it replaces, which stays readable (shown struck through). Reached only through PatientRecords.
#include "notebook/attachments.hpp"
#include "patients/records.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace cordee::notebook {

inline const std::vector<std::string> kKinds = {"observation", "transmission", "visit", "event", "document"};
inline const std::vector<std::string> kVisibilities = {"circle", "health", "structure"};

struct NewEntry {
    std::optional<std::string> kind, visibility;  // required for a new entry; default to the corrected one's
    std::string body, structure_id;
    int64_t fact_at = 0;           // 0: now
    boost::json::object vitals;    // checked by the routes
    std::vector<std::string> attachments;
};

struct ListQuery {
    std::string kind, author, cursor;
    int limit = 30;
};

struct File {
    std::string name, mime, bytes;
};

class NotebookService {
public:
    NotebookService(patients::PatientRecords& records, std::string blob_dir)
        : records_(records), blobs_(std::move(blob_dir)) {}

    std::pair<int, std::string> Add(const auth::Principal& p, const std::string& patient_id, const NewEntry& e,
                                    const std::string& idempotency_key);
    boost::json::object Correct(const auth::Principal& p, const std::string& patient_id, const std::string& entry_id,
                                int64_t version, const NewEntry& e);
    boost::json::object List(const auth::Principal& p, const std::string& patient_id, const ListQuery& q);
    boost::json::object Upload(const auth::Principal& p, const std::string& patient_id, const std::string& name,
                               const std::string& bytes);
    File Download(const auth::Principal& p, const std::string& patient_id, const std::string& attachment_id);

private:
    patients::PatientRecords& records_;
    BlobStore blobs_;
};

}  // namespace cordee::notebook

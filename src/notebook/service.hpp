#pragma once
// The liaison notebook (cahier de liaison): typed entries with a visibility, the time of the fact and of
// the writing, vital signs and attachments. Append-only: a correction is a new version pointing to the
// one it replaces, which stays readable (shown struck through). Reached only through PatientRecords.
#include "common/config.hpp"
#include "notebook/attachments.hpp"
#include "notebook/image.hpp"
#include "notebook/model.hpp"
#include "notebook/vitals.hpp"
#include "patients/records.hpp"
#include "sync/collection.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cordee::notebook {

struct NewEntry {
    std::optional<std::string> kind, visibility;  // required for a new entry; default to the corrected one's
    std::string body, structure_id;
    int64_t fact_at = 0;           // 0: now
    boost::json::object vitals;    // checked by the routes
    std::vector<AttachmentId> attachments;
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
    // Files under DATA/blobs; cfg.upload_quota_bytes per account, cfg.ImageDecodes() images decoded at once.
    NotebookService(patients::PatientRecords& records, const Config& cfg);
    ~NotebookService();

    std::pair<int, std::string> Add(const auth::Principal& p, const std::string& patient_id, const NewEntry& e,
                                    const std::string& idempotency_key);
    boost::json::object Correct(const auth::Principal& p, const std::string& patient_id, const EntryId& entry_id,
                                int64_t version, const NewEntry& e);
    boost::json::object List(const auth::Principal& p, const std::string& patient_id, const ListQuery& q);
    // What an upload's precheck asks before its body is read (http::Router::AddUpload): may this account add a file to
    // this patient? 404 (audited) when not, as Upload would answer; Upload decides again in its own transaction.
    void CheckUpload(const auth::Principal& p, const std::string& patient_id);
    // The file is checked, re-encoded when an image (DecodeSlots), stored, then recorded in one transaction that
    // also checks the account's quota (507 quota-exceeded); when that transaction fails, the stored file is removed
    // unless another row refers to it.
    boost::json::object Upload(const auth::Principal& p, const std::string& patient_id, const std::string& name,
                               const std::string& bytes);
    File Download(const auth::Principal& p, const std::string& patient_id, const AttachmentId& attachment_id);
    // The history of each vital sign of the patient (latest versions the grant sees, newest first, at most 200
    // entries) with the territory's usual ranges; for those who see health content only (403 otherwise).
    boost::json::object VitalsHistory(const auth::Principal& p, const std::string& patient_id);
    // The notebook's collection of the offline store: the `recent` latest entries of each patient
    // (sync/collection.hpp), shown as the notebook shows them (vital signs only to health grants, flagged).
    sync::PatientCollection SyncCollection(int recent) const;

    // Removes blobs no row refers to, older than kOrphanBlobAge (what a crash between a file and its row leaves);
    // returns how many. The first call looks at every file; the next ones only at files that became old since.
    size_t CollectBlobs();
    // Collects at start, then every kCollectEvery, on its own thread, until Stop (cordee serve).
    void StartBlobCollector();
    void Stop();

    static constexpr std::chrono::minutes kOrphanBlobAge{15};  // well above the longest upload request
    static constexpr std::chrono::minutes kCollectEvery{10};

private:
    bool Referenced(const std::string& sha256);
    void RemoveIfUnreferenced(const std::string& sha256);

    patients::PatientRecords& records_;
    BlobStore blobs_;
    int64_t quota_bytes_;
    UsualRanges ranges_;  // Config::vital_ranges
    DecodeSlots decodes_;
    int64_t collected_until_ = 0;  // files last modified before this were looked at by the collector
    std::mutex collect_mutex_;
    std::thread collector_;
    std::mutex stop_mutex_;
    std::condition_variable stop_cv_;
    bool stop_ = false;
};


}  // namespace cordee::notebook

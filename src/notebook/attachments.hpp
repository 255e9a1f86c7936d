#pragma once
// Files attached to notebook entries. The type is read from the bytes, never from the name or the
// Content-Type header; only types a care team needs and a browser shows safely are kept (PDF without
// active content, PNG, JPEG, plain UTF-8 text). Bytes are stored once, by SHA-256, under DATA/blobs,
// written to a temporary file, synced and renamed, so a crash never leaves a half file under its name.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cordee::notebook {

constexpr int64_t kMaxAttachmentBytes = 10LL << 20;

struct Checked {
    std::string mime, extension;  // "application/pdf", ".pdf"
};
// Throws 415 unsupported-media-type (type refused, with why), 422 on `name` (extension lying about the
// content) or on `file` (empty).
Checked CheckContent(std::string_view bytes, std::string_view name);
// NFC, no path, no control characters, at most 200 characters; "document" when nothing is left.
std::string CleanFileName(std::string_view name);

// Files are removed only when no row refers to them: a failed upload's (BlobStore::RemoveIf right after the failure)
// and those a crash left between the file and its row (the collector, NotebookService::CollectBlobs). An upload in
// flight holds its blob from before it looks for it until its row is committed or its transaction failed, so that
// neither removes it meanwhile; storing refreshes the file's time, which the collector also respects (another
// process). A blob directory shared by several nodes is not supported (each node its own, or the PostgreSQL store).
class BlobStore {
public:
    explicit BlobStore(std::string dir) : dir_(std::move(dir)) {}
    BlobStore(const BlobStore&) = delete;
    BlobStore& operator=(const BlobStore&) = delete;

    // A blob an upload relies on, until destroyed.
    class Held {
    public:
        Held(BlobStore* store, std::string sha256) : store_(store), sha_(std::move(sha256)) {}
        Held(Held&& o) noexcept : store_(std::exchange(o.store_, nullptr)), sha_(std::move(o.sha_)) {}
        Held(const Held&) = delete;
        Held& operator=(const Held&) = delete;
        Held& operator=(Held&&) = delete;
        ~Held();
        const std::string& sha256() const { return sha_; }

    private:
        BlobStore* store_;
        std::string sha_;
    };
    // Stores the bytes durably under their SHA-256 (hex) and holds them.
    Held Put(std::string_view bytes);
    std::string Get(const std::string& sha256) const;

    // Removes a blob nothing holds, last modified before `modified_before` (microseconds since the epoch; 0: any
    // time), when `unreferenced()` — asked under the store's lock, so that no upload can start relying on the blob
    // in between — says no row refers to it. True when removed.
    bool RemoveIf(const std::string& sha256, int64_t modified_before, const std::function<bool()>& unreferenced);
    // For the collector: the blobs last modified in [from, until) (microseconds since the epoch). Temporary files of
    // writes that never finished (a crash) last modified before `until` are removed on the way.
    std::vector<std::string> ModifiedBetween(int64_t from, int64_t until);

private:
    std::string PathOf(const std::string& sha256) const;
    void Release(const std::string& sha256);
    std::string dir_;
    std::mutex mutex_;
    std::map<std::string, int> held_;  // by SHA-256: uploads in flight relying on it
};

}  // namespace cordee::notebook

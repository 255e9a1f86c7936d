#pragma once
// Files attached to notebook entries. The type is read from the bytes, never from the name or the
// Content-Type header; only types a care team needs and a browser shows safely are kept (PDF without
// active content, PNG, JPEG, plain UTF-8 text). Bytes are stored once, by SHA-256, under DATA/blobs,
// written to a temporary file, synced and renamed, so a crash never leaves a half file under its name.
#include <cstdint>
#include <string>
#include <string_view>

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

class BlobStore {
public:
    explicit BlobStore(std::string dir) : dir_(std::move(dir)) {}
    // Returns the SHA-256 (hex) under which the bytes are now durably stored.
    std::string Put(std::string_view bytes);
    std::string Get(const std::string& sha256) const;

private:
    std::string PathOf(const std::string& sha256) const;
    std::string dir_;
};

}  // namespace cordee::notebook

#pragma once
// Anchoring the audit chain outside the database. A hash chain alone cannot show that its newest entries
// were removed, nor that the whole chain was recomputed, by someone who can write to the database. So
// `cordee serve` periodically appends a **checkpoint** of every lane's head (lane, seq, hash, time),
// authenticated with HMAC-SHA256 under a key kept outside the database (`audit_key_file`), as one JSON line of
// an append-only file outside the database (`audit_anchor_file`), fsync'd. `audit::Verify` then checks that
// every checkpointed entry still exists with the hash it had (docs/architecture.md, "Audit trail").
//
// A line: {"v":1,"lane":0,"seq":1234,"hash":"<64 hex>","at":"2025-03-01T10:00:00.000Z","mac":"<64 hex>"}
// mac = HMAC-SHA256(key, "cordee-audit-anchor/1\n" lane "\n" seq "\n" hash "\n" at).
// A line cut by a crash (no final newline) is closed by the next writer with a signed record naming it:
// {"v":1,"cut":"<SHA-256 hex of the cut line>","at":"…","mac":"…"}, mac over "cordee-audit-anchor/1\ncut\n" cut "\n" at,
// so that `verify` can tell that cut line from a forged one.
#include "audit/audit.hpp"
#include "storage/database.hpp"

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace cordee::audit {

using AnchorKey = std::array<uint8_t, 32>;

// The key file holds 32 random bytes as 64 hex digits. nullopt when the file does not exist; throws
// cordee::Error when it exists but cannot be read or is malformed.
std::optional<AnchorKey> LoadAnchorKey(const std::string& path);
// Reads the key, or creates it (mode 0600, written to a temporary file then linked into place, so that
// several processes starting together end up with the same key) when absent.
AnchorKey LoadOrCreateAnchorKey(const std::string& path);
// True when group or others may read the key file (it should be 0600).
bool AnchorKeyTooOpen(const std::string& path);

struct Checkpoint {
    int64_t lane = 0;
    int64_t seq = 0;
    std::string hash;
    std::string at;  // RFC 3339, as written (the MAC covers this text)
    int64_t line = 0;  // 1-based line of the anchor file
};

std::string CheckpointMac(const AnchorKey& key, int64_t lane, int64_t seq, const std::string& hash, const std::string& at);
// One line of the anchor file, '\n' included.
std::string CheckpointLine(const AnchorKey& key, int64_t lane, int64_t seq, const std::string& hash, const std::string& at);

// The signed record that closes a line cut by a crash (`cut` = SHA-256 hex of that line), '\n' included.
std::string CutLine(const AnchorKey& key, const std::string& cut_sha256, const std::string& at);

struct AnchorFile {
    bool exists = false;
    std::vector<Checkpoint> checkpoints;  // authentic ones, in file order
    // Lines that are not authentic checkpoints: a bad MAC (forged, or written under another key) or a line
    // that is not a checkpoint at all. Each is a reason to distrust the trail.
    std::vector<std::pair<int64_t, std::string>> bad;  // (line, why)
    bool torn_tail = false;  // the last line has no end (a write interrupted by a crash): ignored
    std::vector<int64_t> cut_lines;  // lines cut by a crash and closed by a signed record after them: ignored
};
AnchorFile ReadAnchorFile(const std::string& path, const AnchorKey& key);

// The background task of `cordee serve`: a checkpoint of every lane whose head moved, at start, every
// `interval` and at Stop() (clean shutdown). It runs on its own thread: the network threads never wait for it.
class Anchorer {
public:
    Anchorer(storage::Database& db, AnchorOptions opt, std::chrono::milliseconds interval);
    ~Anchorer();
    void Start();
    void Stop();  // writes a last checkpoint, then joins
    int Pass();   // one pass now; returns the number of checkpoints written (throws on I/O errors)
    const AnchorOptions& options() const { return opt_; }

private:
    void Loop();
    void Append(const std::string& lines);
    storage::Database& db_;
    AnchorOptions opt_;
    AnchorKey key_;
    std::chrono::milliseconds interval_;
    std::mutex pass_mutex_;
    std::map<int64_t, std::pair<int64_t, std::string>> anchored_;  // lane → head written last
    bool tail_checked_ = false;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
};

}  // namespace cordee::audit

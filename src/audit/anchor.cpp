#include "audit/anchor.hpp"

#include "common/crypto.hpp"
#include "common/errors.hpp"
#include "common/log.hpp"
#include "common/time.hpp"

#include <boost/json.hpp>
#include <sodium.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace cordee::audit {
namespace {

constexpr const char* kMacContext = "cordee-audit-anchor/1";

std::string Why(const std::string& path) { return path + " : " + std::strerror(errno); }

Error KeyError(const std::string& detail) {
    return Error(Problem::kAuditKey, detail);
}

bool IsHex64(const std::string& s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

void WriteAll(int fd, const std::string& data, const std::string& path) {
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("écriture impossible dans " + Why(path));
        }
        done += static_cast<size_t>(n);
    }
}

// Makes a new directory entry durable (the file itself is fsync'd by its writer).
void SyncDirOf(const std::string& path) {
    const std::string parent = std::filesystem::path(path).parent_path().string();
    const std::string dir = parent.empty() ? std::string(".") : parent;
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

void MakeParentDirs(const std::string& path) {
    const auto dir = std::filesystem::path(path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir);
}

}  // namespace

std::optional<AnchorKey> LoadAnchorKey(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        if (ec && ec != std::errc::no_such_file_or_directory) throw KeyError(path + " : " + ec.message());
        return std::nullopt;
    }
    std::ifstream in(path);
    if (!in) throw KeyError("lecture impossible de " + Why(path));
    std::stringstream buf;
    buf << in.rdbuf();
    std::string text = buf.str();
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));  // `openssl rand -hex 32`, any case
    if (!IsHex64(text))
        throw KeyError(path + " doit contenir 64 chiffres hexadécimaux (32 octets) ; supprimez-le pour qu'un nouveau "
                              "soit créé au prochain démarrage, si aucun point d'ancrage n'a encore été écrit avec lui");
    AnchorKey key{};
    size_t len = 0;
    if (sodium_hex2bin(key.data(), key.size(), text.data(), text.size(), nullptr, &len, nullptr) != 0 || len != key.size())
        throw KeyError(path + " est illisible");
    return key;
}

AnchorKey LoadOrCreateAnchorKey(const std::string& path) {
    if (auto key = LoadAnchorKey(path)) return *key;
    MakeParentDirs(path);
    AnchorKey key{};
    randombytes_buf(key.data(), key.size());
    const std::string text = crypto::Hex(key.data(), key.size()) + "\n";
    sodium_memzero(key.data(), key.size());
    // Written aside then linked into place: never a half-written key, and never two different keys when
    // several processes start together (link fails on an existing name; the loser reads the winner's key).
    const std::string tmp = path + ".tmp." + crypto::RandomToken(6);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw KeyError("création impossible de " + Why(tmp));
    try {
        WriteAll(fd, text, tmp);
        if (::fsync(fd) != 0) throw KeyError("fsync impossible de " + Why(tmp));
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    ::close(fd);
    const int linked = ::link(tmp.c_str(), path.c_str());
    const int link_errno = errno;
    ::unlink(tmp.c_str());
    if (linked != 0 && link_errno != EEXIST) {
        errno = link_errno;
        throw KeyError("création impossible de " + Why(path));
    }
    SyncDirOf(path);
    if (linked == 0) log::Info("audit anchor key created", {{"file", path}});
    auto loaded = LoadAnchorKey(path);
    if (!loaded) throw KeyError(path + " a disparu juste après sa création");
    return *loaded;
}

bool AnchorKeyTooOpen(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0;
}

std::string CheckpointMac(const AnchorKey& key, int64_t lane, int64_t seq, const std::string& hash, const std::string& at) {
    const std::string msg = std::string(kMacContext) + "\n" + std::to_string(lane) + "\n" + std::to_string(seq) + "\n" +
                            hash + "\n" + at;
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), key.data());
    return crypto::Hex(mac, sizeof mac);
}

std::string CheckpointLine(const AnchorKey& key, int64_t lane, int64_t seq, const std::string& hash, const std::string& at) {
    boost::json::object o;
    o["v"] = 1;
    o["lane"] = lane;
    o["seq"] = seq;
    o["hash"] = hash;
    o["at"] = at;
    o["mac"] = CheckpointMac(key, lane, seq, hash, at);
    return boost::json::serialize(o) + "\n";
}

std::string CutLine(const AnchorKey& key, const std::string& cut_sha256, const std::string& at) {
    const std::string msg = std::string(kMacContext) + "\ncut\n" + cut_sha256 + "\n" + at;
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), key.data());
    boost::json::object o;
    o["v"] = 1;
    o["cut"] = cut_sha256;
    o["at"] = at;
    o["mac"] = crypto::Hex(mac, sizeof mac);
    return boost::json::serialize(o) + "\n";
}

AnchorFile ReadAnchorFile(const std::string& path, const AnchorKey& key) {
    AnchorFile f;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::error_code ec;
        if (std::filesystem::exists(path, ec)) throw std::runtime_error("lecture impossible de " + Why(path));
        return f;
    }
    f.exists = true;
    std::string line, previous;
    int64_t n = 0;
    bool previous_bad = false;
    while (std::getline(in, line)) {
        ++n;
        if (in.eof()) {  // no '\n' after it: a write cut short by a crash (a complete line always ends with one)
            if (!line.empty()) f.torn_tail = true;
            break;
        }
        if (line.empty()) continue;
        const std::string before = std::exchange(previous, line);
        const bool before_bad = std::exchange(previous_bad, false);
        auto bad = [&](std::string why) {
            f.bad.emplace_back(n, std::move(why));
            previous_bad = true;
        };
        boost::system::error_code ec;
        const boost::json::value v = boost::json::parse(line, ec);
        if (ec || !v.is_object()) {
            bad("ce n'est pas un objet JSON");
            continue;
        }
        const auto& o = v.as_object();
        auto int_of = [&o](const char* k) -> std::optional<int64_t> {
            const auto* p = o.if_contains(k);
            if (!p || !p->is_int64()) return std::nullopt;
            return p->as_int64();
        };
        auto str_of = [&o](const char* k) -> std::optional<std::string> {
            const auto* p = o.if_contains(k);
            if (!p || !p->is_string()) return std::nullopt;
            return std::string(p->as_string());
        };
        if (o.contains("cut")) {
            // The record a writer puts after a line a crash cut: that line (the one before) is excused.
            const auto cut = str_of("cut"), at = str_of("at");
            if (int_of("v") != 1 || !cut || !IsHex64(*cut) || !at || CutLine(key, *cut, *at) != line + "\n") {
                bad("signature invalide : ligne falsifiée, modifiée, ou écrite avec une autre clé");
            } else if (before_bad && crypto::Sha256Hex(before) == *cut) {
                f.cut_lines.push_back(f.bad.back().first);
                f.bad.pop_back();
            }
            continue;
        }
        const auto version = int_of("v"), lane = int_of("lane"), seq = int_of("seq");
        const auto hash = str_of("hash"), at = str_of("at"), mac = str_of("mac");
        if (version != 1) {
            bad("version inconnue");
            continue;
        }
        if (!lane || *lane < 0 || !seq || *seq <= 0 || !hash || !IsHex64(*hash) || !at || at->empty() || !mac ||
            !IsHex64(*mac)) {
            bad("champ lane, seq, hash, at ou mac manquant ou invalide");
            continue;
        }
        if (!crypto::ConstantTimeEqual(CheckpointMac(key, *lane, *seq, *hash, *at), *mac)) {
            bad("signature invalide : ligne falsifiée, modifiée, ou écrite avec une autre clé");
            continue;
        }
        f.checkpoints.push_back({*lane, *seq, *hash, *at, n});
    }
    return f;
}

Anchorer::Anchorer(storage::Database& db, AnchorOptions opt, std::chrono::milliseconds interval)
    : db_(db), opt_(std::move(opt)), key_(LoadOrCreateAnchorKey(opt_.key_file)), interval_(interval) {
    if (AnchorKeyTooOpen(opt_.key_file))
        log::Warn("audit anchor key readable by other accounts", {{"file", opt_.key_file}, {"fix", "chmod 600"}});
}

Anchorer::~Anchorer() {
    Stop();
    sodium_memzero(key_.data(), key_.size());
}

void Anchorer::Start() {
    // The first pass runs here, before the server listens: an anchor file that cannot be written stops the start.
    const int written = Pass();
    log::Info("audit anchoring", {{"anchor_file", opt_.anchor_file},
                                  {"interval_ms", static_cast<long long>(interval_.count())},
                                  {"checkpoints", written}});
    thread_ = std::thread([this] { Loop(); });
}

void Anchorer::Stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    if (!thread_.joinable()) return;
    thread_.join();
    try {
        const int written = Pass();  // after the last request: the whole trail of this run is anchored
        log::Info("audit anchored at shutdown", {{"checkpoints", written}});
    } catch (const std::exception& e) {
        log::Error("audit anchoring failed", {{"file", opt_.anchor_file}, {"error", e.what()}});
    }
}

void Anchorer::Loop() {
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            if (cv_.wait_for(lock, interval_, [this] { return stop_; })) return;
        }
        try {
            Pass();
        } catch (const std::exception& e) {
            log::Error("audit anchoring failed", {{"file", opt_.anchor_file}, {"error", e.what()}});
        }
    }
}

int Anchorer::Pass() {
    std::lock_guard lock(pass_mutex_);
    const auto heads = Heads(db_);
    const std::string at = FormatRfc3339(NowMicros());
    std::string lines;
    std::vector<LaneHead> moved;
    for (const auto& h : heads) {
        const auto it = anchored_.find(h.lane);
        if (it != anchored_.end() && it->second.first == h.seq && it->second.second == h.hash) continue;
        lines += CheckpointLine(key_, h.lane, h.seq, h.hash, at);
        moved.push_back(h);
    }
    if (lines.empty()) return 0;
    Append(lines);
    for (const auto& h : moved) anchored_[h.lane] = {h.seq, h.hash};
    return static_cast<int>(moved.size());
}

void Anchorer::Append(const std::string& lines) {
    const std::string& path = opt_.anchor_file;
    MakeParentDirs(path);
    std::error_code ec;
    const bool existed = std::filesystem::exists(path, ec);
    const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("ouverture impossible de " + Why(path));
    try {
        std::string data = lines;
        if (!tail_checked_) {
            // A line cut by a crash is closed first, with a signed record naming it, so that the next checkpoint is
            // a line of its own and `cordee audit verify` can tell the cut line from a forged one.
            struct stat st {};
            if (::fstat(fd, &st) == 0 && st.st_size > 0) {
                const off_t from = std::max<off_t>(0, st.st_size - 4096);
                std::string tail(static_cast<size_t>(st.st_size - from), '\0');
                const ssize_t got = ::pread(fd, tail.data(), tail.size(), from);
                if (got == static_cast<ssize_t>(tail.size()) && tail.back() != '\n') {
                    const auto nl = tail.rfind('\n');
                    const std::string cut = nl == std::string::npos ? tail : tail.substr(nl + 1);
                    data = "\n" + CutLine(key_, crypto::Sha256Hex(cut), FormatRfc3339(NowMicros())) + lines;
                    log::Warn("audit anchor file ended with a line cut by a crash; closed it", {{"file", path}});
                }
            }
            tail_checked_ = true;
        }
        WriteAll(fd, data, path);  // one write: O_APPEND puts it after whatever another writer appended
        if (::fsync(fd) != 0) throw std::runtime_error("fsync impossible de " + Why(path));
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    if (!existed) SyncDirOf(path);
}

}  // namespace cordee::audit

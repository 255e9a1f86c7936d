#include "notebook/attachments.hpp"

#include "common/crypto.hpp"
#include "common/durable_file.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"

#include <zlib.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cordee::notebook {
namespace {

Error Refused(const std::string& why) {
    return Error(Problem::kUnsupportedMediaType,
                 why + " Fichiers acceptés : PDF, PNG, JPEG, texte.");
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Inflates a zlib stream up to `budget` bytes of output (a compression bomb stops there).
std::string Inflate(std::string_view in, size_t& budget, bool& exhausted) {
    std::string out;
    z_stream z{};
    if (inflateInit(&z) != Z_OK) return out;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    char buf[65536];
    for (;;) {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        const int rc = inflate(&z, Z_NO_FLUSH);
        const size_t n = sizeof buf - z.avail_out;
        if (n > budget) {
            exhausted = true;
            break;
        }
        budget -= n;
        out.append(buf, n);
        if (rc != Z_OK) break;  // end of stream, or damaged data: scan what we have
    }
    inflateEnd(&z);
    return out;
}

// Active content in a PDF: scripts, launch actions, embedded files, forms that run code. Names may hide in
// compressed object streams, so compressed streams are scanned too (within a budget).
void CheckPdf(std::string_view pdf) {
    static const char* kActive[] = {"/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/RichMedia", "/XFA"};
    auto scan = [](std::string_view text) {
        for (const char* k : kActive) {
            size_t pos = 0;
            while ((pos = text.find(k, pos)) != std::string_view::npos) {
                const size_t after = pos + std::strlen(k);
                // "/JS" must be the whole name, not the start of "/JSON…".
                const char c = after < text.size() ? text[after] : ' ';
                if (!std::isalnum(static_cast<unsigned char>(c))) return true;
                pos = after;
            }
        }
        return false;
    };
    if (scan(pdf)) throw Refused("Ce PDF contient du contenu actif (script, lancement de programme ou fichier joint).");
    size_t budget = 64u << 20;
    size_t pos = 0;
    while ((pos = pdf.find("stream", pos)) != std::string_view::npos) {
        size_t start = pos + 6;
        if (pos >= 3 && pdf.substr(pos - 3, 3) == "end") {
            pos = start;
            continue;
        }
        if (start < pdf.size() && pdf[start] == '\r') ++start;
        if (start < pdf.size() && pdf[start] == '\n') ++start;
        const size_t end = pdf.find("endstream", start);
        if (end == std::string_view::npos) break;
        bool exhausted = false;
        const std::string inflated = Inflate(pdf.substr(start, end - start), budget, exhausted);
        if (exhausted) throw Refused("Ce PDF contient des données compressées anormalement volumineuses.");
        if (scan(inflated)) throw Refused("Ce PDF contient du contenu actif (script, lancement de programme ou fichier joint).");
        pos = end + 9;
    }
}

std::string Extension(std::string_view name) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return "";
    return AsciiLower(name.substr(dot));
}

}  // namespace

std::string CleanFileName(std::string_view raw) {
    std::string name(raw);
    if (!IsValidUtf8(name)) name.clear();
    name = NormalizeNfc(name);
    const auto slash = name.find_last_of("/\\\\");
    if (slash != std::string::npos) name = name.substr(slash + 1);
    std::string out;
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F || c == '"' || c == ';') continue;
        out += c;
    }
    // Shortened (keeping the end: the extension) before trimming, so that the cut cannot bring back a
    // leading dot or space.
    if (CodePoints(out) > 200) out = out.substr(out.size() - 200);
    out = Trim(out);
    while (!out.empty() && out.front() == '.') out.erase(0, 1);
    if (!IsValidUtf8(out)) out.clear();
    return out.empty() ? "document" : out;
}

Checked CheckContent(std::string_view b, std::string_view name) {
    if (b.empty()) throw Invalid("file", "le fichier est vide");
    Checked c;
    if (StartsWith(b, "%PDF-")) {
        CheckPdf(b);
        c = {"application/pdf", ".pdf"};
    } else if (StartsWith(b, "\x89PNG\r\n\x1a\n")) {
        c = {"image/png", ".png"};
    } else if (StartsWith(b, "\xFF\xD8\xFF")) {
        c = {"image/jpeg", ".jpg"};
    } else if (StartsWith(b, "PK\x03\x04") || StartsWith(b, "\x1F\x8B") || StartsWith(b, "Rar!") || StartsWith(b, "7z")) {
        throw Refused("Les archives (ZIP, documents Office, GZIP…) ne sont pas acceptées.");
    } else if (StartsWith(b, "MZ") || StartsWith(b, "\x7F" "ELF")) {
        throw Refused("Les programmes ne sont pas acceptés.");
    } else {
        // Text: valid UTF-8 without control characters, and not markup (HTML or SVG run scripts in a browser).
        if (!IsValidUtf8(b) || HasControlChars(b) || b.find('\0') != std::string_view::npos)
            throw Refused("Ce type de fichier n'est pas reconnu.");
        const std::string head = AsciiLower(Trim(b.substr(0, 512)));
        if (StartsWith(head, "<") || head.find("<svg") != std::string::npos || head.find("<script") != std::string::npos ||
            head.find("<html") != std::string::npos)
            throw Refused("Les pages web et images SVG ne sont pas acceptées (elles peuvent contenir des scripts).");
        c = {"text/plain; charset=utf-8", ".txt"};
    }
    const std::string ext = Extension(name);
    static const char* kKnown[] = {".pdf", ".png", ".jpg", ".jpeg", ".txt", ".text", ".svg", ".html", ".htm",
                                   ".zip", ".docx", ".xlsx", ".exe", ".js", ".gif", ".csv"};
    bool known = false;
    for (const char* k : kKnown) known = known || ext == k;
    const bool matches = ext == c.extension || (c.extension == ".jpg" && ext == ".jpeg") ||
                         (c.extension == ".txt" && (ext == ".text" || ext == ".csv"));
    if (known && !matches)
        throw Invalid("name", "l'extension " + ext + " ne correspond pas au contenu du fichier (" + c.mime.substr(0, c.mime.find(';')) + ")");
    return c;
}

std::string BlobStore::PathOf(const std::string& sha) const { return dir_ + "/" + sha.substr(0, 2) + "/" + sha; }

BlobStore::Held BlobStore::Put(std::string_view bytes) {
    const std::string sha = crypto::Sha256Hex(bytes);
    const std::string dir = dir_ + "/" + sha.substr(0, 2);
    {
        std::lock_guard lock(mutex_);
        ++held_[sha];
    }
    Held held(this, sha);  // from here on, nothing removes it (released when `held` goes, even on a throw)
    // Every step checked (common/durable_file.hpp): a full disk answers 507 and no entry refers to the file.
    // Already there (the same bytes stored before, perhaps by a writer whose sync failed): made durable again
    // before an entry relies on it, and its time refreshed (the collector leaves recent files alone).
    const std::string path = PathOf(sha);
    if (std::filesystem::exists(path)) {
        ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
        SyncFileDurably(dir, sha);
    } else {
        WriteFileDurably(dir, sha, bytes);
    }
    return held;
}

BlobStore::Held::~Held() {
    if (store_) store_->Release(sha_);
}

void BlobStore::Release(const std::string& sha) {
    std::lock_guard lock(mutex_);
    auto it = held_.find(sha);
    if (it != held_.end() && --it->second <= 0) held_.erase(it);
}

namespace {

// Last modification, in microseconds since the epoch; -1 when the file is gone.
int64_t ModifiedMicros(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return -1;
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000 + st.st_mtim.tv_nsec / 1000;
}

bool IsSha256Hex(std::string_view s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace

bool BlobStore::RemoveIf(const std::string& sha, int64_t modified_before, const std::function<bool()>& unreferenced) {
    if (!IsSha256Hex(sha)) return false;
    const std::string path = PathOf(sha);
    std::lock_guard lock(mutex_);
    if (held_.count(sha)) return false;
    const int64_t modified = ModifiedMicros(path);
    if (modified < 0 || (modified_before > 0 && modified >= modified_before)) return false;
    if (!unreferenced()) return false;
    return ::unlink(path.c_str()) == 0;
}

std::vector<std::string> BlobStore::ModifiedBetween(int64_t from, int64_t until) {
    std::vector<std::string> out;
    std::error_code ec;
    for (std::filesystem::directory_iterator top(dir_, ec), end; !ec && top != end; top.increment(ec)) {
        const std::string prefix = top->path().filename().string();
        if (prefix.size() != 2 || !top->is_directory(ec)) continue;
        std::error_code inner;
        for (std::filesystem::directory_iterator it(top->path(), inner); !inner && it != end; it.increment(inner)) {
            const std::string name = it->path().filename().string();
            const int64_t modified = ModifiedMicros(it->path().string());
            if (modified < 0) continue;
            // ".SHA.RANDOM.tmp" (common/durable_file.cpp): a write that a crash interrupted; a live one is recent.
            if (name.size() > 4 && name.front() == '.' && name.ends_with(".tmp")) {
                if (modified < until) ::unlink(it->path().c_str());
                continue;
            }
            if (IsSha256Hex(name) && name.compare(0, 2, prefix) == 0 && modified >= from && modified < until)
                out.push_back(name);
        }
    }
    return out;
}

std::string BlobStore::Get(const std::string& sha) const {
    std::ifstream in(PathOf(sha), std::ios::binary);
    if (!in) throw NotFound("Le fichier n'est plus disponible.");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace cordee::notebook

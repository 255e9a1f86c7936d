#include "notebook/attachments.hpp"

#include "common/crypto.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"

#include <zlib.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cordee::notebook {
namespace {

Error Refused(const std::string& why) {
    return Error(415, "unsupported-media-type", "Type de fichier refusé",
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
    out = Trim(out);
    while (!out.empty() && out.front() == '.') out.erase(0, 1);
    if (CodePoints(out) > 200) out = out.substr(out.size() - 200);
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

std::string BlobStore::Put(std::string_view bytes) {
    const std::string sha = crypto::Sha256Hex(bytes);
    const std::string path = PathOf(sha);
    if (std::filesystem::exists(path)) return sha;
    const std::string dir = dir_ + "/" + sha.substr(0, 2);
    std::filesystem::create_directories(dir);
    const std::string tmp = dir + "/." + sha + "." + crypto::RandomToken(6) + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + tmp);
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0) {
            ::close(fd);
            ::unlink(tmp.c_str());
            throw std::runtime_error("cannot write " + tmp);
        }
        done += static_cast<size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
    std::filesystem::rename(tmp, path);
    // The rename is durable once the directory is synced.
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return sha;
}

std::string BlobStore::Get(const std::string& sha) const {
    std::ifstream in(PathOf(sha), std::ios::binary);
    if (!in) throw NotFound("Le fichier n'est plus disponible.");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace cordee::notebook

// Fuzz target: the line reader of the national extractions (src/directory/line_reader) and the field split
// the RPPS (`|`) and FINESS (`;`) imports apply to each line, as ImportRpps/ImportFiness do before any
// database work. The input is a whole file. It is read twice: with a buffer larger than any input (64 KiB:
// one fill, as the imports' 1 MiB buffer reads a small file) and with a buffer of 1 to 32 bytes (from the
// first byte), so that refills and growth (what a line across or longer than the 1 MiB buffer meets) happen
// every few bytes; both readings must give the same lines. (Repeating inputs past 1 MiB ran at 24 exec/s; a
// 1 MiB buffer per read costs ASan an mmap, so the large reading uses 64 KiB.)
#include "common/text.hpp"
#include "directory/line_reader.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

using namespace cordee;
using namespace cordee::directory;

namespace {

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                     \
        }                                                                                     \
    } while (0)

// The file LineReader opens: created and unlinked at once, reached as /proc/self/fd/N, so that nothing is left
// behind however the run ends (libFuzzer exits without running destructors). In memory when possible: a file
// on disk per run is most of the time spent otherwise.
int TempFd() {
    static const int fd = [] {
        const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : std::getenv("TMPDIR");
        std::string p = std::string(dir && *dir ? dir : "/tmp") + "/cordee-fuzz-line-reader-XXXXXX";
        const int fd = mkstemp(p.data());
        CHECK(fd >= 0);
        unlink(p.c_str());
        return fd;
    }();
    return fd;
}

const std::string& TempPath() {
    static const std::string path = "/proc/self/fd/" + std::to_string(TempFd());
    return path;
}

void WriteFile(const std::string& bytes) {
    const int fd = TempFd();
    CHECK(ftruncate(fd, 0) == 0);
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
        CHECK(n > 0);
        done += static_cast<size_t>(n);
    }
}

void CheckSplit(const std::string& line, char sep, std::vector<std::string_view>& f) {
    SplitFields(line, sep, f);
    size_t seps = 0;
    for (char c : line) seps += c == sep;
    CHECK(f.size() == seps + 1);
    std::string joined;
    for (size_t i = 0; i < f.size(); ++i) {
        if (i) joined += sep;
        joined.append(f[i]);
        CHECK(f[i].find(sep) == std::string_view::npos);
    }
    CHECK(joined == line);
}

struct Reading {
    std::vector<std::string> lines;
    std::vector<uint64_t> positions;
    bool unterminated = false;
};

Reading Read(const std::string& file, size_t buffer) {
    LineReader reader(TempPath(), buffer);
    CHECK(reader.ok());
    CHECK(reader.size() == file.size());
    Reading r;
    std::string line;
    while (reader.Next(line)) {
        r.lines.push_back(line);
        r.positions.push_back(reader.position());
        CHECK(reader.line_number() == static_cast<int64_t>(r.lines.size()));
        CHECK(reader.position() <= reader.size());
    }
    CHECK(!reader.Next(line));
    CHECK(reader.position() == reader.size());
    r.unterminated = reader.last_line_unterminated();
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string file(reinterpret_cast<const char*>(data), size);
    WriteFile(file);
    const Reading large = Read(file, 64 << 10);
    const Reading small = Read(file, size > 0 ? 1 + data[0] % 32 : 1);
    CHECK(large.lines == small.lines);
    CHECK(large.positions == small.positions);
    CHECK(large.unterminated == small.unterminated);

    std::vector<std::string_view> f;
    std::map<std::string, size_t> header;  // what the imports' Header keeps: trimmed name → column
    for (const std::string& line : large.lines) {
        CHECK(line.find('\n') == std::string::npos);
        CHECK(IsValidUtf8(line));  // valid UTF-8 as read, or ISO-8859-1 turned into UTF-8
        for (char sep : {'|', ';'}) {
            CheckSplit(line, sep, f);
            if (header.empty())
                for (size_t i = 0; i < f.size(); ++i) header[Trim(f[i])] = i;
            for (auto v : f) CHECK(IsValidUtf8(v) && IsValidUtf8(Trim(v)));
        }
    }
    size_t newlines = 0;
    for (char c : file) newlines += c == '\n';
    const bool unterminated = !file.empty() && file.back() != '\n';
    CHECK(large.unterminated == unterminated);
    CHECK(large.lines.size() == newlines + (unterminated ? 1 : 0));

    // Latin1ToUtf8 alone: always valid UTF-8, ASCII kept, two bytes for every high byte.
    const std::string_view head(file.data(), std::min<size_t>(file.size(), 4096));
    const std::string u = Latin1ToUtf8(head);
    CHECK(IsValidUtf8(u));
    size_t high = 0;
    for (unsigned char c : head) high += c >= 0x80;
    CHECK(u.size() == head.size() + high);
    return 0;
}

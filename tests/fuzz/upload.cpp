// Fuzz target: what an uploaded file goes through before it is stored (NotebookService::Upload): the file
// name cleaned, the type read from the bytes (PDF scanned for active content, compressed streams inflated
// within a budget), PNG and JPEG decoded and encoded again. The input is the file itself, so real files
// are the seeds. A cordee::Error (415/422) is the expected refusal; anything else is a crash.
#include "common/errors.hpp"
#include "common/text.hpp"
#include "notebook/attachments.hpp"
#include "notebook/image.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace cordee;
using namespace cordee::notebook;

namespace {

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                     \
        }                                                                                     \
    } while (0)

// CORDEE_FUZZ_VERBOSE=1: say what became of each input (to check seeds, or read a reproduced crash).
void Say(const char* what, const std::string& detail) {
    static const bool verbose = std::getenv("CORDEE_FUZZ_VERBOSE") != nullptr;
    if (verbose) std::fprintf(stderr, "upload: %s %s\n", what, detail.c_str());
}

bool Refusal(const Error& e) { return e.status() == 415 || e.status() == 422; }

void CheckName(std::string_view raw) {
    const std::string n = CleanFileName(raw);
    CHECK(!n.empty());
    CHECK(IsValidUtf8(n));
    CHECK(CodePoints(n) <= 200);
    CHECK(n.find('/') == std::string::npos && n.find('\\') == std::string::npos);
    CHECK(n.find('"') == std::string::npos && n.find(';') == std::string::npos);
    CHECK(n.front() != '.');
    for (unsigned char c : n) CHECK(c >= 0x20 && c != 0x7F);
}

// Re-encoded pixels are a file we produced: it must be accepted again as the same type and decode again.
void CheckReencoded(const std::string& out, const std::string& mime) {
    CHECK(!out.empty());
    const Checked again = CheckContent(out, mime == "image/png" ? "image.png" : "image.jpg");
    CHECK(again.mime == mime);
    if (out.size() > (256u << 10)) return;  // big pictures: once is enough for the run's speed
    const std::string twice = mime == "image/png" ? ReencodePng(out) : ReencodeJpeg(out);
    CHECK(!twice.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    // The name comes from the same request; the first bytes stand for one (any bytes, as a client may send).
    CheckName(bytes.substr(0, 300));

    Checked c;
    try {
        c = CheckContent(bytes, "document");
    } catch (const Error& e) {
        Say("refused", std::to_string(e.status()) + " " + e.detail());
        CHECK(Refusal(e));
        return 0;
    }
    Say("accepted as", c.mime);
    CHECK(!c.mime.empty() && !c.extension.empty());
    // An extension that names the content is accepted; a known one that lies is refused with 422 on `name`.
    const Checked named = CheckContent(bytes, "scan" + c.extension);
    CHECK(named.mime == c.mime);
    try {
        CheckContent(bytes, "x.exe");
        CHECK(false);
    } catch (const Error& e) {
        CHECK(e.status() == 422);
    }

    if (c.mime == "image/png" || c.mime == "image/jpeg") {
        std::string out;
        try {
            out = c.mime == "image/png" ? ReencodePng(bytes) : ReencodeJpeg(bytes);
        } catch (const Error& e) {
            Say("not decoded:", e.detail());
            CHECK(e.status() == 415);
            return 0;
        }
        Say("re-encoded, bytes:", std::to_string(out.size()));
        CheckReencoded(out, c.mime);
    }
    return 0;
}

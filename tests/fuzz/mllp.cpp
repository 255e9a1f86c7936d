// Fuzz target: the MLLP framer (src/hl7/mllp) fed what a TCP connection of a hospital delivers. The first two
// bytes choose the frame bound (16 to 4,111 bytes, so that oversize frames are common) and the cuts between reads;
// the rest is the stream. It is fed whole, in chunks of pseudo-random sizes, and byte by byte (for short streams).
// Invariants: the same events whatever the chunking; messages within the bound and without block characters;
// oversize frames over the bound with their first bytes kept; counters agree with the events; the messages framed
// again with MllpFrame give the same messages and nothing else.
#include "hl7/mllp.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace cordee::hl7;
using Kind = MllpEvent::Kind;

namespace {

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                     \
        }                                                                                     \
    } while (0)

constexpr size_t kPrefix = 64;

struct Run {
    std::vector<MllpEvent> events;
    uint64_t messages, garbage, oversize, unterminated;
};

// `next` gives the size of each read (at least 1).
template <typename Next>
Run Feed(std::string_view stream, size_t max, Next next) {
    MllpFramer f(max, kPrefix);
    Run r;
    for (size_t pos = 0; pos < stream.size();) {
        const size_t n = std::min(next(), stream.size() - pos);
        f.Feed(stream.substr(pos, n), r.events);
        pos += n;
    }
    f.Finish(r.events);
    CHECK(!f.in_frame());
    r.messages = f.messages();
    r.garbage = f.garbage_bytes();
    r.oversize = f.oversize_frames();
    r.unterminated = f.unterminated_frames();
    return r;
}

bool Same(const Run& a, const Run& b) {
    return a.events == b.events && a.messages == b.messages && a.garbage == b.garbage && a.oversize == b.oversize &&
           a.unterminated == b.unterminated;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    const size_t max = 16 + ((data[0] << 4) | (data[1] & 15));
    uint32_t seed = data[1] * 2654435761u + 1;
    const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);

    const Run whole = Feed(stream, max, [&] { return stream.size() + 1; });
    const Run chunked = Feed(stream, max, [&] {
        seed = seed * 1103515245u + 12345u;
        return size_t{1} + (seed >> 16) % 97;
    });
    CHECK(Same(whole, chunked));
    if (stream.size() <= 4096) CHECK(Same(whole, Feed(stream, max, [] { return size_t{1}; })));

    uint64_t messages = 0, garbage = 0, oversize = 0, unterminated = 0;
    std::string reframed;
    std::vector<MllpEvent> expected;
    for (const MllpEvent& e : whole.events) {
        switch (e.kind) {
            case Kind::kMessage:
                ++messages;
                CHECK(e.data.size() == e.bytes && e.bytes <= max);
                CHECK(e.data.find_first_of(std::string_view("\x0B\x1C", 2)) == std::string::npos);
                reframed += MllpFrame(e.data);
                expected.push_back(e);
                break;
            case Kind::kGarbage:
                garbage += e.bytes;
                CHECK(e.bytes > 0 && e.data.empty());
                break;
            case Kind::kOversize:
                ++oversize;
                CHECK(e.bytes > max && e.data.size() == std::min(kPrefix, max));
                CHECK(stream.find(e.data) != std::string_view::npos);
                break;
            case Kind::kUnterminated:
                ++unterminated;
                CHECK(e.data.size() == e.bytes && e.bytes <= max);
                break;
        }
    }
    CHECK(messages == whole.messages && garbage == whole.garbage && oversize == whole.oversize &&
          unterminated == whole.unterminated);
    CHECK(garbage <= stream.size());
    const Run again = Feed(reframed, max, [&] { return reframed.size() + 1; });
    CHECK(again.events == expected);
    return 0;
}

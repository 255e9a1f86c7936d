// The MLLP framer (src/hl7/mllp): frames split over many reads, many frames in one read, garbage before a start
// block, oversize frames dropped with a resync, a sender that begins again, a missing end block at the end. What
// it gives must not depend on how the bytes were cut into reads. Pure.
#include "hl7/mllp.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using namespace cordee::hl7;
using Kind = MllpEvent::Kind;

namespace {

const std::string kA = "MSH|^~\\&|A|F|||20240101||ADT^A01|C1|P|2.5\rPID|1\r";
const std::string kB = "MSH|^~\\&|A|F|||20240101||ADT^A03|C2|P|2.5\rPID|2\r";

std::vector<MllpEvent> FeedInChunks(const std::string& bytes, const std::vector<size_t>& cuts, size_t max = 1 << 20,
                                    size_t prefix = 4096) {
    MllpFramer f(max, prefix);
    std::vector<MllpEvent> out;
    size_t pos = 0;
    for (size_t cut : cuts) {
        if (cut > bytes.size()) break;
        f.Feed(std::string_view(bytes).substr(pos, cut - pos), out);
        pos = cut;
    }
    f.Feed(std::string_view(bytes).substr(pos), out);
    f.Finish(out);
    return out;
}

std::vector<MllpEvent> Whole(const std::string& bytes, size_t max = 1 << 20, size_t prefix = 4096) {
    return FeedInChunks(bytes, {}, max, prefix);
}

std::vector<MllpEvent> ByteByByte(const std::string& bytes, size_t max = 1 << 20, size_t prefix = 4096) {
    std::vector<size_t> cuts;
    for (size_t i = 1; i < bytes.size(); ++i) cuts.push_back(i);
    return FeedInChunks(bytes, cuts, max, prefix);
}

MllpEvent Msg(const std::string& m) { return MllpEvent{Kind::kMessage, m, m.size()}; }

}  // namespace

TEST_CASE("hl7 mllp: one frame, in one read or byte by byte") {
    const std::string wire = MllpFrame(kA);
    CHECK(wire == "\x0b" + kA + "\x1c\x0d");
    CHECK(Whole(wire) == std::vector<MllpEvent>{Msg(kA)});
    CHECK(ByteByByte(wire) == std::vector<MllpEvent>{Msg(kA)});
}

TEST_CASE("hl7 mllp: many frames in one read, and a message given as soon as its end block is read") {
    const std::string wire = MllpFrame(kA) + MllpFrame(kB) + MllpFrame(kA) + MllpFrame("");
    const std::vector<MllpEvent> expected{Msg(kA), Msg(kB), Msg(kA), Msg("")};
    CHECK(Whole(wire) == expected);
    CHECK(ByteByByte(wire) == expected);

    MllpFramer f;
    std::vector<MllpEvent> out;
    f.Feed("\x0b" + kA + "\x1c", out);  // the 0x0D has not come yet
    CHECK(out == std::vector<MllpEvent>{Msg(kA)});
    f.Feed("\x0d", out);
    f.Finish(out);
    CHECK(out.size() == 1);
    CHECK(f.messages() == 1);
    CHECK(f.garbage_bytes() == 0);
}

TEST_CASE("hl7 mllp: garbage before a start block is skipped and counted, once per run") {
    const std::string wire = "hello\r\n" + MllpFrame(kA) + "\n\n" + MllpFrame(kB) + "tail";
    const std::vector<MllpEvent> expected{{Kind::kGarbage, "", 7}, Msg(kA), {Kind::kGarbage, "", 2}, Msg(kB),
                                          {Kind::kGarbage, "", 4}};
    CHECK(Whole(wire) == expected);
    CHECK(ByteByByte(wire) == expected);
    MllpFramer f;
    std::vector<MllpEvent> out;
    f.Feed(wire, out);
    f.Finish(out);
    CHECK(f.garbage_bytes() == 13);
    // An end block without a start is garbage too; a missing 0x0D after the end block is tolerated.
    CHECK(Whole("\x1c\x0d" + MllpFrame(kA)) == std::vector<MllpEvent>{{Kind::kGarbage, "", 2}, Msg(kA)});
    CHECK(Whole("\x0b" + kA + "\x1c" + "\x0b" + kB + "\x1c\x0d") == std::vector<MllpEvent>{Msg(kA), Msg(kB)});
}

TEST_CASE("hl7 mllp: a frame over the bound is dropped, reported with its first bytes, and the framer resyncs") {
    const std::string big = kA + std::string(200, 'x');
    const std::string wire = MllpFrame(big) + MllpFrame(kB);
    const std::vector<MllpEvent> expected{{Kind::kOversize, big.substr(0, 40), big.size()}, Msg(kB)};
    CHECK(Whole(wire, 100, 40) == expected);
    CHECK(ByteByByte(wire, 100, 40) == expected);
    // Exactly at the bound is fine.
    CHECK(Whole(MllpFrame(std::string(100, 'y')), 100, 40) == std::vector<MllpEvent>{Msg(std::string(100, 'y'))});
    // An oversize frame with no end: resync at the next start block; at the end of the connection.
    const std::string unended = "\x0b" + big + MllpFrame(kB) + "\x0b" + big;
    const std::vector<MllpEvent> resync{{Kind::kOversize, big.substr(0, 40), big.size()}, Msg(kB),
                                        {Kind::kOversize, big.substr(0, 40), big.size()}};
    CHECK(Whole(unended, 100, 40) == resync);
    CHECK(ByteByByte(unended, 100, 40) == resync);
    MllpFramer f(100, 40);
    std::vector<MllpEvent> out;
    f.Feed(unended, out);
    CHECK(f.in_frame());
    f.Finish(out);
    CHECK(f.oversize_frames() == 2);
    CHECK(!f.in_frame());
}

TEST_CASE("hl7 mllp: a missing end block is reported at the connection's end, or when the sender begins again") {
    const std::vector<MllpEvent> at_end{Msg(kA), {Kind::kUnterminated, kB, kB.size()}};
    CHECK(Whole(MllpFrame(kA) + std::string("\x0b") + kB) == at_end);
    CHECK(ByteByByte(MllpFrame(kA) + std::string("\x0b") + kB) == at_end);
    const std::vector<MllpEvent> restart{{Kind::kUnterminated, kA.substr(0, 10), 10}, Msg(kB)};
    CHECK(Whole(std::string("\x0b") + kA.substr(0, 10) + MllpFrame(kB)) == restart);
    MllpFramer f;
    std::vector<MllpEvent> out;
    f.Feed(std::string("\x0b") + kA.substr(0, 10) + MllpFrame(kB), out);
    f.Finish(out);
    CHECK(f.unterminated_frames() == 1);
    CHECK(f.messages() == 1);
    // Nothing at all, or only a start block.
    CHECK(Whole("").empty());
    CHECK(Whole("\x0b") == std::vector<MllpEvent>{{Kind::kUnterminated, "", 0}});
}

TEST_CASE("hl7 mllp: whatever the cuts between reads, the same events (random chunkings of a mixed stream)") {
    const std::string big = kA + std::string(300, 'z');
    const std::string wire = "junk" + MllpFrame(kA) + MllpFrame(big) + "\r\n" + MllpFrame(kB) + "\x0b" + kA.substr(0, 20) +
                             MllpFrame(kA) + "\x0b" + kB + "\x1c" + "more" + "\x0b" + kB;
    const auto expected = Whole(wire, 200, 64);
    REQUIRE(expected.size() == 10);
    std::mt19937 rng(12);
    for (int round = 0; round < 300; ++round) {
        std::vector<size_t> cuts;
        size_t pos = 0;
        while (pos < wire.size()) {
            pos += 1 + rng() % (round % 3 == 0 ? 4 : 90);
            cuts.push_back(pos);
        }
        REQUIRE(FeedInChunks(wire, cuts, 200, 64) == expected);
    }
}

// Fuzz target: HL7 v2 messages as a hospital's MLLP connection delivers them (src/hl7/message, timestamp, pam,
// ack): Message::Parse, every accessor on what it found, the PAM view, and the ACK the listener would send. Small
// bounds (64 KiB, 300 segments) so that the "too large" and "too many segments" paths are reached too.
// Invariants: parsing never throws; an error is one of the documented kinds (no MSH, MSH-1/MSH-2, MSH-9/MSH-10,
// MSH-18 charset or invalid UTF-8, bounds) with a location and a French text; every decoded value is valid UTF-8
// without NUL; raw parts are pieces of the received text without their separators; Escape is undone by Decode;
// valid timestamps are in range and written back the same; an ACK is always built, parses, answers with the
// expected MSA-1 and ERR count, and its MSA-2 is the MSH-10 that was read (or empty when none could be).
#include "common/text.hpp"
#include "hl7/ack.hpp"
#include "hl7/pam.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace cordee;
using namespace cordee::hl7;

namespace {

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                     \
        }                                                                                     \
    } while (0)

constexpr int64_t kNow = 1'710'509'400'000'000;  // 2024-03-15T13:30:00Z

bool CleanText(std::string_view s) { return IsValidUtf8(s) && s.find('\0') == std::string_view::npos; }

bool Within(std::string_view part, std::string_view whole) {
    return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

// A message with the standard delimiters, to check Escape/Decode on any value.
const Message& Standard() {
    static const Message m = Message::Parse("MSH|^~\\&|A|F|||20240101||ADT^A01|1|P|2.5||||||UNICODE UTF-8");
    return m;
}

void CheckValue(const Message& m, const Segment& s, int f, int r, int c, int sub) {
    const std::string_view raw = s.Raw(f, r, c, sub);
    CHECK(Within(raw, m.text()));
    CHECK(raw.find_first_of("\r\n") == std::string_view::npos);
    const Delimiters& d = m.delimiters();
    const bool atomic = f == 0 || (s.name() == "MSH" && f <= 2);
    if (!atomic && f > 0) CHECK(raw.find(d.field) == std::string_view::npos);
    if (!atomic && r > 0 && d.repetition) CHECK(raw.find(d.repetition) == std::string_view::npos);
    if (!atomic && c > 0 && d.component) CHECK(raw.find(d.component) == std::string_view::npos);
    if (!atomic && sub > 0 && d.subcomponent) CHECK(raw.find(d.subcomponent) == std::string_view::npos);
    const std::string v = s.Get(f, r, c, sub);
    CHECK(CleanText(v));
    // Escape round trips where there is something to escape (plain text is most values, and costs time only).
    const bool plain = std::all_of(v.begin(), v.end(), [&](char ch) {
        const auto u = static_cast<unsigned char>(ch);
        return u >= 0x20 && u < 0x80 && std::string_view("|^~\\&").find(ch) == std::string_view::npos &&
               ch != d.field && ch != d.component && ch != d.repetition && ch != d.escape && ch != d.subcomponent;
    });
    if (plain) return;
    CHECK(Standard().Decode(Escape(v)) == v);
    if (m.ok() && m.charset() == Charset::kUtf8 && d.escape) CHECK(m.Decode(Escape(v, d)) == v);
}

void CheckTimestamp(std::string_view text) {
    std::string why;
    const auto t = ParseTimestamp(text, &why);
    if (!t) {
        CHECK(!why.empty() && CleanText(why));
        return;
    }
    CHECK(t->month >= 1 && t->month <= 12 && t->day >= 1 && t->day <= 31 && t->hour <= 23 && t->minute <= 59 &&
          t->second <= 59 && t->microsecond >= 0 && t->microsecond < 1'000'000 && t->year >= 1);
    if (t->year >= 1900 && t->year <= 9000) {
        const int64_t second = t->utc_micros - ((t->utc_micros % 1'000'000) + 1'000'000) % 1'000'000;
        const auto back = ParseTimestamp(FormatTimestamp(t->utc_micros));
        CHECK(back && back->utc_micros == second);
    }
}

bool Documented(const Issue& e) {
    switch (e.code) {
        case ErrorCode::kSegmentSequence:
        case ErrorCode::kRequiredFieldMissing:
        case ErrorCode::kDataType:
        case ErrorCode::kTableValueNotFound:
        case ErrorCode::kApplicationInternal: return !e.where.segment.empty() && !e.text.empty() && CleanText(e.text);
        default: return false;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const Message m = Message::Parse(input, Limits{64 << 10, 300});
    CHECK(m.text() == input);
    if (m.error()) {
        CHECK(Documented(*m.error()));
        CHECK(m.error()->where.segment == "MSH" || m.error()->code == ErrorCode::kDataType);
    } else {
        CHECK(!m.header().control_id.empty() && !m.header().type.empty());
        CHECK(m.segment_count() >= 1 && m.segment(0).name() == "MSH");
    }
    CHECK(m.warnings().size() <= 50);
    for (const Issue& w : m.warnings()) CHECK(CleanText(w.text) && CleanText(w.where.segment));

    // Every accessor, on a bounded part of what was found.
    for (size_t i = 0; i < m.segment_count() && i < 16; ++i) {
        const Segment s = m.segment(i);
        CHECK(s.index() == i);
        CHECK(m.Find(s.name(), s.sequence())->index() == i);
        CHECK(s.sequence() <= m.Count(s.name()));
        for (int f = 0; f <= s.field_count() + 1 && f <= 33; ++f) {
            CHECK(Within(s.Raw(f, 0), m.text()));
            CheckValue(m, s, f, 1, 0, 0);
            const int reps = s.Repetitions(f);
            CHECK(reps >= 0 && (reps > 0) == !s.Raw(f, 0).empty());
            // Down to where the text has parts (and one past), not through thousands of empty ones.
            const Delimiters& d = m.delimiters();
            for (int r = 1; r <= reps + 1 && r <= 3; ++r) {
                CheckValue(m, s, f, r, 0, 0);
                const std::string_view rep = s.Raw(f, r);
                if (rep.empty()) continue;
                const int comps = d.component ? static_cast<int>(std::count(rep.begin(), rep.end(), d.component)) : 0;
                for (int c = 1; c <= comps + 2 && c <= 4; ++c) {
                    CheckValue(m, s, f, r, c, 0);
                    const std::string_view comp = s.Raw(f, r, c);
                    if (d.subcomponent && comp.find(d.subcomponent) != std::string_view::npos)
                        for (int sub = 1; sub <= 3; ++sub) CheckValue(m, s, f, r, c, sub);
                }
            }
        }
        CHECK(CleanText(s.At(1, 1, 1, 1).Label()));
    }
    const Header& h = m.header();
    for (const std::string* v : {&h.sending_application.namespace_id, &h.sending_facility.universal_id, &h.time_text,
                                 &h.type, &h.trigger, &h.control_id, &h.processing_id, &h.version, &h.charset_declared})
        CHECK(CleanText(*v));
    CheckTimestamp(h.time_text);
    if (m.segment_count() > 1) CheckTimestamp(m.segment(1).Raw(2, 1, 1));

    if (m.ok()) {
        const PamMessage pam = ReadPam(m);
        CHECK(pam.warnings.size() <= 50);
        for (const Issue& w : pam.warnings) CHECK(Documented(w));
        if (pam.patient)
            for (const Identifier& id : pam.patient->identifiers) CHECK(!id.value.empty() && CleanText(id.value));
        for (const Role& r : pam.roles) CHECK(r.rpps.empty() || r.rpps.size() == 11);
    }

    // The ACK: always built, and read back.
    const AckCode code = !m.ok() ? AckCode::kReject : size % 2 ? AckCode::kError : AckCode::kAccept;
    const std::vector<Issue>& errors = m.ok() ? m.warnings() : std::vector<Issue>{*m.error()};
    const std::string ack = m.ok() ? BuildAck(m, code, errors, "ACK1", kNow) : BuildRejectAck(m, "ACK1", kNow);
    const Message back = Message::Parse(ack);
    if (!back.ok()) std::fprintf(stderr, "ACK refused: %s\n", back.error()->text.c_str());
    CHECK(back.ok());
    CHECK(back.warnings().empty());
    CHECK(back.header().control_id == "ACK1");
    CHECK(back.header().type == "ACK");
    CHECK(back.header().trigger == h.trigger);
    CHECK(back.header().receiving_application.namespace_id == h.sending_application.namespace_id);
    CHECK(back.header().receiving_facility.universal_id == h.sending_facility.universal_id);
    CHECK(back.header().sending_facility.universal_id_type == h.receiving_facility.universal_id_type);
    const auto msa = back.Find("MSA");
    CHECK(msa && msa->Get(1) == AckCodeName(code));
    CHECK(msa->Get(2) == h.control_id);
    const size_t expected_errs = errors.empty() && code != AckCode::kAccept ? 1 : errors.size();
    CHECK(static_cast<size_t>(back.Count("ERR")) == expected_errs);
    if (!errors.empty()) CHECK(back.Find("ERR")->Get(8) == errors[0].text);
    return 0;
}

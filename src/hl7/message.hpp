#pragma once
// HL7 v2 messages in ER7 (the `|^~\&` text form), read as hospital systems send them (IHE PAM, French extension).
//
// A Message keeps the received text once; segments and fields are offsets into it (one vector of spans for the
// whole message), repetitions, components and sub-components are found by scanning a field when they are asked
// for, and escapes and the character set are decoded only when a value is asked for (Get). Parsing never throws:
// a message that cannot be used (no MSH, bad encoding characters, no MSH-9 or MSH-10, unsupported or invalid
// character set, too large) has an error() with its HL7 location so that the ACK's ERR can name it, and keeps the
// header fields that could be read (the ACK's MSA-2 is the MSH-10 when it could be salvaged). What is readable
// but doubtful is a warning.
//
// Numbering is HL7's: fields, repetitions, components and sub-components count from 1. In MSH, MSH-1 is the field
// separator itself and MSH-2 the encoding characters, so MSH-n is the (n-1)-th piece after the segment name, while
// PID-n is the n-th: Field(3) of MSH is the sending application, Field(3) of PID the identifier list.
#include "hl7/timestamp.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cordee::hl7 {

// HL7 table 0357 (message error condition codes) as the ACK's ERR-3 carries them.
enum class ErrorCode : int {
    kSegmentSequence = 100,
    kRequiredFieldMissing = 101,
    kDataType = 102,
    kTableValueNotFound = 103,
    kUnsupportedMessageType = 200,
    kUnsupportedEvent = 201,
    kUnsupportedProcessingId = 202,
    kUnsupportedVersion = 203,
    kApplicationInternal = 207,
};
// The French text of a code ("Champ obligatoire absent"), as ERR-3.2 shows it.
std::string_view ErrorCodeText(ErrorCode code);

// Where something is in a message, as ERR-2 (ERL) says it: segment ^ sequence ^ field ^ repetition ^ component ^
// sub-component, 0 meaning "the whole" (and leaving the rest out).
struct Location {
    std::string segment;  // "PID"
    int sequence = 1;     // 2 for the second ROL
    int field = 0, repetition = 0, component = 0, subcomponent = 0;

    std::string Er7() const;    // "PID^1^7", "ROL^2^4^1^1"
    std::string Label() const;  // for people and logs: "PID-7", "ROL[2]-4.1"
};

// An error (the message cannot be used) or a warning (something could not be read): where, which code, and a
// French text saying what is wrong.
struct Issue {
    Location where;
    ErrorCode code = ErrorCode::kApplicationInternal;
    std::string text;
};

// The message's own encoding characters; '\0' when the message leaves one out (a missing sub-component separator
// makes '&' an ordinary character).
struct Delimiters {
    char field = '|', component = '^', repetition = '~', escape = '\\', subcomponent = '&';
};

// What the message's bytes are: UTF-8 (declared and checked, or undeclared and valid), or ISO-8859-1 (declared, or
// undeclared and not valid UTF-8). Decoded values are always UTF-8.
enum class Charset { kUtf8, kLatin1 };

struct Limits {
    size_t max_bytes = 1 << 20;   // larger messages are refused before any segment is read
    size_t max_segments = 10'000;
};

// An HD (hierarchic designator): MSH-3 to MSH-6 and the assigning authorities.
struct Hd {
    std::string namespace_id, universal_id, universal_id_type;
};

// MSH, decoded: what the storage, the routing per sending facility and the ACK need.
struct Header {
    Hd sending_application, sending_facility, receiving_application, receiving_facility;  // MSH-3..6
    std::string time_text;                 // MSH-7.1 as written
    std::optional<Timestamp> time;         // MSH-7, when valid
    std::string type, trigger, structure;  // MSH-9: ADT^A01^ADT_A01
    std::string control_id;                // MSH-10
    std::string processing_id;             // MSH-11.1: P, T, D
    std::string version;                   // MSH-12.1: 2.5
    std::string version_country;           // MSH-12.2.1: FRA
    std::string version_national;          // MSH-12.3.1: 2.11
    std::string charset_declared;          // MSH-18 (first repetition) as written, "" when absent
};

class Message;

// One segment of a message: a small handle, valid while its Message lives (and is not moved from).
class Segment {
public:
    std::string_view name() const;
    int sequence() const;      // 1 for the first segment of its name, 2 for the second…
    size_t index() const { return index_; }  // position in the message, from 0
    int field_count() const;   // the highest field number present (trailing empty fields included)

    // The raw ER7 text of a repetition of a field (the first by default), of a component or of a sub-component:
    // escapes not decoded; comp or sub 0 means the whole; rep 0 means the whole field, every repetition with its
    // separators. Absent parts are empty. MSH-1 and MSH-2 are always whole (never split, never decoded).
    std::string_view Raw(int field, int rep = 1, int comp = 0, int sub = 0) const;
    // The same part decoded: escapes replaced, character set turned into UTF-8 (never a NUL byte).
    std::string Get(int field, int rep = 1, int comp = 0, int sub = 0) const;
    // How many repetitions the field has (0 when it is empty or absent).
    int Repetitions(int field) const;
    Location At(int field = 0, int rep = 0, int comp = 0, int sub = 0) const;

private:
    friend class Message;
    Segment(const Message* m, size_t index) : m_(m), index_(index) {}
    const Message* m_;
    size_t index_;
};

class Message {
public:
    static Message Parse(std::string text, const Limits& limits = {});

    bool ok() const { return !error_; }
    const std::optional<Issue>& error() const { return error_; }
    const std::vector<Issue>& warnings() const { return warnings_; }
    const Header& header() const { return header_; }
    const Delimiters& delimiters() const { return delimiters_; }
    Charset charset() const { return charset_; }
    // What MSH-18 declares when it is one we read (8859/1, UNICODE UTF-8 or UTF-8), else none (absent, ASCII, or
    // refused): the ACK answers in the declared charset.
    std::optional<Charset> declared_charset() const { return declared_charset_; }
    std::string_view text() const { return text_; }  // as received

    size_t segment_count() const { return segments_.size(); }
    Segment segment(size_t index) const { return Segment(this, index); }
    // The n-th segment (from 1) of that name, or none.
    std::optional<Segment> Find(std::string_view name, int n = 1) const;
    int Count(std::string_view name) const;

    // Escapes and character set of this message turned into UTF-8 (what Segment::Get does to a raw part).
    std::string Decode(std::string_view raw) const;

private:
    friend class Segment;
    Message() = default;  // only Parse makes one: a message always has its parse result
    struct Span {
        uint32_t begin = 0, end = 0;
    };
    struct SegmentSpan {
        uint32_t first_field = 0;  // index in fields_ of the name; fields follow
        uint32_t field_count = 0;  // pieces including the name: field n is fields_[first_field + n]
        int sequence = 1;
        bool msh_layout = false;   // MSH: fields_[first_field + 1] is the field separator itself
    };

    void ScanSegments(size_t scan_bytes, size_t max_segments);
    bool ReadDelimiters();
    void SplitFields(size_t segment_index, std::unordered_map<std::string_view, int>& seen);
    void ReadCharset();
    void ReadHeader();
    Location LocationOfOffset(size_t offset) const;
    void Fail(Location where, ErrorCode code, std::string text);
    void Warn(Location where, ErrorCode code, std::string text);
    std::string_view SpanText(Span s) const { return std::string_view(text_).substr(s.begin, s.end - s.begin); }

    std::string text_;
    Delimiters delimiters_;
    bool split_components_ = true;  // false when the encoding characters are unusable (MSH read by fields only)
    Charset charset_ = Charset::kUtf8;
    std::optional<Charset> declared_charset_;
    std::vector<Span> lines_;       // segment texts (segments_[i] is lines_[i] split)
    std::vector<SegmentSpan> segments_;
    std::vector<Span> fields_;
    Header header_;
    std::optional<Issue> error_;
    std::vector<Issue> warnings_;
};

// `utf8` with every delimiter of `d` escaped (\F\ \S\ \T\ \R\ \E\), line ends as \.br\ (\r alone as \X0D\) and
// other control characters as \Xhh\, so that Message::Decode gives it back.
std::string Escape(std::string_view utf8, const Delimiters& d = {});

// A file of messages (what `cordee hl7 send` reads): one view per message, each starting at an MSH segment;
// batch envelopes (FHS, BHS, BTS, FTS) and what comes before the first MSH are left out.
std::vector<std::string_view> SplitBatch(std::string_view file);

}  // namespace cordee::hl7

#include "hl7/ack.hpp"

#include <unistr.h>

#include <algorithm>

namespace cordee::hl7 {

namespace {

const Delimiters kStandard{};

// Components escaped and joined with '^', empty trailing ones left out.
std::string Components(std::initializer_list<std::string_view> parts) {
    std::vector<std::string_view> v(parts);
    while (!v.empty() && v.back().empty()) v.pop_back();
    std::string r;
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) r += '^';
        r += Escape(v[i], kStandard);
    }
    return r;
}

std::string HdText(const Hd& hd) { return Components({hd.namespace_id, hd.universal_id, hd.universal_id_type}); }

// ERR-2: the location with its segment name escaped (a name that could not be read may hold anything).
std::string LocationText(const Location& l) {
    if (l.segment.empty()) return {};
    return Escape(l.segment, kStandard) + l.Er7().substr(l.segment.size());
}

// UTF-8 as ISO-8859-1, for an 8859/1 sender. Only our own texts can hold characters beyond U+00FF (what came from
// the message was 8859-1): the French ones are spelt out, others become '?'.
std::string Utf8ToLatin1(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    for (size_t i = 0; i < s.size();) {
        ucs4_t uc;
        const int n = u8_mbtouc(&uc, p + i, s.size() - i);
        i += static_cast<size_t>(n > 0 ? n : 1);
        if (uc <= 0xFF) out += static_cast<char>(uc);
        else if (uc == 0x152) out += "OE";
        else if (uc == 0x153) out += "oe";
        else if (uc == 0x2019) out += '\'';
        else out += '?';
    }
    return out;
}

// The ACK is written as the sender declared (UTF-8 stays UTF-8 even when its bytes were not, the values then being
// read as 8859-1 for the ACK), else (nothing declared, or a charset we refused) as its bytes were read.
bool WritesLatin1(const Message& received) {
    return received.declared_charset().value_or(received.charset()) == Charset::kLatin1;
}

std::string ErrSegment(const Issue& e, char severity) {
    return "ERR||" + LocationText(e.where) + "|" +
           Components({std::to_string(static_cast<int>(e.code)), ErrorCodeText(e.code), "HL70357"}) + "|" +
           severity + "||||" + Escape(e.text, kStandard) + "\r";
}

}  // namespace

std::string_view AckCodeName(AckCode code) {
    switch (code) {
        case AckCode::kAccept: return "AA";
        case AckCode::kError: return "AE";
        case AckCode::kReject: return "AR";
    }
    return "AR";
}

std::string BuildAck(const Message& received, AckCode code, const std::vector<Issue>& errors,
                     std::string_view control_id, int64_t now_micros) {
    const Header& h = received.header();
    std::string version = Components({h.version.empty() ? std::string_view("2.5") : h.version, h.version_country,
                                      h.version_national});
    std::string body = "|";
    body += Components({"ACK", h.trigger, "ACK"});
    body += '|';
    body += Escape(control_id, kStandard);
    body += '|';
    body += Escape(h.processing_id.empty() ? std::string_view("P") : h.processing_id, kStandard);
    body += '|';
    body += version;
    std::string rest = "MSA|";
    rest += AckCodeName(code);
    rest += '|';
    rest += Escape(h.control_id, kStandard);
    rest += '\r';
    const char severity = code == AckCode::kAccept ? 'W' : 'E';
    for (const Issue& e : errors) rest += ErrSegment(e, severity);
    if (errors.empty() && code != AckCode::kAccept)
        rest += ErrSegment(Issue{Location{}, ErrorCode::kApplicationInternal,
                                 "Le message n'a pas pu être traité."}, severity);

    std::string head = "MSH|^~\\&|" + HdText(h.receiving_application) + "|" + HdText(h.receiving_facility) + "|" +
                       HdText(h.sending_application) + "|" + HdText(h.sending_facility) + "|" +
                       FormatTimestamp(now_micros) + "|";
    const bool non_ascii = std::any_of(head.begin(), head.end(), [](char c) { return c & 0x80; }) ||
                           std::any_of(body.begin(), body.end(), [](char c) { return c & 0x80; }) ||
                           std::any_of(rest.begin(), rest.end(), [](char c) { return c & 0x80; });
    const bool latin1 = WritesLatin1(received);
    if (non_ascii || !h.charset_declared.empty()) body += latin1 ? "||||||8859/1" : "||||||UNICODE UTF-8";
    std::string ack = head + body + "\r" + rest;
    return latin1 ? Utf8ToLatin1(ack) : ack;
}

std::string BuildRejectAck(const Message& received, std::string_view control_id, int64_t now_micros) {
    std::vector<Issue> errors;
    if (received.error()) errors.push_back(*received.error());
    return BuildAck(received, AckCode::kReject, errors, control_id, now_micros);
}

}  // namespace cordee::hl7

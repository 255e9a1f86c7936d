#include "hl7/message.hpp"

#include <unistr.h>

#include <algorithm>
#include <climits>
#include <unordered_map>

namespace cordee::hl7 {

namespace {

// An oversize message is not read, but its first segment is, so that the ACK can still name its MSH-10.
constexpr size_t kSalvageBytes = 64 << 10;
// A message with thousands of doubtful segments says so in a few lines, not thousands.
constexpr size_t kMaxWarnings = 50;

// The n-th (from 1) piece of s between `sep`s; empty when absent. With no separator ('\0'), s is the only piece.
std::string_view Piece(std::string_view s, char sep, int n) {
    if (n < 1) return {};
    if (sep == '\0') return n == 1 ? s : std::string_view{};
    size_t start = 0;
    for (int i = 1; i < n; ++i) {
        const size_t p = s.find(sep, start);
        if (p == std::string_view::npos) return {};
        start = p + 1;
    }
    const size_t end = s.find(sep, start);
    return s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

// Delimiters are printable ASCII that is neither a letter, a digit nor a space.
bool IsDelimiterChar(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7F && !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
}

bool IsSegmentName(std::string_view n) {
    if (n.size() != 3 || n[0] < 'A' || n[0] > 'Z') return false;
    return std::all_of(n.begin() + 1, n.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

bool IsBlank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

std::string AsciiUpperTrimmed(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    std::string r(s);
    for (char& c : r)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return r;
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool IsAscii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80 && c != '\0'; });
}

// Bytes of the message's charset as UTF-8: ISO-8859-1 maps byte for byte to U+0000..U+00FF; UTF-8 is checked again
// (only \X..\ escapes can break it: what was received was checked by Parse) and repaired with U+FFFD. NUL bytes
// are dropped: no decoded value carries one (a database text column cannot).
std::string ToUtf8(std::string_view bytes, Charset cs) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 8);
    if (cs == Charset::kLatin1) {
        for (char ch : bytes) {
            const auto c = static_cast<unsigned char>(ch);
            if (c == 0) continue;
            if (c < 0x80) {
                out += ch;
            } else {
                out += static_cast<char>(0xC0 | (c >> 6));
                out += static_cast<char>(0x80 | (c & 0x3F));
            }
        }
        return out;
    }
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    for (size_t i = 0; i < bytes.size();) {
        ucs4_t uc;
        const int n = u8_mbtouc(&uc, p + i, bytes.size() - i);
        if (uc == 0xFFFD && !(n == 3 && p[i] == 0xEF && p[i + 1] == 0xBF && p[i + 2] == 0xBD)) {
            out += "\xEF\xBF\xBD";
        } else if (uc != 0) {
            out.append(bytes.substr(i, static_cast<size_t>(n)));
        }
        i += static_cast<size_t>(n > 0 ? n : 1);
    }
    return out;
}

}  // namespace

std::string_view ErrorCodeText(ErrorCode code) {
    switch (code) {
        case ErrorCode::kSegmentSequence: return "Erreur de séquence des segments";
        case ErrorCode::kRequiredFieldMissing: return "Champ obligatoire absent";
        case ErrorCode::kDataType: return "Erreur de type de donnée";
        case ErrorCode::kTableValueNotFound: return "Valeur absente de la table";
        case ErrorCode::kUnsupportedMessageType: return "Type de message non pris en charge";
        case ErrorCode::kUnsupportedEvent: return "Événement non pris en charge";
        case ErrorCode::kUnsupportedProcessingId: return "Mode de traitement non pris en charge";
        case ErrorCode::kUnsupportedVersion: return "Version non prise en charge";
        case ErrorCode::kApplicationInternal: return "Erreur interne de l'application";
    }
    return "Erreur";
}

// (Appends rather than `"x" + std::to_string(n)`: g++ 12 warns wrongly about the latter, -Wrestrict.)
std::string Location::Er7() const {
    std::string r = segment;
    for (int part : {sequence, field, repetition, component, subcomponent}) {
        if (part <= 0) break;  // a zero ends the location
        r += '^';
        r += std::to_string(part);
    }
    return r;
}

std::string Location::Label() const {
    std::string r = segment;
    const auto add = [&r](char before, int n, const char* after = "") {
        r += before;
        r += std::to_string(n);
        r += after;
    };
    if (sequence > 1) add('[', sequence, "]");
    if (field > 0) {
        add('-', field);
        if (repetition > 1) add('(', repetition, ")");
        if (component > 0) add('.', component);
        if (component > 0 && subcomponent > 0) add('.', subcomponent);
    }
    return r;
}

// --- Segment ---

std::string_view Segment::name() const { return m_->SpanText(m_->fields_[m_->segments_[index_].first_field]); }

int Segment::sequence() const { return m_->segments_[index_].sequence; }

int Segment::field_count() const { return static_cast<int>(m_->segments_[index_].field_count) - 1; }

std::string_view Segment::Raw(int field, int rep, int comp, int sub) const {
    const auto& seg = m_->segments_[index_];
    if (field < 0 || static_cast<uint32_t>(field) >= seg.field_count) return {};
    const std::string_view f = m_->SpanText(m_->fields_[seg.first_field + static_cast<uint32_t>(field)]);
    // The name, MSH-1 (the field separator) and MSH-2 (the encoding characters) hold delimiters as text.
    if (field == 0 || (seg.msh_layout && field <= 2)) return rep <= 1 && comp <= 1 && sub <= 1 ? f : std::string_view{};
    if (rep == 0) return f;
    const Delimiters& d = m_->delimiters_;
    const std::string_view r = Piece(f, d.repetition, rep);
    if (comp == 0) return r;
    const std::string_view c = Piece(r, d.component, comp);
    return sub == 0 ? c : Piece(c, d.subcomponent, sub);
}

std::string Segment::Get(int field, int rep, int comp, int sub) const {
    const auto& seg = m_->segments_[index_];
    if (field == 0 || (seg.msh_layout && field <= 2)) return ToUtf8(Raw(field, rep, comp, sub), m_->charset_);
    return m_->Decode(Raw(field, rep, comp, sub));
}

int Segment::Repetitions(int field) const {
    const std::string_view f = Raw(field, 0);
    if (f.empty()) return 0;
    const auto& seg = m_->segments_[index_];
    const char sep = m_->delimiters_.repetition;
    if (sep == '\0' || (seg.msh_layout && field <= 2)) return 1;
    return static_cast<int>(std::count(f.begin(), f.end(), sep)) + 1;
}

Location Segment::At(int field, int rep, int comp, int sub) const {
    // A name that is not one is still shown (its first 3 characters), or "???" when there is none.
    const std::string_view n = name();
    std::string shown = IsSegmentName(n) ? std::string(n) : ToUtf8(n.substr(0, 3), m_->charset_);
    if (shown.empty()) shown = "???";
    return Location{std::move(shown), sequence(), field, rep, comp, sub};
}

// --- Message ---

Message Message::Parse(std::string text, const Limits& limits) {
    Message m;
    m.text_ = std::move(text);
    const size_t max_bytes = std::min<size_t>(limits.max_bytes, UINT32_MAX - 1);
    if (m.text_.size() > max_bytes) {
        m.Fail(Location{"MSH", 1}, ErrorCode::kApplicationInternal,
               "Message trop volumineux : " + std::to_string(m.text_.size()) + " octets (au plus " +
                   std::to_string(max_bytes) + ").");
        m.ScanSegments(std::min(m.text_.size(), kSalvageBytes), 1);
        m.lines_.resize(std::min<size_t>(m.lines_.size(), 1));
    } else {
        m.ScanSegments(m.text_.size(), limits.max_segments);
        if (m.lines_.size() > limits.max_segments) {
            m.Fail(Location{"MSH", 1}, ErrorCode::kApplicationInternal,
                   "Message trop long : plus de " + std::to_string(limits.max_segments) + " segments.");
            m.lines_.resize(1);
        }
    }
    if (m.lines_.empty() || m.SpanText(m.lines_[0]).substr(0, 3) != "MSH") {
        m.Fail(Location{"MSH", 1}, ErrorCode::kSegmentSequence, "Le message ne commence pas par un segment MSH.");
        m.lines_.clear();
        return m;
    }
    if (!m.ReadDelimiters()) {
        m.lines_.clear();
        return m;
    }
    std::unordered_map<std::string_view, int> seen;  // segments of each name so far: their sequence numbers
    for (size_t i = 0; i < m.lines_.size(); ++i) m.SplitFields(i, seen);
    m.ReadCharset();
    m.ReadHeader();
    return m;
}

void Message::Fail(Location where, ErrorCode code, std::string text) {
    if (!error_) error_ = Issue{std::move(where), code, std::move(text)};
}

void Message::Warn(Location where, ErrorCode code, std::string text) {
    if (warnings_.size() < kMaxWarnings) warnings_.push_back(Issue{std::move(where), code, std::move(text)});
}

void Message::ScanSegments(size_t scan_bytes, size_t max_segments) {
    // Segments end at \r, \n or \r\n; an empty (or blank) line between them is no segment. One line more than
    // allowed is kept so that the caller sees the excess.
    size_t pos = 0;
    if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;  // a UTF-8 byte order mark some editors write
    while (pos < scan_bytes && lines_.size() <= max_segments) {
        const size_t end = std::min(text_.find_first_of("\r\n", pos), scan_bytes);
        if (!IsBlank(std::string_view(text_).substr(pos, end - pos)))
            lines_.push_back(Span{static_cast<uint32_t>(pos), static_cast<uint32_t>(end)});
        pos = end + 1;
    }
}

bool Message::ReadDelimiters() {
    const std::string_view msh = SpanText(lines_[0]);
    if (msh.size() < 4 || !IsDelimiterChar(msh[3])) {
        Fail(Location{"MSH", 1, 1}, ErrorCode::kDataType, "Séparateur de champ (MSH-1) absent ou invalide.");
        return false;
    }
    const char fs = msh[3];
    const std::string_view enc = Piece(msh.substr(4), fs, 1);
    // MSH-2: component, repetition, escape, sub-component (the last ones may be left out), and HL7 2.7's
    // truncation character, which we do not use.
    bool good = !enc.empty() && enc.size() <= 5;
    for (size_t i = 0; good && i < enc.size(); ++i)
        good = IsDelimiterChar(enc[i]) && enc[i] != fs && enc.substr(0, i).find(enc[i]) == std::string_view::npos;
    delimiters_ = Delimiters{fs, '\0', '\0', '\0', '\0'};
    if (!good) {
        // The fields can still be told apart: the header is read field by field, for the ACK.
        Fail(Location{"MSH", 1, 2}, ErrorCode::kDataType,
             "Caractères d'encodage (MSH-2) invalides : 1 à 4 caractères distincts attendus, comme ^~\\&.");
        split_components_ = false;
        return true;
    }
    char* const slots[] = {&delimiters_.component, &delimiters_.repetition, &delimiters_.escape,
                           &delimiters_.subcomponent};
    for (size_t i = 0; i < enc.size() && i < 4; ++i) *slots[i] = enc[i];
    return true;
}

void Message::SplitFields(size_t i, std::unordered_map<std::string_view, int>& seen) {
    const Span line = lines_[i];
    const std::string_view s = SpanText(line);
    const char fs = delimiters_.field;
    SegmentSpan seg;
    seg.first_field = static_cast<uint32_t>(fields_.size());
    uint32_t cur = line.begin;
    if (s.size() >= 4 && s.substr(0, 3) == "MSH" && s[3] == fs) {
        seg.msh_layout = true;
        fields_.push_back(Span{line.begin, line.begin + 3});
        fields_.push_back(Span{line.begin + 3, line.begin + 4});
        cur = line.begin + 4;
    }
    while (true) {
        const size_t p = std::string_view(text_).substr(cur, line.end - cur).find(fs);
        const uint32_t end = p == std::string_view::npos ? line.end : cur + static_cast<uint32_t>(p);
        fields_.push_back(Span{cur, end});
        if (end == line.end) break;
        cur = end + 1;
    }
    seg.field_count = static_cast<uint32_t>(fields_.size()) - seg.first_field;
    segments_.push_back(seg);
    const Segment handle(this, i);
    const std::string_view name = handle.name();
    segments_.back().sequence = ++seen[name];
    if (!IsSegmentName(name))
        Warn(handle.At(), ErrorCode::kSegmentSequence,
             "Segment n° " + std::to_string(i + 1) + " illisible : nom de 3 lettres ou chiffres attendu.");
    else if (i > 0 && name == "MSH")
        Warn(handle.At(), ErrorCode::kSegmentSequence, "Second segment MSH : un seul message par envoi est lu.");
}

void Message::ReadCharset() {
    const std::string_view declared = Segment(this, 0).Raw(18, 1, 1);
    const std::string cs = AsciiUpperTrimmed(declared);
    const std::string_view scanned = std::string_view(text_).substr(0, lines_.back().end);
    const uint8_t* bad = u8_check(reinterpret_cast<const uint8_t*>(scanned.data()), scanned.size());
    if (cs.empty() || cs == "ASCII") {
        // Undeclared: ASCII by the standard, but senders write accents; valid UTF-8 is read as such, else 8859-1.
        charset_ = bad ? Charset::kLatin1 : Charset::kUtf8;
    } else if (cs == "8859/1") {
        charset_ = Charset::kLatin1;
        declared_charset_ = Charset::kLatin1;
    } else if (cs == "UNICODE UTF-8" || cs == "UTF-8") {
        charset_ = Charset::kUtf8;
        declared_charset_ = Charset::kUtf8;
        if (bad) {
            charset_ = Charset::kLatin1;  // what is salvaged for the ACK stays readable
            const size_t offset = static_cast<size_t>(bad - reinterpret_cast<const uint8_t*>(text_.data()));
            const Location where = LocationOfOffset(offset);
            Fail(where, ErrorCode::kDataType,
                 "Octets invalides en UTF-8 (déclaré en MSH-18) dans " + where.Label() + ", octet " +
                     std::to_string(offset + 1) + ".");
        }
    } else {
        charset_ = bad ? Charset::kLatin1 : Charset::kUtf8;
        Fail(Location{"MSH", 1, 18}, ErrorCode::kTableValueNotFound,
             "Jeu de caractères « " + ToUtf8(declared.substr(0, 40), charset_) +
                 " » non pris en charge : 8859/1 ou UNICODE UTF-8 attendu.");
    }
}

Location Message::LocationOfOffset(size_t offset) const {
    size_t i = 0;
    while (i + 1 < lines_.size() && lines_[i + 1].begin <= offset) ++i;
    const SegmentSpan& seg = segments_[i];
    int field = 0;
    for (uint32_t k = 1; k < seg.field_count; ++k)
        if (fields_[seg.first_field + k].begin <= offset) field = static_cast<int>(k);
    return Segment(this, i).At(field);
}

void Message::ReadHeader() {
    const Segment msh(this, 0);
    const auto hd = [&](int f) { return Hd{msh.Get(f, 1, 1), msh.Get(f, 1, 2), msh.Get(f, 1, 3)}; };
    Header& h = header_;
    h.sending_application = hd(3);
    h.sending_facility = hd(4);
    h.receiving_application = hd(5);
    h.receiving_facility = hd(6);
    h.time_text = msh.Get(7, 1, 1);
    h.type = msh.Get(9, 1, 1);
    h.trigger = msh.Get(9, 1, 2);
    h.structure = msh.Get(9, 1, 3);
    h.control_id = msh.Get(10);
    h.processing_id = msh.Get(11, 1, 1);
    h.version = msh.Get(12, 1, 1);
    h.version_country = msh.Get(12, 1, 2, 1);
    h.version_national = msh.Get(12, 1, 3, 1);
    h.charset_declared = msh.Get(18, 1, 1);
    if (h.control_id.empty())
        Fail(msh.At(10), ErrorCode::kRequiredFieldMissing, "Identifiant du message (MSH-10) absent.");
    if (h.type.empty()) Fail(msh.At(9), ErrorCode::kRequiredFieldMissing, "Type de message (MSH-9) absent.");
    if (h.time_text.empty()) {
        Warn(msh.At(7), ErrorCode::kRequiredFieldMissing, "Date du message (MSH-7) absente.");
    } else {
        std::string why;
        h.time = ParseTimestamp(h.time_text, &why);
        if (!h.time) Warn(msh.At(7), ErrorCode::kDataType, "Date du message (MSH-7) : " + why + ".");
    }
}

std::optional<Segment> Message::Find(std::string_view name, int n) const {
    for (size_t i = 0; i < segments_.size(); ++i)
        if (Segment(this, i).name() == name && --n == 0) return Segment(this, i);
    return std::nullopt;
}

int Message::Count(std::string_view name) const {
    int n = 0;
    for (size_t i = 0; i < segments_.size(); ++i) n += Segment(this, i).name() == name;
    return n;
}

std::string Message::Decode(std::string_view raw) const {
    const char esc = delimiters_.escape;
    const bool escapes = esc != '\0' && raw.find(esc) != std::string_view::npos;
    if (!escapes && (charset_ == Charset::kUtf8 ? raw.find('\0') == std::string_view::npos : IsAscii(raw)))
        return std::string(raw);  // most values: nothing to decode
    if (!escapes) return ToUtf8(raw, charset_);
    std::string bytes;
    bytes.reserve(raw.size());
    size_t i = 0;
    while (i < raw.size()) {
        if (raw[i] != esc) {
            bytes += raw[i++];
            continue;
        }
        const size_t close = raw.find(esc, i + 1);
        if (close == std::string_view::npos) {  // an escape character with no end: text
            bytes.append(raw.substr(i));
            break;
        }
        const std::string_view seq = raw.substr(i + 1, close - i - 1);
        const Delimiters& d = delimiters_;
        char single = '\0';
        if (seq == "F") single = d.field;
        else if (seq == "S") single = d.component;
        else if (seq == "T") single = d.subcomponent;
        else if (seq == "R") single = d.repetition;
        else if (seq == "E") single = d.escape;
        else if (seq == ".br") single = '\n';
        bool known = single != '\0' || seq == "H" || seq == "N";  // highlighting on/off: no text
        if (single != '\0') bytes += single;
        if (!known && seq.size() >= 3 && seq[0] == 'X' && seq.size() % 2 == 1) {
            known = true;
            for (size_t k = 1; k < seq.size(); ++k) known = known && HexDigit(seq[k]) >= 0;
            for (size_t k = 1; known && k < seq.size(); k += 2)
                bytes += static_cast<char>(HexDigit(seq[k]) * 16 + HexDigit(seq[k + 1]));
        }
        if (!known) bytes.append(raw.substr(i, close - i + 1));  // unknown escapes stay as written
        i = close + 1;
    }
    return ToUtf8(bytes, charset_);
}

std::string Escape(std::string_view utf8, const Delimiters& d) {
    std::string out;
    out.reserve(utf8.size() + 8);
    const auto seq = [&](std::string_view s) {
        out += d.escape;
        out += s;
        out += d.escape;
    };
    static const char kHex[] = "0123456789ABCDEF";
    for (char c : utf8) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') {
            seq(".br");
        } else if (u < 0x20 && c != '\t') {
            seq(std::string{'X', kHex[u >> 4], kHex[u & 15]});
        } else if (c == d.escape) {
            seq("E");
        } else if (c == d.field) {
            seq("F");
        } else if (d.component && c == d.component) {
            seq("S");
        } else if (d.subcomponent && c == d.subcomponent) {
            seq("T");
        } else if (d.repetition && c == d.repetition) {
            seq("R");
        } else {
            out += c;
        }
    }
    return out;
}

std::vector<std::string_view> SplitBatch(std::string_view file) {
    std::vector<std::string_view> out;
    size_t start = std::string_view::npos;  // of the message being gathered
    size_t pos = 0;
    while (pos < file.size()) {
        const size_t end = std::min(file.find_first_of("\r\n", pos), file.size());
        const std::string_view head = file.substr(pos, std::min<size_t>(3, end - pos));
        const bool msh = head == "MSH", envelope = head == "FHS" || head == "BHS" || head == "BTS" || head == "FTS";
        if ((msh || envelope) && start != std::string_view::npos) {
            out.push_back(file.substr(start, pos - start));
            start = std::string_view::npos;
        }
        if (msh) start = pos;
        pos = end + 1;
    }
    if (start != std::string_view::npos) out.push_back(file.substr(start));
    return out;
}

}  // namespace cordee::hl7

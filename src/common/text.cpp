#include "common/text.hpp"

#include <unicase.h>
#include <uninorm.h>
#include <unistr.h>

#include <cstdlib>
#include <memory>

namespace cordee {

bool IsValidUtf8(std::string_view s) {
    return u8_check(reinterpret_cast<const uint8_t*>(s.data()), s.size()) == nullptr;
}

bool HasControlChars(std::string_view s) {
    for (unsigned char c : s)
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return true;
    return false;
}

size_t CodePoints(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::string NormalizeNfc(std::string_view s) {
    size_t len = 0;
    uint8_t* out = u8_normalize(UNINORM_NFC, reinterpret_cast<const uint8_t*>(s.data()), s.size(), nullptr, &len);
    if (!out) return std::string(s);
    std::string r(reinterpret_cast<char*>(out), len);
    std::free(out);
    return r;
}

std::string Trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

std::string AsciiLower(std::string_view s) {
    std::string r(s);
    for (auto& c : r)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return r;
}

std::string FoldForSearch(std::string_view s) {
    // Decompose (NFD), drop combining marks, then lower-case: covers every Latin accent.
    size_t len = 0;
    uint8_t* nfd = u8_normalize(UNINORM_NFD, reinterpret_cast<const uint8_t*>(s.data()), s.size(), nullptr, &len);
    if (!nfd) return AsciiLower(s);
    std::u32string cps;
    for (size_t i = 0; i < len;) {
        ucs4_t uc;
        const int n = u8_mbtouc(&uc, nfd + i, len - i);
        i += n > 0 ? n : 1;
        if (uc >= 0x300 && uc <= 0x36F) continue;
        cps.push_back(uc);
    }
    std::free(nfd);
    std::string out;
    for (char32_t c : cps) {
        c = uc_tolower(c);
        if (c == U'œ') { out += "oe"; continue; }
        if (c == U'æ') { out += "ae"; continue; }
        if (c == U'ß') { out += "ss"; continue; }
        if (c == U'’' || c == U'\'' || c == U'-') { out += ' '; continue; }
        uint8_t buf[6];
        const int n = u8_uctomb(buf, c, sizeof buf);
        if (n > 0) out.append(reinterpret_cast<char*>(buf), n);
    }
    return out;
}

std::string StructureNameSearch(const std::string& name, const std::string& commune) {
    return " " + FoldForSearch(name + " " + commune);
}

std::string JsonEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    return out;
}

std::string RppsNumber(std::string_view typed) {
    std::string digits;
    for (char c : typed) {
        if (c >= '0' && c <= '9') digits.push_back(c);
        else if (c != ' ' && c != '.' && c != '\t') return "";
        if (digits.size() > 12) return "";
    }
    if (digits.size() == 12 && digits[0] == '8') return digits.substr(1);
    return digits.size() == 11 ? digits : "";
}

}  // namespace cordee

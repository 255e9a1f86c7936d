#include "sync/cursor.hpp"

#include <sodium.h>

#include <sstream>
#include <vector>

namespace cordee::sync {
namespace {

constexpr const char* kVersion = "c1";

std::string ToBase64Url(const std::string& raw) {
    std::string out(sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(out.find('\0'));
    return out;
}

std::optional<std::string> FromBase64Url(const std::string& text) {
    std::string out(text.size(), '\0');
    size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                          &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return std::nullopt;
    out.resize(len);
    return out;
}

std::optional<int64_t> Number(const std::string& s) {
    if (s.empty() || s.size() > 19) return std::nullopt;
    int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

}  // namespace

std::string EncodeCursor(const Cursor& c) {
    std::ostringstream o;
    o << kVersion << '|' << c.account_id << '|' << c.key_id << '|' << (c.phase == Cursor::Phase::kSnapshot ? 's' : 'c')
      << '|' << c.tx << '|' << c.seq << '|' << c.after << '|' << c.issued_at;
    return ToBase64Url(o.str());
}

std::optional<Cursor> DecodeCursor(const std::string& text) {
    const auto raw = FromBase64Url(text);
    if (!raw) return std::nullopt;
    std::vector<std::string> parts;
    std::string part;
    for (char ch : *raw) {
        if (ch == '|') {
            parts.push_back(part);
            part.clear();
        } else {
            part += ch;
        }
    }
    parts.push_back(part);
    if (parts.size() != 8 || parts[0] != kVersion || (parts[3] != "s" && parts[3] != "c")) return std::nullopt;
    const auto tx = Number(parts[4]), seq = Number(parts[5]), issued = Number(parts[7]);
    if (!tx || !seq || !issued || parts[1].empty()) return std::nullopt;
    Cursor c;
    c.account_id = parts[1];
    c.key_id = parts[2];
    c.phase = parts[3] == "s" ? Cursor::Phase::kSnapshot : Cursor::Phase::kChanges;
    c.tx = *tx;
    c.seq = *seq;
    c.after = parts[6];
    c.issued_at = *issued;
    return c;
}

}  // namespace cordee::sync

#include "patients/identity.hpp"

#include "common/text.hpp"

#include <cctype>
#include <cstdint>
#include <unicase.h>
#include <unictype.h>
#include <unistr.h>

namespace cordee::patients {

std::string OidKind(std::string_view oid) {
    if (oid == kOidNir) return "NIR";
    if (oid == kOidNia) return "NIA";
    if (oid == kOidTest) return "NIR test";
    if (oid == kOidDemo) return "NIR démo";
    return "";
}

int NirKey(std::string_view body) {
    if (body.size() != 13) return -1;
    // Corsica: département 2A and 2B (positions 6-7) stand for 19 and 18 in the computation; the written
    // NIR keeps the letters.
    std::string digits(body);
    const char d = digits[6];
    if (d == 'A' || d == 'a' || d == 'B' || d == 'b') {
        if (digits[5] != '2') return -1;
        digits[5] = '1';
        digits[6] = (d == 'A' || d == 'a') ? '9' : '8';
    }
    uint64_t n = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return -1;
        n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    return static_cast<int>(97 - n % 97);
}

std::optional<std::string> CheckNir(std::string_view text) {
    std::string s;
    for (char c : text) {
        if (c == ' ') continue;
        s += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
        if (s.size() > 15) return std::nullopt;
    }
    if (s.size() != 15 || (s[0] != '1' && s[0] != '2' && s[0] != '3' && s[0] != '4' && s[0] != '7' && s[0] != '8'))
        return std::nullopt;
    const int key = NirKey(std::string_view(s).substr(0, 13));
    if (key < 0 || s[13] < '0' || s[13] > '9' || s[14] < '0' || s[14] > '9') return std::nullopt;
    if ((s[13] - '0') * 10 + (s[14] - '0') != key) return std::nullopt;
    return s;
}

NameCheck CheckName(std::string_view raw, bool upper_case) {
    NameCheck out;
    if (!IsValidUtf8(raw)) return {"", "texte UTF-8 invalide"};
    const std::string nfc = NormalizeNfc(raw);
    // Letters of any script, apostrophes (straight and typographic), hyphens and single spaces.
    std::string clean;
    const auto* p = reinterpret_cast<const uint8_t*>(nfc.data());
    const auto* end = p + nfc.size();
    bool space = false;
    size_t letters = 0;
    while (p < end) {
        ucs4_t c;
        const int len = u8_mbtouc(&c, p, end - p);
        if (c == ' ' || c == '\t') {
            space = !clean.empty();
        } else {
            const bool ok = uc_is_general_category(c, UC_LETTER) || uc_is_general_category(c, UC_MARK) ||
                            c == '\'' || c == 0x2019 || c == '-';
            if (!ok) return {"", "seuls les lettres, l'apostrophe, le trait d'union et l'espace sont admis"};
            if (space) clean += ' ';
            space = false;
            if (c == 0x2019) clean += '\'';  // one apostrophe, whatever the keyboard typed
            else clean.append(reinterpret_cast<const char*>(p), len);
            if (uc_is_general_category(c, UC_LETTER)) ++letters;
        }
        p += len;
    }
    if (letters == 0) return {"", "au moins une lettre"};
    if (CodePoints(clean) > 100) return {"", "100 caractères au plus"};
    if (upper_case) {
        size_t n = 0;
        uint8_t* up = u8_toupper(reinterpret_cast<const uint8_t*>(clean.data()), clean.size(), nullptr, UNINORM_NFC,
                                 nullptr, &n);
        if (up) {
            clean.assign(reinterpret_cast<char*>(up), n);
            free(up);
        }
    }
    out.value = clean;
    return out;
}

std::string CheckBirthDate(std::string_view d, std::string_view today) {
    auto digits = [&](size_t from, size_t n) {
        int v = 0;
        for (size_t i = from; i < from + n; ++i) {
            if (d[i] < '0' || d[i] > '9') return -1;
            v = v * 10 + (d[i] - '0');
        }
        return v;
    };
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') return "format AAAA-MM-JJ (00 pour un jour ou un mois inconnu)";
    const int y = digits(0, 4), m = digits(5, 2), day = digits(8, 2);
    if (y < 0 || m < 0 || day < 0) return "format AAAA-MM-JJ (00 pour un jour ou un mois inconnu)";
    if (y < 1880) return "année antérieure à 1880";
    if (m > 12) return "mois entre 01 et 12 (00 si inconnu)";
    if (m == 0 && day != 0) return "jour connu mais mois inconnu : mettez aussi le jour à 00";
    if (day != 0) {
        static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        const int max = m == 2 && leap ? 29 : kDays[m - 1];
        if (day > max) return "cette date n'existe pas";
    }
    // Compare with today on the known parts only: 2026-00-00 is fine during 2026.
    std::string cmp(d);
    if (m == 0) cmp.replace(5, 5, "01-01");
    else if (day == 0) cmp.replace(8, 2, "01");
    if (cmp > today) return "date dans le futur";
    return "";
}

std::string SwappedDayMonth(std::string_view d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') return "";
    const std::string_view month = d.substr(5, 2), day = d.substr(8, 2);
    if (month == "00" || day == "00" || day == month || day > "12") return "";
    std::string out(d);
    out.replace(5, 2, day);
    out.replace(8, 2, month);
    return out;  // both parts at most 12: always a real date
}

bool IsInseeCode(std::string_view c) {
    if (c.size() != 5) return false;
    for (size_t i = 0; i < 5; ++i) {
        const bool digit = c[i] >= '0' && c[i] <= '9';
        if (i == 1 && c[0] == '2' && (c[1] == 'A' || c[1] == 'B')) continue;
        if (!digit) return false;
    }
    return c.substr(0, 2) != "00";
}

bool IsIdentityStatus(std::string_view s) {
    return s == "provisoire" || s == "recuperee" || s == "validee" || s == "qualifiee";
}

std::string CommuneOfAddress(std::string_view address) {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    size_t after = std::string_view::npos;
    for (size_t i = 0; i + 5 <= address.size(); ++i) {
        const bool five = digit(address[i]) && digit(address[i + 1]) && digit(address[i + 2]) && digit(address[i + 3]) &&
                          digit(address[i + 4]);
        const bool alone = (i == 0 || !digit(address[i - 1])) && (i + 5 == address.size() || !digit(address[i + 5]));
        if (five && alone) after = i + 5;
    }
    if (after == std::string_view::npos) return "";
    std::string_view rest = address.substr(after);
    if (auto cut = rest.find_first_of(",;\n"); cut != std::string_view::npos) rest = rest.substr(0, cut);
    auto trim = [](std::string_view v) {
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
        return v;
    };
    rest = trim(rest);
    if (rest.size() >= 5) {
        std::string tail(rest.substr(rest.size() - 5));
        for (auto& c : tail) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (tail == "CEDEX") rest = trim(rest.substr(0, rest.size() - 5));
    }
    return std::string(rest.substr(0, 100));
}

}  // namespace cordee::patients

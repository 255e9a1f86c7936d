#include "hl7/timestamp.hpp"

#include <cstdio>

namespace cordee::hl7 {

namespace {

constexpr int64_t kMicrosPerMinute = 60'000'000;
constexpr int64_t kMicrosPerDay = 86'400'000'000;

const char* const kMonthNames[] = {"janvier", "février", "mars",      "avril",   "mai",      "juin",
                                   "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Digits [pos, pos+n) of s as a number; -1 when one of them is not a digit.
int Number(std::string_view s, size_t pos, size_t n) {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

// The instant (UTC micros) of 01:00 UTC on the last Sunday of `month` in `year`.
int64_t LastSundayOneUtc(int year, int month) {
    const int64_t last = DaysFromCivil(year, month, DaysInMonth(year, month));
    const int64_t weekday = ((last % 7) + 11) % 7;  // 1970-01-01 was a Thursday: 0 = Sunday
    return (last - weekday) * kMicrosPerDay + 60 * kMicrosPerMinute;
}

// The start of a text that is no date, quoted in a reason: printable ASCII only (it may be any bytes).
std::string Quoted(std::string_view s) {
    std::string r;
    for (char c : s.substr(0, 40)) r += c >= 0x20 && c < 0x7F ? c : '?';
    return r;
}

std::optional<Timestamp> Fail(std::string* why, std::string reason) {
    if (why) *why = std::move(reason);
    return std::nullopt;
}

}  // namespace

int64_t DaysFromCivil(int y, int m, int d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int& year, int& month, int& day) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    year = static_cast<int>(yoe + era * 400 + (month <= 2));
}

int ParisOffsetMinutes(int64_t utc_micros) {
    int64_t days = utc_micros / kMicrosPerDay;
    if (utc_micros % kMicrosPerDay < 0) --days;
    int year, month, day;
    CivilFromDays(days, year, month, day);
    if (year < 1981) return 60;
    const int64_t start = LastSundayOneUtc(year, 3);
    const int64_t end = LastSundayOneUtc(year, year >= 1996 ? 10 : 9);
    return utc_micros >= start && utc_micros < end ? 120 : 60;
}

int64_t ParisLocalToUtc(int64_t local_micros) {
    const int64_t as_summer = local_micros - 120 * kMicrosPerMinute;
    if (ParisOffsetMinutes(as_summer) == 120) return as_summer;  // summer time, or the first of a doubled hour
    return local_micros - 60 * kMicrosPerMinute;                  // standard time, or the spring gap read as before
}

std::string FormatTimestamp(int64_t utc_micros) {
    const int offset = ParisOffsetMinutes(utc_micros);
    int64_t local = utc_micros + offset * kMicrosPerMinute;
    int64_t days = local / kMicrosPerDay;
    int64_t rest = local % kMicrosPerDay;
    if (rest < 0) rest += kMicrosPerDay, --days;
    int y, m, d;
    CivilFromDays(days, y, m, d);
    const int64_t secs = rest / 1'000'000;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d+%02d%02d", y, m, d, static_cast<int>(secs / 3600),
                  static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60), offset / 60, offset % 60);
    return buf;
}

std::optional<Timestamp> ParseTimestamp(std::string_view s, std::string* why) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
    if (digits != 4 && digits != 6 && digits != 8 && digits != 10 && digits != 12 && digits != 14)
        return Fail(why, "date illisible « " + Quoted(s) +
                             " » (AAAA[MM[JJ[HH[MM[SS[.S]]]]]][+/-ZZZZ] attendu)");
    Timestamp t;
    t.precision = static_cast<Precision>(digits / 2 - 2);
    t.year = Number(s, 0, 4);
    if (digits >= 6) t.month = Number(s, 4, 2);
    if (digits >= 8) t.day = Number(s, 6, 2);
    if (digits >= 10) t.hour = Number(s, 8, 2);
    if (digits >= 12) t.minute = Number(s, 10, 2);
    if (digits >= 14) t.second = Number(s, 12, 2);
    size_t pos = digits;
    if (pos < s.size() && s[pos] == '.') {
        if (digits != 14) return Fail(why, "fraction de seconde sans les secondes");
        size_t end = pos + 1;
        while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
        const size_t n = end - pos - 1;
        if (n < 1 || n > 6) return Fail(why, "fraction de seconde de 1 à 6 chiffres attendue");
        t.microsecond = Number(s, pos + 1, n);
        for (size_t i = n; i < 6; ++i) t.microsecond *= 10;
        t.precision = Precision::kFraction;
        t.fraction_digits = static_cast<int>(n);
        pos = end;
    }
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        if (s.size() - pos != 5 || Number(s, pos + 1, 4) < 0) return Fail(why, "fuseau horaire +/-HHMM attendu");
        const int hh = Number(s, pos + 1, 2), mm = Number(s, pos + 3, 2);
        if (hh > 14 || mm > 59) return Fail(why, "fuseau horaire hors limites");
        t.offset_minutes = (s[pos] == '-' ? -1 : 1) * (hh * 60 + mm);
        pos = s.size();
    }
    if (pos != s.size()) return Fail(why, "caractères en trop après la date");

    if (t.year < 1) return Fail(why, "année 0000");
    if (t.month < 1 || t.month > 12) return Fail(why, "mois " + std::to_string(t.month));
    if (t.day < 1 || t.day > DaysInMonth(t.year, t.month))
        return Fail(why, std::to_string(t.day) + " " + kMonthNames[t.month - 1] + " " + std::to_string(t.year) +
                             " n'existe pas");
    if (t.hour > 23) return Fail(why, "heure " + std::to_string(t.hour));
    if (t.minute > 59) return Fail(why, "minute " + std::to_string(t.minute));
    if (t.second > 59) return Fail(why, "seconde " + std::to_string(t.second));

    const int64_t local = DaysFromCivil(t.year, t.month, t.day) * kMicrosPerDay +
                          ((t.hour * 60 + t.minute) * 60 + t.second) * int64_t{1'000'000} + t.microsecond;
    t.utc_micros = t.offset_minutes ? local - *t.offset_minutes * kMicrosPerMinute : ParisLocalToUtc(local);
    return t;
}

}  // namespace cordee::hl7

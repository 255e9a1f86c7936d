// HL7 date/times (src/hl7/timestamp): every precision, explicit zones, Europe/Paris local time with its summer time
// changes (and the older rules), invalid dates named. Expected instants come from RFC 3339 texts. Pure.
#include "common/time.hpp"
#include "hl7/timestamp.hpp"

#include <doctest/doctest.h>

using namespace cordee;
using namespace cordee::hl7;

namespace {

int64_t Utc(const char* rfc3339) {
    const auto t = ParseRfc3339(rfc3339);
    REQUIRE(t);
    return *t;
}

Timestamp Read(const char* text) {
    std::string why;
    const auto t = ParseTimestamp(text, &why);
    if (!t) FAIL(text << ": " << why);
    return *t;
}

std::string Why(const char* text) {
    std::string why;
    CHECK(!ParseTimestamp(text, &why));
    return why;
}

}  // namespace

TEST_CASE("hl7 timestamps keep the precision written, and the start of that period as a UTC instant") {
    const Timestamp y = Read("2024");
    CHECK(y.precision == Precision::kYear);
    CHECK(y.month == 1);
    CHECK(y.utc_micros == Utc("2023-12-31T23:00:00Z"));  // 1 January 00:00 in Paris (winter)
    CHECK(Read("202407").precision == Precision::kMonth);
    CHECK(Read("202407").utc_micros == Utc("2024-06-30T22:00:00Z"));
    const Timestamp d = Read("19520314");
    CHECK(d.precision == Precision::kDay);
    CHECK((d.year == 1952 && d.month == 3 && d.day == 14));
    CHECK(Read("2024031514").precision == Precision::kHour);
    CHECK(Read("2024031514").utc_micros == Utc("2024-03-15T13:00:00Z"));
    CHECK(Read("202403151425").precision == Precision::kMinute);
    const Timestamp s = Read("20240315142530");
    CHECK(s.precision == Precision::kSecond);
    CHECK(s.second == 30);
    CHECK(s.utc_micros == Utc("2024-03-15T13:25:30Z"));
    CHECK(!s.offset_minutes);
    const Timestamp f = Read("20240315142530.1234");
    CHECK(f.precision == Precision::kFraction);
    CHECK(f.fraction_digits == 4);
    CHECK(f.microsecond == 123400);
    CHECK(f.utc_micros == Utc("2024-03-15T13:25:30.1234Z"));
    CHECK(Read("20240315142530.5").microsecond == 500000);
    CHECK(Read("20240315142530.123456").microsecond == 123456);
    CHECK(Read(" 20240315 ").day == 15);  // spaces around are ignored
    CHECK(Read("20240229").day == 29);    // a leap year
    CHECK(Read("20000229").day == 29);
}

TEST_CASE("hl7 timestamps with a zone are read in that zone, at every precision") {
    const Timestamp t = Read("20240315142500+0100");
    REQUIRE(t.offset_minutes);
    CHECK(*t.offset_minutes == 60);
    CHECK(t.utc_micros == Utc("2024-03-15T13:25:00Z"));
    CHECK(Read("20240715142500+0100").utc_micros == Utc("2024-07-15T13:25:00Z"));  // the zone, not Paris's summer
    CHECK(Read("20240315142500-0530").utc_micros == Utc("2024-03-15T19:55:00Z"));
    CHECK(Read("20240315142500+0000").utc_micros == Utc("2024-03-15T14:25:00Z"));
    CHECK(Read("20240315+0200").utc_micros == Utc("2024-03-14T22:00:00Z"));
    CHECK(Read("2024+0000").utc_micros == Utc("2024-01-01T00:00:00Z"));
    CHECK(Read("20240315142530.25+0100").utc_micros == Utc("2024-03-15T13:25:30.25Z"));
    CHECK(Read("20240315142500+1400").offset_minutes == 840);
}

TEST_CASE("hl7 timestamps without a zone are Paris time: summer time edges, the spring gap, the doubled hour") {
    // 2024: summer time from Sunday 31 March 01:00 UTC to Sunday 27 October 01:00 UTC.
    CHECK(Read("202403310159").utc_micros == Utc("2024-03-31T00:59:00Z"));
    CHECK(Read("202403310230").utc_micros == Utc("2024-03-31T01:30:00Z"));  // does not exist: read as before
    CHECK(Read("202403310300").utc_micros == Utc("2024-03-31T01:00:00Z"));
    CHECK(Read("202410270159").utc_micros == Utc("2024-10-26T23:59:00Z"));
    CHECK(Read("202410270230").utc_micros == Utc("2024-10-27T00:30:00Z"));  // twice: the first (summer)
    CHECK(Read("202410270300").utc_micros == Utc("2024-10-27T02:00:00Z"));
    CHECK(Read("20240715120000").utc_micros == Utc("2024-07-15T10:00:00Z"));
    CHECK(Read("20241231235959").utc_micros == Utc("2024-12-31T22:59:59Z"));
    // The offset at the instants of change.
    CHECK(ParisOffsetMinutes(Utc("2024-03-31T00:59:59Z")) == 60);
    CHECK(ParisOffsetMinutes(Utc("2024-03-31T01:00:00Z")) == 120);
    CHECK(ParisOffsetMinutes(Utc("2024-10-27T00:59:59Z")) == 120);
    CHECK(ParisOffsetMinutes(Utc("2024-10-27T01:00:00Z")) == 60);
    CHECK(ParisOffsetMinutes(Utc("2025-03-30T01:00:00Z")) == 120);  // 2025: last Sunday is the 30th
    CHECK(ParisOffsetMinutes(Utc("2025-03-30T00:59:00Z")) == 60);
    // 1981–1995: summer time ended on the last Sunday of September; before 1981 none is applied.
    CHECK(Read("199509231200").utc_micros == Utc("1995-09-23T10:00:00Z"));
    CHECK(Read("199509241200").utc_micros == Utc("1995-09-24T11:00:00Z"));
    CHECK(Read("199610261200").utc_micros == Utc("1996-10-26T10:00:00Z"));
    CHECK(Read("19750715120000").utc_micros == Utc("1975-07-15T11:00:00Z"));
}

TEST_CASE("hl7 invalid dates are refused and say why, in French") {
    CHECK(Why("20230230") == "30 février 2023 n'existe pas");
    CHECK(Why("20230229") == "29 février 2023 n'existe pas");
    CHECK(Why("19000229") == "29 février 1900 n'existe pas");
    CHECK(Why("20240431") == "31 avril 2024 n'existe pas");
    CHECK(Why("202413") == "mois 13");
    CHECK(Why("202400") == "mois 0");
    CHECK(Why("20240100") == "0 janvier 2024 n'existe pas");
    CHECK(Why("2024031524") == "heure 24");
    CHECK(Why("202403151460") == "minute 60");
    CHECK(Why("20240315142560") == "seconde 60");
    CHECK(Why("00000101") == "année 0000");
    CHECK(Why("202403151425.5") == "fraction de seconde sans les secondes");
    CHECK(Why("20240315142530.") == "fraction de seconde de 1 à 6 chiffres attendue");
    CHECK(Why("20240315142530.1234567") == "fraction de seconde de 1 à 6 chiffres attendue");
    CHECK(Why("20240315+01") == "fuseau horaire +/-HHMM attendu");
    CHECK(Why("20240315+1500") == "fuseau horaire hors limites");
    CHECK(Why("20240315+0160") == "fuseau horaire hors limites");
    CHECK(Why("20240315Z") == "caractères en trop après la date");
    CHECK(Why("20240315142530+0100x") == "fuseau horaire +/-HHMM attendu");
    for (const char* bad : {"", "2", "202", "20240", "2024031", "15/03/2024", "abcd"})
        CHECK(Why(bad).find("date illisible") == 0);
    CHECK(!ParseTimestamp("2024-03-15"));  // `why` is optional
    CHECK(Why("ab\xE9\x01") == "date illisible « ab?? » (AAAA[MM[JJ[HH[MM[SS[.S]]]]]][+/-ZZZZ] attendu)");
}

TEST_CASE("hl7 instants are written in Paris time with their offset; civil days convert both ways") {
    CHECK(FormatTimestamp(Utc("2024-03-15T13:30:00Z")) == "20240315143000+0100");
    CHECK(FormatTimestamp(Utc("2024-07-01T10:00:05Z")) == "20240701120005+0200");
    CHECK(FormatTimestamp(Utc("2024-12-31T23:30:00Z")) == "20250101003000+0100");
    CHECK(FormatTimestamp(Utc("1969-12-31T23:00:00Z")) == "19700101000000+0100");
    CHECK(Read(FormatTimestamp(Utc("2024-10-27T00:30:00Z")).c_str()).utc_micros == Utc("2024-10-27T00:30:00Z"));
    CHECK(DaysFromCivil(1970, 1, 1) == 0);
    CHECK(DaysFromCivil(2000, 3, 1) == 11017);
    int y, m, d;
    CivilFromDays(-1, y, m, d);
    CHECK((y == 1969 && m == 12 && d == 31));
    for (int64_t day = -800000; day < 800000; day += 997) {
        CivilFromDays(day, y, m, d);
        CHECK(DaysFromCivil(y, m, d) == day);
    }
}

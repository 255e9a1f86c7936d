#pragma once
// HL7 v2 date/times (DTM, and TS.1): YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ], read into their civil fields
// and a UTC instant, with the precision the sender wrote kept (a birth date is a day, not an instant).
//
// A value without a zone is Europe/Paris local time: that is what French hospital systems send (PAM-FR writes
// local times), and it is the only zone of the territory. g++ 12's libstdc++ has no C++20 time-zone database
// (std::chrono::locate_zone is missing), so the Paris rule is written here: CET (+01:00), and CEST (+02:00) from the
// last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC (EU rule, since 1996; from 1981 to 1995
// summer time ended on the last Sunday of September; before 1981, standard time only: older instants are birth
// dates, read as days). A local time that does not exist (the spring gap, 02:00–03:00) is read with the offset
// before the change (02:30 → 01:30 UTC); a local time that exists twice (the autumn hour) is read as the first one
// (summer time).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cordee::hl7 {

enum class Precision { kYear, kMonth, kDay, kHour, kMinute, kSecond, kFraction };

struct Timestamp {
    int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, microsecond = 0;  // as written (local)
    Precision precision = Precision::kYear;
    int fraction_digits = 0;              // digits after the point, when precision is kFraction
    std::optional<int> offset_minutes;    // the zone written in the value (+0100 → 60); none: Europe/Paris
    int64_t utc_micros = 0;               // the start of the written period, as a UTC instant
};

// nullopt when `text` is not a valid HL7 date/time; `why` (when given) then says, in French, what is wrong
// ("mois 13", "30 février 2023"…). Surrounding spaces are ignored; an empty text is not a date (callers treat an
// absent value before asking).
std::optional<Timestamp> ParseTimestamp(std::string_view text, std::string* why = nullptr);

// Europe/Paris: the offset in minutes (60 or 120) at a UTC instant, and a local wall-clock time (micros since
// 1970-01-01T00:00 local) as a UTC instant, by the rules above.
int ParisOffsetMinutes(int64_t utc_micros);
int64_t ParisLocalToUtc(int64_t local_micros);

// `utc_micros` as an HL7 date/time in Paris local time with its offset, to the second: "20240315143000+0100".
std::string FormatTimestamp(int64_t utc_micros);

// Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard Hinnant's algorithms).
int64_t DaysFromCivil(int year, int month, int day);
void CivilFromDays(int64_t days, int& year, int& month, int& day);

}  // namespace cordee::hl7

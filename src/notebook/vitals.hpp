#pragma once
// Vital signs of notebook entries: the measures an entry may carry (with the bounds that catch a typing slip), the
// territory's usual ranges (Config::vital_ranges) and the flag of a value outside them. Vital signs are health data:
// only a grant that sees health content receives them (service.cpp), flags and history included.
#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cordee::notebook {

struct VitalSign {
    const char* key;
    double min, max;  // outside: refused as a typing slip (mmHg, /min, °C, %, kg, g/L, 0–10)
    bool integer;
    const char* label;  // French, for messages
};
const std::vector<VitalSign>& VitalSigns();
const VitalSign* FindVitalSign(std::string_view key);

// The usual range of a measure: a value below low or above high is flagged.
struct UsualRange {
    double low, high;
};
using UsualRanges = std::map<std::string, UsualRange>;

// "systolic=90-140,spo2=94-100": known measures only, low < high, both within the measure's bounds. Throws
// cordee::Error (invalid) with a readable message naming the faulty part.
UsualRanges ParseUsualRanges(std::string_view text);
// The shipped default (Config::vital_ranges when not set): adult ranges as nurses' charts print them.
inline constexpr const char* kDefaultVitalRanges =
    "systolic=90-140,diastolic=60-90,heart_rate=50-100,temperature=36-38,spo2=94-100,glycemia=0.7-1.8,pain=0-3";

// {"systolic": "high", "spo2": "low"} for the values of `vitals` outside their usual range (measures without a range
// are never flagged).
boost::json::object VitalFlags(const boost::json::object& vitals, const UsualRanges& ranges);
// {"systolic": {"low": 90, "high": 140}, …}: what the web app shows beside a measure.
boost::json::object RangesJson(const UsualRanges& ranges);

}  // namespace cordee::notebook

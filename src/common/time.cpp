#include "common/time.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace cordee {

int64_t NowMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string FormatRfc3339(int64_t micros) {
    const time_t secs = static_cast<time_t>(micros / kMicrosPerSecond);
    const int millis = static_cast<int>((micros % kMicrosPerSecond) / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return buf;
}

std::optional<int64_t> ParseRfc3339(std::string_view s) {
    // Accepts YYYY-MM-DDTHH:MM:SS[.fff]Z, the only shape the API emits; offsets are refused on purpose.
    int y, mo, d, h, mi, sec;
    char rest[32] = {0};
    const std::string str(s.substr(0, 40));
    if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%31s", &y, &mo, &d, &h, &mi, &sec, rest) < 6) return {};
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return {};
    int64_t frac = 0;
    std::string r(rest);
    if (!r.empty() && r[0] == '.') {
        size_t i = 1;
        int64_t scale = 100000;
        while (i < r.size() && r[i] >= '0' && r[i] <= '9') {
            frac += (r[i] - '0') * scale;
            scale /= 10;
            ++i;
        }
        r = r.substr(i);
    }
    if (r != "Z") return {};
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return static_cast<int64_t>(timegm(&tm)) * kMicrosPerSecond + frac;
}

}  // namespace cordee

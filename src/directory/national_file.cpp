#include "directory/national_file.hpp"

#include "common/text.hpp"

namespace cordee::directory {

Error UnusableFile(const std::string& why) { return Error(Problem::kBadFile, why); }

std::string Field(std::string_view v) { return Trim(v); }

std::string JoinNonEmpty(std::initializer_list<std::string> parts) {
    std::string out;
    for (const auto& p : parts)
        if (!p.empty()) out += (out.empty() ? "" : " ") + p;
    return out;
}

bool AllDigits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace cordee::directory

#pragma once
// Lines of the directory fixtures (tests/fixtures/directory, described in its README.md), read the way an import
// reads them: through LineReader (UTF-8 or ISO-8859-1, LF or CRLF).
#include "directory/line_reader.hpp"

#include <stdexcept>
#include <string>

namespace cordee::test {

inline std::string FixtureLine(const std::string& file, int64_t number) {
    directory::LineReader reader(std::string(CORDEE_FIXTURES) + "/directory/" + file);
    if (!reader.ok()) throw std::runtime_error("missing fixture " + file);
    std::string line;
    while (reader.Next(line))
        if (reader.line_number() == number) return line;
    throw std::runtime_error(file + " has no line " + std::to_string(number));
}

}  // namespace cordee::test

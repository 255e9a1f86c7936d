#pragma once
// What the two national extractions (RPPS, FINESS) share: the error for a file that cannot be used at all, a
// refused line's reason, and how fields are read. Pure functions: no database, no file.
#include "common/errors.hpp"

#include <initializer_list>
#include <string>
#include <string_view>

namespace cordee::directory {

// 400 "Fichier inutilisable" with the reason in French: nothing is imported from such a file.
Error UnusableFile(const std::string& why);

// Why one line is refused, as printed after "ligne N : ".
struct LineError {
    std::string reason;
    bool incomplete = false;  // fewer fields than expected: the import adds "fichier tronqué ?" on a cut last line
};

std::string Field(std::string_view v);  // trimmed
std::string JoinNonEmpty(std::initializer_list<std::string> parts);  // with single spaces
bool AllDigits(std::string_view s);  // and not empty

}  // namespace cordee::directory

#pragma once
// Text rules shared by every module: UTF-8 validity, NFC normalisation, folding for search.
#include <string>
#include <string_view>

namespace cordee {

bool IsValidUtf8(std::string_view s);
bool HasControlChars(std::string_view s);  // C0 controls other than tab/newline, and DEL
size_t CodePoints(std::string_view s);
std::string NormalizeNfc(std::string_view s);
std::string Trim(std::string_view s);
std::string AsciiLower(std::string_view s);
// Lower-case, accents removed, œ→oe, æ→ae: what search compares ("Châlons" → "chalons").
std::string FoldForSearch(std::string_view s);
// A structure's `name_search` column: its name and commune folded, after a space, so that "every word of the query
// starts a word" is `LIKE '% word%'` (the structure picker).
std::string StructureNameSearch(const std::string& name, const std::string& commune);
std::string JsonEscape(std::string_view s);
// An RPPS number as people paste it: the 11 digits, or the 12-digit national identifier ("8" + the 11, as Pro Santé
// Connect and the RPPS file's "Identification nationale PP" write it), spaces and dots ignored. The 11 digits, or
// "" when it is neither.
std::string RppsNumber(std::string_view typed);

}  // namespace cordee

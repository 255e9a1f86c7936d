#pragma once
// Identity rules of the RNIV (référentiel national d'identitovigilance) and of the INS: strict traits,
// NIR keys, identity statuses. Pure functions, so that every rule is unit-tested without a database.
#include <optional>
#include <string>
#include <string_view>

namespace cordee::patients {

// INS OIDs (DOMAIN.md): NIR, NIA, test NIR, demonstration NIR.
inline constexpr const char* kOidNir = "1.2.250.1.213.1.4.8";
inline constexpr const char* kOidNia = "1.2.250.1.213.1.4.9";
inline constexpr const char* kOidTest = "1.2.250.1.213.1.4.10";
inline constexpr const char* kOidDemo = "1.2.250.1.213.1.4.11";
// "NIR", "NIA", "NIR test", "NIR démo", or "" for an unknown OID.
std::string OidKind(std::string_view oid);

// A NIR/NIA written as 15 characters (13 + key), spaces allowed in input. Returns the 15 characters
// without spaces when the key matches, nothing otherwise. 2A/2B are read as 19/18 for the key.
std::optional<std::string> CheckNir(std::string_view text);
// The key of 13 characters; -1 when they are not a NIR body.
int NirKey(std::string_view body13);

// Names as the RNIV keeps them: letters (accents, Œ, Æ, Ç…), apostrophes, hyphens, spaces. Returns the
// NFC, trimmed, single-spaced form, or an error message in French.
struct NameCheck {
    std::string value, error;
};
NameCheck CheckName(std::string_view raw, bool upper_case);

// YYYY-MM-DD with 00 for an unknown month or day; year 1880 to today, a real date, not in the future.
// `today` is YYYY-MM-DD. Returns an error message, empty when valid.
std::string CheckBirthDate(std::string_view date, std::string_view today);

// The same date with day and month swapped (1950-09-08 → 1950-08-09), the commonest slip when a date is typed: empty
// when there is no other valid date to suspect (day or month unknown, day above 12, day equal to month).
std::string SwappedDayMonth(std::string_view date);

// INSEE commune code: 5 characters, digits or 2A/2B + 3 digits; 99xxx abroad.
bool IsInseeCode(std::string_view code);

bool IsIdentityStatus(std::string_view s);

// The commune of a free-text French address: the words after its last 5-digit postal code ("3 rue Jacquart,
// 51100 Reims" → "Reims"), without a trailing CEDEX; empty when the address names no postal code.
std::string CommuneOfAddress(std::string_view address);  // provisoire, recuperee, validee, qualifiee

}  // namespace cordee::patients

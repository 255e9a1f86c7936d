#pragma once
// RFC 6238 time-based one-time passwords (HMAC-SHA-1, 6 digits, 30 s), as authenticator apps do.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cordee::auth {

constexpr int64_t kTotpPeriod = 30;

std::string NewTotpSecret();  // 160 random bits, base32
std::string TotpCode(const std::vector<uint8_t>& key, int64_t step);
// The step (period number) that `code` matches within ±1 step of `unix_seconds`, if any.
std::optional<int64_t> MatchTotp(const std::string& secret_base32, const std::string& code, int64_t unix_seconds);
std::string OtpauthUri(const std::string& secret, const std::string& account_email);

}  // namespace cordee::auth

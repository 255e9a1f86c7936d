#include "auth/totp.hpp"
#include "common/crypto.hpp"

#include <doctest/doctest.h>

using namespace cordee;

TEST_CASE("TOTP matches the RFC 6238 SHA-1 test vectors") {
    // RFC 6238 appendix B: key "12345678901234567890", 8 digits there; we use the last 6.
    const std::string key = "12345678901234567890";
    const std::vector<uint8_t> k(key.begin(), key.end());
    CHECK(auth::TotpCode(k, 59 / 30) == "287082");
    CHECK(auth::TotpCode(k, 1111111109 / 30) == "081804");
    CHECK(auth::TotpCode(k, 1234567890 / 30) == "005924");
    CHECK(auth::TotpCode(k, 2000000000 / 30) == "279037");
}

TEST_CASE("TOTP accepts one step of clock drift, no more") {
    crypto::Init();
    const std::string secret = auth::NewTotpSecret();
    const auto key = crypto::Base32Decode(secret);
    const int64_t now = 1795000000;
    const int64_t step = now / 30;
    CHECK(auth::MatchTotp(secret, auth::TotpCode(key, step), now) == step);
    CHECK(auth::MatchTotp(secret, auth::TotpCode(key, step - 1), now) == step - 1);
    CHECK(auth::MatchTotp(secret, auth::TotpCode(key, step + 1), now) == step + 1);
    CHECK_FALSE(auth::MatchTotp(secret, auth::TotpCode(key, step + 2), now));
    CHECK_FALSE(auth::MatchTotp(secret, "12345", now));
}

TEST_CASE("otpauth URI names the issuer and the account") {
    const auto uri = auth::OtpauthUri("ABC", "anne.o'neil@exemple.fr");
    CHECK(uri.rfind("otpauth://totp/Cord%C3%A9e:anne.o%27neil%40exemple.fr?secret=ABC", 0) == 0);
    CHECK(uri.find("issuer=Cord%C3%A9e") != std::string::npos);
}

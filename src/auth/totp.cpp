#include "auth/totp.hpp"

#include "common/crypto.hpp"

#include <openssl/hmac.h>

#include <cstdio>

namespace cordee::auth {

std::string NewTotpSecret() { return crypto::Base32Encode(crypto::RandomBytes(20)); }

std::string TotpCode(const std::vector<uint8_t>& key, int64_t step) {
    uint8_t msg[8];
    for (int i = 7; i >= 0; --i) {
        msg[i] = static_cast<uint8_t>(step & 0xFF);
        step >>= 8;
    }
    uint8_t mac[20];
    unsigned int len = 0;
    HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), msg, sizeof msg, mac, &len);
    const int o = mac[19] & 0x0F;
    const uint32_t bin = ((mac[o] & 0x7F) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3];
    char buf[8];
    std::snprintf(buf, sizeof buf, "%06u", bin % 1000000);
    return buf;
}

std::optional<int64_t> MatchTotp(const std::string& secret_base32, const std::string& code, int64_t unix_seconds) {
    if (code.size() != 6) return std::nullopt;
    const auto key = crypto::Base32Decode(secret_base32);
    if (key.empty()) return std::nullopt;
    const int64_t now = unix_seconds / kTotpPeriod;
    for (int64_t step : {now, now - 1, now + 1})
        if (crypto::ConstantTimeEqual(TotpCode(key, step), code)) return step;
    return std::nullopt;
}

std::string OtpauthUri(const std::string& secret, const std::string& email) {
    std::string label;
    for (unsigned char c : email) {
        if (std::isalnum(c) || c == '.' || c == '-' || c == '_') label.push_back(static_cast<char>(c));
        else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            label += buf;
        }
    }
    return "otpauth://totp/Cord%C3%A9e:" + label + "?secret=" + secret +
           "&issuer=Cord%C3%A9e&algorithm=SHA1&digits=6&period=30";
}

}  // namespace cordee::auth

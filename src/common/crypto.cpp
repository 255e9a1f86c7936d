#include "common/crypto.hpp"

#include <sodium.h>

#include <stdexcept>

namespace cordee::crypto {

void Init() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not start");
}

std::vector<uint8_t> RandomBytes(size_t n) {
    std::vector<uint8_t> b(n);
    randombytes_buf(b.data(), n);
    return b;
}

std::string RandomToken(size_t bytes) {
    auto b = RandomBytes(bytes);
    std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), b.data(), b.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
}

std::string Hex(const uint8_t* data, size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string s(n * 2, '0');
    for (size_t i = 0; i < n; ++i) {
        s[2 * i] = digits[data[i] >> 4];
        s[2 * i + 1] = digits[data[i] & 15];
    }
    return s;
}

std::string Sha256Hex(std::string_view data) {
    uint8_t out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(out, reinterpret_cast<const uint8_t*>(data.data()), data.size());
    return Hex(out, sizeof out);
}

static const char* kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string Base32Encode(const std::vector<uint8_t>& data) {
    std::string out;
    int bits = 0;
    uint32_t value = 0;
    for (uint8_t b : data) {
        value = (value << 8) | b;
        bits += 8;
        while (bits >= 5) {
            out.push_back(kBase32[(value >> (bits - 5)) & 31]);
            bits -= 5;
        }
    }
    if (bits > 0) out.push_back(kBase32[(value << (5 - bits)) & 31]);
    return out;
}

std::vector<uint8_t> Base32Decode(std::string_view s) {
    std::vector<uint8_t> out;
    int bits = 0;
    uint32_t value = 0;
    for (char c : s) {
        if (c == '=' || c == ' ') continue;
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        const char* p = std::char_traits<char>::find(kBase32, 32, c);
        if (!p) return {};
        value = (value << 5) | static_cast<uint32_t>(p - kBase32);
        bits += 5;
        if (bits >= 8) {
            out.push_back(static_cast<uint8_t>((value >> (bits - 8)) & 255));
            bits -= 8;
        }
    }
    return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string HashPassword(std::string_view password) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        throw std::runtime_error("out of memory while hashing a password");
    }
    return out;
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
    const std::string h(hash);
    return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

}  // namespace cordee::crypto

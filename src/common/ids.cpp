#include "common/ids.hpp"

#include <sodium.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <random>

namespace cordee {

namespace {
std::string FormatUuid(const uint8_t* b) {
    static const char* hex = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
        s.push_back(hex[b[i] >> 4]);
        s.push_back(hex[b[i] & 15]);
    }
    return s;
}

std::string FormatV7(uint8_t* b) {
    const uint64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
    b[6] = static_cast<uint8_t>(0x70 | (b[6] & 0x0F));
    b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3F));
    return FormatUuid(b);
}
}  // namespace

std::string NewUuidV7() {
    uint8_t b[16];
    randombytes_buf(b, sizeof b);
    return FormatV7(b);
}

std::string NewRequestId() {
    thread_local std::mt19937_64 rng = [] {
        uint64_t seed;
        randombytes_buf(&seed, sizeof seed);
        return std::mt19937_64(seed);
    }();
    uint8_t b[16];
    const uint64_t r1 = rng(), r2 = rng();
    std::memcpy(b, &r1, 8);
    std::memcpy(b + 8, &r2, 8);
    return FormatV7(b);
}

std::string NameBasedUuid(std::string_view name) {
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, reinterpret_cast<const uint8_t*>(name.data()), name.size());
    h[6] = static_cast<uint8_t>(0x80 | (h[6] & 0x0F));
    h[8] = static_cast<uint8_t>(0x80 | (h[8] & 0x3F));
    return FormatUuid(h);
}

std::string OrderedNameUuid(uint64_t order, std::string_view name) {
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, reinterpret_cast<const uint8_t*>(name.data()), name.size());
    // 48 bits of order, the version nibble, 12 more bits of order, then the hash.
    const uint64_t hi = order >> 12, lo = order & 0xFFF;
    for (int i = 0; i < 6; ++i) h[i] = static_cast<uint8_t>(hi >> (40 - 8 * i));
    h[6] = static_cast<uint8_t>(0x80 | (lo >> 8));
    h[7] = static_cast<uint8_t>(lo & 0xFF);
    h[8] = static_cast<uint8_t>(0x80 | (h[8] & 0x3F));
    return FormatUuid(h);
}

bool IsUuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

}  // namespace cordee

#pragma once
// Small wrappers over libsodium: random tokens, hashes, password hashing, encodings.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cordee::crypto {

void Init();  // sodium_init; call once at start
std::string RandomToken(size_t bytes = 32);     // base64url, no padding
std::vector<uint8_t> RandomBytes(size_t n);
std::string Sha256Hex(std::string_view data);
std::string Hex(const uint8_t* data, size_t n);
std::string Base32Encode(const std::vector<uint8_t>& data);
std::vector<uint8_t> Base32Decode(std::string_view s);  // empty on bad input
bool ConstantTimeEqual(std::string_view a, std::string_view b);

// argon2id. Slow on purpose (tens of ms): call it from a worker thread, never an io thread.
std::string HashPassword(std::string_view password);
bool VerifyPassword(std::string_view hash, std::string_view password);

}  // namespace cordee::crypto

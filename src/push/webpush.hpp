#pragma once
// The Web Push wire format, pure (no database, no network): base64url, P-256 keys, the message encryption of
// RFC 8291 (the "aes128gcm" content coding of RFC 8188, one record) and the VAPID authorization of RFC 8292
// (docs/messaging.md, "Web Push"). Built on OpenSSL 3 (EVP); tested against RFC 8291's Appendix A.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cordee::push {

using Bytes = std::vector<uint8_t>;

std::string Base64UrlEncode(const uint8_t* data, size_t n);
inline std::string Base64UrlEncode(const Bytes& b) { return Base64UrlEncode(b.data(), b.size()); }
inline std::string Base64UrlEncode(std::string_view s) {
    return Base64UrlEncode(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
// Strict: the URL-safe alphabet, no white space; '=' padding tolerated at the end only; unused trailing bits must be
// zero (one text per value). nullopt on anything else.
std::optional<Bytes> Base64UrlDecode(std::string_view s);

inline constexpr size_t kPointBytes = 65;   // uncompressed P-256 point: 0x04 || X || Y
inline constexpr size_t kScalarBytes = 32;  // P-256 private key
inline constexpr size_t kAuthBytes = 16;    // the subscription's authentication secret
inline constexpr size_t kSaltBytes = 16;
inline constexpr uint32_t kRecordSize = 4096;
// A push service must take 4096 bytes of body (RFC 8030 §7.2): minus the header (86), the padding delimiter (1) and
// the AEAD tag (16), 3993 bytes of plaintext at most (RFC 8291 §4).
inline constexpr size_t kMaxPlaintext = 3993;

// True when `point` is an uncompressed P-256 point on the curve (not the point at infinity).
bool ValidPublicKey(const Bytes& point);

// A P-256 key pair (the VAPID key of the server, or an ephemeral ECDH key).
class EcKey {
public:
    static EcKey Generate();
    // From the private scalar (32 bytes big-endian): the public point is computed. Throws std::invalid_argument on a
    // scalar out of range.
    static EcKey FromPrivate(const Bytes& scalar);
    EcKey(EcKey&&) noexcept;
    EcKey& operator=(EcKey&&) noexcept;
    ~EcKey();

    Bytes PrivateScalar() const;
    const Bytes& PublicPoint() const { return public_; }
    // ECDH with a peer's public point (checked on the curve): the 32-byte shared secret.
    Bytes Derive(const Bytes& peer_point) const;
    // ES256 over `data`: the signature as JWS wants it, r || s (32 bytes each), not DER.
    Bytes SignEs256(std::string_view data) const;

private:
    struct Impl;
    explicit EcKey(std::unique_ptr<Impl> impl, Bytes public_point);
    std::unique_ptr<Impl> impl_;
    Bytes public_;
};

// RFC 8291 §3: encrypts `plaintext` (≤ kMaxPlaintext bytes) for the subscription's keys (ua_public: 65 bytes,
// auth: 16 bytes) with the ephemeral key `as_key` and `salt` (16 bytes); the result is the whole request body:
// salt || rs (4096) || idlen (65) || as_public || ciphertext+tag. Throws std::invalid_argument on bad sizes or keys.
Bytes EncryptWith(std::string_view plaintext, const Bytes& ua_public, const Bytes& auth, const EcKey& as_key,
                  const Bytes& salt);
// The same with a fresh ephemeral key and a random salt: what every push uses.
Bytes Encrypt(std::string_view plaintext, const Bytes& ua_public, const Bytes& auth);

// "scheme://host[:port]" of an endpoint URL (the JWT audience): "" when the URL has no scheme and host.
std::string OriginOf(std::string_view url);
// RFC 8292: the Authorization header value "vapid t=JWT, k=PUBLIC" for a push to `audience` (an origin), signed by
// the server's `key`, valid until `expires_at` (seconds since the epoch; a push service refuses more than 24 h).
std::string VapidAuthorization(const EcKey& key, const std::string& audience, const std::string& subject,
                               int64_t expires_at);

}  // namespace cordee::push

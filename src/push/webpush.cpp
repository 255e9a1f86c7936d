#include "push/webpush.hpp"

#include <boost/json.hpp>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace cordee::push {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Owners of OpenSSL objects: every early return frees what was made.
template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_clear_free>>;
using GroupPtr = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP, EC_GROUP_free>>;
using PointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT, EC_POINT_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

[[noreturn]] void Fail(const char* what) { throw std::runtime_error(std::string("web push crypto: ") + what); }

GroupPtr P256() {
    GroupPtr g(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    if (!g) Fail("P-256 group");
    return g;
}

// An EVP key from its parts (the public point always, the private scalar when given).
PkeyPtr KeyFromParts(const Bytes& point, const BIGNUM* priv) {
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) ||
        (priv && !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv)))
        Fail("key parameters");
    ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
        Fail("key from data");
    return PkeyPtr(raw);
}

Bytes Hmac(const Bytes& key, const Bytes& data) {
    Bytes out(EVP_MAX_MD_SIZE);
    unsigned int n = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(), &n))
        Fail("HMAC");
    out.resize(n);
    return out;
}

// HKDF-Expand (RFC 5869) for at most one SHA-256 block: T(1) = HMAC(PRK, info || 0x01), cut to `length`.
Bytes Expand(const Bytes& prk, std::string_view info_text, const Bytes& info_tail, size_t length) {
    Bytes info(info_text.begin(), info_text.end());
    info.push_back(0);  // the info strings of RFC 8291 end with a zero byte
    info.insert(info.end(), info_tail.begin(), info_tail.end());
    info.push_back(1);
    Bytes t = Hmac(prk, info);
    t.resize(length);
    return t;
}

void Append(Bytes& out, const Bytes& part) { out.insert(out.end(), part.begin(), part.end()); }

}  // namespace

std::string Base64UrlEncode(const uint8_t* data, size_t n) {
    std::string out;
    out.reserve((n * 4 + 2) / 3);
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        const uint32_t v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(v >> shift) & 63]);
    }
    if (n - i == 1) {
        const uint32_t v = data[i] << 16;
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
    } else if (n - i == 2) {
        const uint32_t v = (data[i] << 16) | (data[i + 1] << 8);
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(kAlphabet[(v >> 6) & 63]);
    }
    return out;
}

std::optional<Bytes> Base64UrlDecode(std::string_view s) {
    // Padding: up to two '=' at the end, and only where the length calls for them.
    size_t pad = 0;
    while (!s.empty() && s.back() == '=' && pad < 2) {
        s.remove_suffix(1);
        ++pad;
    }
    if (s.size() % 4 == 1 || (pad && (s.size() + pad) % 4 != 0)) return std::nullopt;
    Bytes out;
    out.reserve(s.size() * 3 / 4);
    uint32_t acc = 0;
    int bits = 0;
    for (const char c : s) {
        int v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '-') v = 62;
        else if (c == '_') v = 63;
        else return std::nullopt;
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
        }
    }
    // The bits left over must be zero: otherwise two texts would decode to the same bytes.
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

bool ValidPublicKey(const Bytes& point) {
    if (point.size() != kPointBytes || point[0] != 0x04) return false;
    const GroupPtr g = P256();
    PointPtr p(EC_POINT_new(g.get()));
    // oct2point refuses a point that is not on the curve.
    return p && EC_POINT_oct2point(g.get(), p.get(), point.data(), point.size(), nullptr) == 1 &&
           EC_POINT_is_at_infinity(g.get(), p.get()) == 0 && EC_POINT_is_on_curve(g.get(), p.get(), nullptr) == 1;
}

struct EcKey::Impl {
    PkeyPtr pkey;
};

EcKey::EcKey(std::unique_ptr<Impl> impl, Bytes public_point) : impl_(std::move(impl)), public_(std::move(public_point)) {}
EcKey::EcKey(EcKey&&) noexcept = default;
EcKey& EcKey::operator=(EcKey&&) noexcept = default;
EcKey::~EcKey() = default;

EcKey EcKey::Generate() {
    PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!pkey) Fail("key generation");
    Bytes point(kPointBytes);
    size_t n = 0;
    if (!EVP_PKEY_get_octet_string_param(pkey.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(), &n) ||
        n != kPointBytes)
        Fail("public key");
    return EcKey(std::make_unique<Impl>(Impl{std::move(pkey)}), std::move(point));
}

EcKey EcKey::FromPrivate(const Bytes& scalar) {
    if (scalar.size() != kScalarBytes) throw std::invalid_argument("a P-256 private key is 32 bytes");
    const GroupPtr g = P256();
    BnPtr d(BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), nullptr));
    if (!d) Fail("scalar");
    if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(g.get())) >= 0)
        throw std::invalid_argument("the private key is not a P-256 scalar");
    PointPtr q(EC_POINT_new(g.get()));
    Bytes point(kPointBytes);
    if (!q || !EC_POINT_mul(g.get(), q.get(), d.get(), nullptr, nullptr, nullptr) ||
        EC_POINT_point2oct(g.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, point.data(), point.size(), nullptr) !=
            kPointBytes)
        Fail("public point");
    PkeyPtr pkey = KeyFromParts(point, d.get());  // before `point` is moved into the key
    return EcKey(std::make_unique<Impl>(Impl{std::move(pkey)}), std::move(point));
}

Bytes EcKey::PrivateScalar() const {
    BIGNUM* raw = nullptr;
    if (!EVP_PKEY_get_bn_param(impl_->pkey.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw)) Fail("private key");
    BnPtr d(raw);
    Bytes out(kScalarBytes);
    if (BN_bn2binpad(d.get(), out.data(), static_cast<int>(out.size())) != static_cast<int>(kScalarBytes))
        Fail("private key size");
    return out;
}

Bytes EcKey::Derive(const Bytes& peer_point) const {
    if (!ValidPublicKey(peer_point)) throw std::invalid_argument("the peer key is not a P-256 point");
    const PkeyPtr peer = KeyFromParts(peer_point, nullptr);
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, impl_->pkey.get(), nullptr));
    size_t n = 0;
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 || EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) <= 0 ||
        EVP_PKEY_derive(ctx.get(), nullptr, &n) <= 0)
        Fail("ECDH");
    Bytes secret(n);
    if (EVP_PKEY_derive(ctx.get(), secret.data(), &n) <= 0) Fail("ECDH");
    secret.resize(n);
    return secret;
}

Bytes EcKey::SignEs256(std::string_view data) const {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    size_t n = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->pkey.get()) <= 0 ||
        EVP_DigestSign(ctx.get(), nullptr, &n, reinterpret_cast<const uint8_t*>(data.data()), data.size()) <= 0)
        Fail("sign");
    Bytes der(n);
    if (EVP_DigestSign(ctx.get(), der.data(), &n, reinterpret_cast<const uint8_t*>(data.data()), data.size()) <= 0)
        Fail("sign");
    // OpenSSL gives DER (SEQUENCE of two INTEGERs); JWS wants the two numbers side by side, 32 bytes each.
    const uint8_t* p = der.data();
    SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(n)));
    if (!sig) Fail("signature");
    const BIGNUM *r = nullptr, *s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    Bytes out(2 * kScalarBytes);
    constexpr int n32 = static_cast<int>(kScalarBytes);
    if (BN_bn2binpad(r, out.data(), n32) != n32 || BN_bn2binpad(s, out.data() + n32, n32) != n32)
        Fail("signature size");
    return out;
}

Bytes EncryptWith(std::string_view plaintext, const Bytes& ua_public, const Bytes& auth, const EcKey& as_key,
                  const Bytes& salt) {
    if (plaintext.size() > kMaxPlaintext) throw std::invalid_argument("push payload too large");
    if (auth.size() != kAuthBytes || salt.size() != kSaltBytes) throw std::invalid_argument("bad auth or salt size");
    const Bytes& as_public = as_key.PublicPoint();
    // RFC 8291 §3.3: the shared secret and the authentication secret make the input keying material…
    const Bytes ecdh_secret = as_key.Derive(ua_public);
    const Bytes prk_key = Hmac(auth, ecdh_secret);
    Bytes key_tail = ua_public;
    Append(key_tail, as_public);
    const Bytes ikm = Expand(prk_key, "WebPush: info", key_tail, 32);
    // …§3.4 and RFC 8188 §2.2–2.3: then the salt makes the content key and the nonce.
    const Bytes prk = Hmac(salt, ikm);
    const Bytes cek = Expand(prk, "Content-Encoding: aes128gcm", {}, 16);
    const Bytes nonce = Expand(prk, "Content-Encoding: nonce", {}, 12);

    // One record (RFC 8291 §4): the plaintext, then the last-record delimiter 0x02, no further padding.
    Bytes record(plaintext.begin(), plaintext.end());
    record.push_back(0x02);
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    Bytes sealed(record.size() + 16);
    int len = 0, tail = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) != 1 ||
        EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, cek.data(), nonce.data()) != 1 ||
        EVP_EncryptUpdate(ctx.get(), sealed.data(), &len, record.data(), static_cast<int>(record.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), sealed.data() + len, &tail) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, sealed.data() + len + tail) != 1)
        Fail("AES-GCM");
    sealed.resize(static_cast<size_t>(len + tail) + 16);

    // The header of RFC 8188 §2.1: salt, record size, key id (the server's ephemeral public key).
    Bytes body = salt;
    for (int shift = 24; shift >= 0; shift -= 8) body.push_back(static_cast<uint8_t>((kRecordSize >> shift) & 0xff));
    body.push_back(static_cast<uint8_t>(as_public.size()));
    Append(body, as_public);
    Append(body, sealed);
    return body;
}

Bytes Encrypt(std::string_view plaintext, const Bytes& ua_public, const Bytes& auth) {
    Bytes salt(kSaltBytes);
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) Fail("random salt");
    return EncryptWith(plaintext, ua_public, auth, EcKey::Generate(), salt);
}

std::string OriginOf(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos || scheme_end == 0) return {};
    const auto host_end = url.find_first_of("/?#", scheme_end + 3);
    std::string origin(url.substr(0, host_end));
    if (origin.size() == scheme_end + 3) return {};
    std::transform(origin.begin(), origin.end(), origin.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return origin;
}

std::string VapidAuthorization(const EcKey& key, const std::string& audience, const std::string& subject,
                               int64_t expires_at) {
    const std::string header = Base64UrlEncode(std::string_view(R"({"typ":"JWT","alg":"ES256"})"));
    const std::string claims = Base64UrlEncode(boost::json::serialize(
        boost::json::object{{"aud", audience}, {"exp", expires_at}, {"sub", subject}}));
    const std::string signing_input = header + "." + claims;
    return "vapid t=" + signing_input + "." + Base64UrlEncode(key.SignEs256(signing_input)) +
           ", k=" + Base64UrlEncode(key.PublicPoint());
}

}  // namespace cordee::push

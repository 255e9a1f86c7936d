// Web Push encryption and VAPID (push/webpush.hpp) against RFC 8291 Appendix A, byte for byte.
#include "push/webpush.hpp"

#include <doctest/doctest.h>

using namespace cordee::push;

namespace {
Bytes B(std::string_view s) {
    auto b = Base64UrlDecode(s);
    REQUIRE(b.has_value());
    return *b;
}
// RFC 8291 Appendix A (line breaks removed).
constexpr const char* kPlaintext = "When I grow up, I want to be a watermelon";
constexpr const char* kAsPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
constexpr const char* kAsPublic =
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
constexpr const char* kUaPublic =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
constexpr const char* kUaPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
constexpr const char* kSalt = "DGv6ra1nlYgDCS1FRnbzlw";
constexpr const char* kAuth = "BTBZMqHH6r4Tts7J_aSIgg";
constexpr const char* kBody =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_"
    "yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";
}  // namespace

TEST_CASE("RFC 8291 Appendix A: the fixed keys and salt give exactly the published message") {
    const EcKey as = EcKey::FromPrivate(B(kAsPrivate));
    CHECK(Base64UrlEncode(as.PublicPoint()) == kAsPublic);
    CHECK(Base64UrlEncode(as.Derive(B(kUaPublic))) == "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs");  // ecdh_secret
    const Bytes body = EncryptWith(kPlaintext, B(kUaPublic), B(kAuth), as, B(kSalt));
    CHECK(Base64UrlEncode(body) == kBody);
    // The user agent's side finds the same secret.
    const EcKey ua = EcKey::FromPrivate(B(kUaPrivate));
    CHECK(Base64UrlEncode(ua.PublicPoint()) == kUaPublic);
    CHECK(ua.Derive(as.PublicPoint()) == as.Derive(ua.PublicPoint()));
}

TEST_CASE("a fresh push has a random salt and key, the 86-byte header and one record") {
    const Bytes a = Encrypt("x", B(kUaPublic), B(kAuth)), b = Encrypt("x", B(kUaPublic), B(kAuth));
    CHECK(a.size() == 86 + 1 + 1 + 16);
    CHECK(a != b);
    CHECK(a[16] == 0);
    CHECK(a[18] == 0x10);  // rs = 4096
    CHECK(a[20] == 65);
    CHECK(a[21] == 0x04);
    CHECK_THROWS_AS(Encrypt(std::string(kMaxPlaintext + 1, 'a'), B(kUaPublic), B(kAuth)), std::invalid_argument);
    CHECK_THROWS_AS(Encrypt("x", B(kUaPublic), Bytes(15)), std::invalid_argument);
}

TEST_CASE("public keys: only uncompressed P-256 points on the curve") {
    CHECK(ValidPublicKey(B(kUaPublic)));
    Bytes off = B(kUaPublic);
    off[64] ^= 1;  // y no longer matches x
    CHECK_FALSE(ValidPublicKey(off));
    CHECK_FALSE(ValidPublicKey(Bytes(65, 0)));
    const Bytes full = B(kUaPublic);
    Bytes compressed(full.begin(), full.begin() + 33);
    compressed[0] = 0x02;
    CHECK_FALSE(ValidPublicKey(compressed));
    CHECK_THROWS_AS(EcKey::Generate().Derive(off), std::invalid_argument);
    CHECK_THROWS_AS(EcKey::FromPrivate(Bytes(32, 0)), std::invalid_argument);
    CHECK_THROWS_AS(EcKey::FromPrivate(Bytes(32, 0xff)), std::invalid_argument);  // above the group order
}

TEST_CASE("base64url: strict alphabet, padding only where due, no stray bits") {
    CHECK(Base64UrlEncode(std::string_view("")) == "");
    CHECK(Base64UrlEncode(std::string_view("f")) == "Zg");
    CHECK(Base64UrlEncode(std::string_view("fo")) == "Zm8");
    CHECK(Base64UrlEncode(std::string_view("foo")) == "Zm9v");
    CHECK(Base64UrlEncode(Bytes{0xfb, 0xff}) == "-_8");
    CHECK(Base64UrlDecode("Zg") == Bytes{'f'});
    CHECK(Base64UrlDecode("Zg==") == Bytes{'f'});
    CHECK(Base64UrlDecode("Zm8=") == Bytes{'f', 'o'});
    CHECK_FALSE(Base64UrlDecode("Zh").has_value());     // stray bits
    CHECK_FALSE(Base64UrlDecode("Z").has_value());
    CHECK_FALSE(Base64UrlDecode("Zm8==").has_value());  // one '=' too many
    CHECK_FALSE(Base64UrlDecode("Zm+v").has_value());   // standard alphabet
    CHECK_FALSE(Base64UrlDecode("Zm 9v").has_value());
    CHECK_FALSE(Base64UrlDecode("=Zm9").has_value());
}

TEST_CASE("VAPID: an ES256 JWT for the endpoint's origin that the public key verifies") {
    const EcKey key = EcKey::Generate();
    CHECK(OriginOf("https://fcm.googleapis.com/fcm/send/abc?x#y") == "https://fcm.googleapis.com");
    CHECK(OriginOf("HTTP://127.0.0.1:8080/push") == "http://127.0.0.1:8080");
    CHECK(OriginOf("nothing") == "");
    const std::string h = VapidAuthorization(key, "https://push.example", "mailto:ops@example.org", 1700000000);
    REQUIRE(h.rfind("vapid t=", 0) == 0);
    const auto comma = h.find(", k=");
    REQUIRE(comma != std::string::npos);
    CHECK(h.substr(comma + 4) == Base64UrlEncode(key.PublicPoint()));
    const std::string jwt = h.substr(8, comma - 8);
    const auto dot2 = jwt.rfind('.');
    const auto sig = B(jwt.substr(dot2 + 1));
    REQUIRE(sig.size() == 64);
    const auto claims = B(jwt.substr(jwt.find('.') + 1, dot2 - jwt.find('.') - 1));
    CHECK(std::string(claims.begin(), claims.end()) ==
          R"({"aud":"https://push.example","exp":1700000000,"sub":"mailto:ops@example.org"})");
    // The key survives its round trip through the database (its private scalar); the signature itself is verified
    // by the API test (tests/api/push.test.mjs), with node:crypto as a push service would.
    const EcKey again = EcKey::FromPrivate(key.PrivateScalar());
    CHECK(again.PublicPoint() == key.PublicPoint());
}

#include "auth/oidc_client.hpp"

#include "common/errors.hpp"
#include "common/time.hpp"

#include <boost/json.hpp>
#include <curl/curl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include <sodium.h>

#include <cctype>
#include <cstring>
#include <map>
#include <optional>

namespace cordee::auth {
namespace json = boost::json;

namespace {

Error Refused(const std::string& why) {
    return Error(Problem::kSsoRefused,
                 "Pro Santé Connect n'a pas pu confirmer votre identité (" + why + "). Réessayez ; si cela se répète, "
                 "prévenez l'administrateur de votre territoire.");
}

constexpr size_t kMaxResponse = 1 << 20;

size_t Collect(char* data, size_t size, size_t n, void* user) {
    auto* out = static_cast<std::string*>(user);
    if (out->size() + size * n > kMaxResponse) return 0;  // a provider never sends us megabytes
    out->append(data, size * n);
    return size * n;
}

struct HttpAnswer {
    long status = 0;
    std::string content_type, body;
};

// One bounded request to the provider (10 s), TLS verified by libcurl's defaults.
HttpAnswer Fetch(const std::string& url, const std::string& form = {}, const std::string& basic = {},
                 const std::string& bearer = {}) {
    CURL* curl = curl_easy_init();
    if (!curl) throw Refused("client HTTP indisponible");
    HttpAnswer a;
    curl_slist* headers = nullptr;
    if (!bearer.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + bearer).c_str());
    headers = curl_slist_append(headers, "Accept: application/json, application/jwt");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a.body);
    if (!basic.empty()) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERPWD, basic.c_str());
    }
    if (!form.empty()) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form.c_str());
    const CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.status);
    char* ct = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct);
    if (ct) a.content_type = ct;
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) throw Refused(std::string("fournisseur injoignable : ") + curl_easy_strerror(rc));
    return a;
}

json::object JsonBody(const HttpAnswer& a, const char* what) {
    if (a.status != 200) throw Refused(std::string(what) + " : réponse " + std::to_string(a.status));
    boost::system::error_code ec;
    auto v = json::parse(a.body, ec);
    if (ec || !v.is_object()) throw Refused(std::string(what) + " : réponse illisible");
    return v.as_object();
}

std::string Str(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

std::string FormEscape(const std::string& v) {
    std::string out;
    static const char* hex = "0123456789ABCDEF";
    for (unsigned char c : v) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
        else out += {'%', hex[c >> 4], hex[c & 15]};
    }
    return out;
}

struct PkeyDeleter {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// An RSA or P-256 public key from its JWK; nullptr for any other kind.
Pkey KeyFromJwk(const json::object& jwk) {
    std::string a, b;
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    const std::string kty = Str(jwk, "kty");
    const char* type = nullptr;
    BIGNUM *n = nullptr, *e = nullptr;
    std::string point;
    if (kty == "RSA" && Base64UrlDecode(Str(jwk, "n"), a) && Base64UrlDecode(Str(jwk, "e"), b) && a.size() >= 256) {
        n = BN_bin2bn(reinterpret_cast<const unsigned char*>(a.data()), static_cast<int>(a.size()), nullptr);
        e = BN_bin2bn(reinterpret_cast<const unsigned char*>(b.data()), static_cast<int>(b.size()), nullptr);
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
        type = "RSA";
    } else if (kty == "EC" && Str(jwk, "crv") == "P-256" && Base64UrlDecode(Str(jwk, "x"), a) &&
               Base64UrlDecode(Str(jwk, "y"), b) && a.size() == 32 && b.size() == 32) {
        point = std::string(1, '\x04') + a + b;
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
        type = "EC";
    }
    Pkey key;
    if (type) {
        OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
        EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
        EVP_PKEY* raw = nullptr;
        if (ctx && params && EVP_PKEY_fromdata_init(ctx) == 1 &&
            EVP_PKEY_fromdata(ctx, &raw, EVP_PKEY_PUBLIC_KEY, params) == 1) {
            key.reset(raw);
        }
        EVP_PKEY_CTX_free(ctx);
        OSSL_PARAM_free(params);
    }
    BN_free(n);
    BN_free(e);
    OSSL_PARAM_BLD_free(bld);
    return key;
}

bool VerifySignature(EVP_PKEY* key, const std::string& alg, const std::string& input, const std::string& sig) {
    std::string der;
    if (alg == "ES256") {
        // JWS carries r || s (32 bytes each); OpenSSL verifies the DER form.
        if (sig.size() != 64) return false;
        ECDSA_SIG* es = ECDSA_SIG_new();
        BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()), 32, nullptr);
        BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()) + 32, 32, nullptr);
        ECDSA_SIG_set0(es, r, s);
        unsigned char* out = nullptr;
        const int len = i2d_ECDSA_SIG(es, &out);
        if (len > 0) der.assign(reinterpret_cast<char*>(out), static_cast<size_t>(len));
        OPENSSL_free(out);
        ECDSA_SIG_free(es);
        if (der.empty()) return false;
    }
    const std::string& signature = alg == "ES256" ? der : sig;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                    EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
    std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::strlen(out.c_str()));
    return out;
}

bool Base64UrlDecode(std::string_view text, std::string& out) {
    out.assign(text.size(), '\0');
    size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                          &len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        end != text.data() + text.size()) {
        return false;
    }
    out.resize(len);
    return true;
}

struct OidcClient::Keys {
    struct Key {
        std::string kty;
        Pkey pkey;
    };
    std::map<std::string, Key> by_kid;
};

OidcClient::OidcClient(OidcSettings settings) : s_(std::move(settings)) {}
OidcClient::~OidcClient() = default;

std::string OidcClient::PkceChallenge(const std::string& code_verifier) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(code_verifier.data()), code_verifier.size(), digest);
    return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

const OidcClient::Metadata& OidcClient::Discover() {
    // Under mutex_. The discovery document is fetched once per process; its endpoints must be the issuer's.
    if (meta_) return *meta_;
    std::string base = s_.issuer;
    while (!base.empty() && base.back() == '/') base.pop_back();
    auto doc = JsonBody(Fetch(base + "/.well-known/openid-configuration"), "découverte");
    auto m = std::make_unique<Metadata>();
    m->issuer = Str(doc, "issuer");
    m->authorization_endpoint = Str(doc, "authorization_endpoint");
    m->token_endpoint = Str(doc, "token_endpoint");
    m->userinfo_endpoint = Str(doc, "userinfo_endpoint");
    m->jwks_uri = Str(doc, "jwks_uri");
    std::string configured = s_.issuer;
    while (!configured.empty() && configured.back() == '/') configured.pop_back();
    std::string announced = m->issuer;
    while (!announced.empty() && announced.back() == '/') announced.pop_back();
    if (announced != configured) throw Refused("émetteur annoncé différent de celui configuré");
    if (m->authorization_endpoint.empty() || m->token_endpoint.empty() || m->jwks_uri.empty()) {
        throw Refused("document de découverte incomplet");
    }
    meta_ = std::move(m);
    return *meta_;
}

void OidcClient::FetchKeys() {
    auto doc = JsonBody(Fetch(Discover().jwks_uri), "clés");
    auto keys = std::make_unique<Keys>();
    if (auto it = doc.find("keys"); it != doc.end() && it->value().is_array()) {
        for (const auto& k : it->value().as_array()) {
            if (!k.is_object()) continue;
            const auto& o = k.as_object();
            if (Str(o, "use") == "enc") continue;
            if (auto pkey = KeyFromJwk(o)) keys->by_kid[Str(o, "kid")] = Keys::Key{Str(o, "kty"), std::move(pkey)};
        }
    }
    keys_ = std::move(keys);
}

std::string OidcClient::AuthorizationUrl(const std::string& state, const std::string& nonce,
                                         const std::string& code_verifier, const std::string& scope,
                                         const std::string& acr_values) {
    std::lock_guard lock(mutex_);
    const auto& m = Discover();
    std::string url = m.authorization_endpoint;
    url += url.find('?') == std::string::npos ? '?' : '&';
    url += "response_type=code&client_id=" + FormEscape(s_.client_id) + "&redirect_uri=" + FormEscape(s_.redirect_uri) +
           "&scope=" + FormEscape(scope) + "&state=" + FormEscape(state) + "&nonce=" + FormEscape(nonce) +
           "&code_challenge=" + PkceChallenge(code_verifier) + "&code_challenge_method=S256";
    if (!acr_values.empty()) url += "&acr_values=" + FormEscape(acr_values);
    return url;
}

json::object OidcClient::VerifyJws(const std::string& jws) {
    const auto d1 = jws.find('.');
    const auto d2 = d1 == std::string::npos ? d1 : jws.find('.', d1 + 1);
    if (d2 == std::string::npos || jws.find('.', d2 + 1) != std::string::npos) throw Refused("jeton mal formé");
    std::string header_text, payload_text, sig;
    if (!Base64UrlDecode(std::string_view(jws).substr(0, d1), header_text) ||
        !Base64UrlDecode(std::string_view(jws).substr(d1 + 1, d2 - d1 - 1), payload_text) ||
        !Base64UrlDecode(std::string_view(jws).substr(d2 + 1), sig)) {
        throw Refused("jeton mal formé");
    }
    boost::system::error_code ec;
    auto header = json::parse(header_text, ec);
    if (ec || !header.is_object()) throw Refused("en-tête de jeton illisible");
    // Only the two algorithms PSC uses; "none", HS256 (which would take a public key as a secret) and the rest
    // are refused before any key is looked at.
    const std::string alg = Str(header.as_object(), "alg"), kid = Str(header.as_object(), "kid");
    if (alg != "RS256" && alg != "ES256") throw Refused("algorithme de signature non accepté (" + alg + ")");
    const std::string want = alg == "RS256" ? "RSA" : "EC";
    {
        std::lock_guard lock(mutex_);
        auto find = [&]() -> EVP_PKEY* {
            if (!keys_) return nullptr;
            auto it = keys_->by_kid.find(kid);
            return it != keys_->by_kid.end() && it->second.kty == want ? it->second.pkey.get() : nullptr;
        };
        EVP_PKEY* key = find();
        if (!key) {
            // A key we have not seen: the provider may have rotated its keys since we fetched them.
            FetchKeys();
            key = find();
        }
        if (!key) throw Refused("clé de signature inconnue");
        if (!VerifySignature(key, alg, jws.substr(0, d2), sig)) throw Refused("signature invalide");
    }
    auto payload = json::parse(payload_text, ec);
    if (ec || !payload.is_object()) throw Refused("contenu de jeton illisible");
    return payload.as_object();
}

OidcTokens OidcClient::Redeem(const std::string& code, const std::string& code_verifier, const std::string& nonce) {
    Metadata m;
    {
        std::lock_guard lock(mutex_);
        m = Discover();
    }
    const std::string form = "grant_type=authorization_code&code=" + FormEscape(code) +
                             "&redirect_uri=" + FormEscape(s_.redirect_uri) + "&code_verifier=" + FormEscape(code_verifier);
    // client_secret_basic: the id and secret are form-encoded before going in the header (RFC 6749 §2.3.1).
    auto tokens = JsonBody(Fetch(m.token_endpoint, form, FormEscape(s_.client_id) + ":" + FormEscape(s_.client_secret)),
                           "jeton");
    const std::string id_token = Str(tokens, "id_token"), access_token = Str(tokens, "access_token");
    if (id_token.empty() || access_token.empty()) throw Refused("réponse sans jeton d'identité");
    OidcTokens out;
    out.id_claims = VerifyJws(id_token);
    const auto& c = out.id_claims;
    std::string announced = Str(c, "iss"), expected = m.issuer;
    if (announced != expected) throw Refused("émetteur du jeton inattendu");
    bool for_us = false;
    if (auto it = c.find("aud"); it != c.end()) {
        if (it->value().is_string()) for_us = it->value().as_string() == s_.client_id;
        else if (it->value().is_array()) {
            for (const auto& a : it->value().as_array()) for_us = for_us || (a.is_string() && a.as_string() == s_.client_id);
            // Several audiences: the authorised party must be us (OpenID Connect Core §3.1.3.7).
            if (it->value().as_array().size() > 1 && Str(c, "azp") != s_.client_id) for_us = false;
        }
    }
    if (!for_us) throw Refused("jeton destiné à un autre service");
    const int64_t now = NowMicros() / 1'000'000;
    auto num = [&](std::string_view k) -> std::optional<int64_t> {
        auto it = c.find(k);
        if (it == c.end()) return std::nullopt;
        if (it->value().is_int64()) return it->value().as_int64();
        if (it->value().is_uint64()) return static_cast<int64_t>(it->value().as_uint64());
        if (it->value().is_double()) return static_cast<int64_t>(it->value().as_double());
        return std::nullopt;
    };
    const auto exp = num("exp"), iat = num("iat");
    if (!exp || *exp + s_.leeway_seconds < now) throw Refused("jeton expiré");
    if (iat && *iat - s_.leeway_seconds > now) throw Refused("jeton daté du futur");
    if (nonce.empty() || Str(c, "nonce") != nonce) throw Refused("jeton rejoué ou d'une autre connexion (nonce)");
    if (Str(c, "sub").empty()) throw Refused("jeton sans sujet");

    if (!m.userinfo_endpoint.empty()) {
        auto ui = Fetch(m.userinfo_endpoint, {}, {}, access_token);
        if (ui.status != 200) throw Refused("informations de profil : réponse " + std::to_string(ui.status));
        if (ui.content_type.rfind("application/jwt", 0) == 0) {
            std::string body = ui.body;
            while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.pop_back();
            out.userinfo = VerifyJws(body);
            if (auto iss = Str(out.userinfo, "iss"); !iss.empty() && iss != expected) {
                throw Refused("émetteur des informations de profil inattendu");
            }
        } else {
            out.userinfo = JsonBody(ui, "informations de profil");
        }
        // The userinfo must describe the person of the ID token (OpenID Connect Core §5.3.2).
        if (Str(out.userinfo, "sub") != Str(c, "sub")) throw Refused("profil d'une autre personne");
    }
    return out;
}

}  // namespace cordee::auth

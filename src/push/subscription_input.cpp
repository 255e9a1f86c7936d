#include "push/subscription_input.hpp"

#include "common/json_input.hpp"
#include "push/model.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>

namespace cordee::push {
namespace {

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool Loopback(const boost::urls::url_view& u) {
    using boost::urls::host_type;
    if (u.host_type() == host_type::ipv4) return u.host_ipv4_address().to_bytes()[0] == 127;
    if (u.host_type() == host_type::ipv6) return u.host_ipv6_address().is_loopback();
    return Lower(u.encoded_host()) == "localhost";
}

// The endpoint's form, and its host against `hosts` when given; the reason goes to `in`.
std::string Endpoint(const boost::json::object& body, JsonInput& in, const std::vector<std::string>* hosts) {
    const auto* v = body.if_contains("endpoint");
    if (!v || !v->is_string() || v->as_string().empty()) {
        in.Fail("endpoint", "obligatoire");
        return {};
    }
    const std::string_view text = v->as_string();
    if (text.size() > kMaxEndpoint) {
        in.Fail("endpoint", "trop long (" + std::to_string(kMaxEndpoint) + " caractères au plus)");
        return {};
    }
    const auto parsed = boost::urls::parse_absolute_uri(text);
    if (!parsed || !parsed->has_authority() || parsed->encoded_host().empty() || parsed->has_userinfo() ||
        parsed->has_fragment()) {
        in.Fail("endpoint", "adresse de service de notification invalide");
        return {};
    }
    const auto& u = *parsed;
    const std::string scheme = Lower(u.scheme());
    if (scheme != "https" && !(scheme == "http" && Loopback(u))) {
        in.Fail("endpoint", "une adresse https est attendue");
        return {};
    }
    if (hosts && !HostAllowed(Lower(u.encoded_host()), *hosts)) {
        in.Fail("endpoint", "ce service de notification n'est pas accepté par ce serveur");
        return {};
    }
    return std::string(text);
}

// A base64url key of exactly `bytes` bytes once decoded.
std::optional<std::string> Key(const boost::json::object* keys, JsonInput& in, const char* name, size_t bytes) {
    const std::string field = std::string("keys.") + name;
    const auto* v = keys ? keys->if_contains(name) : nullptr;
    if (!v || !v->is_string() || v->as_string().empty()) {
        in.Fail(field, "obligatoire");
        return std::nullopt;
    }
    const std::string_view text = v->as_string();
    // Bounded before decoding: 4/3 of the bytes, and padding.
    const auto decoded = text.size() <= bytes * 4 / 3 + 4 ? Base64UrlDecode(text) : std::nullopt;
    if (!decoded || decoded->size() != bytes) {
        in.Fail(field, "clé de " + std::to_string(bytes) + " octets en base64url attendue");
        return std::nullopt;
    }
    if (bytes == kPointBytes && !ValidPublicKey(*decoded)) {
        in.Fail(field, "n'est pas un point de la courbe P-256");
        return std::nullopt;
    }
    return std::string(text);
}

}  // namespace

std::vector<std::string> ParseHostList(std::string_view list) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
        const size_t comma = std::min(list.find(',', start), list.size());
        std::string item = Lower(list.substr(start, comma - start));
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty()) out.push_back(std::move(item));
        start = comma + 1;
    }
    return out;
}

bool HostAllowed(std::string_view host, const std::vector<std::string>& hosts) {
    for (const auto& h : hosts) {
        if (h == "*" || h == host) return true;
        // "*.example.com": any name under example.com, not example.com itself nor notexample.com.
        if (h.size() > 2 && h.compare(0, 2, "*.") == 0 && host.size() > h.size() - 1 &&
            host.substr(host.size() - (h.size() - 1)) == std::string_view(h).substr(1))
            return true;
    }
    return false;
}

SubscriptionInput ParseSubscription(std::string_view body, const std::vector<std::string>& hosts) {
    const auto obj = ParseJsonObject(body);
    JsonInput in(obj);
    in.OnlyFields({"endpoint", "expirationTime", "keys"});
    SubscriptionInput out;
    out.endpoint = Endpoint(obj, in, &hosts);
    if (const auto* exp = obj.if_contains("expirationTime"); exp && !exp->is_null() && !exp->is_number())
        in.Fail("expirationTime", "nombre ou null attendu");
    const auto* keys_value = obj.if_contains("keys");
    const boost::json::object* keys = keys_value ? keys_value->if_object() : nullptr;
    if (keys_value && !keys) in.Fail("keys", "doit être un objet");
    if (keys) {
        for (const auto& [k, v] : *keys)
            if (k != "p256dh" && k != "auth") {
                in.Fail("keys." + std::string(k), "champ inconnu");
                break;  // one is enough to tell, and the list stays short
            }
    }
    if (auto p = Key(keys, in, "p256dh", kPointBytes)) out.p256dh = *p;
    if (auto a = Key(keys, in, "auth", kAuthBytes)) out.auth = *a;
    in.Done();
    return out;
}

std::string ParseEndpointOnly(std::string_view body) {
    const auto obj = ParseJsonObject(body);
    JsonInput in(obj);
    in.OnlyFields({"endpoint"});
    std::string endpoint = Endpoint(obj, in, nullptr);
    in.Done();
    return endpoint;
}

}  // namespace cordee::push

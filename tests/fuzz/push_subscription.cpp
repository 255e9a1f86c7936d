// Fuzz target: a browser's push subscription as the server reads it (src/push/subscription_input, over
// src/push/webpush's strict base64url and P-256 point check), before any service runs. Arbitrary bytes are the body
// of POST and DELETE /api/v1/push/subscriptions, and a base64url text. A cordee::Error (400 malformed-json, 422
// invalid-field) is the expected refusal; any other exception would be a 500 in production, so it crashes the run.
#include "common/errors.hpp"
#include "push/model.hpp"
#include "push/subscription_input.hpp"
#include "push/webpush.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace cordee;
using namespace cordee::push;

namespace {

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                     \
        }                                                                                     \
    } while (0)

void CheckRefusal(const Error& e) {
    CHECK(e.status() == 400 || e.status() == 422);
    if (e.status() == 422) CHECK(!e.errors().empty());
}

void CheckEndpoint(const std::string& endpoint) {
    CHECK(!endpoint.empty() && endpoint.size() <= kMaxEndpoint);
    const std::string origin = OriginOf(endpoint);
    CHECK(origin.rfind("https://", 0) == 0 || origin.rfind("http://", 0) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    static const std::vector<std::string> hosts = ParseHostList("127.0.0.1, *.push.example, fcm.googleapis.com");
    try {
        const SubscriptionInput s = ParseSubscription(input, hosts);
        CheckEndpoint(s.endpoint);
        const auto p256dh = Base64UrlDecode(s.p256dh);
        CHECK(p256dh && p256dh->size() == kPointBytes && ValidPublicKey(*p256dh));
        const auto auth = Base64UrlDecode(s.auth);
        CHECK(auth && auth->size() == kAuthBytes);
        // What the dispatcher does with an accepted subscription must work too.
        CHECK(Encrypt("{}", *p256dh, *auth).size() == 86 + 2 + 1 + 16);
    } catch (const Error& e) {
        CheckRefusal(e);
    }
    try {
        CheckEndpoint(ParseEndpointOnly(input));
    } catch (const Error& e) {
        CheckRefusal(e);
    }
    // base64url: one text per value — what decodes encodes back to the same text, without its padding.
    if (const auto bytes = Base64UrlDecode(input)) {
        std::string_view unpadded = input;
        while (!unpadded.empty() && unpadded.back() == '=') unpadded.remove_suffix(1);
        CHECK(Base64UrlEncode(*bytes) == unpadded);
    }
    return 0;
}

// Fuzz target: the bounded JSON reader every route uses (src/common/json_input). Arbitrary bytes are a
// request body; every accessor is called on every member (and on the field names routes really read), and
// what comes back must keep the promises of json_input.hpp. A cordee::Error (400/422) is the expected
// refusal; any other exception would be a 500 in production, so it is left to crash the run.
#include "common/errors.hpp"
#include "common/json_input.hpp"
#include "common/text.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace cordee;

namespace {

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                     \
        }                                                                                     \
    } while (0)

const char* const kRouteFields[] = {"email", "password", "code", "first_name", "last_name", "phone", "address",
                                    "reason", "body", "name", "birth_date", "structure_id", "token", "visibility",
                                    "severity", "contact", "vitals", "flags", ""};

void CheckText(const std::string& s, size_t min_chars, size_t max_chars) {
    CHECK(IsValidUtf8(s));
    CHECK(!HasControlChars(s));
    CHECK(CodePoints(s) <= max_chars);
    CHECK(CodePoints(s) >= min_chars || s.empty());
    CHECK(Trim(s) == s);
    // What search and logs do with accepted text must not fail either.
    (void)FoldForSearch(s);
    const std::string escaped = JsonEscape(s);
    CHECK(IsValidUtf8(escaped));
}

void Exercise(JsonInput& in, const boost::json::object& obj, int depth) {
    size_t n = 0;
    auto visit = [&](std::string_view key) {
        if (auto t = in.OptText(key, 200)) CheckText(*t, 0, 200);
        const std::string req = in.Text(key, 2, 80);
        if (!req.empty()) CheckText(req, 2, 80);
        const std::string email = in.Email(key);
        if (!email.empty()) {
            CheckText(email, 3, 254);
            CHECK(email.find('@') != std::string::npos);
            CHECK(AsciiLower(email) == email);
        }
        const std::string pw = in.Password(key);
        if (!pw.empty()) CHECK(IsValidUtf8(pw) && CodePoints(pw) >= 12 && CodePoints(pw) <= 256);
        const std::string secret = in.Secret(key, 64);
        CHECK(CodePoints(secret) <= 64);
        (void)in.Has(key);
        if (depth < 4) {
            if (auto sub = in.OptObject(key)) {
                auto it = obj.find(key);
                CHECK(it != obj.end() && it->value().is_object());
                Exercise(*sub, it->value().as_object(), depth + 1);
                try {
                    sub->Done();
                } catch (const Error& e) {
                    CHECK(e.status() == 422 && !e.errors().empty());
                }
            }
        }
    };
    for (const auto& kv : obj) {
        if (++n > 64) break;
        visit(kv.key());
    }
    for (const char* k : kRouteFields) visit(k);
    in.OnlyFields({"email", "password", "first_name", "last_name"});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    boost::json::object obj;
    try {
        obj = ParseJsonObject(body);
    } catch (const Error& e) {
        CHECK(e.status() == 400 && e.slug() == "malformed-json");
        return 0;
    }
    JsonInput in(obj);
    Exercise(in, obj, 0);
    try {
        in.Done();
    } catch (const Error& e) {
        CHECK(e.status() == 422 && !e.errors().empty());
        for (const auto& fe : e.errors()) CHECK(!fe.message.empty());
    }
    // The owning constructor (what routes call with req.body) agrees with the two-step path.
    try {
        JsonInput owned(body);
        (void)owned.OptText("email", 254);
    } catch (const Error&) {
        CHECK(false);  // it parsed above
    }
    return 0;
}

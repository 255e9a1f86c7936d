#include "common/config.hpp"
#include "common/crypto.hpp"
#include "common/errors.hpp"
#include "common/ids.hpp"
#include "common/json_input.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "audit/audit.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace cordee;

TEST_CASE("uuid v7 ids are well formed, versioned, unique and time ordered") {
    crypto::Init();
    std::set<std::string> seen;
    std::string prev;
    for (int i = 0; i < 1000; ++i) {
        auto id = NewUuidV7();
        CHECK(IsUuid(id));
        CHECK(id[14] == '7');
        CHECK(seen.insert(id).second);
        CHECK(id.substr(0, 13) >= prev.substr(0, std::min<size_t>(13, prev.size())));
        prev = id;
    }
    CHECK_FALSE(IsUuid("not-a-uuid"));
    CHECK_FALSE(IsUuid("0190a4c2-7b1e-7000-8000-00000000000g"));
}

TEST_CASE("rfc 3339 round trip in UTC") {
    const int64_t t = 1795000000123000;
    const auto s = FormatRfc3339(t);
    CHECK(s == "2026-11-18T11:06:40.123Z");
    CHECK(ParseRfc3339(s) == t);
    CHECK_FALSE(ParseRfc3339("2026-13-01T00:00:00Z"));
    CHECK_FALSE(ParseRfc3339("2026-11-18T09:46:40+02:00"));
}

TEST_CASE("search folding ignores case, accents and ligatures") {
    CHECK(FoldForSearch("Châlons-en-Champagne") == "chalons en champagne");
    CHECK(FoldForSearch("CŒUR") == "coeur");
    CHECK(FoldForSearch("Épernay") == "epernay");
    CHECK(FoldForSearch("l’Aube") == "l aube");
}

TEST_CASE("NFC normalisation makes decomposed accents equal to composed ones") {
    const std::string decomposed = "E\xCC\x81lodie";  // E + combining acute
    CHECK(NormalizeNfc(decomposed) == "\xC3\x89lodie");
    CHECK(CodePoints(NormalizeNfc(decomposed)) == 6);
}

TEST_CASE("utf-8 and control characters are checked") {
    CHECK(IsValidUtf8("Zoé 😀"));
    CHECK_FALSE(IsValidUtf8(std::string("\xC3\x28", 2)));
    CHECK(HasControlChars(std::string("a\x01", 2)));
    CHECK_FALSE(HasControlChars("ligne\nsuivante"));
}

TEST_CASE("json input collects every field error and bounds lengths") {
    try {
        JsonInput in(std::string_view(R"({"email":"pas-une-adresse","first_name":"","password":"court"})"));
        in.Email("email");
        in.Text("first_name", 1, 10);
        in.Password("password");
        in.Text("last_name", 1, 10);
        in.Done();
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.status() == 422);
        REQUIRE(e.errors().size() == 4);
        CHECK(e.errors()[0].field == "email");
        CHECK(e.errors()[3].field == "last_name");
    }
}

TEST_CASE("json input refuses malformed and too deep documents") {
    CHECK_THROWS_AS(ParseJsonObject("{\"a\":"), Error);
    CHECK_THROWS_AS(ParseJsonObject("[1,2]"), Error);
    std::string deep(100, '[');
    deep += std::string(100, ']');
    CHECK_THROWS_AS(ParseJsonObject("{\"a\":" + deep + "}"), Error);
    CHECK_NOTHROW(ParseJsonObject(R"({"a":[[1]]})"));
}

TEST_CASE("config: file, then environment, then flags") {
    Config cfg;
    setenv("CORDEE_PORT", "9090", 1);
    auto rest = LoadConfig(cfg, {"--data", "/tmp/x", "--email", "a@b.fr"});
    CHECK(cfg.port == 9090);
    CHECK(cfg.data == "/tmp/x");
    CHECK(rest == std::vector<std::string>{"--email", "a@b.fr"});
    LoadConfig(cfg, {"--port=7070"});
    CHECK(cfg.port == 7070);
    CHECK_THROWS_AS(LoadConfig(cfg, {"--port", "99999"}), Error);
    unsetenv("CORDEE_PORT");
}

TEST_CASE("base32 and password hashing") {
    crypto::Init();
    const std::vector<uint8_t> raw = {'1', '2', '3', '4', '5', '6', '7', '8', '9', '0'};
    CHECK(crypto::Base32Encode(raw) == "GEZDGNBVGY3TQOJQ");
    CHECK(crypto::Base32Decode("GEZDGNBVGY3TQOJQ") == raw);
    CHECK(crypto::Base32Decode("not base32!").empty());
    const auto h = crypto::HashPassword("un mot de passe solide");
    CHECK(h.rfind("$argon2id$", 0) == 0);
    CHECK(crypto::VerifyPassword(h, "un mot de passe solide"));
    CHECK_FALSE(crypto::VerifyPassword(h, "un mot de passe solidE"));
}

TEST_CASE("placeholders become numbered outside quotes for PostgreSQL") {
    CHECK(storage::ToDollarPlaceholders("SELECT ? , '?' FROM t WHERE a = ? AND b = \"?\"") ==
          "SELECT $1 , '?' FROM t WHERE a = $2 AND b = \"?\"");
}

TEST_CASE("migration tokens are translated per dialect") {
    const auto pg = storage::TranslateDialect("id {{serial_pk}}, b {{blob}}", storage::Dialect::kPostgres);
    CHECK(pg.find("IDENTITY") != std::string::npos);
    CHECK(pg.find("BYTEA") != std::string::npos);
    const auto lite = storage::TranslateDialect("id {{serial_pk}}", storage::Dialect::kSqlite);
    CHECK(lite.find("AUTOINCREMENT") != std::string::npos);
}

TEST_CASE("audit entry hash depends on every field and on the previous hash") {
    const std::string prev(64, '0');
    const auto h = audit::EntryHash(prev, 1, 10, "a", "auth.login", "account", "t", "1.2.3.4", "success", "{}");
    CHECK(h.size() == 64);
    CHECK(h != audit::EntryHash(prev, 1, 10, "a", "auth.login", "account", "t", "1.2.3.4", "failure", "{}"));
    CHECK(h != audit::EntryHash(std::string(64, '1'), 1, 10, "a", "auth.login", "account", "t", "1.2.3.4", "success", "{}"));
    // Moving a character from one field to the next must change the hash (length-prefixed fields).
    CHECK(audit::EntryHash(prev, 1, 10, "ab", "c", "", "", "", "", "") !=
          audit::EntryHash(prev, 1, 10, "a", "bc", "", "", "", "", ""));
}

// The sync cursor (src/sync/cursor.hpp): what the server writes it reads back; anything else is no cursor.
#include "sync/cursor.hpp"

#include <doctest/doctest.h>

using cordee::sync::Cursor;
using cordee::sync::DecodeCursor;
using cordee::sync::EncodeCursor;

TEST_CASE("a sync cursor reads back as it was written, in both phases") {
    Cursor c;
    c.account_id = "0190a7e2-4c1b-7d3e-9f00-1a2b3c4d5e6f";
    c.key_id = "0190a7e2-4c1b-7d3e-9f00-000000000001";
    c.phase = Cursor::Phase::kSnapshot;
    c.tx = 123456789012;
    c.seq = 42;
    c.after = "0190a7e2-4c1b-7d3e-9f00-aaaaaaaaaaaa";
    c.issued_at = 1764700000000000;
    const std::string text = EncodeCursor(c);
    CHECK(text.find('|') == std::string::npos);  // opaque: base64url
    auto back = DecodeCursor(text);
    REQUIRE(back);
    CHECK(back->account_id == c.account_id);
    CHECK(back->key_id == c.key_id);
    CHECK(back->phase == Cursor::Phase::kSnapshot);
    CHECK(back->tx == c.tx);
    CHECK(back->seq == c.seq);
    CHECK(back->after == c.after);
    CHECK(back->issued_at == c.issued_at);
    c.phase = Cursor::Phase::kChanges;
    c.after.clear();
    back = DecodeCursor(EncodeCursor(c));
    REQUIRE(back);
    CHECK(back->phase == Cursor::Phase::kChanges);
    CHECK(back->after.empty());
}

TEST_CASE("a garbled, truncated or foreign text is no sync cursor") {
    Cursor c;
    c.account_id = "a";
    c.key_id = "k";
    c.seq = 7;
    c.issued_at = 1;
    const std::string text = EncodeCursor(c);
    CHECK_FALSE(DecodeCursor(""));
    CHECK_FALSE(DecodeCursor("pas un curseur!"));
    CHECK_FALSE(DecodeCursor(text.substr(0, text.size() / 2)));
    CHECK_FALSE(DecodeCursor("YzJ8YXxrfGN8MHw3fHwx"));  // "c2|a|k|c|0|7||1": another version
    CHECK_FALSE(DecodeCursor("YzF8YXxrfGN8LTF8N3x8MQ"));  // "c1|a|k|c|-1|7||1": a negative position
}

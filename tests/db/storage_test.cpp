#include "db_fixture.hpp"
#include "common/errors.hpp"
#include "storage/change_log.hpp"
#include "storage/idempotency.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace cordee;

TEST_CASE("migrations apply once and report nothing pending") {
    test::TestDb t;
    CHECK(storage::PendingMigrations(*t.db) == 0);
    CHECK(storage::Migrate(*t.db).empty());
}

TEST_CASE("a write is all or nothing, and concurrent writes do not disturb each other") {
    test::TestDb t;
    auto insert = [&](const std::string& id, bool fail) {
        t.db->Write([&](storage::Session& s) {
            s.Exec("INSERT INTO favorites (id, account_id, label, url, created_at) VALUES (?, 'a', 'x', '/', 1)", {id});
            storage::AppendChange(s, {"favorite", id, "create", "a", "{}"});
            if (fail) throw std::runtime_error("refused");
        });
    };
    // favorites.account_id references accounts: create the owner first.
    t.db->Write([](storage::Session& s) {
        s.Exec("INSERT INTO accounts (id, email, password_hash, first_name, last_name, profession_code, profession_label, "
               "role, status, created_at, updated_at) VALUES ('a', 'a@x.fr', 'h', 'A', 'B', '10', 'Médecin', "
               "'professional', 'active', 1, 1)");
    });
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int th = 0; th < 8; ++th) {
        threads.emplace_back([&, th] {
            for (int i = 0; i < 50; ++i) {
                try {
                    insert("f" + std::to_string(th) + "-" + std::to_string(i), i % 5 == 0);
                } catch (const std::runtime_error&) {
                    ++failures;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(failures == 80);
    t.db->Read([](storage::Session& s) {
        CHECK(s.One("SELECT COUNT(*) FROM favorites")->Int(0) == 320);
        // Each kept write has its change-log entry, each failed one has none.
        CHECK(s.One("SELECT COUNT(*) FROM change_log WHERE entity = 'favorite'")->Int(0) == 320);
        CHECK(s.One("SELECT COUNT(*) FROM favorites WHERE id LIKE '%-0'")->Int(0) == 0);
    });
}

TEST_CASE("values round-trip with their types, NULL included") {
    test::TestDb t;
    t.db->Write([](storage::Session& s) {
        // audit_head as a scratch table, at an id no audit lane uses.
        s.Exec("INSERT INTO audit_head (id, seq, hash) VALUES (?, ?, ?)", {int64_t{1007}, int64_t{1} << 40, "é✓"});
    });
    auto row = t.db->ReadValue(
        [](storage::Session& s) { return *s.One("SELECT id, seq, hash, NULL FROM audit_head WHERE id = 1007"); });
    CHECK(row.Int(0) == 1007);
    CHECK(row.Int(1) == (int64_t{1} << 40));
    CHECK(row.Str(2) == "é✓");
    CHECK(row.IsNull(3));
}

TEST_CASE("an idempotency key returns the first result and refuses another path") {
    test::TestDb t;
    t.db->Write([](storage::Session& s) { storage::SaveIdempotent(s, "a", "k1", "POST /x", {201, "{\"id\":1}"}); });
    t.db->Write([](storage::Session& s) {
        auto r = storage::FindIdempotent(s, "a", "k1", "POST /x");
        REQUIRE(r);
        CHECK(r->body == "{\"id\":1}");
        CHECK_FALSE(storage::FindIdempotent(s, "b", "k1", "POST /x"));
        CHECK_THROWS_AS(storage::FindIdempotent(s, "a", "k1", "POST /y"), Error);
    });
}

TEST_CASE("a queued statement that fails aborts its whole write, and the connection stays usable") {
    test::TestDb t;
    t.db->Write([](storage::Session& s) {
        s.Queue("INSERT INTO audit_head (id, seq, hash) VALUES (1001, 1, 'a')");
    });
    for (int i = 0; i < 40; ++i) {  // more than the pool size: every connection meets the failure
        CHECK_THROWS(t.db->Write([&](storage::Session& s) {
            s.Queue("INSERT INTO change_log (at, entity, entity_id, op, scope, data) VALUES (1, 'x', ?, 'create', 's', '{}')",
                    {std::to_string(i)});
            s.Queue("INSERT INTO audit_head (id, seq, hash) VALUES (1001, 2, 'duplicate')");
        }));
    }
    t.db->Write([](storage::Session& s) { s.Queue("UPDATE audit_head SET hash = 'b' WHERE id = 1001"); });
    t.db->Read([](storage::Session& s) {
        CHECK(s.One("SELECT COUNT(*) FROM change_log WHERE entity = 'x'")->Int(0) == 0);
        CHECK(s.One("SELECT hash FROM audit_head WHERE id = 1001")->Str(0) == "b");
    });
}

TEST_CASE("a read that fails leaves nothing queued on its connection, and the connection stays usable") {
    test::TestDb t;
    auto db = storage::OpenDatabase(t.url, t.dir, 1);  // one connection: every call below gets the same one
    const char* insert = "INSERT INTO change_log (at, entity, entity_id, op, scope, data) VALUES (1, ?, 'x', 'create', 's', '{}')";
    // A statement queued in a read (it would travel with the next one), then the read fails.
    CHECK_THROWS(db->Read([&](storage::Session& s) {
        s.Queue(insert, {"stale"});
        throw std::runtime_error("the read fails");
    }));
    // A statement that fails inside the read.
    CHECK_THROWS(db->Read([](storage::Session& s) { s.Query("SELECT no_such_column FROM change_log"); }));
    // Reads in a row on the same connection (on PostgreSQL each one's COMMIT is read by the next).
    for (int i = 0; i < 5; ++i)
        db->Read([](storage::Session& s) { CHECK(s.One("SELECT COUNT(*) FROM change_log WHERE entity = 'fresh'")->Int(0) == 0); });
    db->Write([&](storage::Session& s) { s.Exec(insert, {"fresh"}); });
    db->Read([](storage::Session& s) {
        CHECK(s.One("SELECT COUNT(*) FROM change_log WHERE entity = 'stale'")->Int(0) == 0);
        CHECK(s.One("SELECT COUNT(*) FROM change_log WHERE entity = 'fresh'")->Int(0) == 1);
    });
    db->Close();
}

TEST_CASE("the statements of one read see one snapshot, even while another connection commits") {
    // What the policy-aware repository relies on: the access check and the data it guards are read together.
    test::TestDb t;
    auto other = storage::OpenDatabase(t.url, t.dir, 1);
    const char* insert = "INSERT INTO change_log (at, entity, entity_id, op, scope, data) VALUES (1, 'snap', 'x', 'create', 's', '{}')";
    int64_t before = -1;
    t.db->Read([&](storage::Session& s) {
        before = s.One("SELECT COUNT(*) FROM change_log")->Int(0);
        other->Write([&](storage::Session& w) { w.Exec(insert); });
        CHECK(s.One("SELECT COUNT(*) FROM change_log")->Int(0) == before);
        CHECK(s.One("SELECT COUNT(*) FROM change_log WHERE entity = 'snap'")->Int(0) == 0);
    });
    t.db->Read([&](storage::Session& s) { CHECK(s.One("SELECT COUNT(*) FROM change_log")->Int(0) == before + 1); });
    other->Close();
}

#include "audit/audit.hpp"
#include "db_fixture.hpp"

#include <doctest/doctest.h>

#include <thread>

using namespace cordee;

namespace {
void Fill(storage::Database& db, int n) {
    for (int i = 0; i < n; ++i) {
        db.Write([&](storage::Session& s) {
            audit::Append(s, {"acc", "auth.login", "account", "acc", "127.0.0.1", "success", {{"i", i}}});
        });
    }
}
}  // namespace

TEST_CASE("an intact chain verifies") {
    test::TestDb t;
    Fill(*t.db, 20);
    auto r = audit::Verify(*t.db);
    CHECK(r.ok);
    CHECK(r.checked == 20);
}

TEST_CASE("an altered entry is found") {
    test::TestDb t;
    Fill(*t.db, 10);
    t.db->Write([](storage::Session& s) { s.Exec("UPDATE audit_log SET detail = '{\"i\":99}' WHERE seq = 4"); });
    auto r = audit::Verify(*t.db);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_seq == 4);
}

TEST_CASE("a removed entry in the middle or at the end is found") {
    test::TestDb t;
    Fill(*t.db, 10);
    t.db->Write([](storage::Session& s) { s.Exec("DELETE FROM audit_log WHERE seq = 6"); });
    auto r = audit::Verify(*t.db);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_seq == 6);

    test::TestDb t2;
    Fill(*t2.db, 10);
    t2.db->Write([](storage::Session& s) { s.Exec("DELETE FROM audit_log WHERE seq >= 9"); });
    auto r2 = audit::Verify(*t2.db);
    CHECK_FALSE(r2.ok);
    CHECK(r2.first_bad_seq == 9);
}

TEST_CASE("an inserted entry with a forged hash is found") {
    test::TestDb t;
    Fill(*t.db, 5);
    t.db->Write([](storage::Session& s) {
        // Make room at seq 3 and slip in an entry that claims to follow entry 2.
        s.Exec("UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3");
        s.Exec("UPDATE audit_log SET seq = seq - 99 WHERE seq >= 100");
        auto prev = s.One("SELECT hash FROM audit_log WHERE seq = 2")->Str(0);
        s.Exec("INSERT INTO audit_log (seq, at, actor_id, action, target_type, target_id, ip, outcome, detail, "
               "prev_hash, hash) VALUES (3, 1, 'x', 'forged', '', '', '', 'success', '{}', ?, ?)",
               {prev, std::string(64, 'f')});
    });
    auto r = audit::Verify(*t.db);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_seq == 3);
}

TEST_CASE("the chain stays one line under concurrent writers") {
    test::TestDb t;
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) threads.emplace_back([&] { Fill(*t.db, 25); });
    for (auto& th : threads) th.join();
    auto r = audit::Verify(*t.db);
    CHECK(r.ok);
    CHECK(r.checked == 100);
}

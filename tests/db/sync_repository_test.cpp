// The sync feed's reading of the change log (src/sync/repository.cpp), on both backends: changes come in feed order,
// and on PostgreSQL — where a sequence number is taken at insert, not at commit — a change committed after a younger
// transaction's is never passed over by a cursor.
#include "db_fixture.hpp"
#include "storage/change_log.hpp"
#include "sync/repository.hpp"

#include <doctest/doctest.h>

#include <future>
#include <thread>

using namespace cordee;

namespace {
void Append(storage::Session& s, const std::string& id) { storage::AppendChange(s, {"favorite", id, "create", "acct", "{}"}); }
std::vector<std::string> Ids(storage::Database& db, int64_t tx, int64_t seq) {
    return db.ReadValue([&](storage::Session& s) {
        std::vector<std::string> out;
        for (const auto& r : sync::repo::ChangesAfter(s, "acct", tx, seq, 100)) out.push_back(r.entity_id);
        return out;
    });
}
}  // namespace

TEST_CASE("the feed reads the account's changes in order, from after a position, within the page size") {
    test::TestDb t;
    t.db->Write([](storage::Session& s) { Append(s, "a"); });
    t.db->Write([](storage::Session& s) {
        Append(s, "b");
        storage::AppendChange(s, {"favorite", "other", "create", "someone-else", "{}"});
    });
    t.db->Write([](storage::Session& s) { Append(s, "c"); });
    CHECK(Ids(*t.db, 0, 0) == std::vector<std::string>{"a", "b", "c"});
    const auto rows = t.db->ReadValue([](storage::Session& s) { return sync::repo::ChangesAfter(s, "acct", 0, 0, 2); });
    REQUIRE(rows.size() == 2);
    CHECK(Ids(*t.db, rows[1].tx, rows[1].seq) == std::vector<std::string>{"c"});
    // The bound of a first sync: every change so far is at or before it.
    const auto [btx, bseq] = t.db->ReadValue([](storage::Session& s) { return sync::repo::LogBound(s); });
    CHECK(Ids(*t.db, btx, bseq).empty());
    CHECK(bseq == t.db->ReadValue([](storage::Session& s) { return sync::repo::LastSeq(s); }));
}

TEST_CASE("a change committed after a younger transaction's is not passed over (PostgreSQL: read up to the oldest running)") {
    test::TestDb t;
    if (!t.postgres()) {
        // SQLite has one writer: numbers follow commits, and the feed reads in that order.
        t.db->Write([](storage::Session& s) { Append(s, "first"); });
        t.db->Write([](storage::Session& s) { Append(s, "second"); });
        CHECK(Ids(*t.db, 0, 0) == std::vector<std::string>{"first", "second"});
        return;
    }
    auto other = storage::OpenDatabase(t.url, t.dir, 1);
    std::promise<void> appended, release;
    auto go = release.get_future().share();
    std::thread slow([&] {
        t.db->Write([&](storage::Session& s) {
            Append(s, "older");                    // takes its number (and its transaction id) first…
            s.One("SELECT COUNT(*) FROM change_log");
            appended.set_value();
            go.wait();                             // …and commits last
        });
    });
    appended.get_future().wait();
    other->Write([](storage::Session& s) { Append(s, "younger"); });
    // "younger" is committed with a greater number; reading it now and moving the cursor past it would skip "older".
    CHECK(Ids(*t.db, 0, 0).empty());
    release.set_value();
    slow.join();
    CHECK(Ids(*t.db, 0, 0) == std::vector<std::string>{"older", "younger"});
    other->Close();
}

#include "audit/anchor.hpp"
#include "audit/audit.hpp"
#include "common/errors.hpp"
#include "db_fixture.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
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

// --- anchoring: checkpoints of the heads outside the database (audit/anchor.hpp) ---------------------------------
namespace {

struct Anchored {
    test::TestDb t;
    audit::AnchorOptions opt{t.dir + "/audit.key", t.dir + "/audit-anchors.jsonl"};
    audit::Anchorer anchorer{*t.db, opt, std::chrono::hours(1)};
};

struct Entry {
    int64_t seq, at;
    std::string actor, action, target_type, target_id, ip, outcome, detail;
};

// The lane holding the most entries, and its entries in chain order.
int64_t BusiestLane(storage::Database& db) {
    return db.ReadValue([](storage::Session& s) {
        return s.One("SELECT lane FROM audit_log GROUP BY lane ORDER BY COUNT(*) DESC, lane LIMIT 1")->Int(0);
    });
}
std::vector<Entry> LaneEntries(storage::Database& db, int64_t lane) {
    return db.ReadValue([&](storage::Session& s) {
        std::vector<Entry> out;
        for (const auto& r : s.Query("SELECT seq, at, actor_id, action, target_type, target_id, ip, outcome, detail "
                                     "FROM audit_log WHERE lane = ? ORDER BY seq",
                                     {lane}))
            out.push_back({r.Int(0), r.Int(1), r.Str(2), r.Str(3), r.Str(4), r.Str(5), r.Str(6), r.Str(7), r.Str(8)});
        return out;
    });
}

// What someone with write access to the database can do: change entries and recompute every hash after them,
// the links and the head, so that the chain alone is consistent again.
void RewriteLane(storage::Database& db, int64_t lane, std::vector<Entry> entries) {
    db.Write([&](storage::Session& s) {
        std::string prev(64, '0');
        for (const auto& e : entries) {
            const std::string h = audit::EntryHash(prev, e.seq, e.at, e.actor, e.action, e.target_type, e.target_id, e.ip,
                                                   e.outcome, e.detail);
            s.Exec("UPDATE audit_log SET outcome = ?, detail = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                   {e.outcome, e.detail, prev, h, e.seq});
            prev = h;
        }
        s.Exec("UPDATE audit_head SET seq = ?, hash = ? WHERE id = ?", {entries.back().seq, prev, lane + 1});
    });
}

void AppendToFile(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::app) << text;
}

bool Mentions(const audit::VerifyResult& r, const std::string& what) {
    for (const auto& n : r.not_checked)
        if (n.find(what) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("anchoring: a checkpoint per lane that moved, compared by verify; the key is made 0600") {
    Anchored a;
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i) threads.emplace_back([&] { Fill(*a.t.db, 5); });
    for (auto& th : threads) th.join();
    const auto heads = audit::Heads(*a.t.db);
    REQUIRE(!heads.empty());
    CHECK(a.anchorer.Pass() == static_cast<int>(heads.size()));
    CHECK(a.anchorer.Pass() == 0);  // nothing moved: nothing written
    Fill(*a.t.db, 2);
    CHECK(a.anchorer.Pass() == 1);

    struct stat st {};
    REQUIRE(::stat(a.opt.key_file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(audit::LoadAnchorKey(a.opt.key_file).has_value());

    auto r = audit::Verify(*a.t.db, &a.opt);
    CHECK(r.ok);
    CHECK(r.checked == 17);
    CHECK(r.anchored);
    CHECK(r.checkpoints == static_cast<int64_t>(heads.size()) + 1);
    CHECK(r.unanchored == 0);
    CHECK(r.not_checked.empty());

    Fill(*a.t.db, 3);
    r = audit::Verify(*a.t.db, &a.opt);
    CHECK(r.ok);
    CHECK(r.unanchored == 3);  // said, not hidden: entries after the last checkpoint are not covered
}

TEST_CASE("anchoring: truncating the tail after a checkpoint (head moved back too) is detected") {
    Anchored a;
    Fill(*a.t.db, 10);
    a.anchorer.Pass();
    const int64_t lane = BusiestLane(*a.t.db);
    const auto entries = LaneEntries(*a.t.db, lane);
    REQUIRE(entries.size() == 10);
    a.t.db->Write([&](storage::Session& s) {
        s.Exec("DELETE FROM audit_log WHERE lane = ? AND seq > ?", {lane, entries[6].seq});
        s.Exec("UPDATE audit_head SET seq = ?, hash = (SELECT hash FROM audit_log WHERE seq = ?) WHERE id = ?",
               {entries[6].seq, entries[6].seq, lane + 1});
    });
    CHECK(audit::Verify(*a.t.db).ok);  // the chain alone cannot see it

    const auto r = audit::Verify(*a.t.db, &a.opt);
    CHECK_FALSE(r.ok);
    REQUIRE(r.first_bad_seq);
    // SQLite numbers entries without gaps: the first removed one is named; PostgreSQL names the anchored one.
    CHECK(*r.first_bad_seq == (a.t.postgres() ? entries[9].seq : entries[7].seq));
    CHECK(r.problem.find("tronquée") != std::string::npos);
    CHECK(r.problem.find(std::to_string(entries[9].seq)) != std::string::npos);
}

TEST_CASE("anchoring: rewriting an entry and recomputing the whole chain is detected") {
    Anchored a;
    Fill(*a.t.db, 10);
    a.anchorer.Pass();
    Fill(*a.t.db, 2);  // after the checkpoint
    const int64_t lane = BusiestLane(*a.t.db);
    auto entries = LaneEntries(*a.t.db, lane);
    REQUIRE(entries.size() == 12);
    entries[3].outcome = "failure";
    entries[3].detail = "{\"i\":42}";
    RewriteLane(*a.t.db, lane, entries);
    CHECK(audit::Verify(*a.t.db).ok);  // a consistent chain again

    const auto r = audit::Verify(*a.t.db, &a.opt);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_seq == entries[9].seq);  // the checkpointed head no longer matches
    CHECK(r.problem.find("réécrit") != std::string::npos);
    CHECK(r.problem.find("aucun point d'ancrage antérieur conforme") != std::string::npos);

    // A rewrite after a checkpoint is named between the last checkpoint that still matches and the first that no longer does.
    Anchored b;
    Fill(*b.t.db, 4);
    b.anchorer.Pass();
    Fill(*b.t.db, 4);
    b.anchorer.Pass();
    const int64_t lane_b = BusiestLane(*b.t.db);
    auto eb = LaneEntries(*b.t.db, lane_b);
    REQUIRE(eb.size() == 8);
    eb[5].detail = "{}";
    RewriteLane(*b.t.db, lane_b, eb);
    const auto rb = audit::Verify(*b.t.db, &b.opt);
    CHECK_FALSE(rb.ok);
    CHECK(rb.first_bad_seq == eb[7].seq);
    CHECK(rb.problem.find("entrée " + std::to_string(eb[3].seq)) != std::string::npos);
}

TEST_CASE("anchoring: a checkpoint line not made with the key is detected") {
    Anchored a;
    Fill(*a.t.db, 5);
    a.anchorer.Pass();
    const auto head = audit::Heads(*a.t.db).front();
    REQUIRE(audit::Verify(*a.t.db, &a.opt).ok);

    SUBCASE("made with another key") {
        audit::AnchorKey other{};
        other.fill(7);
        AppendToFile(a.opt.anchor_file, audit::CheckpointLine(other, head.lane, head.seq, head.hash, "2030-01-01T00:00:00.000Z"));
    }
    SUBCASE("a genuine line edited") {
        std::ifstream in(a.opt.anchor_file);
        std::string line;
        std::getline(in, line);
        const auto pos = line.find("\"seq\":" + std::to_string(head.seq));
        REQUIRE(pos != std::string::npos);
        line.replace(pos, 6 + std::to_string(head.seq).size(), "\"seq\":" + std::to_string(head.seq - 1));
        AppendToFile(a.opt.anchor_file, line + "\n");
    }
    SUBCASE("not a checkpoint at all") { AppendToFile(a.opt.anchor_file, "{\"v\":1,\"lane\":0}\n"); }
    const auto r = audit::Verify(*a.t.db, &a.opt);
    CHECK_FALSE(r.ok);
    CHECK_FALSE(r.first_bad_seq.has_value());
    CHECK(r.problem.find("ligne 2 de " + a.opt.anchor_file) != std::string::npos);
    CHECK(r.checkpoints == 1);  // the genuine one still counts
}

TEST_CASE("anchoring: a last line cut by a crash is ignored, said, and closed by the next writer with a signed record") {
    Anchored a;
    Fill(*a.t.db, 3);
    a.anchorer.Pass();
    AppendToFile(a.opt.anchor_file, "{\"v\":1,\"lane\":0,\"se");
    auto r = audit::Verify(*a.t.db, &a.opt);
    CHECK(r.ok);
    CHECK(Mentions(r, "incomplète"));

    // The next server start closes the cut line with a signed record naming it: the cut line is excused, not forged.
    Fill(*a.t.db, 1);
    {
        audit::Anchorer next(*a.t.db, a.opt, std::chrono::hours(1));
        CHECK(next.Pass() == 1);
    }
    r = audit::Verify(*a.t.db, &a.opt);
    CHECK_MESSAGE(r.ok, r.problem);
    CHECK(Mentions(r, "ligne 2 de " + a.opt.anchor_file + " a été coupée"));
    CHECK(r.checkpoints == 2);
    CHECK(r.unanchored == 0);

    // Such a record made without the key excuses nothing.
    AppendToFile(a.opt.anchor_file, "{\"v\":1,\"lane\":0,\"se\n");
    audit::AnchorKey other{};
    AppendToFile(a.opt.anchor_file, audit::CutLine(other, crypto::Sha256Hex("{\"v\":1,\"lane\":0,\"se"), "2030-01-01T00:00:00.000Z"));
    r = audit::Verify(*a.t.db, &a.opt);
    CHECK_FALSE(r.ok);
    CHECK(r.problem.find("ligne 5 de") != std::string::npos);
}

TEST_CASE("anchoring: no key or no anchor file yet: verify passes and says the trail is not anchored") {
    test::TestDb t;
    Fill(*t.db, 3);
    const audit::AnchorOptions opt{t.dir + "/audit.key", t.dir + "/audit-anchors.jsonl"};
    auto r = audit::Verify(*t.db, &opt);
    CHECK(r.ok);
    CHECK_FALSE(r.anchored);
    CHECK(Mentions(r, "clé d'ancrage"));

    audit::LoadOrCreateAnchorKey(opt.key_file);
    r = audit::Verify(*t.db, &opt);
    CHECK(r.ok);
    CHECK_FALSE(r.anchored);
    CHECK(Mentions(r, "aucun point d'ancrage"));

    std::ofstream(opt.key_file, std::ios::trunc) << "pas une clé\n";
    CHECK_THROWS_AS(audit::Verify(*t.db, &opt), Error);
}

TEST_CASE("anchoring: Start writes a checkpoint at once, Stop one after the last entry") {
    Anchored a;
    Fill(*a.t.db, 2);
    a.anchorer.Start();
    Fill(*a.t.db, 2);
    a.anchorer.Stop();
    std::ifstream in(a.opt.anchor_file);
    int lines = 0;
    for (std::string l; std::getline(in, l);) ++lines;
    CHECK(lines == 2);
    const auto r = audit::Verify(*a.t.db, &a.opt);
    CHECK(r.ok);
    CHECK(r.unanchored == 0);
}

TEST_CASE("verify while entries are being written reports nothing wrong") {
    test::TestDb t;
    Fill(*t.db, 5);
    std::atomic<bool> done{false};
    std::thread writer([&] {
        Fill(*t.db, 300);
        done = true;
    });
    int runs = 0;
    while (!done || runs == 0) {
        const auto r = audit::Verify(*t.db);
        CHECK_MESSAGE(r.ok, r.problem);
        ++runs;
    }
    writer.join();
}

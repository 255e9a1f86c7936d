#include "audit/audit.hpp"

#include "common/crypto.hpp"
#include "common/time.hpp"

#include <boost/json.hpp>

#include <functional>
#include <optional>
#include <thread>

namespace cordee::audit {
namespace {

constexpr int64_t kPostgresLanes = 16;
const std::string kGenesis(64, '0');

}  // namespace

std::string EntryHash(const std::string& prev_hash, int64_t seq, int64_t at, const std::string& actor_id,
                      const std::string& action, const std::string& target_type, const std::string& target_id,
                      const std::string& ip, const std::string& outcome, const std::string& detail) {
    // Each field is length-prefixed so that moving characters between fields changes the hash.
    std::string buf;
    auto add = [&buf](const std::string& v) { buf += std::to_string(v.size()) + ":" + v + ";"; };
    add(prev_hash);
    add(std::to_string(seq));
    add(std::to_string(at));
    add(actor_id);
    add(action);
    add(target_type);
    add(target_id);
    add(ip);
    add(outcome);
    add(detail);
    return crypto::Sha256Hex(buf);
}

namespace {

// PostgreSQL: a lane per worker thread (16 lanes), so that two transactions rarely share one; SQLite: lane 0.
int64_t LaneOf(const storage::Session& s) {
    if (s.dialect() == storage::Dialect::kSqlite) return 0;
    return static_cast<int64_t>(std::hash<std::thread::id>{}(std::this_thread::get_id()) % kPostgresLanes);
}

}  // namespace

void Append(storage::Session& s, const Event& e) {
    const int64_t lane = LaneOf(s);
    std::optional<storage::Row> head;
    int64_t seq = 0;
    if (s.dialect() == storage::Dialect::kSqlite) {
        head = s.One("SELECT seq, hash FROM audit_head WHERE id = ?", {lane + 1});
        seq = head ? head->Int(0) + 1 : 1;
    } else {
        // Writers of one lane take turns on its head row (created with the lanes): the row lock, the head and the
        // next number in one round trip. A writer that waited reads the head its predecessor committed.
        head = s.One("SELECT seq, hash, nextval('audit_log_seq') FROM audit_head WHERE id = ? FOR UPDATE", {lane + 1});
        if (!head) throw std::runtime_error("audit lane head missing (migration 0005_audit_lanes_seq)");
        seq = head->Int(2);
    }
    const bool after = head && head->Int(0) > 0;  // an empty lane's head is seq 0 with the genesis hash
    const std::string prev = after ? head->Str(1) : kGenesis;
    const int64_t at = NowMicros();
    const std::string detail = boost::json::serialize(e.detail);
    const std::string hash =
        EntryHash(prev, seq, at, e.actor_id, e.action, e.target_type, e.target_id, e.ip, e.outcome, detail);
    s.Queue("INSERT INTO audit_log (seq, at, actor_id, action, target_type, target_id, ip, outcome, detail, prev_hash, "
            "hash, lane, prev_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {seq, at, e.actor_id, e.action, e.target_type, e.target_id, e.ip, e.outcome, detail, prev, hash, lane,
             after ? storage::Value{head->Int(0)} : storage::Value{}});
    if (head) s.Queue("UPDATE audit_head SET seq = ?, hash = ? WHERE id = ?", {seq, hash, lane + 1});
    else s.Queue("INSERT INTO audit_head (id, seq, hash) VALUES (?, ?, ?)", {lane + 1, seq, hash});
}

VerifyResult Verify(storage::Database& db) {
    VerifyResult r;
    // On SQLite entries are numbered without gaps; on PostgreSQL a rolled-back transaction leaves a gap in
    // the numbers, so there a removal shows as a broken link (and the next entry names the one it followed).
    const bool contiguous = db.dialect() == storage::Dialect::kSqlite;
    auto fail = [&r](int64_t seq, std::string why) {
        if (!r.ok && r.first_bad_seq && *r.first_bad_seq <= seq) return;
        r.ok = false;
        r.first_bad_seq = seq;
        r.problem = std::move(why);
    };
    const auto lanes = db.ReadValue([](storage::Session& s) {
        std::vector<int64_t> out;
        for (const auto& row : s.Query("SELECT DISTINCT lane FROM audit_log UNION SELECT id - 1 FROM audit_head ORDER BY 1"))
            out.push_back(row.Int(0));
        return out;
    });
    for (const int64_t lane : lanes) {
        std::string prev = kGenesis;
        int64_t last = 0, expected = 1;
        bool broken = false;
        // Pages of 5,000 keep memory flat however long the trail is.
        while (!broken) {
            auto rows = db.ReadValue([&](storage::Session& s) {
                return s.Query("SELECT seq, at, actor_id, action, target_type, target_id, ip, outcome, detail, prev_hash, "
                               "hash, prev_seq FROM audit_log WHERE lane = ? AND seq > ? ORDER BY seq LIMIT 5000",
                               {lane, last});
            });
            for (const auto& row : rows) {
                const int64_t seq = row.Int(0);
                if (contiguous && seq != expected) {
                    fail(expected, "entrée " + std::to_string(expected) + " absente (supprimée)");
                    broken = true;
                    break;
                }
                if (row.Str(9) != prev) {
                    const auto named = row.OptInt(11);
                    if (named && *named != last && *named < seq)
                        fail(*named, "entrée " + std::to_string(*named) + " absente (supprimée)");
                    else
                        fail(seq, "entrée " + std::to_string(seq) + " : le lien avec l'entrée précédente est rompu");
                    broken = true;
                    break;
                }
                const std::string h = EntryHash(prev, seq, row.Int(1), row.Str(2), row.Str(3), row.Str(4), row.Str(5),
                                                row.Str(6), row.Str(7), row.Str(8));
                if (h != row.Str(10)) {
                    fail(seq, "entrée " + std::to_string(seq) + " modifiée (empreinte différente)");
                    broken = true;
                    break;
                }
                prev = h;
                last = seq;
                expected = seq + 1;
                ++r.checked;
            }
            if (rows.size() < 5000) break;
        }
        if (broken) continue;
        auto head = db.ReadValue(
            [&](storage::Session& s) { return s.One("SELECT seq, hash FROM audit_head WHERE id = ?", {lane + 1}); });
        if (head && (head->Int(0) != last || head->Str(1) != prev)) {
            fail(last + 1, "les entrées après la " + std::to_string(last) + " ont été supprimées (la tête de chaîne est " +
                               std::to_string(head->Int(0)) + ")");
        } else if (!head && last > 0) {
            fail(1, "la tête de chaîne a disparu");
        }
    }
    return r;
}

boost::json::object List(storage::Database& db, const Filter& f) {
    std::string sql =
        "SELECT l.seq, l.at, l.actor_id, a.email, l.action, l.target_type, l.target_id, l.ip, l.outcome, l.detail "
        "FROM audit_log l LEFT JOIN accounts a ON a.id = l.actor_id WHERE 1 = 1";
    storage::Params p;
    if (!f.action.empty()) {
        sql += " AND l.action LIKE ?";
        p.push_back(f.action + "%");
    }
    if (!f.actor.empty()) {
        sql += " AND (l.actor_id = ? OR a.email = ?)";
        p.push_back(f.actor);
        p.push_back(f.actor);
    }
    if (!f.outcome.empty()) {
        sql += " AND l.outcome = ?";
        p.push_back(f.outcome);
    }
    if (!f.target_id.empty()) {
        sql += " AND l.target_id = ?";
        p.push_back(f.target_id);
    }
    if (f.before) {
        sql += " AND l.seq < ?";
        p.push_back(*f.before);
    }
    sql += " ORDER BY l.seq DESC LIMIT ?";
    p.push_back(static_cast<int64_t>(f.limit + 1));
    auto rows = db.ReadValue([&](storage::Session& s) { return s.Query(sql, p); });
    boost::json::array items;
    boost::json::value next_before = nullptr;
    for (size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        if (static_cast<int>(i) == f.limit) {
            next_before = rows[i - 1].Int(0);
            break;
        }
        boost::json::value detail;
        try {
            detail = boost::json::parse(r.Str(9));
        } catch (...) {
            detail = r.Str(9);
        }
        items.push_back({{"seq", r.Int(0)},
                         {"at", FormatRfc3339(r.Int(1))},
                         {"actor_id", r.Str(2)},
                         {"actor_email", r.Str(3)},
                         {"action", r.Str(4)},
                         {"target_type", r.Str(5)},
                         {"target_id", r.Str(6)},
                         {"ip", r.Str(7)},
                         {"outcome", r.Str(8)},
                         {"detail", detail}});
    }
    return {{"items", items}, {"next_before", next_before}};
}

}  // namespace cordee::audit

#include "audit/audit.hpp"

#include "audit/anchor.hpp"
#include "audit/repository.hpp"
#include "common/crypto.hpp"
#include "common/time.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <thread>

namespace cordee::audit {
namespace {

constexpr int64_t kPostgresLanes = 16;
constexpr int64_t kPage = 5000;  // entries read at a time by Verify: memory stays flat however long the trail is
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
    std::optional<repo::Head> head;
    int64_t seq = 0;
    if (s.dialect() == storage::Dialect::kSqlite) {
        head = repo::ReadHead(s, lane);
        seq = head ? head->seq + 1 : 1;
    } else {
        // Writers of one lane take turns on its head row (created with the lanes): the row lock, the head and the
        // next number in one round trip. A writer that waited reads the head its predecessor committed.
        auto locked = repo::LockHeadAndNumber(s, lane);
        if (!locked) throw std::runtime_error("audit lane head missing (migration 0005_audit_lanes_seq)");
        head = locked->head;
        seq = locked->next_seq;
    }
    const bool after = head && head->seq > 0;  // an empty lane's head is seq 0 with the genesis hash
    repo::StoredEntry entry{.seq = seq,
                            .at = NowMicros(),
                            .lane = lane,
                            .actor_id = e.actor_id,
                            .action = e.action,
                            .target_type = e.target_type,
                            .target_id = e.target_id,
                            .ip = e.ip,
                            .outcome = e.outcome,
                            .detail = boost::json::serialize(e.detail),
                            .prev_hash = after ? head->hash : kGenesis,
                            .hash = {},
                            .prev_seq = after ? std::optional<int64_t>(head->seq) : std::nullopt};
    entry.hash = EntryHash(entry.prev_hash, seq, entry.at, e.actor_id, e.action, e.target_type, e.target_id, e.ip,
                           e.outcome, entry.detail);
    repo::QueueInsertEntry(s, entry);
    if (head) repo::QueueMoveHead(s, lane, {seq, entry.hash});
    else repo::QueueInsertHead(s, lane, {seq, entry.hash});
}

std::vector<LaneHead> Heads(storage::Database& db) {
    return db.ReadValue([](storage::Session& s) { return repo::NonEmptyHeads(s); });
}

VerifyResult Verify(storage::Database& db, const AnchorOptions* anchors) {
    VerifyResult r;
    // On SQLite entries are numbered without gaps; on PostgreSQL a rolled-back transaction leaves a gap in
    // the numbers, so there a removal shows as a broken link (and the next entry names the one it followed).
    const bool contiguous = db.dialect() == storage::Dialect::kSqlite;
    auto entry = [contiguous](int64_t lane, int64_t seq) {
        return "entrée " + std::to_string(seq) + (contiguous ? "" : " de la voie " + std::to_string(lane));
    };
    std::vector<std::pair<std::optional<int64_t>, std::string>> found;  // (first entry concerned, what)
    auto fail = [&](std::optional<int64_t> seq, std::string why) {
        r.ok = false;
        found.emplace_back(seq, std::move(why));
    };

    // The checkpoints kept outside the database, by lane, in chain order.
    std::map<int64_t, std::vector<Checkpoint>> by_lane;
    if (anchors) {
        const auto key = LoadAnchorKey(anchors->key_file);
        if (!key) {
            r.not_checked.push_back("la clé d'ancrage " + anchors->key_file +
                                    " est absente : les points d'ancrage ne peuvent pas être authentifiés");
        } else {
            const AnchorFile file = ReadAnchorFile(anchors->anchor_file, *key);
            if (!file.exists) r.not_checked.push_back("aucun point d'ancrage (fichier " + anchors->anchor_file + " absent)");
            for (const auto& [line, why] : file.bad)
                fail(std::nullopt, "ligne " + std::to_string(line) + " de " + anchors->anchor_file +
                                       " : point d'ancrage non authentique (" + why + ")");
            for (const int64_t line : file.cut_lines)
                r.not_checked.push_back("la ligne " + std::to_string(line) + " de " + anchors->anchor_file +
                                        " a été coupée par un arrêt brutal, puis close par le serveur : ignorée");
            if (file.torn_tail)
                r.not_checked.push_back("la dernière ligne de " + anchors->anchor_file +
                                        " est incomplète (écriture interrompue par un arrêt brutal) : ignorée");
            for (const auto& cp : file.checkpoints) {
                by_lane[cp.lane].push_back(cp);
                if (cp.at > r.last_checkpoint_at) r.last_checkpoint_at = cp.at;
            }
            r.checkpoints = static_cast<int64_t>(file.checkpoints.size());
            r.anchored = r.checkpoints > 0;
        }
    }
    for (auto& [lane, cps] : by_lane)
        std::stable_sort(cps.begin(), cps.end(), [](const Checkpoint& a, const Checkpoint& b) { return a.seq < b.seq; });

    std::set<int64_t> lanes;
    db.Read([&](storage::Session& s) {
        for (const int64_t lane : repo::Lanes(s)) lanes.insert(lane);
    });
    for (const auto& [lane, cps] : by_lane) lanes.insert(lane);  // a lane removed altogether is checked too

    for (const int64_t lane : lanes) {
        const std::vector<Checkpoint>& cps = by_lane[lane];
        const int64_t covered_to = cps.empty() ? 0 : cps.back().seq;
        size_t ci = 0;                        // the next checkpoint to meet
        std::optional<int64_t> good;          // the last checkpoint met that matched
        bool anchor_failed = false;           // after a first mismatch the next checkpoints tell nothing more
        auto since_good = [&] {
            return good ? "entre l'" + entry(lane, *good) + " (dernier point d'ancrage conforme) et celle-ci"
                        : "avant elle (aucun point d'ancrage antérieur conforme)";
        };
        std::string prev = kGenesis;
        int64_t last = 0, expected = 1;
        bool broken = false;
        std::optional<repo::Head> head;
        // Pages of 5,000 keep memory flat however long the trail is. The head is read after the walk; when a
        // live server appended entries meanwhile, they are walked too (a few rounds at most).
        for (int round = 0; !broken && round < 100; ++round) {
            const int64_t walked_to = last;
            for (;;) {
                auto rows = db.ReadValue([&](storage::Session& s) { return repo::EntriesAfter(s, lane, last, kPage); });
                for (const auto& row : rows) {
                    const int64_t seq = row.seq;
                    if (contiguous && seq != expected) {
                        fail(expected, "entrée " + std::to_string(expected) + " absente (supprimée)");
                        broken = true;
                        break;
                    }
                    if (row.prev_hash != prev) {
                        const auto named = row.prev_seq;
                        if (named && *named != last && *named < seq)
                            fail(*named, "entrée " + std::to_string(*named) + " absente (supprimée)");
                        else
                            fail(seq, "entrée " + std::to_string(seq) + " : le lien avec l'entrée précédente est rompu");
                        broken = true;
                        break;
                    }
                    const std::string h = EntryHash(prev, seq, row.at, row.actor_id, row.action, row.target_type,
                                                    row.target_id, row.ip, row.outcome, row.detail);
                    if (h != row.hash) {
                        fail(seq, "entrée " + std::to_string(seq) + " modifiée (empreinte différente)");
                        broken = true;
                        break;
                    }
                    // The chain holds up to here; does it still hold what was anchored?
                    for (; !anchor_failed && ci < cps.size() && cps[ci].seq <= seq; ++ci) {
                        const Checkpoint& cp = cps[ci];
                        if (cp.seq < seq) {
                            fail(cp.seq, entry(lane, cp.seq) + ", ancrée le " + cp.at + " (ligne " + std::to_string(cp.line) +
                                             " des points d'ancrage), a disparu : le journal a été réécrit " + since_good());
                            anchor_failed = true;
                        } else if (cp.hash != h) {
                            fail(seq, entry(lane, seq) + " ne correspond plus au point d'ancrage du " + cp.at + " (ligne " +
                                          std::to_string(cp.line) + ") : le journal a été réécrit " + since_good());
                            anchor_failed = true;
                        } else {
                            good = seq;
                        }
                    }
                    if (seq > covered_to) ++r.unanchored;
                    prev = h;
                    last = seq;
                    expected = seq + 1;
                    ++r.checked;
                }
                if (broken || static_cast<int64_t>(rows.size()) < kPage) break;
            }
            if (broken) break;
            // A head beyond the walk is either entries committed since the pages were read (walk again) or a
            // truncation: only the second reading of the same head with nothing new walked says which.
            const auto before = head;
            head = db.ReadValue([&](storage::Session& s) { return repo::ReadHead(s, lane); });
            if (!head || head->seq <= last) break;
            if (last == walked_to && before && before->seq == head->seq) break;
        }
        if (broken) continue;
        if (!anchor_failed && ci < cps.size()) {
            // The newest entries are gone, and audit_head was moved back to hide it: only the anchor shows it.
            const Checkpoint& cp = cps[ci];
            const std::string where = " (ancrée le " + cp.at + ", ligne " + std::to_string(cp.line) + " des points d'ancrage)";
            const std::string kept = last > 0 ? "après l'entrée " + std::to_string(last) : std::string("depuis le début");
            if (contiguous && last + 1 < cp.seq)
                fail(last + 1, "les entrées " + std::to_string(last + 1) + " à " + std::to_string(cp.seq) +
                                   " ont été supprimées (la " + std::to_string(cp.seq) + " était ancrée le " + cp.at +
                                   ", ligne " + std::to_string(cp.line) +
                                   " des points d'ancrage) : la fin du journal a été tronquée " + kept);
            else if (contiguous)
                fail(cp.seq, "l'entrée " + std::to_string(cp.seq) + where +
                                 " a été supprimée : la fin du journal a été tronquée " + kept);
            else
                fail(cp.seq, entry(lane, cp.seq) + where + " est absente : la fin de la voie a été tronquée " + kept);
        }
        if (head && (head->seq != last || head->hash != prev)) {
            fail(last + 1, "les entrées après la " + std::to_string(last) + " ont été supprimées (la tête de chaîne est " +
                               std::to_string(head->seq) + ")");
        } else if (!head && last > 0) {
            fail(1, "la tête de chaîne a disparu");
        }
    }

    // The first entry concerned first; problems of the anchor file itself (no entry) after.
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
        if (a.first.has_value() != b.first.has_value()) return a.first.has_value();
        return a.first && *a.first < *b.first;
    });
    if (!found.empty()) {
        r.first_bad_seq = found.front().first;
        r.problem = found.front().second;
    }
    for (size_t i = 0; i < found.size() && i < 20; ++i) r.problems.push_back(found[i].second);
    return r;
}

boost::json::object List(storage::Database& db, const Filter& f) {
    // One more than asked: whether there is a next page.
    auto rows = db.ReadValue([&](storage::Session& s) { return repo::ListEntries(s, f, f.limit + 1); });
    boost::json::array items;
    boost::json::value next_before = nullptr;
    for (size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        if (static_cast<int>(i) == f.limit) {
            next_before = rows[i - 1].seq;
            break;
        }
        boost::json::value detail;
        try {
            detail = boost::json::parse(r.detail);
        } catch (...) {
            detail = r.detail;
        }
        items.push_back({{"seq", r.seq},
                         {"at", FormatRfc3339(r.at)},
                         {"actor_id", r.actor_id},
                         {"actor_email", r.actor_email},
                         {"action", r.action},
                         {"target_type", r.target_type},
                         {"target_id", r.target_id},
                         {"ip", r.ip},
                         {"outcome", r.outcome},
                         {"detail", detail}});
    }
    return {{"items", items}, {"next_before", next_before}};
}

}  // namespace cordee::audit

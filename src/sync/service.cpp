#include "sync/service.hpp"

#include "audit/audit.hpp"
#include "common/crypto.hpp"
#include "common/errors.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "patients/service.hpp"
#include "storage/change_log.hpp"
#include "sync/cursor.hpp"
#include "sync/repository.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace cordee::sync {
namespace {

namespace json = boost::json;
using patients::Actor;
using patients::Grant;
using patients::PatientRecords;
using patients::Scope;

constexpr const char* kAccess = "patient_access";  // the change-log entity of a patient entering or leaving a feed

Error Reset(const char* reason, std::string detail) {
    Error e(Problem::kSyncReset, std::move(detail) + " Effacez les données de l'appareil et synchronisez depuis le début.");
    e.extra["reason"] = reason;
    return e;
}

// What one page gathers: the items in order, and the grant of each patient it read (audited after the read).
struct Gather {
    const Actor& actor;
    const Collections& collections;
    std::vector<Item> items;
    std::map<std::string, Grant> read;

    void Add(Item it, const std::string& collection, const std::string& patient) {
        it.collection = collection;
        it.patient_id = patient;
        items.push_back(std::move(it));
    }
    // Everything the store keeps of one patient, as each collection gives it.
    void Patient(storage::Session& s, const std::string& pid) {
        for (const auto& c : collections.patient)
            PatientRecords::IfGranted(s, actor, pid, c.need, [&](Scope& sc) {
                read.emplace(pid, sc.grant());
                for (auto& it : c.recent(sc)) Add(std::move(it), c.name, pid);
            });
    }
    // One change of the log.
    void Change(storage::Session& s, const ChangeRow& row, const std::set<std::string>& delivered) {
        if (row.scope == actor.account_id) {
            if (row.entity == kAccess && row.op == "create") {
                if (delivered.count(row.entity_id)) Patient(s, row.entity_id);
            } else if (row.entity == kAccess) {
                std::string reason = "access_ended";
                try {
                    reason = json::value_to<std::string>(json::parse(row.data).at("reason"));
                } catch (...) {
                }
                Add({"", row.entity_id, "", nullptr, reason}, "patients", row.entity_id);
            } else {
                for (const auto& c : collections.account)
                    if (c.entity == row.entity)
                        if (auto it = c.changed(row)) Add(std::move(*it), c.name, "");
            }
            return;
        }
        const std::string pid = row.scope.substr(row.scope.find(':') + 1);
        if (!delivered.count(pid)) return;
        // A change of the record itself (identity, circle, a merge that brought another record's entries) sends the
        // patient again: rare, and the only way the survivor of a merge gets what it received.
        if (row.entity == "patient") return Patient(s, pid);
        for (const auto& c : collections.patient) {
            if (c.entity != row.entity) continue;
            PatientRecords::IfGranted(s, actor, pid, c.need, [&](Scope& sc) {
                read.emplace(pid, sc.grant());
                if (auto it = c.changed(sc, row.entity_id)) Add(std::move(*it), c.name, pid);
            });
        }
    }
};

}  // namespace

SyncService::SyncService(patients::PatientRecords& records, Collections collections)
    : records_(records), collections_(std::move(collections)) {}

KeyRow SyncService::Prepare(const auth::Principal& p) {
    auto look = [&](storage::Session& s) {
        const Actor actor = records_.LoadActor(s, p);
        return std::tuple{repo::FindKey(s, p.account_id), patients::FollowedPatients(s, actor, kMaxPatients),
                          repo::Delivered(s, p.account_id)};
    };
    auto [key, followed, delivered] = records_.db().ReadValue(look);
    if (key && followed == delivered) return *key;
    return records_.db().WriteValue([&](storage::Session& s) {
        auto [key, followed, delivered] = look(s);
        if (!key) {
            repo::InsertKey(s, p.account_id, {NewUuidV7(), crypto::RandomToken(32)}, NowMicros());
            key = repo::FindKey(s, p.account_id);
        }
        std::vector<std::string> gone, arrived;
        std::set_difference(delivered.begin(), delivered.end(), followed.begin(), followed.end(), std::back_inserter(gone));
        std::set_difference(followed.begin(), followed.end(), delivered.begin(), delivered.end(), std::back_inserter(arrived));
        for (const auto& pid : gone) {
            repo::QueueUndeliver(s, p.account_id, pid);
            const char* reason = patients::RecordStatus(s, pid) == "merged" ? "merged" : "access_ended";
            storage::AppendChange(s, {kAccess, pid, "delete", p.account_id, json::serialize(json::object{{"reason", reason}})});
        }
        for (const auto& pid : arrived) {
            repo::QueueDeliver(s, p.account_id, pid);
            storage::AppendChange(s, {kAccess, pid, "create", p.account_id, "{}"});
        }
        return *key;
    });
}

Page SyncService::Read(const auth::Principal& p, const std::string& since, int limit) {
    std::optional<Cursor> cursor;
    if (!since.empty()) {
        cursor = DecodeCursor(since);
        if (!cursor) throw Reset("invalid", "Ce curseur de synchronisation est illisible.");
        if (cursor->account_id != p.account_id)
            throw Reset("other_account", "Ce curseur de synchronisation appartient à un autre compte.");
    }
    const KeyRow key = Prepare(p);
    const int64_t now = NowMicros();
    if (cursor && cursor->key_id != key.key_id)
        throw Reset("revoked", "L'accès hors ligne de ce compte a été révoqué.");
    if (cursor && now - cursor->issued_at > kCursorMaxAge)
        throw Reset("expired", "La dernière synchronisation date de plus de 30 jours.");

    Actor actor;
    Page page;
    page.key_id = key.key_id;
    std::map<std::string, Grant> read;
    records_.db().Read([&](storage::Session& s) {
        actor = records_.LoadActor(s, p);
        Gather g{actor, collections_, {}, {}};
        Cursor c;
        if (cursor) {
            c = *cursor;
            if (c.seq > repo::LastSeq(s))
                throw Reset("unknown", "Ce curseur ne vient pas de ce serveur (ou d'une sauvegarde plus récente).");
        } else {
            // The picture is taken in this transaction: the log from here on tells what changed after it.
            c.account_id = p.account_id;
            c.key_id = key.key_id;
            std::tie(c.tx, c.seq) = repo::LogBound(s);
            for (const auto& ac : collections_.account)
                for (auto& it : ac.all(s, p.account_id)) g.Add(std::move(it), ac.name, "");
        }
        const auto delivered_list = repo::Delivered(s, p.account_id);
        const std::set<std::string> delivered(delivered_list.begin(), delivered_list.end());
        const size_t want = static_cast<size_t>(limit);
        if (c.phase == Cursor::Phase::kSnapshot) {
            page.more = true;
            constexpr int64_t kBatch = 20;
            while (g.items.size() < want) {
                const auto ids = repo::DeliveredAfter(s, p.account_id, c.after, kBatch);
                for (const auto& pid : ids) {
                    g.Patient(s, pid);
                    c.after = pid;
                    if (g.items.size() >= want) break;
                }
                if (ids.empty() || (static_cast<int64_t>(ids.size()) < kBatch && c.after == ids.back())) {
                    c.phase = Cursor::Phase::kChanges;  // every patient sent: the changes since the picture next
                    c.after.clear();
                    break;
                }
            }
        } else {
            const auto rows = repo::ChangesAfter(s, p.account_id, c.tx, c.seq, static_cast<int64_t>(want));
            size_t used = 0;
            for (const auto& row : rows) {
                g.Change(s, row, delivered);
                c.tx = row.tx;
                c.seq = row.seq;
                ++used;
                if (g.items.size() >= want) break;
            }
            page.more = used < rows.size() || rows.size() == want;
        }
        c.issued_at = now;
        page.cursor = EncodeCursor(c);
        page.items = std::move(g.items);
        read = std::move(g.read);
    });
    if (!read.empty())
        records_.db().Write([&](storage::Session& s) {
            for (const auto& [pid, grant] : read) PatientRecords::Audit(s, actor, pid, grant, "sync.read");
        });
    return page;
}

KeyRow SyncService::Key(const auth::Principal& p) {
    const KeyRow k = Prepare(p);
    records_.db().Write([&](storage::Session& s) {
        audit::Append(s, {p.account_id, "sync.key", "account", p.account_id, p.ip, "success", {{"key_id", k.key_id}}});
    });
    return k;
}

void SyncService::RevokeKey(const auth::Principal& p) {
    records_.db().Write([&](storage::Session& s) {
        const auto k = repo::FindKey(s, p.account_id);
        repo::DeleteKey(s, p.account_id);
        audit::Append(s, {p.account_id, "sync.revoke", "account", p.account_id, p.ip, "success",
                          {{"key_id", k ? json::value(k->key_id) : json::value(nullptr)}}});
    });
}

}  // namespace cordee::sync

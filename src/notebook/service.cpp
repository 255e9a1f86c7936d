#include "notebook/service.hpp"

#include "common/errors.hpp"
#include "common/ids.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "notebook/image.hpp"
#include "notebook/repository.hpp"
#include "patients/timeline.hpp"
#include "storage/change_log.hpp"
#include "storage/idempotency.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace cordee::notebook {
namespace {

namespace json = boost::json;
using patients::Need;
using patients::Scope;

// "900 Kio", "1,5 Mio": sizes as people read them.
std::string HumanSize(int64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes) + " octets";
    const char* units[] = {"Kio", "Mio", "Gio", "Tio"};
    double v = static_cast<double>(bytes) / 1024;
    int u = 0;
    while (v >= 1024 && u < 3) {
        v /= 1024;
        ++u;
    }
    if (u == 0) return std::to_string(std::lround(v)) + " Kio";
    const long tenths = std::lround(v * 10);
    return std::to_string(tenths / 10) + (tenths % 10 ? "," + std::to_string(tenths % 10) : "") + " " + units[u];
}

Error QuotaExceeded(int64_t used, int64_t file, int64_t quota) {
    Error e(Problem::kQuotaExceeded,
            "Vos fichiers déposés occupent déjà " + HumanSize(used) + " sur les " + HumanSize(quota) +
                " permis par compte (quota) ; ce fichier de " + HumanSize(file) +
                " le dépasserait. Rien n'a été enregistré. Demandez à l'administrateur de la plateforme d'augmenter "
                "votre quota.");
    e.extra["used_bytes"] = used;
    e.extra["quota_bytes"] = quota;
    e.extra["file_bytes"] = file;
    return e;
}

json::object ParsedVitals(const std::string& text) {
    if (text.empty()) return {};
    try {
        auto v = json::parse(text);
        return v.is_object() ? v.as_object() : json::object{};
    } catch (...) {
        return {};
    }
}

// Vital signs are health data: a grant that does not see health content gets none, not even whether there were any
// (inside an entry shared with the whole circle too). Otherwise the values and those outside the usual ranges.
void PutVitals(json::object& o, Scope& sc, const json::object& vitals, const UsualRanges& ranges) {
    if (!sc.grant().health || vitals.empty()) {
        o["vitals"] = nullptr;
        o["vitals_flags"] = json::object{};
        return;
    }
    o["vitals"] = vitals;
    o["vitals_flags"] = VitalFlags(vitals, ranges);
}

json::value OrNull(const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::object EntryJson(Scope& sc, const EntryRow& r, const UsualRanges& ranges) {
    json::object o{{"id", r.id.str()},
            {"root_id", r.root_id.str()},
            {"version", r.version},
            {"supersedes", r.supersedes ? json::value(r.supersedes->str()) : json::value(nullptr)},
            {"kind", r.kind},
            {"visibility", r.visibility},
            {"author", {{"account_id", r.author_id}, {"name", r.author_name}, {"profession", r.author_profession},
                        {"structure_id", OrNull(r.structure_id)},
                        {"structure_name", OrNull(r.structure_name)}}},
            {"fact_at", FormatRfc3339(r.fact_at)},
            {"written_at", FormatRfc3339(r.written_at)},
            {"body", r.body},
            {"attachments", json::array{}},
            {"previous", json::array{}}};
    PutVitals(o, sc, ParsedVitals(r.vitals), ranges);
    return o;
}

// Fills attachments and older versions of the latest versions listed, in two queries for the page.
void Complete(Scope& sc, std::vector<std::pair<EntryRow, json::object>>& entries, const UsualRanges& ranges) {
    if (entries.empty()) return;
    std::vector<EntryId> roots;
    for (const auto& [row, o] : entries) roots.push_back(row.root_id);
    std::map<EntryId, json::array> files, previous;
    for (const auto& f : repo::AttachmentsOfEntries(sc, roots))
        files[f.entry_id].push_back({{"id", f.id.str()}, {"name", f.name}, {"mime", f.mime}, {"size", f.size}});
    for (const auto& r : repo::OlderVersions(sc, roots)) {
        if (!sc.MaySee(r.visibility, r.structure_id.value_or(""))) continue;
        json::object old{{"id", r.id.str()}, {"version", r.version}, {"kind", r.kind}, {"visibility", r.visibility},
                         {"body", r.body}, {"fact_at", FormatRfc3339(r.fact_at)}, {"written_at", FormatRfc3339(r.written_at)}};
        PutVitals(old, sc, ParsedVitals(r.vitals), ranges);
        previous[r.root_id].push_back(std::move(old));
    }
    for (auto& [row, o] : entries) {
        o["attachments"] = files[row.root_id];
        o["previous"] = previous[row.root_id];
    }
}

json::object LoadEntry(Scope& sc, const EntryId& id, const UsualRanges& ranges) {
    const EntryRow row = *repo::FindEntry(sc, id);
    std::vector<std::pair<EntryRow, json::object>> one{{row, EntryJson(sc, row, ranges)}};
    Complete(sc, one, ranges);
    return one[0].second;
}

struct Stored {
    EntryId id, root;
    int64_t version;
    json::object entry;  // as the list shows it (without older versions)
};

// Inserts one version (new entry or correction), links its attachments, indexes it in the timeline.
Stored Insert(Scope& sc, const NewEntry& e, const std::string& kind, const std::string& visibility,
              const EntryId& root, int64_t version, const EntryId& supersedes, const UsualRanges& ranges,
              const EntryId& new_id = EntryId(NewUuidV7())) {
    const patients::Actor& a = sc.actor();
    if (!e.vitals.empty() && !sc.grant().health)
        throw Invalid("vitals", "les constantes sont des données de santé : seuls les professionnels de santé les saisissent");
    const EntryId& id = new_id;
    const EntryId root_id = root.empty() ? id : root;
    const int64_t now = NowMicros();
    const int64_t fact = e.fact_at ? e.fact_at : now;
    std::string structure = e.structure_id;
    if (structure.empty() && !a.structures.empty()) structure = a.structures.front();
    if (!structure.empty() && std::find(a.structures.begin(), a.structures.end(), structure) == a.structures.end())
        throw Invalid("structure_id", "vous n'appartenez pas à cette structure");
    if (visibility == "structure" && structure.empty())
        throw Invalid("visibility", "vous n'êtes rattaché à aucune structure : choisissez une autre visibilité");
    for (const auto& att : e.attachments) {
        const auto owner = repo::AttachmentOwner(sc, att);
        if (!owner || owner->uploaded_by != a.account_id || (owner->entry_id && *owner->entry_id != root_id))
            throw Invalid("attachments", "fichier joint inconnu (déposez-le d'abord pour ce patient)");
        repo::QueueAttach(sc, att, root_id);
    }
    repo::QueueInsertVersion(sc, {id, root_id, version, supersedes, kind, visibility, a.account_id, a.name,
                                 a.profession_label, structure, fact, now, e.body,
                                 e.vitals.empty() ? std::string() : json::serialize(e.vitals)});
    // The timeline shows the start of the text; the whole entry is behind ref_id, under the same visibility.
    std::string excerpt = e.body.substr(0, 200);
    while (!excerpt.empty() && (static_cast<unsigned char>(excerpt.back()) & 0xC0) == 0x80) excerpt.pop_back();
    if (!excerpt.empty() && static_cast<unsigned char>(excerpt.back()) >= 0xC0) excerpt.pop_back();
    patients::TimelineEvent t;
    t.at = fact;
    t.kind = "notebook";
    t.action = supersedes.empty() ? "create" : "correct";
    t.author_id = a.account_id;
    t.author_name = a.name;
    t.visibility = visibility;
    t.structure_id = structure;
    t.summary = {{"entry_kind", kind}, {"excerpt", excerpt}, {"version", version}, {"has_vitals", !e.vitals.empty()}};
    t.ref_id = id.str();
    patients::AppendEvent(sc, t);
    storage::AppendChange(sc.shared(), {"notebook_entry", id.str(), "create", "patient:" + sc.patient(),
                              json::serialize(json::object{{"visibility", visibility}, {"root_id", root_id.str()}})});
    json::array files;
    if (!e.attachments.empty())
        for (const auto& f : repo::AttachmentsOfEntry(sc, root_id))
            files.push_back({{"id", f.id.str()}, {"name", f.name}, {"mime", f.mime}, {"size", f.size}});
    const auto named = std::find(a.structures.begin(), a.structures.end(), structure);
    json::object entry{
        {"id", id.str()},
        {"root_id", root_id.str()},
        {"version", version},
        {"supersedes", supersedes.empty() ? json::value(nullptr) : json::value(supersedes.str())},
        {"kind", kind},
        {"visibility", visibility},
        {"author", {{"account_id", a.account_id}, {"name", a.name}, {"profession", a.profession_label},
                    {"structure_id", structure.empty() ? json::value(nullptr) : json::value(structure)},
                    {"structure_name", named == a.structures.end() ? json::value(nullptr)
                                                                  : json::value(a.structure_names[named - a.structures.begin()])}}},
        {"fact_at", FormatRfc3339(fact)},
        {"written_at", FormatRfc3339(now)},
        {"body", e.body},
        {"attachments", files},
        {"previous", json::array{}}};
    PutVitals(entry, sc, e.vitals, ranges);
    return {id, root_id, version, std::move(entry)};
}

}  // namespace

std::pair<int, std::string> NotebookService::Add(const auth::Principal& p, const std::string& patient_id,
                                                 const NewEntry& e, const std::string& key) {
    return records_.Write(p, patient_id, Need::kClinical, "notebook.write", [&](Scope& sc) {
        auto r = storage::OnceFor(sc.shared(), sc.actor().account_id, key, "POST /api/v1/patients/" + patient_id + "/notebook", [&] {
            const Stored st = Insert(sc, e, *e.kind, *e.visibility, EntryId(), 1, EntryId(), ranges_);
            return storage::StoredResult{201, json::serialize(st.entry)};
        });
        return std::pair<int, std::string>{r.status, r.body};
    });
}

json::object NotebookService::Correct(const auth::Principal& p, const std::string& patient_id, const EntryId& entry_id,
                                      int64_t version, const NewEntry& e) {
    return records_.Write(p, patient_id, Need::kClinical, "notebook.correct", [&](Scope& sc) {
        const auto old = IsUuid(entry_id.str()) ? repo::FindEntryHead(sc, entry_id) : std::nullopt;
        if (!old || !sc.MaySee(old->visibility, old->structure_id)) throw NotFound("Cette note n'existe pas.");
        if (old->author_id != sc.actor().account_id)
            throw Forbidden("Seul l'auteur d'une note la corrige ; ajoutez plutôt une nouvelle note.");
        auto current = [&] { return LoadEntry(sc, *repo::LatestVersionId(sc, old->root_id), ranges_); };
        if (old->version != version || old->superseded_by)
            throw Conflict("Cette note a déjà été corrigée : voici sa dernière version.", current());
        // Claim the version first: of two corrections racing on PostgreSQL, the row lock makes the second find the
        // mark already set, before it has written anything of its own.
        const EntryId id(NewUuidV7());
        if (repo::MarkSuperseded(sc, entry_id, id) != 1)
            throw Conflict("Cette note a déjà été corrigée : voici sa dernière version.", current());
        const Stored st = Insert(sc, e, e.kind.value_or(old->kind), e.visibility.value_or(old->visibility), old->root_id,
                                 old->version + 1, entry_id, ranges_, id);
        patients::SupersedeEvent(sc, entry_id.str());
        return LoadEntry(sc, st.id, ranges_);
    });
}

json::object NotebookService::List(const auth::Principal& p, const std::string& patient_id, const ListQuery& q) {
    return records_.Read(p, patient_id, Need::kClinical, "notebook.read", [&](Scope& sc) {
        const patients::Clause vis = sc.Visible("e.visibility", "e.structure_id");
        repo::EntryFilter filter{q.kind, q.author, std::nullopt, static_cast<int64_t>(q.limit + 1)};
        if (!q.cursor.empty()) {
            auto [at, id] = patients::ParseTimeCursor(q.cursor);
            filter.cursor.emplace(at, EntryId(std::move(id)));
        }
        auto rows = repo::ListLatest(sc, vis, filter);
        json::value next = nullptr;
        if (static_cast<int>(rows.size()) > q.limit) {
            rows.erase(rows.begin() + q.limit, rows.end());
            next = json::string(patients::TimeCursor(rows.back().fact_at, rows.back().id.str()));
        }
        std::vector<std::pair<EntryRow, json::object>> entries;
        for (auto& r : rows) entries.emplace_back(r, EntryJson(sc, r, ranges_));
        Complete(sc, entries, ranges_);
        json::array items;
        for (auto& [row, o] : entries) items.push_back(std::move(o));
        return json::object{{"items", items}, {"next_cursor", next}};
    }, [](Scope& sc) { patients::MarkRead(sc, sc.actor().account_id); });
}

NotebookService::NotebookService(patients::PatientRecords& records, const Config& cfg)
    : records_(records),
      blobs_(cfg.data + "/blobs"),
      quota_bytes_(cfg.upload_quota_bytes),
      ranges_(ParseUsualRanges(cfg.vital_ranges.empty() ? kDefaultVitalRanges : cfg.vital_ranges)),
      decodes_(cfg.ImageDecodes()) {}

NotebookService::~NotebookService() { Stop(); }

void NotebookService::CheckUpload(const auth::Principal& p, const std::string& patient_id) {
    records_.Read(p, patient_id, Need::kClinical, "attachment.upload.check",
                  [](Scope&) { return true; });
}

json::object NotebookService::Upload(const auth::Principal& p, const std::string& patient_id, const std::string& raw_name,
                                     const std::string& bytes) {
    const std::string name = CleanFileName(raw_name);
    const Checked c = CheckContent(bytes, name);
    const bool image = c.mime == "image/png" || c.mime == "image/jpeg";
    std::string reencoded;
    if (image) {
        const DecodeSlots::Slot slot = decodes_.Acquire();  // the pixels exist only while the slot is held
        reencoded = c.mime == "image/png" ? ReencodePng(bytes) : ReencodeJpeg(bytes);
    }
    const std::string& stored = image ? reencoded : bytes;
    const auto size = static_cast<int64_t>(stored.size());
    // Bytes first (idempotent by hash), then the record: a crash in between leaves an unreferenced file (for the
    // collector), never a record without its bytes. A transaction that fails removes the file at once.
    std::string sha;
    try {
        const BlobStore::Held held = blobs_.Put(stored);
        sha = held.sha256();
        return records_.Write(p, patient_id, Need::kClinical, "attachment.upload", [&](Scope& sc) {
            const patients::Actor& a = sc.actor();
            storage::Session& s = sc.shared();  // the account's quota: its files across patients
            // The account's quota, in the transaction that records the file: one account's uploads take turns
            // (PostgreSQL; SQLite has one writer), so that two at once cannot pass it together.
            s.LockForOrdering(static_cast<int64_t>(0x7C00000000000000LL |
                                                   (std::hash<std::string>{}(a.account_id) & 0xFFFFFFFF)));
            const int64_t used = repo::UploadedBytes(s, a.account_id);
            if (used + size > quota_bytes_) throw QuotaExceeded(used, size, quota_bytes_);
            const AttachmentId id(NewUuidV7());
            repo::QueueInsertAttachment(sc, {id, sha, name, c.mime, size, a.account_id, NowMicros()});
            return json::object{{"id", id.str()}, {"name", name}, {"mime", c.mime}, {"size", size}};
        });
    } catch (...) {
        // `held` is gone: unless another upload holds the same bytes or a row refers to them, they go too.
        if (!sha.empty()) RemoveIfUnreferenced(sha);
        throw;
    }
}

bool NotebookService::Referenced(const std::string& sha) {
    return records_.db().ReadValue([&](storage::Session& s) {
        return repo::BlobReferenced(s, sha);
    });
}

void NotebookService::RemoveIfUnreferenced(const std::string& sha) {
    try {
        blobs_.RemoveIf(sha, 0, [&] { return !Referenced(sha); });
    } catch (const std::exception& e) {
        // The request's own error matters more; the collector will find the file later.
        log::Warn("blob not removed", {{"sha256", sha}, {"error", e.what()}});
    }
}

size_t NotebookService::CollectBlobs() {
    std::lock_guard lock(collect_mutex_);
    const int64_t until = NowMicros() - std::chrono::duration_cast<std::chrono::microseconds>(kOrphanBlobAge).count();
    // Rows are never deleted (nothing clinical is), so a blob found referenced stays so: each run only looks at the
    // files that became old since the last one. (Deleting rows one day would have to remove their blobs itself.)
    const std::vector<std::string> candidates = blobs_.ModifiedBetween(collected_until_, until);
    size_t removed = 0;
    constexpr size_t kBatch = 200;
    for (size_t i = 0; i < candidates.size(); i += kBatch) {
        const std::vector<std::string> batch(candidates.begin() + static_cast<std::ptrdiff_t>(i),
                                             candidates.begin() + static_cast<std::ptrdiff_t>(std::min(candidates.size(), i + kBatch)));
        const std::set<std::string> referenced =
            records_.db().ReadValue([&](storage::Session& s) { return repo::ReferencedBlobs(s, batch); });
        for (const auto& sha : batch)
            if (!referenced.count(sha) && blobs_.RemoveIf(sha, until, [&] { return !Referenced(sha); })) ++removed;
    }
    collected_until_ = until;
    if (removed > 0) log::Info("orphan blobs removed", {{"count", static_cast<unsigned long>(removed)}});
    return removed;
}

void NotebookService::StartBlobCollector() {
    collector_ = std::thread([this] {
        for (;;) {
            try {
                CollectBlobs();
            } catch (const std::exception& e) {
                log::Error("blob collector failed", {{"error", e.what()}});
            }
            std::unique_lock lock(stop_mutex_);
            if (stop_cv_.wait_for(lock, kCollectEvery, [this] { return stop_; })) return;
        }
    });
}

void NotebookService::Stop() {
    {
        std::lock_guard lock(stop_mutex_);
        stop_ = true;
    }
    stop_cv_.notify_all();
    if (collector_.joinable()) collector_.join();
}

json::object NotebookService::VitalsHistory(const auth::Principal& p, const std::string& patient_id) {
    return records_.Read(p, patient_id, Need::kClinical, "vitals.read", [&](Scope& sc) {
        if (!sc.grant().health)
            throw Forbidden("Les constantes sont des données de santé, réservées aux professionnels de santé du cercle.");
        json::object series;
        for (const auto& sign : VitalSigns()) series[sign.key] = json::array{};
        for (const auto& r : repo::LatestVitals(sc, sc.Visible("e.visibility", "e.structure_id"), 200)) {
            for (const auto& kv : ParsedVitals(r.vitals)) {
                auto it = series.find(kv.key());
                if (it == series.end() || !kv.value().is_number()) continue;
                it->value().as_array().push_back(
                    {{"at", FormatRfc3339(r.fact_at)}, {"value", kv.value()}, {"entry_id", r.root_id.str()}});
            }
        }
        return json::object{{"series", std::move(series)}, {"ranges", RangesJson(ranges_)}};
    });
}

File NotebookService::Download(const auth::Principal& p, const std::string& patient_id, const AttachmentId& attachment_id) {
    auto found = records_.Read(p, patient_id, Need::kClinical, "attachment.read", [&](Scope& sc) {
        const auto row = IsUuid(attachment_id.str()) ? repo::FindAttachment(sc, attachment_id) : std::nullopt;
        if (!row) throw NotFound("Ce fichier n'existe pas.");
        // Before it is attached, only its uploader sees it; afterwards, whoever may read the entry's latest version.
        bool may = !row->entry_id ? row->uploaded_by == sc.actor().account_id : false;
        if (row->entry_id) {
            const auto entry = repo::LatestVisibility(sc, *row->entry_id);
            may = entry && sc.MaySee(entry->visibility, entry->structure_id);
        }
        if (!may) throw NotFound("Ce fichier n'existe pas.");
        return File{row->name, row->mime, row->sha256};
    });
    found.bytes = blobs_.Get(found.bytes);
    return found;
}

// The store's part of the notebook: the latest versions of the most recent entries the grant may read, keyed by the
// entry (its root), so that a correction replaces what the device shows.
sync::PatientCollection NotebookService::SyncCollection(int recent) const {
    sync::PatientCollection c;
    c.name = "entries";
    c.entity = "notebook_entry";
    c.need = Need::kClinical;
    c.recent = [recent, ranges = ranges_](Scope& sc) {
        const patients::Clause vis = sc.Visible("e.visibility", "e.structure_id");
        auto rows = repo::ListLatest(sc, vis, repo::EntryFilter{"", "", std::nullopt, recent});
        std::vector<std::pair<EntryRow, json::object>> entries;
        for (auto& r : rows) entries.emplace_back(r, EntryJson(sc, r, ranges));
        Complete(sc, entries, ranges);
        std::vector<sync::Item> out;
        for (auto& [row, o] : entries) out.push_back({"", row.root_id.str(), "", std::move(o), ""});
        return out;
    };
    c.changed = [ranges = ranges_](Scope& sc, const std::string& id) -> std::optional<sync::Item> {
        const auto version = repo::FindEntry(sc, EntryId(id));  // the change log names the version written
        if (!version) return std::nullopt;  // moved to another record by a merge: that record's feed sends it
        const auto latest_id = repo::LatestVersionId(sc, version->root_id);
        const auto latest = latest_id ? repo::FindEntry(sc, *latest_id) : std::nullopt;
        if (!latest || !sc.MaySee(latest->visibility, latest->structure_id.value_or("")))
            return sync::Item{"", version->root_id.str(), "", nullptr, "hidden"};
        std::vector<std::pair<EntryRow, json::object>> one;
        one.emplace_back(*latest, EntryJson(sc, *latest, ranges));
        Complete(sc, one, ranges);
        return sync::Item{"", latest->root_id.str(), "", std::move(one[0].second), ""};
    };
    return c;
}

}  // namespace cordee::notebook

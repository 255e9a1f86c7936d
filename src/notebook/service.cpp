#include "notebook/service.hpp"

#include "common/errors.hpp"
#include "notebook/image.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "patients/timeline.hpp"
#include "storage/change_log.hpp"
#include "storage/idempotency.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>

namespace cordee::notebook {
namespace {

namespace json = boost::json;
using patients::Actor;
using patients::Grant;
using patients::Need;

constexpr const char* kEntryColumns =
    "e.id, e.root_id, e.version, e.supersedes, e.kind, e.visibility, e.author_id, e.author_name, e.author_profession, "
    "e.structure_id, e.fact_at, e.written_at, e.body, e.vitals, st.name";
constexpr const char* kEntryFrom = " FROM notebook_entries e LEFT JOIN structures st ON st.id = e.structure_id ";

json::value Vitals(const std::string& text) {
    if (text.empty()) return nullptr;
    try {
        return json::parse(text);
    } catch (...) {
        return nullptr;
    }
}

json::object EntryJson(const storage::Row& r) {
    return {{"id", r.Str(0)},
            {"root_id", r.Str(1)},
            {"version", r.Int(2)},
            {"supersedes", r.IsNull(3) ? json::value(nullptr) : json::value(r.Str(3))},
            {"kind", r.Str(4)},
            {"visibility", r.Str(5)},
            {"author", {{"account_id", r.Str(6)}, {"name", r.Str(7)}, {"profession", r.Str(8)},
                        {"structure_id", r.IsNull(9) ? json::value(nullptr) : json::value(r.Str(9))},
                        {"structure_name", r.IsNull(14) ? json::value(nullptr) : json::value(r.Str(14))}}},
            {"fact_at", FormatRfc3339(r.Int(10))},
            {"written_at", FormatRfc3339(r.Int(11))},
            {"body", r.Str(12)},
            {"vitals", Vitals(r.Str(13))},
            {"attachments", json::array{}},
            {"previous", json::array{}}};
}

// Fills attachments and older versions of the latest versions listed, in two queries for the page.
void Complete(storage::Session& s, const Grant& g, std::vector<std::pair<storage::Row, json::object>>& entries) {
    if (entries.empty()) return;
    storage::Params roots;
    for (const auto& [row, o] : entries) roots.push_back(row.Str(1));
    std::map<std::string, json::array> files, previous;
    for (const auto& r : s.Query("SELECT entry_id, id, name, mime, size FROM attachments WHERE patient_id = ? AND entry_id IN " +
                                     patients::InList(roots.size()) + " ORDER BY uploaded_at, id",
                                 [&] {
                                     storage::Params p{g.patient_id};
                                     p.insert(p.end(), roots.begin(), roots.end());
                                     return p;
                                 }()))
        files[r.Str(0)].push_back({{"id", r.Str(1)}, {"name", r.Str(2)}, {"mime", r.Str(3)}, {"size", r.Int(4)}});
    for (const auto& r : s.Query(std::string("SELECT ") + kEntryColumns + kEntryFrom + "WHERE e.root_id IN " +
                                     patients::InList(roots.size()) + " AND e.superseded_by IS NOT NULL ORDER BY e.version DESC",
                                 roots)) {
        if (!patients::MaySee(g, r.Str(5), r.Str(9))) continue;
        previous[r.Str(1)].push_back({{"id", r.Str(0)}, {"version", r.Int(2)}, {"kind", r.Str(4)}, {"visibility", r.Str(5)},
                                      {"body", r.Str(12)}, {"vitals", Vitals(r.Str(13))},
                                      {"fact_at", FormatRfc3339(r.Int(10))}, {"written_at", FormatRfc3339(r.Int(11))}});
    }
    for (auto& [row, o] : entries) {
        o["attachments"] = files[row.Str(1)];
        o["previous"] = previous[row.Str(1)];
    }
}

json::object LoadEntry(storage::Session& s, const Grant& g, const std::string& id) {
    auto row = s.One(std::string("SELECT ") + kEntryColumns + kEntryFrom + "WHERE e.id = ?", {id});
    std::vector<std::pair<storage::Row, json::object>> one{{*row, EntryJson(*row)}};
    Complete(s, g, one);
    return one[0].second;
}

struct Stored {
    std::string id, root;
    int64_t version;
    json::object entry;  // as the list shows it (without older versions)
};

// Inserts one version (new entry or correction), links its attachments, indexes it in the timeline.
Stored Insert(storage::Session& s, const Actor& a, const Grant& g, const NewEntry& e, const std::string& kind,
              const std::string& visibility, const std::string& root, int64_t version, const std::string& supersedes,
              const std::string& new_id = NewUuidV7()) {
    const std::string& id = new_id;
    const std::string root_id = root.empty() ? id : root;
    const int64_t now = NowMicros();
    const int64_t fact = e.fact_at ? e.fact_at : now;
    std::string structure = e.structure_id;
    if (structure.empty() && !a.structures.empty()) structure = a.structures.front();
    if (!structure.empty() && std::find(a.structures.begin(), a.structures.end(), structure) == a.structures.end())
        throw Invalid("structure_id", "vous n'appartenez pas à cette structure");
    if (visibility == "structure" && structure.empty())
        throw Invalid("visibility", "vous n'êtes rattaché à aucune structure : choisissez une autre visibilité");
    for (const auto& att : e.attachments) {
        auto row = s.One("SELECT uploaded_by, entry_id FROM attachments WHERE id = ? AND patient_id = ?", {att, g.patient_id});
        if (!row || row->Str(0) != a.account_id || (!row->IsNull(1) && row->Str(1) != root_id))
            throw Invalid("attachments", "fichier joint inconnu (déposez-le d'abord pour ce patient)");
        s.Queue("UPDATE attachments SET entry_id = ? WHERE id = ?", {root_id, att});
    }
    s.Queue("INSERT INTO notebook_entries (id, patient_id, root_id, version, supersedes, kind, visibility, author_id, "
            "author_name, author_profession, structure_id, fact_at, written_at, body, vitals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?)",
            {id, g.patient_id, root_id, version, supersedes.empty() ? storage::Value{} : storage::Value{supersedes}, kind,
             visibility, a.account_id, a.name, a.profession_label,
             structure.empty() ? storage::Value{} : storage::Value{structure}, fact, now, e.body,
             e.vitals.empty() ? storage::Value{} : storage::Value{json::serialize(e.vitals)}});
    // The timeline shows the start of the text; the whole entry is behind ref_id, under the same visibility.
    std::string excerpt = e.body.substr(0, 200);
    while (!excerpt.empty() && (static_cast<unsigned char>(excerpt.back()) & 0xC0) == 0x80) excerpt.pop_back();
    if (!excerpt.empty() && static_cast<unsigned char>(excerpt.back()) >= 0xC0) excerpt.pop_back();
    patients::TimelineEvent t;
    t.patient_id = g.patient_id;
    t.at = fact;
    t.kind = "notebook";
    t.action = supersedes.empty() ? "create" : "correct";
    t.author_id = a.account_id;
    t.author_name = a.name;
    t.visibility = visibility;
    t.structure_id = structure;
    t.summary = {{"entry_kind", kind}, {"excerpt", excerpt}, {"version", version}, {"has_vitals", !e.vitals.empty()}};
    t.ref_id = id;
    patients::AppendEvent(s, t);
    storage::AppendChange(s, {"notebook_entry", id, "create", "patient:" + g.patient_id,
                              json::serialize(json::object{{"visibility", visibility}, {"root_id", root_id}})});
    json::array files;
    if (!e.attachments.empty())
        for (const auto& r : s.Query("SELECT id, name, mime, size FROM attachments WHERE entry_id = ? ORDER BY uploaded_at, id",
                                     {root_id}))
            files.push_back({{"id", r.Str(0)}, {"name", r.Str(1)}, {"mime", r.Str(2)}, {"size", r.Int(3)}});
    const auto named = std::find(a.structures.begin(), a.structures.end(), structure);
    json::object entry{
        {"id", id},
        {"root_id", root_id},
        {"version", version},
        {"supersedes", supersedes.empty() ? json::value(nullptr) : json::value(supersedes)},
        {"kind", kind},
        {"visibility", visibility},
        {"author", {{"account_id", a.account_id}, {"name", a.name}, {"profession", a.profession_label},
                    {"structure_id", structure.empty() ? json::value(nullptr) : json::value(structure)},
                    {"structure_name", named == a.structures.end() ? json::value(nullptr)
                                                                  : json::value(a.structure_names[named - a.structures.begin()])}}},
        {"fact_at", FormatRfc3339(fact)},
        {"written_at", FormatRfc3339(now)},
        {"body", e.body},
        {"vitals", e.vitals.empty() ? json::value(nullptr) : json::value(e.vitals)},
        {"attachments", files},
        {"previous", json::array{}}};
    return {id, root_id, version, std::move(entry)};
}

}  // namespace

std::pair<int, std::string> NotebookService::Add(const auth::Principal& p, const std::string& patient_id,
                                                 const NewEntry& e, const std::string& key) {
    return records_.Write(p, patient_id, Need::kClinical, "notebook.write", [&](storage::Session& s, const Actor& a,
                                                                                const Grant& g) {
        auto r = storage::OnceFor(s, a.account_id, key, "POST /api/v1/patients/" + patient_id + "/notebook", [&] {
            const Stored st = Insert(s, a, g, e, *e.kind, *e.visibility, "", 1, "");
            return storage::StoredResult{201, json::serialize(st.entry)};
        });
        return std::pair<int, std::string>{r.status, r.body};
    });
}

json::object NotebookService::Correct(const auth::Principal& p, const std::string& patient_id, const std::string& entry_id,
                                      int64_t version, const NewEntry& e) {
    return records_.Write(p, patient_id, Need::kClinical, "notebook.correct", [&](storage::Session& s, const Actor& a,
                                                                                  const Grant& g) {
        auto old = IsUuid(entry_id) ? s.One("SELECT root_id, version, kind, visibility, author_id, superseded_by, structure_id "
                                            "FROM notebook_entries WHERE id = ? AND patient_id = ?",
                                            {entry_id, g.patient_id})
                                    : std::nullopt;
        if (!old || !patients::MaySee(g, old->Str(3), old->Str(6))) throw NotFound("Cette note n'existe pas.");
        if (old->Str(4) != a.account_id)
            throw Forbidden("Seul l'auteur d'une note la corrige ; ajoutez plutôt une nouvelle note.");
        auto current = [&] {
            auto latest = s.One("SELECT id FROM notebook_entries WHERE root_id = ? AND superseded_by IS NULL", {old->Str(0)});
            return LoadEntry(s, g, latest->Str(0));
        };
        if (old->Int(1) != version || !old->IsNull(5))
            throw Conflict("Cette note a déjà été corrigée : voici sa dernière version.", current());
        // Claim the version first: of two corrections racing on PostgreSQL, the row lock makes the second find the
        // mark already set, before it has written anything of its own.
        const std::string id = NewUuidV7();
        if (s.Exec("UPDATE notebook_entries SET superseded_by = ? WHERE id = ? AND superseded_by IS NULL", {id, entry_id}) != 1)
            throw Conflict("Cette note a déjà été corrigée : voici sa dernière version.", current());
        const Stored st = Insert(s, a, g, e, e.kind.value_or(old->Str(2)), e.visibility.value_or(old->Str(3)), old->Str(0),
                                 old->Int(1) + 1, entry_id, id);
        patients::SupersedeEvent(s, g.patient_id, entry_id);
        return LoadEntry(s, g, st.id);
    });
}

json::object NotebookService::List(const auth::Principal& p, const std::string& patient_id, const ListQuery& q) {
    return records_.Read(p, patient_id, Need::kClinical, "notebook.read", [&](storage::Session& s, const Actor&,
                                                                              const Grant& g) {
        const patients::Clause vis = patients::VisibleTo(g, "e.visibility", "e.structure_id");
        std::string sql = std::string("SELECT ") + kEntryColumns + kEntryFrom +
                          "WHERE e.patient_id = ? AND e.superseded_by IS NULL AND " + vis.sql;
        storage::Params params{g.patient_id};
        params.insert(params.end(), vis.params.begin(), vis.params.end());
        if (!q.kind.empty()) {
            sql += " AND e.kind = ?";
            params.push_back(q.kind);
        }
        if (!q.author.empty()) {
            sql += " AND e.author_id = ?";
            params.push_back(q.author);
        }
        if (!q.cursor.empty()) {
            const auto [at, id] = patients::ParseTimeCursor(q.cursor);
            sql += " AND (e.fact_at < ? OR (e.fact_at = ? AND e.id < ?))";
            params.insert(params.end(), {at, at, id});
        }
        sql += " ORDER BY e.fact_at DESC, e.id DESC LIMIT ?";
        params.push_back(static_cast<int64_t>(q.limit + 1));
        auto rows = s.Query(sql, params);
        json::value next = nullptr;
        if (static_cast<int>(rows.size()) > q.limit) {
            rows.erase(rows.begin() + q.limit, rows.end());
            next = json::string(patients::TimeCursor(rows.back().Int(10), rows.back().Str(0)));
        }
        std::vector<std::pair<storage::Row, json::object>> entries;
        for (auto& r : rows) entries.emplace_back(r, EntryJson(r));
        Complete(s, g, entries);
        json::array items;
        for (auto& [row, o] : entries) items.push_back(std::move(o));
        return json::object{{"items", items}, {"next_cursor", next}};
    }, [](storage::Session& s, const Actor& a, const Grant& g) { patients::MarkRead(s, a.account_id, g.patient_id); });
}

json::object NotebookService::Upload(const auth::Principal& p, const std::string& patient_id, const std::string& raw_name,
                                     const std::string& bytes) {
    const std::string name = CleanFileName(raw_name);
    const Checked c = CheckContent(bytes, name);
    const std::string stored = c.mime == "image/png" ? ReencodePng(bytes) : c.mime == "image/jpeg" ? ReencodeJpeg(bytes) : bytes;
    // Bytes first (idempotent by hash), then the record: a crash in between leaves an unreferenced file, never a
    // record without its bytes.
    const std::string sha = blobs_.Put(stored);
    return records_.Write(p, patient_id, Need::kClinical, "attachment.upload", [&](storage::Session& s, const Actor& a,
                                                                                   const Grant& g) {
        const std::string id = NewUuidV7();
        s.Queue("INSERT INTO attachments (id, patient_id, sha256, name, mime, size, uploaded_by, uploaded_at) VALUES (?, ?, "
                "?, ?, ?, ?, ?, ?)",
                {id, g.patient_id, sha, name, c.mime, static_cast<int64_t>(stored.size()), a.account_id, NowMicros()});
        return json::object{{"id", id}, {"name", name}, {"mime", c.mime}, {"size", static_cast<int64_t>(stored.size())}};
    });
}

File NotebookService::Download(const auth::Principal& p, const std::string& patient_id, const std::string& attachment_id) {
    auto found = records_.Read(p, patient_id, Need::kClinical, "attachment.read", [&](storage::Session& s, const Actor& a,
                                                                                      const Grant& g) {
        auto row = IsUuid(attachment_id) ? s.One("SELECT sha256, name, mime, uploaded_by, entry_id FROM attachments WHERE "
                                                 "id = ? AND patient_id = ?",
                                                 {attachment_id, g.patient_id})
                                         : std::nullopt;
        if (!row) throw NotFound("Ce fichier n'existe pas.");
        // Before it is attached, only its uploader sees it; afterwards, whoever may read the entry's latest version.
        bool may = row->IsNull(4) ? row->Str(3) == a.account_id : false;
        if (!row->IsNull(4)) {
            auto entry = s.One("SELECT visibility, structure_id FROM notebook_entries WHERE root_id = ? AND superseded_by IS NULL",
                               {row->Str(4)});
            may = entry && patients::MaySee(g, entry->Str(0), entry->Str(1));
        }
        if (!may) throw NotFound("Ce fichier n'existe pas.");
        return File{row->Str(1), row->Str(2), row->Str(0)};
    });
    found.bytes = blobs_.Get(found.bytes);
    return found;
}

}  // namespace cordee::notebook

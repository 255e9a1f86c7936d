#include "notebook/repository.hpp"

namespace cordee::notebook::repo {
namespace {

constexpr const char* kEntryColumns =
    "e.id, e.root_id, e.version, e.supersedes, e.kind, e.visibility, e.author_id, e.author_name, e.author_profession, "
    "e.structure_id, e.fact_at, e.written_at, e.body, e.vitals, st.name";
constexpr const char* kEntryFrom = " FROM notebook_entries e LEFT JOIN structures st ON st.id = e.structure_id ";

EntryRow DecodeEntry(const storage::Row& r) {
    EntryRow e;
    e.id = EntryId(r.Str(0));
    e.root_id = EntryId(r.Str(1));
    e.version = r.Int(2);
    e.supersedes = OptionalId<EntryId>(r.OptStr(3));
    e.kind = r.Str(4);
    e.visibility = r.Str(5);
    e.author_id = r.Str(6);
    e.author_name = r.Str(7);
    e.author_profession = r.Str(8);
    e.structure_id = r.OptStr(9);
    e.fact_at = r.Int(10);
    e.written_at = r.Int(11);
    e.body = r.Str(12);
    e.vitals = r.Str(13);
    e.structure_name = r.OptStr(14);
    return e;
}

std::vector<EntryRow> DecodeEntries(const storage::Rows& rows) {
    std::vector<EntryRow> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(DecodeEntry(r));
    return out;
}

storage::Value OrNull(const std::string& v) { return v.empty() ? storage::Value{} : storage::Value{v}; }

storage::Params IdParams(const std::vector<EntryId>& ids) {
    storage::Params out;
    out.reserve(ids.size());
    for (const auto& id : ids) out.emplace_back(id.str());
    return out;
}

}  // namespace

std::optional<EntryRow> FindEntry(patients::Scope& sc, const EntryId& id) {
    auto row = sc.One(std::string("SELECT ") + kEntryColumns + kEntryFrom + "WHERE e.id = ? AND e.patient_id = {patient}", {id.str()});
    if (!row) return std::nullopt;
    return DecodeEntry(*row);
}

std::vector<EntryRow> ListLatest(patients::Scope& sc, const patients::Clause& visible, const EntryFilter& f) {
    std::string sql = std::string("SELECT ") + kEntryColumns + kEntryFrom +
                      "WHERE e.patient_id = {patient} AND e.superseded_by IS NULL AND " + visible.sql;
    storage::Params params;
    params.insert(params.end(), visible.params.begin(), visible.params.end());
    if (!f.kind.empty()) {
        sql += " AND e.kind = ?";
        params.push_back(f.kind);
    }
    if (!f.author.empty()) {
        sql += " AND e.author_id = ?";
        params.push_back(f.author);
    }
    if (f.cursor) {
        const auto& [at, id] = *f.cursor;
        sql += " AND (e.fact_at < ? OR (e.fact_at = ? AND e.id < ?))";
        params.insert(params.end(), {at, at, id.str()});
    }
    sql += " ORDER BY e.fact_at DESC, e.id DESC LIMIT ?";
    params.push_back(f.limit);
    return DecodeEntries(sc.Query(sql, params));
}

std::vector<EntryRow> OlderVersions(patients::Scope& sc, const std::vector<EntryId>& roots) {
    return DecodeEntries(sc.Query(std::string("SELECT ") + kEntryColumns + kEntryFrom + "WHERE e.root_id IN " +
                                     patients::InList(roots.size()) +
                                     " AND e.patient_id = {patient} AND e.superseded_by IS NOT NULL ORDER BY e.version DESC",
                                 IdParams(roots)));
}

std::optional<EntryHeadRow> FindEntryHead(patients::Scope& sc, const EntryId& id) {
    auto row = sc.One("SELECT root_id, version, kind, visibility, author_id, superseded_by, structure_id "
                      "FROM notebook_entries WHERE id = ? AND patient_id = {patient}",
                      {id.str()});
    if (!row) return std::nullopt;
    return EntryHeadRow{EntryId(row->Str(0)), row->Int(1), row->Str(2), row->Str(3), row->Str(4), row->OptStr(5), row->Str(6)};
}

std::optional<EntryId> LatestVersionId(patients::Scope& sc, const EntryId& root_id) {
    auto row = sc.One("SELECT id FROM notebook_entries WHERE root_id = ? AND patient_id = {patient} AND superseded_by IS NULL",
                      {root_id.str()});
    if (!row) return std::nullopt;
    return EntryId(row->Str(0));
}

std::optional<EntryVisibilityRow> LatestVisibility(patients::Scope& sc, const EntryId& root_id) {
    auto row = sc.One("SELECT visibility, structure_id FROM notebook_entries WHERE root_id = ? AND patient_id = {patient} "
                      "AND superseded_by IS NULL",
                      {root_id.str()});
    if (!row) return std::nullopt;
    return EntryVisibilityRow{row->Str(0), row->Str(1)};
}

void QueueInsertVersion(patients::Scope& sc, const NewVersion& v) {
    sc.Queue("INSERT INTO notebook_entries (id, patient_id, root_id, version, supersedes, kind, visibility, author_id, "
            "author_name, author_profession, structure_id, fact_at, written_at, body, vitals) VALUES (?, {patient}, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {v.id.str(), v.root_id.str(), v.version, OrNull(v.supersedes.str()), v.kind, v.visibility, v.author_id,
             v.author_name, v.author_profession, OrNull(v.structure_id), v.fact_at, v.written_at, v.body,
             OrNull(v.vitals)});
}

std::vector<VitalsRow> LatestVitals(patients::Scope& sc, const patients::Clause& visible, int64_t limit) {
    storage::Params params(visible.params.begin(), visible.params.end());
    params.push_back(limit);
    std::vector<VitalsRow> out;
    for (const auto& r : sc.Query("SELECT e.root_id, e.fact_at, e.vitals FROM notebook_entries e WHERE e.patient_id = {patient} "
                                  "AND e.superseded_by IS NULL AND e.vitals IS NOT NULL AND " + visible.sql +
                                  " ORDER BY e.fact_at DESC, e.id DESC LIMIT ?",
                                  params))
        out.push_back({EntryId(r.Str(0)), r.Int(1), r.Str(2)});
    return out;
}

int64_t MarkSuperseded(patients::Scope& sc, const EntryId& id, const EntryId& by) {
    return sc.Exec("UPDATE notebook_entries SET superseded_by = ? WHERE id = ? AND patient_id = {patient} AND superseded_by IS NULL",
                   {by.str(), id.str()});
}

std::vector<AttachmentRow> AttachmentsOfEntries(patients::Scope& sc, const std::vector<EntryId>& roots) {
    const storage::Params params = IdParams(roots);
    std::vector<AttachmentRow> out;
    for (const auto& r : sc.Query("SELECT entry_id, id, name, mime, size FROM attachments WHERE patient_id = {patient} AND entry_id IN " +
                                     patients::InList(roots.size()) + " ORDER BY uploaded_at, id",
                                 params))
        out.push_back({EntryId(r.Str(0)), AttachmentId(r.Str(1)), r.Str(2), r.Str(3), r.Int(4)});
    return out;
}

std::vector<AttachmentRow> AttachmentsOfEntry(patients::Scope& sc, const EntryId& root_id) {
    std::vector<AttachmentRow> out;
    for (const auto& r : sc.Query("SELECT id, name, mime, size FROM attachments WHERE entry_id = ? AND patient_id = {patient} "
                                  "ORDER BY uploaded_at, id",
                                 {root_id.str()}))
        out.push_back({root_id, AttachmentId(r.Str(0)), r.Str(1), r.Str(2), r.Int(3)});
    return out;
}

std::optional<AttachmentOwnerRow> AttachmentOwner(patients::Scope& sc, const AttachmentId& id) {
    auto row = sc.One("SELECT uploaded_by, entry_id FROM attachments WHERE id = ? AND patient_id = {patient}", {id.str()});
    if (!row) return std::nullopt;
    return AttachmentOwnerRow{row->Str(0), OptionalId<EntryId>(row->OptStr(1))};
}

void QueueAttach(patients::Scope& sc, const AttachmentId& id, const EntryId& root_id) {
    sc.Queue("UPDATE attachments SET entry_id = ? WHERE id = ? AND patient_id = {patient}", {root_id.str(), id.str()});
}

std::optional<StoredFileRow> FindAttachment(patients::Scope& sc, const AttachmentId& id) {
    auto row = sc.One("SELECT sha256, name, mime, uploaded_by, entry_id FROM attachments WHERE "
                      "id = ? AND patient_id = {patient}",
                      {id.str()});
    if (!row) return std::nullopt;
    return StoredFileRow{row->Str(0), row->Str(1), row->Str(2), row->Str(3), OptionalId<EntryId>(row->OptStr(4))};
}

int64_t UploadedBytes(storage::Session& s, const std::string& account_id) {
    return s.One("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM attachments WHERE uploaded_by = ?", {account_id})
        ->Int(0);
}

void QueueInsertAttachment(patients::Scope& sc, const NewAttachment& a) {
    sc.Queue("INSERT INTO attachments (id, patient_id, sha256, name, mime, size, uploaded_by, uploaded_at) VALUES (?, "
            "{patient}, ?, ?, ?, ?, ?, ?)",
            {a.id.str(), a.sha256, a.name, a.mime, a.size, a.uploaded_by, a.uploaded_at});
}

bool BlobReferenced(storage::Session& s, const std::string& sha256) {
    return s.One("SELECT 1 FROM attachments WHERE sha256 = ? LIMIT 1", {sha256}).has_value();
}

std::set<std::string> ReferencedBlobs(storage::Session& s, const std::vector<std::string>& sha256s) {
    std::set<std::string> found;
    for (const auto& r : s.Query("SELECT DISTINCT sha256 FROM attachments WHERE sha256 IN " +
                                     patients::InList(sha256s.size()),
                                 storage::Params(sha256s.begin(), sha256s.end())))
        found.insert(r.Str(0));
    return found;
}

}  // namespace cordee::notebook::repo

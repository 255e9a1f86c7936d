#include "directory/import.hpp"

#include "common/crypto.hpp"
#include "common/ids.hpp"
#include "common/time.hpp"
#include "directory/finess_file.hpp"
#include "directory/geo.hpp"
#include "directory/import_repository.hpp"
#include "directory/line_reader.hpp"
#include "directory/progress.hpp"
#include "directory/rpps_file.hpp"
#include "directory/staging_writer.hpp"
#include "storage/change_log.hpp"

#include <initializer_list>
#include <unordered_set>

namespace cordee::directory {
namespace {

using import_repo::StagingTable;

constexpr int kRejectionsShown = 100;

// Rejected lines on stderr, by number: the first 100, then how many more.
class Rejections {
public:
    explicit Rejections(std::ostream& err) : err_(err) {}
    void Add(int64_t line, const std::string& why) {
        if (++count_ <= kRejectionsShown) err_ << "ligne " << line << " : " << why << "\n";
    }
    void Add(int64_t line, const LineError& e, const LineReader& reader) {
        Add(line, e.reason + (e.incomplete && reader.last_line_unterminated() ? ", fichier tronqué ?" : ""));
    }
    int64_t count() const { return count_; }
    void Close() {
        if (count_ > kRejectionsShown) err_ << "… et " << (count_ - kRejectionsShown) << " autres lignes rejetées.\n";
    }

private:
    std::ostream& err_;
    int64_t count_ = 0;
};

// The first line of the file (its header), or why the file cannot be used.
std::string ReadHeader(LineReader& reader, const std::string& path, const char* entries) {
    if (!reader.ok()) throw UnusableFile("Impossible d'ouvrir " + path + ".");
    std::string first;
    if (reader.size() == 0 || !reader.Next(first))
        throw UnusableFile(std::string("Le fichier est vide : aucun ") + entries + " à importer.");
    return first;
}

void ClearStaging(storage::Database& db, std::initializer_list<const StagingTable*> tables) {
    db.Write([&](storage::Session& s) {
        for (const auto* t : tables) import_repo::ClearStaging(s, *t);
    });
}

void IndexStaging(storage::Database& db, std::initializer_list<const StagingTable*> tables) {
    db.Write([&](storage::Session& s) {
        for (const auto* t : tables) import_repo::IndexStaging(s, *t);
    });
}

// The end of every merge: sites linked to their structures, staging emptied, and one change-log entry that tells
// the servers to rebuild their search index.
void FinishMerge(storage::Session& s, const char* kind, std::initializer_list<const StagingTable*> staging,
                 const ImportSummary& sum) {
    import_repo::LinkActivities(s);
    for (const auto* t : staging) import_repo::EmptyStaging(s, *t);
    storage::AppendChange(s, {"directory", kind, "import", "directory",
                              "{\"created\":" + std::to_string(sum.created) + ",\"updated\":" +
                                  std::to_string(sum.updated) + "}"});
}

// ---- Ids of imported entries: derived from the national identifier (the same on every import and every node), in
// the order of the file for professionals and their sites, so that bulk inserts append to indexes.

// RPPS and ADELI numbers are digits: RPPS ones sort after ADELI ones.
uint64_t OrderKey(const RppsLine& l) {
    uint64_t k = l.rpps() ? 1 : 0;
    for (char c : l.pp) k = k * 10 + static_cast<uint64_t>(c - '0');
    return k;
}
std::string ProfessionalIdOf(const RppsLine& l) { return OrderedNameUuid(OrderKey(l), "pp:" + l.pp); }
std::string ActivityIdOf(const RppsLine& l, const std::string& line) {
    return OrderedNameUuid(OrderKey(l), "activity:" + l.pp + "\n" + line);
}
std::string StructureIdOf(const std::string& finess) { return NameBasedUuid("finess:" + finess); }

// ---- RPPS ---------------------------------------------------------------------------------------------------------

// Lines of one professional follow each other: they are gathered here, and the professional is staged once, from
// their first line, with a hash of all their lines (a re-import rewrites only the professionals whose lines changed).
class ProfessionalGroups {
public:
    explicit ProfessionalGroups(StagingWriter& out) : out_(out) {}
    // `line` belongs to professional `id`: a new group starts when the id changes. False when this exact line is
    // already in the group.
    bool Add(int64_t number, const std::string& line, const std::string& id, const RppsLine& l) {
        if (id != id_) {
            Finish();
            id_ = id;
            group_ = number;
            lines_.clear();
            row_ = import_repo::StagedProfessional(number, id, l, {});
        }
        if (!lines_.insert(line).second) return false;
        hash_input_ += line;
        hash_input_ += '\n';
        return true;
    }
    int64_t group() const { return group_; }  // the line where the current professional's lines start
    void Finish() {
        if (id_.empty()) return;
        row_.back() = crypto::Sha256Hex(hash_input_);
        out_.Add(std::move(row_));
        row_.clear();
        id_.clear();
        hash_input_.clear();
    }

private:
    StagingWriter& out_;
    std::string id_, hash_input_;
    int64_t group_ = 0;
    storage::Params row_;
    std::unordered_set<std::string> lines_;  // this professional's lines: an exact repeat is refused
};

// Parses every line and streams it into the staging tables; rejected lines are reported as they come.
void StageRpps(storage::Database& db, LineReader& reader, const RppsColumns& columns, std::ostream& err,
               ImportSummary& sum) {
    ClearStaging(db, {&import_repo::kRppsActivities, &import_repo::kRppsProfessionals});
    BackgroundWriter writer;
    StagingWriter pros(db, writer, import_repo::kRppsProfessionals);
    StagingWriter acts(db, writer, import_repo::kRppsActivities);
    ProfessionalGroups groups(pros);
    Rejections rejected(err);
    Progress progress("rpps", reader.size());
    std::vector<std::string_view> fields;
    std::string line, previous_line;
    while (reader.Next(line)) {
        const int64_t n = reader.line_number();
        progress.Update(reader.position(), n);
        if (line.empty()) continue;
        ++sum.read;
        auto parsed = ParseRppsLine(columns, line, fields);
        if (const auto* e = std::get_if<LineError>(&parsed)) {
            rejected.Add(n, *e, reader);
            continue;
        }
        if (line == previous_line) {
            rejected.Add(n, "ligne en double");
            continue;
        }
        previous_line = line;
        RppsLine& l = std::get<RppsLine>(parsed);
        const std::string pro_id = ProfessionalIdOf(l);
        if (!groups.Add(n, line, pro_id, l)) {
            rejected.Add(n, "ligne en double (déjà présente pour ce professionnel)");
            continue;
        }
        std::string activity_id = ActivityIdOf(l, line);
        acts.Add(import_repo::StagedActivity(n, groups.group(), std::move(activity_id), pro_id, std::move(l)));
    }
    groups.Finish();
    pros.Flush();
    acts.Flush();
    writer.Wait();
    IndexStaging(db, {&import_repo::kRppsProfessionals, &import_repo::kRppsActivities});
    progress.Done(reader.line_number());
    rejected.Close();
    sum.rejected = rejected.count();
}

// An identifier found again after other professionals' lines: the later lines are refused (the file gives each
// professional's lines together; a second group is another person or an error).
void RefuseScatteredProfessionals(storage::Database& db, std::ostream& err, ImportSummary& sum) {
    const auto scattered = db.ReadValue([](storage::Session& s) { return import_repo::ScatteredGroups(s); });
    if (scattered.empty()) return;
    Rejections later(err);
    for (const auto& g : scattered) {
        later.Add(g.group, "identifiant PP " + g.national_id + " déjà vu ligne " + std::to_string(g.first_group) +
                               " (ses lignes doivent se suivre) : lignes refusées");
    }
    db.Write([&](storage::Session& s) {
        for (const auto& g : scattered) sum.rejected += import_repo::DropStagedGroup(s, g.group);
    });
    later.Close();
}

// The staged professionals replace the live ones in one transaction.
void MergeRpps(storage::Database& db, ImportSummary& sum) {
    const int64_t now = NowMicros();
    db.Write([&](storage::Session& s) {
        import_repo::PrepareMerge(s);
        // Local entries the file now describes keep their row (accounts and care circles point at it).
        if (import_repo::PointStagedAtLocalEntries(s) > 0) {
            import_repo::PointStagedActivitiesAtLocalEntries(s);
            sum.adopted = import_repo::MarkAdopted(s);
        }
        // A first import (no national entry yet, no activity at all) skips what only a re-import needs, and loads
        // the activities without their secondary index, built once at the end (bulk loads write far less so).
        const bool had_rpps = import_repo::HasNationalProfessionals(s);
        const bool no_activities = !import_repo::HasActivities(s);
        import_repo::DeleteChangedActivities(s);
        sum.updated = import_repo::UpdateChangedProfessionals(s, now);
        sum.created = import_repo::InsertNewProfessionals(s, now);
        if (had_rpps) sum.deactivated = import_repo::DeactivateMissingProfessionals(s, now);
        // PostgreSQL checks a foreign key row by row (a trigger per inserted row: 2 M lookups, 8 of the merge's 21 s);
        // added back after the bulk insert, it is checked in one pass. Only on a first load: the table is empty,
        // nobody reads it yet, and the whole is one transaction (a failure leaves the constraint as it was).
        const bool bulk_fk = no_activities && s.dialect() == storage::Dialect::kPostgres;
        if (no_activities) import_repo::DropActivitiesProfessionalIndex(s);
        if (bulk_fk) import_repo::DropActivitiesForeignKey(s);
        import_repo::InsertNewActivities(s);
        if (no_activities) import_repo::CreateActivitiesProfessionalIndex(s);
        if (bulk_fk) import_repo::AddActivitiesForeignKey(s);
        FinishMerge(s, "rpps", {&import_repo::kRppsActivities, &import_repo::kRppsProfessionals}, sum);
    });
}

// ---- FINESS -------------------------------------------------------------------------------------------------------

void StageFiness(storage::Database& db, LineReader& reader, std::ostream& err, ImportSummary& sum) {
    ClearStaging(db, {&import_repo::kFinessStructures, &import_repo::kFinessPositions});
    BackgroundWriter writer;
    StagingWriter structures(db, writer, import_repo::kFinessStructures);
    StagingWriter positions(db, writer, import_repo::kFinessPositions);
    GeoConverter converter;
    Rejections rejected(err);
    Progress progress("finess", reader.size());
    // Identifiers seen in this file: bounded by the number of structures (~100,000), not by its size.
    std::unordered_set<std::string> seen;
    std::vector<std::string_view> fields;
    std::string line, kind;
    while (reader.Next(line)) {
        const int64_t n = reader.line_number();
        progress.Update(reader.position(), n);
        if (line.empty()) continue;
        switch (KindOfFinessLine(line, kind)) {
        case FinessLineKind::kStructure: {
            ++sum.read;
            auto parsed = ParseFinessStructure(line, fields);
            if (const auto* e = std::get_if<LineError>(&parsed)) {
                rejected.Add(n, *e, reader);
                break;
            }
            auto& st = std::get<FinessStructure>(parsed);
            if (!seen.insert(st.finess).second) {
                rejected.Add(n, "numéro FINESS en double (" + st.finess + ")");
                break;
            }
            std::string id = StructureIdOf(st.finess);
            structures.Add(import_repo::StagedStructure(n, std::move(id), std::move(st), crypto::Sha256Hex(line)));
            break;
        }
        case FinessLineKind::kPosition: {
            auto parsed = ParseFinessPosition(line, fields);
            if (const auto* e = std::get_if<LineError>(&parsed)) {
                rejected.Add(n, *e, reader);
                break;
            }
            auto& p = std::get<FinessPosition>(parsed);
            const auto ll = converter.ToWgs84(p.system, p.x, p.y);
            if (!ll) {
                rejected.Add(n, "coordonnées hors de France ou système inconnu (" + p.system.substr(0, 30) + ")");
                break;
            }
            positions.Add(import_repo::StagedPosition(std::move(p.finess), ll->first, ll->second));
            break;
        }
        case FinessLineKind::kOther:
            if (n > 1) rejected.Add(n, "type de ligne inconnu (« " + kind.substr(0, 30) + " »)");
            break;
        }
    }
    structures.Flush();
    positions.Flush();
    writer.Wait();
    IndexStaging(db, {&import_repo::kFinessStructures, &import_repo::kFinessPositions});
    progress.Done(reader.line_number());
    rejected.Close();
    sum.rejected = rejected.count();
}

void MergeFiness(storage::Database& db, ImportSummary& sum) {
    const int64_t now = NowMicros();
    db.Write([&](storage::Session& s) {
        import_repo::PrepareMerge(s);
        sum.updated = import_repo::UpdateChangedStructures(s, now);
        sum.created = import_repo::InsertNewStructures(s, now);
        sum.deactivated = import_repo::DeactivateMissingStructures(s, now);
        import_repo::ApplyPositions(s);
        FinishMerge(s, "finess", {&import_repo::kFinessStructures, &import_repo::kFinessPositions}, sum);
    });
}

}  // namespace

ImportSummary ImportRpps(storage::Database& db, const std::string& path, std::ostream& err) {
    LineReader reader(path);
    const RppsColumns columns = RppsColumns::FromHeader(ReadHeader(reader, path, "professionnel"));
    ImportSummary sum;
    StageRpps(db, reader, columns, err, sum);
    RefuseScatteredProfessionals(db, err, sum);
    err << "rpps: application des changements…\n";
    MergeRpps(db, sum);
    if (sum.adopted > 0)
        err << "rpps: " << sum.adopted << " professionnel(s) saisi(s) localement désormais décrit(s) par le fichier national "
            << "(même identifiant, fiche conservée)\n";
    return sum;
}

ImportSummary ImportFiness(storage::Database& db, const std::string& path, std::ostream& err) {
    LineReader reader(path);
    CheckFinessHeader(ReadHeader(reader, path, "établissement"));
    ImportSummary sum;
    StageFiness(db, reader, err, sum);
    err << "finess: application des changements…\n";
    MergeFiness(db, sum);
    return sum;
}

}  // namespace cordee::directory

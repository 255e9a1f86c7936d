#include "directory/import.hpp"

#include "common/crypto.hpp"
#include "common/errors.hpp"
#include "common/ids.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "directory/geo.hpp"
#include "directory/line_reader.hpp"
#include "directory/progress.hpp"
#include "storage/change_log.hpp"

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>
#include <map>
#include <unordered_set>

namespace cordee::directory {
namespace {

constexpr size_t kRowsPerStatement = 100;   // multi-row INSERTs: far fewer statements
constexpr size_t kRowsPerTransaction = 20000;
constexpr int kRejectionsShown = 100;

Error Unusable(const std::string& why) { return Error(400, "bad-file", "Fichier inutilisable", why); }

// Writes batches on a thread of its own, so that parsing the file and writing to the database overlap
// (two cores: about twice as fast). At most two batches wait, which bounds memory.
class BackgroundWriter {
public:
    BackgroundWriter() : thread_([this] { Loop(); }) {}
    ~BackgroundWriter() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    void Submit(std::function<void()> job) {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return jobs_.size() < 2 || error_; });
        Rethrow();
        jobs_.push_back(std::move(job));
        cv_.notify_all();
    }
    // Waits until every batch is written; throws the first write error.
    void Wait() {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return (jobs_.empty() && !busy_) || error_; });
        Rethrow();
    }

private:
    void Rethrow() {
        if (error_) std::rethrow_exception(error_);
    }
    void Loop() {
        for (;;) {
            std::function<void()> job;
            {
                std::unique_lock lock(mutex_);
                cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
                if (jobs_.empty()) return;
                job = std::move(jobs_.front());
                jobs_.pop_front();
                busy_ = true;
            }
            try {
                job();
            } catch (...) {
                std::lock_guard lock(mutex_);
                if (!error_) error_ = std::current_exception();
            }
            {
                std::lock_guard lock(mutex_);
                busy_ = false;
            }
            cv_.notify_all();
        }
    }
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;
    bool stop_ = false, busy_ = false;
    std::exception_ptr error_;
    std::thread thread_;
};

// Buffers rows for one staging table and writes them in multi-row INSERTs, one transaction per batch.
class StagingWriter {
public:
    StagingWriter(storage::Database& db, BackgroundWriter& writer, std::string table, std::vector<std::string> columns)
        : db_(db), writer_(writer), table_(std::move(table)), columns_(std::move(columns)) {
    }
    void Add(storage::Params row) {
        rows_.push_back(std::move(row));
        if (rows_.size() >= kRowsPerTransaction) Flush();
    }
    void Flush() {
        if (rows_.empty()) return;
        // The SQL texts are made here, on the parsing thread; the job owns its rows.
        std::vector<std::pair<std::string, storage::Params>> statements;
        for (size_t i = 0; i < rows_.size(); i += kRowsPerStatement) {
            const size_t n = std::min(kRowsPerStatement, rows_.size() - i);
            storage::Params params;
            params.reserve(n * columns_.size());
            for (size_t r = i; r < i + n; ++r)
                for (auto& v : rows_[r]) params.push_back(std::move(v));
            statements.emplace_back(InsertSql(n), std::move(params));
        }
        rows_.clear();
        writer_.Submit([&db = db_, statements = std::move(statements)]() {
            db.Write([&](storage::Session& s) {
                for (const auto& [sql, params] : statements) s.Queue(sql, params);
            });
        });
    }

private:
    const std::string& InsertSql(size_t n) {
        auto it = sql_.find(n);
        if (it != sql_.end()) return it->second;
        std::string cols, one = "(";
        for (size_t i = 0; i < columns_.size(); ++i) {
            cols += (i ? ", " : "") + columns_[i];
            one += i ? ", ?" : "?";
        }
        one += ")";
        std::string sql = "INSERT INTO " + table_ + " (" + cols + ") VALUES ";
        for (size_t i = 0; i < n; ++i) sql += (i ? ", " : "") + one;
        return sql_[n] = sql;
    }
    storage::Database& db_;
    BackgroundWriter& writer_;
    std::string table_;
    std::vector<std::string> columns_;
    std::vector<storage::Params> rows_;
    std::map<size_t, std::string> sql_;
};

class Rejections {
public:
    explicit Rejections(std::ostream& err) : err_(err) {}
    void Add(int64_t line, const std::string& why) {
        if (++count_ <= kRejectionsShown) err_ << "ligne " << line << " : " << why << "\n";
    }
    int64_t count() const { return count_; }
    void Close() {
        if (count_ > kRejectionsShown) err_ << "… et " << (count_ - kRejectionsShown) << " autres lignes rejetées.\n";
    }

private:
    std::ostream& err_;
    int64_t count_ = 0;
};

// Column positions by header name; missing optional columns read as empty.
class Header {
public:
    Header(const std::vector<std::string_view>& names) {
        for (size_t i = 0; i < names.size(); ++i) index_[std::string(Trim(names[i]))] = i;
        count_ = names.size();
    }
    bool Has(const std::string& name) const { return index_.count(name) > 0; }
    std::string_view Get(const std::vector<std::string_view>& f, const std::string& name) const {
        auto it = index_.find(name);
        if (it == index_.end() || it->second >= f.size()) return {};
        return f[it->second];
    }
    size_t count() const { return count_; }

private:
    std::map<std::string, size_t> index_;
    size_t count_;
};

std::string Field(std::string_view v) { return Trim(v); }

std::string JoinNonEmpty(std::initializer_list<std::string> parts) {
    std::string out;
    for (const auto& p : parts)
        if (!p.empty()) out += (out.empty() ? "" : " ") + p;
    return out;
}

// INSEE commune code from FINESS's département and 3-digit commune: "51" + "230", "974" + "(4)11".
std::string InseeCode(const std::string& dep, const std::string& commune) {
    if (commune.empty()) return {};
    if (dep.size() == 3 && commune.size() == 3) return dep + commune.substr(1);
    return dep + commune;
}

bool AllDigits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// Staging tables are emptied and left without indexes while they load.
void ClearStaging(storage::Database& db, std::initializer_list<const char*> tables) {
    db.Write([&](storage::Session& s) {
        for (const char* t : tables) {
            s.ExecScript(std::string("DROP INDEX IF EXISTS ") + t + "_key");
            s.Exec(std::string("DELETE FROM ") + t);
        }
    });
}

void IndexStaging(storage::Database& db, std::initializer_list<std::pair<const char*, const char*>> table_columns) {
    db.Write([&](storage::Session& s) {
        for (const auto& [t, col] : table_columns) {
            s.ExecScript(std::string("CREATE INDEX IF NOT EXISTS ") + t + "_key ON " + t + " (" + col + ")");
            // PostgreSQL plans the merge from statistics: freshly filled staging tables have none yet (autovacuum
            // comes later), and the planner would take them for nearly empty.
            if (s.dialect() == storage::Dialect::kPostgres) s.ExecScript(std::string("ANALYZE ") + t);
        }
    });
}

// The merge joins millions of staged rows with the live tables in one transaction: on PostgreSQL, give its
// hash joins and sorts the memory to stay out of temporary files.
void PrepareMerge(storage::Session& s) {
    if (s.dialect() == storage::Dialect::kPostgres) s.ExecScript("SET LOCAL work_mem = '256MB'");
}

// A national identifier as a number that keeps the file's order (RPPS and ADELI ids are digits).
uint64_t OrderKey(const std::string& type, const std::string& digits) {
    uint64_t k = type == "8" ? 1 : 0;
    for (char c : digits) k = k * 10 + static_cast<uint64_t>(c - '0');
    return k;
}

// Links activities to the structures of their FINESS site, whichever file came first.
void LinkActivities(storage::Session& s) {
    // Only rows that find their structure are written (PostgreSQL rewrites every row an UPDATE touches).
    s.Exec("UPDATE professional_activities SET structure_id = st.id FROM structures st WHERE st.finess = "
           "professional_activities.finess_site AND professional_activities.structure_id IS NULL AND "
           "professional_activities.finess_site <> ''");
}

// The end of every merge: sites linked to their structures, staging emptied, and one change-log entry
// that tells the servers to rebuild their search index.
void FinishMerge(storage::Session& s, const char* kind, std::initializer_list<const char*> staging,
                 const ImportSummary& sum) {
    LinkActivities(s);
    for (const char* t : staging) s.Exec(std::string("DELETE FROM ") + t);
    storage::AppendChange(s, {"directory", kind, "import", "directory",
                              "{\"created\":" + std::to_string(sum.created) + ",\"updated\":" +
                                  std::to_string(sum.updated) + "}"});
}

std::string ReadFirstLine(LineReader& reader, const char* kind) {
    std::string first;
    if (reader.size() == 0 || !reader.Next(first)) throw Unusable(std::string("Le fichier est vide : aucun ") + kind + " à importer.");
    return first;
}

}  // namespace

ImportSummary ImportRpps(storage::Database& db, const std::string& path, std::ostream& err) {
    LineReader reader(path);
    if (!reader.ok()) throw Unusable("Impossible d'ouvrir " + path + ".");
    const std::string first = ReadFirstLine(reader, "professionnel");
    if (first.rfind("finess;", 0) == 0) throw Unusable("Ce fichier est une extraction FINESS : utilisez « cordee import finess ».");
    if (first.find('|') == std::string::npos) {
        throw Unusable("La première ligne n'est pas un en-tête RPPS séparé par des « | » (séparateur attendu : |).");
    }
    std::vector<std::string_view> f;
    SplitFields(first, '|', f);
    const Header h(f);
    for (const char* col : {"Type d'identifiant PP", "Identifiant PP", "Nom d'exercice", "Prénom d'exercice",
                            "Code profession", "Libellé profession"}) {
        if (!h.Has(col)) throw Unusable(std::string("Colonne absente de l'en-tête : « ") + col + " ».");
    }
    // The header ends with "|", so a complete line has at least as many fields as named columns.
    size_t named = h.count();
    if (!f.empty() && Trim(f.back()).empty()) --named;

    ClearStaging(db, {"staging_rpps", "staging_rpps_professionals"});
    BackgroundWriter writer;
    StagingWriter pros(db, writer, "staging_rpps_professionals",
                       {"grp", "professional_id", "id_type", "national_id", "pp", "civility", "first_name", "last_name",
                        "profession_code", "profession_label", "specialty_code", "specialty_label", "practice_mode",
                        "postal_code", "commune", "departement", "hash"});
    StagingWriter acts(db, writer, "staging_rpps",
                       {"line", "grp", "activity_id", "professional_id", "practice_mode", "specialty_code", "specialty_label",
                        "siret", "finess_site", "finess_ej", "site_name", "address", "postal_code", "commune_code",
                        "commune", "departement", "phone", "email"});
    Rejections rejected(err);
    Progress progress("rpps", reader.size());
    ImportSummary sum;

    // Lines of one professional follow each other: they are gathered here, then staged together.
    storage::Params current;
    std::string current_id, current_hash_input, previous_line;
    int64_t current_group = 0;  // line where the current professional's lines start
    std::unordered_set<std::string> group_lines;  // this professional's lines: an exact repeat is refused
    auto flush_professional = [&] {
        if (current_id.empty()) return;
        current.push_back(crypto::Sha256Hex(current_hash_input));
        pros.Add(std::move(current));
        current.clear();
        current_id.clear();
        current_hash_input.clear();
    };

    std::string line;
    while (reader.Next(line)) {
        const int64_t n = reader.line_number();
        progress.Update(reader.position(), n);
        if (line.empty()) continue;
        ++sum.read;
        SplitFields(line, '|', f);
        if (f.size() < named) {
            rejected.Add(n, "ligne incomplète (" + std::to_string(f.size()) + " champs au lieu de " +
                                std::to_string(named) + ")" + (reader.last_line_unterminated() ? ", fichier tronqué ?" : ""));
            continue;
        }
        if (line == previous_line) {
            rejected.Add(n, "ligne en double");
            continue;
        }
        const std::string type = Field(h.Get(f, "Type d'identifiant PP"));
        const std::string pp = Field(h.Get(f, "Identifiant PP"));
        const bool rpps = type == "8", adeli = type == "0";
        if (!(rpps && pp.size() == 11 && AllDigits(pp)) && !(adeli && pp.size() == 9 && AllDigits(pp))) {
            rejected.Add(n, "identifiant PP invalide (« " + pp.substr(0, 20) + " », type « " + type.substr(0, 3) +
                                "» : 11 chiffres pour un RPPS, 9 pour un ADELI)");
            continue;
        }
        const std::string last_name = Field(h.Get(f, "Nom d'exercice"));
        if (last_name.empty()) {
            rejected.Add(n, "nom d'exercice absent");
            continue;
        }
        previous_line = line;
        const uint64_t order = OrderKey(type, pp);
        const std::string pro_id = OrderedNameUuid(order, "pp:" + pp);
        const std::string mode = Field(h.Get(f, "Code mode exercice"));
        const std::string spec_code = Field(h.Get(f, "Code savoir-faire"));
        const std::string spec_label = Field(h.Get(f, "Libellé savoir-faire"));
        const std::string postal = Field(h.Get(f, "Code postal (coord. structure)"));
        const std::string commune = Field(h.Get(f, "Libellé commune (coord. structure)"));
        std::string dep = Field(h.Get(f, "Code Département (structure)"));
        if (dep.empty() && postal.size() == 5) dep = postal.substr(0, 2);
        std::string national = Field(h.Get(f, "Identification nationale PP"));
        if (national.empty()) national = type + pp;
        if (pro_id != current_id) {
            flush_professional();
            current_id = pro_id;
            current_group = n;
            group_lines.clear();
            current = {current_group, pro_id, rpps ? "RPPS" : "ADELI", national, pp, Field(h.Get(f, "Libellé civilité d'exercice")),
                       Field(h.Get(f, "Prénom d'exercice")), last_name, Field(h.Get(f, "Code profession")),
                       Field(h.Get(f, "Libellé profession")), spec_code, spec_label, mode, postal, commune, dep};
        }
        if (!group_lines.insert(line).second) {
            rejected.Add(n, "ligne en double (déjà présente pour ce professionnel)");
            continue;
        }
        current_hash_input += line;
        current_hash_input += '\n';
        std::string site = Field(h.Get(f, "Raison sociale site"));
        if (site.empty()) site = Field(h.Get(f, "Enseigne commerciale site"));
        const std::string address = JoinNonEmpty(
            {Field(h.Get(f, "Numéro Voie (coord. structure)")), Field(h.Get(f, "Indice répétition voie (coord. structure)")),
             Field(h.Get(f, "Libellé type de voie (coord. structure)")), Field(h.Get(f, "Libellé Voie (coord. structure)"))});
        acts.Add({n, current_group, OrderedNameUuid(order, "activity:" + pp + "\n" + line), pro_id, mode, spec_code, spec_label,
                  Field(h.Get(f, "Numéro SIRET site")), Field(h.Get(f, "Numéro FINESS site")),
                  Field(h.Get(f, "Numéro FINESS établissement juridique")), site, address, postal,
                  Field(h.Get(f, "Code commune (coord. structure)")), commune, dep,
                  Field(h.Get(f, "Téléphone (coord. structure)")), Field(h.Get(f, "Adresse e-mail (coord. structure)"))});
    }
    flush_professional();
    pros.Flush();
    acts.Flush();
    writer.Wait();
    IndexStaging(db, {{"staging_rpps_professionals", "professional_id"}, {"staging_rpps", "professional_id"}});
    progress.Done(reader.line_number());
    rejected.Close();
    sum.rejected = rejected.count();

    // An identifier found again after other professionals' lines: the later lines are refused (the file
    // gives each professional's lines together; a second group is another person or an error).
    auto duplicates = db.ReadValue([](storage::Session& s) {
        return s.Query("SELECT d.grp, d.national_id, f.first FROM staging_rpps_professionals d JOIN (SELECT professional_id, "
                       "MIN(grp) AS first FROM staging_rpps_professionals GROUP BY professional_id HAVING COUNT(*) > 1) f "
                       "ON f.professional_id = d.professional_id WHERE d.grp > f.first ORDER BY d.grp");
    });
    if (!duplicates.empty()) {
        Rejections later(err);
        for (const auto& d : duplicates) {
            later.Add(d.Int(0), "identifiant PP " + d.Str(1) + " déjà vu ligne " + std::to_string(d.Int(2)) +
                                    " (ses lignes doivent se suivre) : lignes refusées");
        }
        db.Write([&](storage::Session& s) {
            for (const auto& d : duplicates) {
                sum.rejected += s.Exec("DELETE FROM staging_rpps WHERE grp = ?", {d.Int(0)});
                s.Exec("DELETE FROM staging_rpps_professionals WHERE grp = ?", {d.Int(0)});
            }
        });
        later.Close();
    }

    err << "rpps: application des changements…\n";
    const int64_t now = NowMicros();
    db.Write([&](storage::Session& s) {
        PrepareMerge(s);
        // One row per professional: later groups of an identifier were refused above.
        const char* grouped = "staging_rpps_professionals";
        // A professional entered locally (before the national file had them) is adopted, not duplicated: the file's
        // data goes into that row, so that accounts and care circles pointing at it keep their link. Such rows are
        // few: the set is built once and each staged row probes it.
        const int64_t remapped = s.Exec(
            "UPDATE staging_rpps_professionals SET professional_id = (SELECT p.id FROM professionals p WHERE "
            "p.national_id = staging_rpps_professionals.national_id) WHERE national_id IN (SELECT national_id FROM "
            "professionals WHERE (source = 'local' OR adopted = 1) AND national_id IS NOT NULL)");
        if (remapped > 0) {
            s.Exec("UPDATE staging_rpps SET professional_id = (SELECT g.professional_id FROM staging_rpps_professionals g "
                   "WHERE g.grp = staging_rpps.grp) WHERE grp IN (SELECT g.grp FROM staging_rpps_professionals g JOIN "
                   "professionals p ON p.id = g.professional_id AND (p.source = 'local' OR p.adopted = 1))");
            sum.adopted = s.Exec("UPDATE professionals SET adopted = 1 WHERE source = 'local' AND id IN (SELECT professional_id "
                                 "FROM staging_rpps_professionals WHERE professional_id IN (SELECT id FROM professionals "
                                 "WHERE source = 'local'))");
        }
        // A first import (no national entry yet, no activity at all) skips what only a re-import needs, and loads
        // the activities without their secondary index, built once at the end (bulk loads write far less so).
        const bool had_rpps = s.One("SELECT 1 FROM professionals WHERE source = 'rpps' LIMIT 1").has_value();
        const bool no_activities = !s.One("SELECT 1 FROM professional_activities LIMIT 1").has_value();
        // Activities of professionals whose lines changed are replaced.
        s.Exec(std::string("DELETE FROM professional_activities WHERE professional_id IN (SELECT g.professional_id FROM ") +
               grouped + " g JOIN professionals p ON p.id = g.professional_id WHERE p.import_hash IS NULL OR "
               "p.import_hash <> g.hash)");
        sum.updated = s.Exec(std::string("UPDATE professionals SET id_type = g.id_type, national_id = g.national_id, "
                                         "rpps = g.pp, civility = g.civility, first_name = g.first_name, "
                                         "last_name = g.last_name, profession_code = g.profession_code, profession_label = "
                                         "g.profession_label, specialty_code = g.specialty_code, specialty = "
                                         "g.specialty_label, practice_mode = g.practice_mode, postal_code = g.postal_code, "
                                         "commune = g.commune, departement = g.departement, source = 'rpps', active = 1, "
                                         "updated_at = ?, import_hash = g.hash FROM ") +
                                 grouped +
                                 " g WHERE professionals.id = g.professional_id AND (professionals.import_hash IS NULL "
                                 "OR professionals.import_hash <> g.hash OR professionals.active = 0)",
                             {now});
        sum.created = s.Exec(std::string("INSERT INTO professionals (id, rpps, id_type, national_id, civility, first_name, "
                                         "last_name, profession_code, profession_label, specialty_code, specialty, "
                                         "practice_mode, postal_code, commune, departement, source, active, created_at, "
                                         "updated_at, import_hash) SELECT g.professional_id, g.pp, g.id_type, "
                                         "g.national_id, g.civility, g.first_name, g.last_name, g.profession_code, "
                                         "g.profession_label, g.specialty_code, g.specialty_label, g.practice_mode, "
                                         "g.postal_code, g.commune, g.departement, 'rpps', 1, ?, ?, g.hash FROM ") +
                                 grouped + " g WHERE NOT EXISTS (SELECT 1 FROM professionals p WHERE p.id = g.professional_id)",
                             {now, now});
        if (had_rpps)
            sum.deactivated = s.Exec(
                "UPDATE professionals SET active = 0, updated_at = ? WHERE source = 'rpps' AND active = 1 AND NOT EXISTS "
                "(SELECT 1 FROM staging_rpps_professionals sp WHERE sp.professional_id = professionals.id)",
                {now});
        // PostgreSQL checks a foreign key row by row (a trigger per inserted row: 2 M lookups, 8 of the merge's 21 s);
        // added back after the bulk insert, it is checked in one pass. Only on a first load: the table is empty,
        // nobody reads it yet, and the whole is one transaction (a failure leaves the constraint as it was).
        const bool bulk_fk = no_activities && s.dialect() == storage::Dialect::kPostgres;
        if (no_activities) s.ExecScript("DROP INDEX IF EXISTS professional_activities_professional");
        if (bulk_fk)
            s.ExecScript("ALTER TABLE professional_activities DROP CONSTRAINT IF EXISTS "
                         "professional_activities_professional_id_fkey");
        s.Exec("INSERT INTO professional_activities (id, professional_id, structure_id, site_name, siret, finess_site, "
               "finess_ej, address, postal_code, commune_code, commune, departement, phone, email, practice_mode, "
               "specialty_code, specialty_label) SELECT activity_id, professional_id, NULL, site_name, siret, "
               "finess_site, finess_ej, address, postal_code, commune_code, commune, departement, phone, email, "
               "practice_mode, specialty_code, specialty_label FROM staging_rpps sa WHERE NOT EXISTS (SELECT 1 FROM "
               "professional_activities a WHERE a.id = sa.activity_id)");
        if (no_activities)
            s.ExecScript("CREATE INDEX professional_activities_professional ON professional_activities (professional_id)");
        if (bulk_fk)
            s.ExecScript("ALTER TABLE professional_activities ADD CONSTRAINT professional_activities_professional_id_fkey "
                         "FOREIGN KEY (professional_id) REFERENCES professionals (id)");
        FinishMerge(s, "rpps", {"staging_rpps", "staging_rpps_professionals"}, sum);
    });
    if (sum.adopted > 0)
        err << "rpps: " << sum.adopted << " professionnel(s) saisi(s) localement désormais décrit(s) par le fichier national "
            << "(même identifiant, fiche conservée)\n";
    return sum;
}

ImportSummary ImportFiness(storage::Database& db, const std::string& path, std::ostream& err) {
    LineReader reader(path);
    if (!reader.ok()) throw Unusable("Impossible d'ouvrir " + path + ".");
    const std::string first = ReadFirstLine(reader, "établissement");
    if (first.find("Identifiant PP") != std::string::npos) {
        throw Unusable("Ce fichier est une extraction RPPS : utilisez « cordee import rpps ».");
    }
    if (AsciiLower(first).rfind("finess;etalab", 0) != 0) {
        throw Unusable("La première ligne doit commencer par « finess;etalab » (extraction etalab, séparateur « ; »).");
    }
    ClearStaging(db, {"staging_finess", "staging_finess_geo"});
    BackgroundWriter writer;
    StagingWriter structures(db, writer, "staging_finess",
                             {"line", "structure_id", "finess", "finess_ej", "name", "name_search", "long_name", "address",
                              "commune_code", "departement", "postal_code", "commune", "phone", "category_code",
                              "category_label", "siret", "hash"});
    StagingWriter geo(db, writer, "staging_finess_geo", {"finess", "lat", "lon"});
    GeoConverter converter;
    Rejections rejected(err);
    Progress progress("finess", reader.size());
    ImportSummary sum;
    // Identifiers seen in this file: bounded by the number of structures (~100,000), not by its size.
    std::unordered_set<std::string> seen;
    std::vector<std::string_view> f;
    std::string line;
    auto valid_finess = [](const std::string& v) {
        if (v.size() != 9) return false;
        const bool corsica = v[0] == '2' && (v[1] == 'A' || v[1] == 'B');
        return (corsica || (std::isdigit(static_cast<unsigned char>(v[0])) && std::isdigit(static_cast<unsigned char>(v[1])))) &&
               AllDigits(std::string_view(v).substr(2));
    };
    while (reader.Next(line)) {
        const int64_t n = reader.line_number();
        progress.Update(reader.position(), n);
        if (line.empty()) continue;
        SplitFields(line, ';', f);
        const std::string kind = Field(f[0]);
        if (kind == "structureet") {
            ++sum.read;
            if (f.size() < 32) {
                rejected.Add(n, "ligne incomplète (" + std::to_string(f.size() - 1) + " champs au lieu de 31)" +
                                    (reader.last_line_unterminated() ? ", fichier tronqué ?" : ""));
                continue;
            }
            const std::string finess = Field(f[1]);
            if (!valid_finess(finess)) {
                rejected.Add(n, "numéro FINESS invalide (« " + finess.substr(0, 20) + " »)");
                continue;
            }
            if (!seen.insert(finess).second) {
                rejected.Add(n, "numéro FINESS en double (" + finess + ")");
                continue;
            }
            // ligneacheminement is "51100 REIMS": postal code, then the commune in capitals.
            const std::string routing = Field(f[15]);
            const auto space = routing.find(' ');
            const std::string postal = space == std::string::npos ? "" : routing.substr(0, space);
            const std::string commune = space == std::string::npos ? routing : routing.substr(space + 1);
            std::string name = Field(f[3]);
            if (name.empty()) name = Field(f[4]);
            // FINESS writes the overseas départements 9A…9F; everyone else says 971…976.
            static const std::map<std::string, std::string> overseas = {
                {"9A", "971"}, {"9B", "972"}, {"9C", "973"}, {"9D", "974"}, {"9E", "975"}, {"9F", "976"}};
            std::string dep = Field(f[13]);
            if (auto it = overseas.find(dep); it != overseas.end()) dep = it->second;
            structures.Add({n, NameBasedUuid("finess:" + finess), finess, Field(f[2]), name,
                            StructureNameSearch(name, commune), Field(f[4]),
                            JoinNonEmpty({Field(f[7]), Field(f[8]), Field(f[9]), Field(f[10])}),
                            InseeCode(dep, Field(f[12])), dep, postal,
                            commune, Field(f[16]), Field(f[18]), Field(f[19]), Field(f[22]),
                            crypto::Sha256Hex(line)});
        } else if (kind == "geolocalisation") {
            if (f.size() < 5) {
                rejected.Add(n, "géolocalisation incomplète");
                continue;
            }
            const std::string finess = Field(f[1]), source = Field(f[4]);
            const std::string system = source.substr(source.rfind(',') == std::string::npos ? 0 : source.rfind(',') + 1);
            double x = 0, y = 0;
            try {
                x = std::stod(Field(f[2]));
                y = std::stod(Field(f[3]));
            } catch (...) {
                rejected.Add(n, "coordonnées illisibles");
                continue;
            }
            auto ll = converter.ToWgs84(system, x, y);
            if (!ll) {
                rejected.Add(n, "coordonnées hors de France ou système inconnu (" + system.substr(0, 30) + ")");
                continue;
            }
            geo.Add({finess, ll->first, ll->second});
        } else if (n > 1) {
            rejected.Add(n, "type de ligne inconnu (« " + kind.substr(0, 30) + " »)");
        }
    }
    structures.Flush();
    geo.Flush();
    writer.Wait();
    IndexStaging(db, {{"staging_finess", "finess"}, {"staging_finess_geo", "finess"}});
    progress.Done(reader.line_number());
    rejected.Close();
    sum.rejected = rejected.count();

    err << "finess: application des changements…\n";
    const int64_t now = NowMicros();
    db.Write([&](storage::Session& s) {
        PrepareMerge(s);
        sum.updated = s.Exec(
            "UPDATE structures SET finess_ej = sf.finess_ej, name = sf.name, name_search = sf.name_search, long_name = sf.long_name, address = "
            "sf.address, commune_code = sf.commune_code, departement = sf.departement, postal_code = sf.postal_code, "
            "commune = sf.commune, phone = sf.phone, category_code = sf.category_code, category_label = "
            "sf.category_label, kind = sf.category_label, siret = sf.siret, source = 'finess', active = 1, status = "
            "'active', updated_at = ?, import_hash = sf.hash FROM staging_finess sf WHERE structures.finess = sf.finess "
            "AND (structures.import_hash IS NULL OR structures.import_hash <> sf.hash OR structures.active = 0)",
            {now});
        sum.created = s.Exec(
            "INSERT INTO structures (id, name, name_search, kind, finess, finess_ej, long_name, address, commune_code, "
            "departement, postal_code, commune, phone, category_code, category_label, siret, source, active, status, "
            "created_at, updated_at, import_hash) SELECT structure_id, name, name_search, category_label, finess, finess_ej, "
            "long_name, address, commune_code, departement, postal_code, commune, phone, category_code, category_label, "
            "siret, 'finess', 1, 'active', ?, ?, hash FROM staging_finess sf WHERE NOT EXISTS (SELECT 1 FROM "
            "structures st WHERE st.finess = sf.finess)",
            {now, now});
        sum.deactivated = s.Exec(
            "UPDATE structures SET active = 0, updated_at = ? WHERE source = 'finess' AND active = 1 AND NOT EXISTS "
            "(SELECT 1 FROM staging_finess sf WHERE sf.finess = structures.finess)",
            {now});
        s.Exec("UPDATE structures SET lat = g.lat, lon = g.lon FROM staging_finess_geo g WHERE structures.finess = g.finess");
        FinishMerge(s, "finess", {"staging_finess", "staging_finess_geo"}, sum);
    });
    return sum;
}

}  // namespace cordee::directory

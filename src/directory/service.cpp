#include "directory/service.hpp"

#include "common/errors.hpp"
#include "common/ids.hpp"
#include "common/log.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "directory/repository.hpp"
#include "storage/change_log.hpp"

#include <boost/json.hpp>

namespace cordee::directory {
namespace {

constexpr int64_t kStaleMicros = 24 * 3600 * kMicrosPerSecond;
constexpr int kPage = 20000;

// Acronyms people type for the FINESS categories they name by them.
std::string CategoryWords(const std::string& code) {
    static const std::map<std::string, std::string> words = {
        {"101", "chu chr centre hospitalier universitaire"}, {"355", "ch centre hospitalier hopital"},
        {"106", "ch centre hospitalier hopital"}, {"500", "ehpad maison de retraite"}, {"354", "ssiad soins infirmiers a domicile"},
        {"209", "spasad"}, {"460", "saad aide a domicile"}, {"365", "clinique"}, {"128", "clinique"},
        {"603", "msp maison de sante"}, {"124", "centre de sante"}, {"202", "residence autonomie"}};
    auto it = words.find(code);
    return it == words.end() ? "" : it->second;
}

boost::json::value OptText(const storage::Row& r, size_t i) {
    if (r.IsNull(i) || r.Str(i).empty()) return nullptr;
    return boost::json::value(r.Str(i));
}

std::string Placeholders(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
    return s;
}

}  // namespace

DirectoryService::~DirectoryService() { Stop(); }

std::shared_ptr<const SearchIndex> DirectoryService::BuildProfessionals() {
    std::vector<IndexDoc> docs;
    std::string after;
    // Pages by id keep memory flat however large the directory is.
    for (;;) {
        auto rows = db_.ReadValue([&](storage::Session& s) {
            return s.Query("SELECT id, civility, first_name, last_name, profession_code, profession_label, specialty, "
                           "practice_mode, postal_code, commune, departement FROM professionals WHERE active = 1 AND id > "
                           "? ORDER BY id LIMIT ?",
                           {after, static_cast<int64_t>(kPage)});
        });
        if (rows.empty()) break;
        const size_t first = docs.size();
        for (const auto& r : rows) {
            IndexDoc d;
            d.id = r.Str(0);
            // "Dr" is what people type; the RPPS says "Docteur" (or "DR" as a code).
            const std::string civility = FoldForSearch(r.Str(1));
            const bool doctor = civility == "dr" || civility.rfind("docteur", 0) == 0;
            d.name_words = (doctor ? "dr docteur " : r.Str(1) + " ") + r.Str(2) + " " + r.Str(3);
            d.other_words = r.Str(5) + " " + r.Str(6);
            d.profession_code = r.Str(4);
            d.profession_label = r.Str(5);
            d.modes = r.Str(7);
            if (!r.Str(8).empty()) d.postal_codes.push_back(r.Str(8));
            if (!r.Str(9).empty()) d.communes.push_back(r.Str(9));
            if (!r.Str(10).empty()) d.departements.push_back(r.Str(10));
            d.sort_name = FoldForSearch(r.Str(3) + " " + r.Str(2));
            docs.push_back(std::move(d));
        }
        const std::string last = rows.back().Str(0);
        auto acts = db_.ReadValue([&](storage::Session& s) {
            return s.Query("SELECT a.professional_id, a.practice_mode, a.postal_code, a.commune, a.departement, st.lat, "
                           "st.lon, a.site_name FROM professional_activities a LEFT JOIN structures st ON st.id = "
                           "a.structure_id WHERE a.professional_id > ? AND a.professional_id <= ? ORDER BY a.professional_id",
                           {after, last});
        });
        size_t k = first;
        for (const auto& a : acts) {
            const std::string pid = a.Str(0);
            while (k < docs.size() && docs[k].id < pid) ++k;
            if (k == docs.size() || docs[k].id != pid) continue;  // an inactive professional's site
            IndexDoc& d = docs[k];
            auto add = [](std::vector<std::string>& v, const std::string& x) {
                if (!x.empty() && std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
            };
            add(d.postal_codes, a.Str(2));
            add(d.communes, a.Str(3));
            add(d.departements, a.Str(4));
            const std::string mode = a.Str(1);
            if (!mode.empty() && d.modes.find(mode) == std::string::npos) d.modes += mode;
            d.other_words += " " + a.Str(7);
            if (!d.has_point && !a.IsNull(5)) {
                d.lat = a.Double(5);
                d.lon = a.Double(6);
                d.has_point = true;
            }
        }
        for (size_t i = first; i < docs.size(); ++i)
            for (const auto& c : docs[i].communes) docs[i].other_words += " " + c;
        after = last;
        if (rows.size() < static_cast<size_t>(kPage)) break;
    }
    return std::make_shared<const SearchIndex>(std::move(docs));
}

std::shared_ptr<const SearchIndex> DirectoryService::BuildStructures() {
    auto rows = db_.ReadValue([](storage::Session& s) {
        return s.Query("SELECT id, name, long_name, kind, category_code, category_label, commune, postal_code, departement, "
                       "lat, lon FROM structures WHERE active = 1 AND status = 'active' ORDER BY id");
    });
    auto caps = db_.ReadValue([](storage::Session& s) {
        return s.Query("SELECT sa.structure_id, sa.field FROM structure_activities sa JOIN capacities c ON c.activity_id = "
                       "sa.id WHERE c.type = 'disponible' AND c.count > 0");
    });
    std::unordered_map<std::string, std::vector<std::string>> fields;
    for (const auto& c : caps) fields[c.Str(0)].push_back(c.Str(1));
    std::vector<IndexDoc> docs;
    docs.reserve(rows.size());
    for (const auto& r : rows) {
        IndexDoc d;
        d.structure = true;
        d.id = r.Str(0);
        d.name_words = r.Str(1) + " " + r.Str(2);
        d.other_words = r.Str(3) + " " + r.Str(5) + " " + CategoryWords(r.Str(4)) + " " + r.Str(6);
        if (!r.Str(6).empty()) d.communes.push_back(r.Str(6));
        if (!r.Str(7).empty()) d.postal_codes.push_back(r.Str(7));
        if (!r.Str(8).empty()) d.departements.push_back(r.Str(8));
        if (!r.IsNull(9)) {
            d.lat = r.Double(9);
            d.lon = r.Double(10);
            d.has_point = true;
        }
        if (auto it = fields.find(d.id); it != fields.end()) d.capacity_fields = it->second;
        d.sort_name = FoldForSearch(r.Str(1));
        docs.push_back(std::move(d));
    }
    return std::make_shared<const SearchIndex>(std::move(docs));
}

int64_t DirectoryService::LastDirectoryChange() {
    return db_.ReadValue([](storage::Session& s) {
        return s.One("SELECT COALESCE(MAX(seq), 0) FROM change_log WHERE scope = 'directory'")->Int(0);
    });
}

void DirectoryService::BuildNow() {
    seen_seq_ = LastDirectoryChange();
    auto pros = BuildProfessionals();
    auto structs = BuildStructures();
    std::lock_guard lock(index_mutex_);
    professionals_ = std::move(pros);
    structures_ = std::move(structs);
    ready_ = true;
}

void DirectoryService::StartRefresher() {
    refresher_ = std::thread([this] { RefreshLoop(); });
}

void DirectoryService::Stop() {
    {
        std::lock_guard lock(stop_mutex_);
        stop_ = true;
    }
    stop_cv_.notify_all();
    if (refresher_.joinable()) refresher_.join();
}

void DirectoryService::RefreshLoop() {
    try {
        const auto start = NowMicros();
        BuildNow();
        log::Info("directory index ready", {{"professionals", static_cast<unsigned long>(professionals_->size())},
                                            {"structures", static_cast<unsigned long>(structures_->size())},
                                            {"ms", static_cast<long long>((NowMicros() - start) / 1000)}});
    } catch (const std::exception& e) {
        log::Error("directory index failed", {{"error", e.what()}});
    }
    for (;;) {
        {
            std::unique_lock lock(stop_mutex_);
            if (stop_cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_; })) return;
        }
        try {
            auto changes = db_.ReadValue([&](storage::Session& s) {
                return s.Query("SELECT seq, entity, entity_id FROM change_log WHERE scope = 'directory' AND seq > ? "
                               "ORDER BY seq",
                               {seen_seq_});
            });
            if (changes.empty()) continue;
            bool pros = false, structs = false;
            for (const auto& c : changes) {
                const std::string entity = c.Str(1), what = c.Str(2);
                if (entity == "directory") {
                    pros = true;
                    structs = structs || what == "finess";
                } else {
                    structs = true;
                }
            }
            seen_seq_ = changes.back().Int(0);
            auto new_pros = pros ? BuildProfessionals() : nullptr;
            auto new_structs = structs ? BuildStructures() : nullptr;
            std::lock_guard lock(index_mutex_);
            if (new_pros) professionals_ = std::move(new_pros);
            if (new_structs) structures_ = std::move(new_structs);
            ready_ = true;
        } catch (const std::exception& e) {
            log::Warn("directory index refresh failed", {{"error", e.what()}});
        }
    }
}

boost::json::object DirectoryService::Search(const SearchQuery& q) {
    std::vector<std::shared_ptr<const SearchIndex>> indexes;
    {
        std::lock_guard lock(index_mutex_);
        if (!ready_) {
            Error e(503, "index-building", "Annuaire en préparation",
                    "L'annuaire se prépare (premier démarrage ou import). Réessayez dans quelques secondes.");
            e.WithHeader("Retry-After", "5");
            throw e;
        }
        indexes = {professionals_, structures_};
    }
    const SearchResult r = RunSearch(indexes, q);
    // The page's display fields come from the database: always current, and the index stays small.
    std::vector<std::string> pro_ids, structure_ids;
    for (const auto& [id, hit] : r.page) {
        (indexes[0] && hit.doc < indexes[0]->size() && indexes[0]->doc(hit.doc).id == id ? pro_ids : structure_ids)
            .push_back(id);
    }
    std::unordered_map<std::string, boost::json::object> shown;
    db_.Read([&](storage::Session& s) {
        if (!pro_ids.empty()) {
            storage::Params p(pro_ids.begin(), pro_ids.end());
            for (const auto& row : s.Query("SELECT id, civility, first_name, last_name, profession_code, profession_label, "
                                           "specialty, commune, postal_code, departement FROM professionals WHERE id IN (" +
                                               Placeholders(p.size()) + ")",
                                           p)) {
                const std::string name = Trim(row.Str(1) + " " + row.Str(2) + " " + row.Str(3));
                shown[row.Str(0)] = {{"kind", "professional"}, {"id", row.Str(0)}, {"name", name},
                                     {"civility", OptText(row, 1)}, {"first_name", row.Str(2)}, {"last_name", row.Str(3)},
                                     {"profession_code", row.Str(4)}, {"profession_label", row.Str(5)},
                                     {"specialty", OptText(row, 6)}, {"category_label", nullptr},
                                     {"commune", OptText(row, 7)}, {"postal_code", OptText(row, 8)},
                                     {"departement", OptText(row, 9)}};
            }
        }
        if (!structure_ids.empty()) {
            storage::Params p(structure_ids.begin(), structure_ids.end());
            for (const auto& row : s.Query("SELECT id, name, category_label, kind, commune, postal_code, departement FROM "
                                           "structures WHERE id IN (" + Placeholders(p.size()) + ")",
                                           p)) {
                shown[row.Str(0)] = {{"kind", "structure"}, {"id", row.Str(0)}, {"name", row.Str(1)},
                                     {"civility", nullptr}, {"first_name", nullptr}, {"last_name", nullptr},
                                     {"profession_code", nullptr}, {"profession_label", nullptr}, {"specialty", nullptr},
                                     {"category_label", row.Str(2).empty() ? boost::json::value(row.Str(3)) : boost::json::value(row.Str(2))},
                                     {"commune", OptText(row, 4)}, {"postal_code", OptText(row, 5)},
                                     {"departement", OptText(row, 6)}};
            }
        }
    });
    boost::json::array items;
    for (const auto& [id, hit] : r.page) {
        auto it = shown.find(id);
        if (it == shown.end()) continue;  // removed since the index was built
        boost::json::object o = it->second;
        o["score"] = std::round(hit.score * 100) / 100;
        if (hit.distance_km >= 0) o["distance_km"] = std::round(hit.distance_km * 10) / 10;
        items.push_back(std::move(o));
    }
    boost::json::array professions, departements, modes;
    for (const auto& [code, lc] : r.profession_facet)
        professions.push_back({{"code", code}, {"label", lc.first}, {"count", lc.second}});
    for (const auto& [code, n] : r.departement_facet) departements.push_back({{"code", code}, {"count", n}});
    for (const auto& [code, n] : r.mode_facet) modes.push_back({{"code", code}, {"count", n}});
    boost::json::object kinds{{"professional", 0}, {"structure", 0}};
    for (const auto& [k, n] : r.kind_facet) kinds[k] = n;
    return {{"total", r.total},
            {"total_capped", r.total_capped},
            {"page", q.offset / q.limit + 1},
            {"per_page", q.limit},
            {"items", items},
            {"facets", {{"kind", kinds}, {"profession", professions}, {"departement", departements}, {"practice_mode", modes}}}};
}

boost::json::object DirectoryService::Professional(const std::string& id) {
    return db_.ReadValue([&](storage::Session& s) {
        auto r = s.One("SELECT id, id_type, national_id, civility, first_name, last_name, profession_code, profession_label, "
                       "specialty, practice_mode, active, rpps FROM professionals WHERE id = ?",
                       {id});
        if (!r) throw NotFound("Ce professionnel n'est pas dans l'annuaire.");
        boost::json::array acts, specialties, modes;
        if (!r->Str(8).empty()) specialties.push_back(boost::json::value(r->Str(8)));
        for (const auto& a : s.Query("SELECT structure_id, site_name, address, postal_code, commune, commune_code, "
                                     "departement, phone, email, practice_mode, finess_site, siret, specialty_label FROM "
                                     "professional_activities WHERE professional_id = ? ORDER BY site_name",
                                     {id})) {
            acts.push_back({{"structure_id", OptText(a, 0)}, {"site_name", OptText(a, 1)}, {"address", OptText(a, 2)},
                            {"postal_code", OptText(a, 3)}, {"commune", OptText(a, 4)}, {"commune_code", OptText(a, 5)},
                            {"departement", OptText(a, 6)}, {"phone", OptText(a, 7)}, {"email", OptText(a, 8)},
                            {"practice_mode", OptText(a, 9)}, {"finess_site", OptText(a, 10)}, {"siret", OptText(a, 11)}});
            const std::string sp = a.Str(12), m = a.Str(9);
            if (!sp.empty() && std::find(specialties.begin(), specialties.end(), boost::json::value(sp)) == specialties.end())
                specialties.push_back(boost::json::value(sp));
            if (!m.empty() && std::find(modes.begin(), modes.end(), boost::json::value(m)) == modes.end())
                modes.push_back(boost::json::value(m));
        }
        if (modes.empty() && !r->Str(9).empty()) modes.push_back(boost::json::value(r->Str(9)));
        return boost::json::object{{"kind", "professional"}, {"id", r->Str(0)},
                                   {"id_type", r->Str(1).empty() ? boost::json::value(nullptr) : boost::json::value(r->Str(1))},
                                   {"national_id", r->Str(2).empty() ? OptText(*r, 11) : boost::json::value(r->Str(2))},
                                   {"civility", OptText(*r, 3)}, {"first_name", r->Str(4)}, {"last_name", r->Str(5)},
                                   {"profession_code", r->Str(6)}, {"profession_label", r->Str(7)},
                                   {"specialties", specialties}, {"practice_modes", modes}, {"active", r->Int(10) != 0},
                                   {"activities", acts}};
    });
}

boost::json::object DirectoryService::Structure(const std::string& id) {
    const int64_t now = NowMicros();
    return db_.ReadValue([&](storage::Session& s) {
        auto r = s.One("SELECT id, finess, finess_ej, siret, name, long_name, category_code, category_label, kind, address, "
                       "postal_code, commune, departement, phone, email, lat, lon, source, active, description, version FROM "
                       "structures WHERE id = ?",
                       {id});
        if (!r) throw NotFound("Cette structure n'est pas dans l'annuaire.");
        boost::json::array activities;
        for (const auto& a : s.Query("SELECT id, field, care_mode, label, public_min_age, public_max_age, area, version "
                                     "FROM structure_activities WHERE structure_id = ? ORDER BY created_at",
                                     {id})) {
            boost::json::array caps;
            for (const auto& c : s.Query("SELECT c.type, c.count, c.unit, c.updated_at, c.updated_by, acc.first_name, "
                                         "acc.last_name FROM capacities c LEFT JOIN accounts acc ON acc.id = c.updated_by "
                                         "WHERE c.activity_id = ? ORDER BY c.type",
                                         {a.Str(0)})) {
                const int64_t age = now - c.Int(3);
                caps.push_back({{"type", c.Str(0)}, {"count", c.Int(1)}, {"unit", c.Str(2)},
                                {"updated_at", FormatRfc3339(c.Int(3))}, {"updated_by", OptText(c, 4)},
                                {"updated_by_name", c.IsNull(5) ? boost::json::value(nullptr)
                                                                : boost::json::value(c.Str(5) + " " + c.Str(6))},
                                {"age_seconds", age / kMicrosPerSecond}, {"stale", age > kStaleMicros}});
            }
            activities.push_back({{"id", a.Str(0)}, {"field", a.Str(1)}, {"care_mode", a.Str(2)}, {"label", a.Str(3)},
                                  {"public_min_age", a.IsNull(4) ? boost::json::value(nullptr) : boost::json::value(a.Int(4))},
                                  {"public_max_age", a.IsNull(5) ? boost::json::value(nullptr) : boost::json::value(a.Int(5))},
                                  {"area", OptText(a, 6)}, {"version", a.Int(7)}, {"capacities", caps}});
        }
        boost::json::array pros;
        for (const auto& p : s.Query("SELECT DISTINCT p.id, p.first_name, p.last_name, p.profession_label FROM professionals p "
                                     "JOIN professional_activities a ON a.professional_id = p.id WHERE a.structure_id = ? "
                                     "AND p.active = 1 UNION SELECT id, first_name, last_name, profession_label FROM "
                                     "professionals WHERE structure_id = ? AND active = 1 ORDER BY 3, 2 LIMIT 100",
                                     {id, id}))
            pros.push_back({{"id", p.Str(0)}, {"first_name", p.Str(1)}, {"last_name", p.Str(2)}, {"profession_label", p.Str(3)}});
        boost::json::value lat = r->IsNull(15) ? boost::json::value(nullptr) : boost::json::value(r->Double(15));
        boost::json::value lon = r->IsNull(16) ? boost::json::value(nullptr) : boost::json::value(r->Double(16));
        return boost::json::object{{"kind", "structure"}, {"id", r->Str(0)}, {"finess", OptText(*r, 1)},
                                   {"finess_ej", OptText(*r, 2)}, {"siret", OptText(*r, 3)}, {"name", r->Str(4)},
                                   {"long_name", OptText(*r, 5)}, {"category_code", OptText(*r, 6)},
                                   {"category_label", r->Str(7).empty() ? OptText(*r, 8) : boost::json::value(r->Str(7))},
                                   {"address", OptText(*r, 9)}, {"postal_code", OptText(*r, 10)}, {"commune", OptText(*r, 11)},
                                   {"departement", OptText(*r, 12)}, {"phone", OptText(*r, 13)}, {"email", OptText(*r, 14)},
                                   {"lat", lat}, {"lon", lon}, {"source", r->Str(17)}, {"active", r->Int(18) != 0},
                                   {"description", OptText(*r, 19)}, {"version", r->Int(20)},
                                   {"activities", activities}, {"professionals", pros}};
    });
}

bool DirectoryService::MayAdminister(const std::string& account_id, const std::string& role, const std::string& structure_id) {
    if (role == "operator") return true;
    if (role != "structure_admin") return false;
    return db_.ReadValue([&](storage::Session& s) {
        return s.One("SELECT 1 FROM account_structures WHERE account_id = ? AND structure_id = ? AND role = 'admin'",
                     {account_id, structure_id})
            .has_value();
    });
}

boost::json::object DirectoryService::CreateStructure(const std::string& actor, const boost::json::object& f) {
    const std::string id = NewUuidV7();
    auto text = [&](const char* k) { return f.contains(k) && f.at(k).is_string() ? std::string(f.at(k).as_string()) : std::string(); };
    db_.Write([&](storage::Session& s) {
        directory::Structure st{id, text("name"), text("category_label"), "", text("commune"), text("postal_code")};
        InsertStructure(s, st);
        s.Exec("UPDATE structures SET category_label = ?, address = ?, phone = ?, email = ?, departement = ?, "
               "proposed_by = ?, updated_at = ? WHERE id = ?",
               {text("category_label"), text("address"), text("phone"), text("email"),
                text("postal_code").substr(0, 2), actor, NowMicros(), id});
        storage::AppendChange(s, {"structure", id, "create", "directory", "{}"});
    });
    return Structure(id);
}

boost::json::object DirectoryService::UpdateStructure(const std::string& id, int64_t expected_version,
                                                      const boost::json::object& f) {
    db_.Write([&](storage::Session& s) {
        auto current = s.One("SELECT version FROM structures WHERE id = ?", {id});
        if (!current) throw NotFound("Cette structure n'existe pas.");
        if (current->Int(0) != expected_version) {
            throw Conflict("La fiche a été modifiée entre-temps : voici la version actuelle.", {});
        }
        for (const char* k : {"phone", "email", "address", "description"}) {
            if (!f.contains(k)) continue;
            const std::string v = f.at(k).is_string() ? std::string(f.at(k).as_string()) : std::string();
            // Column names come from the fixed list above, never from the request.
            s.Exec(std::string("UPDATE structures SET ") + k + " = ? WHERE id = ?",
                   {v.empty() ? storage::Value{} : storage::Value{v}, id});
        }
        s.Exec("UPDATE structures SET version = version + 1, updated_at = ? WHERE id = ?", {NowMicros(), id});
        storage::AppendChange(s, {"structure", id, "update", "directory", "{}"});
    });
    return Structure(id);
}

boost::json::object DirectoryService::AddActivity(const std::string& structure_id, const std::string& actor,
                                                  const boost::json::object& f) {
    const std::string id = NewUuidV7();
    auto text = [&](const char* k) { return f.contains(k) && f.at(k).is_string() ? std::string(f.at(k).as_string()) : std::string(); };
    auto age = [&](const char* k) -> storage::Value {
        if (f.contains(k) && f.at(k).is_int64()) return f.at(k).as_int64();
        return std::monostate{};
    };
    db_.Write([&](storage::Session& s) {
        if (!s.One("SELECT 1 FROM structures WHERE id = ?", {structure_id})) throw NotFound("Cette structure n'existe pas.");
        s.Exec("INSERT INTO structure_activities (id, structure_id, field, care_mode, label, public_min_age, public_max_age, "
               "area, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               {id, structure_id, text("field"), text("care_mode"), text("label"), age("public_min_age"),
                age("public_max_age"), text("area"), NowMicros()});
        storage::AppendChange(s, {"structure", structure_id, "update", "directory", "{}"});
    });
    auto st = Structure(structure_id);
    for (const auto& a : st.at("activities").as_array())
        if (a.as_object().at("id").as_string() == id) return a.as_object();
    throw NotFound();
}

boost::json::object DirectoryService::SetCapacity(const std::string& structure_id, const std::string& activity_id,
                                                  const std::string& type, int64_t count, const std::string& unit,
                                                  const std::string& actor) {
    const int64_t now = NowMicros();
    db_.Write([&](storage::Session& s) {
        if (!s.One("SELECT 1 FROM structure_activities WHERE id = ? AND structure_id = ?", {activity_id, structure_id}))
            throw NotFound("Cette activité n'existe pas dans cette structure.");
        if (s.Exec("UPDATE capacities SET count = ?, unit = ?, updated_at = ?, updated_by = ? WHERE activity_id = ? AND "
                   "type = ?",
                   {count, unit, now, actor, activity_id, type}) == 0) {
            s.Exec("INSERT INTO capacities (activity_id, type, count, unit, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)",
                   {activity_id, type, count, unit, now, actor});
        }
        s.Queue("INSERT INTO capacity_history (activity_id, type, count, unit, at, by_account) VALUES (?, ?, ?, ?, ?, ?)",
                {activity_id, type, count, unit, now, actor});
        storage::AppendChange(s, {"capacity", activity_id, "update", "directory", "{}"});
    });
    return {{"type", type}, {"count", count}, {"unit", unit}, {"updated_at", FormatRfc3339(now)},
            {"updated_by", actor}, {"updated_by_name", nullptr}, {"age_seconds", 0}, {"stale", false}};
}

boost::json::array DirectoryService::History(const std::string& structure_id, const std::string& activity_id) {
    auto rows = db_.ReadValue([&](storage::Session& s) {
        if (!s.One("SELECT 1 FROM structure_activities WHERE id = ? AND structure_id = ?", {activity_id, structure_id}))
            throw NotFound("Cette activité n'existe pas dans cette structure.");
        return s.Query("SELECT h.type, h.count, h.unit, h.at, h.by_account, acc.first_name, acc.last_name FROM "
                       "capacity_history h LEFT JOIN accounts acc ON acc.id = h.by_account WHERE h.activity_id = ? ORDER "
                       "BY h.id DESC LIMIT 200",
                       {activity_id});
    });
    boost::json::array out;
    for (const auto& r : rows)
        out.push_back({{"type", r.Str(0)}, {"count", r.Int(1)}, {"unit", r.Str(2)}, {"at", FormatRfc3339(r.Int(3))},
                       {"by", OptText(r, 4)},
                       {"by_name", r.IsNull(5) ? boost::json::value(nullptr) : boost::json::value(r.Str(5) + " " + r.Str(6))}});
    return out;
}

}  // namespace cordee::directory

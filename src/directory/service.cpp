#include "directory/service.hpp"

#include "audit/audit.hpp"
#include "common/errors.hpp"
#include "common/log.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "directory/json.hpp"
#include "directory/repository.hpp"
#include "storage/change_log.hpp"

#include <algorithm>
#include <map>
#include <sstream>
#include <unordered_map>

namespace cordee::directory {
namespace {

constexpr int64_t kIndexPage = 20000;  // professionals read per query while the index is built

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

// What a professional is found by: "Dr" is what people type, the RPPS says "Docteur" (or "DR" as a code).
IndexDoc ProfessionalDoc(ProfessionalRow&& p) {
    IndexDoc d;
    d.id = p.id.str();
    const std::string civility = FoldForSearch(p.civility);
    const bool doctor = civility == "dr" || civility.rfind("docteur", 0) == 0;
    d.name_words = (doctor ? "dr docteur " : p.civility + " ") + p.first_name + " " + p.last_name;
    d.other_words = p.profession_label + " " + p.specialty;
    d.sort_name = FoldForSearch(p.last_name + " " + p.first_name);
    d.specialty = std::move(p.specialty);
    d.profession_code = std::move(p.profession_code);
    d.profession_label = std::move(p.profession_label);
    d.modes = std::move(p.practice_mode);
    if (!p.postal_code.empty()) d.postal_codes.push_back(std::move(p.postal_code));
    if (!p.commune.empty()) d.communes.push_back(std::move(p.commune));
    if (!p.departement.empty()) d.departements.push_back(std::move(p.departement));
    return d;
}

// Each site adds its places, its practice mode and its name; the first site with a position gives the entry's.
void AddSite(IndexDoc& d, const IndexedSiteRow& a) {
    auto add = [](std::vector<std::string>& v, const std::string& x) {
        if (!x.empty() && std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
    };
    add(d.postal_codes, a.postal_code);
    add(d.communes, a.commune);
    add(d.departements, a.departement);
    if (!a.practice_mode.empty() && d.modes.find(a.practice_mode) == std::string::npos) d.modes += a.practice_mode;
    d.other_words += " " + a.site_name;
    if (!d.has_point && a.point) {
        d.lat = a.point->first;
        d.lon = a.point->second;
        d.has_point = true;
    }
}

IndexDoc StructureDoc(const StructureRow& r, std::vector<std::string> capacity_fields) {
    IndexDoc d;
    d.structure = true;
    d.id = r.id.str();
    d.name_words = r.name + " " + r.long_name;
    d.other_words = r.kind + " " + r.category_label + " " + CategoryWords(r.category_code) + " " + r.commune;
    for (const auto* c : {&r.category_code, &r.kind})
        if (!c->empty()) d.categories.push_back(*c);
    if (!r.commune.empty()) d.communes.push_back(r.commune);
    if (!r.postal_code.empty()) d.postal_codes.push_back(r.postal_code);
    if (!r.departement.empty()) d.departements.push_back(r.departement);
    if (r.point) {
        d.lat = r.point->first;
        d.lon = r.point->second;
        d.has_point = true;
    }
    d.capacity_fields = std::move(capacity_fields);
    d.sort_name = FoldForSearch(r.name);
    return d;
}

void AddOnce(std::vector<std::string>& v, const std::string& x) {
    if (!x.empty() && std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

}  // namespace

DirectoryService::~DirectoryService() { Stop(); }

// ---- The search index ---------------------------------------------------------------------------------------------

std::shared_ptr<const SearchIndex> DirectoryService::BuildProfessionals(bool national) {
    std::vector<IndexDoc> docs;
    ProfessionalId after;
    // Pages by id keep memory flat however large the directory is.
    for (;;) {
        auto rows = db_.ReadValue([&](storage::Session& s) { return repo::ActiveProfessionalsAfter(s, after, kIndexPage, national); });
        if (rows.empty()) break;
        const size_t first = docs.size();
        const ProfessionalId last = rows.back().id;
        const bool full_page = rows.size() == static_cast<size_t>(kIndexPage);
        for (auto& r : rows) docs.push_back(ProfessionalDoc(std::move(r)));
        const auto sites = db_.ReadValue([&](storage::Session& s) { return repo::IndexedSitesBetween(s, after, last, national); });
        size_t k = first;
        for (const auto& a : sites) {
            const std::string& pid = a.professional_id.str();
            while (k < docs.size() && docs[k].id < pid) ++k;
            if (k == docs.size() || docs[k].id != pid) continue;  // an inactive professional's site
            AddSite(docs[k], a);
        }
        for (size_t i = first; i < docs.size(); ++i)
            for (const auto& c : docs[i].communes) docs[i].other_words += " " + c;
        after = last;
        if (!full_page) break;
    }
    return std::make_shared<const SearchIndex>(std::move(docs));
}

std::shared_ptr<const SearchIndex> DirectoryService::BuildStructures() {
    const auto rows = db_.ReadValue([](storage::Session& s) { return repo::ActiveStructures(s); });
    const auto available = db_.ReadValue([](storage::Session& s) { return repo::FieldsWithPlaces(s); });
    std::unordered_map<StructureId, std::vector<std::string>> fields;
    for (const auto& f : available) fields[f.structure_id].push_back(f.field);
    std::vector<IndexDoc> docs;
    docs.reserve(rows.size());
    for (const auto& r : rows) {
        auto it = fields.find(r.id);
        docs.push_back(StructureDoc(r, it == fields.end() ? std::vector<std::string>{} : std::move(it->second)));
    }
    return std::make_shared<const SearchIndex>(std::move(docs));
}

std::shared_ptr<const Vocabulary> DirectoryService::LoadVocabulary() {
    // The shipped words first, then the territory's: both are meanings of their words (a word may have several).
    std::vector<VocabularyLineError> errors;
    auto entries = ParseVocabulary(ShippedVocabulary(), &errors);
    for (const auto& e : errors)
        log::Warn("directory vocabulary line skipped", {{"line", static_cast<unsigned long>(e.line)}, {"reason", e.reason}});
    for (auto& row : db_.ReadValue([](storage::Session& s) { return repo::VocabularyWords(s); }))
        entries.push_back({std::move(row.words), std::move(row.meaning)});
    return std::make_shared<const Vocabulary>(entries);
}

void DirectoryService::BuildNow() {
    seen_seq_ = db_.ReadValue([](storage::Session& s) { return repo::LastDirectoryChange(s); });
    auto words = LoadVocabulary();
    auto pros = BuildProfessionals(true);
    auto locals = BuildProfessionals(false);
    auto structs = BuildStructures();
    std::lock_guard lock(index_mutex_);
    vocabulary_ = std::move(words);
    professionals_ = std::move(pros);
    locals_ = std::move(locals);
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
            const auto changes = db_.ReadValue([&](storage::Session& s) { return repo::DirectoryChangesAfter(s, seen_seq_); });
            if (changes.empty()) continue;
            // An import rebuilds the professionals (a FINESS one the structures too, whose sites it links); a local
            // entry (an account's) only the small index of local entries; a word only the vocabulary; any other
            // change (a structure, an activity, a capacity) only the structures.
            bool pros = false, locals = false, structs = false, words = false;
            for (const auto& c : changes) {
                if (c.entity == "directory") {
                    pros = locals = true;
                    structs = structs || c.entity_id == "finess";
                } else if (c.entity == "professional") {
                    locals = true;
                } else if (c.entity == "vocabulary") {
                    words = true;
                } else {
                    structs = true;
                }
            }
            seen_seq_ = changes.back().seq;
            auto new_pros = pros ? BuildProfessionals(true) : nullptr;
            auto new_locals = locals ? BuildProfessionals(false) : nullptr;
            auto new_structs = structs ? BuildStructures() : nullptr;
            auto new_words = words ? LoadVocabulary() : nullptr;
            std::lock_guard lock(index_mutex_);
            if (new_pros) professionals_ = std::move(new_pros);
            if (new_locals) locals_ = std::move(new_locals);
            if (new_structs) structures_ = std::move(new_structs);
            if (new_words) vocabulary_ = std::move(new_words);
            ready_ = true;
        } catch (const std::exception& e) {
            log::Warn("directory index refresh failed", {{"error", e.what()}});
        }
    }
}

// ---- Search and pages ---------------------------------------------------------------------------------------------

SearchPage DirectoryService::Search(const SearchQuery& q) {
    std::vector<std::shared_ptr<const SearchIndex>> indexes;
    std::shared_ptr<const Vocabulary> words;
    {
        std::lock_guard lock(index_mutex_);
        if (!ready_) {
            Error e(Problem::kIndexBuilding,
                    "L'annuaire se prépare (premier démarrage ou import). Réessayez dans quelques secondes.");
            e.WithHeader("Retry-After", "5");
            throw e;
        }
        indexes = {professionals_, locals_, structures_};
        words = vocabulary_;
    }
    SearchPage out;
    out.result = RunSearch(indexes, q, words.get());
    out.page = q.offset / q.limit + 1;
    out.per_page = q.limit;
    // The page's display fields come from the database: always current, and the index stays small.
    std::vector<ProfessionalId> pro_ids;
    std::vector<StructureId> structure_ids;
    for (const auto& [id, hit] : out.result.page) {
        if (hit.structure) structure_ids.emplace_back(id);
        else pro_ids.emplace_back(id);
    }
    std::unordered_map<std::string, std::variant<ProfessionalRow, StructureRow>> shown;
    db_.Read([&](storage::Session& s) {
        if (!pro_ids.empty()) {
            for (auto& p : repo::ProfessionalsByIds(s, pro_ids)) shown.emplace(p.id.str(), std::move(p));
            for (auto& id : repo::WithAccount(s, pro_ids)) out.with_account.insert(id.str());
        }
        if (!structure_ids.empty())
            for (auto& st : repo::StructuresByIds(s, structure_ids)) shown.emplace(st.id.str(), std::move(st));
    });
    for (const auto& [id, hit] : out.result.page) {
        auto it = shown.find(id);
        if (it == shown.end()) continue;  // removed since the index was built
        out.items.push_back({it->second, hit.score, hit.distance_km});
    }
    return out;
}

ProfessionalPage DirectoryService::Professional(const ProfessionalId& id) {
    return db_.ReadValue([&](storage::Session& s) {
        auto entry = repo::FindProfessional(s, id);
        if (!entry) throw NotFound("Ce professionnel n'est pas dans l'annuaire.");
        ProfessionalPage page{std::move(*entry), repo::SitesOf(s, id), {}, {}};
        // Specialties and practice modes: the entry's own, then those of its sites, each once.
        AddOnce(page.specialties, page.entry.specialty);
        for (const auto& a : page.sites) {
            AddOnce(page.specialties, a.specialty_label);
            AddOnce(page.practice_modes, a.practice_mode);
        }
        if (page.practice_modes.empty()) AddOnce(page.practice_modes, page.entry.practice_mode);
        return page;
    });
}

StructurePage DirectoryService::LoadStructure(storage::Session& s, const StructureId& id, int64_t now) {
    auto entry = repo::FindStructure(s, id);
    if (!entry) throw NotFound("Cette structure n'est pas dans l'annuaire.");
    StructurePage page;
    page.entry = std::move(*entry);
    page.read_at = now;
    for (auto& a : repo::ActivitiesOf(s, id)) {
        auto capacities = repo::CapacitiesOf(s, a.id);
        page.activities.push_back({std::move(a), std::move(capacities)});
    }
    page.professionals = repo::MembersOf(s, id);
    return page;
}

StructurePage DirectoryService::Structure(const StructureId& id) {
    const int64_t now = NowMicros();
    return db_.ReadValue([&](storage::Session& s) { return LoadStructure(s, id, now); });
}

// ---- Changes ------------------------------------------------------------------------------------------------------

StructurePage DirectoryService::CreateStructure(const AccountId& by, const NewStructure& n) {
    LocalStructure st;
    st.id = StructureId(NewUuidV7());
    st.name = n.name;
    st.kind = n.category_label;
    st.commune = n.commune;
    st.postal_code = n.postal_code;
    st.category_label = n.category_label;
    st.address = n.address;
    st.phone = n.phone;
    st.email = n.email;
    st.proposed_by = by;
    db_.Write([&](storage::Session& s) {
        repo::InsertLocalStructure(s, st, NowMicros());
        storage::AppendChange(s, {"structure", st.id.str(), "create", "directory", "{}"});
    });
    return Structure(st.id);
}

StructureGrant DirectoryService::Administer(const Actor& actor, const StructureId& structure) {
    bool allowed = actor.role == "operator";
    if (!allowed && actor.role == "structure_admin")
        allowed = db_.ReadValue([&](storage::Session& s) { return repo::IsStructureAdmin(s, actor.account, structure); });
    if (!allowed) {
        db_.Write([&](storage::Session& s) {
            audit::Append(s, audit::Event{actor.account.str(), "directory.administer " + structure.str(), "account", "",
                                          actor.ip, "denied", {}});
        });
        throw Forbidden("Seuls les administrateurs de cette structure et les opérateurs peuvent modifier son offre.");
    }
    return StructureGrant(structure, actor.account);
}

StructurePage DirectoryService::UpdateStructure(const StructureGrant& g, int64_t expected_version,
                                                const StructureDetails& d) {
    db_.Write([&](storage::Session& s) {
        const auto version = repo::StructureVersion(s, g.structure());
        if (!version) throw NotFound("Cette structure n'existe pas.");
        if (*version != expected_version) {
            throw Conflict("La fiche a été modifiée entre-temps : voici la version actuelle.",
                           ToJson(LoadStructure(s, g.structure(), NowMicros())));
        }
        repo::UpdateStructureDetails(s, g.structure(), d, NowMicros());
        storage::AppendChange(s, {"structure", g.structure().str(), "update", "directory", "{}"});
    });
    return Structure(g.structure());
}

OfferedActivity DirectoryService::AddActivity(const StructureGrant& g, const NewActivity& n) {
    ActivityRow a;
    a.id = ActivityId(NewUuidV7());
    a.structure_id = g.structure();
    a.field = n.field;
    a.care_mode = n.care_mode;
    a.label = n.label;
    a.public_min_age = n.public_min_age;
    a.public_max_age = n.public_max_age;
    a.area = n.area;
    return db_.WriteValue([&](storage::Session& s) {
        if (!repo::FindStructure(s, g.structure())) throw NotFound("Cette structure n'existe pas.");
        repo::InsertActivity(s, a, NowMicros());
        storage::AppendChange(s, {"structure", g.structure().str(), "update", "directory", "{}"});
        return OfferedActivity{*repo::FindActivity(s, g.structure(), a.id), {}};
    });
}

CapacityRow DirectoryService::SetCapacity(const StructureGrant& g, const ActivityId& activity, const std::string& type,
                                          int64_t count, const std::string& unit) {
    const CapacityRow c{type, count, unit, NowMicros(), g.by(), std::nullopt};
    db_.Write([&](storage::Session& s) {
        if (!repo::FindActivity(s, g.structure(), activity))
            throw NotFound("Cette activité n'existe pas dans cette structure.");
        repo::SetCapacity(s, activity, c);
        storage::AppendChange(s, {"capacity", activity.str(), "update", "directory", "{}"});
    });
    return c;
}

std::vector<CapacityChangeRow> DirectoryService::History(const StructureId& structure, const ActivityId& activity) {
    return db_.ReadValue([&](storage::Session& s) {
        if (!repo::FindActivity(s, structure, activity))
            throw NotFound("Cette activité n'existe pas dans cette structure.");
        return repo::CapacityHistory(s, activity);
    });
}

// ---- Vocabulary ---------------------------------------------------------------------------------------------------

std::vector<VocabularyItem> DirectoryService::Words() {
    std::vector<VocabularyItem> out;
    for (auto& e : ParseVocabulary(ShippedVocabulary())) out.push_back({"", std::move(e.words), std::move(e.meaning)});
    for (auto& w : db_.ReadValue([](storage::Session& s) { return repo::VocabularyWords(s); }))
        out.push_back({std::move(w.id), std::move(w.words), std::move(w.meaning), false, std::move(w.created_by), w.created_at});
    return out;
}

VocabularyItem DirectoryService::AddWord(const Actor& actor, const VocabularyEntry& word) {
    if (actor.role != "operator") {
        db_.Write([&](storage::Session& s) {
            audit::Append(s, audit::Event{actor.account.str(), "directory.vocabulary.add", "vocabulary", "", actor.ip,
                                          "denied", {{"words", word.words}}});
        });
        throw Forbidden("Seuls les opérateurs du territoire peuvent ajouter des mots au vocabulaire de l'annuaire.");
    }
    const auto folded = SearchWords(word.words, Vocabulary::kMaxPhraseWords + 1);
    if (folded.empty() || folded.size() > Vocabulary::kMaxPhraseWords)
        throw Invalid("words", "de 1 à " + std::to_string(Vocabulary::kMaxPhraseWords) + " mots");
    std::string key;
    for (const auto& w : folded) key += (key.empty() ? "" : " ") + w;
    for (const auto& known : Words())
        if (known.meaning == word.meaning && SearchWords(known.words, Vocabulary::kMaxPhraseWords + 1) == folded)
            throw Duplicate("words", "Ces mots ont déjà ce sens dans le vocabulaire.");
    VocabularyRow row{NewUuidV7(), word.words, word.meaning, actor.account.str(), NowMicros()};
    db_.Write([&](storage::Session& s) {
        repo::InsertVocabularyWord(s, row, key);
        audit::Append(s, audit::Event{actor.account.str(), "directory.vocabulary.add", "vocabulary", row.id, actor.ip,
                                      "success", {{"words", row.words}, {"label", row.meaning.label}}});
        storage::AppendChange(s, {"vocabulary", row.id, "create", "directory", "{}"});
    });
    auto words = LoadVocabulary();
    {
        std::lock_guard lock(index_mutex_);
        vocabulary_ = std::move(words);
    }
    return {row.id, row.words, row.meaning, false, row.created_by, row.created_at};
}

// ---- Sign-up ------------------------------------------------------------------------------------------------------

RppsEntry FindRppsEntry(storage::Database& db, const std::string& rpps) {
    auto found = db.ReadValue([&](storage::Session& s) -> std::optional<RppsEntry> {
        auto p = repo::FindActiveProfessionalByRpps(s, rpps);
        if (!p) return std::nullopt;
        auto sites = repo::SitesOf(s, p->id);
        return RppsEntry{std::move(*p), std::move(sites)};
    });
    if (!found) throw NotFound("Aucun professionnel avec ce numéro RPPS dans l'annuaire.");
    return std::move(*found);
}

std::vector<StructureRow> PickStructures(storage::Database& db, const std::string& q, int limit) {
    std::vector<std::string> words;
    std::istringstream in(FoldForSearch(q.substr(0, 200)));
    for (std::string w; words.size() < 6 && in >> w;) words.push_back(w);
    return db.ReadValue([&](storage::Session& s) { return repo::StructuresMatching(s, words, limit); });
}

}  // namespace cordee::directory

// The directory's search engine (src/directory/search_index) on a small in-memory index: prefixes, one typo, a
// typo in the word being typed, facets, distance ordering and the cap on matches. Pure: no database.
#include "directory/search_index.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>

using namespace cordee::directory;

namespace {

struct Place {
    const char *commune, *postal, *dep;
    double lat, lon;
};
constexpr Place kReims{"Reims", "51100", "51", 49.2583, 4.0317};
constexpr Place kEpernay{"Épernay", "51200", "51", 49.0433, 3.9553};
constexpr Place kTroyes{"Troyes", "10000", "10", 48.2973, 4.0744};

IndexDoc Pro(const char* id, const char* first, const char* last, const char* code, const char* label,
             const char* specialty, const Place& at) {
    IndexDoc d;
    d.id = id;
    d.name_words = std::string(first) + " " + last;
    d.other_words = std::string(label) + " " + specialty + " " + at.commune;
    d.profession_code = code;
    d.profession_label = label;
    d.postal_codes = {at.postal};
    d.departements = {at.dep};
    d.communes = {at.commune};
    d.modes = "L";
    d.lat = at.lat;
    d.lon = at.lon;
    d.has_point = true;
    d.sort_name = std::string(last) + " " + first;
    return d;
}

IndexDoc Place_(const char* id, const char* name, const char* category, const Place& at,
                std::vector<std::string> capacity = {}) {
    IndexDoc d;
    d.structure = true;
    d.id = id;
    d.name_words = name;
    d.other_words = std::string(category) + " " + at.commune;
    d.postal_codes = {at.postal};
    d.departements = {at.dep};
    d.communes = {at.commune};
    d.capacity_fields = std::move(capacity);
    d.lat = at.lat;
    d.lon = at.lon;
    d.has_point = true;
    d.sort_name = name;
    return d;
}

std::vector<std::shared_ptr<const SearchIndex>> Territory() {
    auto pros = std::make_shared<const SearchIndex>(std::vector<IndexDoc>{
        Pro("p-martin-reims", "Ghislain", "Martin", "10", "Médecin", "Cardiologie", kReims),
        Pro("p-lefevre", "Hélène", "Lefèvre", "10", "Médecin", "Médecine générale", kEpernay),
        Pro("p-ndiaye", "Aïssatou", "N'Diaye", "60", "Infirmier", "", kReims),
        Pro("p-martin-troyes", "Lucas", "Martin", "60", "Infirmier", "", kTroyes),
        Pro("p-grandjean", "Étienne", "Grandjean", "70", "Masseur-kinésithérapeute", "", kTroyes),
    });
    auto structures = std::make_shared<const SearchIndex>(std::vector<IndexDoc>{
        Place_("s-marronniers", "EHPAD Les Marronniers", "ehpad maison de retraite", kTroyes, {"Hébergement permanent"}),
        Place_("s-chu", "CHU de Reims", "chu centre hospitalier", kReims),
    });
    return {pros, structures};
}

SearchQuery Q(const std::string& q) {
    SearchQuery query;
    query.q = q;
    return query;
}

std::vector<std::string> Ids(const SearchResult& r) {
    std::vector<std::string> ids;
    for (const auto& [id, hit] : r.page) ids.push_back(id);
    return ids;
}

std::vector<std::string> Found(const std::string& q) { return Ids(RunSearch(Territory(), Q(q))); }

}  // namespace

TEST_CASE("a word being typed matches as a prefix, case and accents ignored") {
    CHECK(Found("cardio") == std::vector<std::string>{"p-martin-reims"});
    CHECK(Found("HELE") == std::vector<std::string>{"p-lefevre"});
    const auto martins = Found("mart");
    CHECK(martins.size() == 2);
    CHECK(std::count(martins.begin(), martins.end(), "p-martin-troyes") == 1);
    // Every word must match (AND); a complete word that is no word of ours is an abbreviation: its prefixes count.
    CHECK(Found("martin infirm") == std::vector<std::string>{"p-martin-troyes"});
    CHECK(Found("mart infirmier") == std::vector<std::string>{"p-martin-troyes"});
    CHECK(Found("martin kine").empty());
}

TEST_CASE("one typo is forgiven in a word of 5 letters or more, never two, and scores below the exact word") {
    CHECK(Found("cardilogie") == std::vector<std::string>{"p-martin-reims"});   // a letter missing
    CHECK(Found("cardiologie") == std::vector<std::string>{"p-martin-reims"});
    CHECK(Found("cadilogie").empty());                                           // two letters missing
    CHECK(Found("grandjan") == std::vector<std::string>{"p-grandjean"});          // and in a name
    // Two letters swapped are two edits: forgiven only in the word being typed (below), not in a complete one.
    CHECK(Found("grandjaen etienne").empty());
    CHECK(Found("etienne grandjaen") == std::vector<std::string>{"p-grandjean"});
    const auto exact = RunSearch(Territory(), Q("cardiologie"));
    const auto typo = RunSearch(Territory(), Q("cardilogie"));
    REQUIRE(exact.page.size() == 1);
    REQUIRE(typo.page.size() == 1);
    CHECK(typo.page[0].second.score < exact.page[0].second.score);
    CHECK(Found("mrtn").empty());  // 4 letters: no typo allowed
}

TEST_CASE("a typo in the word being typed: 'marronie' finds Les Marronniers") {
    CHECK(Found("marronie") == std::vector<std::string>{"s-marronniers"});
    CHECK(Found("ehpad marronie") == std::vector<std::string>{"s-marronniers"});
    CHECK(Found("marrobn") == std::vector<std::string>{"s-marronniers"});  // a wrong letter in the prefix
    CHECK(Found("marrpnie").empty());  // two edits from any prefix
}

TEST_CASE("the typo of the word being typed is looked for only when nothing begins with it as typed") {
    const std::vector<std::shared_ptr<const SearchIndex>> idx = {std::make_shared<const SearchIndex>(std::vector<IndexDoc>{
        Place_("s-marronniers", "EHPAD Les Marronniers", "ehpad", kTroyes),
        Place_("s-marroniere", "Résidence La Marronière", "residence autonomie", kTroyes),
    })};
    CHECK(Ids(RunSearch(idx, Q("marronie"))) == std::vector<std::string>{"s-marroniere"});
}

TEST_CASE("the national and the local professionals answer the word being typed as one index would") {
    // "marronie" begins a local name as typed: the national entry one typo away is not looked for, as in one index.
    const std::vector<std::shared_ptr<const SearchIndex>> idx = {
        std::make_shared<const SearchIndex>(std::vector<IndexDoc>{
            Pro("p-national", "Hugo", "Marronnier", "60", "Infirmier", "", kTroyes)}),
        std::make_shared<const SearchIndex>(std::vector<IndexDoc>{
            Pro("p-local", "Léa", "Marronie", "ASS", "Assistant de service social", "", kTroyes)}),
    };
    CHECK(Ids(RunSearch(idx, Q("marronie"))) == std::vector<std::string>{"p-local"});
    // Nothing begins with "marronnje" as typed: each index looks for its typo, and the national one has it.
    CHECK(Ids(RunSearch(idx, Q("marronnje"))) == std::vector<std::string>{"p-national"});
}

TEST_CASE("facets count each group as if its own filter were not set") {
    SearchQuery q;
    q.profession = "10";
    const SearchResult r = RunSearch(Territory(), q);
    CHECK(r.total == 2);
    CHECK(r.profession_facet.at("10") == std::pair<std::string, int64_t>{"Médecin", 2});
    CHECK(r.profession_facet.at("60").second == 2);  // the other professions, counted without the profession filter
    CHECK(r.profession_facet.at("70").second == 1);
    CHECK(r.departement_facet.at("51") == 2);        // within the profession filter
    CHECK(r.departement_facet.count("10") == 0);
    CHECK(r.kind_facet.at("professional") == 2);
    CHECK(r.kind_facet.count("structure") == 0);  // structures have no profession

    SearchQuery by_dep;
    by_dep.departement = "10";
    const SearchResult d = RunSearch(Territory(), by_dep);
    CHECK(d.total == 3);  // two professionals and the EHPAD in the Aube
    CHECK(d.kind_facet.at("professional") == 2);
    CHECK(d.kind_facet.at("structure") == 1);
    CHECK(d.departement_facet.at("51") == 4);  // the other département, without the filter (CHU included)
    CHECK(d.departement_facet.at("10") == 3);
    CHECK(d.mode_facet.at("L") == 2);
}

TEST_CASE("filters are terms: practice mode, commune, capacity") {
    SearchQuery q;
    q.has_capacity = "hebergement permanent";  // folded like the indexed value
    CHECK(Ids(RunSearch(Territory(), q)) == std::vector<std::string>{"s-marronniers"});
    SearchQuery c;
    c.commune = "EPERNAY";
    CHECK(Ids(RunSearch(Territory(), c)) == std::vector<std::string>{"p-lefevre"});
    SearchQuery s = Q("martin");
    s.practice_mode = "S";
    CHECK(RunSearch(Territory(), s).total == 0);
}

TEST_CASE("equal matches are ordered by distance to the given point, and a radius keeps the near ones") {
    SearchQuery q = Q("martin");
    q.lat = kTroyes.lat;
    q.lon = kTroyes.lon;
    const SearchResult r = RunSearch(Territory(), q);
    REQUIRE(r.page.size() == 2);
    CHECK(r.page[0].first == "p-martin-troyes");
    CHECK(r.page[0].second.distance_km == doctest::Approx(0).epsilon(0.01));
    CHECK(r.page[1].first == "p-martin-reims");
    CHECK(r.page[1].second.distance_km == doctest::Approx(107).epsilon(0.05));  // Troyes–Reims as the crow flies
    q.lat = kReims.lat;
    q.lon = kReims.lon;
    CHECK(Ids(RunSearch(Territory(), q)).front() == "p-martin-reims");
    q.radius_km = 50;
    CHECK(Ids(RunSearch(Territory(), q)) == std::vector<std::string>{"p-martin-reims"});
    SearchQuery near;
    near.lat = kEpernay.lat;
    near.lon = kEpernay.lon;
    near.radius_km = 40;  // Épernay and Reims (about 25 km), not Troyes
    const auto around = RunSearch(Territory(), near);
    CHECK(around.total == 4);
    CHECK(Ids(around).front() == "p-lefevre");
}

TEST_CASE("a query stops at 1,000 matches per index and says that the total is a minimum") {
    auto many = [](size_t n) {
        std::vector<IndexDoc> docs;
        for (size_t i = 0; i < n; ++i) {
            IndexDoc d = Pro("", "Anne", "Dupont", "60", "Infirmier", "", kReims);
            char id[16];
            std::snprintf(id, sizeof id, "p%05zu", i);
            d.id = id;
            docs.push_back(std::move(d));
        }
        return std::vector<std::shared_ptr<const SearchIndex>>{std::make_shared<const SearchIndex>(std::move(docs))};
    };
    const SearchResult capped = RunSearch(many(1500), Q("dupont"));
    CHECK(capped.total == 1000);
    CHECK(capped.total_capped);
    CHECK(capped.page.size() == 20);
    CHECK(capped.profession_facet.at("60").second == 1000);
    const SearchResult all = RunSearch(many(999), Q("dupont"));
    CHECK(all.total == 999);
    CHECK_FALSE(all.total_capped);
    SearchQuery page3 = Q("dupont");
    page3.offset = 40;
    page3.limit = 20;
    CHECK(RunSearch(many(999), page3).page.size() == 20);
}

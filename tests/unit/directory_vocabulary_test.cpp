// The directory's vocabulary (src/directory/vocabulary): the shipped file and its parsing, the matching of a
// query's words (longest phrase, one typo, several meanings), and the search index reading the words it knows as
// what they mean. Pure: no database.
#include "directory/search_index.hpp"
#include "directory/vocabulary.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace cordee::directory;

namespace {

std::vector<std::string> Labels(const Vocabulary::Concept& c) {
    std::vector<std::string> out;
    for (const auto& m : c.meanings) out.push_back(m.label);
    return out;
}

IndexDoc Pro(const char* id, const char* name, const char* code, const char* label, const char* specialty,
             const char* mode, const char* commune) {
    IndexDoc d;
    d.id = id;
    d.name_words = name;
    d.other_words = std::string(label) + " " + specialty + " " + commune;
    d.profession_code = code;
    d.profession_label = label;
    d.specialty = specialty;
    d.modes = mode;
    d.communes = {commune};
    d.sort_name = name;
    return d;
}

IndexDoc Place(const char* id, const char* name, const char* category_code, const char* kind, const char* commune) {
    IndexDoc d;
    d.structure = true;
    d.id = id;
    d.name_words = name;
    d.other_words = std::string(kind) + " " + commune;
    if (*category_code) d.categories.push_back(category_code);
    if (*kind) d.categories.push_back(kind);
    d.communes = {commune};
    d.sort_name = name;
    return d;
}

std::vector<std::shared_ptr<const SearchIndex>> Territory() {
    auto pros = std::make_shared<const SearchIndex>(std::vector<IndexDoc>{
        Pro("gp-reims", "Claire Fontaine", "10", "Médecin", "Médecine générale", "L", "Reims"),
        Pro("cardio-reims", "Hugo Martin", "10", "Médecin", "Cardiologie", "L", "Reims"),
        Pro("gp-troyes", "Léa Simon", "10", "Médecin", "Médecine Générale", "S", "Troyes"),
        Pro("idel-troyes", "Karim Benali", "60", "Infirmier", "", "L", "Troyes"),
        Pro("ide-troyes", "Manon Roux", "60", "Infirmier", "", "S", "Troyes"),
        Pro("idel-reims", "Zoé Blanc", "60", "Infirmier", "", "L", "Reims"),
        Pro("psychologue", "Inès Faure", "93", "Psychologue", "", "L", "Reims"),
        Pro("psychiatre", "Jules Perrin", "10", "Médecin", "Psychiatrie", "S", "Reims"),
        // Named like a word of the vocabulary: still found by name.
        Pro("mr-kine", "Paul Kiné", "21", "Pharmacien", "", "L", "Reims"),
    });
    auto places = std::make_shared<const SearchIndex>(std::vector<IndexDoc>{
        Place("ehpad-tilleuls", "Les Tilleuls", "500", "EHPAD", "Reims"),
        Place("ehpad-local", "Résidence du Parc", "", "EHPAD", "Troyes"),
        Place("named-ehpad", "Accueil de jour EHPAD Saint-Rémi", "", "Accueil de jour", "Reims"),
        Place("pharmacie-centre", "Pharmacie du Centre", "", "Officine", "Reims"),
        Place("ccas-reims", "CCAS de Reims", "", "CCAS", "Reims"),
        Place("ssiad", "Soins à domicile rémois", "354", "Service de soins infirmiers à domicile", "Reims"),
    });
    return {pros, places};
}

const Vocabulary& Shipped() {
    static const Vocabulary v(ParseVocabulary(ShippedVocabulary()));
    return v;
}

std::vector<std::string> Ids(const SearchResult& r) {
    std::vector<std::string> out;
    for (const auto& [id, hit] : r.page) out.push_back(id);
    return out;
}

SearchResult Find(const std::string& text) {
    static const auto territory = Territory();
    SearchQuery q;
    q.q = text;
    return RunSearch(territory, q, &Shipped());
}

}  // namespace

TEST_CASE("vocabulary file: comments, synonyms, several meanings, and the lines that cannot be used") {
    std::vector<VocabularyLineError> errors;
    const auto entries = ParseVocabulary("# a comment\n"
                                         "\n"
                                         "idel, infirmier libéral\tInfirmier libéral\t60\t\tL\r\n"
                                         "psy\tPsychologue\t93\n"
                                         "psy\tPsychiatre\t10\tPsychiatrie\n"
                                         "ehpad\tEHPAD\t\t\t\t500|EHPAD\n"
                                         "sans sens\tRien\n"
                                         "\tSans mots\t10\n"
                                         "mauvais mode\tX\t60\t\tB\n",
                                         &errors);
    REQUIRE(entries.size() == 5);
    CHECK(entries[0].words == "idel");
    CHECK(entries[1].words == "infirmier libéral");
    CHECK(entries[1].meaning == Meaning{"Infirmier libéral", "60", "", "L", ""});
    CHECK(entries[4].meaning.category == "500|EHPAD");
    REQUIRE(errors.size() == 3);
    CHECK(errors[0].line == 7);
    CHECK(errors[1].line == 8);
    CHECK(errors[1].reason == "mots manquants");
    CHECK(errors[2].line == 9);
    CHECK(errors[2].reason.find("mode") != std::string::npos);

    const Vocabulary v(entries);
    const auto psy = v.Match({"psy"});
    REQUIRE(psy.concepts.size() == 1);
    CHECK(Labels(psy.concepts[0]) == std::vector<std::string>{"Psychologue", "Psychiatre"});
    // "500|EHPAD": a FINESS category or a local structure's kind, two meanings of one label.
    const auto ehpad = v.Match({"ehpad"});
    REQUIRE(ehpad.concepts[0].meanings.size() == 2);
    CHECK(ehpad.concepts[0].meanings[0].category == "500");
    CHECK(ehpad.concepts[0].meanings[1].category == "EHPAD");
}

TEST_CASE("the shipped vocabulary has no unusable line and knows the words professionals use") {
    std::vector<VocabularyLineError> errors;
    const Vocabulary v(ParseVocabulary(ShippedVocabulary(), &errors));
    CHECK(errors.empty());
    for (const char* words : {"généraliste", "médecin généraliste", "MG", "infirmier libéral", "IDEL", "kiné", "psy",
                              "orthophoniste", "pharmacie", "SSIAD", "SAAD", "EHPAD", "PMI", "CCAS", "DAC", "CPTS"}) {
        CAPTURE(words);
        const auto parsed = v.Match(SearchWords(words));
        CHECK(parsed.free_words.empty());
        CHECK(parsed.concepts.size() == 1);
    }
}

TEST_CASE("matching: the longest phrase, place words left free, one typo, the word being typed") {
    const Vocabulary& v = Shipped();
    auto parsed = v.Match(SearchWords("Médecin généraliste Reims"));
    REQUIRE(parsed.concepts.size() == 1);
    CHECK(parsed.concepts[0].words == std::vector<std::string>{"medecin", "generaliste"});
    CHECK(Labels(parsed.concepts[0]) == std::vector<std::string>{"Médecin généraliste"});
    CHECK(parsed.free_words == std::vector<std::string>{"reims"});
    CHECK_FALSE(parsed.last_in_concept);

    parsed = v.Match(SearchWords("troyes infirmière libérale"));
    REQUIRE(parsed.concepts.size() == 1);
    CHECK(parsed.concepts[0].meanings[0].mode == "L");
    CHECK(parsed.free_words == std::vector<std::string>{"troyes"});
    CHECK(parsed.last_in_concept);

    parsed = v.Match(SearchWords("generalste"));  // one letter missing
    REQUIRE(parsed.concepts.size() == 1);
    CHECK(Labels(parsed.concepts[0]) == std::vector<std::string>{"Médecin généraliste"});
    // Short words have no typo: "mh" is not "mg".
    CHECK(v.Match({"mh"}).concepts.empty());
    // Two concepts in one query.
    parsed = v.Match(SearchWords("kiné libéral"));
    CHECK(parsed.concepts.size() == 2);
    CHECK(v.Match(SearchWords("dupont 51100")).concepts.empty());
}

TEST_CASE("search: a profession and its specialty, a practice mode, and the place words") {
    auto r = Find("généraliste reims");
    CHECK(Ids(r) == std::vector<std::string>{"gp-reims"});
    REQUIRE(r.understood.size() == 1);
    CHECK(r.understood[0].first == "generaliste");
    CHECK(r.understood[0].second == std::vector<std::string>{"Médecin généraliste"});
    // The national file writes "Médecine Générale": the same specialty.
    CHECK(Ids(Find("MG troyes")) == std::vector<std::string>{"gp-troyes"});
    CHECK(Ids(Find("idel troyes")) == std::vector<std::string>{"idel-troyes"});
    CHECK(Ids(Find("infirmier libéral troyes")) == std::vector<std::string>{"idel-troyes"});
    auto nurses = Ids(Find("infirmier troyes"));
    std::sort(nurses.begin(), nurses.end());
    CHECK(nurses == std::vector<std::string>{"ide-troyes", "idel-troyes"});
    auto psy = Ids(Find("psy"));
    std::sort(psy.begin(), psy.end());
    CHECK(psy == std::vector<std::string>{"psychiatre", "psychologue"});
    // A person whose name is a word of the vocabulary is still found by it, after the kinés.
    CHECK(Ids(Find("kiné reims")) == std::vector<std::string>{"mr-kine"});
}

TEST_CASE("search: a kind of structure ranks the structures of that kind first, the text still finds the others") {
    const auto ehpad = Ids(Find("ehpad"));
    REQUIRE(ehpad.size() == 3);
    // By FINESS category (500) or local kind ("EHPAD") first; a name holding the word after.
    CHECK(((ehpad[0] == "ehpad-tilleuls" && ehpad[1] == "ehpad-local") || (ehpad[0] == "ehpad-local" && ehpad[1] == "ehpad-tilleuls")));
    CHECK(ehpad[2] == "named-ehpad");
    CHECK(Ids(Find("ehpad troyes")) == std::vector<std::string>{"ehpad-local"});
    CHECK(Ids(Find("ssiad")) == std::vector<std::string>{"ssiad"});
    CHECK(Ids(Find("ccas")) == std::vector<std::string>{"ccas-reims"});
    // No category: "Pharmacie du Centre" is found by its name (first; the pharmacist after, "pharmacien" a typo away).
    CHECK(Ids(Find("pharmacie reims")).at(0) == "pharmacie-centre");
    // Without a vocabulary, the words are only text.
    SearchQuery q;
    q.q = "généraliste reims";
    CHECK(RunSearch(Territory(), q).page.empty());
}

#pragma once
// The words professionals use to name each other ("généraliste", "IDEL", "kiné", "EHPAD", "CCAS"…) and what
// they mean in the directory: a profession (RPPS code), a specialty (savoir-faire label), a practice mode
// (L libéral, S salarié) and/or a structure category (FINESS category code, or the kind of a local structure).
// Kept as data: a file shipped with Cordée (src/directory/vocabulary.tsv, embedded in the binary) plus the
// words the territory's operators add (table directory_vocabulary). Pure: no database, no index.
// See docs/directory.md, "Vocabulary".
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cordee::directory {

// What a word means; an empty field asks nothing. Every given field must hold for an entry to be meant.
struct Meaning {
    std::string label;  // what the page says it understood ("Médecin généraliste")
    std::string profession, specialty, mode, category;
    bool operator==(const Meaning&) const = default;
};

struct VocabularyEntry {
    std::string words;  // as written ("médecin généraliste")
    Meaning meaning;
};

// One line of the shipped file that cannot be used: its number and why.
struct VocabularyLineError {
    size_t line = 0;
    std::string reason;
};

// The shipped file: `#` comments and blank lines; otherwise tab-separated columns
//   words (synonyms separated by ", ")  label  profession  specialty  mode  category
// (trailing empty columns may be left out). Lines that cannot be used are reported, the others kept.
std::vector<VocabularyEntry> ParseVocabulary(std::string_view text, std::vector<VocabularyLineError>* errors = nullptr);
// Why a meaning cannot be used ("" when it can): a label and at least one field, a mode of L or S.
std::string MeaningProblem(const Meaning& m);
// The text embedded from src/directory/vocabulary.tsv.
std::string_view ShippedVocabulary();

class Vocabulary {
public:
    static constexpr size_t kMaxPhraseWords = 5;
    explicit Vocabulary(const std::vector<VocabularyEntry>& entries);

    // A run of query words that names something of the vocabulary.
    struct Concept {
        std::vector<std::string> words;  // the folded query words it took
        std::vector<Meaning> meanings;   // any of them (a word may name several things: "psy")
    };
    struct Parsed {
        std::vector<std::string> free_words;  // names, places, anything else
        std::vector<Concept> concepts;
        bool last_in_concept = false;  // the word being typed is a concept's (else the last free word)
    };
    // `words` are folded search words (SearchWords). The longest phrase wins at each position ("médecin
    // généraliste" over "médecin"); a single word of 5+ letters may have one typo ("generalste").
    Parsed Match(const std::vector<std::string>& words) const;
    size_t size() const { return phrases_.size(); }

private:
    std::map<std::string, std::vector<Meaning>> phrases_;  // folded words joined by one space
};

}  // namespace cordee::directory

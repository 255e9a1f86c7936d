#pragma once
// The directory's search engine: an in-memory inverted index over folded words (case and accents
// ignored), with prefixes, one typo per word of 5+ letters (deletion neighbourhoods), filters as
// special terms, distance, facets and ranking. The same engine serves SQLite and PostgreSQL (the
// database stays the truth; the index is rebuilt from it), and beats both engines' own full-text
// search on our queries (bench/directory_search.sh). See docs/directory.md.
#include "directory/vocabulary.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace cordee::directory {

struct IndexDoc {
    std::string id;
    bool structure = false;
    std::string name_words;   // names: weigh more
    std::string other_words;  // profession, specialty, category, communes…
    std::string profession_code, profession_label;
    std::vector<std::string> departements, postal_codes, communes;  // all the places of the entry
    std::vector<std::string> capacity_fields;  // activity fields with places available (structures)
    std::string modes;                          // practice modes: "L", "S", "B"
    std::string specialty;                      // savoir-faire label: what the vocabulary names ("généraliste")
    std::vector<std::string> categories;        // FINESS category code, kind of structure (vocabulary)
    double lat = 0, lon = 0;
    bool has_point = false;
    std::string sort_name;
};

struct SearchQuery {
    std::string q;
    std::optional<bool> structures;  // kind filter
    std::string profession, departement, commune, postal_code, practice_mode, has_capacity;
    std::optional<double> lat, lon, radius_km;
    int offset = 0, limit = 20;
};

struct SearchHit {
    uint32_t doc;
    float score;
    float distance_km;  // < 0 when unknown
    bool structure = false;
};

struct SearchResult {
    int64_t total = 0;
    bool total_capped = false;  // more matched than were counted: `total` is a lower bound
    std::vector<std::pair<std::string, SearchHit>> page;  // (id, hit)
    std::map<std::string, int64_t> kind_facet, mode_facet, departement_facet;
    std::map<std::string, std::pair<std::string, int64_t>> profession_facet;  // code → (label, count)
    // The words of the query the vocabulary knew, with what they were taken to mean ("idel" → "Infirmier libéral").
    std::vector<std::pair<std::string, std::vector<std::string>>> understood;
};

class SearchIndex {
public:
    explicit SearchIndex(std::vector<IndexDoc> docs);
    size_t size() const { return docs_.size(); }

    // What one typed word matches in this index: its exact term, the range of terms it begins (sorted
    // vocabulary: a prefix is a contiguous range of ids) and the terms one typo away. Checking whether an
    // entry holds the word is then a comparison or two per term of the entry, with no table to clear.
    struct WordMatch {
        int64_t exact = -1;
        uint32_t lo = 0, hi = 0;       // prefix range [lo, hi), empty when the word is complete and known
        std::vector<uint32_t> typos;   // sorted
        size_t postings = 0;           // entries behind the terms the candidates are drawn from
        std::vector<std::pair<uint32_t, float>> drive;  // those terms, best first (capped)
        uint8_t Tenth(uint32_t term) const {
            if (static_cast<int64_t>(term) == exact) return 10;
            if (term >= lo && term < hi) return 8;
            return std::binary_search(typos.begin(), typos.end(), term) ? 6 : 0;
        }
    };
    // The words of a query prepared once for this index and shared by every pass of the query (results and
    // each disjunctive facet); empty `ok` when a word matches nothing here.
    // A run of words the vocabulary knows: an entry matches when it has every term of one of the meanings
    // (profession, specialty, mode, category as filter terms), or else when it holds the words themselves.
    struct ConceptMatch {
        std::vector<std::vector<uint32_t>> meanings;  // per meaning: the terms it needs
        std::vector<WordMatch> words;                 // the words as text; empty when one of them matches nothing
        size_t postings = 0;
        std::vector<std::pair<uint32_t, float>> drive;  // the rarest term of each meaning, then the text's drive
        float weight = 0;                               // the score of a meant entry
    };
    struct Prepared {
        bool ok = true;
        std::vector<WordMatch> words;
        std::vector<ConceptMatch> concepts;
    };
    // `typo_prefix` false: the word being typed gets no typo as a prefix here, since an index of the same kind begins
    // with it as typed (the national and the local professionals answer as one index would).
    Prepared Prepare(const std::vector<std::string>& words, const std::vector<Vocabulary::Concept>& concepts = {},
                     bool last_is_concept = false, bool typo_prefix = true) const;
    bool Begins(const std::string& word) const;  // some term begins with it
    // Matches of this index, added to `all` (several indexes answer one query).
    // Returns true when it stopped early (too many matches to count them all).
    bool Collect(const SearchQuery& q, const Prepared& prepared,
                 std::vector<std::pair<const SearchIndex*, SearchHit>>& all, size_t max_visits) const;
    const IndexDoc& doc(uint32_t i) const { return docs_[i]; }
    uint32_t name_rank(uint32_t i) const { return name_rank_[i]; }
    bool structures() const { return structures_; }

    // What facets and distances need of an entry, packed together: a query touching thousands of entries
    // reads one cache line each instead of chasing the strings of IndexDoc.
    struct Compact {
        float lat = 0, lon = 0;
        uint16_t profession = 0;  // index in profession_codes(), 0 = none
        uint16_t dep[2] = {0, 0};  // indexes in departements(), 0 = none
        uint8_t modes = 0;         // bit 0 L, 1 S, 2 B
        bool has_point = false;
    };
    const Compact& compact(uint32_t i) const { return compact_[i]; }
    const std::vector<std::pair<std::string, std::string>>& professions() const { return professions_; }
    const std::vector<std::string>& departements() const { return departements_; }

private:
    WordMatch Expand(const std::string& word, bool prefix, bool typo_prefix = true) const;
    ConceptMatch ExpandConcept(const Vocabulary::Concept& c, bool prefix, bool typo_prefix) const;
    std::optional<uint32_t> Term(const std::string& t) const;
    const std::vector<uint32_t>* Postings(const std::string& t) const;
    // Entries within `radius_km` of a point, by grid cell; nothing when the grid would give more than `cap`.
    bool Nearby(double lat, double lon, double radius_km, size_t cap, std::vector<uint32_t>& out) const;

    std::vector<IndexDoc> docs_;
    std::vector<uint32_t> name_rank_;
    std::vector<Compact> compact_;
    std::vector<std::pair<std::string, std::string>> professions_;  // (code, label); [0] is "none"
    std::vector<std::string> departements_;                          // [0] is "none"
    bool structures_ = false;
    std::vector<std::string> terms_;                // sorted
    std::vector<std::vector<uint32_t>> postings_;   // per term: docs, ascending
    std::vector<uint32_t> forward_offsets_;         // per doc: range in forward_
    std::vector<uint32_t> forward_;                 // term id | kNameBit
    std::vector<std::pair<uint64_t, uint32_t>> deletions_;  // (hash of a one-letter deletion, term id), sorted
    std::vector<std::pair<uint32_t, uint32_t>> grid_;  // (cell, doc) sorted: entries with a point, by 0.05° cell
};

// Words of a query or a field: folded, split on anything but letters and digits.
std::vector<std::string> SearchWords(const std::string& text, size_t max_words = 12);
// With a vocabulary, the words it knows are read as what they mean (Vocabulary::Match).
SearchResult RunSearch(const std::vector<std::shared_ptr<const SearchIndex>>& indexes, const SearchQuery& q,
                       const Vocabulary* vocabulary = nullptr);
double HaversineKm(double lat1, double lon1, double lat2, double lon2);

}  // namespace cordee::directory

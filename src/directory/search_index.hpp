#pragma once
// The directory's search engine: an in-memory inverted index over folded words (case and accents
// ignored), with prefixes, one typo per word of 5+ letters (deletion neighbourhoods), filters as
// special terms, distance, facets and ranking. The same engine serves SQLite and PostgreSQL (the
// database stays the truth; the index is rebuilt from it), and beats both engines' own full-text
// search on our queries (bench/directory_search.sh). See docs/directory.md.
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
};

struct SearchResult {
    int64_t total = 0;
    bool total_capped = false;  // more matched than were counted: `total` is a lower bound
    std::vector<std::pair<std::string, SearchHit>> page;  // (id, hit)
    std::map<std::string, int64_t> kind_facet, mode_facet, departement_facet;
    std::map<std::string, std::pair<std::string, int64_t>> profession_facet;  // code → (label, count)
};

class SearchIndex {
public:
    explicit SearchIndex(std::vector<IndexDoc> docs);
    size_t size() const { return docs_.size(); }
    // Matches of this index, added to `all` (several indexes answer one query).
    // Returns true when it stopped early (too many matches to count them all).
    bool Collect(const SearchQuery& q, const std::vector<std::string>& words,
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
    struct Candidate {
        std::unordered_map<uint32_t, float> terms;  // term id → match quality
        size_t postings = 0;
        // The check done for each candidate: a short list when the word has few terms, else a table by
        // term id (in tenths of quality, 0 = no match); clearing a table the vocabulary's size costs more
        // than scanning a few terms.
        std::vector<std::pair<uint32_t, uint8_t>> few;
        std::vector<uint8_t> quality;
        uint8_t Tenth(uint32_t term) const {
            if (quality.empty()) {
                for (const auto& [t, q] : few)
                    if (t == term) return q;
                return 0;
            }
            return quality[term];
        }
    };
    Candidate Expand(const std::string& word, bool prefix) const;
    std::optional<uint32_t> Term(const std::string& t) const;
    const std::vector<uint32_t>* Postings(const std::string& t) const;

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
};

// Words of a query or a field: folded, split on anything but letters and digits.
std::vector<std::string> SearchWords(const std::string& text, size_t max_words = 12);
SearchResult RunSearch(const std::vector<std::shared_ptr<const SearchIndex>>& indexes, const SearchQuery& q);
double HaversineKm(double lat1, double lon1, double lat2, double lon2);

}  // namespace cordee::directory

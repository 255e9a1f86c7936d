#include "directory/search_index.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <utility>

namespace cordee::directory {
namespace {

constexpr uint32_t kNameBit = 0x80000000u;
constexpr size_t kMaxPrefixTerms = 2000;  // a one-letter prefix must not expand to the whole vocabulary
constexpr size_t kMaxTypoPrefixTerms = 200;  // terms a mistyped prefix may begin
constexpr float kExact = 1.0f, kPrefix = 0.8f, kTypo = 0.6f, kOtherField = 0.7f;
constexpr float kConcept = 1.1f;  // per word: what a vocabulary word means ranks above the same text in a name
constexpr size_t kMaxHits = 1000;     // per index: beyond, totals and facets say "at least"
constexpr size_t kMaxVisits = 20000;  // candidates examined per index: bounds a query whose filters reject most
constexpr size_t kMaxFacetVisits = 2000;  // the same for the extra passes of disjunctive facets (counts are "at least")

uint64_t Hash(std::string_view s) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

bool AtMostOneEdit(std::string_view a, std::string_view b) {
    if (a.size() > b.size()) std::swap(a, b);
    if (b.size() - a.size() > 1) return false;
    size_t i = 0;
    while (i < a.size() && a[i] == b[i]) ++i;
    if (a.size() == b.size()) return a.substr(i + (i < a.size())) == b.substr(i + (i < b.size()));
    return a.substr(i) == b.substr(i + 1);
}

constexpr double kCellDegrees = 0.05;  // about 5.5 km of latitude
constexpr size_t kMaxGridCandidates = 100000;

uint32_t GridRow(double lat) { return static_cast<uint32_t>(std::clamp((lat + 90.0) / kCellDegrees, 0.0, 3599.0)); }
uint32_t GridCol(double lon) { return static_cast<uint32_t>(std::clamp((lon + 180.0) / kCellDegrees, 0.0, 7199.0)); }
uint32_t GridCell(double lat, double lon) { return GridRow(lat) << 16 | GridCol(lon); }

// Filter values are indexed as terms that no typed word can produce (they start with a control byte).
std::string FilterTerm(const char* kind, const std::string& value) { return std::string("\x01") + kind + ":" + value; }

}  // namespace

std::vector<std::string> SearchWords(const std::string& text, size_t max_words) {
    std::vector<std::string> out;
    const std::string folded = FoldForSearch(text);
    std::string cur;
    auto push = [&] {
        if (!cur.empty() && out.size() < max_words) out.push_back(cur.substr(0, 40));
        cur.clear();
    };
    for (unsigned char c : folded) {
        const bool word_char = std::isalnum(c) || c >= 0x80;
        if (word_char) cur.push_back(static_cast<char>(c));
        else push();
    }
    push();
    return out;
}

double HaversineKm(double lat1, double lon1, double lat2, double lon2) {
    constexpr double kRad = M_PI / 180.0, kEarthKm = 6371.0;
    const double dlat = (lat2 - lat1) * kRad, dlon = (lon2 - lon1) * kRad;
    const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                     std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2 * kEarthKm * std::asin(std::min(1.0, std::sqrt(a)));
}

SearchIndex::SearchIndex(std::vector<IndexDoc> docs) : docs_(std::move(docs)) {
    // Vocabulary with provisional ids, the forward lists, then sorted ids and postings by counting.
    std::unordered_map<std::string, uint32_t> vocab;
    std::vector<std::string> by_id;
    auto id_of = [&](const std::string& t) {
        auto [it, fresh] = vocab.emplace(t, static_cast<uint32_t>(by_id.size()));
        if (fresh) by_id.push_back(t);
        return it->second;
    };
    forward_offsets_.reserve(docs_.size() + 1);
    forward_offsets_.push_back(0);
    std::vector<uint32_t> doc_terms;
    for (auto& d : docs_) {
        doc_terms.clear();
        for (const auto& w : SearchWords(d.name_words, 24)) doc_terms.push_back(id_of(w) | kNameBit);
        for (const auto& w : SearchWords(d.other_words, 32)) doc_terms.push_back(id_of(w));
        for (const auto& v : d.postal_codes) doc_terms.push_back(id_of(v));
        for (const auto& v : d.departements) doc_terms.push_back(id_of(v));
        doc_terms.push_back(id_of(FilterTerm("k", d.structure ? "s" : "p")));
        if (!d.profession_code.empty()) doc_terms.push_back(id_of(FilterTerm("p", d.profession_code)));
        for (const auto& v : d.departements) doc_terms.push_back(id_of(FilterTerm("d", v)));
        for (const auto& v : d.postal_codes) doc_terms.push_back(id_of(FilterTerm("cp", v)));
        for (const auto& v : d.communes) doc_terms.push_back(id_of(FilterTerm("c", FoldForSearch(v))));
        for (char m : d.modes) doc_terms.push_back(id_of(FilterTerm("m", std::string(1, m))));
        if (!d.specialty.empty()) doc_terms.push_back(id_of(FilterTerm("sf", FoldForSearch(d.specialty))));
        for (const auto& v : d.categories) doc_terms.push_back(id_of(FilterTerm("cat", FoldForSearch(v))));
        // Only their terms are needed from now on: a national index keeps 1.5 million entries.
        std::string().swap(d.specialty);
        std::vector<std::string>().swap(d.categories);
        for (const auto& v : d.capacity_fields) doc_terms.push_back(id_of(FilterTerm("cap", FoldForSearch(v))));
        // One entry per term and doc; the name flag wins when a word is in both.
        std::sort(doc_terms.begin(), doc_terms.end(), [](uint32_t a, uint32_t b) {
            return (a & ~kNameBit) != (b & ~kNameBit) ? (a & ~kNameBit) < (b & ~kNameBit) : a > b;
        });
        doc_terms.erase(std::unique(doc_terms.begin(), doc_terms.end(),
                                    [](uint32_t a, uint32_t b) { return (a & ~kNameBit) == (b & ~kNameBit); }),
                        doc_terms.end());
        forward_.insert(forward_.end(), doc_terms.begin(), doc_terms.end());
        forward_offsets_.push_back(static_cast<uint32_t>(forward_.size()));
    }
    // Sorted vocabulary: prefixes become ranges.
    std::vector<uint32_t> order(by_id.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return by_id[a] < by_id[b]; });
    std::vector<uint32_t> remap(by_id.size());
    terms_.resize(by_id.size());
    for (uint32_t i = 0; i < order.size(); ++i) {
        remap[order[i]] = i;
        terms_[i] = std::move(by_id[order[i]]);
    }
    std::vector<uint32_t> counts(terms_.size(), 0);
    for (auto& t : forward_) {
        t = remap[t & ~kNameBit] | (t & kNameBit);
        ++counts[t & ~kNameBit];
    }
    postings_.resize(terms_.size());
    for (size_t i = 0; i < terms_.size(); ++i) postings_[i].reserve(counts[i]);
    for (uint32_t d = 0; d + 1 < forward_offsets_.size(); ++d)
        for (uint32_t k = forward_offsets_[d]; k < forward_offsets_[d + 1]; ++k) postings_[forward_[k] & ~kNameBit].push_back(d);
    // One-letter deletions of every word of 4+ letters, for typo tolerance.
    for (uint32_t i = 0; i < terms_.size(); ++i) {
        const std::string& t = terms_[i];
        if (t.size() < 4 || t[0] == '\x01') continue;
        deletions_.emplace_back(Hash(t), i);
        for (size_t k = 0; k < t.size(); ++k) deletions_.emplace_back(Hash(t.substr(0, k) + t.substr(k + 1)), i);
    }
    std::sort(deletions_.begin(), deletions_.end());
    deletions_.erase(std::unique(deletions_.begin(), deletions_.end()), deletions_.end());
    // Packed facet and distance data.
    structures_ = !docs_.empty() && docs_[0].structure;
    professions_.emplace_back();
    departements_.emplace_back();
    std::unordered_map<std::string, uint16_t> prof_ids, dep_ids;
    compact_.resize(docs_.size());
    for (size_t i = 0; i < docs_.size(); ++i) {
        const IndexDoc& d = docs_[i];
        Compact& c = compact_[i];
        c.lat = static_cast<float>(d.lat);
        c.lon = static_cast<float>(d.lon);
        c.has_point = d.has_point;
        if (!d.profession_code.empty()) {
            auto [it, fresh] = prof_ids.emplace(d.profession_code, static_cast<uint16_t>(professions_.size()));
            if (fresh && professions_.size() < 65535) professions_.emplace_back(d.profession_code, d.profession_label);
            c.profession = it->second;
        }
        for (size_t k = 0; k < std::min<size_t>(2, d.departements.size()); ++k) {
            auto [it, fresh] = dep_ids.emplace(d.departements[k], static_cast<uint16_t>(departements_.size()));
            if (fresh) departements_.push_back(d.departements[k]);
            c.dep[k] = it->second;
        }
        for (char m : d.modes) c.modes |= m == 'L' ? 1 : m == 'S' ? 2 : m == 'B' ? 4 : 0;
    }
    // Entries with a point by grid cell, for distance queries.
    for (uint32_t i = 0; i < compact_.size(); ++i)
        if (compact_[i].has_point) grid_.emplace_back(GridCell(compact_[i].lat, compact_[i].lon), i);
    std::sort(grid_.begin(), grid_.end());
    // Ties are broken by name.
    std::vector<uint32_t> by_name(docs_.size());
    std::iota(by_name.begin(), by_name.end(), 0u);
    std::sort(by_name.begin(), by_name.end(), [&](uint32_t a, uint32_t b) { return docs_[a].sort_name < docs_[b].sort_name; });
    name_rank_.resize(docs_.size());
    for (uint32_t r = 0; r < by_name.size(); ++r) name_rank_[by_name[r]] = r;
}

std::optional<uint32_t> SearchIndex::Term(const std::string& t) const {
    auto it = std::lower_bound(terms_.begin(), terms_.end(), t);
    if (it == terms_.end() || *it != t) return std::nullopt;
    return static_cast<uint32_t>(it - terms_.begin());
}

const std::vector<uint32_t>* SearchIndex::Postings(const std::string& t) const {
    auto id = Term(t);
    return id ? &postings_[*id] : nullptr;
}

// Words followed by a space are complete: exact (or one typo when the word is unknown). The last word is
// being typed: its prefixes count too. Fewer expansions also make fewer candidates to check.
bool SearchIndex::Begins(const std::string& word) const {
    const auto lo = std::lower_bound(terms_.begin(), terms_.end(), word);
    return lo != terms_.end() && lo->compare(0, word.size(), word) == 0;
}

SearchIndex::WordMatch SearchIndex::Expand(const std::string& word, bool prefix, bool typo_prefix) const {
    WordMatch m;
    auto it = std::lower_bound(terms_.begin(), terms_.end(), word);
    const bool exact = it != terms_.end() && *it == word;
    std::vector<std::pair<uint32_t, float>> drive;
    if (exact) {
        m.exact = it - terms_.begin();
        drive.emplace_back(static_cast<uint32_t>(m.exact), kExact);
    }
    // A complete word that is no word of ours is an abbreviation ("kiné", "cardio"): its prefixes count. Terms are
    // sorted bytes and no term holds the byte 0xFF, so the prefix's terms end before word + 0xFF.
    if (prefix || !exact) {
        const auto end = std::lower_bound(it, terms_.end(), word + '\xff');
        m.lo = static_cast<uint32_t>(it - terms_.begin());
        m.hi = static_cast<uint32_t>(end - terms_.begin());
        for (uint32_t k = m.lo; k < m.hi && drive.size() < kMaxPrefixTerms; ++k)
            if (static_cast<int64_t>(k) != m.exact) drive.emplace_back(k, kPrefix);
    }
    // Typos are for words; a postal code or département is exact (or a prefix while typing).
    const bool has_digit = std::any_of(word.begin(), word.end(), [](unsigned char ch) { return std::isdigit(ch); });
    if (word.size() >= 5 && !has_digit && !exact) {
        auto probe = [&](const std::string& variant) {
            auto range = std::equal_range(deletions_.begin(), deletions_.end(), std::pair<uint64_t, uint32_t>{Hash(variant), 0},
                                          [](const auto& a, const auto& b) { return a.first < b.first; });
            for (auto r = range.first; r != range.second; ++r)
                if ((r->second < m.lo || r->second >= m.hi) && AtMostOneEdit(word, terms_[r->second]))
                    m.typos.push_back(r->second);
        };
        probe(word);
        for (size_t k = 0; k < word.size(); ++k) probe(word.substr(0, k) + word.substr(k + 1));
        // The word being typed is a prefix, and its typo may be in it: "charmile" begins "charmilles" once
        // corrected. Only when nothing begins with it as typed, so that a query whose prefix matches costs nothing
        // more; then every one-edit variant (deletion, substitution, insertion, transposition) is looked up as a
        // prefix of the sorted vocabulary: ~70 binary searches per letter, tens of microseconds.
        if (prefix && typo_prefix && m.lo == m.hi) {
            size_t budget = kMaxTypoPrefixTerms;
            auto prefix_of = [&](const std::string& variant) {
                auto lo = std::lower_bound(terms_.begin(), terms_.end(), variant);
                for (auto t = lo; t != terms_.end() && budget > 0 && t->compare(0, variant.size(), variant) == 0; ++t) {
                    m.typos.push_back(static_cast<uint32_t>(t - terms_.begin()));
                    --budget;
                }
            };
            static constexpr std::string_view kLetters = "abcdefghijklmnopqrstuvwxyz0123456789";
            std::string v;
            for (size_t k = 0; k < word.size(); ++k) {
                prefix_of(word.substr(0, k) + word.substr(k + 1));  // a letter too many
                for (char c : kLetters) {
                    if (c == word[k]) continue;
                    v = word;
                    v[k] = c;
                    prefix_of(v);  // a wrong letter
                }
                if (k + 1 < word.size() && word[k] != word[k + 1]) {
                    v = word;
                    std::swap(v[k], v[k + 1]);
                    prefix_of(v);  // two letters swapped
                }
            }
            for (size_t k = 0; k < word.size(); ++k) {  // a letter missing (at the end, the prefix covers it)
                for (char c : kLetters) prefix_of(word.substr(0, k) + c + word.substr(k));
            }
        }
        std::sort(m.typos.begin(), m.typos.end());
        m.typos.erase(std::unique(m.typos.begin(), m.typos.end()), m.typos.end());
        for (uint32_t t : m.typos) drive.emplace_back(t, kTypo);
    }
    // Candidates are drawn best first: exact, then prefixes, then typos; smaller lists first within each.
    std::sort(drive.begin(), drive.end(), [&](const auto& x, const auto& y) {
        return x.second != y.second ? x.second > y.second : postings_[x.first].size() < postings_[y.first].size();
    });
    for (const auto& [t, q] : drive) m.postings += postings_[t].size();
    m.drive = std::move(drive);
    return m;
}

SearchIndex::ConceptMatch SearchIndex::ExpandConcept(const Vocabulary::Concept& c, bool prefix, bool typo_prefix) const {
    ConceptMatch m;
    for (const auto& meaning : c.meanings) {
        std::vector<uint32_t> terms;
        bool known = true;
        auto need = [&](const char* kind, const std::string& value) {
            if (value.empty()) return;
            if (const auto t = Term(FilterTerm(kind, value))) terms.push_back(*t);
            else known = false;  // nothing here is meant so
        };
        need("p", meaning.profession);
        need("sf", FoldForSearch(meaning.specialty));
        need("m", meaning.mode);
        need("cat", FoldForSearch(meaning.category));
        if (!known || terms.empty()) continue;
        std::sort(terms.begin(), terms.end(), [&](uint32_t a, uint32_t b) { return postings_[a].size() < postings_[b].size(); });
        m.drive.emplace_back(terms[0], kConcept);
        m.meanings.push_back(std::move(terms));
    }
    // Or the words as text, as if the vocabulary did not know them ("Pharmacie du Centre" without a category).
    for (size_t i = 0; i < c.words.size(); ++i)
        m.words.push_back(Expand(c.words[i], prefix && i + 1 == c.words.size(), typo_prefix));
    if (std::any_of(m.words.begin(), m.words.end(), [](const WordMatch& w) { return w.drive.empty(); })) m.words.clear();
    if (!m.words.empty()) {
        const auto rarest = std::min_element(m.words.begin(), m.words.end(),
                                             [](const WordMatch& a, const WordMatch& b) { return a.postings < b.postings; });
        m.drive.insert(m.drive.end(), rarest->drive.begin(), rarest->drive.end());
    }
    std::sort(m.drive.begin(), m.drive.end());
    m.drive.erase(std::unique(m.drive.begin(), m.drive.end(),
                              [](const auto& x, const auto& y) { return x.first == y.first; }),
                  m.drive.end());
    std::sort(m.drive.begin(), m.drive.end(), [&](const auto& x, const auto& y) {
        return x.second != y.second ? x.second > y.second : postings_[x.first].size() < postings_[y.first].size();
    });
    for (const auto& [t, q] : m.drive) m.postings += postings_[t].size();
    m.weight = static_cast<float>(c.words.size()) * kConcept;
    return m;
}

SearchIndex::Prepared SearchIndex::Prepare(const std::vector<std::string>& words,
                                           const std::vector<Vocabulary::Concept>& concepts, bool last_is_concept,
                                           bool typo_prefix) const {
    Prepared p;
    p.words.reserve(words.size());
    for (size_t i = 0; i < words.size(); ++i) {
        p.words.push_back(Expand(words[i], !last_is_concept && i + 1 == words.size(), typo_prefix));
        if (p.words.back().drive.empty()) p.ok = false;  // a word that matches nothing: no result here
    }
    for (size_t i = 0; i < concepts.size(); ++i) {
        p.concepts.push_back(ExpandConcept(concepts[i], last_is_concept && i + 1 == concepts.size(), typo_prefix));
        if (p.concepts.back().drive.empty()) p.ok = false;
    }
    return p;
}

bool SearchIndex::Nearby(double lat, double lon, double radius_km, size_t cap, std::vector<uint32_t>& out) const {
    const double dlat = radius_km / 111.0 + kCellDegrees;
    const double coslat = std::max(0.05, std::cos(lat * M_PI / 180.0));
    const double dlon = radius_km / (111.0 * coslat) + kCellDegrees;
    const uint32_t col_lo = GridCol(lon - dlon), col_hi = GridCol(lon + dlon);
    // Cells nearest first, so that a query stopped by the hit cap keeps the closest entries. Counted before
    // copying, so that a wide radius in a dense area falls back to the other sources at once.
    struct Span {
        double km;
        size_t begin, end;
    };
    std::vector<Span> spans;
    size_t total = 0;
    for (uint32_t row = GridRow(lat - dlat); row <= GridRow(lat + dlat); ++row) {
        auto it = std::lower_bound(grid_.begin(), grid_.end(), std::pair<uint32_t, uint32_t>{row << 16 | col_lo, 0});
        const auto row_end = std::lower_bound(it, grid_.end(), std::pair<uint32_t, uint32_t>{row << 16 | (col_hi + 1), 0});
        while (it != row_end) {
            const uint32_t cell = it->first;
            const auto cell_end = std::upper_bound(it, row_end, std::pair<uint32_t, uint32_t>{cell, UINT32_MAX});
            const double clat = ((cell >> 16) + 0.5) * kCellDegrees - 90.0, clon = ((cell & 0xFFFF) + 0.5) * kCellDegrees - 180.0;
            const double km = 111.0 * std::hypot(clat - lat, (clon - lon) * coslat);
            spans.push_back({km, static_cast<size_t>(it - grid_.begin()), static_cast<size_t>(cell_end - grid_.begin())});
            total += static_cast<size_t>(cell_end - it);
            if (total > cap) return false;
            it = cell_end;
        }
    }
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.km < b.km; });
    out.reserve(total);
    for (const auto& sp : spans)
        for (size_t k = sp.begin; k < sp.end; ++k) out.push_back(grid_[k].second);
    return true;
}

bool SearchIndex::Collect(const SearchQuery& q, const Prepared& prepared,
                          std::vector<std::pair<const SearchIndex*, SearchHit>>& all, size_t max_visits) const {
    if (!prepared.ok) return false;
    // Filters that are terms: the smallest of their posting lists may be where candidates come from.
    std::vector<const std::vector<uint32_t>*> filters;
    auto need = [&](const char* kind, const std::string& value) {
        if (value.empty()) return true;
        const auto* p = Postings(FilterTerm(kind, value));
        if (!p) return false;
        filters.push_back(p);
        return true;
    };
    if (!need("p", q.profession) || !need("d", q.departement) || !need("cp", q.postal_code) ||
        !need("c", q.commune.empty() ? "" : FoldForSearch(q.commune)) || !need("m", q.practice_mode) ||
        !need("cap", q.has_capacity.empty() ? "" : FoldForSearch(q.has_capacity)))
        return false;
    const auto& cands = prepared.words;
    // Candidates come from the most selective source: a word (visited best-first: exact terms, then prefixes, then
    // typos), a filter, or the grid cells around the point of a distance query. A query matching more than
    // kMaxHits entries stops there, so that one letter typed in a national directory costs no more than a precise
    // query.
    const std::vector<std::pair<uint32_t, float>>* drive = nullptr;  // the rarest word's or concept's terms
    size_t drive_postings = SIZE_MAX;
    auto offer = [&](const auto& m) {
        if (m.postings < drive_postings) drive = &m.drive, drive_postings = m.postings;
    };
    for (const auto& w : cands) offer(w);
    for (const auto& c : prepared.concepts) offer(c);
    const std::vector<uint32_t>* smallest_filter = nullptr;
    for (const auto* f : filters)
        if (!smallest_filter || f->size() < smallest_filter->size()) smallest_filter = f;
    std::vector<uint32_t> near;
    bool from_grid = false;
    if (q.lat && q.lon && q.radius_km) {
        size_t cap = std::min(kMaxGridCandidates, max_visits);
        if (drive) cap = std::min(cap, drive_postings);
        if (smallest_filter) cap = std::min(cap, smallest_filter->size());
        from_grid = Nearby(*q.lat, *q.lon, *q.radius_km, cap, near);
    }
    const bool from_filter =
        !from_grid && smallest_filter && (!drive || smallest_filter->size() < drive_postings);
    size_t found = 0, visited = 0;
    auto consider = [&](uint32_t d) {
        ++visited;
        for (const auto* f : filters) {
            if (from_filter && f == smallest_filter) continue;  // where the candidates come from
            if (!std::binary_search(f->begin(), f->end(), d)) return;
        }
        const uint32_t *terms = forward_.data() + forward_offsets_[d], *terms_end = forward_.data() + forward_offsets_[d + 1];
        auto word_score = [&](const WordMatch& c) {
            float best = 0;
            for (const uint32_t* k = terms; k != terms_end; ++k) {
                const uint8_t tenth = c.Tenth(*k & ~kNameBit);
                if (tenth) best = std::max(best, tenth * 0.1f * ((*k & kNameBit) ? 1.0f : kOtherField));
            }
            return best;
        };
        float score = 0;
        for (const auto& c : cands) {
            const float best = word_score(c);
            if (best == 0) return;
            score += best;
        }
        for (const auto& c : prepared.concepts) {
            auto has = [&](uint32_t t) {
                return std::find_if(terms, terms_end, [t](uint32_t k) { return (k & ~kNameBit) == t; }) != terms_end;
            };
            const bool meant = std::any_of(c.meanings.begin(), c.meanings.end(),
                                           [&](const auto& m) { return std::all_of(m.begin(), m.end(), has); });
            float best = meant ? c.weight : 0;
            for (size_t w = 0; !meant && w < c.words.size(); ++w) {
                const float s = word_score(c.words[w]);
                if (s == 0) {
                    best = 0;
                    break;
                }
                best += s;
            }
            if (best == 0) return;
            score += best;
        }
        float distance = -1;
        const Compact& doc = compact_[d];
        if (q.lat && q.lon) {
            if (doc.has_point) distance = static_cast<float>(HaversineKm(*q.lat, *q.lon, doc.lat, doc.lon));
            if (q.radius_km && (distance < 0 || distance > *q.radius_km)) return;
        }
        all.push_back({this, SearchHit{d, score, distance, structures_}});
        ++found;
    };
    // Checking a candidate reads two scattered places of large arrays (its range of terms, then the terms): the
    // loop waits on memory, not on arithmetic (profiled: two loads took three quarters of the search's time). So
    // while one candidate is checked, the ranges of those a few steps ahead and their terms are fetched.
    auto visit = [&](const std::vector<uint32_t>& list, std::vector<bool>* seen) {
        constexpr size_t kAhead = 8;
        const size_t n = list.size();
        for (size_t i = 0; i < n; ++i) {
            if (i + 2 * kAhead < n) __builtin_prefetch(&forward_offsets_[list[i + 2 * kAhead]]);
            if (i + kAhead < n) __builtin_prefetch(&forward_[forward_offsets_[list[i + kAhead]]]);
            const uint32_t d = list[i];
            if (seen) {
                if ((*seen)[d]) continue;
                (*seen)[d] = true;
            }
            consider(d);
            if (found >= kMaxHits || visited >= max_visits) return true;
        }
        return false;
    };
    if (from_grid) return visit(near, nullptr);
    if (from_filter) return visit(*smallest_filter, nullptr);
    if (drive) {
        const auto& terms = *drive;
        std::vector<bool> seen(terms.size() > 1 ? docs_.size() : 0);  // an entry may hold several of the terms
        for (const auto& [term, quality] : terms)
            if (visit(postings_[term], seen.empty() ? nullptr : &seen)) return true;
    } else {
        for (uint32_t d = 0; d < docs_.size(); ++d) {
            consider(d);
            if (found >= kMaxHits || visited >= max_visits) return true;
        }
    }
    return false;
}

namespace {
using Hits = std::vector<std::pair<const SearchIndex*, SearchHit>>;

Hits CollectAll(const std::vector<std::shared_ptr<const SearchIndex>>& indexes,
                const std::vector<SearchIndex::Prepared>& prepared, const SearchQuery& q, size_t max_visits,
                bool* capped = nullptr) {
    Hits all;
    for (size_t i = 0; i < indexes.size(); ++i) {
        const auto& idx = indexes[i];
        if (!idx || idx->size() == 0) continue;
        const bool is_structures = idx->doc(0).structure;
        if (q.structures && *q.structures != is_structures) continue;
        if (idx->Collect(q, prepared[i], all, max_visits) && capped) *capped = true;
    }
    return all;
}
}  // namespace

SearchResult RunSearch(const std::vector<std::shared_ptr<const SearchIndex>>& indexes, const SearchQuery& q,
                       const Vocabulary* vocabulary) {
    SearchResult r;
    Vocabulary::Parsed parsed;
    parsed.free_words = SearchWords(q.q.substr(0, 200));
    if (vocabulary) parsed = vocabulary->Match(parsed.free_words);
    for (const auto& c : parsed.concepts) {
        std::string words;
        for (const auto& w : c.words) words += (words.empty() ? "" : " ") + w;
        std::vector<std::string> labels;
        for (const auto& m : c.meanings)
            if (std::find(labels.begin(), labels.end(), m.label) == labels.end()) labels.push_back(m.label);
        r.understood.emplace_back(std::move(words), std::move(labels));
    }
    // The word being typed gets a typo as a prefix only when no index of its kind begins with it as typed: the
    // national and local professionals' indexes answer as one would (and a small one does not pay for the typos).
    const std::string* typed = parsed.last_in_concept ? &parsed.concepts.back().words.back()
                               : parsed.free_words.empty() ? nullptr : &parsed.free_words.back();
    bool begins[2] = {false, false};  // professionals, structures
    for (const auto& idx : indexes)
        if (typed && idx && idx->size() > 0 && idx->Begins(*typed)) begins[idx->structures()] = true;
    // The words are looked up once per index; the result and the facet passes share them.
    std::vector<SearchIndex::Prepared> prepared(indexes.size());
    for (size_t i = 0; i < indexes.size(); ++i)
        if (indexes[i] && indexes[i]->size() > 0)
            prepared[i] = indexes[i]->Prepare(parsed.free_words, parsed.concepts, parsed.last_in_concept,
                                              !begins[indexes[i]->structures()]);
    Hits all = CollectAll(indexes, prepared, q, kMaxVisits, &r.total_capped);
    r.total = static_cast<int64_t>(all.size());
    // Each facet counts the results as if its own filter were not set, so that choosing a profession
    // still shows how many there are of the others ("disjunctive" facets).
    auto facet = [&](auto unset, auto count) {
        SearchQuery without = q;
        if (!unset(without)) {
            for (const auto& [idx, hit] : all) count(*idx, idx->compact(hit.doc));
            return;
        }
        for (const auto& [idx, hit] : CollectAll(indexes, prepared, without, kMaxFacetVisits)) count(*idx, idx->compact(hit.doc));
    };
    facet([](SearchQuery& x) { return std::exchange(x.structures, std::nullopt).has_value(); },
          [&](const SearchIndex& idx, const SearchIndex::Compact&) {
              ++r.kind_facet[idx.structures() ? "structure" : "professional"];
          });
    // Counted by small integers first, turned into named counts at the end.
    std::map<const SearchIndex*, std::vector<int64_t>> prof_counts, dep_counts;
    int64_t mode_counts[3] = {0, 0, 0};
    facet([](SearchQuery& x) { return !std::exchange(x.profession, std::string()).empty(); },
          [&](const SearchIndex& idx, const SearchIndex::Compact& c) {
              if (!c.profession) return;
              auto& v = prof_counts[&idx];
              if (v.empty()) v.resize(idx.professions().size());
              ++v[c.profession];
          });
    facet([](SearchQuery& x) { return !std::exchange(x.practice_mode, std::string()).empty(); },
          [&](const SearchIndex&, const SearchIndex::Compact& c) {
              for (int b = 0; b < 3; ++b)
                  if (c.modes & (1 << b)) ++mode_counts[b];
          });
    facet([](SearchQuery& x) { return !std::exchange(x.departement, std::string()).empty(); },
          [&](const SearchIndex& idx, const SearchIndex::Compact& c) {
              auto& v = dep_counts[&idx];
              if (v.empty()) v.resize(idx.departements().size());
              for (uint16_t d : c.dep)
                  if (d) ++v[d];
          });
    for (const auto& [idx, v] : prof_counts)
        for (size_t i = 1; i < v.size(); ++i)
            if (v[i]) {
                auto& p = r.profession_facet[idx->professions()[i].first];
                p.first = idx->professions()[i].second;
                p.second += v[i];
            }
    for (const auto& [idx, v] : dep_counts)
        for (size_t i = 1; i < v.size(); ++i)
            if (v[i]) r.departement_facet[idx->departements()[i]] += v[i];
    const char* mode_names[3] = {"L", "S", "B"};
    for (int b = 0; b < 3; ++b)
        if (mode_counts[b]) r.mode_facet[mode_names[b]] = mode_counts[b];
    // Relevance, then distance (unknown last), then name.
    auto better = [](const std::pair<const SearchIndex*, SearchHit>& a, const std::pair<const SearchIndex*, SearchHit>& b) {
        if (a.second.score != b.second.score) return a.second.score > b.second.score;
        const float da = a.second.distance_km < 0 ? 1e9f : a.second.distance_km;
        const float db = b.second.distance_km < 0 ? 1e9f : b.second.distance_km;
        if (da != db) return da < db;
        if (a.first == b.first) return a.first->name_rank(a.second.doc) < b.first->name_rank(b.second.doc);
        return a.first->doc(a.second.doc).sort_name < b.first->doc(b.second.doc).sort_name;
    };
    const size_t end = std::min(all.size(), static_cast<size_t>(q.offset + q.limit));
    if (static_cast<size_t>(q.offset) < end) {
        std::partial_sort(all.begin(), all.begin() + end, all.end(), better);
        for (size_t i = q.offset; i < end; ++i) r.page.push_back({all[i].first->doc(all[i].second.doc).id, all[i].second});
    }
    return r;
}

}  // namespace cordee::directory

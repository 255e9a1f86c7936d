#include "directory/vocabulary.hpp"

#include "common/text.hpp"
#include "directory/search_index.hpp"

#include <algorithm>

namespace cordee::directory {
namespace {

// The pieces of `text` between `sep`, trimmed unless `trim` is false (lines: a leading tab is an empty column).
std::vector<std::string> SplitOn(std::string_view text, std::string_view sep, bool trim = true) {
    std::vector<std::string> out;
    size_t from = 0;
    for (;;) {
        const size_t at = text.find(sep, from);
        const auto piece = text.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from);
        out.push_back(trim ? Trim(piece) : std::string(piece));
        if (at == std::string_view::npos) return out;
        from = at + sep.size();
    }
}

std::string Key(const std::vector<std::string>& words, size_t from, size_t n) {
    std::string k;
    for (size_t i = from; i < from + n; ++i) {
        if (i > from) k += ' ';
        k += words[i];
    }
    return k;
}

bool OneEditApart(std::string_view a, std::string_view b) {
    if (a.size() > b.size()) std::swap(a, b);
    if (b.size() - a.size() > 1 || a == b) return false;
    size_t i = 0;
    while (i < a.size() && a[i] == b[i]) ++i;
    if (a.size() == b.size()) {
        if (a.substr(i + 1) == b.substr(i + 1)) return true;  // one letter wrong
        return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] && a.substr(i + 2) == b.substr(i + 2);  // swapped
    }
    return a.substr(i) == b.substr(i + 1);  // one letter missing
}

}  // namespace

std::string MeaningProblem(const Meaning& m) {
    if (Trim(m.label).empty()) return "libellé manquant";
    if (m.profession.empty() && m.specialty.empty() && m.mode.empty() && m.category.empty())
        return "indiquez au moins une profession, un savoir-faire, un mode d'exercice ou une catégorie";
    if (!m.mode.empty() && m.mode != "L" && m.mode != "S") return "mode d'exercice L (libéral) ou S (salarié)";
    return "";
}

std::vector<VocabularyEntry> ParseVocabulary(std::string_view text, std::vector<VocabularyLineError>* errors) {
    std::vector<VocabularyEntry> out;
    size_t line_no = 0;
    for (const auto& raw : SplitOn(text, "\n", false)) {
        ++line_no;
        std::string line = raw;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (Trim(line).empty() || Trim(line)[0] == '#') continue;
        auto cols = SplitOn(line, "\t");
        cols.resize(std::max<size_t>(cols.size(), 6));
        Meaning m{cols[1], cols[2], cols[3], cols[4], cols[5]};
        std::string problem = MeaningProblem(m);
        if (problem.empty() && cols.size() > 6) problem = "plus de 6 colonnes";
        if (problem.empty() && SearchWords(cols[0]).empty()) problem = "mots manquants";
        if (!problem.empty()) {
            if (errors) errors->push_back({line_no, problem});
            continue;
        }
        for (const auto& words : SplitOn(cols[0], ", "))
            if (!SearchWords(words).empty()) out.push_back({words, m});
    }
    return out;
}

Vocabulary::Vocabulary(const std::vector<VocabularyEntry>& entries) {
    for (const auto& e : entries) {
        const auto words = SearchWords(e.words, kMaxPhraseWords + 1);
        if (words.empty() || words.size() > kMaxPhraseWords) continue;
        auto& meanings = phrases_[Key(words, 0, words.size())];
        // "500|EHPAD": a FINESS category or a local structure's kind, either one.
        for (const auto& category : SplitOn(e.meaning.category, "|")) {
            Meaning m = e.meaning;
            m.category = category;
            if (std::find(meanings.begin(), meanings.end(), m) == meanings.end()) meanings.push_back(std::move(m));
        }
    }
}

Vocabulary::Parsed Vocabulary::Match(const std::vector<std::string>& words) const {
    Parsed out;
    for (size_t i = 0; i < words.size();) {
        auto found = phrases_.end();
        size_t taken = 0;
        for (size_t n = std::min(kMaxPhraseWords, words.size() - i); n > 0 && found == phrases_.end(); --n) {
            found = phrases_.find(Key(words, i, n));
            taken = n;
        }
        // A typo in a word of 5+ letters, when nothing is spelt so: the vocabulary is small, a scan is enough.
        if (found == phrases_.end() && words[i].size() >= 5 && words[i].find_first_of("0123456789") == std::string::npos) {
            found = std::find_if(phrases_.begin(), phrases_.end(), [&](const auto& p) {
                return p.first.size() >= 5 && p.first.find(' ') == std::string::npos && OneEditApart(p.first, words[i]);
            });
            taken = 1;
        }
        if (found == phrases_.end()) {
            out.free_words.push_back(words[i++]);
            continue;
        }
        out.concepts.push_back({std::vector<std::string>(words.begin() + i, words.begin() + i + taken), found->second});
        i += taken;
        out.last_in_concept = i == words.size();
    }
    return out;
}

}  // namespace cordee::directory

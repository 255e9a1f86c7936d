#include "directory/json.hpp"

#include "common/text.hpp"
#include "common/time.hpp"

#include <boost/json.hpp>

#include <cmath>

namespace cordee::directory {
namespace {

constexpr int64_t kStaleMicros = 24 * 3600 * kMicrosPerSecond;

// An empty text (NULL or '' in the database) is null in the API.
boost::json::value OptText(const std::string& v) {
    if (v.empty()) return nullptr;
    return boost::json::value(v);
}
template <class Id>
boost::json::value OptId(const std::optional<Id>& id) {
    if (!id || id->empty()) return nullptr;
    return boost::json::value(id->str());
}
boost::json::value OptValue(const std::optional<std::string>& v) { return v ? boost::json::value(*v) : nullptr; }
boost::json::value OptValue(const std::optional<int64_t>& v) { return v ? boost::json::value(*v) : nullptr; }

// The RPPS file's civility d'exercice says "Docteur" (or "DR") and "Professeur" ("PR"): shown "Dr" and "Pr", and
// nothing where the file says nothing.
std::string Civility(const std::string& c) {
    const std::string f = FoldForSearch(c);
    if (f == "dr" || f == "docteur") return "Dr";
    if (f == "pr" || f == "professeur") return "Pr";
    return c;
}

// The RPPS number in one form everywhere: its 11 digits (the national identifier is "8" + them); ADELI as is.
boost::json::value RppsJson(const ProfessionalRow& p) {
    if (p.id_type == "ADELI" || p.rpps.empty()) return nullptr;
    return boost::json::value(p.rpps);
}

boost::json::object SearchItemJson(const ProfessionalRow& p) {
    const std::string civility = Civility(p.civility);
    return {{"kind", "professional"},
            {"id", p.id.str()},
            {"name", Trim(civility + " " + p.first_name + " " + p.last_name)},
            {"civility", OptText(civility)},
            {"first_name", p.first_name},
            {"last_name", p.last_name},
            {"profession_code", p.profession_code},
            {"profession_label", p.profession_label},
            {"specialty", OptText(p.specialty)},
            {"category_label", nullptr},
            {"commune", OptText(p.commune)},
            {"postal_code", OptText(p.postal_code)},
            {"departement", OptText(p.departement)}};
}

boost::json::object SearchItemJson(const StructureRow& st) {
    return {{"kind", "structure"},
            {"id", st.id.str()},
            {"name", st.name},
            {"civility", nullptr},
            {"first_name", nullptr},
            {"last_name", nullptr},
            {"profession_code", nullptr},
            {"profession_label", nullptr},
            {"specialty", nullptr},
            {"category_label", st.category_label.empty() ? st.kind : st.category_label},
            {"commune", OptText(st.commune)},
            {"postal_code", OptText(st.postal_code)},
            {"departement", OptText(st.departement)}};
}

boost::json::array Strings(const std::vector<std::string>& v) {
    boost::json::array out;
    for (const auto& s : v) out.push_back(boost::json::value(s));
    return out;
}

}  // namespace

boost::json::object ToJson(const SearchPage& page) {
    boost::json::array items;
    for (const auto& item : page.items) {
        boost::json::object o = std::visit([](const auto& entry) { return SearchItemJson(entry); }, item.entry);
        o["score"] = std::round(item.score * 100) / 100;
        if (o["kind"] == "professional") o["has_account"] = page.with_account.count(std::string(o["id"].as_string())) > 0;
        if (item.distance_km >= 0) o["distance_km"] = std::round(item.distance_km * 10) / 10;
        items.push_back(std::move(o));
    }
    const SearchResult& r = page.result;
    boost::json::array professions, departements, modes;
    for (const auto& [code, lc] : r.profession_facet)
        professions.push_back({{"code", code}, {"label", lc.first}, {"count", lc.second}});
    for (const auto& [code, n] : r.departement_facet) departements.push_back({{"code", code}, {"count", n}});
    for (const auto& [code, n] : r.mode_facet) modes.push_back({{"code", code}, {"count", n}});
    boost::json::object kinds{{"professional", 0}, {"structure", 0}};
    for (const auto& [k, n] : r.kind_facet) kinds[k] = n;
    boost::json::array understood;
    for (const auto& [words, labels] : r.understood) understood.push_back({{"words", words}, {"meanings", Strings(labels)}});
    return {{"total", r.total},
            {"understood", understood},
            {"total_capped", r.total_capped},
            {"page", page.page},
            {"per_page", page.per_page},
            {"items", items},
            {"facets", {{"kind", kinds}, {"profession", professions}, {"departement", departements}, {"practice_mode", modes}}}};
}

boost::json::object ToJson(const ProfessionalPage& page) {
    const ProfessionalRow& p = page.entry;
    boost::json::array sites;
    for (const auto& a : page.sites)
        sites.push_back({{"structure_id", OptId(a.structure_id)}, {"site_name", OptText(a.site_name)},
                         {"address", OptText(a.address)}, {"postal_code", OptText(a.postal_code)},
                         {"commune", OptText(a.commune)}, {"commune_code", OptText(a.commune_code)},
                         {"departement", OptText(a.departement)}, {"phone", OptText(a.phone)},
                         {"email", OptText(a.email)}, {"practice_mode", OptText(a.practice_mode)},
                         {"finess_site", OptText(a.finess_site)}, {"siret", OptText(a.siret)}});
    return {{"kind", "professional"},
            {"id", p.id.str()},
            {"id_type", OptText(p.id_type)},
            {"national_id", p.national_id.empty() ? OptText(p.rpps) : boost::json::value(p.national_id)},
            {"rpps", RppsJson(p)},
            {"adeli", p.id_type == "ADELI" ? OptText(p.rpps) : nullptr},
            {"civility", OptText(Civility(p.civility))},
            {"mssante", OptText(p.mssante)},
            {"first_name", p.first_name},
            {"last_name", p.last_name},
            {"profession_code", p.profession_code},
            {"profession_label", p.profession_label},
            {"specialties", Strings(page.specialties)},
            {"practice_modes", Strings(page.practice_modes)},
            {"active", p.active},
            {"activities", sites}};
}

boost::json::object ToJson(const CapacityRow& c, int64_t now) {
    const int64_t age = now - c.updated_at;
    return {{"type", c.type},
            {"count", c.count},
            {"unit", c.unit},
            {"updated_at", FormatRfc3339(c.updated_at)},
            {"updated_by", OptId(c.updated_by)},
            {"updated_by_name", OptValue(c.updated_by_name)},
            {"age_seconds", age / kMicrosPerSecond},
            {"stale", age > kStaleMicros}};
}

boost::json::object ToJson(const OfferedActivity& offered, int64_t now) {
    const ActivityRow& a = offered.activity;
    boost::json::array capacities;
    for (const auto& c : offered.capacities) capacities.push_back(ToJson(c, now));
    return {{"id", a.id.str()},
            {"field", a.field},
            {"care_mode", a.care_mode},
            {"label", a.label},
            {"public_min_age", OptValue(a.public_min_age)},
            {"public_max_age", OptValue(a.public_max_age)},
            {"area", OptText(a.area)},
            {"version", a.version},
            {"capacities", capacities}};
}

boost::json::object ToJson(const StructurePage& page) {
    const StructureRow& st = page.entry;
    boost::json::array activities, professionals;
    for (const auto& a : page.activities) activities.push_back(ToJson(a, page.read_at));
    for (const auto& p : page.professionals)
        professionals.push_back({{"id", p.id.str()}, {"first_name", p.first_name}, {"last_name", p.last_name},
                                 {"profession_label", p.profession_label}});
    return {{"kind", "structure"},
            {"id", st.id.str()},
            {"finess", OptText(st.finess)},
            {"finess_ej", OptText(st.finess_ej)},
            {"siret", OptText(st.siret)},
            {"name", st.name},
            {"long_name", OptText(st.long_name)},
            {"category_code", OptText(st.category_code)},
            {"category_label", st.category_label.empty() ? OptText(st.kind) : boost::json::value(st.category_label)},
            {"address", OptText(st.address)},
            {"postal_code", OptText(st.postal_code)},
            {"commune", OptText(st.commune)},
            {"departement", OptText(st.departement)},
            {"phone", OptText(st.phone)},
            {"email", OptText(st.email)},
            {"mssante", OptText(st.mssante)},
            {"lat", st.point ? boost::json::value(st.point->first) : nullptr},
            {"lon", st.point ? boost::json::value(st.point->second) : nullptr},
            {"source", st.source},
            {"active", st.active},
            {"description", OptText(st.description)},
            {"version", st.version},
            {"activities", activities},
            {"professionals", professionals}};
}

boost::json::array ToJson(const std::vector<CapacityChangeRow>& history) {
    boost::json::array out;
    for (const auto& h : history)
        out.push_back({{"type", h.type}, {"count", h.count}, {"unit", h.unit}, {"at", FormatRfc3339(h.at)},
                       {"by", OptId(h.by)}, {"by_name", OptValue(h.by_name)}});
    return out;
}

boost::json::object ToJson(const RppsEntry& e) {
    const ProfessionalRow& p = e.entry;
    boost::json::array sites;
    for (const auto& a : e.sites)
        sites.push_back({{"structure_id", a.structure_id ? boost::json::value(a.structure_id->str()) : nullptr},
                         {"site_name", a.site_name},
                         {"commune", a.commune}});
    return {{"professional_id", p.id.str()}, {"civility", Civility(p.civility)},
            {"first_name", p.first_name},    {"last_name", p.last_name},
            {"profession_code", p.profession_code}, {"profession_label", p.profession_label},
            {"specialty", p.specialty},      {"sites", sites}};
}

boost::json::object ToJson(const VocabularyItem& w) {
    const Meaning& m = w.meaning;
    return {{"id", OptText(w.id)},
            {"words", w.words},
            {"label", m.label},
            {"profession_code", OptText(m.profession)},
            {"specialty", OptText(m.specialty)},
            {"practice_mode", OptText(m.mode)},
            {"category", OptText(m.category)},
            {"source", w.shipped ? "shipped" : "territory"},
            {"created_by", OptText(w.created_by)},
            {"created_at", w.created_at ? boost::json::value(FormatRfc3339(w.created_at)) : nullptr}};
}

boost::json::array StructureChoicesJson(const std::vector<StructureRow>& structures) {
    boost::json::array out;
    for (const auto& st : structures)
        out.push_back({{"id", st.id.str()}, {"name", st.name}, {"kind", st.kind}, {"commune", st.commune},
                       {"finess", st.finess}});
    return out;
}

}  // namespace cordee::directory

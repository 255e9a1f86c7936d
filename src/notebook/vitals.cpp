#include "notebook/vitals.hpp"

#include "common/errors.hpp"

#include <charconv>
#include <cmath>

namespace cordee::notebook {

const std::vector<VitalSign>& VitalSigns() {
    // Bounds wide enough for any living patient, narrow enough to catch a typing slip.
    static const std::vector<VitalSign> signs = {
        {"systolic", 40, 300, true, "tension systolique"},  {"diastolic", 20, 200, true, "tension diastolique"},
        {"heart_rate", 20, 250, true, "pouls"},             {"temperature", 30, 45, false, "température"},
        {"spo2", 50, 100, true, "saturation en oxygène"},   {"weight", 0.3, 400, false, "poids"},
        {"glycemia", 0.2, 6, false, "glycémie"},            {"pain", 0, 10, true, "douleur"}};
    return signs;
}

const VitalSign* FindVitalSign(std::string_view key) {
    for (const auto& s : VitalSigns())
        if (key == s.key) return &s;
    return nullptr;
}

namespace {

std::optional<double> Number(std::string_view s) {
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

Error Bad(std::string_view part, const std::string& why) {
    return Invalid("vital_ranges", "« " + std::string(part) + " » : " + why +
                                       " (attendu : mesure=bas-haut, séparées par des virgules, ex. systolic=90-140)");
}

}  // namespace

UsualRanges ParseUsualRanges(std::string_view text) {
    UsualRanges out;
    if (text.size() > 2000) throw Invalid("vital_ranges", "2000 caractères au plus");
    while (!text.empty()) {
        const size_t comma = text.find(',');
        const std::string_view part = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
        if (part.empty()) continue;
        const size_t eq = part.find('=');
        if (eq == std::string_view::npos) throw Bad(part, "il manque « = »");
        const std::string_view key = part.substr(0, eq), range = part.substr(eq + 1);
        const VitalSign* sign = FindVitalSign(key);
        if (!sign) throw Bad(part, "mesure inconnue");
        // The low bound may be negative nowhere, so the first '-' separates the two numbers.
        const size_t dash = range.find('-');
        if (dash == std::string_view::npos) throw Bad(part, "il manque « - » entre les deux bornes");
        const auto low = Number(range.substr(0, dash)), high = Number(range.substr(dash + 1));
        if (!low || !high) throw Bad(part, "bornes non numériques");
        if (*low >= *high) throw Bad(part, "la borne basse doit être inférieure à la haute");
        if (*low < sign->min || *high > sign->max) throw Bad(part, "bornes hors des valeurs possibles de la mesure");
        out[std::string(key)] = {*low, *high};
    }
    return out;
}

boost::json::object VitalFlags(const boost::json::object& vitals, const UsualRanges& ranges) {
    boost::json::object out;
    for (const auto& kv : vitals) {
        const auto it = ranges.find(std::string(kv.key()));
        if (it == ranges.end() || !kv.value().is_number()) continue;
        const double v = kv.value().to_number<double>();
        if (v < it->second.low) out[kv.key()] = "low";
        else if (v > it->second.high) out[kv.key()] = "high";
    }
    return out;
}

boost::json::object RangesJson(const UsualRanges& ranges) {
    boost::json::object out;
    for (const auto& [key, r] : ranges) out[key] = {{"low", r.low}, {"high", r.high}};
    return out;
}

}  // namespace cordee::notebook

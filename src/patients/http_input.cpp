#include "patients/http_input.hpp"

#include "common/ids.hpp"
#include "common/time.hpp"

#include <algorithm>

namespace cordee::patients {

const std::string& IdParam(const http::Request& req, const std::string& name) {
    const auto& v = req.Param(name);
    if (!IsUuid(v)) throw NotFound();
    return v;
}

int LimitParam(const http::Request& req, int fallback, int max) {
    const std::string v = req.Query("limit");
    if (v.empty()) return fallback;
    try {
        size_t pos = 0;
        const int n = std::stoi(v, &pos);
        if (pos == v.size() && n >= 1 && n <= max) return n;
    } catch (...) {
    }
    throw Invalid("limit", "nombre entre 1 et " + std::to_string(max));
}

std::string JoinAllowed(const std::vector<std::string>& allowed) {
    std::string out;
    for (size_t i = 0; i < allowed.size(); ++i) out += (i ? (i + 1 == allowed.size() ? " ou " : ", ") : "") + allowed[i];
    return out;
}

std::string EnumParam(const http::Request& req, const char* name, const std::vector<std::string>& allowed) {
    const std::string v = req.Query(name);
    if (v.empty() || std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return v;
    throw Invalid(name, "valeurs possibles : " + JoinAllowed(allowed));
}

std::optional<std::string> EnumField(const boost::json::object& body, JsonInput& in, const char* key,
                                     const std::vector<std::string>& allowed, bool required) {
    auto it = body.find(key);
    if (it == body.end() || it->value().is_null()) {
        if (required) in.Fail(key, "obligatoire (" + JoinAllowed(allowed) + ")");
        return std::nullopt;
    }
    if (it->value().is_string()) {
        const std::string v(it->value().as_string());
        if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return v;
    }
    in.Fail(key, "valeurs possibles : " + JoinAllowed(allowed));
    return std::nullopt;
}

std::optional<int64_t> TimeField(const boost::json::object& body, JsonInput& in, const char* key) {
    auto it = body.find(key);
    if (it == body.end() || it->value().is_null()) return std::nullopt;
    if (it->value().is_string()) {
        if (auto t = ParseRfc3339(std::string(it->value().as_string()))) return t;
    }
    in.Fail(key, "date et heure au format RFC 3339 (2026-11-23T10:30:00Z)");
    return std::nullopt;
}

std::optional<bool> BoolField(const boost::json::object& body, JsonInput& in, const char* key) {
    auto it = body.find(key);
    if (it == body.end() || it->value().is_null()) return std::nullopt;
    if (it->value().is_bool()) return it->value().as_bool();
    in.Fail(key, "vrai ou faux attendu");
    return std::nullopt;
}

}  // namespace cordee::patients

#include "patients/scope.hpp"

#include <stdexcept>

namespace cordee::patients {

std::pair<std::string, storage::Params> Scope::Bind(std::string_view sql, const storage::Params& params,
                                                    const std::string& patient_id) {
    static constexpr std::string_view kMarker = "{patient}";
    std::string out;
    out.reserve(sql.size());
    storage::Params bound;
    bound.reserve(params.size() + 2);
    size_t next = 0;  // the next caller parameter, in the order of the `?`
    bool named = false;
    char quote = 0;
    for (size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '?') {
            if (next >= params.size()) throw std::logic_error("patient scope: more ? than parameters");
            bound.push_back(params[next++]);
        } else if (sql.substr(i, kMarker.size()) == kMarker) {
            out += '?';
            bound.emplace_back(patient_id);
            named = true;
            i += kMarker.size() - 1;
            continue;
        }
        out += c;
    }
    // A programming error, caught by the first test that runs the statement: never a query on any patient.
    if (!named) throw std::logic_error("patient scope: the statement does not name {patient}: " + std::string(sql));
    if (next != params.size()) throw std::logic_error("patient scope: more parameters than ?");
    return {std::move(out), std::move(bound)};
}

storage::Rows Scope::Query(std::string_view sql, const storage::Params& params) {
    const auto [text, bound] = Bind(sql, params, patient());
    return s_.Query(text, bound);
}

std::optional<storage::Row> Scope::One(std::string_view sql, const storage::Params& params) {
    const auto [text, bound] = Bind(sql, params, patient());
    return s_.One(text, bound);
}

int64_t Scope::Exec(std::string_view sql, const storage::Params& params) {
    const auto [text, bound] = Bind(sql, params, patient());
    return s_.Exec(text, bound);
}

void Scope::Queue(std::string_view sql, const storage::Params& params) {
    const auto [text, bound] = Bind(sql, params, patient());
    s_.Queue(text, bound);
}

}  // namespace cordee::patients

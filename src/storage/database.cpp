#include "storage/database.hpp"

#include <filesystem>

namespace cordee::storage {
namespace {
// The after-commit work of the write whose function is running on this thread (the caller's thread on PostgreSQL,
// the writer's thread on SQLite: set around each job's function, so jobs grouped in one commit keep their own).
thread_local std::vector<std::function<void()>>* t_after_commit = nullptr;
}  // namespace

void AfterCommit(std::function<void()> fn) {
    if (t_after_commit) t_after_commit->push_back(std::move(fn));
    else fn();
}

void Database::Write(const std::function<void(Session&)>& fn) {
    std::vector<std::function<void()>> after;
    WriteJob([&](Session& s) {
        after.clear();  // a function run again starts afresh
        auto* outer = t_after_commit;
        t_after_commit = &after;
        try {
            fn(s);
        } catch (...) {
            t_after_commit = outer;
            throw;
        }
        t_after_commit = outer;
    });
    for (auto& f : after) f();
}

std::string Row::Str(size_t i) const {
    const auto& v = values_.at(i);
    if (auto s = std::get_if<std::string>(&v)) return *s;
    if (auto n = std::get_if<int64_t>(&v)) return std::to_string(*n);
    if (auto d = std::get_if<double>(&v)) return std::to_string(*d);
    return {};
}

std::optional<std::string> Row::OptStr(size_t i) const {
    if (IsNull(i)) return std::nullopt;
    return Str(i);
}

int64_t Row::Int(size_t i) const {
    const auto& v = values_.at(i);
    if (auto n = std::get_if<int64_t>(&v)) return *n;
    if (auto d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
    if (auto s = std::get_if<std::string>(&v)) return s->empty() ? 0 : std::stoll(*s);
    return 0;
}

std::optional<int64_t> Row::OptInt(size_t i) const {
    if (IsNull(i)) return std::nullopt;
    return Int(i);
}

double Row::Double(size_t i) const {
    const auto& v = values_.at(i);
    if (auto d = std::get_if<double>(&v)) return *d;
    if (auto n = std::get_if<int64_t>(&v)) return static_cast<double>(*n);
    if (auto s = std::get_if<std::string>(&v)) return s->empty() ? 0 : std::stod(*s);
    return 0;
}

std::optional<Row> Session::One(std::string_view sql, const Params& params) {
    auto rows = Query(sql, params);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

void Session::LockForOrdering(int64_t key) {
    if (dialect() == Dialect::kPostgres) Query("SELECT pg_advisory_xact_lock(?)", {key});
}

std::string ToDollarPlaceholders(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 16);
    int n = 0;
    char quote = 0;
    for (char c : sql) {
        if (quote) {
            if (c == quote) quote = 0;
            out.push_back(c);
        } else if (c == '\'' || c == '"') {
            quote = c;
            out.push_back(c);
        } else if (c == '?') {
            out += "$" + std::to_string(++n);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::unique_ptr<Database> OpenDatabase(const std::string& database, const std::string& data_dir, int pool_size,
                                       bool prepared_statements) {
    if (database.rfind("postgres", 0) == 0) return OpenPostgres(database, pool_size, prepared_statements);
    if (!database.empty() && database.rfind("sqlite:", 0) != 0) {
        throw std::runtime_error("database must be empty (SQLite in the data directory), sqlite:PATH or postgresql://…");
    }
    std::filesystem::create_directories(data_dir);
    const std::string path = database.empty() ? data_dir + "/cordee.db" : database.substr(7);
    return OpenSqlite(path);
}

}  // namespace cordee::storage

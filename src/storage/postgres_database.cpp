// PostgreSQL backend (libpq): a pool of connections, prepared statements cached per connection.
// Each Write is one transaction on one connection; PostgreSQL groups concurrent commits itself.
#include "storage/database.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace cordee::storage {
namespace {

// OIDs of the built-in types we turn into numbers.
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;

class PgError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class PgConnection final : public Session {
public:
    explicit PgConnection(const std::string& url) {
        conn_ = PQconnectdb(url.c_str());
        if (PQstatus(conn_) != CONNECTION_OK) {
            const std::string msg = PQerrorMessage(conn_);
            PQfinish(conn_);
            throw PgError("cannot connect to PostgreSQL: " + msg);
        }
        PQclear(PQexec(conn_, "SET client_min_messages = warning"));
        PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);  // notices are not errors
    }
    ~PgConnection() override { PQfinish(conn_); }

    Dialect dialect() const override { return Dialect::kPostgres; }
    bool Healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

    void Queue(std::string_view sql, const Params& params) override {
        Prepare(sql);
        queued_.push_back({std::string(sql), params, false});
    }
    // BEGIN and COMMIT travel with the statements around them rather than on their own.
    void QueueRaw(const char* sql) { queued_.push_back({sql, {}, true}); }
    void Flush() {
        if (!queued_.empty()) PQclear(Pipeline(nullptr, nullptr));
    }
    void DropQueued() { queued_.clear(); }

    Rows Query(std::string_view sql, const Params& params) override {
        PGresult* res = Run(sql, params);
        Rows rows;
        const int n = PQntuples(res), cols = PQnfields(res);
        rows.reserve(n);
        for (int r = 0; r < n; ++r) {
            std::vector<Value> values;
            values.reserve(cols);
            for (int c = 0; c < cols; ++c) {
                if (PQgetisnull(res, r, c)) {
                    values.emplace_back(std::monostate{});
                    continue;
                }
                const char* v = PQgetvalue(res, r, c);
                switch (PQftype(res, c)) {
                    case kInt8: case kInt4: case kInt2: values.emplace_back(static_cast<int64_t>(std::stoll(v))); break;
                    case kFloat4: case kFloat8: case kNumeric: values.emplace_back(std::stod(v)); break;
                    case kBool: values.emplace_back(static_cast<int64_t>(v[0] == 't')); break;
                    default: values.emplace_back(std::string(v, PQgetlength(res, r, c)));
                }
            }
            rows.emplace_back(std::move(values));
        }
        PQclear(res);
        return rows;
    }

    int64_t Exec(std::string_view sql, const Params& params) override {
        PGresult* res = Run(sql, params);
        const char* n = PQcmdTuples(res);
        const int64_t changed = (n && *n) ? std::stoll(n) : 0;
        PQclear(res);
        return changed;
    }

    void ExecScript(std::string_view sql) override {
        Flush();
        PGresult* res = PQexec(conn_, std::string(sql).c_str());
        Check(res, sql);
        PQclear(res);
    }

private:
    struct Queued {
        std::string sql;
        Params params;
        bool raw;  // BEGIN/COMMIT: sent as they are, not prepared
    };

    const std::string& Prepare(std::string_view sql) {
        std::string key(sql);
        auto it = prepared_.find(key);
        if (it == prepared_.end()) {
            const std::string name = "s" + std::to_string(prepared_.size());
            PGresult* res = PQprepare(conn_, name.c_str(), ToDollarPlaceholders(sql).c_str(), 0, nullptr);
            Check(res, sql);
            PQclear(res);
            it = prepared_.emplace(std::move(key), name).first;
        }
        return it->second;
    }

    // Text parameters; the strings live in `text` for as long as the call needs them.
    static std::vector<const char*> ParamPointers(const Params& params, std::vector<std::string>& text) {
        text.assign(params.size(), {});
        std::vector<const char*> ptrs(params.size());
        for (size_t i = 0; i < params.size(); ++i) {
            const Value& v = params[i];
            if (auto n = std::get_if<int64_t>(&v)) text[i] = std::to_string(*n);
            else if (auto d = std::get_if<double>(&v)) text[i] = std::to_string(*d);
            else if (auto s = std::get_if<std::string>(&v)) text[i] = *s;
            ptrs[i] = std::holds_alternative<std::monostate>(v) ? nullptr : text[i].c_str();
        }
        return ptrs;
    }

    void Send(const Queued& q) {
        std::vector<std::string> text;
        auto ptrs = ParamPointers(q.params, text);
        const int ok = q.raw ? PQsendQueryParams(conn_, q.sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0)
                             : PQsendQueryPrepared(conn_, prepared_.at(q.sql).c_str(), static_cast<int>(q.params.size()),
                                                   ptrs.data(), nullptr, nullptr, 0);
        if (!ok) throw PgError(std::string("PostgreSQL: cannot send: ") + PQerrorMessage(conn_));
    }

    // Sends the queued statements and then `final_sql` (if any) in one pipeline, one round trip, and
    // returns the final statement's result. The first error of any of them is thrown.
    PGresult* Pipeline(const std::string* final_sql, const Params* final_params) {
        std::vector<Queued> batch;
        batch.swap(queued_);
        if (final_sql) batch.push_back({*final_sql, *final_params, false});
        if (!PQenterPipelineMode(conn_)) throw PgError("PostgreSQL: cannot enter pipeline mode");
        std::string error;
        PGresult* final_result = nullptr;
        try {
            for (const auto& q : batch) Send(q);
            if (!PQpipelineSync(conn_)) throw PgError("PostgreSQL: pipeline sync failed");
        } catch (...) {
            PQexitPipelineMode(conn_);
            throw;
        }
        size_t index = 0;  // statement whose results are being read
        for (int guard = 0; guard < 10000; ++guard) {
            PGresult* r = PQgetResult(conn_);
            if (!r) {
                ++index;  // a NULL ends one statement's results
                if (PQstatus(conn_) != CONNECTION_OK) break;
                continue;
            }
            const auto st = PQresultStatus(r);
            if (st == PGRES_PIPELINE_SYNC) {
                PQclear(r);
                break;
            }
            if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
                if (error.empty()) {
                    error = st == PGRES_PIPELINE_ABORTED ? "pipeline aborted" : PQresultErrorMessage(r);
                    if (index < batch.size()) error += " in: " + batch[index].sql.substr(0, 200);
                }
                PQclear(r);
            } else if (final_sql && index == batch.size() - 1 && !final_result) {
                final_result = r;
            } else {
                PQclear(r);
            }
        }
        PQexitPipelineMode(conn_);
        if (!error.empty()) {
            PQclear(final_result);
            throw PgError("PostgreSQL: " + error);
        }
        return final_result;
    }

    PGresult* Run(std::string_view sql, const Params& params) {
        const std::string& name = Prepare(sql);
        if (!queued_.empty()) {
            const std::string s(sql);
            return Pipeline(&s, &params);
        }
        std::vector<std::string> text;
        auto ptrs = ParamPointers(params, text);
        PGresult* res = PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()), ptrs.data(),
                                       nullptr, nullptr, 0);
        Check(res, sql);
        return res;
    }

    void Check(PGresult* res, std::string_view sql) {
        const auto st = PQresultStatus(res);
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return;
        std::string msg = PQresultErrorMessage(res);
        PQclear(res);
        throw PgError("PostgreSQL: " + msg + " in: " + std::string(sql.substr(0, 200)));
    }

    PGconn* conn_ = nullptr;
    std::unordered_map<std::string, std::string> prepared_;
    std::vector<Queued> queued_;
};

class PostgresDatabase final : public Database {
public:
    PostgresDatabase(std::string url, int pool_size) : url_(std::move(url)), max_(pool_size) {
        idle_.push_back(std::make_unique<PgConnection>(url_));  // fail fast on a bad URL
        total_ = 1;
    }

    Dialect dialect() const override { return Dialect::kPostgres; }

    // Reads run in autocommit (each statement sees what was committed when it started): two round
    // trips fewer than BEGIN…COMMIT, and no read in Cordée needs several statements to agree.
    void Read(const std::function<void(Session&)>& fn) override {
        Lease lease(*this);
        fn(*lease.conn);
        lease.conn->Flush();
    }

    void Write(const std::function<void(Session&)>& fn) override {
        Lease lease(*this);
        PgConnection& c = *lease.conn;
        c.QueueRaw("BEGIN");
        try {
            fn(c);
            c.QueueRaw("COMMIT");
            c.Flush();
        } catch (...) {
            // Statements never sent are dropped; if BEGIN reached the server, roll back.
            c.DropQueued();
            try {
                c.ExecScript("ROLLBACK");
            } catch (...) {
            }
            throw;
        }
        ++commits_;
        ++writes_;
    }

    DatabaseStats Stats() override {
        std::lock_guard lock(mutex_);
        DatabaseStats s;
        s.pool_size = total_;
        s.pool_in_use = total_ - static_cast<int64_t>(idle_.size());
        s.write_queue = waiting_;
        s.commits = commits_;
        s.writes = writes_;
        return s;
    }

    void Close() override {
        std::lock_guard lock(mutex_);
        idle_.clear();
    }

private:
    struct Lease {
        PostgresDatabase& db;
        std::unique_ptr<PgConnection> conn;
        explicit Lease(PostgresDatabase& d) : db(d) { conn = db.Acquire(); }
        ~Lease() { db.Release(std::move(conn)); }
    };

    std::unique_ptr<PgConnection> Acquire() {
        std::unique_lock lock(mutex_);
        ++waiting_;
        cv_.wait(lock, [this] { return !idle_.empty() || total_ < max_; });
        --waiting_;
        if (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            return c;
        }
        ++total_;
        lock.unlock();
        try {
            return std::make_unique<PgConnection>(url_);
        } catch (...) {
            std::lock_guard again(mutex_);
            --total_;
            cv_.notify_one();
            throw;
        }
    }

    void Release(std::unique_ptr<PgConnection> c) {
        std::lock_guard lock(mutex_);
        if (c && c->Healthy()) idle_.push_back(std::move(c));
        else --total_;  // a broken connection is dropped; the next Acquire opens a new one
        cv_.notify_one();
    }

    std::string url_;
    int64_t max_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<PgConnection>> idle_;
    int64_t total_ = 0, waiting_ = 0;
    std::atomic<int64_t> commits_{0}, writes_{0};
};

}  // namespace

std::unique_ptr<Database> OpenPostgres(const std::string& url, int pool_size) {
    return std::make_unique<PostgresDatabase>(url, pool_size);
}

}  // namespace cordee::storage

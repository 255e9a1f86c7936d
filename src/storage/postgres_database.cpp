// PostgreSQL backend (libpq): a pool of connections, prepared statements cached per connection.
// Each Write is one transaction on one connection; PostgreSQL groups concurrent commits itself. Each Read
// is one REPEATABLE READ READ ONLY transaction (one snapshot for all its statements).
#include "storage/database.hpp"

#include "common/network_thread.hpp"

#include <libpq-fe.h>

#include <poll.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <thread>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "common/errors.hpp"

#include <optional>

namespace cordee::storage {
namespace {

// OIDs of the built-in types we turn into numbers.
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;

class PgError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

std::string_view StateOf(const PGresult* r) {
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    return state ? state : "";
}
bool IsUniqueViolation(const PGresult* r) { return StateOf(r) == "23505"; }
// disk_full: the server could not write (its WAL or a table's file). Nothing of the transaction is kept, so the
// client is told the same as with SQLite's SQLITE_FULL, not a bare 500.
bool IsDiskFull(const PGresult* r) { return StateOf(r) == "53100"; }
std::string DetailOf(const PGresult* r) {
    const char* d = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
    return d ? d : "";
}

class PgConnection final : public Session {
public:
    PgConnection(const std::string& url, bool prepare) : prepare_(prepare) {
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
    // What may go back to the pool: connected, nothing queued, outside any transaction (or only waiting
    // for the answer to a read's COMMIT), and not left in a state we could not clean up.
    bool Healthy() const {
        if (broken_ || !queued_.empty() || PQstatus(conn_) != CONNECTION_OK) return false;
        return awaiting_commit_ || PQtransactionStatus(conn_) == PQTRANS_IDLE;
    }

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

    // After a failure inside a transaction: forget what was never sent, roll back what was. A connection that
    // cannot be brought back to a clean state is marked broken and closed by the pool instead of reused.
    void Abandon() {
        queued_.clear();
        try {
            Settle();
            if (PQtransactionStatus(conn_) != PQTRANS_IDLE) ExecScript("ROLLBACK");
        } catch (...) {
            broken_ = true;
        }
        if (PQtransactionStatus(conn_) != PQTRANS_IDLE) broken_ = true;
    }

    // Ends a read transaction. Its COMMIT cannot lose anything (nothing was written), so it is sent without
    // waiting: its answer is read when the connection is next used (Settle), and a Read costs as many
    // round trips as it has statements. Statements still queued are sent with it, waited for.
    void EndRead() {
        if (queued_.size() == 1 && queued_.front().raw) {  // only the BEGIN: nothing reached the server
            queued_.clear();
            return;
        }
        if (!queued_.empty()) {
            QueueRaw("COMMIT");
            Flush();
            return;
        }
        if (!PQsendQuery(conn_, "COMMIT")) throw PgError(std::string("PostgreSQL: cannot send: ") + PQerrorMessage(conn_));
        awaiting_commit_ = true;
    }

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
        Settle();
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

    // A named server-side statement per SQL text, at most kMaxPrepared per connection (texts built with IN lists
    // of many lengths would otherwise grow the cache without end). Behind PgBouncer in transaction mode (before
    // 1.21) a named statement may not exist on the next server connection: then every statement is sent unnamed.
    const std::string& Prepare(std::string_view sql) {
        static const std::string kUnnamed;
        if (!prepare_) return kUnnamed;
        std::string key(sql);
        auto it = prepared_.find(key);
        if (it == prepared_.end()) {
            Settle();
            if (prepared_.size() >= kMaxPrepared && queued_.empty()) {
                PQclear(PQexec(conn_, "DEALLOCATE ALL"));
                prepared_.clear();
                generation_++;
            }
            const std::string name = "s" + std::to_string(generation_) + "_" + std::to_string(prepared_.size());
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
                       : !prepare_ ? PQsendQueryParams(conn_, ToDollarPlaceholders(q.sql).c_str(),
                                                       static_cast<int>(q.params.size()), nullptr, ptrs.data(), nullptr,
                                                       nullptr, 0)
                             : PQsendQueryPrepared(conn_, prepared_.at(q.sql).c_str(), static_cast<int>(q.params.size()),
                                                   ptrs.data(), nullptr, nullptr, 0);
        if (!ok) throw PgError(std::string("PostgreSQL: cannot send: ") + PQerrorMessage(conn_));
    }

    // Reads the answer to a COMMIT sent without waiting (EndRead), before anything else is sent.
    void Settle() {
        if (!awaiting_commit_) return;
        awaiting_commit_ = false;
        bool failed = false;
        while (PGresult* r = PQgetResult(conn_)) {
            failed = failed || PQresultStatus(r) != PGRES_COMMAND_OK;
            PQclear(r);
        }
        if (failed || PQstatus(conn_) != CONNECTION_OK) {
            broken_ = true;
            throw PgError(std::string("PostgreSQL: a read transaction did not end: ") + PQerrorMessage(conn_));
        }
    }

    // Sends the queued statements and then `final_sql` (if any) in one pipeline, one round trip, and
    // returns the final statement's result. The first error of any of them is thrown; whatever happens,
    // nothing stays queued, and a connection left in pipeline mode is marked broken.
    PGresult* Pipeline(const std::string* final_sql, const Params* final_params) {
        std::vector<Queued> batch;
        batch.swap(queued_);
        Settle();
        if (final_sql) batch.push_back({*final_sql, *final_params, false});
        if (!PQenterPipelineMode(conn_)) {
            broken_ = true;
            throw PgError("PostgreSQL: cannot enter pipeline mode");
        }
        std::string error;
        std::optional<std::string> unique_column;
        bool disk_full = false;
        PGresult* final_result = nullptr;
        try {
            for (const auto& q : batch) Send(q);
            if (!PQpipelineSync(conn_)) throw PgError("PostgreSQL: pipeline sync failed");
        } catch (...) {
            // Part of the batch may be on its way: the connection's state is unknown.
            broken_ = true;
            PQexitPipelineMode(conn_);
            throw;
        }
        size_t index = 0;  // statement whose results are being read
        bool synced = false;
        for (int guard = 0; guard < 1000000; ++guard) {
            PGresult* r = PQgetResult(conn_);
            if (!r) {
                ++index;  // a NULL ends one statement's results
                if (PQstatus(conn_) != CONNECTION_OK) break;
                continue;
            }
            const auto st = PQresultStatus(r);
            if (st == PGRES_PIPELINE_SYNC) {
                PQclear(r);
                synced = true;
                break;
            }
            if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
                if (error.empty() && IsUniqueViolation(r)) unique_column = UniqueColumnOf(DetailOf(r));
                if (error.empty() && IsDiskFull(r)) disk_full = true;
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
        if (!synced || !PQexitPipelineMode(conn_)) {
            broken_ = true;
            if (error.empty()) error = std::string("pipeline not finished: ") + PQerrorMessage(conn_);
        }
        if (!error.empty()) {
            PQclear(final_result);
            if (unique_column) throw Duplicate(*unique_column);
            if (disk_full) throw InsufficientStorage();
            throw PgError("PostgreSQL: " + error);
        }
        return final_result;
    }

    PGresult* Run(std::string_view sql, const Params& params) {
        Settle();
        const std::string& name = Prepare(sql);
        if (!queued_.empty()) {
            const std::string s(sql);
            return Pipeline(&s, &params);
        }
        std::vector<std::string> text;
        auto ptrs = ParamPointers(params, text);
        PGresult* res = prepare_ ? PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()), ptrs.data(),
                                                  nullptr, nullptr, 0)
                                 : PQexecParams(conn_, ToDollarPlaceholders(sql).c_str(), static_cast<int>(params.size()),
                                                nullptr, ptrs.data(), nullptr, nullptr, 0);
        Check(res, sql);
        return res;
    }

    void Check(PGresult* res, std::string_view sql) {
        const auto st = PQresultStatus(res);
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return;
        std::string msg = PQresultErrorMessage(res);
        if (IsUniqueViolation(res)) {
            const std::string column = UniqueColumnOf(DetailOf(res));
            PQclear(res);
            throw Duplicate(column);
        }
        const bool disk_full = IsDiskFull(res);
        PQclear(res);
        if (disk_full) throw InsufficientStorage();
        throw PgError("PostgreSQL: " + msg + " in: " + std::string(sql.substr(0, 200)));
    }

    PGconn* conn_ = nullptr;
    static constexpr size_t kMaxPrepared = 256;
    bool prepare_ = true;
    int64_t generation_ = 0;
    std::unordered_map<std::string, std::string> prepared_;
    std::vector<Queued> queued_;
    bool awaiting_commit_ = false;  // a read's COMMIT was sent, its answer not read yet
    bool broken_ = false;           // state unknown after a failure: never reused
};

// LISTEN on a connection of its own, read by a thread that polls its socket; reconnects after a loss (the caller is
// then told "" and catches up from the database).
class PgListener final : public Listener {
public:
    PgListener(std::string url, std::string channel, std::function<void(const std::string&)> on)
        : url_(std::move(url)), channel_(std::move(channel)), on_(std::move(on)), thread_([this] { Run(); }) {}
    ~PgListener() override {
        stop_ = true;
        thread_.join();
    }

private:
    void Run() {
        while (!stop_) {
            PGconn* conn = PQconnectdb(url_.c_str());
            if (PQstatus(conn) == CONNECTION_OK) {
                PGresult* r = PQexec(conn, ("LISTEN " + channel_).c_str());
                const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
                PQclear(r);
                if (ok) {
                    Tell("");
                    Listen(conn);
                }
            }
            PQfinish(conn);
            for (int i = 0; i < 10 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    void Listen(PGconn* conn) {
        while (!stop_) {
            pollfd fd{PQsocket(conn), POLLIN, 0};
            if (fd.fd < 0) return;
            const int n = poll(&fd, 1, 250);  // the stop flag is seen within a quarter of a second
            if (n < 0 && errno != EINTR) return;
            if (n > 0 && PQconsumeInput(conn) == 0) return;  // the connection is lost
            while (PGnotify* note = PQnotifies(conn)) {
                const std::string payload = note->extra ? note->extra : "";
                PQfreemem(note);
                Tell(payload);
            }
        }
    }
    void Tell(const std::string& payload) {
        try {
            on_(payload);
        } catch (...) {
            // A listener's failure must not end the thread that wakes every other one.
        }
    }

    const std::string url_, channel_;
    std::function<void(const std::string&)> on_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

class PostgresDatabase final : public Database {
public:
    PostgresDatabase(std::string url, int pool_size, bool prepare)
        : url_(std::move(url)), max_(pool_size), prepare_(prepare) {
        idle_.push_back(std::make_unique<PgConnection>(url_, prepare_));  // fail fast on a bad URL
        total_ = 1;
    }

    Dialect dialect() const override { return Dialect::kPostgres; }

    std::unique_ptr<Listener> Listen(const std::string& channel, std::function<void(const std::string&)> on) override {
        if (channel.empty() || channel.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos)
            throw std::invalid_argument("channel name: lower-case letters and _ only");
        return std::make_unique<PgListener>(url_, channel, std::move(on));
    }

    // One REPEATABLE READ READ ONLY transaction: the policy check and the data it guards read one snapshot.
    // BEGIN travels with the first statement and the COMMIT is not waited for (PgConnection::EndRead), so
    // that this costs no round trip more than autocommit.
    void Read(const std::function<void(Session&)>& fn) override {
        LeaveNetworkThread("a PostgreSQL read");
        Lease lease(*this);
        PgConnection& c = *lease.conn;
        c.QueueRaw("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        try {
            fn(c);
            c.EndRead();
        } catch (...) {
            c.Abandon();
            throw;
        }
    }

    void WriteJob(const std::function<void(Session&)>& fn) override {
        LeaveNetworkThread("a PostgreSQL write");
        Lease lease(*this);
        PgConnection& c = *lease.conn;
        c.QueueRaw("BEGIN");
        try {
            fn(c);
            c.QueueRaw("COMMIT");
            c.Flush();
        } catch (...) {
            // Statements never sent are dropped; if BEGIN reached the server, roll back.
            c.Abandon();
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
            return std::make_unique<PgConnection>(url_, prepare_);
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
    bool prepare_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<PgConnection>> idle_;
    int64_t total_ = 0, waiting_ = 0;
    std::atomic<int64_t> commits_{0}, writes_{0};
};

}  // namespace

std::unique_ptr<Database> OpenPostgres(const std::string& url, int pool_size, bool prepared_statements) {
    return std::make_unique<PostgresDatabase>(url, pool_size, prepared_statements);
}

}  // namespace cordee::storage

// SQLite backend: WAL, synchronous=FULL, one writer thread with group commit, a pool of readers.
//
// Group commit: the writer takes every job waiting in its queue, runs each inside its own SAVEPOINT
// of one transaction, and commits once, so one fsync makes a whole batch durable. A job that throws
// is rolled back to its savepoint alone; callers are answered only after the COMMIT.
#include "storage/database.hpp"

#include <sqlite3.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <stdexcept>
#include "common/errors.hpp"
#include "common/network_thread.hpp"

#include <thread>
#include <unordered_map>

namespace cordee::storage {
namespace {

class SqliteError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A full disk or a refused write/sync is told as such (507, 503), not as an internal error: the caller knows
// that nothing was kept and may try again (SQLite itself checks its fsync results).
[[noreturn]] void ThrowSqlite(int rc, const std::string& message) {
    if ((rc & 0xff) == SQLITE_FULL) throw InsufficientStorage();
    if ((rc & 0xff) == SQLITE_IOERR) throw StorageFailure();
    throw SqliteError(message);
}

class SqliteConnection final : public Session {
public:
    SqliteConnection(const std::string& path, bool readonly) {
        // Readers open read-write with query_only so that they can map the WAL index (-shm).
        const int flags = SQLITE_OPEN_READWRITE | (readonly ? 0 : SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
        if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
            const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            throw SqliteError("cannot open SQLite database " + path + ": " + msg);
        }
        sqlite3_busy_timeout(db_, 10000);
        // Readers use their own page cache, not a memory map: the database grows with every audited read, and
        // each growth made every reader unmap and map the file again (page faults dominated reads touching many
        // pages, bench/patient_reads.sh). The writer keeps a larger cache: bulk changes walk big indexes.
        if (readonly) ExecScript("PRAGMA query_only=1; PRAGMA cache_size=-8192;");
        else ExecScript("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-131072;");
    }
    ~SqliteConnection() override {
        for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
        sqlite3_close(db_);
    }

    Dialect dialect() const override { return Dialect::kSqlite; }

    Rows Query(std::string_view sql, const Params& params) override {
        sqlite3_stmt* stmt = Prepare(sql, params);
        Rows rows;
        int rc;
        const int cols = sqlite3_column_count(stmt);
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            std::vector<Value> values;
            values.reserve(cols);
            for (int i = 0; i < cols; ++i) {
                switch (sqlite3_column_type(stmt, i)) {
                    case SQLITE_INTEGER: values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, i))); break;
                    case SQLITE_FLOAT: values.emplace_back(sqlite3_column_double(stmt, i)); break;
                    case SQLITE_NULL: values.emplace_back(std::monostate{}); break;
                    default: {
                        const auto* p = reinterpret_cast<const char*>(sqlite3_column_blob(stmt, i));
                        values.emplace_back(std::string(p ? p : "", sqlite3_column_bytes(stmt, i)));
                    }
                }
            }
            rows.emplace_back(std::move(values));
        }
        Finish(stmt, rc);
        return rows;
    }

    int64_t Exec(std::string_view sql, const Params& params) override {
        sqlite3_stmt* stmt = Prepare(sql, params);
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        }
        Finish(stmt, rc);
        return sqlite3_changes(db_);
    }

    void ExecScript(std::string_view sql) override {
        char* err = nullptr;
        if (const int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err); rc != SQLITE_OK) {
            std::string msg = err ? err : "unknown error";
            sqlite3_free(err);
            ThrowSqlite(rc, "SQLite: " + msg);
        }
    }

    void Checkpoint() { sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr); }

private:
    sqlite3_stmt* Prepare(std::string_view sql, const Params& params) {
        std::string key(sql);
        auto it = cache_.find(key);
        sqlite3_stmt* stmt;
        if (it == cache_.end() && cache_.size() >= kMaxCached) {
            // Bounded: SQL texts built with IN lists of many lengths would grow the cache without end. No statement
            // is in use between two calls (each is reset when it finishes), so all can go.
            for (auto& [text, cached] : cache_) sqlite3_finalize(cached);
            cache_.clear();
            it = cache_.end();
        }
        if (it == cache_.end()) {
            if (sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                   nullptr) != SQLITE_OK) {
                throw SqliteError(std::string("SQLite prepare: ") + sqlite3_errmsg(db_) + " in: " + key);
            }
            cache_.emplace(std::move(key), stmt);
        } else {
            stmt = it->second;
        }
        for (size_t i = 0; i < params.size(); ++i) {
            const int idx = static_cast<int>(i + 1);
            const Value& v = params[i];
            if (auto n = std::get_if<int64_t>(&v)) sqlite3_bind_int64(stmt, idx, *n);
            else if (auto d = std::get_if<double>(&v)) sqlite3_bind_double(stmt, idx, *d);
            else if (auto s = std::get_if<std::string>(&v))
                sqlite3_bind_text(stmt, idx, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
            else sqlite3_bind_null(stmt, idx);
        }
        return stmt;
    }

    void Finish(sqlite3_stmt* stmt, int rc) {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        if (rc == SQLITE_CONSTRAINT && (sqlite3_extended_errcode(db_) == SQLITE_CONSTRAINT_UNIQUE ||
                                        sqlite3_extended_errcode(db_) == SQLITE_CONSTRAINT_PRIMARYKEY)) {
            throw Duplicate(UniqueColumnOf(sqlite3_errmsg(db_)));
        }
        if (rc != SQLITE_DONE) ThrowSqlite(sqlite3_extended_errcode(db_), std::string("SQLite: ") + sqlite3_errmsg(db_));
    }

    sqlite3* db_ = nullptr;
    static constexpr size_t kMaxCached = 512;
    std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

class SqliteDatabase final : public Database {
public:
    explicit SqliteDatabase(std::string path) : path_(std::move(path)) {
        writer_conn_ = std::make_unique<SqliteConnection>(path_, false);
        writer_ = std::thread([this] { WriterLoop(); });
    }
    ~SqliteDatabase() override { Close(); }

    Dialect dialect() const override { return Dialect::kSqlite; }

    void Read(const std::function<void(Session&)>& fn) override {
        // Each thread keeps its own reader connection: no lock to take, no connection to hand over.
        // A nested Read on the same thread gets a connection of its own for the time of the call.
        thread_local std::vector<ThreadReader> mine;
        ThreadReader* slot = nullptr;
        for (auto& r : mine)
            if (r.db_id == id_) slot = &r;
        std::unique_ptr<SqliteConnection> nested;
        SqliteConnection* conn;
        if (slot && !slot->busy) {
            conn = slot->conn;
        } else if (!slot) {
            conn = NewReader();
            mine.push_back({id_, conn, false});
            slot = &mine.back();
        } else {
            nested = std::make_unique<SqliteConnection>(path_, true);
            conn = nested.get();
            slot = nullptr;
        }
        if (slot) slot->busy = true;
        ++readers_in_use_;
        struct Release {
            SqliteDatabase* self;
            uint64_t id;
            bool release_slot;
            ~Release() {
                --self->readers_in_use_;
                if (!release_slot) return;
                for (auto& r : mine)
                    if (r.db_id == id) r.busy = false;
            }
        } release{this, id_, slot != nullptr};
        // A read transaction gives the function one consistent snapshot (prepared BEGIN/COMMIT: cheap).
        conn->Exec("BEGIN", {});
        try {
            fn(*conn);
        } catch (...) {
            conn->Exec("ROLLBACK", {});
            throw;
        }
        conn->Exec("COMMIT", {});
    }

    void WriteJob(const std::function<void(Session&)>& fn) override {
        LeaveNetworkThread("a durable SQLite commit");
        Job job{&fn, {}};
        auto done = job.promise.get_future();
        {
            std::lock_guard lock(queue_mutex_);
            if (closed_) throw std::runtime_error("database is closed");
            queue_.push_back(&job);
        }
        queue_cv_.notify_one();
        done.get();  // rethrows the job's own exception, or the commit's
    }

    DatabaseStats Stats() override {
        DatabaseStats s;
        {
            std::lock_guard lock(queue_mutex_);
            s.write_queue = static_cast<int64_t>(queue_.size());
        }
        s.commits = commits_;
        s.writes = writes_;
        std::lock_guard lock(readers_mutex_);
        s.pool_in_use = readers_in_use_;
        s.pool_size = static_cast<int64_t>(readers_.size()) + 1;
        return s;
    }

    void Close() override {
        {
            std::lock_guard lock(queue_mutex_);
            if (closed_) return;
            closed_ = true;
        }
        queue_cv_.notify_all();
        if (writer_.joinable()) writer_.join();
        std::lock_guard lock(readers_mutex_);
        readers_.clear();
        writer_conn_->Checkpoint();
        writer_conn_.reset();
    }

private:
    struct ThreadReader {
        uint64_t db_id;
        SqliteConnection* conn;
        bool busy;
    };

    SqliteConnection* NewReader() {
        auto c = std::make_unique<SqliteConnection>(path_, true);
        std::lock_guard lock(readers_mutex_);
        readers_.push_back(std::move(c));
        return readers_.back().get();
    }

    struct Job {
        const std::function<void(Session&)>* fn;
        std::promise<void> promise;
    };

    void WriterLoop() {
        std::vector<Job*> batch;
        std::vector<std::exception_ptr> errors;
        for (;;) {
            {
                std::unique_lock lock(queue_mutex_);
                queue_cv_.wait(lock, [this] { return closed_ || !queue_.empty(); });
                if (queue_.empty() && closed_) return;
                // Bounded batches keep the latency of the first job in a batch low.
                while (!queue_.empty() && batch.size() < 256) {
                    batch.push_back(queue_.front());
                    queue_.pop_front();
                }
            }
            errors.assign(batch.size(), nullptr);
            std::exception_ptr commit_error;
            try {
                writer_conn_->ExecScript("BEGIN IMMEDIATE");
                for (size_t i = 0; i < batch.size(); ++i) {
                    writer_conn_->ExecScript("SAVEPOINT job");
                    try {
                        (*batch[i]->fn)(*writer_conn_);
                        writer_conn_->ExecScript("RELEASE job");
                    } catch (...) {
                        errors[i] = std::current_exception();
                        writer_conn_->ExecScript("ROLLBACK TO job; RELEASE job");
                    }
                }
                writer_conn_->ExecScript("COMMIT");
                ++commits_;
            } catch (...) {
                commit_error = std::current_exception();
                try {
                    writer_conn_->ExecScript("ROLLBACK");
                } catch (...) {
                }
            }
            writes_ += static_cast<int64_t>(batch.size());
            for (size_t i = 0; i < batch.size(); ++i) {
                if (commit_error) batch[i]->promise.set_exception(commit_error);
                else if (errors[i]) batch[i]->promise.set_exception(errors[i]);
                else batch[i]->promise.set_value();
            }
            batch.clear();
        }
    }

    // Ids are never reused, so that a thread's reader of a closed database is never mistaken for one
    // of a database opened later at the same address.
    static inline std::atomic<uint64_t> next_id_{1};
    const uint64_t id_ = next_id_++;
    std::string path_;
    std::unique_ptr<SqliteConnection> writer_conn_;
    std::thread writer_;
    std::mutex queue_mutex_;
    std::condition_variable queue_cv_;
    std::deque<Job*> queue_;
    bool closed_ = false;
    std::mutex readers_mutex_;
    std::vector<std::unique_ptr<SqliteConnection>> readers_;
    std::atomic<int64_t> readers_in_use_{0}, commits_{0}, writes_{0};
};

}  // namespace

std::unique_ptr<Database> OpenSqlite(const std::string& path) {
    // Memory statistics take a global mutex on every allocation: contention between threads, no use to us.
    static std::once_flag once;
    std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
    return std::make_unique<SqliteDatabase>(path);
}

}  // namespace cordee::storage

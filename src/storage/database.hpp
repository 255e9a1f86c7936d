#pragma once
// One storage interface, two backends (SQLite embedded, PostgreSQL shared). SQL is written once with
// `?` placeholders in the portable dialect (docs/storage.md); the PostgreSQL backend rewrites them.
//
// Read(fn) runs fn on a connection that sees committed data (one snapshot on SQLite; each statement its
// own on PostgreSQL). Write(fn) runs fn inside one durable
// transaction and returns only after COMMIT reached the disk: if fn throws, nothing of it is kept and
// the exception reaches the caller. Never call Write from inside Write or Read (one writer).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace cordee::storage {

enum class Dialect { kSqlite, kPostgres };

using Value = std::variant<std::monostate, int64_t, double, std::string>;
using Params = std::vector<Value>;

class Row {
public:
    explicit Row(std::vector<Value> v) : values_(std::move(v)) {}
    bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(values_.at(i)); }
    std::string Str(size_t i) const;          // "" when NULL
    std::optional<std::string> OptStr(size_t i) const;
    int64_t Int(size_t i) const;              // 0 when NULL
    std::optional<int64_t> OptInt(size_t i) const;
    double Double(size_t i) const;
    size_t size() const { return values_.size(); }

private:
    std::vector<Value> values_;
};

using Rows = std::vector<Row>;

class Session {
public:
    virtual ~Session() = default;
    virtual Rows Query(std::string_view sql, const Params& params = {}) = 0;
    // Returns the number of rows changed.
    virtual int64_t Exec(std::string_view sql, const Params& params = {}) = 0;
    // A statement whose result is not needed: PostgreSQL sends it with the next statement or the COMMIT
    // in one round trip (pipeline mode); its error, if any, surfaces there and aborts the transaction.
    virtual void Queue(std::string_view sql, const Params& params = {}) { Exec(sql, params); }
    // Several statements, no parameters (migrations).
    virtual void ExecScript(std::string_view sql) = 0;
    virtual Dialect dialect() const = 0;

    std::optional<Row> One(std::string_view sql, const Params& params = {});
    // Serialises writers that must see each other in order (audit chain) on backends with
    // concurrent writers; a no-op on SQLite, where there is one writer.
    void LockForOrdering(int64_t key);
};

struct DatabaseStats {
    int64_t write_queue = 0;       // jobs waiting for the writer (SQLite)
    int64_t commits = 0;           // transactions committed
    int64_t writes = 0;            // write jobs done
    int64_t pool_size = 0;         // connections
    int64_t pool_in_use = 0;
};

// A subscription to notifications between the nodes that share a database (Database::Listen); ends when destroyed.
class Listener {
public:
    virtual ~Listener() = default;
};

class Database {
public:
    virtual ~Database() = default;
    // PostgreSQL LISTEN on `channel` (lower-case letters and _), on a connection of its own: `on` gets the payload of
    // each notification any node commits (Session statements `SELECT pg_notify(...)`), on the listener's thread, and
    // "" after each (re)connection, since notifications sent while it was away are lost. nullptr on SQLite, where one
    // file is one node.
    virtual std::unique_ptr<Listener> Listen(const std::string& channel, std::function<void(const std::string&)> on) {
        (void)channel, (void)on;
        return nullptr;
    }
    virtual Dialect dialect() const = 0;
    virtual void Read(const std::function<void(Session&)>& fn) = 0;
    // One write transaction: fn's statements commit together or not at all; returns once committed. Then runs, on
    // the caller's thread, the work fn left with AfterCommit.
    void Write(const std::function<void(Session&)>& fn);
    virtual DatabaseStats Stats() = 0;
    virtual void Close() = 0;

protected:
    // The backend's write transaction (Write adds the after-commit work around it).
    virtual void WriteJob(const std::function<void(Session&)>& fn) = 0;

public:
    template <class F>
    auto ReadValue(F&& fn) {
        using R = std::invoke_result_t<F, Session&>;
        std::optional<R> out;
        Read([&](Session& s) { out.emplace(fn(s)); });
        return std::move(*out);
    }
    template <class F>
    auto WriteValue(F&& fn) {
        using R = std::invoke_result_t<F, Session&>;
        std::optional<R> out;
        Write([&](Session& s) { out.emplace(fn(s)); });
        return std::move(*out);
    }
};

// Work for once the write transaction now running on this thread has committed (never if it does not): e.g. waking
// the live sockets, which must not look before what they are to read is visible. Outside a write, runs at once.
void AfterCommit(std::function<void()> fn);

// `database` empty → SQLite in data_dir/cordee.db; "postgresql://…" → PostgreSQL.
// `prepared_statements` false: PostgreSQL statements are sent unnamed (PgBouncer in transaction mode before 1.21).
std::unique_ptr<Database> OpenDatabase(const std::string& database, const std::string& data_dir, int pool_size,
                                       bool prepared_statements = true);
std::unique_ptr<Database> OpenSqlite(const std::string& path);
std::unique_ptr<Database> OpenPostgres(const std::string& url, int pool_size, bool prepared_statements = true);

// Replaces `?` placeholders (outside quotes) with $1, $2, … for PostgreSQL.
std::string ToDollarPlaceholders(std::string_view sql);

}  // namespace cordee::storage

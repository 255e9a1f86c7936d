#pragma once
// Configuration: defaults, then an optional TOML file (--config), then CORDEE_* environment
// variables, then command-line flags. Every key has the same name in all three places
// (file key `session_idle_seconds`, variable CORDEE_SESSION_IDLE_SECONDS, flag --session-idle-seconds).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cordee {

struct Config {
    std::string data = "./data";
    std::string database;  // empty: SQLite in data/cordee.db; else postgresql://…
    std::string listen = "127.0.0.1";
    int port = 8080;
    int io_threads = 2;
    int worker_threads = 0;  // 0: chosen for the backend (WorkerThreads())
    int db_pool_size = 0;    // 0: one connection per worker thread
    std::string tls_cert, tls_key;
    std::string web_root = "web/dist";
    std::string public_url;  // used in emailed links; defaults to http://localhost:PORT
    std::string smtp_url, smtp_from = "Cordée <ne-pas-repondre@cordee.local>", smtp_user, smtp_password;
    int64_t session_idle_seconds = 30 * 60;
    int64_t session_absolute_seconds = 12 * 3600;
    int64_t session_cache_seconds = -1;  // -1: 5 s on SQLite, off on PostgreSQL (auth/session_cache.hpp)
    int64_t max_body_bytes = 1 << 20;
    std::string insi_file;  // identities known to the INSi simulator; empty: DATA/insi.json
    bool access_log = true;
    std::string log_level = "info";

    std::string PublicUrl() const;
    bool UsesPostgres() const { return database.rfind("postgres", 0) == 0; }
    // SQLite gains from many writers waiting together (bigger group commits); PostgreSQL loses tail
    // latency to context switches with more blocking threads than 4 per core (measured, bench/).
    int WorkerThreads() const;
    int64_t SessionCacheMicros() const {
        const int64_t secs = session_cache_seconds >= 0 ? session_cache_seconds : (UsesPostgres() ? 0 : 5);
        return secs * 1'000'000;
    }
    int DbPoolSize() const { return db_pool_size > 0 ? db_pool_size : WorkerThreads(); }
};

// Parses `args` (flags only: --key value or --key=value); returns leftover positional arguments.
// Throws cordee::Error with a readable message on an unknown key or a bad value.
std::vector<std::string> LoadConfig(Config& cfg, const std::vector<std::string>& args);

// Help text listing every key, shared by all commands' --help.
std::string ConfigHelp();

}  // namespace cordee

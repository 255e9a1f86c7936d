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
    // false behind PgBouncer in transaction mode (Debian's 1.18 does not carry prepared statements across
    // server connections): statements are then sent unnamed.
    bool pg_prepared_statements = true;
    std::string tls_cert, tls_key;
    std::string web_root = "web/dist";
    std::string public_url;  // used in emailed links; defaults to http://localhost:PORT
    std::string smtp_url, smtp_from = "Cordée <ne-pas-repondre@cordee.local>", smtp_user, smtp_password;
    int64_t session_idle_seconds = 30 * 60;
    int64_t session_absolute_seconds = 12 * 3600;
    int64_t session_cache_seconds = -1;  // -1: 5 s on SQLite, off on PostgreSQL (auth/session_cache.hpp)
    int64_t max_body_bytes = 1 << 20;
    // Bytes of files one account may have uploaded in all (attachments it authored): 500 MiB.
    int64_t upload_quota_bytes = 500LL << 20;
    // Images decoded at once (each holds its pixels: up to 160 MB for 40 Mpx); 0: one per core.
    int image_decodes = 0;
    // Usual ranges of the vital signs, outside which a value is flagged: "systolic=90-140,spo2=94-100,…";
    // empty: notebook::kDefaultVitalRanges. Checked when the server starts (notebook/vitals.hpp).
    std::string vital_ranges;
    std::string insi_file;  // identities known to the INSi simulator; empty: DATA/insi.json
    // Emergency accesses one account opens in 24 hours before each further one also alerts the operators.
    int64_t break_glass_per_day = 3;
    // Urgent messages (messaging/service.hpp): how often their deadlines are checked, and the on-call list told last.
    int64_t urgent_check_seconds = 15;
    std::string urgent_on_call;
    // Hours between two e-mail digests of unread messages to one account; 0: no digest.
    int64_t digest_hours = 0;
    // Checkpoints of the audit chain outside the database (audit/anchor.hpp); empty: DATA/audit.key and
    // DATA/audit-anchors.jsonl.
    std::string audit_key_file, audit_anchor_file;
    int64_t audit_anchor_seconds = 10;
    // Pro Santé Connect (auth/psc.hpp): off while psc_issuer is empty. The redirect URI to register with the
    // provider is PUBLIC_URL/api/v1/auth/psc/callback.
    std::string psc_issuer, psc_client_id, psc_client_secret;
    bool access_log = true;
    int64_t live_queue_bytes = 256 * 1024;  // per live socket (http::ServerOptions::socket_queue_bytes)
    std::string log_level = "info";
    // Load balancers / reverse proxies whose X-Forwarded-For is believed: addresses or CIDRs, comma-separated
    // (checked when read: common/ip_network.hpp); empty: the connection's address is the client's.
    std::string trusted_proxies;
    // Bearer token that opens /metrics from anywhere; without it, only requests from this machine read it.
    std::string metrics_token;
    // Web Push (push/service.hpp): the VAPID private key (base64url P-256 scalar; empty: made at the first start and
    // kept in the database), the contact given to push services (empty: the https public URL, else mailto: of
    // smtp_from), the push service hosts a subscription may point at, and the first delay of a retry.
    std::string push_vapid_private_key, push_subject;
    std::string push_hosts = "fcm.googleapis.com,*.push.services.mozilla.com,*.notify.windows.com,*.push.apple.com";
    int64_t push_retry_seconds = 30;

    std::string PublicUrl() const;
    std::string AuditKeyFile() const { return audit_key_file.empty() ? data + "/audit.key" : audit_key_file; }
    std::string AuditAnchorFile() const {
        return audit_anchor_file.empty() ? data + "/audit-anchors.jsonl" : audit_anchor_file;
    }
    bool UsesPostgres() const { return database.rfind("postgres", 0) == 0; }
    // SQLite gains from many writers waiting together (bigger group commits); PostgreSQL loses tail
    // latency to context switches with more blocking threads than 4 per core (measured, bench/).
    int WorkerThreads() const;
    int64_t SessionCacheMicros() const {
        const int64_t secs = session_cache_seconds >= 0 ? session_cache_seconds : (UsesPostgres() ? 0 : 5);
        return secs * 1'000'000;
    }
    int ImageDecodes() const;
    int DbPoolSize() const { return db_pool_size > 0 ? db_pool_size : WorkerThreads(); }
};

// Parses `args` (flags only: --key value or --key=value); returns leftover positional arguments.
// Throws cordee::Error with a readable message on an unknown key or a bad value.
std::vector<std::string> LoadConfig(Config& cfg, const std::vector<std::string>& args);

// Help text listing every key, shared by all commands' --help.
std::string ConfigHelp();

}  // namespace cordee

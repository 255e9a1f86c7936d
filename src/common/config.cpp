#include "common/config.hpp"

#include "common/errors.hpp"
#include "common/ip_network.hpp"

#include <toml++/toml.h>

#include <cstdlib>
#include <functional>
#include <thread>

namespace cordee {
namespace {

struct Key {
    const char* name;
    const char* help;
    std::function<void(Config&, const std::string&)> set;
};

int64_t ToInt(const std::string& key, const std::string& v, int64_t min, int64_t max) {
    try {
        size_t pos = 0;
        const long long n = std::stoll(v, &pos);
        if (pos == v.size() && n >= min && n <= max) return n;
    } catch (...) {
    }
    throw Error(Problem::kBadConfig,
                "La valeur « " + v + " » de " + key + " doit être un entier entre " + std::to_string(min) + " et " +
                    std::to_string(max) + ".");
}

const std::vector<Key>& Keys() {
    static const std::vector<Key> keys = {
        {"data", "data directory (SQLite file, blobs, outbox)", [](Config& c, const std::string& v) { c.data = v; }},
        {"database", "postgresql://… URL (default: SQLite in the data directory)",
         [](Config& c, const std::string& v) { c.database = v; }},
        {"listen", "address to listen on (default 127.0.0.1)", [](Config& c, const std::string& v) { c.listen = v; }},
        {"port", "TCP port (0 = any free port)",
         [](Config& c, const std::string& v) { c.port = static_cast<int>(ToInt("port", v, 0, 65535)); }},
        {"io_threads", "network threads",
         [](Config& c, const std::string& v) { c.io_threads = static_cast<int>(ToInt("io_threads", v, 1, 256)); }},
        {"worker_threads", "threads for blocking work (writes, password hashing); default 32 on SQLite, 4 per core on PostgreSQL",
         [](Config& c, const std::string& v) {
             c.worker_threads = static_cast<int>(ToInt("worker_threads", v, 1, 1024));
         }},
        {"db_pool_size", "PostgreSQL connections per node (default: one per worker thread)",
         [](Config& c, const std::string& v) { c.db_pool_size = static_cast<int>(ToInt("db_pool_size", v, 1, 512)); }},
        {"pg_prepared_statements", "false behind PgBouncer in transaction mode: statements are sent unnamed (true/false)",
         [](Config& c, const std::string& v) { c.pg_prepared_statements = (v == "true" || v == "1" || v == "yes"); }},
        {"tls_cert", "PEM certificate chain: enables HTTPS", [](Config& c, const std::string& v) { c.tls_cert = v; }},
        {"tls_key", "PEM private key", [](Config& c, const std::string& v) { c.tls_key = v; }},
        {"web_root", "built web app to serve (web/dist)", [](Config& c, const std::string& v) { c.web_root = v; }},
        {"public_url", "address users reach, for emailed links", [](Config& c, const std::string& v) { c.public_url = v; }},
        {"smtp_url", "smtp://host:port or smtps://… (default: emails written to DATA/outbox)",
         [](Config& c, const std::string& v) { c.smtp_url = v; }},
        {"smtp_from", "sender address", [](Config& c, const std::string& v) { c.smtp_from = v; }},
        {"smtp_user", "SMTP user", [](Config& c, const std::string& v) { c.smtp_user = v; }},
        {"smtp_password", "SMTP password", [](Config& c, const std::string& v) { c.smtp_password = v; }},
        {"session_idle_seconds", "session idle time-out (default 1800)",
         [](Config& c, const std::string& v) {
             c.session_idle_seconds = ToInt("session_idle_seconds", v, 1, 7 * 86400);
         }},
        {"session_absolute_seconds", "session absolute time-out (default 43200)",
         [](Config& c, const std::string& v) {
             c.session_absolute_seconds = ToInt("session_absolute_seconds", v, 1, 30 * 86400);
         }},
        {"session_cache_seconds", "how long a node may reuse a checked session without reading it again (0 = off)",
         [](Config& c, const std::string& v) {
             c.session_cache_seconds = ToInt("session_cache_seconds", v, 0, 300);
         }},
        {"max_body_bytes", "largest request body accepted (default 1048576)",
         [](Config& c, const std::string& v) { c.max_body_bytes = ToInt("max_body_bytes", v, 1024, 1LL << 32); }},
        {"upload_quota_bytes", "bytes of files one account may upload in all (default 524288000, 500 MiB)",
         [](Config& c, const std::string& v) {
             c.upload_quota_bytes = ToInt("upload_quota_bytes", v, 0, 1LL << 50);
         }},
        {"vital_ranges", "usual ranges of the vital signs, flagged outside: systolic=90-140,spo2=94-100,... (default: adult ranges)",
         [](Config& c, const std::string& v) { c.vital_ranges = v; }},
        {"image_decodes", "images decoded and re-encoded at once, the others wait (default 0: one per core)",
         [](Config& c, const std::string& v) { c.image_decodes = static_cast<int>(ToInt("image_decodes", v, 0, 256)); }},
        {"psc_issuer", "Pro Santé Connect issuer URL (e.g. https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet); "
                       "empty: PSC off",
         [](Config& c, const std::string& v) { c.psc_issuer = v; }},
        {"psc_client_id", "client id given by the agency for Pro Santé Connect",
         [](Config& c, const std::string& v) { c.psc_client_id = v; }},
        {"psc_client_secret", "client secret for Pro Santé Connect (prefer the environment or the file)",
         [](Config& c, const std::string& v) { c.psc_client_secret = v; }},
        {"insi_file", "JSON file of identities the INSi simulator knows (default DATA/insi.json)",
         [](Config& c, const std::string& v) { c.insi_file = v; }},
        {"break_glass_per_day", "emergency accesses an account opens in 24 hours before each further one also "
                                "alerts the operators (default 3)",
         [](Config& c, const std::string& v) { c.break_glass_per_day = ToInt("break_glass_per_day", v, 0, 1000); }},
        {"urgent_check_seconds", "how often serve looks for urgent messages unread past their deadline (default 15)",
         [](Config& c, const std::string& v) { c.urgent_check_seconds = ToInt("urgent_check_seconds", v, 1, 3600); }},
        {"digest_hours", "hours between two e-mails summing up one's unread messages (only when some are waiting and "
                         "something arrived since the last one; no clinical content); 0: none (default)",
         [](Config& c, const std::string& v) { c.digest_hours = ToInt("digest_hours", v, 0, 24 * 31); }},
        {"urgent_on_call", "e-mail addresses of the territory's on-call list, comma-separated: an urgent message still "
                           "unread after the circle's referent was told is e-mailed there (no clinical content); "
                           "empty: no such step",
         [](Config& c, const std::string& v) { c.urgent_on_call = v; }},
        {"audit_key_file", "HMAC key of the audit checkpoints, outside the database (default DATA/audit.key, made at "
                           "first start; the same file on every node)",
         [](Config& c, const std::string& v) { c.audit_key_file = v; }},
        {"audit_anchor_file", "append-only file of signed audit checkpoints (default DATA/audit-anchors.jsonl)",
         [](Config& c, const std::string& v) { c.audit_anchor_file = v; }},
        {"audit_anchor_seconds", "how often serve checkpoints the audit chain when it grew (default 10)",
         [](Config& c, const std::string& v) {
             c.audit_anchor_seconds = ToInt("audit_anchor_seconds", v, 1, 3600);
         }},
        {"live_queue_bytes", "bytes queued for one live socket before its client, not reading, is dropped (default "
                             "262144; it resumes from its last event when it reconnects)",
         [](Config& c, const std::string& v) { c.live_queue_bytes = ToInt("live_queue_bytes", v, 4096, 64 << 20); }},
        {"access_log", "log one line per request (true/false)",
         [](Config& c, const std::string& v) { c.access_log = (v == "true" || v == "1" || v == "yes"); }},
        {"log_level", "trace, debug, info, warn, error", [](Config& c, const std::string& v) { c.log_level = v; }},
        {"trusted_proxies", "addresses or CIDRs of the load balancers whose X-Forwarded-For gives the client's address "
                            "(comma-separated; default none)",
         [](Config& c, const std::string& v) {
             try {
                 ParseIpNetworks(v);
             } catch (const std::invalid_argument& e) {
                 throw Error(Problem::kBadConfig,
                             "trusted_proxies : « " + std::string(e.what()) +
                                 " » n'est ni une adresse IP ni un réseau (10.0.0.0/8, 2001:db8::/32).");
             }
             c.trusted_proxies = v;
         }},
        {"metrics_token", "Bearer token that opens /metrics to other machines (default: /metrics only from this machine)",
         [](Config& c, const std::string& v) { c.metrics_token = v; }},
        {"push_vapid_private_key", "Web Push VAPID private key, base64url P-256 (default: made at the first start, kept in "
                                   "the database; prefer the environment)",
         [](Config& c, const std::string& v) { c.push_vapid_private_key = v; }},
        {"push_subject", "contact given to the push services: mailto:… or https://… (default: the https public URL, "
                         "else mailto: of smtp_from)",
         [](Config& c, const std::string& v) { c.push_subject = v; }},
        {"push_hosts", "push service hosts a browser subscription may point at, comma-separated, *.suffix for a domain, "
                       "* for any (default: the services of Chrome, Firefox, Edge and Safari)",
         [](Config& c, const std::string& v) { c.push_hosts = v; }},
        {"push_retry_seconds", "first delay before a push is tried again after a transient failure, doubled each time "
                               "(default 30)",
         [](Config& c, const std::string& v) { c.push_retry_seconds = ToInt("push_retry_seconds", v, 1, 3600); }},
    };
    return keys;
}

const Key* FindKey(std::string name) {
    for (auto& ch : name)
        if (ch == '-') ch = '_';
    for (const auto& k : Keys())
        if (name == k.name) return &k;
    return nullptr;
}

void LoadToml(Config& cfg, const std::string& path) {
    toml::table table;
    try {
        table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        throw Error(Problem::kBadConfig,
                    "Le fichier " + path + " est illisible : " + std::string(e.description()));
    }
    for (const auto& [name, node] : table) {
        const Key* key = FindKey(std::string(name.str()));
        if (!key) throw Error(Problem::kBadConfig, "Clé inconnue dans " + path + " : " + std::string(name.str()));
        std::string value;
        if (auto s = node.value<std::string>()) value = *s;
        else if (auto i = node.value<int64_t>()) value = std::to_string(*i);
        else if (auto b = node.value<bool>()) value = *b ? "true" : "false";
        else if (auto arr = node.as_array(); arr && arr->is_homogeneous<std::string>()) {
            for (const auto& item : *arr) value += (value.empty() ? "" : ",") + *item.value<std::string>();
        }
        else throw Error(Problem::kBadConfig, "Valeur illisible pour " + std::string(name.str()));
        key->set(cfg, value);
    }
}

}  // namespace

int Config::WorkerThreads() const {
    if (worker_threads > 0) return worker_threads;
    if (!UsesPostgres()) return 32;
    return std::max(4, 4 * static_cast<int>(std::thread::hardware_concurrency()));
}

int Config::ImageDecodes() const {
    if (image_decodes > 0) return image_decodes;
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

std::string Config::PublicUrl() const {
    if (!public_url.empty()) return public_url;
    return std::string(tls_cert.empty() ? "http" : "https") + "://localhost:" + std::to_string(port);
}

std::vector<std::string> LoadConfig(Config& cfg, const std::vector<std::string>& args) {
    // The config file comes first so that environment and flags override it.
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) LoadToml(cfg, args[i + 1]);
        else if (args[i].rfind("--config=", 0) == 0) LoadToml(cfg, args[i].substr(9));
    }
    for (const auto& k : Keys()) {
        std::string env = "CORDEE_";
        for (const char* p = k.name; *p; ++p) env.push_back(static_cast<char>(std::toupper(*p)));
        if (const char* v = std::getenv(env.c_str())) k.set(cfg, v);
    }
    std::vector<std::string> rest;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.rfind("--", 0) != 0 || a == "--help") {
            rest.push_back(a);
            continue;
        }
        std::string name = a.substr(2), value;
        const auto eq = name.find('=');
        if (eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            throw Error(Problem::kBadConfig, "L'option --" + name + " attend une valeur.");
        }
        if (name == "config") continue;
        const Key* key = FindKey(name);
        if (!key) {
            // Command-specific options (--email, --password…) are left for the command to read.
            rest.push_back("--" + name);
            rest.push_back(value);
            continue;
        }
        key->set(cfg, value);
    }
    return rest;
}

std::string ConfigHelp() {
    std::string out = "Settings (flag --key, variable CORDEE_KEY, or key in the --config TOML file):\n";
    for (const auto& k : Keys()) {
        std::string flag = k.name;
        for (auto& ch : flag)
            if (ch == '_') ch = '-';
        out += "  --" + flag + std::string(flag.size() < 26 ? 26 - flag.size() : 1, ' ') + k.help + "\n";
    }
    return out;
}

}  // namespace cordee

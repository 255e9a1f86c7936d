#include "common/config.hpp"

#include "common/errors.hpp"

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
    throw Error(400, "bad-config", "Configuration invalide",
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
        {"insi_file", "JSON file of identities the INSi simulator knows (default DATA/insi.json)",
         [](Config& c, const std::string& v) { c.insi_file = v; }},
        {"access_log", "log one line per request (true/false)",
         [](Config& c, const std::string& v) { c.access_log = (v == "true" || v == "1" || v == "yes"); }},
        {"log_level", "trace, debug, info, warn, error", [](Config& c, const std::string& v) { c.log_level = v; }},
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
        throw Error(400, "bad-config", "Configuration invalide",
                    "Le fichier " + path + " est illisible : " + std::string(e.description()));
    }
    for (const auto& [name, node] : table) {
        const Key* key = FindKey(std::string(name.str()));
        if (!key) throw Error(400, "bad-config", "Configuration invalide", "Clé inconnue dans " + path + " : " + std::string(name.str()));
        std::string value;
        if (auto s = node.value<std::string>()) value = *s;
        else if (auto i = node.value<int64_t>()) value = std::to_string(*i);
        else if (auto b = node.value<bool>()) value = *b ? "true" : "false";
        else throw Error(400, "bad-config", "Configuration invalide", "Valeur illisible pour " + std::string(name.str()));
        key->set(cfg, value);
    }
}

}  // namespace

int Config::WorkerThreads() const {
    if (worker_threads > 0) return worker_threads;
    if (!UsesPostgres()) return 32;
    return std::max(4, 4 * static_cast<int>(std::thread::hardware_concurrency()));
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
            throw Error(400, "bad-config", "Option incomplète", "L'option --" + name + " attend une valeur.");
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

// Command dispatch: serve, migrate, demo, admin, audit verify, routes. Each has --help.
#include "app/app.hpp"
#include "audit/anchor.hpp"
#include "audit/audit.hpp"
#include "directory/import.hpp"
#include "common/crypto.hpp"
#include "common/log.hpp"
#include "http/server.hpp"
#include "storage/migrations.hpp"

#include <csignal>
#include <iostream>
#include <map>

namespace cordee::app {
namespace {

using Args = std::vector<std::string>;

std::string Option(const Args& rest, const std::string& name) {
    for (size_t i = 0; i + 1 < rest.size(); ++i)
        if (rest[i] == "--" + name) return rest[i + 1];
    return {};
}

bool WantsHelp(const Args& rest) {
    for (const auto& a : rest)
        if (a == "--help" || a == "-h") return true;
    return false;
}

int Serve(Config cfg) {
    log::Init(cfg.log_level);
    App app(cfg);
    // Checkpoints of the audit chain outside the database, on their own thread: at start (before listening,
    // so that an unwritable anchor file stops the start), every audit_anchor_seconds, and after the last request.
    audit::Anchorer anchorer(*app.db, {cfg.AuditKeyFile(), cfg.AuditAnchorFile()},
                             std::chrono::seconds(cfg.audit_anchor_seconds));
    anchorer.Start();
    http::StaticFiles statics(cfg.web_root);
    app.RegisterRoutes(statics);
    http::ServerOptions opt;
    opt.listen = cfg.listen;
    opt.port = cfg.port;
    opt.io_threads = cfg.io_threads;
    opt.worker_threads = cfg.WorkerThreads();
    opt.tls_cert = cfg.tls_cert;
    opt.tls_key = cfg.tls_key;
    opt.max_body_bytes = cfg.max_body_bytes;
    opt.access_log = cfg.access_log;
    opt.socket_queue_bytes = static_cast<size_t>(cfg.live_queue_bytes);
    opt.trusted_proxies = ParseIpNetworks(cfg.trusted_proxies);
    http::Server server(opt, app.router, statics, app.metrics);
    const int port = server.Listen();
    app.cfg.port = port;  // emailed links use the real port when 0 was asked
    app.mailer->Start();
    app.pusher->Start();
    app.auth->StartSessionTouches();
    app.directory->StartRefresher();
    app.notebook->StartBlobCollector();  // files a crash left without their row: at start, then every 10 minutes
    app.messaging->Start();              // urgent messages unread past their deadline escalate
    const std::string scheme = cfg.tls_cert.empty() ? "http" : "https";
    log::Info("listening", {{"url", scheme + "://" + cfg.listen + ":" + std::to_string(port)},
                            {"database", cfg.UsesPostgres() ? "postgresql" : "sqlite"},
                            {"web_files", static_cast<unsigned long>(statics.size())}});
    server.Run();
    anchorer.Stop();
    app.auth->Stop();
    log::Flush();  // every access-log line of the last requests, before the process ends
    return 0;
}

int Demo(Config cfg) {
    App app(cfg);
    std::cout << LoadDemo(app);
    app.mailer->DeliverPending();
    return 0;
}

int Migrate(Config cfg) {
    auto db = storage::OpenDatabase(cfg.database, cfg.data, 1, cfg.pg_prepared_statements);
    const auto applied = storage::Migrate(*db);
    for (const auto& f : applied) std::cout << "appliquée : " << f << "\n";
    std::cout << (applied.empty() ? "Base à jour, aucune migration à appliquer.\n"
                                  : std::to_string(applied.size()) + " migration(s) appliquée(s).\n");
    db->Close();
    return 0;
}

int AuditVerify(Config cfg) {
    auto db = storage::OpenDatabase(cfg.database, cfg.data, 1, cfg.pg_prepared_statements);
    const audit::AnchorOptions anchors{cfg.AuditKeyFile(), cfg.AuditAnchorFile()};
    const auto r = audit::Verify(*db, &anchors);
    db->Close();
    std::ostream& out = r.ok ? std::cout : std::cerr;
    if (r.ok) {
        out << "Journal d'audit intact : " << r.checked << " entrées vérifiées.\n";
    } else {
        out << "Journal d'audit ALTÉRÉ"
            << (r.first_bad_seq ? " à l'entrée " + std::to_string(*r.first_bad_seq) : std::string()) << " : "
            << r.problem << " (" << r.checked << " entrées au chaînage vérifié).\n";
        for (size_t i = 1; i < r.problems.size(); ++i) out << "  et aussi : " << r.problems[i] << "\n";
    }
    if (r.anchored) {
        out << "Ancrage hors base : " << r.checkpoints << " point(s) d'ancrage authentique(s) comparé(s), le dernier du "
            << r.last_checkpoint_at << ".\n";
        if (r.unanchored > 0)
            out << "Non vérifié : " << r.unanchored
                << " entrée(s) postérieure(s) au dernier point d'ancrage (leur suppression ne serait pas détectée).\n";
    } else {
        out << "Journal non ancré : aucun point d'ancrage n'a pu être comparé ; la suppression des dernières entrées "
               "ou la réécriture de toute la chaîne ne serait pas détectée.\n";
    }
    for (const auto& n : r.not_checked) out << "Non vérifié : " << n << ".\n";
    return r.ok ? 0 : 1;
}

int CreateOperator(Config cfg, const Args& rest) {
    auth::NewAccount n;
    n.email = Option(rest, "email");
    n.password = Option(rest, "password");
    n.first_name = Option(rest, "first-name");
    n.last_name = Option(rest, "last-name");
    n.role = auth::kOperator;
    n.profession_code = "OPE";
    n.profession_label = "Opérateur de territoire";
    if (n.email.empty() || n.first_name.empty() || n.last_name.empty()) {
        std::cerr << "Il manque --email, --first-name ou --last-name.\n";
        return 2;
    }
    if (n.password.empty()) {
        std::cerr << "Mot de passe (12 caractères au moins) : ";
        std::getline(std::cin, n.password);
    }
    if (n.password.size() < 12) {
        std::cerr << "Le mot de passe doit compter 12 caractères au moins.\n";
        return 2;
    }
    App app(cfg);
    const std::string id = app.auth->CreateAccount(n, "cli");
    std::cout << "Opérateur créé : " << n.email << " (" << id
              << "). À la première connexion, il configurera son application d'authentification.\n";
    return 0;
}

int Import(Config cfg, const Args& rest) {
    if (rest.size() < 2 || (rest[0] != "rpps" && rest[0] != "finess")) {
        std::cerr << "Usage : cordee import rpps|finess FICHIER [--data DIR | --database URL]\n";
        return 2;
    }
    const std::string kind = rest[0], path = rest[1];
    auto db = storage::OpenDatabase(cfg.database, cfg.data, 2, cfg.pg_prepared_statements);
    storage::Migrate(*db);
    const auto sum = kind == "rpps" ? directory::ImportRpps(*db, path, std::cerr) : directory::ImportFiness(*db, path, std::cerr);
    db->Close();
    std::cout << "Import " << kind << " terminé : lues " << sum.read << ", créées " << sum.created << ", mises à jour "
              << sum.updated << ", désactivées " << sum.deactivated << ", rejetées " << sum.rejected << ".\n";
    return 0;
}

int Routes(Config cfg) {
    // The route table, without opening a database: the OpenAPI test compares it with docs/openapi.yaml.
    cfg.database = "sqlite::memory:";
    App app(cfg);
    http::StaticFiles none("");
    app.RegisterRoutes(none);
    for (const auto& line : app.router.Table()) std::cout << line << "\n";
    return 0;
}

const char* kUsage =
    "Cordée — plateforme régionale de coordination des parcours (e-parcours)\n\n"
    "Usage: cordee COMMAND [options]\n\n"
    "Commands:\n"
    "  serve                  run the web app, the API and the workers\n"
    "  migrate                apply database migrations and exit\n"
    "  demo                   fill a fictional demo territory (writes DATA/demo-accounts.json)\n"
    "  admin create-operator  --email E --first-name F --last-name L [--password P]\n"
    "  audit verify           check the audit trail's hash chain and its signed checkpoints (exit 1 if altered)\n"
    "  import rpps|finess FILE  import a national extraction into the directory\n"
    "  routes                 print the HTTP route table\n\n"
    "Every command accepts --help and the settings below.\n\n";

// What each command does, for `cordee COMMAND --help`.
std::string CommandHelp(const std::string& cmd) {
    static const std::map<std::string, std::string> help = {
        {"serve", "Usage: cordee serve [settings]\n\nServes the web app, the JSON API (/api/v1), /livez, /readyz and /metrics, and "
                  "sends queued emails.\nApplies pending migrations first. Stops cleanly on SIGTERM or Ctrl+C (requests in "
                  "flight finish).\n"},
        {"migrate", "Usage: cordee migrate [--data DIR | --database URL]\n\nApplies the database migrations this binary "
                    "holds and exits.\n"},
        {"demo", "Usage: cordee demo [--data DIR | --database URL]\n\nFills a fictional territory (Reims, Troyes, "
                 "Châlons): structures, professionals, one account per role.\nWrites DATA/demo-accounts.json "
                 "(email, password, totp_secret, role, account_id, profession). Runs once per database.\n"},
        {"admin", "Usage: cordee admin create-operator --email E --first-name F --last-name L [--password P]\n\n"
                  "Creates a territory operator (the first account of a new territory). Without --password, it is read "
                  "from standard input.\nThe operator enrols the second factor at the first sign-in.\n"},
        {"audit", "Usage: cordee audit verify [--data DIR | --database URL] [--audit-key-file F] [--audit-anchor-file F]\n\n"
                  "Checks the hash chain of the audit trail, then the signed checkpoints that `cordee serve` writes outside\n"
                  "the database (DATA/audit-anchors.jsonl, key DATA/audit.key): every checkpointed entry must still be\n"
                  "there with the same hash, so that removing the newest entries or recomputing the whole chain is seen.\n"
                  "Exit 1 naming the first altered, inserted, removed or rewritten entry, or a forged checkpoint; exit 0\n"
                  "otherwise, listing what could not be checked (no key, no anchor file, entries after the last checkpoint).\n"},
        {"import", "Usage: cordee import rpps|finess FILE [--data DIR | --database URL]\n\nImports an RPPS "
                   "(PS_LibreAcces_Personne_activite) or FINESS (etalab) extraction: lines read by header name, UTF-8 or "
                   "ISO-8859-1.\nRejected lines are listed on stderr with their numbers; the new data replaces the old "
                   "in one transaction at the end.\nEntries missing from a newer file are marked inactive, never "
                   "deleted.\n"},
        {"routes", "Usage: cordee routes\n\nPrints the HTTP route table, one \"METHOD /path\" per line.\n"},
    };
    auto it = help.find(cmd);
    return it == help.end() ? std::string(kUsage) : it->second + "\n";
}

}  // namespace

int RunCommand(const Args& args) {
    crypto::Init();
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << kUsage << ConfigHelp();
        return args.empty() ? 2 : 0;
    }
    const std::string cmd = args[0];
    Config cfg;
    Args rest;
    try {
        rest = LoadConfig(cfg, Args(args.begin() + 1, args.end()));
        if (WantsHelp(rest)) {
            std::cout << CommandHelp(cmd) << ConfigHelp();
            return 0;
        }
        if (cmd == "serve") return Serve(cfg);
        if (cmd == "migrate") return Migrate(cfg);
        if (cmd == "demo") return Demo(cfg);
        if (cmd == "routes") return Routes(cfg);
        if (cmd == "import") return Import(cfg, rest);
        if (cmd == "admin" && !rest.empty() && rest[0] == "create-operator") return CreateOperator(cfg, rest);
        if (cmd == "audit" && !rest.empty() && rest[0] == "verify") return AuditVerify(cfg);
        std::cerr << "Commande inconnue : " << cmd << "\n\n" << kUsage;
        return 2;
    } catch (const Error& e) {
        std::cerr << "Erreur : " << e.title() << ". " << e.detail() << "\n";
        for (const auto& fe : e.errors()) std::cerr << "  - " << fe.field << " : " << fe.message << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "Erreur : " << e.what() << "\n";
        return 1;
    }
}

}  // namespace cordee::app

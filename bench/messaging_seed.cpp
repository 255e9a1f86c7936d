// Accounts and full sessions for the messaging benchmarks (bench/messaging.sh, bench/README.md), made in-process on
// the real repositories of a data directory (or PostgreSQL) that `cordee demo` filled:
//   build/bench_messaging_seed --data DIR [--database postgresql://…] --users N [--offset K] > users.jsonl
// One JSON line per account on stdout: {"id":…,"token":…} (a Bearer token of a session at stage "full").
//
// Why not sign-ups and password + TOTP logins through the API: each account would cost an argon2id hash (64 MiB,
// ~0.1 s) and each login another one, hours for 10,000 accounts on two cores. Here the accounts are real rows
// (status active, the same password hash for all, computed once), created and audited as `cordee admin` creates
// accounts, and the sessions are opened by AuthService::OpenStrongSession, the path of the Pro Santé Connect login
// (a session at stage "full", audited "auth.bench"): what the server then checks on each request is exactly what it
// checks for any session.
#include "app/app.hpp"
#include "audit/audit.hpp"
#include "auth/repository.hpp"
#include "common/crypto.hpp"
#include "common/ids.hpp"
#include "common/log.hpp"
#include "storage/change_log.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

using namespace cordee;

int main(int argc, char** argv) {
    Config cfg;
    int users = 1000, offset = 0, batch = 500;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        if (k == "--data") cfg.data = argv[i + 1];
        else if (k == "--database") cfg.database = argv[i + 1];
        else if (k == "--users") users = std::stoi(argv[i + 1]);
        else if (k == "--offset") offset = std::stoi(argv[i + 1]);
        else if (k == "--batch") batch = std::stoi(argv[i + 1]);
    }
    if (cfg.data.empty()) {
        std::cerr << "usage: bench_messaging_seed --data DIR [--database URL] --users N [--offset K]\n";
        return 2;
    }
    crypto::Init();
    cfg.log_level = "warn";
    log::Init("warn");
    app::App app(cfg);
    const auto t0 = std::chrono::steady_clock::now();
    const std::string hash = crypto::HashPassword("bench-messaging-" + std::to_string(offset));
    std::string out;
    for (int done = 0; done < users;) {
        const int n = std::min(batch, users - done);
        app.db->Write([&](storage::Session& s) {
            out.clear();
            for (int i = done; i < done + n; ++i) {
                const int k = offset + i;
                auth::Account a;
                a.id = NewUuidV7();
                a.email = "bench-" + std::to_string(k) + "@bench.cordee.fr";
                a.password_hash = hash;
                a.first_name = "Utilisateur";
                a.last_name = "Bench " + std::to_string(k);
                a.profession_code = "60";
                a.profession_label = "Infirmier";
                a.role = auth::kProfessional;
                a.status = "active";
                auth::repo::InsertAccount(s, a);
                audit::Append(s, {"bench", "account.create", "account", a.id, "", "success",
                                  {{"role", a.role}, {"email", a.email}}});
                storage::AppendChange(s, {"account", a.id, "create", a.id, "{}"});
                const auto session = app.auth->OpenStrongSession(s, a.id, "127.0.0.1", "bench");
                out += boost::json::serialize(boost::json::object{{"id", a.id}, {"token", session.token}});
                out += '\n';
            }
        });
        std::fwrite(out.data(), 1, out.size(), stdout);
        done += n;
    }
    std::fflush(stdout);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "seeded %d accounts with full sessions in %.1f s (%.0f/s)\n", users, secs, users / secs);
    return 0;
}

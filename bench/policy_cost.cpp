// The cost of the patient access check, measured in-process on the real services (bench/README.md):
// the same first timeline page read 1) through the policy-aware repository as the API does (actor,
// grant, read, audit entry committed, patient marked read), 2) with the check but without the audit,
// 3) with neither (the bare query). Prints mean and p99 of each and the ratios to the bare query.
//   build/bench_policy_cost [--database postgresql://…] [--entries 2000] [--reads 3000]
#include "app/app.hpp"
#include "common/crypto.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "patients/identity.hpp"
#include "patients/records.hpp"
#include "patients/timeline.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace cordee;

namespace {

struct Stats {
    double mean_us, p99_us;
};

template <class F>
Stats Measure(int n, F&& fn) {
    std::vector<double> us;
    us.reserve(n);
    for (int i = 0; i < n; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(us.begin(), us.end());
    double sum = 0;
    for (double v : us) sum += v;
    return {sum / n, us[static_cast<size_t>(n * 0.99)]};
}

}  // namespace

int main(int argc, char** argv) {
    std::string database;
    int entries = 2000, reads = 3000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        if (k == "--database") database = argv[i + 1];
        else if (k == "--entries") entries = std::stoi(argv[i + 1]);
        else if (k == "--reads") reads = std::stoi(argv[i + 1]);
    }
    crypto::Init();
    log::Init("warn");
    Config cfg;
    cfg.data = (std::filesystem::temp_directory_path() / ("cordee-policy-" + std::to_string(::getpid()))).string();
    cfg.database = database;
    cfg.log_level = "warn";
    app::App app(cfg);
    app::LoadDemo(app);
    std::ifstream in(cfg.data + "/demo-accounts.json");
    std::stringstream ss;
    ss << in.rdbuf();
    auth::Principal medecin;
    const auto accounts = boost::json::parse(ss.str());
    for (const auto& a : accounts.as_array())
        if (a.as_object().at("email").as_string() == "medecin@demo.cordee.fr")
            medecin = {std::string(a.as_object().at("account_id").as_string()), "", "professional", "", "", "bench"};

    patients::Identity id;
    id.birth_name = "BENCH";
    id.birth_first_names = "Timeline";
    id.first_name = "Timeline";
    id.birth_date = "1950-01-01";
    id.sex = "F";
    const auto [status, body] = app.patients->Create(medecin, id, "medecin_traitant", true, "");
    const std::string pid(boost::json::parse(body).as_object().at("id").as_string());
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < entries; ++i) {
        notebook::NewEntry e;
        e.kind = "observation";
        e.visibility = i % 3 == 0 ? "health" : "circle";
        e.body = "Passage n° " + std::to_string(i) + " : état stable, constantes relevées.";
        app.notebook->Add(medecin, pid, e, "");
    }
    const double seed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("backend %s, %d entries written through the gate in %.1f s (%.0f/s, one at a time)\n",
                database.empty() ? "sqlite" : "postgresql", entries, seed_s, entries / seed_s);

    // Planner statistics, as autovacuum gathers them within a minute on a live server.
    if (app.db->dialect() == storage::Dialect::kPostgres) app.db->Write([](storage::Session& s) { s.ExecScript("ANALYZE"); });
    patients::TimelineQuery q;
    const auto full = Measure(reads, [&] { app.patients->Timeline(medecin, pid, q); });
    const auto check = Measure(reads, [&] {
        app.db->Read([&](storage::Session& s) {
            const auto actor = patients::LoadActor(s, medecin.account_id, medecin.role, medecin.ip);
            patients::PatientRecords::IfGranted(s, actor, pid, patients::Need::kClinical,
                                                [&](patients::Scope& sc) { patients::ListTimeline(sc, q); });
        });
    });
    patients::Grant grant;
    app.db->Read([&](storage::Session& s) {
        grant = *patients::Decide(s, patients::LoadActor(s, medecin.account_id, medecin.role, ""), pid,
                                  patients::Need::kClinical);
    });
    // The statement of the first timeline page (patients::repo::ListEvents), run bare: no actor, no grant, no scope.
    const patients::Clause vis = patients::VisibleTo(grant, "visibility", "structure_id");
    storage::Params bare_params{pid};
    bare_params.insert(bare_params.end(), vis.params.begin(), vis.params.end());
    bare_params.push_back(int64_t{q.limit + 1});
    const std::string bare_sql = "SELECT id, at, kind, action, author_id, author_name, visibility, summary, ref_id FROM "
                                 "timeline_events WHERE patient_id = ? AND superseded = 0 AND " + vis.sql +
                                 " ORDER BY at DESC, id DESC LIMIT ?";
    const auto bare = Measure(reads, [&] { app.db->Read([&](storage::Session& s) { s.Query(bare_sql, bare_params); }); });
    std::printf("%-44s mean %8.1f us  p99 %8.1f us\n", "bare query (no check, no audit)", bare.mean_us, bare.p99_us);
    std::printf("%-44s mean %8.1f us  p99 %8.1f us  ratio %.2f\n", "with access check (actor + grant)", check.mean_us,
                check.p99_us, check.mean_us / bare.mean_us);
    std::printf("%-44s mean %8.1f us  p99 %8.1f us  ratio %.2f\n", "as served: check + durable audit + mark read",
                full.mean_us, full.p99_us, full.mean_us / bare.mean_us);
    std::printf("access check cost: %.1f us per read (%.0f %% of the bare query); audit commit: %.1f us\n",
                check.mean_us - bare.mean_us, 100.0 * (check.mean_us - bare.mean_us) / bare.mean_us,
                full.mean_us - check.mean_us);
    // "My patients" for a member of many circles (the 500), through the service as the API calls it.
    const int circles = 500;
    for (int i = 1; i < circles; ++i) {
        patients::Identity other = id;
        other.birth_name = "BENCH" + std::string(1, static_cast<char>('A' + i % 26)) + std::string(1, static_cast<char>('A' + i / 26 % 26));
        app.patients->Create(medecin, other, "medecin_traitant", true, "");
    }
    const auto mine = Measure(reads / 4, [&] { app.patients->Mine(medecin, 50, ""); });
    std::printf("%-44s mean %8.1f us  p99 %8.1f us\n", "my patients, first page of 500 circles", mine.mean_us, mine.p99_us);
    app.db->Close();
    std::filesystem::remove_all(cfg.data);
    return 0;
}

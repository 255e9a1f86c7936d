#include "app/app.hpp"

#include "alerts/routes.hpp"
#include "audit/routes.hpp"
#include "auth/http_auth.hpp"
#include "directory/api_routes.hpp"
#include "directory/routes.hpp"
#include "notebook/routes.hpp"
#include "patients/routes.hpp"
#include "portal/routes.hpp"
#include "storage/migrations.hpp"

#include <boost/json.hpp>

namespace cordee::app {

App::App(Config config) : cfg(std::move(config)) {
    db = storage::OpenDatabase(cfg.database, cfg.data, cfg.DbPoolSize());
    storage::Migrate(*db);
    mailer = std::make_unique<mail::Dispatcher>(
        *db, mail::DispatcherOptions{cfg.data + "/outbox", cfg.smtp_url, cfg.smtp_from, cfg.smtp_user, cfg.smtp_password});
    auth = std::make_unique<auth::AuthService>(*db, mailer.get(), cfg);
    records = std::make_unique<patients::PatientRecords>(*db);
    alerts = std::make_unique<alerts::AlertService>(*records, cfg);
    patients = std::make_unique<patients::PatientService>(
        *records, patients::MakeSimulatedInsi(cfg.insi_file.empty() ? cfg.data + "/insi.json" : cfg.insi_file),
        cfg);
    notebook = std::make_unique<notebook::NotebookService>(*records, cfg.data + "/blobs");
    portal = std::make_unique<portal::PortalService>(*db, *auth, *alerts);
    directory = std::make_unique<directory::DirectoryService>(*db);
}

App::~App() {
    if (directory) directory->Stop();
    if (mailer) mailer->Stop();
    if (db) db->Close();
}

void App::RegisterRoutes(const http::StaticFiles& statics) {
    auth::RegisterRoutes(router, *auth);
    audit::RegisterRoutes(router, *db, *auth);
    directory::RegisterRoutes(router, *db);
    directory::RegisterApiRoutes(router, *directory, *auth);
    portal::RegisterRoutes(router, *portal, *auth);
    patients::RegisterRoutes(router, *patients, *auth);
    notebook::RegisterRoutes(router, *notebook, *auth);
    alerts::RegisterRoutes(router, *alerts, *auth);

    router.Add("GET", "/livez", [](http::Request&) { return http::Response::Text(200, "ok\n"); });
    router.Add("GET", "/readyz", [this](http::Request&) {
        int pending = -1;
        std::string error;
        try {
            pending = storage::PendingMigrations(*db);
        } catch (const std::exception& e) {
            error = "base de données injoignable";
        }
        const bool ready = pending == 0;
        boost::json::object o{{"status", ready ? "ready" : "not_ready"},
                              {"database", error.empty() ? "ok" : error},
                              {"pending_migrations", pending}};
        return http::Response::Json(ready ? 200 : 503, o);
    }, http::Runs::kWorker);
    router.Add("GET", "/metrics", [this](http::Request&) {
        return http::Response::Text(200, metrics.Render(), "text/plain; version=0.0.4; charset=utf-8");
    });
    router.Add("GET", "/api/v1/openapi.json", [&statics](http::Request&) {
        const std::string* doc = statics.Find("/openapi.json");
        if (!doc) throw NotFound("La description OpenAPI n'est pas construite (scripts/build).");
        return http::Response::Text(200, *doc, "application/json");
    });

    auto stat = [this](auto field) {
        return [this, field] { return static_cast<double>(db->Stats().*field); };
    };
    metrics.AddGauge("cordee_db_write_queue", "Write transactions waiting for the database writer.",
                     stat(&storage::DatabaseStats::write_queue));
    metrics.AddGauge("cordee_db_commits", "Transactions committed since start.", stat(&storage::DatabaseStats::commits));
    metrics.AddGauge("cordee_db_writes", "Write jobs done since start (several per commit when grouped).",
                     stat(&storage::DatabaseStats::writes));
    metrics.AddGauge("cordee_db_pool_size", "Database connections open.", stat(&storage::DatabaseStats::pool_size));
    metrics.AddGauge("cordee_db_pool_in_use", "Database connections in use.", stat(&storage::DatabaseStats::pool_in_use));
}

}  // namespace cordee::app

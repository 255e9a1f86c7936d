#include "app/app.hpp"

#include "alerts/routes.hpp"
#include "audit/routes.hpp"
#include "auth/http_auth.hpp"
#include "auth/psc_routes.hpp"
#include "directory/api_routes.hpp"
#include "directory/routes.hpp"
#include "live/routes.hpp"
#include "messaging/routes.hpp"
#include "notebook/routes.hpp"
#include "patients/routes.hpp"
#include "portal/routes.hpp"
#include "push/routes.hpp"
#include "storage/migrations.hpp"
#include "sync/routes.hpp"

#include <boost/json.hpp>

namespace cordee::app {

// How much of each patient a device keeps offline: the round of the day, not the archive (bench/first_sync.sh).
constexpr int kOfflineEntries = 20;
constexpr int kOfflineAlerts = 10;

App::App(Config config) : cfg(std::move(config)) {
    db = storage::OpenDatabase(cfg.database, cfg.data, cfg.DbPoolSize(), cfg.pg_prepared_statements);
    storage::Migrate(*db);
    mailer = std::make_unique<mail::Dispatcher>(
        *db, mail::DispatcherOptions{cfg.data + "/outbox", cfg.smtp_url, cfg.smtp_from, cfg.smtp_user, cfg.smtp_password});
    auth = std::make_unique<auth::AuthService>(*db, mailer.get(), cfg);
    psc = std::make_unique<auth::ProSanteConnect>(*db, *auth, cfg);
    records = std::make_unique<patients::PatientRecords>(*db);
    alerts = std::make_unique<alerts::AlertService>(*records, cfg);
    patients = std::make_unique<patients::PatientService>(
        *records, patients::MakeSimulatedInsi(cfg.insi_file.empty() ? cfg.data + "/insi.json" : cfg.insi_file),
        cfg);
    notebook = std::make_unique<notebook::NotebookService>(*records, cfg);
    // On PostgreSQL the hub reads the feeds through a connection of its own: under load the pool's connections are
    // taken by the requests, and the sockets would wait behind them (bench/messaging.sh, saturation).
    hub = std::make_unique<live::Hub>(*db, cfg.UsesPostgres() ? storage::OpenDatabase(cfg.database, cfg.data, 1,
                                                                                       cfg.pg_prepared_statements)
                                                              : nullptr);
    // Web Push (docs/messaging.md): for the accounts with no live socket open on any node, checked again just before
    // each push; a logout ends the subscriptions of its device.
    push = std::make_unique<push::PushService>(*db, cfg);
    pusher = std::make_unique<push::Dispatcher>(
        *db, *push,
        push::DispatcherOptions{hub->presence().node_id(),
                                [this](const std::string& account) {
                                    return db->ReadValue([&](storage::Session& s) {
                                        return live::Connected(s, account, NowMicros());
                                    });
                                },
                                cfg.push_retry_seconds});
    auth->OnSessionsEnded({push::PushService::SessionEnded, push::PushService::AccountSessionsEnded});
    messaging = std::make_unique<messaging::MessagingService>(*db, *hub, *records, *notebook, cfg);
    // The patient's conversation follows the circle, in the circle's own transaction.
    patients->OnCircleChange([this](patients::Scope& sc) { return messaging->CircleChanged(sc); });
    portal = std::make_unique<portal::PortalService>(*db, *auth, *alerts, *patients, *messaging);
    directory = std::make_unique<directory::DirectoryService>(*db);
    // What the offline store keeps, collection by collection; messaging, agenda and pathways add theirs here.
    sync = std::make_unique<sync::SyncService>(
        *records, sync::Collections{{patients::BannerCollection(), notebook->SyncCollection(kOfflineEntries),
                                     alerts::SyncCollection(kOfflineAlerts)},
                                    {portal::FavoritesCollection()}});
}

App::~App() {
    if (auth) auth->Stop();  // writes the session touches still waiting
    if (directory) directory->Stop();
    if (notebook) notebook->Stop();
    if (mailer) mailer->Stop();
    if (pusher) pusher->Stop();
    if (messaging) messaging->Stop();
    hub.reset();  // its thread reads the database
    if (db) db->Close();
}

void App::RegisterRoutes(const http::StaticFiles& statics) {
    auth::RegisterRoutes(router, *auth);
    auth::RegisterPscRoutes(router, *auth, *psc);
    audit::RegisterRoutes(router, *db, *auth, {cfg.AuditKeyFile(), cfg.AuditAnchorFile()});
    directory::RegisterRoutes(router, *db);
    directory::RegisterApiRoutes(router, *directory, *auth);
    portal::RegisterRoutes(router, *portal, *auth);
    patients::RegisterRoutes(router, *patients, *auth);
    notebook::RegisterRoutes(router, *notebook, *auth);
    alerts::RegisterRoutes(router, *alerts, *auth);
    sync::RegisterRoutes(router, *sync, *auth);
    messaging::RegisterRoutes(router, *messaging, *auth);
    live::RegisterRoutes(router, *hub, *auth, cfg);
    push::RegisterRoutes(router, *push, *auth);

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
    router.Add("GET", "/metrics", [this](http::Request& req) {
        if (!http::MayReadMetrics(req, cfg.metrics_token)) throw NotFound("Aucune ressource à cette adresse.");
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

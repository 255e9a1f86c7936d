#pragma once
// Wiring: opens the database, applies migrations, builds every service and registers every route.
// Commands (serve, demo, admin…) start from here.
#include "alerts/service.hpp"
#include "auth/psc.hpp"
#include "auth/service.hpp"
#include "common/config.hpp"
#include "directory/service.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"
#include "live/service.hpp"
#include "mail/outbox.hpp"
#include "messaging/service.hpp"
#include "notebook/service.hpp"
#include "patients/service.hpp"
#include "portal/service.hpp"
#include "push/dispatcher.hpp"
#include "push/service.hpp"
#include "storage/database.hpp"
#include "sync/service.hpp"

#include <memory>

namespace cordee::app {

struct App {
    explicit App(Config config);
    ~App();
    void RegisterRoutes(const http::StaticFiles& statics);

    Config cfg;
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<mail::Dispatcher> mailer;
    std::unique_ptr<auth::AuthService> auth;
    std::unique_ptr<auth::ProSanteConnect> psc;
    std::unique_ptr<patients::PatientRecords> records;
    std::unique_ptr<alerts::AlertService> alerts;
    std::unique_ptr<patients::PatientService> patients;
    std::unique_ptr<notebook::NotebookService> notebook;
    std::unique_ptr<portal::PortalService> portal;
    std::unique_ptr<directory::DirectoryService> directory;
    std::unique_ptr<sync::SyncService> sync;
    std::unique_ptr<live::Hub> hub;
    std::unique_ptr<messaging::MessagingService> messaging;
    std::unique_ptr<push::PushService> push;
    std::unique_ptr<push::Dispatcher> pusher;  // started by serve
    http::Router router;
    http::Metrics metrics;
};

int RunCommand(const std::vector<std::string>& args);
// Fills the fictional demo territory; writes DATA/demo-accounts.json and returns its content.
std::string LoadDemo(App& app);

}  // namespace cordee::app

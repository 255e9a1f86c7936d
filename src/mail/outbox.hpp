#pragma once
// Outgoing email through an outbox table: a message is queued in the transaction of the action that
// causes it (so it is sent if and only if the action happened), then a dispatcher thread delivers it
// by SMTP when configured, otherwise as a file in DATA/outbox/ (demo, tests). Several nodes may run
// dispatchers on one PostgreSQL: a message is claimed before it is sent.
#include "common/background.hpp"
#include "storage/database.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace cordee::mail {

struct Email {
    std::string to, subject, body;
};

void Enqueue(storage::Session& s, const Email& e);

struct DispatcherOptions {
    std::string outbox_dir;  // used when smtp_url is empty
    std::string smtp_url, from, user, password;
};

class Dispatcher {
public:
    Dispatcher(storage::Database& db, DispatcherOptions opt);
    ~Dispatcher();
    void Start();
    void Stop();
    void Poke();                  // something was queued: look now rather than at the next tick
    int DeliverPending();         // one pass; returns messages delivered (also used by CLI commands)

private:
    bool Deliver(const std::string& id, const Email& e, int64_t created_at, std::string& error);
    storage::Database& db_;
    DispatcherOptions opt_;
    Background job_;
};

}  // namespace cordee::mail

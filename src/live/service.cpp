#include "live/service.hpp"

#include "common/log.hpp"
#include "common/time.hpp"
#include "live/repository.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>

namespace cordee::live {

namespace {
// Events read per round trip for one socket; a longer backlog is sent in several rounds, other sockets in between.
constexpr int kBatch = 256;                  // events of one feed read at once
constexpr size_t kSubscribersPerRead = 64;   // sockets served by one read
constexpr size_t kRowsPerRead = 4096;
constexpr auto kSweepEvery = std::chrono::seconds(60);
}  // namespace

void Publication::Add(const std::string& account_id, std::string kind, const boost::json::object& data) {
    events_[account_id].emplace_back(std::move(kind), boost::json::serialize(data));
}

namespace {
// The node's hub, which a publication committed by any module wakes (one per process; tests that make several
// keep the last one made).
std::mutex g_hub_mu;
Hub* g_hub = nullptr;
}  // namespace

void Publication::Commit(storage::Session& s, int64_t now) {
    // std::map: the accounts in id order, the same in every transaction.
    for (const auto& [account, events] : events_) {
        const int64_t last = repo::TakeNumbers(s, account, static_cast<int64_t>(events.size()));
        int64_t seq = last - static_cast<int64_t>(events.size());
        for (const auto& [kind, data] : events) repo::QueueInsertEvent(s, account, {++seq, kind, data, now});
        repo::QueueNotify(s, account);
    }
    if (events_.empty()) return;
    storage::AfterCommit([accounts = accounts()] {
        std::lock_guard lock(g_hub_mu);
        if (g_hub) g_hub->Committed(accounts);
    });
}

std::vector<std::string> Publication::accounts() const {
    std::vector<std::string> out;
    for (const auto& [account, events] : events_) out.push_back(account);
    return out;
}

struct Hub::Subscriber {
    std::string account_id;
    std::shared_ptr<http::Socket> socket;
    std::function<bool()> still_allowed;
    int64_t last = 0;    // the last number sent (touched only on the hub's thread, after Subscribe)
    bool due = false;    // in due_ (under mu_)
    bool gone = false;   // unsubscribed (under mu_)
};

Hub::Hub(storage::Database& db, std::unique_ptr<storage::Database> own_reads)
    : db_(db),
      own_reads_(std::move(own_reads)),
      reads_(own_reads_ ? *own_reads_ : db),
      thread_([this] { Run(); }),
      presence_(std::make_unique<Presence>(db)) {
    // Other nodes' commits (PostgreSQL): their accounts' sockets here read what follows; after a reconnection of the
    // listener, every socket reads, since what was notified meanwhile is lost.
    listener_ = db_.Listen(repo::kChannel, [this](const std::string& account_id) {
        if (account_id.empty()) WakeAll();
        else Wake({account_id});
    });
    std::lock_guard lock(g_hub_mu);
    g_hub = this;
}

void Hub::Committed(const std::vector<std::string>& accounts) {
    // With a listener, the commit's own notification wakes this node as it wakes the others (a moment later, and
    // once: waking here too would read each feed twice).
    if (!listener_) Wake(accounts);
}

void Hub::WakeAll() {
    std::vector<std::string> all;
    {
        std::lock_guard lock(mu_);
        for (const auto& [a, subs] : by_account_) all.push_back(a);
    }
    Wake(all);
}

Hub::~Hub() {
    {
        std::lock_guard lock(g_hub_mu);
        if (g_hub == this) g_hub = nullptr;
    }
    listener_.reset();
    presence_.reset();  // this node's presence rows go while the database is still open
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

std::shared_ptr<Hub::Subscriber> Hub::Subscribe(const std::string& account_id, std::optional<int64_t> after,
                                                std::shared_ptr<http::Socket> socket,
                                                std::function<bool()> still_allowed) {
    auto sub = std::make_shared<Subscriber>();
    sub->account_id = account_id;
    sub->socket = std::move(socket);
    sub->still_allowed = std::move(still_allowed);
    const int64_t head = db_.ReadValue([&](storage::Session& s) { return repo::Head(s, account_id); });
    if (after && *after > head) {
        sub->socket->Send(boost::json::serialize(boost::json::object{{"type", "reset"}, {"seq", head}}));
        after = head;
    }
    sub->last = after.value_or(head);
    sub->socket->Send(boost::json::serialize(boost::json::object{{"type", "hello"}, {"seq", head}}));
    {
        std::lock_guard lock(mu_);
        by_account_[account_id].push_back(sub);
        // Registered before its first read: an event committed from now on wakes it, one committed before is read.
        sub->due = true;
        due_.push_back(sub);
    }
    cv_.notify_one();
    presence_->Opened(account_id);  // a map update here; the write is the presence thread's
    return sub;
}

void Hub::Unsubscribe(const std::shared_ptr<Subscriber>& sub) {
    {
        std::lock_guard lock(mu_);
        if (sub->gone) return;  // counted out once
        sub->gone = true;
        auto it = by_account_.find(sub->account_id);
        if (it != by_account_.end()) {
            std::erase(it->second, sub);
            if (it->second.empty()) by_account_.erase(it);
        }
    }
    presence_->Closed(sub->account_id);
}

void Hub::Wake(const std::vector<std::string>& accounts) {
    bool any = false;
    {
        std::lock_guard lock(mu_);
        for (const auto& a : accounts) {
            auto it = by_account_.find(a);
            if (it == by_account_.end()) continue;
            for (auto& sub : it->second) {
                if (sub->due) continue;
                sub->due = true;
                due_.push_back(sub);
                any = true;
            }
        }
    }
    if (any) cv_.notify_one();
}

size_t Hub::sockets() const {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& [a, subs] : by_account_) n += subs.size();
    return n;
}

// One thread reads and sends for every socket of the node: a socket's events are then sent by one thread only, in
// order, and a slow client costs no thread (its socket queues, then drops it: http::Socket).
void Hub::Run() {
    auto next_sweep = std::chrono::steady_clock::now() + kSweepEvery;
    for (;;) {
        std::vector<std::shared_ptr<Subscriber>> subs;
        {
            std::unique_lock lock(mu_);
            cv_.wait_until(lock, next_sweep, [&] { return stop_ || !due_.empty(); });
            if (stop_) return;
            while (!due_.empty() && subs.size() < kSubscribersPerRead) {
                auto sub = std::move(due_.front());
                due_.pop_front();
                sub->due = false;
                if (!sub->gone) subs.push_back(std::move(sub));
            }
        }
        if (!subs.empty()) {
            try {
                PumpAll(subs);
            } catch (const std::exception& e) {
                // The database is away: the sockets are closed, their clients reconnect and resume from their last event.
                log::Warn("live feed read failed", {{"error", e.what()}});
                for (const auto& sub : subs) sub->socket->Close();
            }
        }
        if (std::chrono::steady_clock::now() >= next_sweep) {
            Sweep();
            next_sweep = std::chrono::steady_clock::now() + kSweepEvery;
        }
    }
}

void Hub::PumpAll(const std::vector<std::shared_ptr<Subscriber>>& subs) {
    // One read for all the sockets woken together: a message to a group of ten is one round trip to PostgreSQL, not
    // ten in a row. Each feed is read after the lowest number one of its sockets has sent.
    std::map<std::string, int64_t> lowest;
    for (const auto& sub : subs) {
        auto [it, fresh] = lowest.try_emplace(sub->account_id, sub->last);
        if (!fresh) it->second = std::min(it->second, sub->last);
    }
    const std::vector<std::pair<std::string, int64_t>> after(lowest.begin(), lowest.end());
    const int limit = static_cast<int>(std::min<size_t>(kBatch * after.size(), kRowsPerRead));
    const auto rows = reads_.ReadValue([&](storage::Session& s) { return repo::EventsAfterEach(s, after, limit); });
    // Rows come by account: each feed's events are one range.
    std::map<std::string, std::pair<size_t, size_t>> range;
    for (size_t i = 0; i < rows.size(); ++i) {
        auto [it, fresh] = range.try_emplace(rows[i].first, i, i + 1);
        if (!fresh) it->second.second = i + 1;
    }
    // Cut short: feeds may have more than was read; their sockets come back after the others' turn.
    const bool more = rows.size() == static_cast<size_t>(limit);
    for (const auto& sub : subs) {
        const auto it = range.find(sub->account_id);
        const size_t from = it == range.end() ? 0 : it->second.first, to = it == range.end() ? 0 : it->second.second;
        Pump(sub, rows, from, to, more);
    }
}

void Hub::Pump(const std::shared_ptr<Subscriber>& sub, const std::vector<std::pair<std::string, EventRow>>& rows,
               size_t from, size_t to, bool more) {
    for (size_t i = from; i < to; ++i) {
        const EventRow& e = rows[i].second;
        if (e.seq <= sub->last) continue;  // read for another socket of the account, further behind
        // The stored data is already JSON: framed as it is, never parsed again.
        std::string frame = "{\"type\":\"event\",\"seq\":" + std::to_string(e.seq) + ",\"kind\":" +
                            boost::json::serialize(boost::json::value(e.kind)) + ",\"at\":\"" + FormatRfc3339(e.at) +
                            "\",\"data\":" + e.data_json + "}";
        // A client catching up gets its backlog as fast as it reads, never all at once into its queue; when the
        // queue is full this subscriber waits for it to empty (Resume), and the other sockets are served meanwhile.
        if (!sub->socket->Room(frame.size(), [this, w = std::weak_ptr<Subscriber>(sub)] { Resume(w); })) return;
        if (!sub->socket->Send(std::move(frame))) return;  // closed or dropped: its client resumes elsewhere
        sub->last = e.seq;
    }
    if (more || to - from >= static_cast<size_t>(kBatch)) {
        // The rest of a long backlog after the other sockets' turn.
        std::lock_guard lock(mu_);
        if (!sub->gone && !sub->due) {
            sub->due = true;
            due_.push_back(sub);
        }
    }
}

void Hub::Resume(const std::weak_ptr<Subscriber>& w) {
    const auto sub = w.lock();
    if (!sub) return;
    {
        std::lock_guard lock(mu_);
        if (sub->gone || sub->due) return;
        sub->due = true;
        due_.push_back(sub);
    }
    cv_.notify_one();
}

void Hub::Sweep() {
    std::vector<std::shared_ptr<Subscriber>> all;
    {
        std::lock_guard lock(mu_);
        for (const auto& [a, subs] : by_account_) all.insert(all.end(), subs.begin(), subs.end());
    }
    for (auto& sub : all) {
        bool allowed = false;
        try {
            allowed = !sub->still_allowed || sub->still_allowed();
        } catch (const std::exception&) {
            allowed = false;
        }
        if (!allowed) sub->socket->Close();
    }
}

}  // namespace cordee::live

#pragma once
// Work in flight that a stop must wait for, after Seastar's gate (core/gate.hh): each piece of work holds a
// Gate::Holder for as long as it runs (RAII: the holder's destructor leaves); Close() refuses new entries and
// completes once every holder is gone, or at a deadline. Nothing polls: the last holder to leave wakes the closer.
//
// Enter and leave from any thread. Close() is awaited from a coroutine whose executor runs one handler at a time (an
// io_context run by one thread, or a strand): the wake-up is posted there, so it cannot slip in between the count
// being read and the wait being started.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

namespace cordee::http {

class GateClosed : public std::runtime_error {
public:
    GateClosed() : std::runtime_error("gate closed") {}
};

class Gate {
    // Shared with the holders, so that a holder destroyed after the gate (a coroutine frame freed when its io_context
    // is destroyed) touches nothing that is gone.
    struct State {
        std::mutex mutex;
        int64_t count = 0;
        bool closed = false;
        uint64_t next_waiter = 0;
        std::map<uint64_t, std::function<void()>> waiters;  // the Close() calls waiting; called by the last leaver
    };

public:
    class Holder {
    public:
        Holder() = default;  // holds nothing
        Holder(Holder&& o) noexcept : state_(std::move(o.state_)) {}
        Holder& operator=(Holder&& o) noexcept {
            if (this != &o) {
                Leave();
                state_ = std::move(o.state_);
            }
            return *this;
        }
        Holder(const Holder&) = delete;
        Holder& operator=(const Holder&) = delete;
        ~Holder() { Leave(); }

        explicit operator bool() const { return state_ != nullptr; }

        // Leaves before the holder's end (idempotent).
        void Leave() {
            if (!state_) return;
            std::vector<std::function<void()>> wake;
            {
                std::lock_guard lock(state_->mutex);
                if (--state_->count == 0 && state_->closed)
                    for (const auto& [id, w] : state_->waiters) wake.push_back(w);
            }
            for (const auto& w : wake) w();
            state_.reset();
        }

    private:
        friend class Gate;
        explicit Holder(std::shared_ptr<State> s) : state_(std::move(s)) {}
        std::shared_ptr<State> state_;
    };

    Gate() : state_(std::make_shared<State>()) {}
    Gate(const Gate&) = delete;
    Gate& operator=(const Gate&) = delete;

    // An empty holder once Close() was called.
    Holder TryEnter() {
        std::lock_guard lock(state_->mutex);
        if (state_->closed) return {};
        ++state_->count;
        return Holder(state_);
    }
    // Throws GateClosed once Close() was called.
    Holder Enter() {
        Holder h = TryEnter();
        if (!h) throw GateClosed();
        return h;
    }

    // Refuses new entries, then completes when no holder is left (true) or at `deadline` (false: some still run).
    boost::asio::awaitable<bool> Close(std::chrono::steady_clock::time_point deadline) {
        namespace asio = boost::asio;
        // Shared with a wake-up posted just as time ran out, which may run after this coroutine returned.
        auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor, deadline);
        uint64_t id = 0;
        {
            std::lock_guard lock(state_->mutex);
            state_->closed = true;
            if (state_->count == 0) co_return true;
            id = ++state_->next_waiter;
            // Moving the expiry to the past ends the wait at once (and a wait started after it would end at once).
            // Weak: a closer whose coroutine was destroyed (its io_context gone) is not woken.
            state_->waiters[id] = [weak = std::weak_ptr<asio::steady_timer>(timer)] {
                if (auto t = weak.lock())
                    asio::post(t->get_executor(), [t] { t->expires_at(std::chrono::steady_clock::time_point::min()); });
            };
        }
        co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
        std::lock_guard lock(state_->mutex);
        state_->waiters.erase(id);
        co_return state_->count == 0;
    }

    int64_t count() const {
        std::lock_guard lock(state_->mutex);
        return state_->count;
    }
    bool closed() const {
        std::lock_guard lock(state_->mutex);
        return state_->closed;
    }

private:
    std::shared_ptr<State> state_;
};

}  // namespace cordee::http

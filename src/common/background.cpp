#include "common/background.hpp"

#include "common/log.hpp"

namespace cordee {

void Background::Start(std::string name, std::chrono::milliseconds every, std::function<void()> work) {
    name_ = std::move(name);
    every_ = every;
    work_ = std::move(work);
    thread_ = std::thread([this] { Loop(); });
}

void Background::Poke() {
    {
        std::lock_guard lock(mu_);
        poked_ = true;
    }
    cv_.notify_all();
}

void Background::Stop() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Background::Loop() {
    for (;;) {
        {
            std::unique_lock lock(mu_);
            cv_.wait_for(lock, every_, [this] { return stop_ || poked_; });
            if (stop_) return;
            poked_ = false;
        }
        try {
            work_();
        } catch (const std::exception& e) {
            log::Warn("background pass failed", {{"job", name_}, {"error", e.what()}});
        }
    }
}

}  // namespace cordee

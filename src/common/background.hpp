#pragma once
// A background job: a thread that runs `work` every `every` (at once when poked) until stopped. The outboxes (mail,
// Web Push) and the urgent messages' escalation are such jobs; a failed pass is logged and the next one tries again.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace cordee {

class Background {
public:
    Background() = default;
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;
    ~Background() { Stop(); }

    // `name` names the job in the log line of a failed pass.
    void Start(std::string name, std::chrono::milliseconds every, std::function<void()> work);
    void Poke();  // something to do: now rather than at the next tick
    void Stop();  // waits for the pass under way

private:
    void Loop();
    std::string name_;
    std::chrono::milliseconds every_{0};
    std::function<void()> work_;
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false, poked_ = false;
};

}  // namespace cordee

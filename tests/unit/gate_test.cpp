#include "http/gate.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

using namespace cordee;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

struct Closed {
    std::optional<bool> all_left;  // what Close() said; empty while it waits
    std::chrono::steady_clock::duration took{};
};

// Runs gate.Close(now + deadline) on `ioc` (run by the caller) and records its outcome.
void SpawnClose(asio::io_context& ioc, http::Gate& gate, std::chrono::milliseconds deadline, Closed& out) {
    const auto start = std::chrono::steady_clock::now();
    asio::co_spawn(ioc, gate.Close(start + deadline), [&out, start](std::exception_ptr p, bool all_left) {
        REQUIRE_FALSE(p);
        out.all_left = all_left;
        out.took = std::chrono::steady_clock::now() - start;
    });
}

}  // namespace

TEST_CASE("a gate with no holder closes at once") {
    asio::io_context ioc(1);
    http::Gate gate;
    { auto h = gate.Enter(); }  // entered and left before the close
    Closed c;
    SpawnClose(ioc, gate, 5s, c);
    ioc.run();
    CHECK(c.all_left == true);
    CHECK(c.took < 1s);
    CHECK(gate.closed());
}

TEST_CASE("closing waits for the last holder, and wakes when it leaves, not at the deadline") {
    asio::io_context ioc(1);
    http::Gate gate;
    std::vector<http::Gate::Holder> held;
    for (int i = 0; i < 3; ++i) held.push_back(gate.Enter());
    CHECK(gate.count() == 3);
    Closed c;
    SpawnClose(ioc, gate, 10s, c);
    // The holders leave from another thread, one by one, while the closer waits on the io_context.
    std::thread leaver([&] {
        for (auto& h : held) {
            std::this_thread::sleep_for(30ms);
            h.Leave();
        }
    });
    ioc.run();
    leaver.join();
    CHECK(c.all_left == true);
    CHECK(c.took >= 80ms);  // not before the last one left
    CHECK(c.took < 5s);     // and not at the deadline
    CHECK(gate.count() == 0);
}

TEST_CASE("a closed gate refuses new holders") {
    asio::io_context ioc(1);
    http::Gate gate;
    auto h = gate.Enter();
    Closed c;
    SpawnClose(ioc, gate, 5s, c);
    ioc.poll();  // the close has started and waits for h
    CHECK_FALSE(c.all_left.has_value());
    CHECK_THROWS_AS(gate.Enter(), http::GateClosed);
    CHECK_FALSE(gate.TryEnter());
    CHECK(gate.count() == 1);
    h.Leave();
    ioc.run();
    CHECK(c.all_left == true);
}

TEST_CASE("closing gives up at the deadline while a holder remains, and its late leave is harmless") {
    asio::io_context ioc(1);
    http::Gate gate;
    std::optional<http::Gate::Holder> stuck(gate.Enter());
    Closed c;
    SpawnClose(ioc, gate, 50ms, c);
    ioc.run();
    CHECK(c.all_left == false);
    CHECK(c.took >= 50ms);
    CHECK(gate.count() == 1);
    stuck.reset();  // after the closer returned: nothing to wake
    CHECK(gate.count() == 0);
    ioc.restart();
    ioc.run();  // whatever it posted runs without a closer
}

TEST_CASE("a holder leaves once: moved, reassigned or left early") {
    http::Gate gate;
    auto a = gate.Enter();
    auto b = std::move(a);
    CHECK_FALSE(a);
    CHECK(b);
    CHECK(gate.count() == 1);
    b.Leave();
    b.Leave();
    CHECK(gate.count() == 0);
    auto c = gate.Enter();
    auto d = gate.Enter();
    c = std::move(d);  // c's own entry leaves, d's moves into c
    CHECK(gate.count() == 1);
    {
        auto e = std::move(c);
    }
    CHECK(gate.count() == 0);
}

TEST_CASE("holders entering and leaving on many threads while the gate closes: every one that entered has left") {
    asio::io_context ioc(1);
    http::Gate gate;
    std::atomic<int64_t> inside{0}, entered{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            while (!go) std::this_thread::yield();
            for (;;) {
                auto h = gate.TryEnter();
                if (!h) return;
                ++entered;
                ++inside;
                std::this_thread::sleep_for(100us);
                --inside;  // before the holder leaves
            }
        });
    }
    go = true;
    while (entered < 200) std::this_thread::yield();
    Closed c;
    SpawnClose(ioc, gate, 10s, c);
    ioc.run();
    CHECK(c.all_left == true);
    CHECK(inside == 0);
    CHECK(gate.count() == 0);
    for (auto& t : threads) t.join();
}

#pragma once
// The process's log lines, written to stdout by one background thread in large writes: logging a request
// costs the network thread an append to a buffer, never a system call nor a wait on a slow terminal or pipe.
// - lines wait at most ~10 ms (an urgent one, e.g. an error, wakes the writer at once);
// - Flush() returns once every line appended before it is written: `cordee serve` calls it after the last
//   request on SIGTERM/SIGINT, and at exit, so that a clean stop loses no line;
// - if stdout is slower than the lines for long (more than kMaxPending bytes waiting), new lines are dropped
//   and counted, and a line saying how many is written when the writer catches up: the server never waits.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace cordee {

class LineWriter {
public:
    static constexpr size_t kMaxPending = 64u << 20;

    explicit LineWriter(int fd);
    ~LineWriter();
    LineWriter(const LineWriter&) = delete;
    LineWriter& operator=(const LineWriter&) = delete;

    // `line` without its '\n'.
    void Append(std::string_view line, bool urgent = false);
    void Flush();
    uint64_t dropped() const;

private:
    void Loop();
    void WriteAll(const std::string& bytes);

    const int fd_;
    mutable std::mutex mutex_;
    std::condition_variable wake_, written_;
    std::string pending_;
    uint64_t appended_ = 0, written_total_ = 0;  // bytes, to know when a Flush is satisfied
    uint64_t dropped_ = 0, dropped_total_ = 0;
    bool urgent_ = false, stop_ = false;
    std::thread thread_;
};

// The writer of stdout, made at first use and never destroyed (lines may be logged until the process ends).
LineWriter& StdoutLines();

}  // namespace cordee

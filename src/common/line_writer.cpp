#include "common/line_writer.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>

namespace cordee {
namespace {
// How long a line may wait for others to share its write.
constexpr auto kBatchDelay = std::chrono::milliseconds(10);
}  // namespace

LineWriter::LineWriter(int fd) : fd_(fd), thread_([this] { Loop(); }) {}

LineWriter::~LineWriter() {
    Flush();
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void LineWriter::Append(std::string_view line, bool urgent) {
    bool wake;
    {
        std::lock_guard lock(mutex_);
        if (pending_.size() + line.size() + 1 > kMaxPending) {
            ++dropped_;
            ++dropped_total_;
            return;
        }
        wake = pending_.empty() || urgent;
        pending_.append(line);
        pending_.push_back('\n');
        appended_ += line.size() + 1;
        urgent_ = urgent_ || urgent;
    }
    // Only the first line of a batch wakes the writer (which then waits kBatchDelay for more).
    if (wake) wake_.notify_one();
}

void LineWriter::Flush() {
    std::unique_lock lock(mutex_);
    const uint64_t target = appended_;
    if (written_total_ >= target) return;
    urgent_ = true;
    wake_.notify_one();
    written_.wait(lock, [&] { return written_total_ >= target; });
}

uint64_t LineWriter::dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_total_;
}

void LineWriter::Loop() {
    std::string batch;
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stop_ || !pending_.empty(); });
        if (pending_.empty() && stop_) return;
        if (!urgent_ && !stop_) wake_.wait_for(lock, kBatchDelay, [&] { return urgent_ || stop_; });
        batch.clear();
        batch.swap(pending_);
        const uint64_t upto = appended_;
        const uint64_t dropped = dropped_;
        dropped_ = 0;
        urgent_ = false;
        lock.unlock();
        if (dropped > 0) {
            batch += "{\"level\":\"warn\",\"msg\":\"log lines dropped: stdout could not keep up\",\"count\":" +
                     std::to_string(dropped) + "}\n";
        }
        WriteAll(batch);
        lock.lock();
        written_total_ = upto;
        written_.notify_all();
    }
}

void LineWriter::WriteAll(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // stdout closed or broken: nothing better to do with log lines
        done += static_cast<size_t>(n);
    }
}

LineWriter& StdoutLines() {
    static LineWriter* writer = [] {
        auto* w = new LineWriter(STDOUT_FILENO);
        // exit() and a return from main: what was logged reaches stdout first.
        std::atexit([] { StdoutLines().Flush(); });
        return w;
    }();
    return *writer;
}

}  // namespace cordee

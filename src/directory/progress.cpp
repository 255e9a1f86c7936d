#include "directory/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace cordee::directory {

Progress::Progress(std::string what, uint64_t total_bytes)
    : what_(std::move(what)), total_(total_bytes), tty_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

void Progress::Update(uint64_t bytes, int64_t lines) {
    const auto now = std::chrono::steady_clock::now();
    const auto every = tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(2000);
    if (now - last_ < every) return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double rate = secs > 0 ? lines / secs : 0;
    const double frac = total_ ? static_cast<double>(bytes) / static_cast<double>(total_) : 0;
    const double eta = frac > 0.001 ? secs * (1 - frac) / frac : 0;
    if (tty_) {
        const int width = 30, filled = static_cast<int>(frac * width);
        std::fprintf(stderr, "\r%s [%.*s%*s] %3.0f %%  %lld lignes, %.0f lignes/s, reste ~%.0f s ", what_.c_str(), filled,
                     "##############################", width - filled, "", frac * 100, static_cast<long long>(lines),
                     rate, eta);
    } else {
        std::fprintf(stderr, "%s: %lld lignes, %.0f lignes/s, reste ~%.0f s\n", what_.c_str(),
                     static_cast<long long>(lines), rate, eta);
    }
    std::fflush(stderr);
}

void Progress::Done(int64_t lines) {
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "%s%s: %lld lignes lues en %.1f s\n", tty_ ? "\r" : "", what_.c_str(),
                 static_cast<long long>(lines), secs);
}

}  // namespace cordee::directory

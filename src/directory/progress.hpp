#pragma once
// Progress of a long import on stderr: a bar with rate and ETA on a terminal, a plain line every two
// seconds otherwise (logs, CI).
#include <chrono>
#include <cstdint>
#include <string>

namespace cordee::directory {

class Progress {
public:
    Progress(std::string what, uint64_t total_bytes);
    void Update(uint64_t bytes, int64_t lines);
    void Done(int64_t lines);

private:
    std::string what_;
    uint64_t total_;
    bool tty_;
    std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace cordee::directory

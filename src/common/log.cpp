#include "common/log.hpp"

#include "common/line_writer.hpp"
#include "common/text.hpp"

#include <spdlog/details/null_mutex.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <mutex>

namespace cordee::log {
namespace {

// Appends `s` as the inside of a JSON string. Most values need no escaping: they are copied whole.
void AppendEscaped(std::string& out, std::string_view s) {
    const auto plain = [](unsigned char c) { return c >= 0x20 && c != '"' && c != '\\'; };
    size_t i = 0;
    while (i < s.size()) {
        size_t j = i;
        while (j < s.size() && plain(static_cast<unsigned char>(s[j]))) ++j;
        out.append(s.data() + i, j - i);
        if (j == s.size()) break;
        out += JsonEscape(s.substr(j, 1));
        i = j + 1;
    }
}

// Called for every request (the access log): one buffer, no temporary string per field.
std::string Render(std::string_view msg, std::initializer_list<Field> fields) {
    std::string out;
    out.reserve(64 + msg.size() + 48 * fields.size());
    out += "\"msg\":\"";
    AppendEscaped(out, msg);
    out += '"';
    for (const auto& f : fields) {
        out += ",\"";
        out += f.key;
        out += "\":";
        if (f.raw) {
            out += f.value;
        } else {
            out += '"';
            AppendEscaped(out, f.value);
            out += '"';
        }
    }
    return out;
}

std::shared_ptr<spdlog::logger>& Logger() {
    static std::shared_ptr<spdlog::logger> logger = [] {
        auto l = spdlog::stdout_logger_mt("cordee");
        l->set_pattern("{\"time\":\"%Y-%m-%dT%H:%M:%S.%eZ\",\"level\":\"%l\",%v}", spdlog::pattern_time_type::utc);
        return l;
    }();
    return logger;
}

// The line of the pattern above ({"time":"…Z","level":"…",<fields>}), written without the pattern machinery:
// the access log makes one per request. The date and time to the second are formatted once per second and
// thread; it keeps no other state, so that threads may share it without a lock.
class JsonLineFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        thread_local int64_t cached_second = -1;
        thread_local char second[24];
        const auto since_epoch = msg.time.time_since_epoch();
        const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
        const int64_t secs = ms / 1000;
        if (secs != cached_second) {
            const std::time_t t = static_cast<std::time_t>(secs);
            std::tm tm{};
            gmtime_r(&t, &tm);
            std::strftime(second, sizeof second, "%Y-%m-%dT%H:%M:%S", &tm);
            cached_second = secs;
        }
        const int milli = static_cast<int>(ms % 1000);
        const char fraction[] = {'.', static_cast<char>('0' + milli / 100), static_cast<char>('0' + milli / 10 % 10),
                                 static_cast<char>('0' + milli % 10)};
        const auto level = spdlog::level::to_string_view(msg.level);
        dest.append(std::string_view("{\"time\":\""));
        dest.append(std::string_view(second));
        dest.append(fraction, fraction + sizeof fraction);
        dest.append(std::string_view("Z\",\"level\":\""));
        dest.append(level.data(), level.data() + level.size());
        dest.append(std::string_view("\","));
        dest.append(msg.payload.data(), msg.payload.data() + msg.payload.size());
        dest.append(std::string_view("}"));
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonLineFormatter>(); }
};

// Formats on the calling thread and hands the line to the stdout writer (common/line_writer.hpp), which
// writes it with others from its own thread: a busy server never waits on the terminal or a slow collector.
// No lock here: the formatter keeps no shared state and the writer has its own.
class LineWriterSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        spdlog::memory_buf_t buf;
        formatter_->format(msg, buf);
        StdoutLines().Append(std::string_view(buf.data(), buf.size()), msg.level >= spdlog::level::warn);
    }
    void flush_() override { StdoutLines().Flush(); }
};

}  // namespace

void Init(const std::string& level) {
    auto l = std::make_shared<spdlog::logger>("cordee-lines", std::make_shared<LineWriterSink>());
    l->set_formatter(std::make_unique<JsonLineFormatter>());
    l->set_level(spdlog::level::from_str(level));
    Logger() = l;
}

void Info(std::string_view msg, std::initializer_list<Field> fields) {
    if (Logger()->should_log(spdlog::level::info)) Logger()->info(Render(msg, fields));
}
void Warn(std::string_view msg, std::initializer_list<Field> fields) { Logger()->warn(Render(msg, fields)); }
void Error(std::string_view msg, std::initializer_list<Field> fields) { Logger()->error(Render(msg, fields)); }
void Flush() { Logger()->flush(); }

}  // namespace cordee::log

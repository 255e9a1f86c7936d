#include "common/log.hpp"

#include "common/text.hpp"

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace cordee::log {
namespace {

std::string Render(std::string_view msg, std::initializer_list<Field> fields) {
    std::string out = "\"msg\":\"" + JsonEscape(msg) + "\"";
    for (const auto& f : fields) {
        out += ",\"" + std::string(f.key) + "\":";
        if (f.raw) out += f.value;
        else out += "\"" + JsonEscape(f.value) + "\"";
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

}  // namespace

void Init(const std::string& level) {
    // Asynchronous so that a busy server never waits on the terminal or a slow log collector.
    spdlog::init_thread_pool(65536, 1);
    auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    auto l = std::make_shared<spdlog::async_logger>("cordee-async", sink, spdlog::thread_pool(),
                                                    spdlog::async_overflow_policy::block);
    l->set_pattern("{\"time\":\"%Y-%m-%dT%H:%M:%S.%eZ\",\"level\":\"%l\",%v}", spdlog::pattern_time_type::utc);
    l->set_level(spdlog::level::from_str(level));
    l->flush_on(spdlog::level::info);
    Logger() = l;
}

void Info(std::string_view msg, std::initializer_list<Field> fields) {
    if (Logger()->should_log(spdlog::level::info)) Logger()->info(Render(msg, fields));
}
void Warn(std::string_view msg, std::initializer_list<Field> fields) { Logger()->warn(Render(msg, fields)); }
void Error(std::string_view msg, std::initializer_list<Field> fields) { Logger()->error(Render(msg, fields)); }
void Flush() { Logger()->flush(); }

}  // namespace cordee::log

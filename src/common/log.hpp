#pragma once
// Structured logs: one JSON object per line on stdout. Fields are given as pairs; values are
// escaped here so that no caller can break the line format. Secrets must never be passed in.
#include <charconv>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace cordee::log {

struct Field {
    std::string_view key;
    std::string value;
    bool raw = false;  // numbers and booleans
    Field(std::string_view k, std::string_view v) : key(k), value(v) {}
    Field(std::string_view k, const char* v) : key(k), value(v) {}
    Field(std::string_view k, const std::string& v) : key(k), value(v) {}
    Field(std::string_view k, long long v) : key(k), value(std::to_string(v)), raw(true) {}
    Field(std::string_view k, int v) : key(k), value(std::to_string(v)), raw(true) {}
    Field(std::string_view k, long v) : key(k), value(std::to_string(v)), raw(true) {}
    Field(std::string_view k, unsigned long v) : key(k), value(std::to_string(v)), raw(true) {}
    // Three decimals (durations in ms: to the microsecond), written without printf's cost.
    Field(std::string_view k, double v) : key(k), value(Decimal(v)), raw(true) {}
    static std::string Decimal(double v) {
        char buf[32];
        const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 3);
        return r.ec == std::errc() ? std::string(buf, r.ptr) : "0";
    }
};

void Init(const std::string& level);
void Info(std::string_view msg, std::initializer_list<Field> fields = {});
void Warn(std::string_view msg, std::initializer_list<Field> fields = {});
void Error(std::string_view msg, std::initializer_list<Field> fields = {});
void Flush();

}  // namespace cordee::log

#pragma once
// Structured logs: one JSON object per line on stdout. Fields are given as pairs; values are
// escaped here so that no caller can break the line format. Secrets must never be passed in.
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
    Field(std::string_view k, double v) : key(k), value(std::to_string(v)), raw(true) {}
};

void Init(const std::string& level);
void Info(std::string_view msg, std::initializer_list<Field> fields = {});
void Warn(std::string_view msg, std::initializer_list<Field> fields = {});
void Error(std::string_view msg, std::initializer_list<Field> fields = {});
void Flush();

}  // namespace cordee::log

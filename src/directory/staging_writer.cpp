#include "directory/staging_writer.hpp"

#include <algorithm>

namespace cordee::directory {
namespace {
constexpr size_t kRowsPerStatement = 100;   // multi-row INSERTs: far fewer statements
constexpr size_t kRowsPerTransaction = 20000;
}  // namespace

BackgroundWriter::BackgroundWriter() : thread_([this] { Loop(); }) {}

BackgroundWriter::~BackgroundWriter() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void BackgroundWriter::Submit(std::function<void()> job) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return jobs_.size() < 2 || error_; });
    Rethrow();
    jobs_.push_back(std::move(job));
    cv_.notify_all();
}

void BackgroundWriter::Wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return (jobs_.empty() && !busy_) || error_; });
    Rethrow();
}

void BackgroundWriter::Rethrow() {
    if (error_) std::rethrow_exception(error_);
}

void BackgroundWriter::Loop() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
            if (jobs_.empty()) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
            busy_ = true;
        }
        try {
            job();
        } catch (...) {
            std::lock_guard lock(mutex_);
            if (!error_) error_ = std::current_exception();
        }
        {
            std::lock_guard lock(mutex_);
            busy_ = false;
        }
        cv_.notify_all();
    }
}

void StagingWriter::Add(storage::Params row) {
    rows_.push_back(std::move(row));
    if (rows_.size() >= kRowsPerTransaction) Flush();
}

void StagingWriter::Flush() {
    if (rows_.empty()) return;
    // The SQL texts are made here, on the parsing thread; the job owns its rows.
    std::vector<std::pair<std::string, storage::Params>> statements;
    const size_t width = table_.columns.size();
    for (size_t i = 0; i < rows_.size(); i += kRowsPerStatement) {
        const size_t n = std::min(kRowsPerStatement, rows_.size() - i);
        storage::Params params;
        params.reserve(n * width);
        for (size_t r = i; r < i + n; ++r)
            for (auto& v : rows_[r]) params.push_back(std::move(v));
        statements.emplace_back(InsertSql(n), std::move(params));
    }
    rows_.clear();
    writer_.Submit([&db = db_, statements = std::move(statements)]() {
        db.Write([&](storage::Session& s) {
            for (const auto& [sql, params] : statements) s.Queue(sql, params);
        });
    });
}

const std::string& StagingWriter::InsertSql(size_t rows) {
    auto it = sql_.find(rows);
    if (it != sql_.end()) return it->second;
    return sql_[rows] = import_repo::StagingInsert(table_, rows);
}

}  // namespace cordee::directory

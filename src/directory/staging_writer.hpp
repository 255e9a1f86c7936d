#pragma once
// How an import streams staged rows into the database while it goes on reading the file: rows are buffered per
// staging table and written in multi-row INSERTs, one transaction per batch, by a thread of their own (parsing and
// writing overlap: on two cores, about twice as fast). At most two batches wait, which bounds memory.
#include "directory/import_repository.hpp"
#include "storage/database.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cordee::directory {

class BackgroundWriter {
public:
    BackgroundWriter();
    ~BackgroundWriter();
    BackgroundWriter(const BackgroundWriter&) = delete;
    BackgroundWriter& operator=(const BackgroundWriter&) = delete;
    // Waits while two jobs are queued; throws the first write error.
    void Submit(std::function<void()> job);
    // Waits until every job is done; throws the first write error.
    void Wait();

private:
    void Loop();
    void Rethrow();
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;
    bool stop_ = false, busy_ = false;
    std::exception_ptr error_;
    std::thread thread_;
};

class StagingWriter {
public:
    StagingWriter(storage::Database& db, BackgroundWriter& writer, const import_repo::StagingTable& table)
        : db_(db), writer_(writer), table_(table) {}
    // A row in the order of the table's columns (import_repo::Staged…).
    void Add(storage::Params row);
    // Hands the buffered rows to the writer (also done every 20,000 rows).
    void Flush();

private:
    const std::string& InsertSql(size_t rows);
    storage::Database& db_;
    BackgroundWriter& writer_;
    const import_repo::StagingTable& table_;
    std::vector<storage::Params> rows_;
    std::map<size_t, std::string> sql_;  // by number of rows: two sizes at most (full statements and the last one)
};

}  // namespace cordee::directory

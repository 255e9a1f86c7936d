#pragma once
// A fresh database per test on the backend named by CORDEE_TEST_DATABASE: empty for SQLite in a
// temp dir, or a postgresql:// URL of the throw-away test cluster (a new database is created).
#include "common/crypto.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

namespace cordee::test {

inline std::string TempDir() {
    std::random_device rd;
    auto dir = std::filesystem::temp_directory_path() / ("cordee-db-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir);
    return dir.string();
}

struct TestDb {
    std::string dir = TempDir();
    std::string url;
    std::unique_ptr<storage::Database> db;

    TestDb() {
        crypto::Init();
        const char* base = std::getenv("CORDEE_TEST_DATABASE");
        if (base && *base) {
            const std::string name = "d" + crypto::RandomToken(9);
            std::string lower;
            for (char c : name) lower.push_back(std::isalnum(static_cast<unsigned char>(c)) ? std::tolower(c) : 'x');
            // CREATE DATABASE cannot run inside a transaction: psql runs it alone.
            const std::string cmd = std::string("psql '") + base + "' -q -c 'CREATE DATABASE " + lower + "'";
            if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot create test database");
            url = std::string(base);
            url = url.substr(0, url.rfind('/')) + "/" + lower;
        }
        db = storage::OpenDatabase(url, dir, 8);
        storage::Migrate(*db);
    }
    ~TestDb() {
        db->Close();
        std::filesystem::remove_all(dir);
    }
    bool postgres() const { return !url.empty(); }
};

}  // namespace cordee::test

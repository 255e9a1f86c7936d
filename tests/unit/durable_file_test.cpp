#include "common/durable_file.hpp"
#include "common/errors.hpp"

#include <doctest/doctest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

using namespace cordee;
namespace fs = std::filesystem;

namespace {
struct TempDir {
    fs::path path = fs::temp_directory_path() / ("cordee-durable-" + std::to_string(std::random_device{}()));
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
    size_t Count() const { return static_cast<size_t>(std::distance(fs::directory_iterator(path), fs::directory_iterator())); }
};
std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
int Status(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.status();
    }
    return 0;
}
}  // namespace

TEST_CASE("a durable file appears under its name only whole; a failed sync leaves nothing and says why") {
    TempDir t;
    WriteFileDurably(t.path.string(), "a.eml", "bonjour");
    CHECK(Read(t.path / "a.eml") == "bonjour");
    CHECK(t.Count() == 1);  // no temporary file left

    // Some file systems report a full disk only at fsync: 507, and neither the name nor a temporary file remains.
    auto full = [](int) { errno = ENOSPC; return -1; };
    CHECK(Status([&] { WriteFileDurably(t.path.string(), "b.eml", "x", full); }) == 507);
    auto broken = [](int) { errno = EIO; return -1; };
    CHECK(Status([&] { WriteFileDurably(t.path.string(), "c.eml", "x", broken); }) == 503);
    CHECK(t.Count() == 1);
    CHECK_FALSE(fs::exists(t.path / "b.eml"));

    // An existing file made durable again: its sync's failure is reported the same way.
    CHECK(Status([&] { SyncFileDurably(t.path.string(), "a.eml", broken); }) == 503);
    SyncFileDurably(t.path.string(), "a.eml");
    CHECK(Status([&] { SyncFileDurably(t.path.string(), "absent.eml"); }) == 503);
}

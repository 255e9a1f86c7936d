#include "common/durable_file.hpp"

#include "common/crypto.hpp"
#include "common/errors.hpp"
#include "common/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace cordee {
namespace {

[[noreturn]] void Fail(const char* step, const std::string& path, int err) {
    log::Error("file not stored", {{"step", step}, {"path", path}, {"error", std::strerror(err)}});
    if (err == ENOSPC || err == EDQUOT) throw InsufficientStorage();
    throw StorageFailure();
}

template <class Sync>
void SyncDirectory(const std::string& dir, const Sync& sync) {
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) Fail("open directory", dir, errno);
    const int rc = sync(dfd);
    const int err = errno;
    ::close(dfd);
    if (rc != 0) Fail("fsync directory", dir, err);
}

}  // namespace

void WriteFileDurably(const std::string& dir, const std::string& name, std::string_view bytes,
                      const std::function<int(int)>& sync) {
    const auto do_sync = [&](int fd) { return sync ? sync(fd) : ::fsync(fd); };
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) Fail("mkdir", dir, ec.value());
    const std::string tmp = dir + "/." + name + "." + crypto::RandomToken(6) + ".tmp";
    const std::string path = dir + "/" + name;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) Fail("create", tmp, errno);
    const auto abandon = [&](const char* step, int err) {
        ::close(fd);
        ::unlink(tmp.c_str());
        Fail(step, tmp, err);
    };
    for (size_t done = 0; done < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) abandon("write", n < 0 ? errno : ENOSPC);
        done += static_cast<size_t>(n);
    }
    if (do_sync(fd) != 0) abandon("fsync", errno);
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        Fail("close", tmp, err);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        Fail("rename", path, err);
    }
    // The new name is durable once the directory is synced.
    SyncDirectory(dir, do_sync);
}

void SyncFileDurably(const std::string& dir, const std::string& name, const std::function<int(int)>& sync) {
    const auto do_sync = [&](int fd) { return sync ? sync(fd) : ::fsync(fd); };
    const std::string path = dir + "/" + name;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) Fail("open", path, errno);
    const int rc = do_sync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) Fail("fsync", path, err);
    SyncDirectory(dir, do_sync);
}

}  // namespace cordee

#pragma once
// The built web app (web/dist), read once into memory at start: it is small, and serving from memory
// keeps the io threads off the disk. Text files are gzipped once there too: on a slow mobile network the
// app's JavaScript is most of a first load's wait (bench/lighthouse.sh). Unknown paths without an extension get index.html (SPA routes).
#include "http/router.hpp"

#include <optional>
#include <string>
#include <unordered_map>

namespace cordee::http {

class StaticFiles {
public:
    explicit StaticFiles(const std::string& root);
    // GET/HEAD of a non-API path; nullopt when nothing fits (then 404). `accept_encoding` is the request's
    // Accept-Encoding: text files are answered gzip-compressed when it allows.
    std::optional<Response> Serve(const std::string& path, std::string_view accept_encoding = {}) const;
    // A file of the web root, if present (e.g. openapi.json).
    const std::string* Find(const std::string& path) const;
    size_t size() const { return files_.size(); }

private:
    struct File {
        std::string body, content_type, cache_control, etag;
        std::string gzipped;  // compressed once at start; empty when not worth it (images, tiny files)
    };
    std::unordered_map<std::string, File> files_;
};

}  // namespace cordee::http

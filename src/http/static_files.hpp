#pragma once
// The built web app (web/dist), read once into memory at start: it is small, and serving from memory
// keeps the io threads off the disk. Unknown paths without an extension get index.html (SPA routes).
#include "http/router.hpp"

#include <optional>
#include <string>
#include <unordered_map>

namespace cordee::http {

class StaticFiles {
public:
    explicit StaticFiles(const std::string& root);
    // GET/HEAD of a non-API path; nullopt when nothing fits (then 404).
    std::optional<Response> Serve(const std::string& path) const;
    // A file of the web root, if present (e.g. openapi.json).
    const std::string* Find(const std::string& path) const;
    size_t size() const { return files_.size(); }

private:
    struct File {
        std::string body, content_type, cache_control, etag;
    };
    std::unordered_map<std::string, File> files_;
};

}  // namespace cordee::http

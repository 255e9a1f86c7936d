#include "http/static_files.hpp"

#include "common/crypto.hpp"
#include "http/compress.hpp"


#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace cordee::http {
namespace {

std::string TypeOf(const std::string& ext) {
    static const std::unordered_map<std::string, std::string> types = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".json", "application/json"}, {".webmanifest", "application/manifest+json"},
        {".svg", "image/svg+xml"}, {".png", "image/png"}, {".ico", "image/x-icon"},
        {".woff2", "font/woff2"}, {".txt", "text/plain; charset=utf-8"}, {".map", "application/json"}};
    auto it = types.find(ext);
    return it == types.end() ? "application/octet-stream" : it->second;
}

bool Compressible(const std::string& content_type) {
    return content_type.rfind("text/", 0) == 0 || content_type.find("json") != std::string::npos ||
           content_type.find("svg") != std::string::npos;
}

}  // namespace

StaticFiles::StaticFiles(const std::string& root) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return;
    for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator(); ++it) {
        if (!it->is_regular_file()) continue;
        std::ifstream in(it->path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string rel = "/" + fs::relative(it->path(), root).generic_string();
        File f;
        f.body = ss.str();
        f.content_type = TypeOf(it->path().extension().string());
        // Vite names assets by content hash: they never change, so they may be cached for a year.
        // Everything else (index.html, sw.js, manifest) must be revalidated to pick up new versions.
        f.cache_control = rel.rfind("/assets/", 0) == 0 ? "public, max-age=31536000, immutable" : "no-cache";
        f.etag = "\"" + crypto::Sha256Hex(f.body).substr(0, 16) + "\"";
        if (Compressible(f.content_type) && f.body.size() >= 1024) {
            std::string z = Gzip(f.body, 9);  // once at start: the best level
            if (!z.empty() && z.size() < f.body.size()) f.gzipped = std::move(z);
        }
        files_.emplace(rel, std::move(f));
    }
}

const std::string* StaticFiles::Find(const std::string& path) const {
    auto it = files_.find(path);
    return it == files_.end() ? nullptr : &it->second.body;
}

std::optional<Response> StaticFiles::Serve(const std::string& path, std::string_view accept_encoding) const {
    auto it = files_.find(path == "/" ? "/index.html" : path);
    if (it == files_.end()) {
        const auto last = path.substr(path.rfind('/') + 1);
        if (last.find('.') != std::string::npos) return std::nullopt;  // a missing file, not a page
        it = files_.find("/index.html");
        if (it == files_.end()) {
            return Response::Text(503,
                                  "<!doctype html><html lang=\"fr\"><title>Cordée</title><p>L'application web n'est pas "
                                  "construite : lancez scripts/build.</p></html>",
                                  "text/html; charset=utf-8");
        }
    }
    const File& f = it->second;
    Response r;
    r.content_type = f.content_type;
    r.Header("Cache-Control", f.cache_control);
    if (!f.gzipped.empty()) r.Header("Vary", "Accept-Encoding");
    if (!f.gzipped.empty() && AcceptsGzip(accept_encoding)) {
        r.body = f.gzipped;
        // Another representation, another validator (RFC 9110 §8.8.3).
        r.Header("Content-Encoding", "gzip").Header("ETag", f.etag.substr(0, f.etag.size() - 1) + "-gz\"");
    } else {
        r.body = f.body;
        r.Header("ETag", f.etag);
    }
    return r;
}

}  // namespace cordee::http

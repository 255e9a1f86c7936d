#include "http/compress.hpp"

#include <zlib.h>

#include <cstdlib>

namespace cordee::http {
namespace {
constexpr size_t kMinBytes = 1024;
}  // namespace

std::string Gzip(const std::string& in, int level) {
    z_stream z{};
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return "";
    std::string out(deflateBound(&z, in.size()), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return rc == Z_STREAM_END ? out : "";
}

bool AcceptsGzip(std::string_view accept) {
    while (!accept.empty()) {
        const size_t comma = accept.find(',');
        std::string_view item = accept.substr(0, comma);
        accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        if (item.rfind("gzip", 0) != 0) continue;
        const size_t q = item.find("q=");
        return q == std::string_view::npos || std::strtod(std::string(item.substr(q + 2)).c_str(), nullptr) > 0;
    }
    return false;
}

Response MaybeGzip(const Request& req, Response res) {
    res.Header("Vary", "Accept-Encoding");
    if (res.body.size() < kMinBytes || !AcceptsGzip(req.Header("accept-encoding"))) return res;
    std::string z = Gzip(res.body, 6);  // a fresh answer each time: a middle level, fast enough per request
    if (z.empty()) return res;
    res.body = std::move(z);
    res.Header("Content-Encoding", "gzip");
    return res;
}

}  // namespace cordee::http

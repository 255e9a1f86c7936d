#pragma once
// gzip, one implementation for the two places that send it: the web app's static files (compressed once at start,
// at the best level) and large JSON answers where the size matters on a mobile link (the offline sync).
#include "http/router.hpp"

#include <string>
#include <string_view>

namespace cordee::http {

// gzip (RFC 1952) of `in` at zlib `level`; empty on failure (the caller then sends the bytes as they are).
std::string Gzip(const std::string& in, int level);
// "gzip" listed in an Accept-Encoding value and not refused with q=0.
bool AcceptsGzip(std::string_view accept_encoding);
// The answer gzipped when it is worth it (≥ 1 KiB) and the client accepts it.
Response MaybeGzip(const Request& req, Response res);

}  // namespace cordee::http

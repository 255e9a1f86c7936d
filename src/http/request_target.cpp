#include "http/request_target.hpp"

#include <boost/url/parse.hpp>

#include <cctype>

namespace cordee::http {

bool ParseTarget(std::string_view target, std::string& path, std::map<std::string, std::string>& query) {
    auto url = boost::urls::parse_origin_form(target);
    if (!url) return false;
    path = std::string(url->path());
    for (auto p : url->params()) query[std::string(p.key)] = std::string(p.value);
    return true;
}

bool ValidRequestId(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
    return true;
}

}  // namespace cordee::http

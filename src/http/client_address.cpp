#include "http/client_address.hpp"

#include <algorithm>

namespace cordee::http {
namespace {

bool Trusted(const IpAddress& a, const std::vector<IpNetwork>& trusted) {
    return std::any_of(trusted.begin(), trusted.end(), [&](const IpNetwork& n) { return n.Contains(a); });
}

// One hop of X-Forwarded-For: "203.0.113.7", "2001:db8::7", "[2001:db8::7]:443" or "203.0.113.7:5120".
std::optional<IpAddress> ParseHop(std::string_view hop) {
    while (!hop.empty() && (hop.front() == ' ' || hop.front() == '\t')) hop.remove_prefix(1);
    while (!hop.empty() && (hop.back() == ' ' || hop.back() == '\t')) hop.remove_suffix(1);
    if (!hop.empty() && hop.front() == '[') {
        const auto close = hop.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        return ParseIpAddress(hop.substr(1, close - 1));
    }
    if (const auto colon = hop.find(':'); colon != std::string_view::npos && hop.find(':', colon + 1) == std::string_view::npos)
        hop = hop.substr(0, colon);  // IPv4 with a port
    return ParseIpAddress(hop);
}

}  // namespace

std::string ClientAddress(std::string_view peer, const std::vector<std::string_view>& forwarded_for,
                          const std::vector<IpNetwork>& trusted) {
    const auto peer_address = ParseIpAddress(peer);
    if (!peer_address) return std::string(peer);
    IpAddress client = *peer_address;
    if (trusted.empty() || !Trusted(client, trusted)) return client.ToString();
    // Right to left over every hop of every header (several headers read as one comma-separated list).
    for (auto header = forwarded_for.rbegin(); header != forwarded_for.rend(); ++header) {
        std::string_view list = *header;
        while (!list.empty()) {
            const auto comma = list.rfind(',');
            const std::string_view hop = comma == std::string_view::npos ? list : list.substr(comma + 1);
            list = comma == std::string_view::npos ? std::string_view() : list.substr(0, comma);
            if (hop.find_first_not_of(" \t") == std::string_view::npos) continue;  // empty element
            const auto address = ParseHop(hop);
            // A hop we cannot read: the last trusted proxy is the best we know of who sent it.
            if (!address) return client.ToString();
            client = *address;
            if (!Trusted(client, trusted)) return client.ToString();
        }
    }
    return client.ToString();  // every hop was a trusted proxy: the left-most one
}

}  // namespace cordee::http

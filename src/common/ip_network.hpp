#pragma once
// IP addresses and networks (CIDR) for the `trusted_proxies` setting and the loopback check of /metrics.
// IPv4 addresses are kept as IPv4-mapped IPv6 (::ffff:a.b.c.d), so that "10.0.0.0/8" also matches a peer
// that a dual-stack socket reports as ::ffff:10.1.2.3.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cordee {

struct IpAddress {
    std::array<uint8_t, 16> bytes{};
    bool IsV4() const;
    bool IsLoopback() const;  // 127.0.0.0/8, ::1
    std::string ToString() const;  // "10.1.2.3" for IPv4 (mapped or not), RFC 5952 text otherwise
    bool operator==(const IpAddress&) const = default;
};

// "10.1.2.3", "2001:db8::1", "::ffff:10.1.2.3", "[2001:db8::1]"; nothing else (no port, no zone).
std::optional<IpAddress> ParseIpAddress(std::string_view text);

struct IpNetwork {
    IpAddress base;
    int prefix = 128;  // in IPv6 bits (an IPv4 /8 is /104)
    bool Contains(const IpAddress& a) const;
};

// "10.0.0.0/8", "192.168.1.5" (one address), "2001:db8::/32", "::1". Host bits must be zero.
std::optional<IpNetwork> ParseIpNetwork(std::string_view text);

// A comma- or space-separated list; throws std::invalid_argument naming the first bad entry.
std::vector<IpNetwork> ParseIpNetworks(std::string_view list);

}  // namespace cordee

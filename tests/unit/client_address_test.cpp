#include "common/ip_network.hpp"
#include "http/client_address.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace cordee;

namespace {
std::vector<IpNetwork> Nets(const char* list) { return ParseIpNetworks(list); }
}  // namespace

TEST_CASE("IP networks: IPv4, IPv6, IPv4-mapped, single addresses; host bits and bad prefixes refused") {
    const auto n = Nets("10.0.0.0/8, 192.168.1.5 2001:db8::/32");
    REQUIRE(n.size() == 3);
    CHECK(n[0].Contains(*ParseIpAddress("10.255.0.1")));
    CHECK(n[0].Contains(*ParseIpAddress("::ffff:10.1.2.3")));  // a dual-stack socket's view of 10.1.2.3
    CHECK_FALSE(n[0].Contains(*ParseIpAddress("11.0.0.1")));
    CHECK(n[1].Contains(*ParseIpAddress("192.168.1.5")));
    CHECK_FALSE(n[1].Contains(*ParseIpAddress("192.168.1.6")));
    CHECK(n[2].Contains(*ParseIpAddress("2001:db8:1::9")));
    CHECK_FALSE(n[2].Contains(*ParseIpAddress("2001:db9::1")));
    CHECK(ParseIpNetwork("0.0.0.0/0")->Contains(*ParseIpAddress("203.0.113.1")));
    for (const char* bad : {"10.1.2.3/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x", "999.1.1.1", "host.example",
                            "2001:db8::1/129", "", "1.2.3.4:80"})
        CHECK_MESSAGE(!ParseIpNetwork(bad), bad);
    CHECK_THROWS_AS(ParseIpNetworks("10.0.0.0/8, nope"), std::invalid_argument);
    CHECK(ParseIpNetworks("").empty());
    CHECK(ParseIpAddress("::ffff:127.0.0.1")->IsLoopback());
    CHECK(ParseIpAddress("::1")->IsLoopback());
    CHECK(ParseIpAddress("127.3.4.5")->IsLoopback());
    CHECK_FALSE(ParseIpAddress("10.0.0.1")->IsLoopback());
    CHECK(ParseIpAddress("::ffff:10.1.2.3")->ToString() == "10.1.2.3");
}

TEST_CASE("client address: X-Forwarded-For believed only from a trusted peer, right-most untrusted hop") {
    const auto trusted = Nets("10.0.0.0/8, 127.0.0.1");
    auto client = [&](const char* peer, std::vector<std::string_view> xff) { return http::ClientAddress(peer, xff, trusted); };
    CHECK(client("127.0.0.1", {}) == "127.0.0.1");
    CHECK(client("127.0.0.1", {"198.51.100.7"}) == "198.51.100.7");
    CHECK(client("127.0.0.1", {"203.0.113.66, 198.51.100.7"}) == "198.51.100.7");  // the left one the client wrote
    CHECK(client("127.0.0.1", {"198.51.100.7, 10.1.1.1, 10.2.2.2"}) == "198.51.100.7");
    CHECK(client("127.0.0.1", {"203.0.113.66", "198.51.100.7, 10.1.1.1"}) == "198.51.100.7");  // several headers
    CHECK(client("127.0.0.1", {"198.51.100.7:4711"}) == "198.51.100.7");
    CHECK(client("127.0.0.1", {"[2001:db8::7]:443"}) == "2001:db8::7");
    CHECK(client("127.0.0.1", {"2001:db8::7"}) == "2001:db8::7");
    CHECK(client("127.0.0.1", {"198.51.100.7, , "}) == "198.51.100.7");  // empty elements
    CHECK(client("127.0.0.1", {"10.1.1.1, 10.2.2.2"}) == "10.1.1.1");  // all trusted: the furthest
    CHECK(client("127.0.0.1", {"unknown, 10.2.2.2"}) == "10.2.2.2");  // unreadable: the proxy that sent it
    CHECK(client("::ffff:10.9.9.9", {"198.51.100.7"}) == "198.51.100.7");
    // An untrusted peer's header is ignored: it could say anything.
    CHECK(client("198.51.100.1", {"203.0.113.66"}) == "198.51.100.1");
    CHECK(http::ClientAddress("127.0.0.1", {"198.51.100.7"}, {}) == "127.0.0.1");  // no trusted proxy at all
}

#include "common/ip_network.hpp"

#include <arpa/inet.h>

#include <cstring>
#include <stdexcept>

namespace cordee {
namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

bool IpAddress::IsV4() const { return std::memcmp(bytes.data(), kV4MappedPrefix.data(), 12) == 0; }

bool IpAddress::IsLoopback() const {
    if (IsV4()) return bytes[12] == 127;
    for (size_t i = 0; i < 15; ++i)
        if (bytes[i] != 0) return false;
    return bytes[15] == 1;
}

std::string IpAddress::ToString() const {
    char buf[INET6_ADDRSTRLEN];
    if (IsV4()) {
        inet_ntop(AF_INET, bytes.data() + 12, buf, sizeof buf);
    } else {
        inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
    }
    return buf;
}

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
    text = Trim(text);
    if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    const std::string s(text);
    IpAddress a;
    if (s.find(':') == std::string::npos) {
        in_addr v4{};
        if (inet_pton(AF_INET, s.c_str(), &v4) != 1) return std::nullopt;
        std::memcpy(a.bytes.data(), kV4MappedPrefix.data(), 12);
        std::memcpy(a.bytes.data() + 12, &v4, 4);
        return a;
    }
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
    return a;
}

bool IpNetwork::Contains(const IpAddress& a) const {
    int bits = prefix;
    for (size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
        const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
        if ((a.bytes[i] & mask) != (base.bytes[i] & mask)) return false;
    }
    return true;
}

std::optional<IpNetwork> ParseIpNetwork(std::string_view text) {
    text = Trim(text);
    const auto slash = text.find('/');
    auto address = ParseIpAddress(text.substr(0, slash));
    if (!address) return std::nullopt;
    IpNetwork n{*address, 128};
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string_view::npos)
            return std::nullopt;
        const int given = std::stoi(std::string(digits));
        const int max = address->IsV4() ? 32 : 128;
        if (given > max) return std::nullopt;
        n.prefix = address->IsV4() ? 96 + given : given;
    }
    // Host bits set ("10.1.2.3/8") most likely mean a typing mistake: refuse rather than guess.
    IpNetwork exact = n;
    for (int bit = n.prefix; bit < 128; ++bit) exact.base.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
    if (exact.base != n.base) return std::nullopt;
    return n;
}

std::vector<IpNetwork> ParseIpNetworks(std::string_view list) {
    std::vector<IpNetwork> out;
    size_t i = 0;
    while (i < list.size()) {
        const size_t end = list.find_first_of(", ", i);
        const std::string_view item = list.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
        if (!item.empty()) {
            auto n = ParseIpNetwork(item);
            if (!n) throw std::invalid_argument(std::string(item));
            out.push_back(*n);
        }
        if (end == std::string_view::npos) break;
        i = end + 1;
    }
    return out;
}

}  // namespace cordee

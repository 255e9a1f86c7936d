#pragma once
// Who the client is behind load balancers (the `trusted_proxies` setting). X-Forwarded-For is read only when
// the connection comes from a trusted proxy; each proxy appends the address it received from, so the client
// is the right-most address that is not itself a trusted proxy. What lies further left was written by the
// client (or by proxies we do not know) and proves nothing: never used, so that no one picks their own address
// to escape the login throttle or to put a false address in the audit trail.
#include "common/ip_network.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace cordee::http {

// `peer` is the connection's address; `forwarded_for` the values of every X-Forwarded-For header, in order.
// Returns the client's address as text (IPv4 without the ::ffff: prefix).
std::string ClientAddress(std::string_view peer, const std::vector<std::string_view>& forwarded_for,
                          const std::vector<IpNetwork>& trusted);

}  // namespace cordee::http

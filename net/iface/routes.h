// IPv4 configuration and next-hop selection for a host on one link (RFC 1122 §3.3.1): a
// destination inside our prefix is on-link, anything else goes to the default gateway.
#pragma once

#include "lib/optional.h"
#include "lib/result.h"
#include "net/iface/counters.h"
#include "net/wire/address.h"

namespace net::iface {

inline constexpr usize dns_servers_max = 3;

// The netmask with the top `prefix_len` bits set. Precondition: prefix_len <= 32.
wire::Ipv4Address mask_from_prefix(u8 prefix_len);
// The prefix length of a contiguous mask (DhcpRepr::parse guarantees contiguity).
u8 prefix_from_mask(wire::Ipv4Address mask);

struct Ipv4Config {
    // Unspecified (0.0.0.0) while unconfigured.
    wire::Ipv4Address address;
    // Invariant: prefix_len <= 32 (set_prefix-style callers clamp; route() VERIFYs).
    u8 prefix_len { 0 };
    lib::Optional<wire::Ipv4Address> gateway;
    u8 dns_count { 0 };
    wire::Ipv4Address dns_servers[dns_servers_max] {};

    bool is_configured() const { return !address.is_unspecified(); }
    wire::Ipv4Address netmask() const { return mask_from_prefix(prefix_len); }
    bool on_link(wire::Ipv4Address dst) const;
    // The directed broadcast of our subnet, when it has one (prefixes /31 and /32 do not,
    // RFC 3021).
    lib::Optional<wire::Ipv4Address> subnet_broadcast() const;
    // The limited broadcast or our subnet's directed broadcast.
    bool is_broadcast(wire::Ipv4Address dst) const;
};

enum class NextHopKind : u8 {
    Broadcast, // send to ff:ff:ff:ff:ff:ff, no ARP
    Unicast,   // resolve `address` with ARP
};

struct NextHop {
    NextHopKind kind { NextHopKind::Unicast };
    wire::Ipv4Address address;
};

// Where a datagram to `dst` goes on the link.
// Fails with: NotConfigured (no address and dst is not the limited broadcast), NoRoute (off-link
// without a gateway, a multicast or loopback destination, or our own address: no loopback here).
lib::Result<NextHop, DropReason> route(const Ipv4Config& config, wire::Ipv4Address dst);

} // namespace net::iface

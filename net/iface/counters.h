// What the interface did with every frame: drops counted by reason, and event counters. Every
// frame receive() is given is either delivered/answered or counted under exactly one drop reason.
#pragma once

#include "lib/format.h"
#include "net/wire/wire_error.h"

namespace net::iface {

// The first eight reasons are the parsers' WireError values, in the same order, so a parse error
// is counted by converting it (drop_reason()). The others are the interface's own decisions.
enum class DropReason : u8 {
    Truncated,
    BadLength,
    BadChecksum,
    BadVersion,
    BadOption,
    BadFlags,
    BadAddress,
    Unsupported,
    // Receive path.
    UnknownEthertype,   // neither IPv4 nor ARP (IPv6, VLAN tags, ...)
    NotForUs,           // another host's MAC or IP, a multicast group we did not join
    Fragment,           // an IPv4 fragment: no reassembly (smaller attack surface)
    UnknownProtocol,    // an IP protocol other than ICMP, UDP, TCP
    NoListener,         // UDP to a closed port, TCP with no handler (answered by ICMP / RST)
    SocketQueueFull,    // a UDP socket's receive queue is at its byte or datagram bound
    BroadcastIgnored,   // echo request or TCP to a broadcast address (RFC 1122 §3.2.2.6)
    IcmpNotHandled,     // an echo reply or error nobody waits for
    ArpNotForUs,        // a well-formed ARP packet that teaches nothing we may learn
    AddressConflict,    // ARP claiming our address from another MAC (RFC 5227 §2.4)
    DhcpIgnored,        // a DHCP reply that does not match our transaction or state
    NotConfigured,      // traffic needing an address before we have one
    // Transmit path.
    NoRoute,            // off-link destination and no default gateway
    ArpUnresolved,      // the next hop did not answer ARP within the retry limit
    ArpPendingReplaced, // a newer packet to the same unresolved address replaced this one
    ArpPendingFull,     // every pending-packet slot is in use
    ArpCacheFull,       // an unresolved entry (and its pending packet) was evicted for a newer one
    TooBig,             // a packet that does not fit the 1514-byte frame
    RateLimited,        // an ICMP error or RST suppressed by the token bucket
};

inline constexpr usize drop_reason_count = usize(DropReason::RateLimited) + 1;
static_assert(usize(DropReason::Unsupported) + 1 == wire::wire_error_count);
static_assert(usize(DropReason::BadAddress) == usize(wire::WireError::BadAddress));

constexpr DropReason drop_reason(wire::WireError e) { return DropReason(u8(e)); }
lib::StringView drop_reason_name(DropReason reason);

struct DropCounters {
    u64 counts[drop_reason_count] {};

    u64& operator[](DropReason r) { return counts[usize(r)]; }
    u64 operator[](DropReason r) const { return counts[usize(r)]; }
    u64 total() const;
};

struct Counters {
    DropCounters drops;
    u64 rx_frames { 0 };
    u64 tx_frames { 0 };
    u64 arp_requests_sent { 0 };
    u64 arp_replies_sent { 0 };
    u64 arp_evictions { 0 };
    u64 icmp_echo_replies { 0 };
    u64 icmp_errors_sent { 0 };
    u64 udp_delivered { 0 };
    u64 udp_sent { 0 };
    u64 tcp_delivered { 0 };
    u64 tcp_sent { 0 };
    u64 tcp_resets_sent { 0 };
    u64 dhcp_sent { 0 };
    u64 dhcp_leases { 0 };
};

// One "name: value" line per counter (every counter, zero or not, so output is diffable), drops
// prefixed with "drop ".
void format_counters(lib::FormatSink& sink, const Counters& counters);

} // namespace net::iface

// Names and printing for the interface counters.
#include "net/iface/counters.h"

namespace net::iface {

lib::StringView drop_reason_name(DropReason reason)
{
    if (usize(reason) < wire::wire_error_count)
        return wire::wire_error_name(wire::WireError(u8(reason)));
    switch (reason) {
    case DropReason::UnknownEthertype:
        return "unknown ethertype";
    case DropReason::NotForUs:
        return "not for us";
    case DropReason::Fragment:
        return "fragment";
    case DropReason::UnknownProtocol:
        return "unknown protocol";
    case DropReason::NoListener:
        return "no listener";
    case DropReason::SocketQueueFull:
        return "socket queue full";
    case DropReason::BroadcastIgnored:
        return "broadcast ignored";
    case DropReason::IcmpNotHandled:
        return "icmp not handled";
    case DropReason::ArpNotForUs:
        return "arp not for us";
    case DropReason::AddressConflict:
        return "address conflict";
    case DropReason::DhcpIgnored:
        return "dhcp ignored";
    case DropReason::NotConfigured:
        return "not configured";
    case DropReason::NoRoute:
        return "no route";
    case DropReason::ArpUnresolved:
        return "arp unresolved";
    case DropReason::ArpPendingReplaced:
        return "arp pending replaced";
    case DropReason::ArpPendingFull:
        return "arp pending full";
    case DropReason::ArpCacheFull:
        return "arp cache full";
    case DropReason::TooBig:
        return "too big";
    case DropReason::RateLimited:
        return "rate limited";
    default:
        return "?";
    }
}

u64 DropCounters::total() const
{
    u64 sum = 0;
    for (u64 c : counts)
        sum += c;
    return sum;
}

void format_counters(lib::FormatSink& sink, const Counters& c)
{
    struct Named {
        const char* name;
        u64 value;
    };
    const Named events[] = {
        { "rx frames", c.rx_frames },
        { "tx frames", c.tx_frames },
        { "arp requests sent", c.arp_requests_sent },
        { "arp replies sent", c.arp_replies_sent },
        { "arp evictions", c.arp_evictions },
        { "icmp echo replies", c.icmp_echo_replies },
        { "icmp errors sent", c.icmp_errors_sent },
        { "udp delivered", c.udp_delivered },
        { "udp sent", c.udp_sent },
        { "tcp delivered", c.tcp_delivered },
        { "tcp sent", c.tcp_sent },
        { "tcp resets sent", c.tcp_resets_sent },
        { "dhcp sent", c.dhcp_sent },
        { "dhcp leases", c.dhcp_leases },
    };
    for (const Named& e : events)
        lib::format(sink, "{}: {}\n", e.name, e.value);
    for (usize i = 0; i < drop_reason_count; ++i)
        lib::format(sink, "drop {}: {}\n", drop_reason_name(DropReason(u8(i))), c.drops.counts[i]);
}

} // namespace net::iface

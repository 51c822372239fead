// Next-hop selection for a single-link host (RFC 1122 §3.3.1).
#include "net/iface/routes.h"

namespace net::iface {

wire::Ipv4Address mask_from_prefix(u8 prefix_len)
{
    VERIFY(prefix_len <= 32);
    if (prefix_len == 0)
        return { 0 };
    return { ~0u << (32 - prefix_len) };
}

u8 prefix_from_mask(wire::Ipv4Address mask)
{
    u8 n = 0;
    while (n < 32 && (mask.value & (0x80000000u >> n)) != 0)
        ++n;
    return n;
}

bool Ipv4Config::on_link(wire::Ipv4Address dst) const
{
    u32 mask = netmask().value;
    return is_configured() && (dst.value & mask) == (address.value & mask);
}

lib::Optional<wire::Ipv4Address> Ipv4Config::subnet_broadcast() const
{
    if (!is_configured() || prefix_len > 30)
        return lib::nullopt;
    return wire::Ipv4Address { address.value | ~netmask().value };
}

bool Ipv4Config::is_broadcast(wire::Ipv4Address dst) const
{
    return dst.is_broadcast() || subnet_broadcast() == lib::Optional<wire::Ipv4Address>(dst);
}

lib::Result<NextHop, DropReason> route(const Ipv4Config& config, wire::Ipv4Address dst)
{
    VERIFY(config.prefix_len <= 32);
    if (dst.is_broadcast())
        return NextHop { NextHopKind::Broadcast, dst };
    if (!config.is_configured())
        return DropReason::NotConfigured;
    if (dst.is_multicast() || dst.is_loopback() || dst.is_unspecified() || dst == config.address)
        return DropReason::NoRoute;
    if (config.is_broadcast(dst))
        return NextHop { NextHopKind::Broadcast, dst };
    if (config.on_link(dst))
        return NextHop { NextHopKind::Unicast, dst };
    if (config.gateway.has_value())
        return NextHop { NextHopKind::Unicast, config.gateway.value() };
    return DropReason::NoRoute;
}

} // namespace net::iface

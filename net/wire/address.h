// Link- and network-layer addresses as plain values (no byte-order surprises: both are stored in
// network order as bytes, compared and formatted as such).
#pragma once

#include "lib/byte_order.h"

namespace net::wire {

struct EthernetAddress {
    u8 octets[6] {};

    static constexpr EthernetAddress broadcast() { return { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } }; }
    static EthernetAddress from_bytes(lib::ReadonlyBytes b, usize offset)
    {
        VERIFY(b.contains_range(offset, 6));
        EthernetAddress a;
        for (usize i = 0; i < 6; ++i)
            a.octets[i] = b.data()[offset + i];
        return a;
    }
    void write_to(lib::Bytes b, usize offset) const
    {
        VERIFY(b.contains_range(offset, 6));
        for (usize i = 0; i < 6; ++i)
            b.data()[offset + i] = octets[i];
    }
    constexpr bool is_broadcast() const { return *this == broadcast(); }
    // I/G bit: group (multicast or broadcast) addresses may never be a source.
    constexpr bool is_multicast() const { return (octets[0] & 1) != 0; }
    constexpr bool is_unicast() const { return !is_multicast(); }
    constexpr bool operator==(const EthernetAddress&) const = default;
};

struct Ipv4Address {
    // Network byte order packed into a host integer: 10.0.2.15 is 0x0a00020f.
    u32 value { 0 };

    static constexpr Ipv4Address from_octets(u8 a, u8 b, u8 c, u8 d)
    {
        return { (u32(a) << 24) | (u32(b) << 16) | (u32(c) << 8) | u32(d) };
    }
    static constexpr Ipv4Address any() { return { 0 }; }
    static constexpr Ipv4Address broadcast() { return { 0xffffffffu }; }
    static Ipv4Address from_bytes(lib::ReadonlyBytes b, usize offset) { return { lib::load_be32(b, offset) }; }
    void write_to(lib::Bytes b, usize offset) const { lib::store_be32(b, offset, value); }
    constexpr u8 octet(usize i) const { return u8(value >> (24 - 8 * i)); }

    constexpr bool is_unspecified() const { return value == 0; }
    constexpr bool is_broadcast() const { return value == 0xffffffffu; }
    constexpr bool is_multicast() const { return (value >> 28) == 0xe; }       // 224.0.0.0/4
    constexpr bool is_loopback() const { return (value >> 24) == 127; }        // 127.0.0.0/8
    // May appear as the source of a datagram from the network (RFC 1122 §3.2.1.3): not the
    // limited broadcast (b), not multicast (RFC 1112 §4), and not loopback, which "MUST NOT appear
    // outside a host" (g). Subnet-directed broadcasts need the interface's configuration.
    constexpr bool is_valid_source() const { return !is_broadcast() && !is_multicast() && !is_loopback(); }
    constexpr bool operator==(const Ipv4Address&) const = default;
};

} // namespace net::wire

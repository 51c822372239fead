// Test helpers for net/iface: a recording FrameSink, a standard static interface, and frame
// builders that use the wire emitters (test-only; uses the C++ standard library).
#pragma once

#include "net/iface/interface.h"
#include "net/wire/arp.h"
#include "net/wire/dhcp.h"
#include "net/wire/icmp.h"
#include "net/wire/tcp.h"
#include "net/wire/udp.h"

#include <gtest/gtest.h>
#include <memory>
#include <vector>

namespace net::iface::test {

using namespace net::wire;
using Frame = std::vector<u8>;

inline lib::ReadonlyBytes span(const Frame& f) { return { f.data(), f.size() }; }

inline const EthernetAddress our_mac { { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 } };
inline const EthernetAddress peer_mac { { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 } };
inline const EthernetAddress other_mac { { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x09 } };
inline const Ipv4Address our_ip = Ipv4Address::from_octets(10, 0, 2, 15);
inline const Ipv4Address peer_ip = Ipv4Address::from_octets(10, 0, 2, 2); // also the gateway
inline const Ipv4Address neighbour_ip = Ipv4Address::from_octets(10, 0, 2, 9);
inline const Ipv4Address remote_ip = Ipv4Address::from_octets(93, 184, 216, 34);

struct RecordingSink final : FrameSink {
    std::vector<Frame> frames;
    void transmit(lib::ReadonlyBytes frame) override { frames.emplace_back(frame.begin(), frame.end()); }
};

inline InterfaceConfig static_config()
{
    InterfaceConfig c;
    c.mac = our_mac;
    c.addressing = Addressing::Static;
    c.static_ipv4.address = our_ip;
    c.static_ipv4.prefix_len = 24;
    c.static_ipv4.gateway = peer_ip;
    return c;
}

// An interface and what it sent.
struct Harness {
    RecordingSink sink;
    std::unique_ptr<Interface> iface;
    explicit Harness(const InterfaceConfig& config = static_config(), Instant now = {})
        : iface(std::make_unique<Interface>(config, sink, now))
    {
    }
    void receive(const Frame& f, Instant now = {}) { iface->receive(span(f), now); }
    u64 drops(DropReason r) const { return iface->counters().drops[r]; }
};

template<typename Repr> Frame emit_plain(const Repr& r)
{
    Frame out(r.buffer_len());
    lib::ByteWriter w { lib::Bytes(out.data(), out.size()) };
    r.emit(w);
    return out;
}

inline Frame ethernet(EthernetAddress src, EthernetAddress dst, u16 ethertype, const Frame& payload)
{
    Frame out = emit_plain(EthernetRepr { src, dst, EtherType(ethertype) });
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

inline Frame arp_packet(ArpOperation op, EthernetAddress sha, Ipv4Address spa, EthernetAddress tha, Ipv4Address tpa)
{
    return emit_plain(ArpRepr { op, sha, spa, tha, tpa });
}

inline Frame arp_frame(ArpOperation op, EthernetAddress sha, Ipv4Address spa, Ipv4Address tpa,
    EthernetAddress eth_dst = EthernetAddress::broadcast(), EthernetAddress tha = {})
{
    return ethernet(sha, eth_dst, u16(EtherType::Arp), arp_packet(op, sha, spa, tha, tpa));
}

inline Frame ipv4_packet(Ipv4Address src, Ipv4Address dst, IpProtocol protocol, const Frame& payload, u8 ttl = 64)
{
    Ipv4Repr ip;
    ip.src = src;
    ip.dst = dst;
    ip.protocol = protocol;
    ip.ttl = ttl;
    ip.payload_len = u16(payload.size());
    Frame out = emit_plain(ip);
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

inline Frame udp_datagram(Ipv4Address src, Ipv4Address dst, u16 sport, u16 dport, const Frame& data)
{
    UdpRepr u;
    u.src_port = sport;
    u.dst_port = dport;
    u.payload = span(data);
    Frame out(u.buffer_len());
    lib::ByteWriter w { lib::Bytes(out.data(), out.size()) };
    u.emit(w, src, dst);
    return out;
}

inline Frame udp_frame(Ipv4Address src, Ipv4Address dst, u16 sport, u16 dport, const Frame& data,
    EthernetAddress eth_src = peer_mac, EthernetAddress eth_dst = our_mac)
{
    return ethernet(eth_src, eth_dst, u16(EtherType::Ipv4),
        ipv4_packet(src, dst, IpProtocol::Udp, udp_datagram(src, dst, sport, dport, data)));
}

inline Frame icmp_message(const IcmpRepr& r) { return emit_plain(r); }

inline Frame echo_frame(Ipv4Address src, Ipv4Address dst, u16 id, u16 seq, const Frame& data,
    EthernetAddress eth_dst = our_mac)
{
    return ethernet(peer_mac, eth_dst, u16(EtherType::Ipv4),
        ipv4_packet(src, dst, IpProtocol::Icmp, icmp_message(IcmpRepr::echo_request(id, seq, span(data)))));
}

inline Frame tcp_segment(Ipv4Address src, Ipv4Address dst, const TcpRepr& r, const Frame& payload)
{
    Frame out(r.buffer_len());
    lib::ByteWriter w { lib::Bytes(out.data(), out.size()) };
    r.emit(w, span(payload), src, dst);
    return out;
}

inline Frame tcp_frame(Ipv4Address src, Ipv4Address dst, const TcpRepr& r, const Frame& payload = {})
{
    return ethernet(peer_mac, our_mac, u16(EtherType::Ipv4), ipv4_packet(src, dst, IpProtocol::Tcp, tcp_segment(src, dst, r, payload)));
}

// A parsed frame the interface sent (asserting every layer parses).
struct Sent {
    EthernetRepr eth;
    Ipv4Repr ip;
    Frame ip_payload;
};

inline Sent parse_sent(const Frame& f)
{
    Sent s;
    auto view = EthernetView::checked(span(f));
    EXPECT_TRUE(view.is_ok());
    if (view.is_error())
        return s;
    s.eth = EthernetRepr::parse(view.value()).value();
    if (s.eth.ethertype != EtherType::Ipv4)
        return s;
    auto ipv = Ipv4View::checked(view.value().payload());
    EXPECT_TRUE(ipv.is_ok());
    if (ipv.is_error())
        return s;
    auto ip = Ipv4Repr::parse(ipv.value());
    EXPECT_TRUE(ip.is_ok());
    if (ip.is_error())
        return s;
    s.ip = ip.value();
    auto p = ipv.value().payload();
    s.ip_payload.assign(p.begin(), p.end());
    return s;
}

inline ArpRepr parse_arp(const Frame& f)
{
    auto view = EthernetView::checked(span(f));
    EXPECT_TRUE(view.is_ok());
    auto arp = ArpView::checked(view.value().payload());
    EXPECT_TRUE(arp.is_ok());
    return ArpRepr::parse(arp.value()).value();
}

inline Instant at_secs(u64 s) { return Instant {} + Duration::from_secs(s); }
inline Instant at_millis(u64 ms) { return Instant::from_millis(ms); }

} // namespace net::iface::test

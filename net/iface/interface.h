// One Ethernet interface with IPv4: receive() demultiplexes Ethernet -> ARP / IPv4 -> ICMP / UDP /
// TCP through the checked wire views (RFC 894, 826, 791, 792, 768, 9293), answers what a host must
// answer (ARP, echo, port unreachable, RST), and counts every drop by reason. poll() runs the
// timers. All memory is allocated at construction; no clock is read (time is passed in).
#pragma once

#include "net/iface/arp_cache.h"
#include "net/iface/counters.h"
#include "net/iface/device.h"
#include "net/iface/dhcp_client.h"
#include "net/iface/rate_limit.h"
#include "net/iface/routes.h"
#include "net/iface/transport.h"
#include "net/iface/udp_sockets.h"
#include "net/wire/arp.h"
#include "net/wire/ethernet.h"
#include "net/wire/ipv4.h"

namespace net::iface {

enum class Addressing : u8 { Static, Dhcp };

struct InterfaceConfig {
    wire::EthernetAddress mac;
    Addressing addressing { Addressing::Static };
    // Used when addressing is Static.
    Ipv4Config static_ipv4;
    // Used when addressing is Dhcp (its fallback too).
    DhcpConfig dhcp;
    ArpConfig arp;
    UdpConfig udp;
    // ICMP errors: a burst, then one per interval.
    u32 icmp_error_burst { 10 };
    Duration icmp_error_interval { Duration::from_millis(100) };
    u8 ttl { 64 };
};

class Interface final : private DhcpHost {
public:
    // Precondition: config.mac is unicast. With Dhcp, the first DISCOVER goes out on poll(now).
    Interface(const InterfaceConfig& config, FrameSink& sink, Instant now);
    Interface(const Interface&) = delete;
    Interface& operator=(const Interface&) = delete;

    // Handles one received frame (without FCS). Anything not delivered or answered is counted in
    // counters().drops under one reason. Frames sent in response are at most max_frame_len bytes.
    void receive(lib::ReadonlyBytes frame, Instant now);
    // Runs ARP retries and expiry, DHCP, and the TCP handler's timers.
    void poll(Instant now);
    // The earliest instant poll() has work to do, or Instant::never().
    Instant next_deadline() const;

    // ---- TCP (see transport.h). The handler must outlive the interface or be unset first. ----
    void set_tcp_handler(TcpHandler* handler) { m_tcp = handler; }
    // Sends one segment: IPv4 + TCP (checksum by TcpRepr::emit) + Ethernet, resolving the next
    // hop with ARP (the segment waits in the ARP cache meanwhile, see ArpCache::queue()).
    // Precondition: segment.is_valid(), payload.size() == segment.payload_len.
    // Fails with: NotConfigured (src is not our address), NoRoute, TooBig (over the 1500 MTU).
    lib::Result<void, DropReason> send_tcp(wire::Ipv4Address src, wire::Ipv4Address dst, const wire::TcpRepr& segment,
        lib::ReadonlyBytes payload, Instant now);

    // ---- UDP ----
    UdpSockets& udp() { return m_udp; }
    const UdpSockets& udp() const { return m_udp; }
    // Sends `payload` from the socket's port to dst:dst_port.
    // Fails with: BadSocket, TooBig (more than 1472 bytes), NoRoute (no route or no address).
    lib::Result<void, UdpError> udp_send_to(UdpSocketId id, wire::Ipv4Address dst, u16 dst_port,
        lib::ReadonlyBytes payload, Instant now);
    // A send would not fail for lack of an address (sends never block: they go out or wait in
    // the ARP cache).
    bool udp_writable(UdpSocketId id) const;

    // ---- State ----
    wire::EthernetAddress mac() const { return m_mac; }
    const Ipv4Config& ipv4() const { return m_ipv4; }
    const Counters& counters() const { return m_counters; }
    const ArpCache& arp_cache() const { return m_arp; }
    // Null unless addressing is Dhcp.
    const DhcpClient* dhcp() const { return m_addressing == Addressing::Dhcp ? &m_dhcp : nullptr; }

    static constexpr usize max_udp_payload = mtu - 20 - 8;

private:
    struct Received {
        wire::EthernetRepr eth;
        wire::Ipv4View view;
        wire::Ipv4Repr ip;
        bool broadcast; // to a broadcast IP or the broadcast MAC
    };

    void drop(DropReason reason) { ++m_counters.drops[reason]; }
    void transmit(lib::Bytes frame);
    void receive_arp(lib::ReadonlyBytes packet, Instant now);
    void send_arp(wire::ArpOperation op, wire::EthernetAddress dst_mac, wire::Ipv4Address target_ip, wire::EthernetAddress target_mac);
    void send_to_mac(lib::Bytes frame, wire::EthernetAddress dst);
    void receive_ipv4(const wire::EthernetRepr& eth, lib::ReadonlyBytes packet, Instant now);
    bool accepts(const wire::Ipv4Repr& ip) const;
    void receive_icmp(const Received& rx, Instant now);
    void receive_udp(const Received& rx, Instant now);
    void receive_dhcp(lib::ReadonlyBytes payload, Instant now);
    void receive_tcp(const Received& rx, Instant now);
    void send_reset(const Received& rx, const wire::TcpRepr& segment, Instant now);
    void send_port_unreachable(const Received& rx, Instant now);
    // Sending is two steps: begin_ipv4 routes and writes the Ethernet and IPv4 headers into the
    // frame buffer and returns a writer over exactly payload_len bytes; the caller emits the
    // payload into it and calls finish_ipv4, which transmits or parks the frame in the ARP cache.
    struct Outgoing {
        NextHop hop;
        usize frame_len;
        lib::ByteWriter payload;
    };
    // Fails with (and counts): NotConfigured, NoRoute, TooBig.
    lib::Result<Outgoing, DropReason> begin_ipv4(wire::Ipv4Address src, wire::Ipv4Address dst, wire::IpProtocol protocol,
        usize payload_len);
    void finish_ipv4(const Outgoing& out, Instant now);

    // DhcpHost
    void dhcp_send(const wire::DhcpRepr& message, wire::Ipv4Address src, wire::Ipv4Address dst, Instant now) override;
    void dhcp_configure(const Ipv4Config& config) override;
    void dhcp_deconfigure() override;

    wire::EthernetAddress m_mac;
    Addressing m_addressing;
    u8 m_ttl;
    FrameSink& m_sink;
    Counters m_counters;
    Ipv4Config m_ipv4;
    ArpCache m_arp;
    UdpSockets m_udp;
    DhcpClient m_dhcp;
    TokenBucket m_icmp_errors;
    TcpHandler* m_tcp { nullptr };
    // Every frame the interface builds is built here, then transmitted before the next is built.
    u8 m_frame[max_frame_len] {};
};

} // namespace net::iface

// The interface: Ethernet and ARP (RFC 894, RFC 826, RFC 1122 §2.3.2), IPv4 acceptance and the
// send path (RFC 791, RFC 1122 §3.2/§3.3), timers and the DHCP host side. ICMP, UDP and TCP
// receive live in interface_transport.cpp.
#include "net/iface/interface.h"

#include "net/wire/arp.h"
#include "net/wire/dhcp.h"
#include "net/wire/udp.h"

namespace net::iface {

using wire::ArpOperation;
using wire::EthernetAddress;
using wire::Ipv4Address;

Interface::Interface(const InterfaceConfig& config, FrameSink& sink, Instant now)
    : m_mac(config.mac)
    , m_addressing(config.addressing)
    , m_ttl(config.ttl)
    , m_sink(sink)
    , m_arp(config.arp, m_counters)
    , m_udp(config.udp)
    , m_dhcp(config.mac, config.dhcp, *this)
    , m_icmp_errors(config.icmp_error_burst, config.icmp_error_interval)
{
    VERIFY(config.mac.is_unicast());
    if (m_addressing == Addressing::Static) {
        VERIFY(config.static_ipv4.prefix_len <= 32);
        m_ipv4 = config.static_ipv4;
    } else {
        m_dhcp.start(now);
    }
}

void Interface::transmit(lib::Bytes frame)
{
    VERIFY(frame.size() <= max_frame_len);
    ++m_counters.tx_frames;
    m_sink.transmit(frame);
}

void Interface::receive(lib::ReadonlyBytes frame, Instant now)
{
    ++m_counters.rx_frames;
    if (frame.size() > max_frame_len)
        return drop(DropReason::TooBig);
    auto view = wire::EthernetView::checked(frame);
    if (view.is_error())
        return drop(drop_reason(view.error()));
    auto eth = wire::EthernetRepr::parse(view.value());
    if (eth.is_error())
        return drop(drop_reason(eth.error()));
    if (eth.value().dst != m_mac && !eth.value().dst.is_broadcast())
        return drop(DropReason::NotForUs);
    switch (eth.value().ethertype) {
    case wire::EtherType::Arp:
        return receive_arp(view.value().payload(), now);
    case wire::EtherType::Ipv4:
        return receive_ipv4(eth.value(), view.value().payload(), now);
    default:
        return drop(DropReason::UnknownEthertype);
    }
}

// ---- ARP ----

void Interface::receive_arp(lib::ReadonlyBytes packet, Instant now)
{
    auto view = wire::ArpView::checked(packet);
    if (view.is_error())
        return drop(drop_reason(view.error()));
    auto parsed = wire::ArpRepr::parse(view.value());
    if (parsed.is_error())
        return drop(drop_reason(parsed.error()));
    const wire::ArpRepr& arp = parsed.value();
    bool configured = m_ipv4.is_configured();
    if (configured && arp.sender_protocol == m_ipv4.address) {
        // Someone else claims our address (a gratuitous ARP or a reply): never believe it.
        // FIXME: RFC 5227 §2.4 defence (re-announce once) is not implemented.
        return drop(arp.sender_hardware == m_mac ? DropReason::ArpNotForUs : DropReason::AddressConflict);
    }
    bool request_for_us = configured && arp.operation == ArpOperation::Request && arp.target_protocol == m_ipv4.address;
    bool stored = false;
    if (!arp.sender_protocol.is_unspecified()) {
        // RFC 826: update an existing entry from any ARP packet; create one only when the sender
        // asks for us (it is about to talk to us). Unsolicited replies never create entries, so
        // spoofed traffic cannot fill the table, and the table is bounded anyway.
        auto mode = request_for_us ? ArpCache::Learn::InsertOrUpdate : ArpCache::Learn::UpdateOnly;
        auto learned = m_arp.learn(arp.sender_protocol, arp.sender_hardware, mode, now);
        stored = learned.stored;
        if (!learned.pending.is_empty())
            send_to_mac(learned.pending, arp.sender_hardware);
    }
    if (request_for_us) {
        send_arp(ArpOperation::Reply, arp.sender_hardware, arp.sender_protocol, arp.sender_hardware);
        ++m_counters.arp_replies_sent;
        return;
    }
    if (!stored)
        drop(DropReason::ArpNotForUs);
}

void Interface::send_arp(ArpOperation op, EthernetAddress dst_mac, Ipv4Address target_ip, EthernetAddress target_mac)
{
    lib::ByteWriter w { lib::Bytes(m_frame, max_frame_len) };
    wire::EthernetRepr { m_mac, dst_mac, wire::EtherType::Arp }.emit(w);
    wire::ArpRepr arp;
    arp.operation = op;
    arp.sender_hardware = m_mac;
    arp.sender_protocol = m_ipv4.address;
    arp.target_hardware = target_mac;
    arp.target_protocol = target_ip;
    arp.emit(w);
    transmit(w.written());
}

void Interface::send_to_mac(lib::Bytes frame, EthernetAddress dst)
{
    dst.write_to(frame, wire::ethernet::field::dst.offset);
    transmit(frame);
}

// ---- IPv4 ----

// RFC 1122 §3.2.1.3: a host accepts datagrams for its address and the broadcast addresses. While
// DHCP has not configured us, UDP is accepted for any address, because a server may unicast the
// OFFER to the address it offers (RFC 2131 §4.1); receive_udp() only lets port 68 through then.
bool Interface::accepts(const wire::Ipv4Repr& ip) const
{
    if (m_ipv4.is_configured() && ip.dst == m_ipv4.address)
        return true;
    if (m_ipv4.is_broadcast(ip.dst))
        return true;
    return !m_ipv4.is_configured() && m_addressing == Addressing::Dhcp && ip.protocol == wire::IpProtocol::Udp;
}

void Interface::receive_ipv4(const wire::EthernetRepr& eth, lib::ReadonlyBytes packet, Instant now)
{
    auto view = wire::Ipv4View::checked(packet);
    if (view.is_error())
        return drop(drop_reason(view.error()));
    auto ip = wire::Ipv4Repr::parse(view.value());
    if (ip.is_error()) {
        const wire::Ipv4View& v = view.value();
        bool fragment = v.more_fragments() || v.fragment_offset() != 0;
        if (ip.error() == wire::WireError::Unsupported && fragment)
            return drop(DropReason::Fragment);
        return drop(drop_reason(ip.error()));
    }
    if (!accepts(ip.value()))
        return drop(DropReason::NotForUs);
    Received rx { eth, view.value(), ip.value(), eth.dst.is_broadcast() || m_ipv4.is_broadcast(ip.value().dst) };
    switch (ip.value().protocol) {
    case wire::IpProtocol::Icmp:
        return receive_icmp(rx, now);
    case wire::IpProtocol::Udp:
        return receive_udp(rx, now);
    case wire::IpProtocol::Tcp:
        return receive_tcp(rx, now);
    default:
        // FIXME: RFC 1122 §3.2.2.1 SHOULD send protocol unreachable here.
        return drop(DropReason::UnknownProtocol);
    }
}

lib::Result<Interface::Outgoing, DropReason> Interface::begin_ipv4(Ipv4Address src, Ipv4Address dst,
    wire::IpProtocol protocol, usize payload_len)
{
    auto hop = route(m_ipv4, dst);
    if (hop.is_error()) {
        drop(hop.error());
        return hop.error();
    }
    usize header_len = wire::ethernet::header_len + wire::ipv4::min_header_len;
    if (payload_len > max_frame_len - header_len) {
        drop(DropReason::TooBig);
        return DropReason::TooBig;
    }
    lib::ByteWriter w { lib::Bytes(m_frame, header_len + payload_len) };
    // The destination MAC is filled in by finish_ipv4 once the next hop is resolved.
    wire::EthernetRepr { m_mac, EthernetAddress::broadcast(), wire::EtherType::Ipv4 }.emit(w);
    wire::Ipv4Repr ip;
    ip.src = src;
    ip.dst = dst;
    ip.protocol = protocol;
    ip.ttl = m_ttl;
    // RFC 6864 §4.1: we never fragment, so every datagram is atomic (DF set) and its ID may be
    // constant. Zero leaks nothing (no global counter for idle scans to read).
    ip.identification = 0;
    ip.dont_fragment = true;
    ip.payload_len = u16(payload_len);
    ip.emit(w);
    return Outgoing { hop.value(), header_len + payload_len, w.sub_writer(payload_len) };
}

void Interface::finish_ipv4(const Outgoing& out, Instant now)
{
    VERIFY(out.payload.remaining() == 0);
    lib::Bytes frame(m_frame, out.frame_len);
    if (out.hop.kind == NextHopKind::Broadcast)
        return send_to_mac(frame, EthernetAddress::broadcast());
    auto mac = m_arp.lookup(out.hop.address, now);
    if (mac.has_value())
        return send_to_mac(frame, mac.value());
    if (m_arp.queue(out.hop.address, frame, now) == ArpCache::Queued::SendRequest) {
        send_arp(ArpOperation::Request, EthernetAddress::broadcast(), out.hop.address, EthernetAddress {});
        ++m_counters.arp_requests_sent;
    }
}

// ---- Timers ----

void Interface::poll(Instant now)
{
    m_arp.poll(now, [this](Ipv4Address ip) {
        send_arp(ArpOperation::Request, EthernetAddress::broadcast(), ip, EthernetAddress {});
        ++m_counters.arp_requests_sent;
    });
    if (m_addressing == Addressing::Dhcp)
        m_dhcp.poll(now);
    if (m_tcp != nullptr)
        m_tcp->poll(now);
}

Instant Interface::next_deadline() const
{
    Instant deadline = m_arp.next_deadline();
    if (m_addressing == Addressing::Dhcp && m_dhcp.next_deadline() < deadline)
        deadline = m_dhcp.next_deadline();
    if (m_tcp != nullptr && m_tcp->next_deadline() < deadline)
        deadline = m_tcp->next_deadline();
    return deadline;
}

// ---- DHCP host ----

void Interface::dhcp_send(const wire::DhcpRepr& message, Ipv4Address src, Ipv4Address dst, Instant now)
{
    wire::UdpRepr udp;
    udp.src_port = wire::dhcp::client_port;
    udp.dst_port = wire::dhcp::server_port;
    usize message_len = message.buffer_len();
    auto out = begin_ipv4(src, dst, wire::IpProtocol::Udp, wire::udp::header_len + message_len);
    if (out.is_error())
        return;
    // The DHCP message is emitted in place, as the UDP payload, then UDP checksums it.
    lib::ByteWriter& w = out.value().payload;
    lib::Bytes payload_area = w.buffer().slice(wire::udp::header_len, message_len);
    lib::ByteWriter message_writer(payload_area);
    message.emit(message_writer);
    udp.payload = payload_area;
    // UdpRepr::emit copies the payload onto itself here; the copy is an identity.
    udp.emit(w, src, dst);
    finish_ipv4(out.value(), now);
    ++m_counters.dhcp_sent;
}

void Interface::dhcp_configure(const Ipv4Config& config)
{
    m_ipv4 = config;
    ++m_counters.dhcp_leases;
}

void Interface::dhcp_deconfigure() { m_ipv4 = {}; }

} // namespace net::iface

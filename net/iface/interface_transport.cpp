// The interface's transport layer: ICMP echo and errors (RFC 792, RFC 1122 §3.2.2), UDP delivery
// and sending (RFC 768, RFC 1122 §4.1), DHCP hand-off, TCP hand-off and the CLOSED-state RST
// (RFC 9293 §3.10.7.1).
#include "net/iface/interface.h"

#include "net/wire/dhcp.h"
#include "net/wire/icmp.h"
#include "net/wire/udp.h"

namespace net::iface {

using wire::Ipv4Address;

namespace {
// ICMP port unreachable (RFC 792).
constexpr u8 code_port_unreachable = 3;
} // namespace

// ---- ICMP ----

void Interface::receive_icmp(const Received& rx, Instant now)
{
    auto view = wire::IcmpView::checked(rx.view.payload());
    if (view.is_error())
        return drop(drop_reason(view.error()));
    auto icmp = wire::IcmpRepr::parse(view.value());
    if (icmp.is_error())
        return drop(drop_reason(icmp.error()));
    if (icmp.value().type != wire::IcmpType::EchoRequest) {
        // FIXME: pass destination unreachable (PMTU, hard errors) on to TCP.
        return drop(DropReason::IcmpNotHandled);
    }
    // RFC 1122 §3.2.2.6 lets a host ignore echo to a broadcast address; answering makes us a
    // smurf amplifier.
    if (rx.broadcast)
        return drop(DropReason::BroadcastIgnored);
    if (!m_ipv4.is_configured())
        return drop(DropReason::NotConfigured);
    // Same identifier, sequence and data (RFC 792). The request fitted in a frame with at least
    // as large an IP header, so the reply fits too; begin_ipv4 checks anyway.
    auto reply = wire::IcmpRepr::echo_reply(icmp.value().identifier, icmp.value().sequence, icmp.value().payload);
    auto out = begin_ipv4(m_ipv4.address, rx.ip.src, wire::IpProtocol::Icmp, reply.buffer_len());
    if (out.is_error())
        return;
    reply.emit(out.value().payload);
    finish_ipv4(out.value(), now);
    ++m_counters.icmp_echo_replies;
}

// RFC 1122 §3.2.2: never in answer to a broadcast or multicast (IP or link layer), to a source
// that is not one host, or to a non-initial fragment (those are dropped earlier); rate-limited.
void Interface::send_port_unreachable(const Received& rx, Instant now)
{
    Ipv4Address src = rx.ip.src;
    if (rx.broadcast || rx.ip.dst.is_multicast() || src.is_unspecified() || m_ipv4.is_broadcast(src) || !m_ipv4.is_configured())
        return;
    if (!m_icmp_errors.take(now))
        return drop(DropReason::RateLimited);
    // The original IP header and the first 8 bytes of its payload (RFC 792).
    lib::ReadonlyBytes original = rx.view.bytes();
    usize quote = rx.view.header_len() + 8;
    original = original.slice(0, quote < original.size() ? quote : original.size());
    auto error = wire::IcmpRepr::destination_unreachable(code_port_unreachable, 0, original);
    auto out = begin_ipv4(m_ipv4.address, src, wire::IpProtocol::Icmp, error.buffer_len());
    if (out.is_error())
        return;
    error.emit(out.value().payload);
    finish_ipv4(out.value(), now);
    ++m_counters.icmp_errors_sent;
}

// ---- UDP ----

void Interface::receive_udp(const Received& rx, Instant now)
{
    auto view = wire::UdpView::checked(rx.view.payload());
    if (view.is_error())
        return drop(drop_reason(view.error()));
    auto udp = wire::UdpRepr::parse(view.value(), rx.ip.src, rx.ip.dst);
    if (udp.is_error())
        return drop(drop_reason(udp.error()));
    if (m_addressing == Addressing::Dhcp && udp.value().dst_port == wire::dhcp::client_port)
        return receive_dhcp(udp.value().payload, now);
    if (!m_ipv4.is_configured())
        return drop(DropReason::NotConfigured);
    auto socket = m_udp.find(udp.value().dst_port);
    if (!socket.has_value()) {
        drop(DropReason::NoListener);
        return send_port_unreachable(rx, now);
    }
    auto queued = m_udp.deliver(socket.value(), rx.ip.src, udp.value().src_port, rx.ip.dst, udp.value().payload);
    if (queued.is_error())
        return drop(queued.error());
    ++m_counters.udp_delivered;
}

void Interface::receive_dhcp(lib::ReadonlyBytes payload, Instant now)
{
    auto view = wire::DhcpView::checked(payload);
    if (view.is_error())
        return drop(drop_reason(view.error()));
    auto message = wire::DhcpRepr::parse(view.value());
    if (message.is_error())
        return drop(drop_reason(message.error()));
    if (view.value().op() != wire::dhcp::op_reply || !m_dhcp.on_message(message.value(), now))
        drop(DropReason::DhcpIgnored);
}

lib::Result<void, UdpError> Interface::udp_send_to(UdpSocketId id, Ipv4Address dst, u16 dst_port,
    lib::ReadonlyBytes payload, Instant now)
{
    u16 src_port = TRY(m_udp.local_port(id));
    if (payload.size() > max_udp_payload)
        return UdpError::TooBig;
    if (!m_ipv4.is_configured() || dst_port == 0)
        return UdpError::NoRoute;
    wire::UdpRepr udp;
    udp.src_port = src_port;
    udp.dst_port = dst_port;
    udp.payload = payload;
    auto out = begin_ipv4(m_ipv4.address, dst, wire::IpProtocol::Udp, udp.buffer_len());
    if (out.is_error())
        return out.error() == DropReason::TooBig ? UdpError::TooBig : UdpError::NoRoute;
    udp.emit(out.value().payload, m_ipv4.address, dst);
    finish_ipv4(out.value(), now);
    ++m_counters.udp_sent;
    return {};
}

bool Interface::udp_writable(UdpSocketId id) const
{
    return m_udp.local_port(id).is_ok() && m_ipv4.is_configured();
}

// ---- TCP ----

void Interface::receive_tcp(const Received& rx, Instant now)
{
    // RFC 9293 §3.9.2 (and RFC 1122 §4.2.3.10): TCP is unicast only.
    if (rx.broadcast || rx.ip.dst.is_multicast())
        return drop(DropReason::BroadcastIgnored);
    if (!m_ipv4.is_configured() || rx.ip.dst != m_ipv4.address)
        return drop(DropReason::NotForUs);
    auto view = wire::TcpView::checked(rx.view.payload());
    if (view.is_error())
        return drop(drop_reason(view.error()));
    auto segment = wire::TcpRepr::parse(view.value(), rx.ip.src, rx.ip.dst);
    if (segment.is_error())
        return drop(drop_reason(segment.error()));
    if (m_tcp != nullptr) {
        ++m_counters.tcp_delivered;
        return m_tcp->on_segment(rx.ip.src, rx.ip.dst, segment.value(), view.value().payload(), now);
    }
    drop(DropReason::NoListener);
    send_reset(rx, segment.value(), now);
}

// RFC 9293 §3.10.7.1, state CLOSED: a RST is never answered; a segment without ACK gets
// <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, one with ACK gets <SEQ=SEG.ACK><CTL=RST>.
void Interface::send_reset(const Received& rx, const wire::TcpRepr& segment, Instant now)
{
    using wire::TcpFlags;
    if (segment.flags.has(TcpFlags::rst))
        return;
    wire::TcpRepr rst;
    rst.src_port = segment.dst_port;
    rst.dst_port = segment.src_port;
    if (segment.flags.has(TcpFlags::ack)) {
        rst.seq = segment.ack;
        rst.flags.bits = TcpFlags::rst;
    } else {
        u32 length = u32(segment.payload_len) + (segment.flags.has(TcpFlags::syn) ? 1 : 0) + (segment.flags.has(TcpFlags::fin) ? 1 : 0);
        rst.ack = segment.seq + length;
        rst.flags.bits = TcpFlags::rst | TcpFlags::ack;
    }
    if (send_tcp(rx.ip.dst, rx.ip.src, rst, {}, now).is_ok())
        ++m_counters.tcp_resets_sent;
}

lib::Result<void, DropReason> Interface::send_tcp(Ipv4Address src, Ipv4Address dst, const wire::TcpRepr& segment,
    lib::ReadonlyBytes payload, Instant now)
{
    VERIFY(segment.is_valid() && payload.size() == segment.payload_len);
    if (!m_ipv4.is_configured() || src != m_ipv4.address) {
        drop(DropReason::NotConfigured);
        return DropReason::NotConfigured;
    }
    auto out = begin_ipv4(src, dst, wire::IpProtocol::Tcp, segment.buffer_len());
    if (out.is_error())
        return out.error();
    segment.emit(out.value().payload, payload, src, dst);
    finish_ipv4(out.value(), now);
    ++m_counters.tcp_sent;
    return {};
}

} // namespace net::iface

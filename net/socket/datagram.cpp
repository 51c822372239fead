// Datagram sockets over the interface's UDP table (RFC 768): bind, autobind on first send,
// send_to/recv_from with Linux's udp_sendmsg()/udp_recvmsg() errors.
#include "net/socket/sockets.h"

namespace net::socket {

lib::Result<void, SocketError> Sockets::bind_datagram(Entry& e, Endpoint local)
{
    auto bound = m_iface.udp().bind(local.port);
    if (bound.is_error())
        return bound.error() == iface::UdpError::AddressInUse ? SocketError::AddressInUse : SocketError::NoBufferSpace;
    e.udp = bound.value();
    local.port = m_iface.udp().local_port(e.udp).value_or(local.port);
    e.local = e.bound_to = local;
    e.bound = true;
    e.last_datagrams = 0;
    return {};
}

lib::Result<usize, SocketError> Sockets::datagram_send_to(Entry& e, lib::ReadonlyBytes data, Endpoint to, Instant now)
{
    if (to.port == 0)
        return SocketError::InvalidArgument;
    // No IP fragmentation: one datagram must fit one frame (Linux would fragment up to 65507).
    if (data.size() > iface::Interface::max_udp_payload)
        return SocketError::MessageTooLong;
    if (!e.bound)
        TRY(bind_datagram(e, Endpoint {}));
    auto sent = m_iface.udp_send_to(e.udp, to.address, to.port, data, now);
    if (sent.is_error()) {
        switch (sent.error()) {
        case iface::UdpError::TooBig: return SocketError::MessageTooLong;
        case iface::UdpError::NoRoute: return SocketError::NetworkUnreachable;
        case iface::UdpError::BadSocket: return SocketError::BadDescriptor;
        default: return SocketError::NoBufferSpace;
        }
    }
    return data.size();
}

lib::Result<Datagram, SocketError> Sockets::datagram_receive(Entry& e, lib::Bytes buffer)
{
    if (!e.bound)
        return e.shut_read ? lib::Result<Datagram, SocketError>(Datagram {}) : SocketError::WouldBlock;
    auto received = m_iface.udp().receive(e.udp, buffer);
    if (received.is_error())
        return e.shut_read ? lib::Result<Datagram, SocketError>(Datagram {}) : SocketError::WouldBlock;
    e.last_datagrams = m_iface.udp().queued_datagrams(e.udp);
    settle_events(e);
    const iface::UdpDatagramInfo& info = received.value();
    return Datagram { info.copied, info.length, Endpoint { info.src, info.src_port } };
}

} // namespace net::socket

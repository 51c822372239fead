// UDP socket table and bounded receive queues (RFC 768).
#include "net/iface/udp_sockets.h"

#include "lib/byte_order.h"

namespace net::iface {

UdpSockets::UdpSockets(const UdpConfig& config)
    : m_config(config)
{
    VERIFY(config.sockets >= 1 && config.sockets <= 0xffff && config.queue_bytes >= 1);
    m_sockets = new Socket[config.sockets];
    m_storage = new u8[config.sockets * config.queue_bytes];
    for (usize i = 0; i < config.sockets; ++i)
        m_sockets[i].storage = m_storage + i * config.queue_bytes;
}

UdpSockets::~UdpSockets()
{
    delete[] m_sockets;
    delete[] m_storage;
}

const UdpSockets::Socket* UdpSockets::get(UdpSocketId id) const
{
    if (id.index >= m_config.sockets || !m_sockets[id.index].bound)
        return nullptr;
    return &m_sockets[id.index];
}

lib::Optional<UdpSocketId> UdpSockets::find(u16 port) const
{
    for (usize i = 0; i < m_config.sockets; ++i) {
        if (m_sockets[i].bound && m_sockets[i].port == port)
            return UdpSocketId { u16(i) };
    }
    return lib::nullopt;
}

u16 UdpSockets::ephemeral_port()
{
    // 16384 candidates, at most m_config.sockets of them taken: the loop finds one quickly.
    for (usize tries = 0; tries < 16384; ++tries) {
        u16 port = m_next_ephemeral;
        m_next_ephemeral = port == 65535 ? 49152 : u16(port + 1);
        if (!find(port).has_value())
            return port;
    }
    return 0;
}

lib::Result<UdpSocketId, UdpError> UdpSockets::bind(u16 port)
{
    if (port == 0)
        port = ephemeral_port();
    if (port == 0 || find(port).has_value())
        return UdpError::AddressInUse;
    for (usize i = 0; i < m_config.sockets; ++i) {
        Socket& s = m_sockets[i];
        if (!s.bound) {
            s.bound = true;
            s.port = port;
            s.head = s.used = s.count = 0;
            return UdpSocketId { u16(i) };
        }
    }
    return UdpError::NoFreeSocket;
}

lib::Result<void, UdpError> UdpSockets::close(UdpSocketId id)
{
    if (get(id) == nullptr)
        return UdpError::BadSocket;
    Socket& s = m_sockets[id.index];
    s.bound = false;
    s.port = 0;
    s.head = s.used = s.count = 0;
    return {};
}

lib::Result<u16, UdpError> UdpSockets::local_port(UdpSocketId id) const
{
    const Socket* s = get(id);
    if (s == nullptr)
        return UdpError::BadSocket;
    return s->port;
}

void UdpSockets::ring_write(Socket& s, usize offset, lib::ReadonlyBytes bytes)
{
    for (usize i = 0; i < bytes.size(); ++i)
        s.storage[(s.head + offset + i) % m_config.queue_bytes] = bytes.data()[i];
}

void UdpSockets::ring_read(const Socket& s, usize offset, lib::Bytes out) const
{
    for (usize i = 0; i < out.size(); ++i)
        out.data()[i] = s.storage[(s.head + offset + i) % m_config.queue_bytes];
}

lib::Result<void, DropReason> UdpSockets::deliver(UdpSocketId id, wire::Ipv4Address src, u16 src_port,
    wire::Ipv4Address dst, lib::ReadonlyBytes payload)
{
    VERIFY(get(id) != nullptr);
    Socket& s = m_sockets[id.index];
    usize record = udp_record_overhead + payload.size();
    if (s.count >= m_config.queue_datagrams || record > m_config.queue_bytes - s.used)
        return DropReason::SocketQueueFull;
    u8 meta[udp_record_overhead];
    lib::Bytes m(meta);
    lib::store_be32(m, 0, src.value);
    lib::store_be16(m, 4, src_port);
    lib::store_be32(m, 6, dst.value);
    lib::store_be16(m, 10, u16(payload.size()));
    ring_write(s, s.used, m);
    ring_write(s, s.used + udp_record_overhead, payload);
    s.used += record;
    ++s.count;
    return {};
}

lib::Result<UdpDatagramInfo, UdpError> UdpSockets::receive(UdpSocketId id, lib::Bytes buffer)
{
    if (get(id) == nullptr)
        return UdpError::BadSocket;
    Socket& s = m_sockets[id.index];
    if (s.count == 0)
        return UdpError::WouldBlock;
    u8 meta[udp_record_overhead];
    lib::Bytes m(meta);
    ring_read(s, 0, m);
    UdpDatagramInfo info;
    info.src = { lib::load_be32(m, 0) };
    info.src_port = lib::load_be16(m, 4);
    info.dst = { lib::load_be32(m, 6) };
    info.length = lib::load_be16(m, 10);
    info.copied = info.length < buffer.size() ? info.length : buffer.size();
    ring_read(s, udp_record_overhead, buffer.slice(0, info.copied));
    usize record = udp_record_overhead + info.length;
    VERIFY(record <= s.used);
    s.head = (s.head + record) % m_config.queue_bytes;
    s.used -= record;
    --s.count;
    return info;
}

bool UdpSockets::readable(UdpSocketId id) const
{
    const Socket* s = get(id);
    return s != nullptr && s->count > 0;
}

usize UdpSockets::queued_datagrams(UdpSocketId id) const
{
    const Socket* s = get(id);
    return s == nullptr ? 0 : s->count;
}

usize UdpSockets::queued_bytes(UdpSocketId id) const
{
    const Socket* s = get(id);
    return s == nullptr ? 0 : s->used;
}

} // namespace net::iface

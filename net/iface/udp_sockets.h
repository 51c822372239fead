// UDP sockets (RFC 768): a fixed table of bound ports, each with a receive queue bounded both in
// bytes and in datagrams, allocated up front. Sending goes through Interface::udp_send_to().
#pragma once

#include "lib/optional.h"
#include "lib/result.h"
#include "net/iface/counters.h"
#include "net/wire/address.h"

namespace net::iface {

struct UdpConfig {
    usize sockets { 8 };
    // Per socket. Each queued datagram costs its payload plus udp_record_overhead bytes.
    usize queue_bytes { 16 * 1024 };
    usize queue_datagrams { 32 };
};

// Per-datagram bookkeeping charged against queue_bytes (addresses, ports, length).
inline constexpr usize udp_record_overhead = 12;

struct UdpSocketId {
    u16 index { 0 };
    constexpr bool operator==(const UdpSocketId&) const = default;
};

enum class UdpError : u8 {
    AddressInUse, // the port is already bound
    NoFreeSocket, // every socket of the table is bound
    BadSocket,    // not a bound socket
    WouldBlock,   // nothing queued
    TooBig,       // the datagram does not fit one frame (no fragmentation)
    NoRoute,      // no route, or no address yet
};

struct UdpDatagramInfo {
    wire::Ipv4Address src;
    u16 src_port { 0 };
    wire::Ipv4Address dst;
    // The datagram's full payload length; when larger than the caller's buffer, the rest was
    // discarded (recvfrom without MSG_TRUNC semantics).
    usize length { 0 };
    usize copied { 0 };
};

class UdpSockets {
public:
    explicit UdpSockets(const UdpConfig& config);
    ~UdpSockets();
    UdpSockets(const UdpSockets&) = delete;
    UdpSockets& operator=(const UdpSockets&) = delete;

    // Binds `port`, or the next free ephemeral port (49152..65535) when port is 0.
    // Fails with: AddressInUse, NoFreeSocket.
    lib::Result<UdpSocketId, UdpError> bind(u16 port);
    // Unbinds and discards the queue. Fails with: BadSocket.
    lib::Result<void, UdpError> close(UdpSocketId id);
    lib::Optional<UdpSocketId> find(u16 port) const;
    // Fails with: BadSocket.
    lib::Result<u16, UdpError> local_port(UdpSocketId id) const;

    // Queues a received datagram. Fails with: SocketQueueFull (byte or datagram bound reached).
    // Precondition: id is bound.
    lib::Result<void, DropReason> deliver(UdpSocketId id, wire::Ipv4Address src, u16 src_port,
        wire::Ipv4Address dst, lib::ReadonlyBytes payload);
    // Dequeues the oldest datagram into `buffer`. Fails with: BadSocket, WouldBlock.
    lib::Result<UdpDatagramInfo, UdpError> receive(UdpSocketId id, lib::Bytes buffer);

    bool readable(UdpSocketId id) const;
    usize queued_datagrams(UdpSocketId id) const;
    usize queued_bytes(UdpSocketId id) const;

private:
    struct Socket {
        bool bound { false };
        u16 port { 0 };
        // Invariant: used <= queue_bytes, count <= queue_datagrams, head < queue_bytes; the
        // records [head, head + used) mod queue_bytes are whole, in arrival order.
        usize head { 0 };
        usize used { 0 };
        usize count { 0 };
        u8* storage { nullptr };
    };

    const Socket* get(UdpSocketId id) const;
    void ring_write(Socket& s, usize offset, lib::ReadonlyBytes bytes);
    void ring_read(const Socket& s, usize offset, lib::Bytes out) const;
    u16 ephemeral_port();

    UdpConfig m_config;
    Socket* m_sockets;
    u8* m_storage;
    u16 m_next_ephemeral { 49152 };
};

} // namespace net::iface

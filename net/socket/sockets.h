// The socket layer: a fixed table of non-blocking stream (TCP) and datagram (UDP) sockets over one
// iface::Interface and one tcp::Stack, with POSIX call semantics, Linux errno values and epoll
// readiness bits (tcp_poll()/datagram_poll() in Linux), plus a change queue that lets an epoll
// implementation do edge- and level-triggered waits without scanning every socket.
//
// Edge-notification contract (what sys/'s epoll builds on):
//   - Each socket has a notification generation, readiness_generation(id). It is bumped whenever
//     an event happened that Linux would signal through the socket's wait queue: a segment arrived
//     for the connection (data, ACK, FIN, RST), a connection was queued on a listener, a datagram
//     arrived, a timer changed the connection's state (retransmission give-up, keep-alive), or a
//     call on the socket changed poll_events(). Spurious bumps are allowed; missed ones are not:
//     every change of poll_events() that the application did not cause through the returned value
//     of its own call comes with a bump.
//   - Every bump also puts the socket on the change queue, at most once until it is taken, so the
//     queue (capacity = max_sockets) never overflows. take_changes() drains it.
//   - An epoll layer therefore: after receive_frame()/poll(), takes the changes; for each id it
//     watches, reads poll_events(id) and reports (events & interest) if non-zero (EPOLLET: once
//     per generation; level-triggered: also re-checks its ready list on each epoll_wait).
//   - Closed sockets may still appear in the queue; take_changes() skips them.
#pragma once

#include "lib/optional.h"
#include "lib/result.h"
#include "net/iface/interface.h"
#include "net/socket/socket_error.h"
#include "net/tcp/stack.h"

namespace net::socket {

using Endpoint = tcp::Endpoint;

enum class SocketType : u8 { Stream, Datagram };
enum class ShutdownHow : u8 { Read, Write, Both };
enum class SocketOption : u8 { TcpNoDelay, KeepAlive, ReuseAddress };

// Handles carry the slot's generation, so a closed (and maybe reused) slot answers EBADF.
struct SocketId {
    u32 index { 0 };
    u32 generation { 0 };
    constexpr bool operator==(const SocketId&) const = default;
};

// epoll event bits (uapi/linux/eventpoll.h), as poll_events() reports them.
namespace events {
inline constexpr u32 in = 0x001;
inline constexpr u32 out = 0x004;
inline constexpr u32 err = 0x008;
inline constexpr u32 hup = 0x010;
inline constexpr u32 nval = 0x020; // POLLNVAL: only for a stale handle
inline constexpr u32 rdhup = 0x2000;
} // namespace events

struct SocketsConfig {
    u32 max_sockets { 256 };
    // Connections established on some listener but not yet accept()ed, all listeners together.
    u32 max_pending_accepts { 1024 };
    // listen()'s backlog is clamped to this (Linux's net.core.somaxconn).
    u32 max_backlog { 4096 };
    // bind() to port 0 and connect() without bind() pick from [first, last].
    u16 ephemeral_first { 49152 };
    u16 ephemeral_last { 65535 };
};

struct Accepted {
    SocketId id;
    Endpoint peer;
};

struct Datagram {
    usize copied { 0 };   // bytes written to the buffer
    usize length { 0 };   // the datagram's length; > copied means the rest was discarded (MSG_TRUNC)
    Endpoint from;
};

struct SocketCounters {
    u64 accept_overflows { 0 }; // connections reset because the accept queue was full
};

class Sockets {
public:
    // Installs its glue as the interface's TCP handler (and removes it on destruction).
    // Precondition: both outlive this object.
    Sockets(const SocketsConfig&, iface::Interface&, tcp::Stack&);
    ~Sockets();
    Sockets(const Sockets&) = delete;
    Sockets& operator=(const Sockets&) = delete;

    // ---- Driving the stack ----
    void receive_frame(lib::ReadonlyBytes frame, Instant now);
    void poll(Instant now);
    Instant next_deadline() const;

    // ---- The calls (POSIX semantics, non-blocking) ----
    // Fails with: TooManyOpenFiles.
    lib::Result<SocketId, SocketError> socket(SocketType);
    // Port 0 picks an ephemeral port. Fails with: BadDescriptor, InvalidArgument (already bound),
    // AddressInUse, AddressNotAvailable (an address that is not ours), NoBufferSpace (UDP table).
    lib::Result<void, SocketError> bind(SocketId, Endpoint local);
    // Binds an ephemeral port first if unbound; a second listen() only changes the backlog.
    // Fails with: BadDescriptor, OperationNotSupported (datagram), InvalidArgument (connecting or
    // connected), AddressInUse, NoBufferSpace (no TCP listener slot).
    lib::Result<void, SocketError> listen(SocketId, u32 backlog);
    // Fails with: BadDescriptor, OperationNotSupported (datagram), InvalidArgument (not
    // listening), WouldBlock, TooManyOpenFiles (the queued connection stays queued).
    lib::Result<Accepted, SocketError> accept(SocketId);
    // Starts a connection: a success is InProgress; completion shows as events::out, failure as
    // events::err with the reason in take_error(). Calling again: AlreadyInProgress while the
    // handshake runs, success once it completed, the failure (or ConnectionAborted once it was
    // reported) after it failed, which leaves the socket unconnected again.
    // Fails with: BadDescriptor, OperationNotSupported (datagram), AlreadyConnected (connected
    // or listening), InvalidArgument, AddressNotAvailable, NoBufferSpace.
    lib::Result<void, SocketError> connect(SocketId, Endpoint remote, Instant now);
    // Stream: queues what fits. Datagram: DestinationAddressRequired.
    // Fails with: BadDescriptor, WouldBlock (full, or still connecting), BrokenPipe (not
    // connected, or shut down for writing), the connection's pending error (once).
    lib::Result<usize, SocketError> send(SocketId, lib::ReadonlyBytes, Instant now);
    // Stream: 0 at EOF (peer FIN, shutdown(Read), or after a reported error). Datagram: one
    // datagram, truncated to the buffer. Fails with: BadDescriptor, WouldBlock, NotConnected
    // (listening or never connected), the connection's pending error (once).
    lib::Result<usize, SocketError> receive(SocketId, lib::Bytes);
    // Datagram: sends one datagram, binding an ephemeral port first if unbound. Stream: as send()
    // (the address is ignored, as Linux's TCP does). Fails with: BadDescriptor, InvalidArgument
    // (port 0), MessageTooLong, NetworkUnreachable, NoBufferSpace (no UDP socket free).
    lib::Result<usize, SocketError> send_to(SocketId, lib::ReadonlyBytes, Endpoint to, Instant now);
    // Datagram: one datagram and its source. Stream: as receive(), `from` is the peer.
    lib::Result<Datagram, SocketError> receive_from(SocketId, lib::Bytes);
    // Fails with: BadDescriptor, NotConnected (not connected; the flags are still recorded, as Linux
    // does, so poll_events() reports them).
    lib::Result<void, SocketError> shutdown(SocketId, ShutdownHow, Instant now);
    // Releases the handle. A connection closes gracefully (RST if unread data remains); queued,
    // never-accepted connections of a listener are reset. Fails with: BadDescriptor.
    lib::Result<void, SocketError> close(SocketId, Instant now);
    // Fails with: BadDescriptor, ProtocolOptionUnavailable (TcpNoDelay on a datagram socket).
    lib::Result<void, SocketError> set_option(SocketId, SocketOption, bool on, Instant now);
    lib::Result<bool, SocketError> option(SocketId, SocketOption) const;
    // getsockname(): 0.0.0.0:0 while unbound. Fails with: BadDescriptor.
    lib::Result<Endpoint, SocketError> local_address(SocketId) const;
    // getpeername(). Fails with: BadDescriptor, NotConnected.
    lib::Result<Endpoint, SocketError> peer_address(SocketId) const;
    // getsockopt(SO_ERROR): the pending error, cleared by reading it (or by a call that reported
    // it). Fails with: BadDescriptor.
    lib::Result<lib::Optional<SocketError>, SocketError> take_error(SocketId);

    // ---- Readiness ----
    // epoll bits with Linux's semantics (see sockets.cpp); events::nval for a stale handle.
    u32 poll_events(SocketId) const;
    // See the contract at the top of this file. 0 for a stale handle.
    u32 readiness_generation(SocketId) const;
    // Moves up to out.size() changed sockets into `out`; returns how many.
    usize take_changes(lib::Span<SocketId> out);

    // ---- State ----
    bool is_valid(SocketId id) const { return entry(id) != nullptr; }
    u32 sockets_in_use() const { return m_in_use; }
    u32 pending_accepts() const { return m_pending_in_use; }
    const SocketCounters& counters() const { return m_counters; }
    const SocketsConfig& config() const { return m_config; }

private:
    // Joins the interface's TCP hook to the TCP stack and the stack's output to the interface.
    // (A member rather than base classes: TcpHandler::poll/next_deadline would clash with ours.)
    class Glue final : public iface::TcpHandler, public tcp::SegmentSink {
    public:
        explicit Glue(Sockets& owner) : m_owner(owner) { }
        void on_segment(wire::Ipv4Address src, wire::Ipv4Address dst, const wire::TcpRepr&, lib::ReadonlyBytes payload,
            Instant now) override;
        void poll(Instant now) override;
        Instant next_deadline() const override;
        void send(const tcp::FourTuple&, const wire::TcpRepr&, lib::ReadonlyBytes payload) override;

    private:
        Sockets& m_owner;
    };

    static constexpr u32 none = ~0u;
    enum class Phase : u8 { Idle, Listening, Connecting, Connected };

    struct Entry {
        u32 generation { 0 };
        bool in_use { false };
        SocketType type { SocketType::Stream };
        Phase phase { Phase::Idle };
        // Invariant: bound <=> local.port != 0 and the port is claimed (stream: no other entry
        // conflicts, see port_conflicts(); datagram: `udp` is bound in the interface's table).
        bool bound { false };
        bool bound_by_user { false };
        Endpoint local;
        // What bind() resolved to (restored when a failed connect() leaves the socket unconnected).
        Endpoint bound_to;
        Endpoint peer;
        tcp::ConnectionId connection;
        tcp::ListenerId listener;
        iface::UdpSocketId udp;
        bool hashed { false };
        // Listeners: a FIFO of m_pending indices, at most backlog + 1 long (Linux's rule).
        u32 backlog { 0 };
        u32 queue_head { none };
        u32 queue_tail { none };
        u32 queue_count { 0 };
        bool nodelay { false };
        bool keepalive { false };
        bool reuse_address { false };
        bool shut_read { false };
        bool shut_write { false };
        // The connection's error has been reported once (SO_ERROR semantics: it is consumed).
        bool error_reported { false };
        // Notification state (see the contract above).
        u32 notify_generation { 0 };
        u32 last_events { 0 };
        usize last_datagrams { 0 };
        bool change_queued { false };
    };
    struct Pending {
        tcp::ConnectionId connection;
        Endpoint local;
        // What bind() resolved to (restored when a failed connect() leaves the socket unconnected).
        Endpoint bound_to;
        Endpoint peer;
        u32 next { none };
    };

    Entry* entry(SocketId);
    const Entry* entry(SocketId) const;
    lib::Result<Entry*, SocketError> checked(SocketId);
    u32 index_of(const Entry& e) const { return u32(&e - m_entries); }
    SocketId id_of(const Entry& e) const { return { index_of(e), e.generation }; }
    lib::Result<SocketId, SocketError> allocate(SocketType);
    void release(Entry&);

    // Readiness and notification.
    u32 compute_events(const Entry&) const;
    u32 stream_events(const Entry&) const;
    void touch(Entry&, bool force);
    void rescan_connections();
    void notify_datagrams();

    // Ports and addresses.
    bool address_is_ours(wire::Ipv4Address) const;
    bool port_conflicts(const Entry& self, Endpoint local, bool reuse) const;
    lib::Optional<u16> pick_ephemeral(const Entry& self, wire::Ipv4Address address);
    lib::Result<void, SocketError> bind_datagram(Entry&, Endpoint);

    // Four-tuple lookup of app-owned connections (open addressing, linear probing).
    u32 bucket_of(const tcp::FourTuple&) const;
    tcp::FourTuple tuple_of(const Entry& e) const { return { e.local, e.peer }; }
    void hash_insert(Entry&);
    void hash_remove(Entry&);
    lib::Optional<u32> hash_find(const tcp::FourTuple&) const;

    // Streams (stream.cpp).
    void on_tcp_segment(const tcp::FourTuple&, const wire::TcpRepr&, lib::ReadonlyBytes, Instant);
    bool handshake_running(const Entry&) const;
    bool connection_failed(const Entry&) const;
    void refresh(Entry&);
    void settle_events(Entry& e) { e.last_events = compute_events(e); }
    lib::Optional<SocketError> take_connection_error(Entry&);
    void drain_listeners(const tcp::FourTuple&);
    void enqueue_pending(Entry& listener, tcp::ConnectionId, const tcp::FourTuple&);
    void reset_pending(Entry& listener);
    void stop_listening(Entry&);
    void release_connection(Entry&);
    lib::Result<void, SocketError> connect_again(Entry&);
    lib::Result<usize, SocketError> stream_send(Entry&, lib::ReadonlyBytes);
    lib::Result<usize, SocketError> stream_receive(Entry&, lib::Bytes);
    lib::Result<void, SocketError> stream_shutdown(Entry&, ShutdownHow);

    // Datagrams (datagram.cpp).
    lib::Result<usize, SocketError> datagram_send_to(Entry&, lib::ReadonlyBytes, Endpoint, Instant);
    lib::Result<Datagram, SocketError> datagram_receive(Entry&, lib::Bytes);

    SocketsConfig m_config;
    iface::Interface& m_iface;
    tcp::Stack& m_stack;
    Glue m_glue { *this };
    Instant m_now {};
    SocketCounters m_counters;
    // Invariant: all arrays are allocated in the constructor and never resized. m_free[0..
    // m_free_count) are exactly the entries with !in_use; m_in_use = max_sockets - m_free_count.
    Entry* m_entries { nullptr };
    u32* m_free { nullptr };
    u32 m_free_count { 0 };
    u32 m_in_use { 0 };
    Pending* m_pending { nullptr };
    u32 m_pending_free { none };
    u32 m_pending_in_use { 0 };
    // Entry indices, or `none`. Invariant: holds exactly the entries with hashed == true.
    u32* m_buckets { nullptr };
    u32 m_bucket_mask { 0 };
    // Ring of entry indices with change_queued set; capacity max_sockets, so it cannot overflow.
    u32* m_changes { nullptr };
    u32 m_changes_head { 0 };
    u32 m_changes_count { 0 };
    u16 m_next_ephemeral { 0 };
};

} // namespace net::socket

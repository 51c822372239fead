// The TCP layer (RFC 9293) as seen by the IP interface below and the socket layer above: a fixed
// pool of connections and listeners, sized by Config at construction and never grown.
#pragma once

#include "lib/optional.h"
#include "lib/result.h"
#include "net/tcp/connection.h"
#include "net/tcp/listener.h"

namespace net::tcp {

class Stack {
public:
    // `secret`: 16 random bytes for ISNs (RFC 6528), SYN cookies and the connection table hash.
    Stack(const Config&, const u8 (&secret)[16]);
    ~Stack();
    Stack(const Stack&) = delete;
    Stack& operator=(const Stack&) = delete;

    // An inbound segment, already checksum-verified and parsed by the interface.
    void on_segment(const FourTuple&, const wire::TcpRepr&, lib::ReadonlyBytes payload, Instant now, SegmentSink&);
    // Fires due timers: retransmission, delayed ACK, persist, keep-alive, TIME-WAIT,
    // FIN-WAIT-2 and SYN-RECEIVED expiry, and pending window updates.
    void poll(Instant now, SegmentSink&);
    // The earliest instant poll() has work; Instant::never() when idle.
    Instant next_deadline() const;

    // Fails with: InvalidArgument (port 0), AddressInUse, NoBufferSpace (no listener slot).
    lib::Result<ListenerId, TcpError> listen(Endpoint, u32 backlog);
    // Fails with: BadHandle, WouldBlock (nothing established yet).
    lib::Result<ConnectionId, TcpError> accept(ListenerId);
    // Port 0 in `local` picks an ephemeral port (49152-65535).
    // Fails with: AddressInUse (tuple taken or no ephemeral port), NoBufferSpace (pool full).
    lib::Result<ConnectionId, TcpError> connect(Endpoint local, Endpoint remote, Instant now, SegmentSink&);
    // Queues as much as the send buffer takes. Fails with: BadHandle, WouldBlock (buffer full or
    // still connecting), Shutdown (after shutdown_write/close), the connection's error.
    lib::Result<usize, TcpError> send(ConnectionId, lib::ReadonlyBytes, Instant now, SegmentSink&);
    // 0 = EOF after the peer's FIN. Fails with: BadHandle, WouldBlock, the connection's error,
    // NotConnected. A reopened window is announced by the next poll().
    lib::Result<usize, TcpError> receive(ConnectionId, lib::Bytes);
    lib::Result<void, TcpError> shutdown_write(ConnectionId, Instant, SegmentSink&);
    // Graceful close; the handle is invalid afterwards and the stack finishes the connection.
    lib::Result<void, TcpError> close(ConnectionId, Instant, SegmentSink&);
    // Sends RST (in synchronized states) and releases the handle.
    lib::Result<void, TcpError> abort(ConnectionId, Instant, SegmentSink&);
    // Stops listening; connections not yet accepted are reset.
    lib::Result<void, TcpError> close_listener(ListenerId, Instant, SegmentSink&);

    Readiness readiness(ConnectionId) const;
    Readiness readiness(ListenerId) const;
    lib::Result<void, TcpError> set_nodelay(ConnectionId, bool);
    lib::Result<void, TcpError> set_keepalive(ConnectionId, bool, Instant now);
    // Closed for an unknown handle.
    State state(ConnectionId) const;
    lib::Result<SequenceSnapshot, TcpError> snapshot(ConnectionId) const;
    const Counters& counters() const { return m_counters; }
    const Config& config() const { return m_config; }
    // Slots in use (any state) and TIME-WAIT entries: what the memory bounds are about.
    u32 connections_in_use() const { return m_config.max_connections - m_free_count; }
    u32 time_wait_count() const { return m_time_wait_count; }

private:
    static constexpr u32 none = ~0u;
    enum class Queue : u8 { None, Syn, Accept };
    struct Slot {
        Connection connection;
        u32 generation { 0 };
        u32 hash_next { none };
        u32 listener { none };
        u64 accept_order { 0 };
        Queue queue { Queue::None };
        bool in_use { false };
        bool app_owned { false };
        bool hashed { false };
        bool time_wait_counted { false };
    };

    Context context(Instant, SegmentSink&);
    Slot* slot_for(ConnectionId);
    const Slot* slot_for(ConnectionId) const;
    Listener* listener_for(ListenerId);
    lib::Optional<u32> lookup(const FourTuple&) const;
    u32 bucket_of(const FourTuple&) const;
    void hash_insert(u32 index);
    void hash_remove(u32 index);
    lib::Optional<u32> allocate_slot(Context&);
    void release_slot(u32 index);
    bool recycle_oldest_time_wait(Context&);
    // Brings the bookkeeping around one connection up to date after any event: listener queues,
    // the TIME-WAIT bound, the lookup table, and freeing what nobody owns any more.
    void settle(u32 index, Context&);
    bool pick_ephemeral_port(Endpoint& local, Endpoint remote) const;
    lib::Optional<u32> find_listener(Endpoint local) const;

    // listener.cpp: the LISTEN state (RFC 9293 §3.10.7.2) and SYN cookies.
    void on_segment_listen(u32 listener, const FourTuple&, const wire::TcpRepr&, lib::ReadonlyBytes, Context&);
    void send_syn_cookie(Listener&, const FourTuple&, const wire::TcpRepr&, Context&);
    void accept_syn_cookie(u32 listener, const FourTuple&, const wire::TcpRepr&, lib::ReadonlyBytes, Context&);
    // RFC 9293 §3.10.7.1: the RST for a segment that matches nothing.
    void send_reset_for(const FourTuple&, const wire::TcpRepr&, usize payload_len, Context&);

    Config m_config;
    SequenceSecrets m_secrets;
    Counters m_counters;
    ChallengeAckLimiter m_challenge;
    // Invariant: all of these are allocated in the constructor, sized by m_config, and never
    // resized; m_free[0..m_free_count) are exactly the slots with !in_use.
    Slot* m_slots { nullptr };
    u32* m_free { nullptr };
    u32 m_free_count { 0 };
    u32* m_buckets { nullptr };
    u32 m_bucket_mask { 0 };
    Listener* m_listeners { nullptr };
    u8* m_buffers { nullptr };
    u8* m_scratch { nullptr };
    u32 m_time_wait_count { 0 };
    u64 m_accept_counter { 0 };
    mutable u16 m_next_ephemeral { 49152 };
};

} // namespace net::tcp

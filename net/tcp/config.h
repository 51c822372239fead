// Public vocabulary of the TCP layer (RFC 9293): endpoints, configuration, error codes, handles,
// readiness, counters, and the sink through which the stack hands segments to the IP interface.
#pragma once

#include "lib/span.h"
#include "net/time.h"
#include "net/wire/tcp.h"

namespace net::tcp {

struct Endpoint {
    wire::Ipv4Address address;
    u16 port { 0 };
    bool operator==(const Endpoint&) const = default;
};

struct FourTuple {
    Endpoint local;
    Endpoint remote;
    bool operator==(const FourTuple&) const = default;
};

// The stack hands outgoing segments to a sink; the interface wraps them in IPv4 + Ethernet.
class SegmentSink {
public:
    virtual void send(const FourTuple&, const wire::TcpRepr&, lib::ReadonlyBytes payload) = 0;

protected:
    ~SegmentSink() = default;
};

// Every pool the stack owns is sized from this at construction; nothing grows afterwards.
// Memory: max_connections * (send_buffer + receive_buffer) bytes of buffers plus ~300 bytes of
// control block each (defaults: 1024 * 128 KiB = 128 MiB; kernels with less memory lower them).
struct Config {
    u32 max_connections { 1024 };
    u32 max_listeners { 64 };
    u32 send_buffer { 64 * 1024 };
    u32 receive_buffer { 64 * 1024 };
    // Half-open (SYN-RECEIVED) connections per listener before SYN cookies take over.
    u32 syn_backlog { 128 };
    // Largest accept queue a listen() may ask for.
    u32 max_accept_backlog { 1024 };
    // Our MSS: what we advertise and the largest segment we send (Ethernet 1500 - 40).
    u16 mss { 1460 };
    // TIME-WAIT connections kept at most; beyond this the oldest is recycled.
    u32 time_wait_max { 256 };
    // 2*MSL. Linux uses 60 s; RFC 9293 §3.4.2 suggests MSL = 2 min.
    Duration time_wait { Duration::from_secs(60) };
    // RFC 6298 §2.4 says 1 s; 200 ms (Linux's TCP_RTO_MIN) suits the low-latency links a
    // unikernel serves and still exceeds the delayed-ACK timeout below.
    Duration rto_min { Duration::from_millis(200) };
    Duration rto_max { Duration::from_secs(60) };
    Duration rto_initial { Duration::from_secs(1) };  // RFC 6298 §2.1
    // Retransmissions of one segment before the connection fails with TimedOut.
    u32 max_retransmits { 12 };
    u32 max_syn_retransmits { 6 };
    // RFC 9293 §3.8.6.3 / RFC 1122 §4.2.3.2: at most 500 ms; Linux's 40 ms keeps latency low.
    Duration delayed_ack { Duration::from_millis(40) };
    // SYN-RECEIVED entries that never complete are dropped after this.
    Duration syn_received_timeout { Duration::from_secs(30) };
    // Keep-alive (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6): off per connection unless enabled.
    Duration keepalive_idle { Duration::from_secs(7200) };
    Duration keepalive_interval { Duration::from_secs(75) };
    u32 keepalive_probes { 9 };
    // RFC 5961 §7: challenge ACKs sent per second, stack-wide.
    u32 challenge_ack_limit { 100 };
};

enum class TcpError : u8 {
    WouldBlock,         // EAGAIN
    ConnectionRefused,  // ECONNREFUSED
    ConnectionReset,    // ECONNRESET
    NotConnected,       // ENOTCONN
    AddressInUse,       // EADDRINUSE
    NoBufferSpace,      // ENOBUFS: a pool is exhausted
    InvalidState,       // EINVAL / EISCONN / EPIPE depending on the call
    TimedOut,           // ETIMEDOUT
    BadHandle,          // EBADF: a stale or unknown handle
    InvalidArgument,    // EINVAL
    Shutdown,           // EPIPE: send after shutdown_write/close
};

// Handles carry a generation so a stale handle never reaches a reused slot.
struct ConnectionId {
    u32 index { 0 };
    u32 generation { 0 };
    bool operator==(const ConnectionId&) const = default;
};
struct ListenerId {
    u32 index { 0 };
    u32 generation { 0 };
    bool operator==(const ListenerId&) const = default;
};

// RFC 9293 §3.3.2.
enum class State : u8 {
    Closed,
    Listen,
    SynSent,
    SynReceived,
    Established,
    FinWait1,
    FinWait2,
    CloseWait,
    Closing,
    LastAck,
    TimeWait,
};

const char* state_name(State);

struct Readiness {
    bool readable { false };    // data, EOF, or an error to report
    bool writable { false };    // send() would accept at least one byte
    bool hung_up { false };     // both directions are finished (or reset)
    bool error { false };       // a pending error (reset, refused, timed out)
    bool acceptable { false };  // listeners: accept() would succeed
};

// Why an inbound segment was dropped. Each has a counter.
enum class DropReason : u8 {
    NoSocket,           // no connection or listener (a RST was sent unless it was a RST)
    NotAcceptable,      // sequence number outside the window (RFC 9293 §3.10.7.4)
    PawsRejected,       // timestamp older than TS.Recent (RFC 7323 §5)
    BadAck,             // unacceptable acknowledgment (RFC 9293 §3.10.7.4, RFC 5961 §5)
    NoAckFlag,          // a synchronized-state segment without ACK
    RstIgnored,         // RST not exactly at RCV.NXT (RFC 5961 §3), or otherwise unacceptable
    SynIgnored,         // SYN in a synchronized state (RFC 5961 §4) or an unexpected SYN
    ListenOverflow,     // accept queue full
    NoMemory,           // connection pool exhausted
    ReassemblyFull,     // too many out-of-order islands
    BadSynCookie,       // ACK to a listener whose cookie did not validate
    InvalidForState,    // e.g. data after FIN, a non-SYN to SYN-SENT without ACK
    ChallengeAckLimited,// a challenge ACK was due but the rate limit held it back
};
inline constexpr usize drop_reason_count = 13;

struct Counters {
    u64 segments_received { 0 };
    u64 segments_sent { 0 };
    u64 drops[drop_reason_count] {};
    u64 retransmits { 0 };          // segments resent for any reason
    u64 fast_retransmits { 0 };     // RFC 5681 §3.2 / RFC 6582
    u64 rto_timeouts { 0 };
    u64 resets_sent { 0 };
    u64 resets_received { 0 };      // RSTs that reset a connection
    u64 challenge_acks { 0 };       // RFC 5961
    u64 syn_cookies_sent { 0 };
    u64 syn_cookies_accepted { 0 };
    u64 connections_established { 0 };
    u64 connections_timed_out { 0 };
    u64 time_wait_recycled { 0 };   // TIME-WAIT entries evicted by the bound
    u64 time_wait_reused { 0 };     // RFC 6191 reuse by a new SYN
    u64 keepalive_probes { 0 };
    u64 window_probes { 0 };

    u64 dropped(DropReason r) const { return drops[static_cast<u8>(r)]; }
};

// Sequence-space bookkeeping of one connection, for diagnostics and tests.
struct SequenceSnapshot {
    wire::SeqNumber iss, snd_una, snd_nxt, snd_max;
    wire::SeqNumber irs, rcv_nxt;
    u32 snd_wnd { 0 };
    u32 cwnd { 0 };
    u32 ssthresh { 0 };
    u64 rto_micros { 0 };
};

} // namespace net::tcp

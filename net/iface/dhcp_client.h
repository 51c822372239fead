// DHCP client state machine (RFC 2131 §4.4, Figure 5): INIT -> SELECTING -> REQUESTING -> BOUND
// -> RENEWING (T1) -> REBINDING (T2) -> INIT on expiry or NAK, with a static fallback when no
// server answers in time. Pure: it sends and configures through a DhcpHost, never reads a clock,
// and draws transaction ids and jitter from a caller-given seed.
#pragma once

#include "net/iface/routes.h"
#include "net/time.h"
#include "net/wire/dhcp.h"

namespace net::iface {

enum class DhcpState : u8 { Init, Selecting, Requesting, Bound, Renewing, Rebinding, Fallback };
lib::StringView dhcp_state_name(DhcpState state);

struct DhcpConfig {
    // Seeds the transaction ids and retransmission jitter; give a value from a real entropy
    // source (RFC 2131 §4.1: xids must be hard to guess, or an off-path host can spoof replies).
    u64 seed { 0 };
    // First retransmission timeout, doubled up to max_timeout, randomized by +-1 s (§4.1).
    Duration initial_timeout { Duration::from_secs(4) };
    Duration max_timeout { Duration::from_secs(64) };
    // REQUESTs sent in REQUESTING without an answer before going back to INIT.
    u8 request_attempts { 4 };
    // Without any OFFER for this long after start, apply `fallback` (when has_fallback) and stop.
    Duration fallback_after { Duration::from_secs(30) };
    bool has_fallback { false };
    Ipv4Config fallback;
};

// What the client needs from the interface.
class DhcpHost {
public:
    // Sends `message` in a UDP datagram from port 68 to port 67, src -> dst (dst is the limited
    // broadcast except when renewing).
    virtual void dhcp_send(const wire::DhcpRepr& message, wire::Ipv4Address src, wire::Ipv4Address dst, Instant now) = 0;
    virtual void dhcp_configure(const Ipv4Config& config) = 0;
    virtual void dhcp_deconfigure() = 0;

protected:
    ~DhcpHost() = default;
};

class DhcpClient {
public:
    DhcpClient(wire::EthernetAddress mac, const DhcpConfig& config, DhcpHost& host);

    // Enters INIT; the first DISCOVER goes out on the next poll(now).
    void start(Instant now);
    // A parsed DHCP reply received on port 68. Returns false when it was ignored (another
    // client's xid or chaddr, an unexpected type for the state, a useless offer).
    bool on_message(const wire::DhcpRepr& message, Instant now);
    void poll(Instant now);
    Instant next_deadline() const { return m_deadline; }

    DhcpState state() const { return m_state; }
    bool using_fallback() const { return m_state == DhcpState::Fallback; }
    // The lease in force (BOUND, RENEWING, REBINDING); unspecified otherwise.
    const Ipv4Config& lease() const { return m_lease; }
    Instant lease_expiry() const { return m_expiry; }
    u32 transaction_id() const { return m_xid; }

private:
    u64 next_random();
    Duration jittered(Duration base);
    void new_transaction(Instant now);
    wire::DhcpRepr base_message(wire::DhcpMessageType type, Instant now) const;
    void send_discover(Instant now);
    void send_request(Instant now);
    void schedule_retransmit(Instant now);
    void restart(Instant now);
    bool on_offer(const wire::DhcpRepr& message, Instant now);
    bool on_ack(const wire::DhcpRepr& message, Instant now);
    void poll_bound_states(Instant now);
    Ipv4Config config_from(const wire::DhcpRepr& ack) const;

    wire::EthernetAddress m_mac;
    DhcpConfig m_config;
    DhcpHost& m_host;
    DhcpState m_state { DhcpState::Init };
    u64 m_random;
    u32 m_xid { 0 };
    // When the current exchange started (the `secs` field counts from it).
    Instant m_exchange_start;
    Instant m_fallback_at { Instant::never() };
    // The next thing to do: retransmit, T1, T2, expiry, fallback.
    Instant m_deadline { Instant::never() };
    Duration m_timeout;
    u8 m_attempts { 0 };
    // From the OFFER being requested.
    wire::Ipv4Address m_offered;
    wire::Ipv4Address m_server;
    // The lease, once BOUND.
    Ipv4Config m_lease;
    Instant m_request_sent;
    Instant m_t1 { Instant::never() };
    Instant m_t2 { Instant::never() };
    Instant m_expiry { Instant::never() };
};

} // namespace net::iface

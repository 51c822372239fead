// DHCP client state machine (RFC 2131 §4.4; retransmission §4.1; T1/T2 §4.4.5).
#include "net/iface/dhcp_client.h"

namespace net::iface {

using wire::DhcpMessageType;
using wire::DhcpRepr;
using wire::Ipv4Address;

namespace {

constexpr Duration min_renew_retransmit = Duration::from_secs(60);
constexpr Duration one_second = Duration::from_secs(1);

Instant earliest(Instant a, Instant b) { return a < b ? a : b; }

// Half the time left until `limit`, but at least 60 s (RFC 2131 §4.4.5), and never past `limit`.
Instant renew_retransmit_at(Instant now, Instant limit)
{
    Duration half { (limit - now).micros / 2 };
    return earliest(now + (half < min_renew_retransmit ? min_renew_retransmit : half), limit);
}

bool is_usable_address(Ipv4Address a)
{
    return !a.is_unspecified() && a.is_valid_source() && !a.is_loopback();
}

// RFC 2131 §3.3 leaves a missing mask to the client; the historic class default is the guess
// every stack makes.
u8 default_prefix(Ipv4Address a)
{
    if (a.octet(0) < 128)
        return 8;
    return a.octet(0) < 192 ? 16 : 24;
}

} // namespace

lib::StringView dhcp_state_name(DhcpState state)
{
    switch (state) {
    case DhcpState::Init:
        return "init";
    case DhcpState::Selecting:
        return "selecting";
    case DhcpState::Requesting:
        return "requesting";
    case DhcpState::Bound:
        return "bound";
    case DhcpState::Renewing:
        return "renewing";
    case DhcpState::Rebinding:
        return "rebinding";
    case DhcpState::Fallback:
        return "static fallback";
    }
    return "?";
}

DhcpClient::DhcpClient(wire::EthernetAddress mac, const DhcpConfig& config, DhcpHost& host)
    : m_mac(mac)
    , m_config(config)
    , m_host(host)
    , m_random(config.seed)
    , m_timeout(config.initial_timeout)
{
}

// splitmix64: a deterministic stream from the caller's seed (no RNG in net/).
u64 DhcpClient::next_random()
{
    m_random += 0x9e3779b97f4a7c15ull;
    u64 z = m_random;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

Duration DhcpClient::jittered(Duration base)
{
    if (base <= one_second)
        return base;
    // Uniform in [base - 1 s, base + 1 s] (RFC 2131 §4.1).
    u64 offset = next_random() % (2 * one_second.micros + 1);
    return Duration { base.micros - one_second.micros + offset };
}

void DhcpClient::new_transaction(Instant now)
{
    m_xid = u32(next_random());
    m_exchange_start = now;
    m_attempts = 0;
    m_timeout = m_config.initial_timeout;
}

void DhcpClient::start(Instant now) { restart(now); }

void DhcpClient::restart(Instant now)
{
    m_state = DhcpState::Init;
    m_deadline = now;
    m_lease = {};
    m_t1 = m_t2 = m_expiry = Instant::never();
    m_fallback_at = m_config.has_fallback ? now + m_config.fallback_after : Instant::never();
}

DhcpRepr DhcpClient::base_message(DhcpMessageType type, Instant now) const
{
    DhcpRepr m;
    m.message_type = type;
    m.transaction_id = m_xid;
    u64 secs = (now - m_exchange_start).micros / one_second.micros;
    m.secs = u16(secs > 0xffff ? 0xffff : secs);
    m.client_hardware_address = m_mac;
    m.client_identifier = true;
    const u8 wanted[] = { wire::dhcp::option::subnet_mask, wire::dhcp::option::router, wire::dhcp::option::dns_servers,
        wire::dhcp::option::lease_time, wire::dhcp::option::renewal_time, wire::dhcp::option::rebinding_time };
    for (u8 code : wanted)
        m.parameter_request_list[m.parameter_request_count++] = code;
    return m;
}

void DhcpClient::send_discover(Instant now)
{
    m_host.dhcp_send(base_message(DhcpMessageType::Discover, now), Ipv4Address::any(), Ipv4Address::broadcast(), now);
}

void DhcpClient::send_request(Instant now)
{
    DhcpRepr m = base_message(DhcpMessageType::Request, now);
    if (m_attempts == 0)
        m_request_sent = now;
    ++m_attempts;
    if (m_state == DhcpState::Requesting) {
        // §4.3.2 SELECTING: requested IP and server identifier, ciaddr zero, broadcast.
        m.requested_ip = m_offered;
        m.server_identifier = m_server;
        m_host.dhcp_send(m, Ipv4Address::any(), Ipv4Address::broadcast(), now);
        return;
    }
    // §4.3.2 RENEWING (unicast to the server) and REBINDING (broadcast): ciaddr only.
    m.client_ip = m_lease.address;
    Ipv4Address dst = m_state == DhcpState::Renewing ? m_server : Ipv4Address::broadcast();
    m_host.dhcp_send(m, m_lease.address, dst, now);
}

void DhcpClient::schedule_retransmit(Instant now)
{
    m_deadline = now + jittered(m_timeout);
    Duration doubled = m_timeout * 2;
    m_timeout = doubled > m_config.max_timeout ? m_config.max_timeout : doubled;
    if (m_state == DhcpState::Selecting)
        m_deadline = earliest(m_deadline, m_fallback_at);
}

void DhcpClient::poll(Instant now)
{
    // A restart (request attempts used up, lease expired) goes round once more to send DISCOVER.
    for (int round = 0; round < 2 && now >= m_deadline; ++round) {
        switch (m_state) {
        case DhcpState::Init:
            new_transaction(now);
            m_state = DhcpState::Selecting;
            send_discover(now);
            schedule_retransmit(now);
            break;
        case DhcpState::Selecting:
            if (now >= m_fallback_at) {
                m_state = DhcpState::Fallback;
                m_deadline = Instant::never();
                m_host.dhcp_configure(m_config.fallback);
                break;
            }
            send_discover(now);
            schedule_retransmit(now);
            break;
        case DhcpState::Requesting:
            if (m_attempts >= m_config.request_attempts) {
                restart(now);
                break;
            }
            send_request(now);
            schedule_retransmit(now);
            break;
        case DhcpState::Bound:
        case DhcpState::Renewing:
        case DhcpState::Rebinding:
            poll_bound_states(now);
            break;
        case DhcpState::Fallback:
            m_deadline = Instant::never();
            break;
        }
    }
}

void DhcpClient::poll_bound_states(Instant now)
{
    if (now >= m_expiry) {
        // §4.4.5: the lease is gone; stop using the address and start over.
        m_host.dhcp_deconfigure();
        restart(now);
        return;
    }
    // §4.4.5: RENEWING from T1, REBINDING from T2. A poll that first comes after T2 while still
    // BOUND (the clock jumped past both) goes straight to REBINDING: before, it sent a RENEWING
    // REQUEST and then, in the same poll, a REBINDING one under a new xid, so an ACK to the first
    // was ignored (found by the dhcp_client fuzz target, fuzz/regressions/dhcp_client/).
    DhcpState next = now >= m_t2 ? DhcpState::Rebinding : DhcpState::Renewing;
    if (m_state == DhcpState::Bound || (m_state == DhcpState::Renewing && next == DhcpState::Rebinding)) {
        m_state = next;
        new_transaction(now);
    }
    send_request(now);
    m_deadline = m_state == DhcpState::Renewing ? renew_retransmit_at(now, m_t2) : renew_retransmit_at(now, m_expiry);
}

bool DhcpClient::on_message(const DhcpRepr& message, Instant now)
{
    if (message.transaction_id != m_xid || message.client_hardware_address != m_mac)
        return false;
    bool awaiting_ack = m_state == DhcpState::Requesting || m_state == DhcpState::Renewing || m_state == DhcpState::Rebinding;
    switch (message.message_type) {
    case DhcpMessageType::Offer:
        return m_state == DhcpState::Selecting && on_offer(message, now);
    case DhcpMessageType::Ack:
        return awaiting_ack && on_ack(message, now);
    case DhcpMessageType::Nak:
        if (!awaiting_ack)
            return false;
        if (m_state == DhcpState::Requesting && message.server_identifier.has_value() && message.server_identifier.value() != m_server)
            return false;
        if (m_state != DhcpState::Requesting)
            m_host.dhcp_deconfigure();
        restart(now);
        poll(now);
        return true;
    default:
        return false;
    }
}

bool DhcpClient::on_offer(const DhcpRepr& message, Instant now)
{
    // §4.3.1: an OFFER carries the server identifier; without it we could not select the server.
    if (!is_usable_address(message.your_ip) || !message.server_identifier.has_value())
        return false;
    if (!is_usable_address(message.server_identifier.value()))
        return false;
    m_offered = message.your_ip;
    m_server = message.server_identifier.value();
    m_state = DhcpState::Requesting;
    m_attempts = 0;
    m_timeout = m_config.initial_timeout;
    // FIXME: RFC 2131 §4.4.1 suggests ARP-probing the offered address (and DECLINE on conflict).
    send_request(now);
    schedule_retransmit(now);
    return true;
}

Ipv4Config DhcpClient::config_from(const DhcpRepr& ack) const
{
    Ipv4Config c;
    c.address = ack.your_ip;
    c.prefix_len = ack.subnet_mask.has_value() ? prefix_from_mask(ack.subnet_mask.value()) : default_prefix(ack.your_ip);
    if (ack.router.has_value() && is_usable_address(ack.router.value()))
        c.gateway = ack.router.value();
    c.dns_count = ack.dns_count;
    for (usize i = 0; i < ack.dns_count && i < dns_servers_max; ++i)
        c.dns_servers[i] = ack.dns_servers[i];
    return c;
}

bool DhcpClient::on_ack(const DhcpRepr& message, Instant now)
{
    if (!is_usable_address(message.your_ip))
        return false;
    if (m_state == DhcpState::Requesting && message.server_identifier.has_value() && message.server_identifier.value() != m_server)
        return false;
    if (m_state != DhcpState::Requesting && message.server_identifier.has_value())
        m_server = message.server_identifier.value();
    // §4.4.1: the lease runs from when the request was sent. 0xffffffff means infinite.
    u64 lease = message.lease_time.value_or(0xffffffffu);
    bool infinite = lease == 0xffffffffu;
    u64 t1 = message.renewal_time.value_or(u32(lease / 2));
    u64 t2 = message.rebinding_time.value_or(u32(lease * 7 / 8));
    if (t1 > lease || t2 > lease || t1 > t2) {
        t1 = lease / 2;
        t2 = lease * 7 / 8;
    }
    m_lease = config_from(message);
    m_expiry = infinite ? Instant::never() : m_request_sent + Duration::from_secs(lease);
    m_t1 = infinite ? Instant::never() : m_request_sent + Duration::from_secs(t1);
    m_t2 = infinite ? Instant::never() : m_request_sent + Duration::from_secs(t2);
    m_state = DhcpState::Bound;
    m_deadline = m_t1;
    m_host.dhcp_configure(m_lease);
    return true;
}

} // namespace net::iface

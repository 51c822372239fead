// Tests for the DHCP client through the interface, against a scripted server (RFC 2131 §4.4):
// the full exchange, renewal at T1, rebinding and expiry, NAK, retransmission and fallback.
#include "net/iface/test_support.h"

namespace net::iface::test {
namespace {

const Ipv4Address server_ip = peer_ip;
const Ipv4Address dns_ip = Ipv4Address::from_octets(10, 0, 2, 3);

InterfaceConfig dhcp_config()
{
    InterfaceConfig c;
    c.mac = our_mac;
    c.addressing = Addressing::Dhcp;
    c.dhcp.seed = 0x1234;
    return c;
}

struct DhcpSent {
    Sent sent;
    UdpRepr udp;
    DhcpRepr dhcp;
};

DhcpSent parse_dhcp(const Frame& f)
{
    DhcpSent d;
    d.sent = parse_sent(f);
    EXPECT_EQ(d.sent.ip.protocol, IpProtocol::Udp);
    auto uv = UdpView::checked(span(d.sent.ip_payload));
    EXPECT_TRUE(uv.is_ok());
    auto udp = UdpRepr::parse(uv.value(), d.sent.ip.src, d.sent.ip.dst);
    EXPECT_TRUE(udp.is_ok());
    d.udp = udp.value();
    EXPECT_EQ(d.udp.src_port, 68);
    EXPECT_EQ(d.udp.dst_port, 67);
    auto dv = DhcpView::checked(d.udp.payload);
    EXPECT_TRUE(dv.is_ok());
    d.dhcp = DhcpRepr::parse(dv.value()).value();
    d.udp.payload = {}; // it pointed into d.sent, which moves
    return d;
}

DhcpRepr server_reply(DhcpMessageType type, u32 xid, u32 lease = 3600)
{
    DhcpRepr r;
    r.message_type = type;
    r.transaction_id = xid;
    r.client_hardware_address = our_mac;
    r.server_identifier = server_ip;
    if (type == DhcpMessageType::Nak)
        return r;
    r.your_ip = our_ip;
    r.subnet_mask = Ipv4Address::from_octets(255, 255, 255, 0);
    r.router = peer_ip;
    r.dns_count = 1;
    r.dns_servers[0] = dns_ip;
    r.lease_time = lease;
    return r;
}

Frame reply_frame(const DhcpRepr& r, Ipv4Address dst = Ipv4Address::broadcast(), EthernetAddress eth_dst = EthernetAddress::broadcast())
{
    return udp_frame(server_ip, dst, 67, 68, emit_plain(r), peer_mac, eth_dst);
}

// Polls at every deadline up to `end`.
void run_until(Harness& h, Instant end)
{
    for (int i = 0; i < 1000 && h.iface->next_deadline() <= end; ++i)
        h.iface->poll(h.iface->next_deadline());
}

// DISCOVER -> OFFER (unicast to the offered address) -> REQUEST -> ACK, all at time 0.
void bind(Harness& h)
{
    h.iface->poll({});
    ASSERT_EQ(h.sink.frames.size(), 1u);
    DhcpSent discover = parse_dhcp(h.sink.frames[0]);
    h.sink.frames.clear();
    h.receive(reply_frame(server_reply(DhcpMessageType::Offer, discover.dhcp.transaction_id), our_ip, our_mac));
    ASSERT_EQ(h.sink.frames.size(), 1u);
    DhcpSent request = parse_dhcp(h.sink.frames[0]);
    h.sink.frames.clear();
    h.receive(reply_frame(server_reply(DhcpMessageType::Ack, request.dhcp.transaction_id)));
    ASSERT_EQ(h.iface->dhcp()->state(), DhcpState::Bound);
}

TEST(Dhcp, FullExchangeConfiguresTheInterface)
{
    Harness h(dhcp_config());
    EXPECT_FALSE(h.iface->ipv4().is_configured());
    h.iface->poll({});
    ASSERT_EQ(h.sink.frames.size(), 1u);
    DhcpSent discover = parse_dhcp(h.sink.frames[0]);
    EXPECT_EQ(discover.sent.eth.dst, EthernetAddress::broadcast());
    EXPECT_EQ(discover.sent.ip.src, Ipv4Address::any());
    EXPECT_EQ(discover.sent.ip.dst, Ipv4Address::broadcast());
    EXPECT_EQ(discover.dhcp.message_type, DhcpMessageType::Discover);
    EXPECT_EQ(discover.dhcp.client_hardware_address, our_mac);
    EXPECT_TRUE(discover.dhcp.client_identifier);
    EXPECT_EQ(h.iface->dhcp()->state(), DhcpState::Selecting);

    h.receive(reply_frame(server_reply(DhcpMessageType::Offer, discover.dhcp.transaction_id), our_ip, our_mac), at_millis(10));
    ASSERT_EQ(h.sink.frames.size(), 2u);
    DhcpSent request = parse_dhcp(h.sink.frames[1]);
    EXPECT_EQ(request.dhcp.message_type, DhcpMessageType::Request);
    EXPECT_EQ(request.dhcp.transaction_id, discover.dhcp.transaction_id);
    EXPECT_EQ(request.dhcp.requested_ip, lib::Optional<Ipv4Address>(our_ip));
    EXPECT_EQ(request.dhcp.server_identifier, lib::Optional<Ipv4Address>(server_ip));
    EXPECT_EQ(request.dhcp.client_ip, Ipv4Address::any());
    EXPECT_EQ(request.sent.ip.dst, Ipv4Address::broadcast());
    EXPECT_EQ(h.iface->dhcp()->state(), DhcpState::Requesting);

    h.receive(reply_frame(server_reply(DhcpMessageType::Ack, request.dhcp.transaction_id)), at_millis(20));
    EXPECT_EQ(h.iface->dhcp()->state(), DhcpState::Bound);
    const Ipv4Config& ip = h.iface->ipv4();
    EXPECT_EQ(ip.address, our_ip);
    EXPECT_EQ(ip.prefix_len, 24);
    EXPECT_EQ(ip.gateway, lib::Optional<Ipv4Address>(peer_ip));
    ASSERT_EQ(ip.dns_count, 1);
    EXPECT_EQ(ip.dns_servers[0], dns_ip);
    EXPECT_EQ(h.iface->counters().dhcp_leases, 1u);
    // The lease runs from the REQUEST (t = 10 ms); T1 is half of it.
    EXPECT_EQ(h.iface->dhcp()->lease_expiry(), at_millis(10) + Duration::from_secs(3600));
    EXPECT_EQ(h.iface->next_deadline(), at_millis(10) + Duration::from_secs(1800));
    EXPECT_EQ(h.iface->counters().drops.total(), 0u);
}

TEST(Dhcp, RepliesForAnotherTransactionAreIgnored)
{
    Harness h(dhcp_config());
    h.iface->poll({});
    DhcpSent discover = parse_dhcp(h.sink.frames[0]);
    h.receive(reply_frame(server_reply(DhcpMessageType::Offer, discover.dhcp.transaction_id + 1)));
    h.receive(reply_frame(server_reply(DhcpMessageType::Ack, discover.dhcp.transaction_id)));
    EXPECT_EQ(h.drops(DropReason::DhcpIgnored), 2u);
    EXPECT_EQ(h.iface->dhcp()->state(), DhcpState::Selecting);
    EXPECT_EQ(h.sink.frames.size(), 1u);
    // Other UDP before configuration is not accepted.
    h.receive(udp_frame(peer_ip, our_ip, 1, 7, Frame { 1 }));
    EXPECT_EQ(h.drops(DropReason::NotConfigured), 1u);
}

TEST(Dhcp, RenewsAtT1WithAUnicastRequest)
{
    Harness h(dhcp_config());
    bind(h);
    run_until(h, at_secs(1799));
    EXPECT_TRUE(h.sink.frames.empty());
    run_until(h, at_secs(1800));
    EXPECT_EQ(h.iface->dhcp()->state(), DhcpState::Renewing);
    // The server's MAC is not known yet: ARP first, then the REQUEST.
    ASSERT_EQ(h.sink.frames.size(), 1u);
    EXPECT_EQ(parse_arp(h.sink.frames[0]).target_protocol, server_ip);
    h.receive(arp_frame(ArpOperation::Reply, peer_mac, server_ip, our_ip, our_mac, our_mac), at_secs(1800));
    ASSERT_EQ(h.sink.frames.size(), 2u);
    DhcpSent renew = parse_dhcp(h.sink.frames[1]);
    EXPECT_EQ(renew.sent.eth.dst, peer_mac);
    EXPECT_EQ(renew.sent.ip.src, our_ip);
    EXPECT_EQ(renew.sent.ip.dst, server_ip);
    EXPECT_EQ(renew.dhcp.message_type, DhcpMessageType::Request);
    EXPECT_EQ(renew.dhcp.client_ip, our_ip);
    EXPECT_FALSE(renew.dhcp.requested_ip.has_value());
    EXPECT_FALSE(renew.dhcp.server_identifier.has_value());

    h.receive(reply_frame(server_reply(DhcpMessageType::Ack, renew.dhcp.transaction_id), our_ip, our_mac), at_secs(1801));
    EXPECT_EQ(h.iface->dhcp()->state(), DhcpState::Bound);
    EXPECT_EQ(h.iface->dhcp()->lease_expiry(), at_secs(1800 + 3600));
    EXPECT_EQ(h.iface->counters().dhcp_leases, 2u);
}

TEST(Dhcp, RebindsAtT2AndStartsOverWhenTheLeaseExpires)
{
    Harness h(dhcp_config());
    bind(h);
    run_until(h, at_secs(3150 - 1));
    EXPECT_EQ(h.iface->dhcp()->state(), DhcpState::Renewing);
    run_until(h, at_secs(3150)); // T2 = 7/8 of 3600 s
    EXPECT_EQ(h.iface->dhcp()->state(), DhcpState::Rebinding);
    DhcpSent rebind = parse_dhcp(h.sink.frames.back());
    EXPECT_EQ(rebind.sent.ip.dst, Ipv4Address::broadcast());
    EXPECT_EQ(rebind.dhcp.client_ip, our_ip);
    h.sink.frames.clear();
    run_until(h, at_secs(3600));
    EXPECT_FALSE(h.iface->ipv4().is_configured());
    EXPECT_EQ(h.iface->dhcp()->state(), DhcpState::Selecting);
    ASSERT_FALSE(h.sink.frames.empty());
    EXPECT_EQ(parse_dhcp(h.sink.frames.back()).dhcp.message_type, DhcpMessageType::Discover);
}

// A poll that first comes after T2 (the clock jumped past T1 and T2 at once) rebinds with one
// broadcast REQUEST. Before the fix it sent a RENEWING REQUEST and, in the same poll, a REBINDING
// one under a new xid (fuzz/regressions/dhcp_client/).
TEST(Dhcp, APollPastT2RebindsWithOneRequest)
{
    Harness h(dhcp_config());
    bind(h);
    h.sink.frames.clear();
    h.iface->poll(at_secs(3200));
    EXPECT_EQ(h.iface->dhcp()->state(), DhcpState::Rebinding);
    ASSERT_EQ(h.sink.frames.size(), 1u);
    DhcpSent rebind = parse_dhcp(h.sink.frames[0]);
    EXPECT_EQ(rebind.sent.ip.dst, Ipv4Address::broadcast());
    EXPECT_EQ(rebind.dhcp.transaction_id, h.iface->dhcp()->transaction_id());
    h.receive(reply_frame(server_reply(DhcpMessageType::Ack, rebind.dhcp.transaction_id), our_ip, our_mac), at_secs(3201));
    EXPECT_EQ(h.iface->dhcp()->state(), DhcpState::Bound);
}

TEST(Dhcp, NakRestartsFromDiscover)
{
    Harness h(dhcp_config());
    h.iface->poll({});
    DhcpSent discover = parse_dhcp(h.sink.frames[0]);
    h.receive(reply_frame(server_reply(DhcpMessageType::Offer, discover.dhcp.transaction_id)));
    DhcpSent request = parse_dhcp(h.sink.frames[1]);
    h.receive(reply_frame(server_reply(DhcpMessageType::Nak, request.dhcp.transaction_id)), at_millis(5));
    ASSERT_EQ(h.sink.frames.size(), 3u);
    DhcpSent again = parse_dhcp(h.sink.frames[2]);
    EXPECT_EQ(again.dhcp.message_type, DhcpMessageType::Discover);
    EXPECT_NE(again.dhcp.transaction_id, discover.dhcp.transaction_id);
    EXPECT_EQ(h.iface->dhcp()->state(), DhcpState::Selecting);
    EXPECT_FALSE(h.iface->ipv4().is_configured());
}

TEST(Dhcp, NakWhileRenewingDropsTheAddress)
{
    Harness h(dhcp_config());
    bind(h);
    run_until(h, at_secs(1800));
    h.receive(arp_frame(ArpOperation::Reply, peer_mac, server_ip, our_ip, our_mac, our_mac), at_secs(1800));
    ASSERT_EQ(h.sink.frames.size(), 2u);
    DhcpSent renew = parse_dhcp(h.sink.frames[1]);
    h.receive(reply_frame(server_reply(DhcpMessageType::Nak, renew.dhcp.transaction_id), our_ip, our_mac), at_secs(1800));
    EXPECT_FALSE(h.iface->ipv4().is_configured());
    EXPECT_EQ(h.iface->dhcp()->state(), DhcpState::Selecting);
    EXPECT_EQ(parse_dhcp(h.sink.frames.back()).dhcp.message_type, DhcpMessageType::Discover);
}

TEST(Dhcp, DiscoverIsRetransmittedWithBackoff)
{
    Harness h(dhcp_config());
    std::vector<u64> sent_at;
    for (u64 ms = 0; ms <= 70000; ms += 100) {
        usize before = h.sink.frames.size();
        h.iface->poll(at_millis(ms));
        if (h.sink.frames.size() > before)
            sent_at.push_back(ms);
    }
    ASSERT_GE(sent_at.size(), 4u);
    // 4 s, 8 s, 16 s, 32 s apart, each +-1 s (RFC 2131 §4.1).
    for (usize i = 1; i < sent_at.size() && i < 5; ++i) {
        u64 gap = sent_at[i] - sent_at[i - 1];
        u64 base = 4000u << (i - 1);
        EXPECT_GE(gap, base - 1000) << i;
        EXPECT_LE(gap, base + 1100) << i;
    }
    EXPECT_EQ(h.iface->dhcp()->state(), DhcpState::Selecting);
}

TEST(Dhcp, FallsBackToStaticWithoutAnOffer)
{
    auto config = dhcp_config();
    config.dhcp.has_fallback = true;
    config.dhcp.fallback_after = Duration::from_secs(30);
    config.dhcp.fallback.address = Ipv4Address::from_octets(192, 168, 7, 2);
    config.dhcp.fallback.prefix_len = 24;
    Harness h(config);
    run_until(h, at_secs(29));
    EXPECT_FALSE(h.iface->ipv4().is_configured());
    EXPECT_FALSE(h.iface->dhcp()->using_fallback());
    run_until(h, at_secs(30));
    EXPECT_TRUE(h.iface->dhcp()->using_fallback());
    EXPECT_EQ(h.iface->dhcp()->state(), DhcpState::Fallback);
    EXPECT_EQ(dhcp_state_name(h.iface->dhcp()->state()), lib::StringView("static fallback"));
    EXPECT_EQ(h.iface->ipv4().address, Ipv4Address::from_octets(192, 168, 7, 2));
    EXPECT_EQ(h.iface->next_deadline(), Instant::never());
}

TEST(Dhcp, TransactionIdsComeFromTheSeed)
{
    auto a = dhcp_config(), b = dhcp_config();
    b.dhcp.seed = 99;
    Harness ha(a), ha2(a), hb(b);
    ha.iface->poll({});
    ha2.iface->poll({});
    hb.iface->poll({});
    u32 xa = parse_dhcp(ha.sink.frames[0]).dhcp.transaction_id;
    EXPECT_EQ(xa, parse_dhcp(ha2.sink.frames[0]).dhcp.transaction_id);
    EXPECT_NE(xa, parse_dhcp(hb.sink.frames[0]).dhcp.transaction_id);
}

} // namespace
} // namespace net::iface::test

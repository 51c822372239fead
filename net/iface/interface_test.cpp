// Tests for the interface's IPv4 paths: an exact ping reply, ICMP error rules and rate limit, UDP
// sockets end to end, routing, and the RST answer without a TCP handler (RFC 792, RFC 1122,
// RFC 768, RFC 9293 §3.10.7.1).
#include "net/iface/test_support.h"

#include <string>

namespace net::iface::test {
namespace {

// `ping -c1 10.0.2.15` from 10.0.2.2: id 0x0d2f, seq 1, 56 data bytes (timeval + 0x10..0x37).
const Frame ping_request = {
    0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x54, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x01, 0x06, 0x53, 0x0a, 0x00, 0x02, 0x02, 0x0a, 0x00,
    0x02, 0x0f, 0x08, 0x00, 0xae, 0x54, 0x0d, 0x2f, 0x00, 0x01, 0xa1, 0xb2, 0x65, 0x67, 0x00, 0x00,
    0x00, 0x00, 0x6c, 0x8e, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
    0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
    0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35,
    0x36, 0x37,
};
// What the reply must be, byte for byte: IP id 0 with DF (RFC 6864 atomic), TTL 64, checksums.
const Frame ping_reply = {
    0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x54, 0x00, 0x00, 0x40, 0x00, 0x40, 0x01, 0x22, 0x99, 0x0a, 0x00, 0x02, 0x0f, 0x0a, 0x00,
    0x02, 0x02, 0x00, 0x00, 0xb6, 0x54, 0x0d, 0x2f, 0x00, 0x01, 0xa1, 0xb2, 0x65, 0x67, 0x00, 0x00,
    0x00, 0x00, 0x6c, 0x8e, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
    0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
    0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35,
    0x36, 0x37,
};

// The peer asks for our MAC first, as it would before pinging; that teaches us its MAC.
Harness with_peer_known(const InterfaceConfig& config = static_config())
{
    Harness h(config);
    h.receive(arp_frame(ArpOperation::Request, peer_mac, peer_ip, our_ip));
    h.sink.frames.clear();
    return h;
}

TEST(Icmp, PingGetsTheExactReply)
{
    Harness h = with_peer_known();
    h.receive(ping_request);
    ASSERT_EQ(h.sink.frames.size(), 1u);
    EXPECT_EQ(h.sink.frames[0], ping_reply);
    EXPECT_EQ(h.iface->counters().icmp_echo_replies, 1u);
    EXPECT_EQ(h.iface->counters().drops.total(), 0u);
}

TEST(Icmp, PingToAnUnknownNeighbourWaitsForArp)
{
    Harness h;
    h.receive(ping_request);
    ASSERT_EQ(h.sink.frames.size(), 1u);
    EXPECT_EQ(parse_arp(h.sink.frames[0]).target_protocol, peer_ip);
    h.receive(arp_frame(ArpOperation::Reply, peer_mac, peer_ip, our_ip, our_mac, our_mac));
    ASSERT_EQ(h.sink.frames.size(), 2u);
    EXPECT_EQ(h.sink.frames[1], ping_reply);
}

TEST(Icmp, BroadcastPingIsIgnored)
{
    Harness h = with_peer_known();
    Frame data(8, 0);
    h.receive(echo_frame(peer_ip, Ipv4Address::broadcast(), 1, 1, data, EthernetAddress::broadcast()));
    h.receive(echo_frame(peer_ip, Ipv4Address::from_octets(10, 0, 2, 255), 1, 2, data, EthernetAddress::broadcast()));
    // Unicast IP inside a link-layer broadcast is a broadcast too.
    h.receive(echo_frame(peer_ip, our_ip, 1, 3, data, EthernetAddress::broadcast()));
    EXPECT_TRUE(h.sink.frames.empty());
    EXPECT_EQ(h.drops(DropReason::BroadcastIgnored), 3u);
}

TEST(Icmp, RepliesAndErrorsAreNotAnswered)
{
    Harness h = with_peer_known();
    Frame data(8, 0);
    auto reply = IcmpRepr::echo_reply(1, 1, span(data));
    h.receive(ethernet(peer_mac, our_mac, 0x0800, ipv4_packet(peer_ip, our_ip, IpProtocol::Icmp, icmp_message(reply))));
    auto unreachable = IcmpRepr::destination_unreachable(3, 0, span(data));
    h.receive(ethernet(peer_mac, our_mac, 0x0800, ipv4_packet(peer_ip, our_ip, IpProtocol::Icmp, icmp_message(unreachable))));
    EXPECT_TRUE(h.sink.frames.empty());
    EXPECT_EQ(h.drops(DropReason::IcmpNotHandled), 2u);
}

TEST(Udp, ClosedPortGetsPortUnreachable)
{
    Harness h = with_peer_known();
    Frame data { 'x', 'y', 'z' };
    Frame request = udp_frame(peer_ip, our_ip, 40000, 9999, data);
    h.receive(request);
    ASSERT_EQ(h.sink.frames.size(), 1u);
    Sent s = parse_sent(h.sink.frames[0]);
    EXPECT_EQ(s.eth.dst, peer_mac);
    EXPECT_EQ(s.ip.src, our_ip);
    EXPECT_EQ(s.ip.dst, peer_ip);
    EXPECT_EQ(s.ip.protocol, IpProtocol::Icmp);
    auto view = IcmpView::checked(span(s.ip_payload));
    ASSERT_TRUE(view.is_ok());
    auto icmp = IcmpRepr::parse(view.value());
    ASSERT_TRUE(icmp.is_ok());
    EXPECT_EQ(icmp.value().type, IcmpType::DestinationUnreachable);
    EXPECT_EQ(icmp.value().code, 3);
    // The quote is the original IP header and the first 8 bytes (the UDP header).
    Frame quote(request.begin() + 14, request.begin() + 14 + 28);
    EXPECT_EQ(Frame(icmp.value().payload.begin(), icmp.value().payload.end()), quote);
    EXPECT_EQ(h.drops(DropReason::NoListener), 1u);
}

TEST(Udp, NoIcmpErrorForBroadcastDatagrams)
{
    Harness h = with_peer_known();
    Frame data { 1 };
    h.receive(udp_frame(peer_ip, Ipv4Address::broadcast(), 40000, 9999, data, peer_mac, EthernetAddress::broadcast()));
    h.receive(udp_frame(peer_ip, Ipv4Address::from_octets(10, 0, 2, 255), 40000, 9999, data, peer_mac, EthernetAddress::broadcast()));
    h.receive(udp_frame(peer_ip, our_ip, 40000, 9999, data, peer_mac, EthernetAddress::broadcast()));
    EXPECT_TRUE(h.sink.frames.empty());
    EXPECT_EQ(h.drops(DropReason::NoListener), 3u);
}

TEST(Udp, PortUnreachableIsRateLimited)
{
    auto config = static_config();
    config.icmp_error_burst = 3;
    config.icmp_error_interval = Duration::from_secs(1);
    Harness h = with_peer_known(config);
    Frame data { 1 };
    for (int i = 0; i < 10; ++i)
        h.receive(udp_frame(peer_ip, our_ip, 40000, 9999, data), at_millis(10 * u64(i)));
    EXPECT_EQ(h.sink.frames.size(), 3u);
    EXPECT_EQ(h.drops(DropReason::RateLimited), 7u);
    // One more token a second later.
    h.receive(udp_frame(peer_ip, our_ip, 40000, 9999, data), at_millis(1000));
    h.receive(udp_frame(peer_ip, our_ip, 40000, 9999, data), at_millis(1001));
    EXPECT_EQ(h.sink.frames.size(), 4u);
}

TEST(Udp, BindReceiveAndSendRoundTrip)
{
    Harness h = with_peer_known();
    auto sock = h.iface->udp().bind(5353);
    ASSERT_TRUE(sock.is_ok());
    EXPECT_FALSE(h.iface->udp().readable(sock.value()));
    EXPECT_TRUE(h.iface->udp_writable(sock.value()));
    Frame data { 'p', 'i', 'n', 'g' };
    h.receive(udp_frame(peer_ip, our_ip, 40000, 5353, data));
    EXPECT_TRUE(h.sink.frames.empty());
    EXPECT_TRUE(h.iface->udp().readable(sock.value()));
    u8 buffer[64];
    auto got = h.iface->udp().receive(sock.value(), lib::Bytes(buffer));
    ASSERT_TRUE(got.is_ok());
    EXPECT_EQ(got.value().src, peer_ip);
    EXPECT_EQ(got.value().src_port, 40000);
    EXPECT_EQ(got.value().dst, our_ip);
    ASSERT_EQ(got.value().length, 4u);
    EXPECT_EQ(Frame(buffer, buffer + 4), data);
    EXPECT_FALSE(h.iface->udp().readable(sock.value()));

    Frame answer { 'p', 'o', 'n', 'g', '!' };
    ASSERT_TRUE(h.iface->udp_send_to(sock.value(), peer_ip, 40000, span(answer), {}).is_ok());
    ASSERT_EQ(h.sink.frames.size(), 1u);
    Frame expected = udp_frame(our_ip, peer_ip, 5353, 40000, answer, our_mac, peer_mac);
    // Same bytes as the emitters produce, except the IP header's DF flag and checksum.
    Sent sent = parse_sent(h.sink.frames[0]);
    EXPECT_TRUE(sent.ip.dont_fragment);
    EXPECT_EQ(sent.ip.identification, 0);
    auto udp_view = UdpView::checked(span(sent.ip_payload));
    ASSERT_TRUE(udp_view.is_ok());
    auto udp = UdpRepr::parse(udp_view.value(), our_ip, peer_ip);
    ASSERT_TRUE(udp.is_ok());
    EXPECT_EQ(udp.value().src_port, 5353);
    EXPECT_EQ(udp.value().dst_port, 40000);
    EXPECT_EQ(Frame(udp.value().payload.begin(), udp.value().payload.end()), answer);
    EXPECT_EQ(Frame(h.sink.frames[0].begin() + 34, h.sink.frames[0].end()), Frame(expected.begin() + 34, expected.end()));
}

TEST(Udp, ReceiveQueueIsBoundedInDatagramsAndBytes)
{
    auto config = static_config();
    config.udp.queue_datagrams = 4;
    config.udp.queue_bytes = 1024;
    Harness h(config);
    auto sock = h.iface->udp().bind(7).value();
    Frame small(10, 1);
    for (int i = 0; i < 6; ++i)
        h.receive(udp_frame(peer_ip, our_ip, 1000, 7, small));
    EXPECT_EQ(h.iface->udp().queued_datagrams(sock), 4u);
    EXPECT_EQ(h.drops(DropReason::SocketQueueFull), 2u);
    u8 buffer[2000];
    while (h.iface->udp().receive(sock, lib::Bytes(buffer)).is_ok()) { }
    Frame big(600, 2);
    h.receive(udp_frame(peer_ip, our_ip, 1000, 7, big));
    h.receive(udp_frame(peer_ip, our_ip, 1000, 7, big));
    EXPECT_EQ(h.iface->udp().queued_datagrams(sock), 1u);
    EXPECT_LE(h.iface->udp().queued_bytes(sock), 1024u);
    EXPECT_EQ(h.drops(DropReason::SocketQueueFull), 3u);
    EXPECT_EQ(h.iface->counters().udp_delivered, 5u);
}

TEST(Udp, SendingTooMuchFails)
{
    Harness h = with_peer_known();
    auto sock = h.iface->udp().bind(7).value();
    Frame big(Interface::max_udp_payload + 1, 0);
    auto r = h.iface->udp_send_to(sock, peer_ip, 7, span(big), {});
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), UdpError::TooBig);
    Frame max(Interface::max_udp_payload, 0);
    ASSERT_TRUE(h.iface->udp_send_to(sock, peer_ip, 7, span(max), {}).is_ok());
    ASSERT_EQ(h.sink.frames.size(), 1u);
    EXPECT_EQ(h.sink.frames[0].size(), max_frame_len);
}

TEST(Routing, OnLinkGoesDirectOffLinkGoesToTheGateway)
{
    Harness h = with_peer_known();
    auto sock = h.iface->udp().bind(7).value();
    Frame data { 1 };
    ASSERT_TRUE(h.iface->udp_send_to(sock, remote_ip, 53, span(data), {}).is_ok());
    ASSERT_EQ(h.sink.frames.size(), 1u);
    Sent s = parse_sent(h.sink.frames[0]);
    EXPECT_EQ(s.eth.dst, peer_mac); // the gateway's MAC
    EXPECT_EQ(s.ip.dst, remote_ip);
    ASSERT_TRUE(h.iface->udp_send_to(sock, neighbour_ip, 53, span(data), {}).is_ok());
    ASSERT_EQ(h.sink.frames.size(), 2u);
    EXPECT_EQ(parse_arp(h.sink.frames[1]).target_protocol, neighbour_ip);
}

TEST(Routing, OffLinkWithoutGatewayIsDropped)
{
    auto config = static_config();
    config.static_ipv4.gateway = lib::nullopt;
    Harness h(config);
    auto sock = h.iface->udp().bind(7).value();
    Frame data { 1 };
    auto r = h.iface->udp_send_to(sock, remote_ip, 53, span(data), {});
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), UdpError::NoRoute);
    EXPECT_TRUE(h.sink.frames.empty());
    EXPECT_EQ(h.drops(DropReason::NoRoute), 1u);
}

TEST(Routing, RouteFunction)
{
    Ipv4Config c;
    c.address = our_ip;
    c.prefix_len = 24;
    auto direct = route(c, neighbour_ip);
    ASSERT_TRUE(direct.is_ok());
    EXPECT_EQ(direct.value().kind, NextHopKind::Unicast);
    EXPECT_EQ(direct.value().address, neighbour_ip);
    EXPECT_EQ(route(c, remote_ip).error(), DropReason::NoRoute);
    EXPECT_EQ(route(c, Ipv4Address::from_octets(10, 0, 2, 255)).value().kind, NextHopKind::Broadcast);
    EXPECT_EQ(route(c, Ipv4Address::from_octets(224, 0, 0, 1)).error(), DropReason::NoRoute);
    EXPECT_EQ(route(c, our_ip).error(), DropReason::NoRoute);
    c.gateway = peer_ip;
    EXPECT_EQ(route(c, remote_ip).value().address, peer_ip);
    EXPECT_EQ(route(Ipv4Config {}, neighbour_ip).error(), DropReason::NotConfigured);
    EXPECT_EQ(route(Ipv4Config {}, Ipv4Address::broadcast()).value().kind, NextHopKind::Broadcast);
    EXPECT_EQ(prefix_from_mask(mask_from_prefix(20)), 20);
    EXPECT_EQ(mask_from_prefix(0).value, 0u);
    EXPECT_EQ(mask_from_prefix(32).value, 0xffffffffu);
}

TEST(Routing, DatagramsForOtherAddressesAreNotForUs)
{
    Harness h = with_peer_known();
    auto sock = h.iface->udp().bind(7).value();
    Frame data { 1 };
    h.receive(udp_frame(peer_ip, neighbour_ip, 1, 7, data));
    h.receive(udp_frame(peer_ip, our_ip, 1, 7, data, peer_mac, other_mac));
    EXPECT_EQ(h.drops(DropReason::NotForUs), 2u);
    EXPECT_FALSE(h.iface->udp().readable(sock));
}

TcpRepr syn(u32 seq)
{
    TcpRepr r;
    r.src_port = 45678;
    r.dst_port = 80;
    r.seq = { seq };
    r.flags.bits = TcpFlags::syn;
    r.window = 64240;
    r.options.mss = u16(1460);
    return r;
}

TcpRepr parse_tcp(const Sent& s, Ipv4Address src, Ipv4Address dst)
{
    auto view = TcpView::checked(span(s.ip_payload));
    EXPECT_TRUE(view.is_ok());
    return TcpRepr::parse(view.value(), src, dst).value();
}

TEST(Tcp, SynWithoutHandlerGetsRstAck)
{
    Harness h = with_peer_known();
    h.receive(tcp_frame(peer_ip, our_ip, syn(0xfffffffeu)));
    ASSERT_EQ(h.sink.frames.size(), 1u);
    Sent s = parse_sent(h.sink.frames[0]);
    EXPECT_EQ(s.eth.dst, peer_mac);
    EXPECT_EQ(s.ip.protocol, IpProtocol::Tcp);
    TcpRepr rst = parse_tcp(s, our_ip, peer_ip);
    EXPECT_EQ(rst.src_port, 80);
    EXPECT_EQ(rst.dst_port, 45678);
    EXPECT_EQ(rst.flags.bits, TcpFlags::rst | TcpFlags::ack);
    EXPECT_EQ(rst.seq.value, 0u);
    EXPECT_EQ(rst.ack.value, 0xffffffffu); // SEG.SEQ + 1 for the SYN
    EXPECT_EQ(rst.payload_len, 0u);
    EXPECT_EQ(h.drops(DropReason::NoListener), 1u);
    EXPECT_EQ(h.iface->counters().tcp_resets_sent, 1u);
}

TEST(Tcp, AckSegmentsGetRstWithTheirAckAsSeqAndRstsGetNothing)
{
    Harness h = with_peer_known();
    TcpRepr seg;
    seg.src_port = 45678;
    seg.dst_port = 80;
    seg.seq = { 1000 };
    seg.ack = { 777 };
    seg.flags.bits = TcpFlags::ack | TcpFlags::psh | TcpFlags::fin;
    seg.window = 100;
    seg.payload_len = 3;
    h.receive(tcp_frame(peer_ip, our_ip, seg, Frame { 'a', 'b', 'c' }));
    ASSERT_EQ(h.sink.frames.size(), 1u);
    TcpRepr rst = parse_tcp(parse_sent(h.sink.frames[0]), our_ip, peer_ip);
    EXPECT_EQ(rst.flags.bits, TcpFlags::rst);
    EXPECT_EQ(rst.seq.value, 777u);
    seg.flags.bits = TcpFlags::rst;
    seg.ack = {};
    seg.payload_len = 0;
    h.receive(tcp_frame(peer_ip, our_ip, seg));
    EXPECT_EQ(h.sink.frames.size(), 1u);
    // FIN without ACK: ack covers data and FIN.
    seg.flags.bits = TcpFlags::fin;
    seg.payload_len = 3;
    h.receive(tcp_frame(peer_ip, our_ip, seg, Frame { 'a', 'b', 'c' }));
    ASSERT_EQ(h.sink.frames.size(), 2u);
    rst = parse_tcp(parse_sent(h.sink.frames[1]), our_ip, peer_ip);
    EXPECT_EQ(rst.flags.bits, TcpFlags::rst | TcpFlags::ack);
    EXPECT_EQ(rst.ack.value, 1004u);
}

struct RecordingTcp final : TcpHandler {
    struct Seen {
        Ipv4Address src, dst;
        TcpRepr repr;
        Frame payload;
    };
    std::vector<Seen> seen;
    Instant deadline { Instant::never() };
    int polls { 0 };
    void on_segment(Ipv4Address src, Ipv4Address dst, const TcpRepr& r, lib::ReadonlyBytes p, Instant) override
    {
        seen.push_back({ src, dst, r, Frame(p.begin(), p.end()) });
    }
    void poll(Instant) override { ++polls; }
    Instant next_deadline() const override { return deadline; }
};

TEST(Tcp, SegmentsGoToTheHandlerAndSendTcpBuildsFrames)
{
    Harness h = with_peer_known();
    RecordingTcp tcp;
    tcp.deadline = at_secs(3);
    h.iface->set_tcp_handler(&tcp);
    h.receive(tcp_frame(peer_ip, our_ip, syn(42)));
    ASSERT_EQ(tcp.seen.size(), 1u);
    EXPECT_EQ(tcp.seen[0].src, peer_ip);
    EXPECT_EQ(tcp.seen[0].dst, our_ip);
    EXPECT_EQ(tcp.seen[0].repr, syn(42));
    EXPECT_TRUE(h.sink.frames.empty());
    EXPECT_EQ(h.iface->next_deadline(), at_secs(3));
    h.iface->poll(at_secs(3));
    EXPECT_EQ(tcp.polls, 1);

    TcpRepr synack = syn(1000);
    synack.src_port = 80;
    synack.dst_port = 45678;
    synack.flags.bits = TcpFlags::syn | TcpFlags::ack;
    synack.ack = { 43 };
    ASSERT_TRUE(h.iface->send_tcp(our_ip, peer_ip, synack, {}, {}).is_ok());
    ASSERT_EQ(h.sink.frames.size(), 1u);
    Sent sent = parse_sent(h.sink.frames[0]);
    EXPECT_EQ(sent.eth.dst, peer_mac);
    EXPECT_EQ(sent.ip.src, our_ip);
    EXPECT_EQ(sent.ip.dst, peer_ip);
    EXPECT_EQ(parse_tcp(parse_sent(h.sink.frames[0]), our_ip, peer_ip), synack);
    auto wrong_src = h.iface->send_tcp(neighbour_ip, peer_ip, synack, {}, {});
    ASSERT_TRUE(wrong_src.is_error());
    EXPECT_EQ(wrong_src.error(), DropReason::NotConfigured);
}

TEST(Tcp, BroadcastSegmentsAreIgnored)
{
    Harness h = with_peer_known();
    Frame f = ethernet(peer_mac, EthernetAddress::broadcast(), 0x0800,
        ipv4_packet(peer_ip, Ipv4Address::broadcast(), IpProtocol::Tcp, tcp_segment(peer_ip, Ipv4Address::broadcast(), syn(1), {})));
    h.receive(f);
    EXPECT_TRUE(h.sink.frames.empty());
    EXPECT_EQ(h.drops(DropReason::BroadcastIgnored), 1u);
}

TEST(Counters, FormatListsEveryCounterByName)
{
    Harness h;
    h.receive(Frame(5, 0));
    char buffer[4096];
    lib::BufferSink sink(buffer, sizeof buffer);
    format_counters(sink, h.iface->counters());
    std::string text(sink.view().chars(), sink.view().length());
    EXPECT_FALSE(sink.truncated());
    EXPECT_NE(text.find("rx frames: 1\n"), std::string::npos);
    EXPECT_NE(text.find("drop truncated: 1\n"), std::string::npos);
    EXPECT_NE(text.find("drop arp cache full: 0\n"), std::string::npos);
    EXPECT_NE(text.find("drop rate limited: 0\n"), std::string::npos);
    for (usize i = 0; i < drop_reason_count; ++i)
        EXPECT_NE(drop_reason_name(DropReason(u8(i))), lib::StringView("?"));
}

} // namespace
} // namespace net::iface::test

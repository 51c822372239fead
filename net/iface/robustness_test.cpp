// Robustness of Interface::receive: every malformed frame class is dropped, counted under its
// reason, and answered with nothing; and a property over arbitrary frames (no crash, no frame
// over 1514 bytes, the ARP cache within its bound).
#include "net/iface/test_support.h"
#include "net/wire/checksum.h"

#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

namespace net::iface::test {
namespace {

Frame ip_frame(const Frame& ip_packet, EthernetAddress src = peer_mac)
{
    return ethernet(src, our_mac, u16(EtherType::Ipv4), ip_packet);
}

Frame valid_udp_packet() { return ipv4_packet(peer_ip, our_ip, IpProtocol::Udp, udp_datagram(peer_ip, our_ip, 1000, 9, Frame(12, 7))); }

Frame with_byte(Frame f, usize offset, u8 value)
{
    f.at(offset) = value;
    return f;
}

struct Case {
    const char* name;
    Frame frame;
    DropReason reason;
};

std::vector<Case> malformed_cases()
{
    Frame udp = valid_udp_packet();
    Frame icmp = ipv4_packet(peer_ip, our_ip, IpProtocol::Icmp, icmp_message(IcmpRepr::echo_request(1, 1, span(Frame(8, 1)))));
    TcpRepr syn;
    syn.src_port = 1234;
    syn.dst_port = 80;
    syn.flags.bits = TcpFlags::syn;
    Frame tcp = ipv4_packet(peer_ip, our_ip, IpProtocol::Tcp, tcp_segment(peer_ip, our_ip, syn, {}));
    Frame fragment = udp;
    fragment[6] = 0x20; // more fragments
    fragment[10] = fragment[11] = 0;
    Ipv4View fv = Ipv4View::checked(span(fragment)).value();
    u16 sum = wire::checksum::of(fv.header());
    fragment[10] = u8(sum >> 8);
    fragment[11] = u8(sum);
    Frame bcast_src = ipv4_packet(Ipv4Address::broadcast(), our_ip, IpProtocol::Udp, udp_datagram(peer_ip, our_ip, 1, 9, {}));
    Frame short_udp = ipv4_packet(peer_ip, our_ip, IpProtocol::Udp, Frame(4, 0));
    Frame short_icmp = ipv4_packet(peer_ip, our_ip, IpProtocol::Icmp, Frame(4, 0));
    Frame udp_long = with_byte(udp, 20 + 5, 200); // UDP length 200 > 20 bytes present
    EthernetAddress group_src { { 0x01, 0x00, 0x5e, 0, 0, 1 } };
    return {
        { "ethernet truncated", Frame(13, 0), DropReason::Truncated },
        { "ip truncated", ip_frame(Frame(udp.begin(), udp.begin() + 12)), DropReason::Truncated },
        { "ip total length lies", ip_frame(with_byte(udp, 2, 0x05)), DropReason::BadLength },
        { "ip header length lies", ip_frame(with_byte(udp, 0, 0x4f)), DropReason::BadLength },
        { "ip version 6", ip_frame(with_byte(udp, 0, 0x65)), DropReason::BadVersion },
        { "ip bad checksum", ip_frame(with_byte(udp, 10, u8(udp[10] ^ 0xff))), DropReason::BadChecksum },
        { "ip broadcast source", ip_frame(bcast_src), DropReason::BadAddress },
        { "fragment", ip_frame(fragment), DropReason::Fragment },
        { "udp truncated", ip_frame(short_udp), DropReason::Truncated },
        { "udp length lies", ip_frame(udp_long), DropReason::BadLength },
        { "udp bad checksum", ip_frame(with_byte(udp, 26, u8(udp[26] ^ 0x55))), DropReason::BadChecksum },
        { "icmp truncated", ip_frame(short_icmp), DropReason::Truncated },
        { "icmp bad checksum", ip_frame(with_byte(icmp, 22, u8(icmp[22] ^ 1))), DropReason::BadChecksum },
        { "tcp bad checksum", ip_frame(with_byte(tcp, 36, u8(tcp[36] ^ 1))), DropReason::BadChecksum },
        { "tcp truncated", ip_frame(ipv4_packet(peer_ip, our_ip, IpProtocol::Tcp, Frame(10, 0))), DropReason::Truncated },
        { "multicast source mac", ip_frame(udp, group_src), DropReason::BadAddress },
        { "unknown ethertype", ethernet(peer_mac, our_mac, 0x86dd, udp), DropReason::UnknownEthertype },
        { "vlan tag", ethernet(peer_mac, our_mac, 0x8100, udp), DropReason::UnknownEthertype },
        { "unknown ip protocol", ip_frame(ipv4_packet(peer_ip, our_ip, IpProtocol(47), Frame(8, 0))), DropReason::UnknownProtocol },
        { "arp truncated", ethernet(peer_mac, our_mac, 0x0806, Frame(20, 0)), DropReason::Truncated },
        { "oversized frame", ip_frame(Frame(1600, 0)), DropReason::TooBig },
        { "another host's mac", ethernet(peer_mac, other_mac, 0x0800, udp), DropReason::NotForUs },
    };
}

TEST(Robustness, EveryMalformedFrameIsDroppedAndCountedUnderItsReason)
{
    for (const Case& c : malformed_cases()) {
        SCOPED_TRACE(c.name);
        Harness h;
        // Know the peer, so an answer could be sent at once if the interface wrongly made one.
        h.receive(arp_frame(ArpOperation::Request, peer_mac, peer_ip, our_ip));
        h.sink.frames.clear();
        h.receive(c.frame);
        EXPECT_EQ(h.drops(c.reason), 1u) << std::string(drop_reason_name(c.reason).chars(), drop_reason_name(c.reason).length());
        EXPECT_EQ(h.iface->counters().drops.total(), 1u);
        EXPECT_TRUE(h.sink.frames.empty());
    }
}

TEST(Robustness, TheValidFrameTheCasesAreMadeFromIsAccepted)
{
    Harness h;
    auto sock = h.iface->udp().bind(9).value();
    h.receive(ip_frame(valid_udp_packet()));
    EXPECT_EQ(h.iface->counters().drops.total(), 0u);
    EXPECT_TRUE(h.iface->udp().readable(sock));
}

// Frames that get past the outer checks often enough to exercise the inner parsers.
rc::Gen<Frame> arbitrary_frame()
{
    return rc::gen::mapcat(rc::gen::inRange(0, 5), [](int mode) {
        return rc::gen::map(rc::gen::container<Frame>(rc::gen::arbitrary<u8>()), [mode](Frame tail) {
            switch (mode) {
            case 0:
                return tail;
            case 1:
                return ethernet(peer_mac, our_mac, 0x0800, tail);
            case 2:
                return ethernet(peer_mac, EthernetAddress::broadcast(), 0x0806, tail);
            default: {
                u8 protocol = tail.empty() ? 17 : u8(tail[0] % 3 == 0 ? 1 : tail[0] % 3 == 1 ? 6 : 17);
                Ipv4Address dst = mode == 3 ? our_ip : Ipv4Address::broadcast();
                return ethernet(peer_mac, our_mac, 0x0800, ipv4_packet(peer_ip, dst, IpProtocol(protocol), tail));
            }
            }
        });
    });
}

void check_arbitrary_frames(const InterfaceConfig& config, const std::vector<Frame>& frames)
{
    Harness h(config);
    auto sock = h.iface->udp().bind(7);
    RC_ASSERT(sock.is_ok());
    u64 t = 0;
    for (const Frame& f : frames) {
        h.iface->receive(span(f), Instant { t });
        h.iface->poll(Instant { t });
        t += 300000;
        RC_ASSERT(h.iface->arp_cache().size() <= config.arp.capacity);
    }
    for (const Frame& out : h.sink.frames)
        RC_ASSERT(out.size() <= max_frame_len);
    RC_ASSERT(h.iface->counters().rx_frames == frames.size());
}

RC_GTEST_PROP(Robustness, ArbitraryFramesNeverCrashNorOverflow, ())
{
    auto frames = *rc::gen::container<std::vector<Frame>>(arbitrary_frame());
    auto config = static_config();
    config.arp.capacity = 4;
    check_arbitrary_frames(config, frames);
    config.addressing = Addressing::Dhcp;
    check_arbitrary_frames(config, frames);
}

RC_GTEST_PROP(Robustness, ArpFloodsStayWithinTheBound, (std::vector<std::pair<u32, u8>> senders))
{
    auto config = static_config();
    config.arp.capacity = 8;
    Harness h(config);
    for (auto [ip, op] : senders) {
        EthernetAddress mac { { 0x02, u8(ip), u8(ip >> 8), u8(ip >> 16), u8(ip >> 24), op } };
        auto kind = op % 2 ? ArpOperation::Request : ArpOperation::Reply;
        Ipv4Address target = op % 3 ? our_ip : Ipv4Address { ip ^ 1 };
        h.receive(arp_frame(kind, mac, Ipv4Address { ip }, target));
        RC_ASSERT(h.iface->arp_cache().size() <= 8u);
    }
    for (const Frame& out : h.sink.frames)
        RC_ASSERT(out.size() <= max_frame_len);
}

} // namespace
} // namespace net::iface::test

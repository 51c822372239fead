// Tests for the ARP cache and the interface's ARP handling (RFC 826, RFC 1122 §2.3.2): replies,
// the hard bound under spoofing, expiry, pending packets and the retry limit.
#include "net/iface/test_support.h"

namespace net::iface::test {
namespace {

Frame peer_request_for_us() { return arp_frame(ArpOperation::Request, peer_mac, peer_ip, our_ip); }

TEST(Arp, RequestForUsIsAnsweredAndLearned)
{
    Harness h;
    h.receive(peer_request_for_us());
    ASSERT_EQ(h.sink.frames.size(), 1u);
    const Frame& f = h.sink.frames[0];
    ASSERT_EQ(f.size(), 42u);
    auto eth = parse_sent(f).eth;
    EXPECT_EQ(eth.dst, peer_mac);
    EXPECT_EQ(eth.src, our_mac);
    EXPECT_EQ(eth.ethertype, EtherType::Arp);
    ArpRepr reply = parse_arp(f);
    EXPECT_EQ(reply, (ArpRepr { ArpOperation::Reply, our_mac, our_ip, peer_mac, peer_ip }));
    EXPECT_EQ(h.iface->arp_cache().lookup(peer_ip, {}), lib::Optional<EthernetAddress>(peer_mac));
    EXPECT_EQ(h.iface->counters().arp_replies_sent, 1u);
    EXPECT_EQ(h.iface->counters().drops.total(), 0u);
}

TEST(Arp, RequestForAnotherHostIsNotAnsweredNorLearned)
{
    Harness h;
    h.receive(arp_frame(ArpOperation::Request, peer_mac, peer_ip, neighbour_ip));
    EXPECT_TRUE(h.sink.frames.empty());
    EXPECT_EQ(h.iface->arp_cache().size(), 0u);
    EXPECT_EQ(h.drops(DropReason::ArpNotForUs), 1u);
}

TEST(Arp, UnsolicitedRepliesNeverCreateEntries)
{
    Harness h;
    for (u32 i = 0; i < 1000; ++i) {
        EthernetAddress mac { { 0x02, 0, 0, u8(i >> 16), u8(i >> 8), u8(i) } };
        h.receive(arp_frame(ArpOperation::Reply, mac, Ipv4Address { 0x0a030000u + i }, our_ip, our_mac, our_mac));
    }
    EXPECT_EQ(h.iface->arp_cache().size(), 0u);
    EXPECT_EQ(h.drops(DropReason::ArpNotForUs), 1000u);
    EXPECT_TRUE(h.sink.frames.empty());
}

TEST(Arp, SpoofedRequestsCannotGrowTheCachePastItsBound)
{
    auto config = static_config();
    config.arp.capacity = 64;
    Harness h(config);
    for (u32 i = 0; i < 1000; ++i) {
        EthernetAddress mac { { 0x02, 0, 0, u8(i >> 16), u8(i >> 8), u8(i) } };
        h.receive(arp_frame(ArpOperation::Request, mac, Ipv4Address { 0x0a010000u + i }, our_ip), at_millis(i));
        ASSERT_LE(h.iface->arp_cache().size(), 64u);
    }
    EXPECT_EQ(h.iface->arp_cache().size(), 64u);
    EXPECT_EQ(h.iface->counters().arp_evictions, 1000u - 64u);
    // The oldest were evicted, the newest kept.
    EXPECT_FALSE(h.iface->arp_cache().lookup(Ipv4Address { 0x0a010000u }, at_secs(2)).has_value());
    EXPECT_TRUE(h.iface->arp_cache().lookup(Ipv4Address { 0x0a010000u + 999 }, at_secs(2)).has_value());
}

TEST(Arp, ExistingEntriesAreUpdatedByAnyArpPacket)
{
    Harness h;
    h.receive(peer_request_for_us());
    // A gratuitous ARP from the peer with a new MAC updates the entry (RFC 826 merge).
    h.receive(arp_frame(ArpOperation::Request, other_mac, peer_ip, peer_ip));
    EXPECT_EQ(h.iface->arp_cache().lookup(peer_ip, {}), lib::Optional<EthernetAddress>(other_mac));
    EXPECT_EQ(h.drops(DropReason::ArpNotForUs), 0u);
}

TEST(Arp, GratuitousArpForOurAddressIsAConflictAndNotLearned)
{
    Harness h;
    h.receive(arp_frame(ArpOperation::Request, other_mac, our_ip, our_ip));
    h.receive(arp_frame(ArpOperation::Reply, other_mac, our_ip, our_ip));
    EXPECT_EQ(h.drops(DropReason::AddressConflict), 2u);
    EXPECT_EQ(h.iface->arp_cache().size(), 0u);
    EXPECT_TRUE(h.sink.frames.empty());
}

TEST(Arp, EntriesExpire)
{
    Harness h;
    h.receive(peer_request_for_us(), at_secs(0));
    EXPECT_TRUE(h.iface->arp_cache().lookup(peer_ip, at_secs(59)).has_value());
    EXPECT_EQ(h.iface->next_deadline(), at_secs(60));
    EXPECT_FALSE(h.iface->arp_cache().lookup(peer_ip, at_secs(60)).has_value());
    h.iface->poll(at_secs(60));
    EXPECT_EQ(h.iface->arp_cache().size(), 0u);
    EXPECT_EQ(h.iface->next_deadline(), Instant::never());
}

TEST(Arp, PendingPacketIsSentOnceResolved)
{
    Harness h;
    auto sock = h.iface->udp().bind(5000).value();
    Frame data { 'h', 'i' };
    ASSERT_TRUE(h.iface->udp_send_to(sock, neighbour_ip, 53, span(data), {}).is_ok());
    ASSERT_EQ(h.sink.frames.size(), 1u);
    ArpRepr request = parse_arp(h.sink.frames[0]);
    EXPECT_EQ(request, (ArpRepr { ArpOperation::Request, our_mac, our_ip, EthernetAddress {}, neighbour_ip }));
    EXPECT_EQ(parse_sent(h.sink.frames[0]).eth.dst, EthernetAddress::broadcast());

    h.receive(arp_frame(ArpOperation::Reply, other_mac, neighbour_ip, our_ip, our_mac, our_mac), at_millis(5));
    ASSERT_EQ(h.sink.frames.size(), 2u);
    Sent s = parse_sent(h.sink.frames[1]);
    EXPECT_EQ(s.eth.dst, other_mac);
    EXPECT_EQ(s.ip.dst, neighbour_ip);
    EXPECT_EQ(s.ip.protocol, IpProtocol::Udp);
    // Not sent twice.
    h.receive(arp_frame(ArpOperation::Reply, other_mac, neighbour_ip, our_ip, our_mac, our_mac), at_millis(6));
    h.iface->poll(at_secs(5));
    EXPECT_EQ(h.sink.frames.size(), 2u);
}

TEST(Arp, OnlyTheNewestPendingPacketIsKept)
{
    Harness h;
    auto sock = h.iface->udp().bind(5000).value();
    Frame first { 1 }, second { 2, 2 };
    ASSERT_TRUE(h.iface->udp_send_to(sock, neighbour_ip, 53, span(first), {}).is_ok());
    ASSERT_TRUE(h.iface->udp_send_to(sock, neighbour_ip, 53, span(second), {}).is_ok());
    EXPECT_EQ(h.sink.frames.size(), 1u); // one ARP request only
    EXPECT_EQ(h.drops(DropReason::ArpPendingReplaced), 1u);
    h.receive(arp_frame(ArpOperation::Reply, other_mac, neighbour_ip, our_ip, our_mac, our_mac));
    ASSERT_EQ(h.sink.frames.size(), 2u);
    Sent s = parse_sent(h.sink.frames[1]);
    EXPECT_EQ(s.ip_payload.size(), 8u + 2u);
}

TEST(Arp, RetriesAreBoundedThenThePacketIsDropped)
{
    auto config = static_config();
    config.arp.max_requests = 3;
    config.arp.retry_interval = Duration::from_secs(1);
    Harness h(config);
    auto sock = h.iface->udp().bind(5000).value();
    Frame data { 1 };
    ASSERT_TRUE(h.iface->udp_send_to(sock, neighbour_ip, 53, span(data), {}).is_ok());
    for (u64 t = 1; t <= 10; ++t)
        h.iface->poll(at_secs(t));
    ASSERT_EQ(h.sink.frames.size(), 3u);
    for (const Frame& f : h.sink.frames)
        EXPECT_EQ(parse_arp(f).target_protocol, neighbour_ip);
    EXPECT_EQ(h.iface->counters().arp_requests_sent, 3u);
    EXPECT_EQ(h.drops(DropReason::ArpUnresolved), 1u);
    EXPECT_EQ(h.iface->arp_cache().size(), 0u);
    EXPECT_EQ(h.iface->next_deadline(), Instant::never());
}

TEST(ArpCache, PendingSlotsAreBounded)
{
    Counters counters;
    ArpConfig config;
    config.capacity = 4;
    config.pending_slots = 1;
    ArpCache cache(config, counters);
    Frame f(60, 0xab);
    EXPECT_EQ(cache.queue(Ipv4Address { 1 }, span(f), {}), ArpCache::Queued::SendRequest);
    EXPECT_EQ(cache.queue(Ipv4Address { 2 }, span(f), {}), ArpCache::Queued::SendRequest);
    EXPECT_EQ(counters.drops[DropReason::ArpPendingFull], 1u);
    auto learned = cache.learn(Ipv4Address { 1 }, peer_mac, ArpCache::Learn::UpdateOnly, {});
    EXPECT_TRUE(learned.stored);
    EXPECT_EQ(learned.pending.size(), 60u);
    EXPECT_EQ(learned.pending[0], 0xab);
    // The slot is free again.
    EXPECT_EQ(cache.queue(Ipv4Address { 3 }, span(f), {}), ArpCache::Queued::SendRequest);
    EXPECT_EQ(counters.drops[DropReason::ArpPendingFull], 1u);
}

TEST(ArpCache, EvictingAnUnresolvedEntryCountsItsPendingPacket)
{
    Counters counters;
    ArpConfig config;
    config.capacity = 1;
    ArpCache cache(config, counters);
    Frame f(60, 1);
    (void)cache.queue(Ipv4Address { 1 }, span(f), at_secs(1));
    (void)cache.queue(Ipv4Address { 2 }, span(f), at_secs(2));
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(counters.drops[DropReason::ArpCacheFull], 1u);
    EXPECT_EQ(counters.arp_evictions, 1u);
}

} // namespace
} // namespace net::iface::test

// Tests for net/wire/ethernet: real frames, hostile frames, and round trips (RFC 894).
#include "net/wire/ethernet.h"
#include "net/wire/test_support.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <string>
#include <vector>

namespace {

using namespace net::wire;

using net::wire::test_support::span;

using net::wire::test_support::outcome;

lib::Result<EthernetRepr, WireError> decode(lib::ReadonlyBytes bytes)
{
    auto view = TRY(EthernetView::checked(bytes));
    return EthernetRepr::parse(view);
}

// QEMU slirp's gateway (10.0.2.2, 52:55:0a:00:02:02) asking who-has 10.0.2.15, as Wireshark shows
// it: 42 bytes of Ethernet + ARP, padded with zeros to the 60-byte minimum.
const std::vector<u8> arp_request_frame = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 0x08, 0x06, // Ethernet
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, // ARP
    0x0a, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x02, 0x0f,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // padding
    0x00, 0x00, 0x00, 0x00,
};

EthernetAddress mac(u8 a, u8 b, u8 c, u8 d, u8 e, u8 f) { return { { a, b, c, d, e, f } }; }

EthernetAddress any_mac()
{
    EthernetAddress a;
    for (auto& o : a.octets)
        o = *rc::gen::arbitrary<u8>();
    return a;
}

EthernetAddress any_unicast_mac()
{
    EthernetAddress a = any_mac();
    a.octets[0] &= 0xfe;
    return a;
}

TEST(Ethernet, DecodesArpRequestFrame)
{
    auto view = EthernetView::checked(span(arp_request_frame));
    ASSERT_TRUE(view.is_ok());
    EXPECT_EQ(view.value().dst(), EthernetAddress::broadcast());
    EXPECT_EQ(view.value().src(), mac(0x52, 0x55, 0x0a, 0x00, 0x02, 0x02));
    EXPECT_EQ(view.value().ethertype(), 0x0806);
    // The payload is everything after the header, padding included.
    EXPECT_EQ(view.value().payload().size(), 46u);
    EXPECT_EQ(view.value().payload().data(), arp_request_frame.data() + 14);
    EXPECT_EQ(view.value().header().size(), 14u);
    auto repr = EthernetRepr::parse(view.value());
    ASSERT_TRUE(repr.is_ok());
    EXPECT_EQ(repr.value().ethertype, EtherType::Arp);
    EXPECT_EQ(repr.value().src, mac(0x52, 0x55, 0x0a, 0x00, 0x02, 0x02));
    EXPECT_TRUE(repr.value().dst.is_broadcast());
}

TEST(Ethernet, EmitsTheCapturedHeader)
{
    EthernetRepr repr { mac(0x52, 0x55, 0x0a, 0x00, 0x02, 0x02), EthernetAddress::broadcast(), EtherType::Arp };
    u8 out[14] = {};
    lib::ByteWriter writer { lib::Bytes(out) };
    repr.emit(writer);
    EXPECT_EQ(writer.remaining(), 0u);
    EXPECT_EQ(std::vector<u8>(out, out + 14), std::vector<u8>(arp_request_frame.begin(), arp_request_frame.begin() + 14));
}

TEST(Ethernet, UnknownEthertypesAndVlanTagsAreCarriedRaw)
{
    for (u16 type : { u16(0x86dd), u16(0x8100), u16(0x88cc), u16(0x0042) }) {
        std::vector<u8> frame = arp_request_frame;
        frame[12] = u8(type >> 8);
        frame[13] = u8(type);
        auto repr = decode(span(frame));
        ASSERT_TRUE(repr.is_ok());
        EXPECT_EQ(u16(repr.value().ethertype), type);
        EXPECT_NE(repr.value().ethertype, EtherType::Ipv4);
        EXPECT_NE(repr.value().ethertype, EtherType::Arp);
    }
}

TEST(Ethernet, TruncatedAtEveryLength)
{
    for (usize len = 0; len < 14; ++len)
        EXPECT_EQ(outcome(EthernetView::checked({ arp_request_frame.data(), len })), "truncated") << len;
    auto header_only = EthernetView::checked({ arp_request_frame.data(), 14 });
    ASSERT_TRUE(header_only.is_ok());
    EXPECT_TRUE(header_only.value().payload().is_empty());
}

TEST(Ethernet, GroupSourcesAreRejected)
{
    std::vector<u8> frame = arp_request_frame;
    // Broadcast source.
    for (usize i = 6; i < 12; ++i)
        frame[i] = 0xff;
    EXPECT_EQ(outcome(decode(span(frame))), "bad address");
    // IPv4 multicast MAC 01:00:5e:00:00:fb as source.
    const u8 mdns[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
    for (usize i = 0; i < 6; ++i)
        frame[6 + i] = mdns[i];
    EXPECT_EQ(outcome(decode(span(frame))), "bad address");
    // Only the I/G bit matters: a locally administered unicast source (02:...) is fine.
    frame[6] = 0x02;
    EXPECT_EQ(outcome(decode(span(frame))), "ok");
}

RC_GTEST_PROP(Ethernet, ReprRoundTrips, ())
{
    EthernetRepr repr { any_unicast_mac(), any_mac(), EtherType(*rc::gen::arbitrary<u16>()) };
    std::vector<u8> buffer(repr.buffer_len());
    lib::ByteWriter writer { lib::Bytes(buffer.data(), buffer.size()) };
    repr.emit(writer);
    RC_ASSERT(writer.remaining() == 0u);
    auto parsed = decode(span(buffer));
    RC_ASSERT(parsed.is_ok());
    RC_ASSERT(parsed.value() == repr);
}

// Ethernet headers are canonical: any accepted header re-emits byte for byte.
RC_GTEST_PROP(Ethernet, AcceptedHeadersReemitIdentically, ())
{
    auto frame = *rc::gen::container<std::vector<u8>>(14, rc::gen::arbitrary<u8>());
    frame[6] &= 0xfe;
    auto parsed = decode(span(frame));
    RC_ASSERT(parsed.is_ok());
    std::vector<u8> out(parsed.value().buffer_len());
    lib::ByteWriter writer { lib::Bytes(out.data(), out.size()) };
    parsed.value().emit(writer);
    RC_ASSERT(out == frame);
}

RC_GTEST_PROP(Ethernet, ArbitraryBytesStayInBounds, ())
{
    auto bytes = *rc::gen::arbitrary<std::vector<u8>>();
    auto view = EthernetView::checked(span(bytes));
    if (bytes.size() < 14) {
        RC_ASSERT(outcome(view) == "truncated");
        return;
    }
    RC_ASSERT(view.is_ok());
    auto payload = view.value().payload();
    RC_ASSERT(payload.data() == bytes.data() + 14);
    RC_ASSERT(payload.size() == bytes.size() - 14);
    auto repr = EthernetRepr::parse(view.value());
    RC_ASSERT(repr.is_ok() == ((bytes[6] & 1) == 0));
}

} // namespace

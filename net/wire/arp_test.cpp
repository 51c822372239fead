// Tests for net/wire/arp: real Ethernet/IPv4 ARP packets, hostile packets, round trips (RFC 826).
#include "net/wire/arp.h"
#include "net/wire/test_support.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <string>
#include <vector>

namespace {

using namespace net::wire;

using net::wire::test_support::span;

using net::wire::test_support::outcome;

lib::Result<ArpRepr, WireError> decode(lib::ReadonlyBytes bytes)
{
    auto view = TRY(ArpView::checked(bytes));
    return ArpRepr::parse(view);
}

// Who has 10.0.2.15? Tell 10.0.2.2 (QEMU slirp's gateway), followed by the 18 bytes of Ethernet
// padding that arrive with it.
const std::vector<u8> arp_request = {
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02,
    0x0a, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x02, 0x0f,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
};

// 10.0.2.15 is at 52:54:00:12:34:56 (QEMU's default NIC address), to 10.0.2.2.
const std::vector<u8> arp_reply = {
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
    0x0a, 0x00, 0x02, 0x0f, 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 0x0a, 0x00, 0x02, 0x02,
};

const EthernetAddress gateway_mac { { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 } };
const EthernetAddress guest_mac { { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 } };
const Ipv4Address gateway_ip = Ipv4Address::from_octets(10, 0, 2, 2);
const Ipv4Address guest_ip = Ipv4Address::from_octets(10, 0, 2, 15);

std::vector<u8> emit(const ArpRepr& repr)
{
    std::vector<u8> out(repr.buffer_len());
    lib::ByteWriter writer { lib::Bytes(out.data(), out.size()) };
    repr.emit(writer);
    EXPECT_EQ(writer.remaining(), 0u);
    return out;
}

TEST(Arp, DecodesRequestFromGateway)
{
    auto view = ArpView::checked(span(arp_request));
    ASSERT_TRUE(view.is_ok());
    const ArpView& v = view.value();
    EXPECT_EQ(v.hardware_type(), 1);
    EXPECT_EQ(v.protocol_type(), 0x0800);
    EXPECT_EQ(v.hardware_len(), 6);
    EXPECT_EQ(v.protocol_len(), 4);
    EXPECT_EQ(v.operation(), 1);
    // The view covers the 28 ARP bytes, not the padding.
    EXPECT_EQ(v.bytes().size(), 28u);
    EXPECT_EQ(v.bytes().data(), arp_request.data());
    auto repr = ArpRepr::parse(v);
    ASSERT_TRUE(repr.is_ok());
    EXPECT_EQ(repr.value().operation, ArpOperation::Request);
    EXPECT_EQ(repr.value().sender_hardware, gateway_mac);
    EXPECT_EQ(repr.value().sender_protocol, gateway_ip);
    EXPECT_EQ(repr.value().target_hardware, EthernetAddress {});
    EXPECT_EQ(repr.value().target_protocol, guest_ip);
}

TEST(Arp, DecodesAndEmitsReply)
{
    auto repr = decode(span(arp_reply));
    ASSERT_TRUE(repr.is_ok());
    ArpRepr expected { ArpOperation::Reply, guest_mac, guest_ip, gateway_mac, gateway_ip };
    EXPECT_EQ(repr.value(), expected);
    EXPECT_EQ(emit(expected), arp_reply);
    // The request re-emits as its first 28 bytes.
    auto request = decode(span(arp_request));
    ASSERT_TRUE(request.is_ok());
    EXPECT_EQ(emit(request.value()), std::vector<u8>(arp_request.begin(), arp_request.begin() + 28));
}

TEST(Arp, ProbeWithUnspecifiedSenderIsAccepted)
{
    // RFC 5227 probe: sender protocol address 0.0.0.0.
    std::vector<u8> probe = arp_request;
    for (usize i = 14; i < 18; ++i)
        probe[i] = 0;
    auto repr = decode(span(probe));
    ASSERT_TRUE(repr.is_ok());
    EXPECT_TRUE(repr.value().sender_protocol.is_unspecified());
}

TEST(Arp, TruncatedAtEveryLength)
{
    for (usize len = 0; len < 28; ++len)
        EXPECT_EQ(outcome(ArpView::checked({ arp_reply.data(), len })), "truncated") << len;
    EXPECT_EQ(outcome(ArpView::checked({ arp_reply.data(), 28 })), "ok");
}

TEST(Arp, WrongTypesAndLengths)
{
    auto with = [](usize offset, u8 value) {
        std::vector<u8> p = arp_reply;
        p[offset] = value;
        return outcome(decode(span(p)));
    };
    EXPECT_EQ(with(1, 6), "bad version/type");    // IEEE 802 hardware type.
    EXPECT_EQ(with(0, 1), "bad version/type");    // Hardware type 0x0101.
    EXPECT_EQ(with(2, 0x86), "bad version/type"); // Protocol type 0x8600.
    EXPECT_EQ(with(4, 8), "bad version/type");    // 8-byte hardware addresses (EUI-64).
    EXPECT_EQ(with(5, 16), "bad version/type");   // 16-byte protocol addresses.
    EXPECT_EQ(with(5, 0), "bad version/type");
    // Lengths are layout: they are refused by checked() itself.
    std::vector<u8> p = arp_reply;
    p[4] = 0;
    EXPECT_EQ(outcome(ArpView::checked(span(p))), "bad version/type");
}

TEST(Arp, OnlyRequestAndReply)
{
    for (u16 op : { 0, 3, 4, 8, 9, 0x0101, 0xffff }) {
        std::vector<u8> p = arp_reply;
        p[6] = u8(op >> 8);
        p[7] = u8(op);
        EXPECT_EQ(outcome(decode(span(p))), "unsupported") << op;
    }
}

TEST(Arp, PoisoningSendersAreRejected)
{
    std::vector<u8> p = arp_reply;
    p[8] = 0x01; // Multicast sender hardware address.
    EXPECT_EQ(outcome(decode(span(p))), "bad address");
    p = arp_reply;
    for (usize i = 8; i < 14; ++i)
        p[i] = 0xff;
    EXPECT_EQ(outcome(decode(span(p))), "bad address");
    p = arp_reply;
    for (usize i = 14; i < 18; ++i)
        p[i] = 0xff; // 255.255.255.255 as sender.
    EXPECT_EQ(outcome(decode(span(p))), "bad address");
    p = arp_reply;
    p[14] = 224; // 224.0.2.15 as sender.
    EXPECT_EQ(outcome(decode(span(p))), "bad address");
    p = arp_reply;
    p[14] = 127; // 127.0.2.15 as sender: loopback never appears on a link (RFC 1122 §3.2.1.3 (g)).
    EXPECT_EQ(outcome(decode(span(p))), "bad address");
    // A broadcast target hardware address is fine (some stacks send gratuitous ARP that way).
    p = arp_reply;
    for (usize i = 18; i < 24; ++i)
        p[i] = 0xff;
    EXPECT_EQ(outcome(decode(span(p))), "ok");
}

ArpRepr any_valid_repr()
{
    ArpRepr repr;
    repr.operation = *rc::gen::element(ArpOperation::Request, ArpOperation::Reply);
    for (auto& o : repr.sender_hardware.octets)
        o = *rc::gen::arbitrary<u8>();
    repr.sender_hardware.octets[0] &= 0xfe;
    for (auto& o : repr.target_hardware.octets)
        o = *rc::gen::arbitrary<u8>();
    repr.sender_protocol = { *rc::gen::suchThat(rc::gen::arbitrary<u32>(), [](u32 v) { return Ipv4Address { v }.is_valid_source(); }) };
    repr.target_protocol = { *rc::gen::arbitrary<u32>() };
    return repr;
}

RC_GTEST_PROP(Arp, ReprRoundTrips, ())
{
    ArpRepr repr = any_valid_repr();
    auto bytes = emit(repr);
    RC_ASSERT(bytes.size() == 28u);
    auto parsed = decode(span(bytes));
    RC_ASSERT(parsed.is_ok());
    RC_ASSERT(parsed.value() == repr);
}

// ARP packets are canonical: any accepted 28 bytes re-emit identically.
RC_GTEST_PROP(Arp, AcceptedPacketsReemitIdentically, ())
{
    auto bytes = *rc::gen::container<std::vector<u8>>(28, rc::gen::arbitrary<u8>());
    const u8 fixed[6] = { 0x00, 0x01, 0x08, 0x00, 0x06, 0x04 };
    for (usize i = 0; i < 6; ++i)
        bytes[i] = fixed[i];
    bytes[6] = 0;
    bytes[7] = *rc::gen::element<u8>(1, 2);
    bytes[8] &= 0xfe;
    auto parsed = decode(span(bytes));
    RC_PRE(parsed.is_ok()); // Only a group sender protocol address is refused from here.
    RC_ASSERT(emit(parsed.value()) == bytes);
}

RC_GTEST_PROP(Arp, ArbitraryBytesStayInBounds, ())
{
    auto bytes = *rc::gen::arbitrary<std::vector<u8>>();
    if (*rc::gen::arbitrary<bool>() && bytes.size() >= 6) {
        // Often make the layout valid, so parse() is reached.
        bytes[4] = 6;
        bytes[5] = 4;
    }
    auto view = ArpView::checked(span(bytes));
    if (!view.is_ok())
        return;
    RC_ASSERT(bytes.size() >= 28u);
    RC_ASSERT(view.value().bytes().data() == bytes.data());
    RC_ASSERT(view.value().bytes().size() == 28u);
    auto repr = ArpRepr::parse(view.value());
    if (repr.is_ok()) {
        RC_ASSERT(repr.value().sender_hardware.is_unicast());
        RC_ASSERT(repr.value().sender_protocol.is_valid_source());
    }
}

} // namespace

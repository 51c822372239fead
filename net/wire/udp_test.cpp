// Tests for net/wire/udp: a real DNS query, lying lengths, checksums with the pseudo-header, and
// round trips (RFC 768).
#include "net/wire/checksum.h"
#include "net/wire/test_support.h"
#include "net/wire/ipv4.h"
#include "net/wire/udp.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <string>
#include <vector>

namespace {

using namespace net::wire;

using net::wire::test_support::span;

using net::wire::test_support::outcome;

const Ipv4Address guest = Ipv4Address::from_octets(10, 0, 2, 15);
const Ipv4Address resolver = Ipv4Address::from_octets(10, 0, 2, 3);

lib::Result<UdpRepr, WireError> decode(lib::ReadonlyBytes bytes, Ipv4Address src = guest, Ipv4Address dst = resolver)
{
    auto view = TRY(UdpView::checked(bytes));
    return UdpRepr::parse(view, src, dst);
}

std::vector<u8> emit(const UdpRepr& repr, Ipv4Address src = guest, Ipv4Address dst = resolver)
{
    std::vector<u8> out(repr.buffer_len());
    lib::ByteWriter writer { lib::Bytes(out.data(), out.size()) };
    repr.emit(writer, src, dst);
    EXPECT_EQ(writer.remaining(), 0u);
    return out;
}

// `host -t A example.com` from 10.0.2.15 to slirp's resolver 10.0.2.3: the whole IPv4 datagram.
// UDP 48023 -> 53, length 37, checksum 0x20de; DNS id 0x3b7a, RD, one question.
const std::vector<u8> dns_query_datagram = {
    0x45, 0x00, 0x00, 0x39, 0x8f, 0x21, 0x40, 0x00, 0x40, 0x11, 0x93, 0x81, 0x0a, 0x00, 0x02, 0x0f,
    0x0a, 0x00, 0x02, 0x03, 0xbb, 0x97, 0x00, 0x35, 0x00, 0x25, 0x20, 0xde, 0x3b, 0x7a, 0x01, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
    0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01,
};
const std::vector<u8> dns_query(dns_query_datagram.begin() + 20, dns_query_datagram.end());

TEST(Udp, DecodesDnsQueryThroughIpv4)
{
    auto ip_view = Ipv4View::checked(span(dns_query_datagram));
    ASSERT_TRUE(ip_view.is_ok());
    auto ip = Ipv4Repr::parse(ip_view.value());
    ASSERT_TRUE(ip.is_ok());
    EXPECT_EQ(ip.value().protocol, IpProtocol::Udp);

    auto view = UdpView::checked(ip_view.value().payload());
    ASSERT_TRUE(view.is_ok());
    EXPECT_EQ(view.value().src_port(), 48023);
    EXPECT_EQ(view.value().dst_port(), 53);
    EXPECT_EQ(view.value().length(), 37);
    EXPECT_EQ(view.value().checksum(), 0x20de);
    auto repr = UdpRepr::parse(view.value(), ip.value().src, ip.value().dst);
    ASSERT_TRUE(repr.is_ok());
    EXPECT_EQ(repr.value().src_port, 48023);
    EXPECT_EQ(repr.value().dst_port, 53);
    ASSERT_EQ(repr.value().payload.size(), 29u);
    EXPECT_EQ(repr.value().payload.data(), dns_query_datagram.data() + 28);
    EXPECT_EQ(repr.value().payload[0], 0x3b);
    EXPECT_EQ(repr.value().payload[1], 0x7a);
    EXPECT_EQ(repr.value().payload[12], 7); // The "example" label.
    EXPECT_EQ(emit(repr.value()), dns_query);
}

TEST(Udp, ChecksumCoversThePseudoHeader)
{
    if (!checksum::enforce)
        GTEST_SKIP() << "checksums are not enforced in BULWARK_FUZZING builds";
    EXPECT_EQ(outcome(decode(span(dns_query), guest, Ipv4Address::from_octets(10, 0, 2, 4))), "bad checksum");
    EXPECT_EQ(outcome(decode(span(dns_query), resolver, guest)), "ok"); // The sum is symmetric.
    for (usize i = 0; i < dns_query.size(); ++i) {
        if (i == 4 || i == 5)
            continue; // The length field: checked() catches most changes there first.
        std::vector<u8> bytes = dns_query;
        bytes[i] ^= 0x02;
        EXPECT_EQ(outcome(decode(span(bytes))), "bad checksum") << i;
    }
}

TEST(Udp, ZeroChecksumMeansNone)
{
    std::vector<u8> bytes = dns_query;
    bytes[6] = bytes[7] = 0;
    bytes[20] ^= 0xff; // Corruption cannot be detected without a checksum.
    auto repr = decode(span(bytes));
    ASSERT_TRUE(repr.is_ok());
    // Not canonical: the re-emitted datagram carries a computed checksum.
    auto out = emit(repr.value());
    EXPECT_NE(out[6] | out[7], 0);
    EXPECT_TRUE(checksum::verifies(span(out), checksum::pseudo_header(guest, resolver, 17, u16(out.size()))));
}

TEST(Udp, ComputedZeroIsSentAsAllOnes)
{
    // Find a two-byte payload that makes the checksum come out as zero: with a zero payload the
    // checksum is c, so a payload word equal to c brings the sum to 0xffff.
    std::vector<u8> payload = { 0, 0 };
    UdpRepr repr { 1234, 5678, span(payload) };
    auto first = emit(repr);
    payload = { first[6], first[7] };
    repr.payload = span(payload);
    auto out = emit(repr);
    EXPECT_EQ(out[6], 0xff);
    EXPECT_EQ(out[7], 0xff);
    auto parsed = decode(span(out));
    ASSERT_TRUE(parsed.is_ok());
    EXPECT_EQ(parsed.value(), repr);
}

TEST(Udp, LengthFieldsThatLie)
{
    for (usize len = 0; len < 8; ++len)
        EXPECT_EQ(outcome(UdpView::checked({ dns_query.data(), len })), "truncated") << len;
    // Cut short anywhere after the header, the length field (37) exceeds the buffer.
    for (usize len = 8; len < dns_query.size(); ++len)
        EXPECT_EQ(outcome(UdpView::checked({ dns_query.data(), len })), "bad length") << len;
    auto with_length = [](u16 length) {
        std::vector<u8> bytes = dns_query;
        bytes[4] = u8(length >> 8);
        bytes[5] = u8(length);
        return outcome(UdpView::checked(span(bytes)));
    };
    for (u16 length : { 0, 1, 7, 38, 0x0125, 0xffff })
        EXPECT_EQ(with_length(length), "bad length") << length;
    EXPECT_EQ(with_length(8), "ok");
    // Bytes past the length field are not part of the datagram.
    std::vector<u8> padded = dns_query;
    padded.insert(padded.end(), 9, 0xee);
    auto view = UdpView::checked(span(padded));
    ASSERT_TRUE(view.is_ok());
    EXPECT_EQ(view.value().bytes().size(), 37u);
    EXPECT_EQ(view.value().payload().size(), 29u);
    EXPECT_EQ(outcome(UdpRepr::parse(view.value(), guest, resolver)), "ok");
}

TEST(Udp, Ports)
{
    std::vector<u8> payload = { 1, 2, 3 };
    EXPECT_EQ(outcome(decode(span(emit(UdpRepr { 1234, 0, span(payload) })))), "bad address");
    EXPECT_EQ(outcome(decode(span(emit(UdpRepr { 0, 1234, span(payload) })))), "ok");
}

UdpRepr any_valid_repr(std::vector<u8>& storage)
{
    storage = *rc::gen::container<std::vector<u8>>(*rc::gen::inRange<usize>(0, 1500), rc::gen::arbitrary<u8>());
    return UdpRepr { *rc::gen::arbitrary<u16>(), *rc::gen::inRange<u16>(1, 0xffff), span(storage) };
}

Ipv4Address any_address() { return { *rc::gen::arbitrary<u32>() }; }

RC_GTEST_PROP(Udp, ReprRoundTrips, ())
{
    std::vector<u8> storage;
    UdpRepr repr = any_valid_repr(storage);
    Ipv4Address src = any_address();
    Ipv4Address dst = any_address();
    auto bytes = emit(repr, src, dst);
    RC_ASSERT(bytes.size() == 8 + storage.size());
    RC_ASSERT((bytes[6] | bytes[7]) != 0);
    auto parsed = decode(span(bytes), src, dst);
    RC_ASSERT(parsed.is_ok());
    RC_ASSERT(parsed.value() == repr);
    RC_ASSERT(parsed.value().payload.data() == bytes.data() + 8);
}

// Datagrams with a checksum are canonical: re-emitting an accepted one gives the same bytes.
RC_GTEST_PROP(Udp, AcceptedDatagramsReemitIdentically, ())
{
    std::vector<u8> storage;
    Ipv4Address src = any_address();
    Ipv4Address dst = any_address();
    auto bytes = emit(any_valid_repr(storage), src, dst);
    auto trailing = *rc::gen::container<std::vector<u8>>(*rc::gen::inRange<usize>(0, 20), rc::gen::arbitrary<u8>());
    std::vector<u8> buffer = bytes;
    buffer.insert(buffer.end(), trailing.begin(), trailing.end());
    auto parsed = decode(span(buffer), src, dst);
    RC_ASSERT(parsed.is_ok());
    RC_ASSERT(emit(parsed.value(), src, dst) == bytes);
}

RC_GTEST_PROP(Udp, ArbitraryBytesStayInBounds, ())
{
    auto bytes = *rc::gen::arbitrary<std::vector<u8>>();
    if (bytes.size() >= 8 && *rc::gen::arbitrary<bool>()) {
        // Often make the length plausible and the checksum absent, so parse() is reached.
        u16 length = *rc::gen::inRange<u16>(0, u16(bytes.size() + 1));
        bytes[4] = u8(length >> 8);
        bytes[5] = u8(length);
        bytes[6] = bytes[7] = 0;
    }
    auto view = UdpView::checked(span(bytes));
    if (!view.is_ok())
        return;
    const UdpView& v = view.value();
    RC_ASSERT(v.length() >= 8u);
    RC_ASSERT(v.length() <= bytes.size());
    RC_ASSERT(v.bytes().data() == bytes.data());
    RC_ASSERT(v.bytes().size() == v.length());
    RC_ASSERT(v.payload().data() == bytes.data() + 8);
    RC_ASSERT(v.payload().size() + 8 == v.length());
    auto repr = UdpRepr::parse(v, guest, resolver);
    if (repr.is_ok()) {
        RC_ASSERT(repr.value().dst_port != 0);
        RC_ASSERT(repr.value().payload.data() + repr.value().payload.size() <= bytes.data() + bytes.size());
    }
}

} // namespace

// Tests for net/wire/icmp: a real ping and port unreachable, hostile messages, round trips
// (RFC 792, RFC 1191).
#include "net/wire/checksum.h"
#include "net/wire/test_support.h"
#include "net/wire/icmp.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <string>
#include <vector>

namespace {

using namespace net::wire;

using net::wire::test_support::span;
std::vector<u8> vec(lib::ReadonlyBytes b) { return std::vector<u8>(b.begin(), b.end()); }

using net::wire::test_support::outcome;

lib::Result<IcmpRepr, WireError> decode(lib::ReadonlyBytes bytes)
{
    auto view = TRY(IcmpView::checked(bytes));
    return IcmpRepr::parse(view);
}

std::vector<u8> emit(const IcmpRepr& repr)
{
    std::vector<u8> out(repr.buffer_len());
    lib::ByteWriter writer { lib::Bytes(out.data(), out.size()) };
    repr.emit(writer);
    EXPECT_EQ(writer.remaining(), 0u);
    return out;
}

// The ICMP part of `ping -c1 10.0.2.2` (iputils): identifier 0x1c46, sequence 1, checksum 0x86ad,
// and 56 data bytes: a 16-byte struct timeval, then the bytes 0x10..0x37.
const std::vector<u8> echo_request = {
    0x08, 0x00, 0x86, 0xad, 0x1c, 0x46, 0x00, 0x01, 0x00, 0xf1, 0x53, 0x65, 0x00, 0x00, 0x00, 0x00,
    0x40, 0xe2, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
    0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
    0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
};

// Port unreachable (type 3, code 3) from 10.0.2.15 for a UDP datagram 10.0.2.2:53000 -> :9; it
// quotes the original 20-byte IP header and the first 8 bytes (the UDP header).
const std::vector<u8> port_unreachable = {
    0x03, 0x03, 0x2d, 0xdf, 0x00, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00, 0x20, 0x12, 0x34, 0x40, 0x00,
    0x40, 0x11, 0x10, 0x89, 0x0a, 0x00, 0x02, 0x02, 0x0a, 0x00, 0x02, 0x0f, 0xcf, 0x08, 0x00, 0x09,
    0x00, 0x0c, 0x00, 0x00,
};

TEST(Icmp, DecodesPingRequestAndAnswersIt)
{
    auto view = IcmpView::checked(span(echo_request));
    ASSERT_TRUE(view.is_ok());
    EXPECT_EQ(view.value().type(), 8);
    EXPECT_EQ(view.value().code(), 0);
    EXPECT_EQ(view.value().checksum(), 0x86ad);
    EXPECT_EQ(view.value().identifier(), 0x1c46);
    EXPECT_EQ(view.value().sequence(), 1);
    EXPECT_EQ(view.value().payload().size(), 56u);
    EXPECT_EQ(view.value().payload().data(), echo_request.data() + 8);

    auto repr = IcmpRepr::parse(view.value());
    ASSERT_TRUE(repr.is_ok());
    const IcmpRepr& r = repr.value();
    EXPECT_EQ(r.type, IcmpType::EchoRequest);
    EXPECT_EQ(r.identifier, 0x1c46);
    EXPECT_EQ(r.sequence, 1);
    EXPECT_EQ(r.next_hop_mtu, 0);
    EXPECT_EQ(r.payload.data(), echo_request.data() + 8);
    EXPECT_EQ(r.payload[55], 0x37);
    EXPECT_EQ(emit(r), echo_request);

    // The reply differs only in its type and, by RFC 1624, in the checksum: 0x86ad + 0x0800.
    auto reply = emit(IcmpRepr::echo_reply(r.identifier, r.sequence, r.payload));
    std::vector<u8> expected = echo_request;
    expected[0] = 0x00;
    expected[2] = 0x8e;
    expected[3] = 0xad;
    EXPECT_EQ(reply, expected);
}

TEST(Icmp, DecodesPortUnreachable)
{
    auto repr = decode(span(port_unreachable));
    ASSERT_TRUE(repr.is_ok());
    EXPECT_EQ(repr.value().type, IcmpType::DestinationUnreachable);
    EXPECT_EQ(repr.value().code, 3);
    EXPECT_EQ(repr.value().identifier, 0);
    EXPECT_EQ(repr.value().next_hop_mtu, 0);
    // The quoted datagram is exposed as bytes; its header is intact (and checksums correctly).
    ASSERT_EQ(repr.value().payload.size(), 28u);
    EXPECT_EQ(repr.value().payload[0], 0x45);
    EXPECT_EQ(repr.value().payload[9], 17);
    EXPECT_TRUE(checksum::verifies(repr.value().payload.slice(0, 20)));
    EXPECT_EQ(emit(repr.value()), port_unreachable);
}

TEST(Icmp, FragmentationNeededCarriesTheMtu)
{
    std::vector<u8> quoted(port_unreachable.begin() + 8, port_unreachable.end());
    auto bytes = emit(IcmpRepr::destination_unreachable(icmp::code_fragmentation_needed, 1400, span(quoted)));
    EXPECT_EQ(bytes[0], 3);
    EXPECT_EQ(bytes[1], 4);
    EXPECT_EQ(vec(lib::ReadonlyBytes(bytes.data() + 4, 4)), std::vector<u8>({ 0x00, 0x00, 0x05, 0x78 }));
    EXPECT_TRUE(checksum::verifies(span(bytes)));
    auto repr = decode(span(bytes));
    ASSERT_TRUE(repr.is_ok());
    EXPECT_EQ(repr.value().next_hop_mtu, 1400);
    // For other codes the field is unused: ignored on receive, zero when sent.
    bytes[1] = 1;
    bytes[2] = bytes[3] = 0;
    u16 sum = checksum::of(span(bytes));
    bytes[2] = u8(sum >> 8);
    bytes[3] = u8(sum);
    auto unused = decode(span(bytes));
    ASSERT_TRUE(unused.is_ok());
    EXPECT_EQ(unused.value().next_hop_mtu, 0);
    EXPECT_EQ(emit(IcmpRepr::destination_unreachable(1, 1400, span(quoted)))[7], 0);
}

TEST(Icmp, TruncatedAtEveryLength)
{
    for (usize len = 0; len < 8; ++len)
        EXPECT_EQ(outcome(IcmpView::checked({ echo_request.data(), len })), "truncated") << len;
    // An echo with no data is legal.
    auto bytes = emit(IcmpRepr::echo_request(7, 9, {}));
    ASSERT_EQ(bytes.size(), 8u);
    EXPECT_EQ(outcome(decode(span(bytes))), "ok");
}

TEST(Icmp, BadChecksum)
{
    if (!checksum::enforce)
        GTEST_SKIP() << "checksums are not enforced in BULWARK_FUZZING builds";
    for (usize i = 0; i < echo_request.size(); ++i) {
        std::vector<u8> bytes = echo_request;
        bytes[i] ^= 0x01;
        EXPECT_EQ(outcome(decode(span(bytes))), "bad checksum") << i;
    }
    // Truncating the data breaks the checksum too (it covers the whole message).
    EXPECT_EQ(outcome(decode({ echo_request.data(), 63 })), "bad checksum");
}

TEST(Icmp, OtherTypesAreUnsupported)
{
    // Redirect, time exceeded, parameter problem, timestamp, address mask, router advertisement.
    for (u8 type : { 4, 5, 9, 10, 11, 12, 13, 14, 17, 18, 255 }) {
        std::vector<u8> bytes = echo_request;
        bytes[0] = type;
        bytes[2] = bytes[3] = 0;
        u16 sum = checksum::of(span(bytes));
        bytes[2] = u8(sum >> 8);
        bytes[3] = u8(sum);
        EXPECT_EQ(outcome(decode(span(bytes))), "unsupported") << int(type);
    }
}

IcmpRepr any_valid_repr(std::vector<u8>& storage)
{
    storage = *rc::gen::container<std::vector<u8>>(*rc::gen::inRange<usize>(0, 1500), rc::gen::arbitrary<u8>());
    IcmpType type = *rc::gen::element(IcmpType::EchoRequest, IcmpType::EchoReply, IcmpType::DestinationUnreachable);
    if (type == IcmpType::DestinationUnreachable)
        return IcmpRepr::destination_unreachable(*rc::gen::inRange<u8>(0, 16), *rc::gen::arbitrary<u16>(), span(storage));
    IcmpRepr repr = IcmpRepr::echo_request(*rc::gen::arbitrary<u16>(), *rc::gen::arbitrary<u16>(), span(storage));
    repr.type = type;
    repr.code = *rc::gen::oneOf(rc::gen::just<u8>(0), rc::gen::arbitrary<u8>());
    return repr;
}

RC_GTEST_PROP(Icmp, ReprRoundTrips, ())
{
    std::vector<u8> storage;
    IcmpRepr repr = any_valid_repr(storage);
    auto bytes = emit(repr);
    RC_ASSERT(bytes.size() == 8 + storage.size());
    RC_ASSERT(checksum::verifies(span(bytes)));
    auto parsed = decode(span(bytes));
    RC_ASSERT(parsed.is_ok());
    RC_ASSERT(parsed.value() == repr);
    RC_ASSERT(parsed.value().payload.data() == bytes.data() + 8);
}

// Echo messages are canonical: an accepted one re-emits byte for byte. (Destination unreachable
// is not: its unused header bytes are ignored and re-emitted as zero.)
RC_GTEST_PROP(Icmp, AcceptedEchoesReemitIdentically, ())
{
    auto bytes = *rc::gen::container<std::vector<u8>>(*rc::gen::inRange<usize>(8, 200), rc::gen::arbitrary<u8>());
    bytes[0] = *rc::gen::element<u8>(0, 8);
    bytes[2] = bytes[3] = 0;
    u16 sum = checksum::of(span(bytes));
    bytes[2] = u8(sum >> 8);
    bytes[3] = u8(sum);
    auto parsed = decode(span(bytes));
    RC_ASSERT(parsed.is_ok());
    RC_ASSERT(emit(parsed.value()) == bytes);
}

RC_GTEST_PROP(Icmp, ArbitraryBytesStayInBounds, ())
{
    auto bytes = *rc::gen::arbitrary<std::vector<u8>>();
    if (bytes.size() >= 4 && *rc::gen::arbitrary<bool>()) {
        bytes[0] = *rc::gen::element<u8>(0, 3, 8);
        bytes[2] = bytes[3] = 0;
        u16 sum = checksum::of(span(bytes));
        bytes[2] = u8(sum >> 8);
        bytes[3] = u8(sum);
    }
    auto view = IcmpView::checked(span(bytes));
    if (!view.is_ok()) {
        RC_ASSERT(bytes.size() < 8u);
        return;
    }
    RC_ASSERT(view.value().bytes().data() == bytes.data());
    RC_ASSERT(view.value().bytes().size() == bytes.size());
    RC_ASSERT(view.value().payload().data() == bytes.data() + 8);
    RC_ASSERT(view.value().payload().size() == bytes.size() - 8);
    auto repr = IcmpRepr::parse(view.value());
    if (repr.is_ok()) {
        RC_ASSERT(repr.value().payload.data() == bytes.data() + 8);
        RC_ASSERT(repr.value().payload.size() == bytes.size() - 8);
    }
}

} // namespace

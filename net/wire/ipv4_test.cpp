// Tests for net/wire/ipv4: real headers (with and without options), hostile headers, option walks,
// fragments, and round trips (RFC 791, RFC 1122).
#include "net/wire/checksum.h"
#include "net/wire/test_support.h"
#include "net/wire/ipv4.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <string>
#include <vector>

namespace {

using namespace net::wire;

using net::wire::test_support::span;

using net::wire::test_support::outcome;

lib::Result<Ipv4Repr, WireError> decode(lib::ReadonlyBytes bytes)
{
    auto view = TRY(Ipv4View::checked(bytes));
    return Ipv4Repr::parse(view);
}

// `ping -c1 10.0.2.2` from 10.0.2.15: 20-byte header (DF, TTL 64, id 0x4e2b, checksum 0xd46d) and
// a 64-byte ICMP echo request.
const std::vector<u8> ping_datagram = {
    0x45, 0x00, 0x00, 0x54, 0x4e, 0x2b, 0x40, 0x00, 0x40, 0x01, 0xd4, 0x6d, 0x0a, 0x00, 0x02, 0x0f,
    0x0a, 0x00, 0x02, 0x02, 0x08, 0x00, 0x86, 0xad, 0x1c, 0x46, 0x00, 0x01, 0x00, 0xf1, 0x53, 0x65,
    0x00, 0x00, 0x00, 0x00, 0x40, 0xe2, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x11, 0x12, 0x13,
    0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23,
    0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33,
    0x34, 0x35, 0x36, 0x37,
};

// An IGMPv2 membership report for 224.0.0.251 from 10.0.2.15: IHL 6 with the Router Alert
// option (94 04 00 00, RFC 2113), TOS 0xc0, TTL 1, DF. It arrives in a 60-byte Ethernet frame, so
// 14 bytes of padding follow the 32-byte datagram.
const std::vector<u8> igmp_frame_payload = {
    0x46, 0xc0, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0xf7, 0x0d, 0x0a, 0x00, 0x02, 0x0f,
    0xe0, 0x00, 0x00, 0xfb, 0x94, 0x04, 0x00, 0x00, 0x16, 0x00, 0x09, 0x04, 0xe0, 0x00, 0x00, 0xfb,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

// Recomputes the header checksum after a test has edited the header.
void fix_checksum(std::vector<u8>& datagram)
{
    usize header_len = usize(datagram[0] & 0x0f) * 4;
    if (header_len < 20 || header_len > datagram.size())
        return;
    datagram[10] = datagram[11] = 0;
    u16 sum = checksum::of({ datagram.data(), header_len });
    datagram[10] = u8(sum >> 8);
    datagram[11] = u8(sum);
}

std::vector<u8> emit_header(const Ipv4Repr& repr)
{
    std::vector<u8> out(repr.buffer_len());
    lib::ByteWriter writer { lib::Bytes(out.data(), out.size()) };
    repr.emit(writer);
    EXPECT_EQ(writer.remaining(), 0u);
    return out;
}

TEST(Ipv4, DecodesPingDatagram)
{
    auto view = Ipv4View::checked(span(ping_datagram));
    ASSERT_TRUE(view.is_ok());
    const Ipv4View& v = view.value();
    EXPECT_EQ(v.version(), 4);
    EXPECT_EQ(v.header_len(), 20u);
    EXPECT_EQ(v.type_of_service(), 0);
    EXPECT_EQ(v.total_length(), 84);
    EXPECT_EQ(v.identification(), 0x4e2b);
    EXPECT_TRUE(v.dont_fragment());
    EXPECT_FALSE(v.more_fragments());
    EXPECT_FALSE(v.reserved_flag());
    EXPECT_EQ(v.fragment_offset(), 0);
    EXPECT_EQ(v.ttl(), 64);
    EXPECT_EQ(v.protocol(), 1);
    EXPECT_EQ(v.header_checksum(), 0xd46d);
    EXPECT_EQ(v.src(), Ipv4Address::from_octets(10, 0, 2, 15));
    EXPECT_EQ(v.dst(), Ipv4Address::from_octets(10, 0, 2, 2));
    EXPECT_TRUE(v.options().is_empty());
    EXPECT_EQ(v.payload().data(), ping_datagram.data() + 20);
    EXPECT_EQ(v.payload().size(), 64u);

    auto repr = Ipv4Repr::parse(v);
    ASSERT_TRUE(repr.is_ok());
    Ipv4Repr expected;
    expected.src = Ipv4Address::from_octets(10, 0, 2, 15);
    expected.dst = Ipv4Address::from_octets(10, 0, 2, 2);
    expected.protocol = IpProtocol::Icmp;
    expected.ttl = 64;
    expected.identification = 0x4e2b;
    expected.dont_fragment = true;
    expected.payload_len = 64;
    EXPECT_EQ(repr.value(), expected);
    EXPECT_EQ(emit_header(expected), std::vector<u8>(ping_datagram.begin(), ping_datagram.begin() + 20));
}

TEST(Ipv4, DecodesRouterAlertAndIgnoresEthernetPadding)
{
    auto view = Ipv4View::checked(span(igmp_frame_payload));
    ASSERT_TRUE(view.is_ok());
    const Ipv4View& v = view.value();
    EXPECT_EQ(v.header_len(), 24u);
    EXPECT_EQ(v.total_length(), 32);
    EXPECT_EQ(v.bytes().size(), 32u);
    EXPECT_EQ(v.type_of_service(), 0xc0);
    EXPECT_EQ(v.ttl(), 1);
    EXPECT_EQ(v.protocol(), 2);
    EXPECT_EQ(v.dst(), Ipv4Address::from_octets(224, 0, 0, 251));
    ASSERT_EQ(v.options().size(), 4u);
    EXPECT_EQ(v.options()[0], ipv4::option::router_alert);
    EXPECT_EQ(v.options()[1], 4);
    // The payload is the 8-byte IGMP report, not the padding after it.
    ASSERT_EQ(v.payload().size(), 8u);
    EXPECT_EQ(v.payload().data(), igmp_frame_payload.data() + 24);
    EXPECT_EQ(v.payload()[0], 0x16);

    auto repr = Ipv4Repr::parse(v);
    ASSERT_TRUE(repr.is_ok());
    EXPECT_EQ(repr.value().protocol, IpProtocol(2));
    EXPECT_EQ(repr.value().payload_len, 8);
    EXPECT_EQ(repr.value().type_of_service, 0xc0);
    // Not canonical with options: the header re-emits as IHL 5 and 4 bytes shorter in total.
    auto out = emit_header(repr.value());
    EXPECT_EQ(out[0], 0x45);
    EXPECT_EQ(out[2], 0);
    EXPECT_EQ(out[3], 28);
    EXPECT_TRUE(checksum::verifies(span(out)));
}

TEST(Ipv4, TruncatedAtEveryLength)
{
    for (usize len = 0; len < ping_datagram.size(); ++len) {
        auto r = Ipv4View::checked({ ping_datagram.data(), len });
        // Below the fixed header the buffer is truncated; above it, total_length (84) lies.
        EXPECT_EQ(outcome(r), len < 20 ? "truncated" : "bad length") << len;
    }
    EXPECT_EQ(outcome(decode(span(ping_datagram))), "ok");
}

TEST(Ipv4, LengthFieldsThatLie)
{
    auto with = [](usize offset, u8 value) {
        std::vector<u8> d = ping_datagram;
        d[offset] = value;
        fix_checksum(d);
        return outcome(decode(span(d)));
    };
    EXPECT_EQ(with(0, 0x65), "bad version/type"); // Version 6.
    EXPECT_EQ(with(0, 0x05), "bad version/type"); // Version 0.
    EXPECT_EQ(with(0, 0x44), "bad length");       // IHL 4: shorter than the fixed header.
    EXPECT_EQ(with(0, 0x40), "bad length");       // IHL 0.
    EXPECT_EQ(with(3, 0x55), "bad length");       // total_length 85 > 84-byte buffer.
    EXPECT_EQ(with(2, 0xff), "bad length");       // total_length 0xff54.
    EXPECT_EQ(with(3, 19), "bad length");         // total_length below 20.
    EXPECT_EQ(with(3, 0), "bad length");
    EXPECT_EQ(with(3, 20), "ok");                 // An empty payload is legal.
    // IHL 15 claims a 60-byte header: within the 84-byte buffer, but over total_length 40.
    std::vector<u8> d = ping_datagram;
    d[0] = 0x4f;
    d[3] = 40;
    EXPECT_EQ(outcome(Ipv4View::checked(span(d))), "bad length");
    // IHL 15 within a 40-byte buffer.
    EXPECT_EQ(outcome(Ipv4View::checked({ d.data(), 40 })), "bad length");
    // IHL 6, total_length 20: total below the header length.
    d = ping_datagram;
    d[0] = 0x46;
    d[3] = 20;
    EXPECT_EQ(outcome(Ipv4View::checked(span(d))), "bad length");
}

TEST(Ipv4, BadChecksum)
{
    if (!checksum::enforce)
        GTEST_SKIP() << "checksums are not enforced in BULWARK_FUZZING builds";
    for (usize i = 0; i < 20; ++i) {
        std::vector<u8> d = ping_datagram;
        if (i == 0 || i == 3 || i == 2)
            continue; // These bytes decide the lengths; checked() rejects most changes there.
        d[i] ^= 0x10;
        EXPECT_EQ(outcome(decode(span(d))), "bad checksum") << i;
    }
    // The payload is not covered by the header checksum.
    std::vector<u8> d = ping_datagram;
    d[40] ^= 0xff;
    EXPECT_EQ(outcome(decode(span(d))), "ok");
}

TEST(Ipv4, Fragments)
{
    auto with_flags = [](u8 hi, u8 lo) {
        std::vector<u8> d = ping_datagram;
        d[6] = hi;
        d[7] = lo;
        fix_checksum(d);
        return outcome(decode(span(d)));
    };
    EXPECT_EQ(with_flags(0x20, 0x00), "unsupported"); // First fragment: MF, offset 0.
    EXPECT_EQ(with_flags(0x00, 0xb9), "unsupported"); // Last fragment: offset 185 (1480 bytes).
    EXPECT_EQ(with_flags(0x20, 0xb9), "unsupported"); // Middle fragment.
    EXPECT_EQ(with_flags(0x1f, 0xff), "unsupported"); // Largest offset.
    EXPECT_EQ(with_flags(0x80, 0x00), "bad flags");   // The reserved ("evil") bit.
    EXPECT_EQ(with_flags(0x00, 0x00), "ok");          // DF clear.
    EXPECT_EQ(with_flags(0x40, 0x00), "ok");          // DF set.
}

TEST(Ipv4, SourceAddresses)
{
    auto with_src = [](u8 a, u8 b, u8 c, u8 d_) {
        std::vector<u8> d = ping_datagram;
        d[12] = a;
        d[13] = b;
        d[14] = c;
        d[15] = d_;
        fix_checksum(d);
        return outcome(decode(span(d)));
    };
    EXPECT_EQ(with_src(255, 255, 255, 255), "bad address");
    EXPECT_EQ(with_src(224, 0, 0, 1), "bad address");
    EXPECT_EQ(with_src(239, 255, 255, 250), "bad address");
    // RFC 1122 §3.2.1.3 (g): loopback addresses "MUST NOT appear outside a host"; a datagram from
    // the network claiming one is spoofed.
    EXPECT_EQ(with_src(127, 0, 0, 1), "bad address");
    EXPECT_EQ(with_src(127, 255, 255, 254), "bad address");
    EXPECT_EQ(with_src(126, 255, 255, 255), "ok");
    EXPECT_EQ(with_src(128, 0, 0, 0), "ok");
    EXPECT_EQ(with_src(0, 0, 0, 0), "ok");   // DHCP clients send from 0.0.0.0.
    EXPECT_EQ(with_src(223, 255, 255, 255), "ok");
    // A broadcast destination is legal (directed broadcast is for the caller to decide).
    std::vector<u8> d = ping_datagram;
    d[16] = d[17] = d[18] = d[19] = 0xff;
    fix_checksum(d);
    EXPECT_EQ(outcome(decode(span(d))), "ok");
}

// Builds a datagram with the given options (padded to a multiple of 4 by the caller) and an
// 8-byte payload, with a correct checksum.
std::vector<u8> with_options(const std::vector<u8>& options)
{
    std::vector<u8> d(ping_datagram.begin(), ping_datagram.begin() + 20);
    d.insert(d.end(), options.begin(), options.end());
    usize header_len = d.size();
    d.insert(d.end(), 8, 0xaa);
    d[0] = u8(0x40 | (header_len / 4));
    d[2] = 0;
    d[3] = u8(d.size());
    fix_checksum(d);
    return d;
}

TEST(Ipv4, OptionWalk)
{
    EXPECT_EQ(outcome(decode(span(with_options({ 0x01, 0x01, 0x01, 0x00 })))), "ok");  // NOPs, EOL.
    EXPECT_EQ(outcome(decode(span(with_options({ 0x00, 0xff, 0x00, 0x09 })))), "ok");  // EOL ends the walk.
    EXPECT_EQ(outcome(decode(span(with_options({ 0x01, 0x01, 0x01, 0x01 })))), "ok");
    EXPECT_EQ(outcome(decode(span(with_options({ 0x94, 0x04, 0x00, 0x00 })))), "ok"); // Router Alert.
    // Record route with room for two addresses, then EOL padding.
    EXPECT_EQ(outcome(decode(span(with_options({ 0x07, 0x0b, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0x00 })))), "ok");
    // Timestamp option filling all 40 option bytes.
    std::vector<u8> full(40, 0);
    full[0] = 0x44;
    full[1] = 40;
    full[2] = 5;
    EXPECT_EQ(outcome(decode(span(with_options(full)))), "ok");

    EXPECT_EQ(outcome(decode(span(with_options({ 0x94, 0x00, 0x00, 0x00 })))), "bad option"); // Zero length.
    EXPECT_EQ(outcome(decode(span(with_options({ 0x94, 0x01, 0x00, 0x00 })))), "bad option"); // Length 1.
    EXPECT_EQ(outcome(decode(span(with_options({ 0x94, 0x08, 0x00, 0x00 })))), "bad option"); // Overrun.
    EXPECT_EQ(outcome(decode(span(with_options({ 0x01, 0x01, 0x01, 0x94 })))), "bad option"); // No length octet.
    EXPECT_EQ(outcome(decode(span(with_options({ 0x01, 0x94, 0x04, 0x00 })))), "bad option"); // Overrun by one.
    full[1] = 41;
    EXPECT_EQ(outcome(decode(span(with_options(full)))), "bad option");
    // Source routes are refused.
    EXPECT_EQ(outcome(decode(span(with_options({ 0x83, 0x07, 0x04, 0x0a, 0x00, 0x02, 0x03, 0x00 })))), "unsupported");
    EXPECT_EQ(outcome(decode(span(with_options({ 0x01, 0x89, 0x07, 0x04, 0x0a, 0x00, 0x02, 0x03 })))), "unsupported");
}

TEST(Ipv4, CheckOptionsDirectly)
{
    EXPECT_EQ(outcome(ipv4::check_options({})), "ok");
    const u8 lone[1] = { 0x07 };
    EXPECT_EQ(outcome(ipv4::check_options(lone)), "bad option");
    const u8 exact[3] = { 0x07, 0x03, 0x04 };
    EXPECT_EQ(outcome(ipv4::check_options(exact)), "ok");
    const u8 eol_first[3] = { 0x00, 0x07, 0x09 };
    EXPECT_EQ(outcome(ipv4::check_options(eol_first)), "ok");
}

Ipv4Repr any_valid_repr()
{
    Ipv4Repr repr;
    repr.src = { *rc::gen::suchThat(rc::gen::arbitrary<u32>(), [](u32 v) { return Ipv4Address { v }.is_valid_source(); }) };
    repr.dst = { *rc::gen::arbitrary<u32>() };
    repr.protocol = IpProtocol(*rc::gen::arbitrary<u8>());
    repr.ttl = *rc::gen::arbitrary<u8>();
    repr.type_of_service = *rc::gen::arbitrary<u8>();
    repr.identification = *rc::gen::arbitrary<u16>();
    repr.dont_fragment = *rc::gen::arbitrary<bool>();
    repr.payload_len = *rc::gen::oneOf(rc::gen::inRange<u16>(0, 1500), rc::gen::just(u16(Ipv4Repr::max_payload_len)));
    return repr;
}

// Emits `repr` followed by payload_len payload bytes.
std::vector<u8> emit_datagram(const Ipv4Repr& repr)
{
    std::vector<u8> d = emit_header(repr);
    // A seeded pattern rather than generated bytes keeps 64 KiB payloads fast; the header is what
    // is under test.
    u8 seed = *rc::gen::arbitrary<u8>();
    for (usize i = 0; i < repr.payload_len; ++i)
        d.push_back(u8(seed + i * 7));
    return d;
}

RC_GTEST_PROP(Ipv4, ReprRoundTrips, ())
{
    Ipv4Repr repr = any_valid_repr();
    auto d = emit_datagram(repr);
    auto view = Ipv4View::checked(span(d));
    RC_ASSERT(view.is_ok());
    RC_ASSERT(view.value().payload().data() == d.data() + 20);
    RC_ASSERT(view.value().payload().size() == repr.payload_len);
    auto parsed = Ipv4Repr::parse(view.value());
    RC_ASSERT(parsed.is_ok());
    RC_ASSERT(parsed.value() == repr);
}

// Option-free headers are canonical: an accepted one re-emits byte for byte (with padding after
// the datagram ignored).
RC_GTEST_PROP(Ipv4, AcceptedHeadersReemitIdentically, ())
{
    auto d = emit_datagram(any_valid_repr());
    auto padding = *rc::gen::container<std::vector<u8>>(*rc::gen::inRange<usize>(0, 46), rc::gen::arbitrary<u8>());
    std::vector<u8> frame = d;
    frame.insert(frame.end(), padding.begin(), padding.end());
    auto parsed = decode(span(frame));
    RC_ASSERT(parsed.is_ok());
    RC_ASSERT(emit_header(parsed.value()) == std::vector<u8>(d.begin(), d.begin() + 20));
}

RC_GTEST_PROP(Ipv4, ArbitraryBytesStayInBounds, ())
{
    auto bytes = *rc::gen::arbitrary<std::vector<u8>>();
    if (bytes.size() >= 4 && *rc::gen::arbitrary<bool>()) {
        // Often make version and lengths plausible so the option walk and parse() are reached.
        bytes[0] = u8(0x40 | *rc::gen::inRange<u8>(5, 16));
        usize total = *rc::gen::inRange<usize>(0, bytes.size() + 1);
        bytes[2] = u8(total >> 8);
        bytes[3] = u8(total);
        if (bytes.size() >= 20 && *rc::gen::arbitrary<bool>())
            fix_checksum(bytes);
    }
    auto view = Ipv4View::checked(span(bytes));
    if (!view.is_ok())
        return;
    const Ipv4View& v = view.value();
    const u8* begin = bytes.data();
    const u8* end = bytes.data() + bytes.size();
    RC_ASSERT(v.bytes().data() == begin);
    RC_ASSERT(v.bytes().size() == v.total_length());
    RC_ASSERT(v.header_len() >= 20u);
    RC_ASSERT(v.header_len() <= v.bytes().size());
    RC_ASSERT(v.bytes().size() <= bytes.size());
    for (auto s : { v.header(), v.options(), v.payload() }) {
        RC_ASSERT(s.data() >= begin);
        RC_ASSERT(s.data() + s.size() <= end);
    }
    RC_ASSERT(v.options().size() + 20 == v.header_len());
    RC_ASSERT(v.payload().size() + v.header_len() == v.total_length());
    auto repr = Ipv4Repr::parse(v);
    if (repr.is_ok()) {
        RC_ASSERT(repr.value().src.is_valid_source());
        RC_ASSERT(usize(repr.value().payload_len) == v.payload().size());
    }
}

RC_GTEST_PROP(Ipv4, OptionWalkNeverLeavesTheHeader, ())
{
    auto options = *rc::gen::container<std::vector<u8>>(*rc::gen::inRange<usize>(0, 41),
        rc::gen::oneOf(rc::gen::arbitrary<u8>(), rc::gen::inRange<u8>(0, 5)));
    // ASan catches any read outside this exactly sized heap buffer.
    std::vector<u8> exact(options);
    auto r = ipv4::check_options(span(exact));
    if (r.is_error())
        RC_ASSERT((r.error() == WireError::BadOption || r.error() == WireError::Unsupported));
}

} // namespace

// Tests for net/wire/dhcp: a hand-decoded dnsmasq-style DHCPOFFER, byte-exact DISCOVER/REQUEST
// emission, hostile messages and option areas, and round trips of arbitrary reprs.
#include "net/wire/dhcp.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <ostream>
#include <vector>

namespace net::wire {
static void PrintTo(WireError e, std::ostream* os)
{
    auto name = wire_error_name(e);
    os->write(name.chars(), std::streamsize(name.length()));
}
} // namespace net::wire

namespace {

using namespace net::wire;
using Bytes = std::vector<u8>;

lib::ReadonlyBytes view_of(const Bytes& b) { return lib::ReadonlyBytes(b.data(), b.size()); }

// One of `choices`, inside a rapidcheck property.
u8 pick(const std::vector<u8>& choices) { return *rc::gen::elementOf(choices); }

lib::Result<DhcpRepr, WireError> parse(const Bytes& b)
{
    DhcpView view = TRY(DhcpView::checked(view_of(b)));
    return DhcpRepr::parse(view);
}

template<typename T> WireError error_of(const lib::Result<T, WireError>& r)
{
    EXPECT_TRUE(r.is_error());
    return r.is_error() ? r.error() : WireError::Unsupported;
}

Bytes emit(const DhcpRepr& repr)
{
    Bytes out(repr.buffer_len(), 0xcc); // junk, so an unwritten byte shows
    lib::ByteWriter writer(lib::Bytes(out.data(), out.size()));
    repr.emit(writer);
    EXPECT_EQ(writer.remaining(), 0u);
    return out;
}

// A BOOTP message: the first 44 bytes (op .. chaddr) as given, zero sname and file, then `tail`
// (cookie and options), zero-padded to `min_len`.
Bytes bootp(const Bytes& head, const Bytes& tail, usize min_len = 300)
{
    EXPECT_EQ(head.size(), 44u);
    Bytes b = head;
    b.resize(236, 0);
    b.insert(b.end(), tail.begin(), tail.end());
    if (b.size() < min_len)
        b.resize(min_len, 0);
    return b;
}

const Bytes kReplyHead = {
    0x02, 0x01, 0x06, 0x00, 0x39, 0x03, 0xf3, 0x26, 0x00, 0x00, 0x00, 0x00, // op htype hlen hops xid secs flags
    0x00, 0x00, 0x00, 0x00, 0xc0, 0xa8, 0x01, 0x64,                         // ciaddr 0, yiaddr 192.168.1.100
    0xc0, 0xa8, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00,                         // siaddr 192.168.1.1, giaddr 0
    0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,       // chaddr
};
const Bytes kRequestHead = {
    0x01, 0x01, 0x06, 0x00, 0x39, 0x03, 0xf3, 0x26, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

// A DHCPOFFER as dnsmasq lays it out: type, server id, lease 3600, T1 1800, T2 3150, mask
// 255.255.255.0, broadcast address (28, unknown to us), router, DNS, domain "lan" (15), End.
const Bytes kOffer = bootp(kReplyHead,
    {
        0x63, 0x82, 0x53, 0x63,                         // magic cookie
        0x35, 0x01, 0x02,                               // DHCP message type: OFFER
        0x36, 0x04, 0xc0, 0xa8, 0x01, 0x01,             // server identifier
        0x33, 0x04, 0x00, 0x00, 0x0e, 0x10,             // lease time 3600
        0x3a, 0x04, 0x00, 0x00, 0x07, 0x08,             // T1 1800
        0x3b, 0x04, 0x00, 0x00, 0x0c, 0x4e,             // T2 3150
        0x01, 0x04, 0xff, 0xff, 0xff, 0x00,             // subnet mask
        0x1c, 0x04, 0xc0, 0xa8, 0x01, 0xff,             // broadcast address
        0x03, 0x04, 0xc0, 0xa8, 0x01, 0x01,             // router
        0x06, 0x04, 0xc0, 0xa8, 0x01, 0x01,             // DNS
        0x0f, 0x03, 'l', 'a', 'n',                      // domain name
        0xff,                                           // End
    });

const Ipv4Address kServer = Ipv4Address::from_octets(192, 168, 1, 1);
const Ipv4Address kLeased = Ipv4Address::from_octets(192, 168, 1, 100);
const EthernetAddress kMac = { { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 } };

TEST(DhcpCapture, DnsmasqOffer)
{
    ASSERT_EQ(kOffer.size(), 300u);
    auto view = DhcpView::checked(view_of(kOffer));
    ASSERT_TRUE(view.is_ok());
    EXPECT_EQ(view.value().op(), dhcp::op_reply);
    EXPECT_EQ(view.value().hops(), 0);
    EXPECT_EQ(view.value().flags(), 0);
    EXPECT_EQ(view.value().relay_ip(), Ipv4Address::any());
    EXPECT_EQ(view.value().options().size(), 60u);
    auto r = parse(kOffer);
    ASSERT_TRUE(r.is_ok());
    const DhcpRepr& repr = r.value();
    EXPECT_EQ(repr.message_type, DhcpMessageType::Offer);
    EXPECT_EQ(repr.transaction_id, 0x3903f326u);
    EXPECT_EQ(repr.secs, 0);
    EXPECT_FALSE(repr.broadcast);
    EXPECT_EQ(repr.client_hardware_address, kMac);
    EXPECT_EQ(repr.client_ip, Ipv4Address::any());
    EXPECT_EQ(repr.your_ip, kLeased);
    EXPECT_EQ(repr.server_ip, kServer);
    EXPECT_EQ(repr.server_identifier.value_or({}), kServer);
    EXPECT_FALSE(repr.requested_ip.has_value());
    EXPECT_EQ(repr.subnet_mask.value_or({}), Ipv4Address::from_octets(255, 255, 255, 0));
    EXPECT_EQ(repr.router.value_or({}), kServer);
    ASSERT_EQ(repr.dns_count, 1);
    EXPECT_EQ(repr.dns_servers[0], kServer);
    EXPECT_EQ(repr.lease_time.value_or(0), 3600u);
    EXPECT_EQ(repr.renewal_time.value_or(0), 1800u);
    EXPECT_EQ(repr.rebinding_time.value_or(0), 3150u);
    EXPECT_EQ(repr.parameter_request_count, 0);
    EXPECT_FALSE(repr.client_identifier);
}

DhcpRepr discover()
{
    DhcpRepr r;
    r.message_type = DhcpMessageType::Discover;
    r.transaction_id = 0x3903f326;
    r.client_hardware_address = kMac;
    r.client_identifier = true;
    const u8 wanted[] = { 1, 3, 6, 15, 51, 54 };
    r.parameter_request_count = sizeof(wanted);
    for (usize i = 0; i < sizeof(wanted); ++i)
        r.parameter_request_list[i] = wanted[i];
    return r;
}

TEST(DhcpEmit, DiscoverByteExact)
{
    DhcpRepr repr = discover();
    Bytes expected = bootp(kRequestHead,
        {
            0x63, 0x82, 0x53, 0x63,
            0x35, 0x01, 0x01,                                     // DISCOVER
            0x3d, 0x07, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, // client id: htype 1 + MAC
            0x37, 0x06, 0x01, 0x03, 0x06, 0x0f, 0x33, 0x36,       // parameter request list
            0xff,
        });
    EXPECT_EQ(repr.buffer_len(), 300u);
    EXPECT_EQ(emit(repr), expected);
    auto back = parse(expected);
    ASSERT_TRUE(back.is_ok());
    EXPECT_TRUE(back.value() == repr);
}

TEST(DhcpEmit, RequestByteExact)
{
    DhcpRepr repr = discover();
    repr.message_type = DhcpMessageType::Request;
    repr.secs = 3;
    repr.broadcast = true;
    repr.requested_ip = kLeased;
    repr.server_identifier = kServer;
    Bytes head = kRequestHead;
    head[9] = 3;    // secs
    head[10] = 0x80; // broadcast flag
    Bytes expected = bootp(head,
        {
            0x63, 0x82, 0x53, 0x63,
            0x35, 0x01, 0x03,
            0x3d, 0x07, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
            0x32, 0x04, 0xc0, 0xa8, 0x01, 0x64,                   // requested IP
            0x36, 0x04, 0xc0, 0xa8, 0x01, 0x01,                   // server identifier
            0x37, 0x06, 0x01, 0x03, 0x06, 0x0f, 0x33, 0x36,
            0xff,
        });
    EXPECT_EQ(emit(repr), expected);
    auto back = parse(expected);
    ASSERT_TRUE(back.is_ok());
    EXPECT_TRUE(back.value() == repr);
    EXPECT_TRUE(back.value().broadcast);
}

TEST(DhcpView, Hostile)
{
    for (usize n = 0; n < 240; ++n) {
        Bytes cut(kOffer.begin(), kOffer.begin() + long(n));
        EXPECT_EQ(error_of(DhcpView::checked(view_of(cut))), WireError::Truncated) << n;
    }
    for (usize i : { 236, 237, 238, 239 }) {
        Bytes b = kOffer;
        b[i] ^= 0x01;
        EXPECT_EQ(error_of(DhcpView::checked(view_of(b))), WireError::BadVersion) << i;
    }
    const std::pair<usize, u8> bad_header[] = { { 0, 0 }, { 0, 3 }, { 1, 6 }, { 2, 16 }, { 2, 0 } };
    for (auto [index, value] : bad_header) {
        Bytes b = kOffer;
        b[index] = value;
        EXPECT_EQ(error_of(DhcpView::checked(view_of(b))), WireError::BadVersion) << index;
    }
    // Cut anywhere before the End option (at 296): the options are truncated.
    ASSERT_EQ(kOffer[296], dhcp::option::end);
    for (usize n = 240; n <= 296; ++n) {
        Bytes cut(kOffer.begin(), kOffer.begin() + long(n));
        ASSERT_TRUE(DhcpView::checked(view_of(cut)).is_ok());
        WireError e = error_of(parse(cut));
        EXPECT_TRUE(e == WireError::Truncated || e == WireError::BadOption) << n;
    }
}

Bytes offer_with(const Bytes& options)
{
    Bytes tail = { 0x63, 0x82, 0x53, 0x63 };
    tail.insert(tail.end(), options.begin(), options.end());
    return bootp(kReplyHead, tail, 0);
}

TEST(DhcpRepr, HostileOptions)
{
    const std::pair<Bytes, WireError> cases[] = {
        { { 0x35, 0x01, 0x02, 0x33, 0x04, 0x00, 0x00 }, WireError::BadOption },       // lease data cut
        { { 0x35, 0x01, 0x02, 0x33 }, WireError::BadOption },                         // length byte missing
        { { 0x35, 0x01, 0x02, 0xfe, 0xff, 0x00, 0xff }, WireError::BadOption },       // unknown, overruns
        { { 0x35, 0x01, 0x02 }, WireError::Truncated },                               // no End
        { { 0x00, 0x00, 0x00, 0x00 }, WireError::Truncated },                         // only Pad
        { {}, WireError::Truncated },                                                 // no options at all
        { { 0x00, 0x00, 0xff }, WireError::BadOption },                               // no message type
        { { 0x33, 0x04, 0x00, 0x00, 0x0e, 0x10, 0xff }, WireError::BadOption },       // no message type
        { { 0x35, 0x01, 0x02, 0x03, 0x03, 0xc0, 0xa8, 0x01, 0xff }, WireError::BadOption },    // router len 3
        { { 0x35, 0x01, 0x02, 0x03, 0x00, 0xff }, WireError::BadOption },                      // router len 0
        { { 0x35, 0x01, 0x02, 0x06, 0x05, 1, 2, 3, 4, 5, 0xff }, WireError::BadOption },       // DNS len 5
        { { 0x35, 0x01, 0x02, 0x01, 0x04, 0xff, 0x00, 0xff, 0x00, 0xff }, WireError::BadOption }, // mask holes
        { { 0x35, 0x01, 0x02, 0x35, 0x01, 0x05, 0xff }, WireError::BadOption },       // type repeated
        { { 0x35, 0x01, 0x01, 0xff }, WireError::BadOption },                         // DISCOVER with op 2
        { { 0x35, 0x01, 0x09, 0xff }, WireError::Unsupported },                       // FORCERENEW
        { { 0x35, 0x01, 0x00, 0xff }, WireError::Unsupported },
        { { 0x35, 0x00, 0xff }, WireError::BadOption },                               // type len 0
        { { 0x35, 0x02, 0x02, 0x00, 0xff }, WireError::BadOption },                   // type len 2
        { { 0x35, 0x01, 0x02, 0x37, 0x00, 0xff }, WireError::BadOption },             // empty request list
        { { 0x35, 0x01, 0x02, 0x3d, 0x01, 0x01, 0xff }, WireError::BadOption },       // client id len 1
    };
    for (const auto& [options, expected] : cases)
        EXPECT_EQ(error_of(parse(offer_with(options))), expected) << ::testing::PrintToString(options);

    // Every fixed-size option with every wrong length.
    for (u8 code : { 1, 50, 51, 54, 58, 59 }) {
        for (u8 length = 0; length < 12; ++length) {
            Bytes options = { 0x35, 0x01, 0x02, code, length };
            options.resize(options.size() + length, 0);
            options.push_back(0xff);
            auto r = parse(offer_with(options));
            EXPECT_EQ(r.is_ok(), length == 4) << int(code) << " " << int(length);
            if (length != 4)
                EXPECT_EQ(error_of(r), WireError::BadOption);
        }
    }
}

TEST(DhcpRepr, LenientWhereSafe)
{
    // Pad anywhere, overload (52) and unknown options skipped, bytes after End ignored, lists cut
    // to what the repr holds, a foreign client identifier ignored.
    Bytes options = { 0x00, 0x35, 0x01, 0x05, 0x00, 0x34, 0x01, 0x03, 0x06, 0x14 };
    for (u8 i = 1; i <= 5; ++i)
        options.insert(options.end(), { 10, 0, 0, i });
    options.insert(options.end(), { 0x03, 0x08, 10, 0, 0, 7, 10, 0, 0, 8 });
    options.insert(options.end(), { 0x3d, 0x03, 0x00, 'i', 'd', 0xff, 0x35, 0x05, 0x01 });
    auto r = parse(offer_with(options));
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r.value().message_type, DhcpMessageType::Ack);
    ASSERT_EQ(r.value().dns_count, 3);
    EXPECT_EQ(r.value().dns_servers[2], Ipv4Address::from_octets(10, 0, 0, 3));
    EXPECT_EQ(r.value().router.value_or({}), Ipv4Address::from_octets(10, 0, 0, 7));
    EXPECT_FALSE(r.value().client_identifier);
    // Contiguous masks of every prefix length are fine.
    for (u32 prefix = 0; prefix <= 32; ++prefix) {
        u32 mask = prefix == 0 ? 0 : ~u32(0) << (32 - prefix);
        Bytes o = { 0x35, 0x01, 0x02, 0x01, 0x04, u8(mask >> 24), u8(mask >> 16), u8(mask >> 8), u8(mask), 0xff };
        auto m = parse(offer_with(o));
        ASSERT_TRUE(m.is_ok()) << prefix;
        EXPECT_EQ(m.value().subnet_mask.value_or({ 1 }).value, mask);
    }
}

DhcpRepr arbitrary_repr()
{
    DhcpRepr r;
    r.message_type = DhcpMessageType(*rc::gen::inRange<u8>(1, 9));
    r.transaction_id = *rc::gen::arbitrary<u32>();
    r.secs = *rc::gen::arbitrary<u16>();
    r.broadcast = *rc::gen::arbitrary<bool>();
    for (u8& octet : r.client_hardware_address.octets)
        octet = *rc::gen::arbitrary<u8>();
    r.client_ip.value = *rc::gen::arbitrary<u32>();
    r.your_ip.value = *rc::gen::arbitrary<u32>();
    r.server_ip.value = *rc::gen::arbitrary<u32>();
    auto maybe_address = [] {
        return *rc::gen::arbitrary<bool>() ? lib::Optional<Ipv4Address>(Ipv4Address { *rc::gen::arbitrary<u32>() })
                                           : lib::Optional<Ipv4Address>();
    };
    auto maybe_u32 = [] {
        return *rc::gen::arbitrary<bool>() ? lib::Optional<u32>(*rc::gen::arbitrary<u32>()) : lib::Optional<u32>();
    };
    r.server_identifier = maybe_address();
    r.requested_ip = maybe_address();
    r.router = maybe_address();
    if (*rc::gen::arbitrary<bool>()) {
        u32 prefix = *rc::gen::inRange<u32>(0, 33);
        r.subnet_mask = Ipv4Address { prefix == 0 ? 0 : ~u32(0) << (32 - prefix) };
    }
    r.dns_count = *rc::gen::inRange<u8>(0, 4);
    for (usize i = 0; i < r.dns_count; ++i)
        r.dns_servers[i].value = *rc::gen::arbitrary<u32>();
    r.lease_time = maybe_u32();
    r.renewal_time = maybe_u32();
    r.rebinding_time = maybe_u32();
    r.parameter_request_count = *rc::gen::inRange<u8>(0, 17);
    for (usize i = 0; i < r.parameter_request_count; ++i)
        r.parameter_request_list[i] = *rc::gen::arbitrary<u8>();
    r.client_identifier = *rc::gen::arbitrary<bool>();
    return r;
}

RC_GTEST_PROP(DhcpRepr, EmitThenParseRoundTrips, ())
{
    DhcpRepr repr = arbitrary_repr();
    RC_ASSERT(repr.is_valid());
    Bytes bytes = emit(repr);
    RC_ASSERT(bytes.size() >= dhcp::min_message_len);
    auto parsed = parse(bytes);
    RC_ASSERT(parsed.is_ok());
    RC_ASSERT(parsed.value() == repr);
    RC_ASSERT(emit(parsed.value()) == bytes);
}

// Option-shaped tokens, mostly well formed: known options with their right lengths (sometimes
// not), Pad, unknown options, and the odd stray byte.
Bytes arbitrary_options()
{
    Bytes area;
    usize tokens = *rc::gen::inRange<usize>(0, 6);
    for (usize t = 0; t < tokens; ++t) {
        u8 code = pick({ dhcp::option::pad, dhcp::option::subnet_mask, dhcp::option::router,
            dhcp::option::dns_servers, dhcp::option::requested_ip, dhcp::option::lease_time, dhcp::option::overload,
            dhcp::option::server_identifier, dhcp::option::parameter_request_list, dhcp::option::renewal_time,
            dhcp::option::rebinding_time, dhcp::option::client_identifier, 15, 28, 200 });
        if (code == dhcp::option::pad) {
            area.push_back(code);
            continue;
        }
        u8 right = code == dhcp::option::client_identifier ? 7 : code == dhcp::option::parameter_request_list ? 5 : 4;
        u8 len = *rc::gen::inRange(0, 8) != 0 ? right : pick({ 0, 1, 3, 7, 8, 12, *rc::gen::arbitrary<u8>() });
        area.insert(area.end(), { code, len });
        for (u8 i = 0; i < len; ++i)
            area.push_back(code == dhcp::option::subnet_mask ? 0xff : *rc::gen::arbitrary<u8>());
    }
    if (*rc::gen::inRange(0, 8) == 0)
        area.push_back(*rc::gen::arbitrary<u8>());
    return area;
}

bool inside(lib::ReadonlyBytes inner, const Bytes& outer)
{
    return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

RC_GTEST_PROP(DhcpView, ArbitraryBytesStayInBounds, ())
{
    Bytes b;
    // Mostly a valid fixed part followed by arbitrary options, so the walk gets exercised.
    if (*rc::gen::inRange(0, 4) != 0) {
        b = bootp(*rc::gen::element(kReplyHead, kRequestHead), { 0x63, 0x82, 0x53, 0x63 }, 0);
        Bytes options = *rc::gen::inRange(0, 4) != 0
            ? arbitrary_options()
            : *rc::gen::container<Bytes>(*rc::gen::inRange<usize>(0, 80), rc::gen::arbitrary<u8>());
        // Often a message type that matches the op, and an End, so parse() gets further.
        if (*rc::gen::inRange(0, 4) != 0)
            b.insert(b.end(), { dhcp::option::message_type, 1, u8(b[0] == dhcp::op_reply ? 2 : 1) });
        b.insert(b.end(), options.begin(), options.end());
        if (*rc::gen::inRange(0, 4) != 0)
            b.push_back(dhcp::option::end);
    } else {
        b = *rc::gen::container<Bytes>(*rc::gen::inRange<usize>(0, 320), rc::gen::arbitrary<u8>());
    }
    auto view = DhcpView::checked(view_of(b));
    if (view.is_error())
        return;
    RC_ASSERT(inside(view.value().options(), b));
    RC_ASSERT(view.value().options().size() + 240 == b.size());
    DhcpOptionReader reader(view.value().options());
    usize steps = 0;
    for (;;) {
        usize before = reader.offset();
        auto next = reader.next();
        RC_ASSERT(reader.offset() <= view.value().options().size());
        if (next.is_error() || !next.value().has_value())
            break;
        RC_ASSERT(reader.offset() > before);
        RC_ASSERT(inside(next.value()->data, b));
        RC_ASSERT(++steps <= view.value().options().size());
    }
    auto after = reader.next();
    RC_ASSERT(after.is_ok() && !after.value().has_value());
    auto repr = DhcpRepr::parse(view.value());
    if (repr.is_error())
        return;
    RC_ASSERT(repr.value().is_valid());
    auto again = parse(emit(repr.value()));
    RC_ASSERT(again.is_ok());
    RC_ASSERT(again.value() == repr.value());
}

} // namespace

// Tests for net/wire/tcp: hand-decoded Linux segments, hostile headers and option areas, round
// trips of arbitrary reprs, and sequence arithmetic across the 2^32 wrap.
#include "net/wire/checksum.h"
#include "net/wire/tcp.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <ostream>
#include <vector>

namespace net::wire {
static void PrintTo(WireError e, std::ostream* os)
{
    auto name = wire_error_name(e);
    os->write(name.chars(), std::streamsize(name.length())); }
} // namespace net::wire

namespace {

using namespace net::wire;
using Bytes = std::vector<u8>;

const Ipv4Address kClient = Ipv4Address::from_octets(10, 0, 2, 15);
const Ipv4Address kServer = Ipv4Address::from_octets(93, 184, 216, 34);

lib::ReadonlyBytes view_of(const Bytes& b) { return lib::ReadonlyBytes(b.data(), b.size()); }

// One of `choices`, inside a rapidcheck property.
u8 pick(const std::vector<u8>& choices) { return *rc::gen::elementOf(choices); }

lib::Result<TcpRepr, WireError> parse(const Bytes& b, Ipv4Address src = kClient, Ipv4Address dst = kServer)
{
    TcpView view = TRY(TcpView::checked(view_of(b)));
    return TcpRepr::parse(view, src, dst);
}

template<typename T> WireError error_of(const lib::Result<T, WireError>& r)
{
    EXPECT_TRUE(r.is_error());
    return r.is_error() ? r.error() : WireError::Unsupported;
}

Bytes emit(const TcpRepr& repr, const Bytes& payload, Ipv4Address src = kClient, Ipv4Address dst = kServer)
{
    // Pre-filled with junk so that a byte emit() forgot to write shows up.
    Bytes out(repr.buffer_len(), 0xcc);
    lib::ByteWriter writer(lib::Bytes(out.data(), out.size()));
    repr.emit(writer, view_of(payload), src, dst);
    EXPECT_EQ(writer.remaining(), 0u);
    return out;
}

// Recomputes the checksum of a segment from `src` to `dst` in place (for building hostile inputs
// that must get past the checksum).
void fix_checksum(Bytes& b, Ipv4Address src = kClient, Ipv4Address dst = kServer)
{
    if (b.size() < 20)
        return;
    b[16] = b[17] = 0;
    u32 pseudo = checksum::pseudo_header(src, dst, tcp::ip_protocol, u16(b.size()));
    u16 sum = checksum::finish(checksum::accumulate(view_of(b), pseudo));
    b[16] = u8(sum >> 8);
    b[17] = u8(sum);
}

// A raw segment with arbitrary (4-byte aligned) options, checksum fixed.
Bytes segment(u8 flags, const Bytes& options, const Bytes& payload = {}, u16 sport = 48256, u16 dport = 80)
{
    EXPECT_EQ(options.size() % 4, 0u);
    u8 offset = u8((20 + options.size()) / 4);
    Bytes b = { u8(sport >> 8), u8(sport), u8(dport >> 8), u8(dport), 0, 0, 0, 1, 0, 0, 0, 2,
        u8(offset << 4), flags, 0xff, 0xff, 0, 0, 0, 0 };
    b.insert(b.end(), options.begin(), options.end());
    b.insert(b.end(), payload.begin(), payload.end());
    fix_checksum(b);
    return b;
}

// Linux SYN, 10.0.2.15:48256 -> 93.184.216.34:80: MSS 1460, SACK-permitted, timestamps
// (TSval 0x0003a1b2, TSecr 0), NOP, window scale 7 — the classic 40-byte header.
const Bytes kLinuxSyn = {
    0xbc, 0x80, 0x00, 0x50, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
    0x56, 0x27, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x03, 0xa1, 0xb2,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};
// The Linux SYN-ACK answering it.
const Bytes kLinuxSynAck = {
    0x00, 0x50, 0xbc, 0x80, 0x5e, 0x6f, 0x70, 0x81, 0x1a, 0x2b, 0x3c, 0x4e, 0xa0, 0x12, 0xfe, 0x88,
    0x6c, 0x54, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x7a, 0x8b, 0x9c, 0xad,
    0x00, 0x03, 0xa1, 0xb2, 0x01, 0x03, 0x03, 0x07,
};
// A PSH+ACK data segment ("hello", odd length) with NOP NOP TS and NOP NOP SACK(1 block).
const Bytes kSackData = {
    0xbc, 0x80, 0x00, 0x50, 0x1a, 0x2b, 0x3c, 0x4e, 0x5e, 0x6f, 0x76, 0x2a, 0xb0, 0x18, 0x01, 0xf6,
    0x58, 0x87, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x00, 0x03, 0xa5, 0xc0, 0x7a, 0x8b, 0x9e, 0x01,
    0x01, 0x01, 0x05, 0x0a, 0x5e, 0x6f, 0x7b, 0xd2, 0x5e, 0x6f, 0x81, 0x7a, 0x68, 0x65, 0x6c, 0x6c,
    0x6f,
};

TEST(TcpCapture, LinuxSyn)
{
    auto view = TcpView::checked(view_of(kLinuxSyn));
    ASSERT_TRUE(view.is_ok());
    EXPECT_EQ(view.value().header_len(), 40u);
    EXPECT_EQ(view.value().options().size(), 20u);
    EXPECT_EQ(view.value().payload().size(), 0u);
    EXPECT_EQ(view.value().checksum(), 0x5627);
    auto r = parse(kLinuxSyn);
    ASSERT_TRUE(r.is_ok());
    const TcpRepr& repr = r.value();
    EXPECT_EQ(repr.src_port, 48256);
    EXPECT_EQ(repr.dst_port, 80);
    EXPECT_EQ(repr.seq.value, 0x1a2b3c4du);
    EXPECT_EQ(repr.ack.value, 0u);
    EXPECT_EQ(repr.flags.bits, TcpFlags::syn);
    EXPECT_EQ(repr.window, 64240);
    EXPECT_EQ(repr.urgent, 0);
    EXPECT_EQ(repr.options.mss.value_or(0), 1460);
    EXPECT_EQ(repr.options.window_scale.value_or(0), 7);
    EXPECT_TRUE(repr.options.sack_permitted);
    ASSERT_TRUE(repr.options.timestamps.has_value());
    EXPECT_EQ(repr.options.timestamps->tsval, 0x0003a1b2u);
    EXPECT_EQ(repr.options.timestamps->tsecr, 0u);
    EXPECT_EQ(repr.options.sack_count, 0);
    EXPECT_EQ(repr.payload_len, 0u);
    // Linux's layout is the canonical one: re-emitting gives the capture byte for byte.
    EXPECT_EQ(emit(repr, {}), kLinuxSyn);
    // The same bytes from another address pair fail the pseudo-header checksum.
    if (checksum::enforce)
        EXPECT_EQ(error_of(parse(kLinuxSyn, kClient, kClient)), WireError::BadChecksum);
}

TEST(TcpCapture, LinuxSynAck)
{
    auto r = parse(kLinuxSynAck, kServer, kClient);
    ASSERT_TRUE(r.is_ok());
    const TcpRepr& repr = r.value();
    EXPECT_EQ(repr.src_port, 80);
    EXPECT_EQ(repr.dst_port, 48256);
    EXPECT_EQ(repr.seq.value, 0x5e6f7081u);
    EXPECT_EQ(repr.ack.value, 0x1a2b3c4eu);
    EXPECT_EQ(repr.flags.bits, TcpFlags::syn | TcpFlags::ack);
    EXPECT_EQ(repr.window, 65160);
    EXPECT_EQ(repr.options.mss.value_or(0), 1460);
    EXPECT_EQ(repr.options.window_scale.value_or(0), 7);
    EXPECT_TRUE(repr.options.sack_permitted);
    ASSERT_TRUE(repr.options.timestamps.has_value());
    EXPECT_EQ(repr.options.timestamps->tsval, 0x7a8b9cadu);
    EXPECT_EQ(repr.options.timestamps->tsecr, 0x0003a1b2u);
    EXPECT_EQ(emit(repr, {}, kServer, kClient), kLinuxSynAck);
}

TEST(TcpCapture, DataWithSack)
{
    auto view = TcpView::checked(view_of(kSackData));
    ASSERT_TRUE(view.is_ok());
    EXPECT_EQ(view.value().header_len(), 44u);
    ASSERT_EQ(view.value().payload().size(), 5u);
    EXPECT_EQ(view.value().payload()[0], 'h');
    auto r = parse(kSackData);
    ASSERT_TRUE(r.is_ok());
    const TcpRepr& repr = r.value();
    EXPECT_EQ(repr.seq.value, 0x1a2b3c4eu);
    EXPECT_EQ(repr.ack.value, 0x5e6f762au);
    EXPECT_EQ(repr.flags.bits, TcpFlags::psh | TcpFlags::ack);
    EXPECT_EQ(repr.window, 502);
    EXPECT_FALSE(repr.options.mss.has_value());
    EXPECT_FALSE(repr.options.window_scale.has_value());
    EXPECT_FALSE(repr.options.sack_permitted);
    ASSERT_TRUE(repr.options.timestamps.has_value());
    EXPECT_EQ(repr.options.timestamps->tsval, 0x0003a5c0u);
    EXPECT_EQ(repr.options.timestamps->tsecr, 0x7a8b9e01u);
    ASSERT_EQ(repr.options.sack_count, 1);
    EXPECT_EQ(repr.options.sack_blocks[0].left.value, 0x5e6f7bd2u);
    EXPECT_EQ(repr.options.sack_blocks[0].right.value, 0x5e6f817au);
    EXPECT_EQ(repr.payload_len, 5u);
    EXPECT_EQ(emit(repr, { 'h', 'e', 'l', 'l', 'o' }), kSackData);
}

TEST(TcpView, TruncatedAtEveryLength)
{
    for (const Bytes* capture : { &kLinuxSyn, &kSackData }) {
        usize header_len = usize(((*capture)[12] >> 4) * 4);
        for (usize n = 0; n < capture->size(); ++n) {
            Bytes cut(capture->begin(), capture->begin() + long(n));
            auto view = TcpView::checked(view_of(cut));
            if (n < header_len) {
                EXPECT_EQ(error_of(view), WireError::Truncated) << n;
            } else {
                // Cut inside the payload: the lengths are fine, the checksum is not.
                ASSERT_TRUE(view.is_ok()) << n;
                EXPECT_EQ(view.value().payload().size(), n - header_len);
                if (checksum::enforce)
                    EXPECT_EQ(error_of(TcpRepr::parse(view.value(), kClient, kServer)), WireError::BadChecksum);
            }
        }
    }
}

TEST(TcpView, DataOffset)
{
    for (u8 offset = 0; offset < 5; ++offset) {
        Bytes b = kLinuxSyn;
        b[12] = u8(offset << 4);
        EXPECT_EQ(error_of(TcpView::checked(view_of(b))), WireError::BadLength) << int(offset);
    }
    for (u8 offset = 11; offset < 16; ++offset) {
        Bytes b = kLinuxSyn;
        b[12] = u8(offset << 4);
        EXPECT_EQ(error_of(TcpView::checked(view_of(b))), WireError::Truncated) << int(offset);
    }
    Bytes b = kLinuxSyn;
    b[12] = 0x50; // the options become payload
    auto view = TcpView::checked(view_of(b));
    ASSERT_TRUE(view.is_ok());
    EXPECT_EQ(view.value().options().size(), 0u);
    EXPECT_EQ(view.value().payload().size(), 20u);
    Bytes huge(65536, 0);
    huge[12] = 0x50;
    EXPECT_EQ(error_of(TcpView::checked(view_of(huge))), WireError::BadLength);
    huge.pop_back();
    EXPECT_TRUE(TcpView::checked(view_of(huge)).is_ok());
}

TEST(TcpRepr, BadChecksum)
{
    if (!checksum::enforce)
        GTEST_SKIP() << "checksums are not enforced in fuzzing builds";
    Bytes b = kSackData;
    b.back() ^= 0x01;
    EXPECT_EQ(error_of(parse(b)), WireError::BadChecksum);
    b = kSackData;
    b[16] ^= 0x80;
    EXPECT_EQ(error_of(parse(b)), WireError::BadChecksum);
}

TEST(TcpRepr, Flags)
{
    const u8 illegal[] = { 0, TcpFlags::syn | TcpFlags::fin, TcpFlags::syn | TcpFlags::rst,
        TcpFlags::fin | TcpFlags::rst, TcpFlags::syn | TcpFlags::fin | TcpFlags::ack,
        TcpFlags::syn | TcpFlags::rst | TcpFlags::ack, 0xff };
    for (u8 flags : illegal)
        EXPECT_EQ(error_of(parse(segment(flags, {}))), WireError::BadFlags) << int(flags);
    const u8 legal[] = { TcpFlags::syn, TcpFlags::syn | TcpFlags::ack, TcpFlags::rst, TcpFlags::rst | TcpFlags::ack,
        TcpFlags::fin | TcpFlags::ack, TcpFlags::ack | TcpFlags::psh | TcpFlags::urg, TcpFlags::fin };
    for (u8 flags : legal) {
        auto r = parse(segment(flags, {}));
        ASSERT_TRUE(r.is_ok()) << int(flags);
        EXPECT_EQ(r.value().flags.bits, flags);
        // The ack and urgent fields are zeroed unless their flag says they mean something.
        EXPECT_EQ(r.value().ack.value, (flags & TcpFlags::ack) ? 2u : 0u);
    }
    // The reserved bits are ignored.
    Bytes b = segment(TcpFlags::ack, {});
    b[12] |= 0x0f;
    fix_checksum(b);
    auto r = parse(b);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r.value().flags.bits, TcpFlags::ack);
    // Urgent pointer: kept with URG, dropped without.
    b = segment(TcpFlags::ack | TcpFlags::urg, {});
    b[19] = 7;
    fix_checksum(b);
    EXPECT_EQ(parse(b).value().urgent, 7);
    b[13] = TcpFlags::ack;
    fix_checksum(b);
    EXPECT_EQ(parse(b).value().urgent, 0);
}

TEST(TcpRepr, PortZero)
{
    EXPECT_EQ(error_of(parse(segment(TcpFlags::syn, {}, {}, 0, 80))), WireError::BadAddress);
    EXPECT_EQ(error_of(parse(segment(TcpFlags::syn, {}, {}, 1234, 0))), WireError::BadAddress);
    EXPECT_TRUE(parse(segment(TcpFlags::syn, {}, {}, 1, 65535)).is_ok());
}

lib::Result<TcpOptions, WireError> options(const Bytes& area, u8 flags = TcpFlags::syn)
{
    return TcpOptions::parse(view_of(area), TcpFlags { flags });
}

TEST(TcpOptions, MalformedWalks)
{
    const Bytes bad[] = {
        { 0x01, 0x01, 0x01, 0x02 },                   // MSS kind, length byte missing
        { 0x02, 0x00, 0x00, 0x00 },                   // length 0 (the infinite-loop bug)
        { 0x02, 0x01, 0x00, 0x00 },                   // length 1
        { 0xfe, 0x00, 0x00, 0x00 },                   // unknown kind, length 0
        { 0xfe, 0x01, 0x00, 0x00 },                   // unknown kind, length 1
        { 0xfe, 0x05, 0x00, 0x00 },                   // unknown kind, runs past the area
        { 0x01, 0x01, 0x08, 0x0a },                   // timestamps cut short
        { 0x02, 0x04, 0x05, 0xb4, 0x03, 0xff, 0, 0 }, // second option runs far past
    };
    for (const Bytes& area : bad) {
        EXPECT_EQ(error_of(options(area)), WireError::BadOption);
        EXPECT_EQ(error_of(parse(segment(TcpFlags::syn, area))), WireError::BadOption);
    }
    // The walk never reads past the area even when the area is not a multiple of 4.
    EXPECT_EQ(error_of(options({ 0x02 })), WireError::BadOption);
    EXPECT_EQ(error_of(options({ 0x08, 0x0a, 0, 0, 0, 0, 0, 0, 0 })), WireError::BadOption);
    EXPECT_TRUE(options({}).is_ok());
    EXPECT_TRUE(options({ 0x01 }).is_ok());
    // An area longer than a header can hold is refused outright.
    EXPECT_EQ(error_of(options(Bytes(41, 0x01))), WireError::BadOption);
}

TEST(TcpOptions, EveryWrongLengthOfEveryKnownOption)
{
    struct Known {
        u8 kind;
        std::vector<usize> valid;
    };
    const Known known[] = { { 2, { 4 } }, { 3, { 3 } }, { 4, { 2 } }, { 5, { 10, 18, 26, 34 } }, { 8, { 10 } } };
    for (const Known& k : known) {
        for (usize len = 2; len <= 40; ++len) {
            Bytes area(len, 0);
            area[0] = k.kind;
            area[1] = u8(len);
            // SACK blocks must have left < right to be valid.
            for (usize i = 2; i + 8 <= len; i += 8)
                area[i + 7] = 1;
            bool valid = false;
            for (usize v : k.valid)
                valid = valid || v == len;
            for (u8 flags : { TcpFlags::syn, TcpFlags::ack }) {
                auto r = options(area, flags);
                EXPECT_EQ(r.is_ok(), valid) << "kind " << int(k.kind) << " len " << len;
                if (!valid)
                    EXPECT_EQ(error_of(r), WireError::BadOption);
            }
        }
    }
    // SACK with five blocks needs 42 bytes; a 40-byte area cannot hold it.
    Bytes five(40, 0);
    five[0] = 5;
    five[1] = 42;
    EXPECT_EQ(error_of(options(five, TcpFlags::ack)), WireError::BadOption);
}

// Parses an area that must be accepted.
TcpOptions accepted(const Bytes& area, u8 flags = TcpFlags::syn)
{
    auto r = options(area, flags);
    EXPECT_TRUE(r.is_ok());
    return r.value_or(TcpOptions {});
}

TEST(TcpOptions, Semantics)
{
    // SYN-only options on a non-SYN segment are checked, then ignored.
    TcpOptions o = accepted({ 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x03, 0x03, 0x07, 0x00 }, TcpFlags::ack);
    EXPECT_FALSE(o.mss.has_value());
    EXPECT_FALSE(o.window_scale.has_value());
    EXPECT_FALSE(o.sack_permitted);
    // SACK blocks on a SYN are checked, then ignored.
    Bytes sack = { 0x05, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2 };
    EXPECT_EQ(accepted(sack, TcpFlags::syn).sack_count, 0);
    EXPECT_EQ(accepted(sack, TcpFlags::ack).sack_count, 1);
    // SACK blocks that are empty or inverted, even across the wrap, are BadOption.
    EXPECT_EQ(error_of(options({ 0x05, 0x0a, 0, 0, 0, 2, 0, 0, 0, 2 }, TcpFlags::ack)), WireError::BadOption);
    EXPECT_EQ(error_of(options({ 0x05, 0x0a, 0, 0, 0, 3, 0, 0, 0, 2 }, TcpFlags::ack)), WireError::BadOption);
    o = accepted({ 0x05, 0x0a, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0x10 }, TcpFlags::ack);
    EXPECT_EQ(o.sack_blocks[0].left.value, 0xfffffff0u);
    EXPECT_EQ(o.sack_blocks[0].right.value, 0x10u);
    // Window scale above 14 is clamped (RFC 7323 §2.3).
    for (u8 shift : { 14, 15, 200, 255 })
        EXPECT_EQ(accepted({ 0x03, 0x03, shift }).window_scale.value_or(0), 14);
    EXPECT_EQ(accepted({ 0x03, 0x03, 0 }).window_scale.value_or(99), 0);
    // A repeated known option is BadOption, also when it would be ignored; unknown ones may repeat.
    EXPECT_EQ(error_of(options({ 0x02, 0x04, 0x05, 0xb4, 0x02, 0x04, 0x02, 0x18 })), WireError::BadOption);
    EXPECT_EQ(error_of(options({ 0x02, 0x04, 0x05, 0xb4, 0x02, 0x04, 0x02, 0x18 }, TcpFlags::ack)), WireError::BadOption);
    EXPECT_EQ(error_of(options({ 0x04, 0x02, 0x04, 0x02 })), WireError::BadOption);
    EXPECT_EQ(accepted({ 0xfd, 0x04, 0xaa, 0xbb, 0xfd, 0x02, 0x02, 0x04, 0x02, 0x18 }).mss.value_or(0), 0x218);
    // Everything after End-of-Option-List is padding, even bytes that would be malformed.
    EXPECT_EQ(accepted({ 0x02, 0x04, 0x05, 0xb4, 0x00, 0x02, 0x00, 0xff }).mss.value_or(0), 1460);
    EXPECT_FALSE(accepted({ 0x00, 0x02, 0x04, 0x05, 0xb4 }).mss.has_value());
}

TEST(TcpRepr, EmitCanonicalLayouts)
{
    TcpRepr repr;
    repr.src_port = 1;
    repr.dst_port = 2;
    repr.flags.bits = TcpFlags::syn;
    repr.options.sack_permitted = true;
    EXPECT_EQ(repr.header_len(), 24u);
    Bytes b = emit(repr, {});
    EXPECT_EQ(Bytes(b.begin() + 20, b.end()), (Bytes { 0x01, 0x01, 0x04, 0x02 }));
    repr.options.sack_permitted = false;
    repr.options.timestamps = TcpTimestamps { 0x01020304, 0x05060708 };
    b = emit(repr, {});
    EXPECT_EQ(Bytes(b.begin() + 20, b.end()), (Bytes { 0x01, 0x01, 0x08, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8 }));
    EXPECT_EQ(b[12], 0x80);
    // Non-SYN: TS then four SACK blocks do not fit in 40 bytes; three do.
    repr.flags.bits = TcpFlags::ack;
    repr.options.sack_count = 3;
    for (usize i = 0; i < 4; ++i)
        repr.options.sack_blocks[i] = { { u32(10 * i) }, { u32(10 * i + 5) } };
    EXPECT_TRUE(repr.is_valid());
    EXPECT_EQ(repr.header_len(), 60u);
    repr.options.sack_count = 4;
    EXPECT_FALSE(repr.is_valid());
    repr.options.timestamps = lib::nullopt;
    EXPECT_TRUE(repr.is_valid());
    EXPECT_EQ(repr.header_len(), 56u);
    // Invalid reprs: what parse() could never produce.
    TcpRepr bad = repr;
    bad.options.mss = u16(1460);
    EXPECT_FALSE(bad.is_valid());
    bad = repr;
    bad.urgent = 1;
    EXPECT_FALSE(bad.is_valid());
    bad = repr;
    bad.flags.bits = 0;
    EXPECT_FALSE(bad.is_valid());
    bad = repr;
    bad.options.sack_blocks[1].right = bad.options.sack_blocks[1].left;
    EXPECT_FALSE(bad.is_valid());
}

TEST(TcpReprDeathTest, EmitRefusesInvalidRepr)
{
    TcpRepr repr;
    repr.src_port = 1;
    repr.dst_port = 2;
    repr.flags.bits = TcpFlags::syn | TcpFlags::fin;
    EXPECT_DEATH({ (void)emit(repr, {}); }, "VERIFY failed");
}

TEST(SeqNumber, WrapAround)
{
    SeqNumber max { 0xffffffffu };
    SeqNumber zero { 0 };
    EXPECT_TRUE(seq_lt(max, zero));
    EXPECT_TRUE(seq_gt(zero, max));
    EXPECT_TRUE(seq_le(max, max));
    EXPECT_TRUE(seq_ge(max, max));
    EXPECT_FALSE(seq_lt(max, max));
    EXPECT_EQ((max + 1).value, 0u);
    EXPECT_EQ((SeqNumber { 0xfffffff0u } + 0x20).value, 0x10u);
    EXPECT_EQ((zero - 1).value, 0xffffffffu);
    EXPECT_EQ(seq_diff(zero, max), 1);
    // A window straddling 2^32.
    SeqNumber start { 0xfffffffeu };
    EXPECT_TRUE(seq_in_window(start, start, 10));
    EXPECT_TRUE(seq_in_window(max, start, 10));
    EXPECT_TRUE(seq_in_window({ 7 }, start, 10));
    EXPECT_FALSE(seq_in_window({ 8 }, start, 10));
    EXPECT_FALSE(seq_in_window({ 0xfffffffdu }, start, 10));
    EXPECT_FALSE(seq_in_window(start, start, 0));
    // Exactly 2^31 apart: "less" both ways (documented; a window never spans that far).
    SeqNumber half { 0x80000000u };
    EXPECT_TRUE(seq_lt(zero, half));
    EXPECT_TRUE(seq_lt(half, zero));
}

RC_GTEST_PROP(SeqNumber, OrderWithinHalfTheSpace, (u32 a_value, u32 raw_distance))
{
    SeqNumber a { a_value };
    u32 d = 1 + raw_distance % 0x7fffffffu; // 1 .. 2^31 - 1
    SeqNumber b = a + d;
    RC_ASSERT(seq_lt(a, b));
    RC_ASSERT(seq_le(a, b));
    RC_ASSERT(seq_gt(b, a));
    RC_ASSERT(seq_ge(b, a));
    RC_ASSERT(!seq_lt(b, a));
    RC_ASSERT(!seq_ge(a, b));
    RC_ASSERT(seq_diff(b, a) == i32(d));
    RC_ASSERT(seq_in_window(b, a, d + 1));
    RC_ASSERT(!seq_in_window(b, a, d));
    RC_ASSERT(seq_in_window(a, a, 1));
    RC_ASSERT(!seq_in_window(a - 1, a, d));
}

TcpRepr arbitrary_repr()
{
    TcpRepr r;
    r.src_port = *rc::gen::inRange<u16>(1, 0xffff);
    r.dst_port = *rc::gen::inRange<u16>(1, 0xffff);
    r.seq.value = *rc::gen::arbitrary<u32>();
    r.flags.bits = *rc::gen::suchThat(rc::gen::arbitrary<u8>(), [](u8 bits) { return TcpFlags { bits }.is_legal(); });
    if (r.flags.has(TcpFlags::ack))
        r.ack.value = *rc::gen::arbitrary<u32>();
    if (r.flags.has(TcpFlags::urg))
        r.urgent = *rc::gen::arbitrary<u16>();
    r.window = *rc::gen::arbitrary<u16>();
    bool syn = r.flags.has(TcpFlags::syn);
    if (*rc::gen::arbitrary<bool>())
        r.options.timestamps = TcpTimestamps { *rc::gen::arbitrary<u32>(), *rc::gen::arbitrary<u32>() };
    if (syn) {
        if (*rc::gen::arbitrary<bool>())
            r.options.mss = *rc::gen::arbitrary<u16>();
        if (*rc::gen::arbitrary<bool>())
            r.options.window_scale = *rc::gen::inRange<u8>(0, 15);
        r.options.sack_permitted = *rc::gen::arbitrary<bool>();
    } else {
        u8 max_blocks = r.options.timestamps.has_value() ? 3 : 4;
        r.options.sack_count = *rc::gen::inRange<u8>(0, u8(max_blocks + 1));
        for (usize i = 0; i < r.options.sack_count; ++i) {
            SeqNumber left { *rc::gen::arbitrary<u32>() };
            r.options.sack_blocks[i] = { left, left + *rc::gen::inRange<u32>(1, 0x80000000u) };
        }
    }
    r.payload_len = *rc::gen::inRange<usize>(0, 80);
    return r;
}

RC_GTEST_PROP(TcpRepr, EmitThenParseRoundTrips, ())
{
    TcpRepr repr = arbitrary_repr();
    RC_ASSERT(repr.is_valid());
    Bytes payload = *rc::gen::container<Bytes>(repr.payload_len, rc::gen::arbitrary<u8>());
    Ipv4Address src { *rc::gen::arbitrary<u32>() };
    Ipv4Address dst { *rc::gen::arbitrary<u32>() };
    Bytes bytes = emit(repr, payload, src, dst);
    RC_ASSERT(bytes.size() <= 60 + payload.size());
    RC_ASSERT(bytes.size() % 4 == payload.size() % 4);
    auto parsed = parse(bytes, src, dst);
    RC_ASSERT(parsed.is_ok());
    RC_ASSERT(parsed.value() == repr);
    auto view = TcpView::checked(view_of(bytes));
    RC_ASSERT(Bytes(view.value().payload().begin(), view.value().payload().end()) == payload);
    // And emit(parse(b)) == b for canonical bytes.
    RC_ASSERT(emit(parsed.value(), payload, src, dst) == bytes);
}

// An options area built from option-shaped tokens (mostly well formed, sometimes not), so that
// properties reach past the walk into the meaning-level checks. At most `max_len` bytes.
Bytes arbitrary_options_area(usize max_len)
{
    Bytes area;
    usize tokens = *rc::gen::inRange<usize>(0, 8);
    for (usize t = 0; t < tokens; ++t) {
        Bytes token;
        switch (*rc::gen::inRange(0, 9)) {
        case 0: token = { tcp::option::nop }; break;
        case 1: token = { tcp::option::end_of_list }; break;
        case 2: token = { tcp::option::mss, 4, *rc::gen::arbitrary<u8>(), *rc::gen::arbitrary<u8>() }; break;
        case 3: token = { tcp::option::window_scale, 3, *rc::gen::arbitrary<u8>() }; break;
        case 4: token = { tcp::option::sack_permitted, 2 }; break;
        case 5: {
            token = { tcp::option::timestamps, 10 };
            for (int i = 0; i < 8; ++i)
                token.push_back(*rc::gen::arbitrary<u8>());
            break;
        }
        case 6: {
            usize blocks = *rc::gen::inRange<usize>(1, 5);
            token = { tcp::option::sack, u8(2 + 8 * blocks) };
            for (usize i = 0; i < blocks; ++i) {
                u32 left = *rc::gen::arbitrary<u32>();
                u32 right = left + *rc::gen::inRange<u32>(0, 0x10000);
                for (u32 v : { left, right })
                    token.insert(token.end(), { u8(v >> 24), u8(v >> 16), u8(v >> 8), u8(v) });
            }
            break;
        }
        case 7: {
            u8 len = *rc::gen::inRange<u8>(2, 12);
            token = { *rc::gen::inRange<u8>(9, 255), len };
            token.resize(len, 0xab);
            break;
        }
        default: token = { *rc::gen::arbitrary<u8>() }; break;
        }
        area.insert(area.end(), token.begin(), token.end());
    }
    if (area.size() > max_len)
        area.resize(max_len);
    return area;
}

bool inside(lib::ReadonlyBytes inner, const Bytes& outer)
{
    return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

RC_GTEST_PROP(TcpView, ArbitraryBytesStayInBounds, ())
{
    Bytes b;
    switch (*rc::gen::inRange(0, 3)) {
    case 0:
        // Arbitrary bytes.
        b = *rc::gen::container<Bytes>(*rc::gen::inRange<usize>(0, 100), rc::gen::arbitrary<u8>());
        break;
    case 1:
        // Arbitrary bytes with a plausible data offset and a correct checksum.
        b = *rc::gen::container<Bytes>(*rc::gen::inRange<usize>(20, 100), rc::gen::arbitrary<u8>());
        b[12] = u8((*rc::gen::inRange<u8>(5, 16) << 4) | (b[12] & 0x0f));
        fix_checksum(b);
        break;
    default: {
        // A header with option-shaped options, legal-looking flags and some payload.
        Bytes area = arbitrary_options_area(tcp::options_len_max);
        while (area.size() % 4 != 0)
            area.push_back(pick({ tcp::option::nop, tcp::option::end_of_list }));
        u8 flags = pick({ TcpFlags::syn, TcpFlags::syn | TcpFlags::ack, TcpFlags::ack,
            TcpFlags::ack | TcpFlags::psh, TcpFlags::rst, *rc::gen::arbitrary<u8>() });
        Bytes payload = *rc::gen::container<Bytes>(*rc::gen::inRange<usize>(0, 16), rc::gen::arbitrary<u8>());
        b = segment(flags, area, payload, *rc::gen::arbitrary<u16>(), *rc::gen::inRange<u16>(1, 0xffff));
        break;
    }
    }
    auto view = TcpView::checked(view_of(b));
    if (view.is_error())
        return;
    const TcpView& v = view.value();
    RC_ASSERT(v.header_len() >= 20u && v.header_len() <= b.size());
    RC_ASSERT(inside(v.options(), b));
    RC_ASSERT(inside(v.payload(), b));
    RC_ASSERT(v.options().size() + 20 + v.payload().size() == b.size());
    auto repr = TcpRepr::parse(v, kClient, kServer);
    if (repr.is_error())
        return;
    RC_ASSERT(repr.value().is_valid());
    Bytes payload(v.payload().begin(), v.payload().end());
    auto again = parse(emit(repr.value(), payload));
    RC_ASSERT(again.is_ok());
    RC_ASSERT(again.value() == repr.value());
}

RC_GTEST_PROP(TcpOptions, WalkTerminatesAndStaysInside, ())
{
    Bytes area = *rc::gen::arbitrary<bool>()
        ? *rc::gen::container<Bytes>(*rc::gen::inRange<usize>(0, 41), rc::gen::arbitrary<u8>())
        : arbitrary_options_area(tcp::options_len_max);
    TcpOptionReader reader(view_of(area));
    usize steps = 0;
    for (;;) {
        usize before = reader.offset();
        auto next = reader.next();
        RC_ASSERT(reader.offset() <= area.size());
        if (next.is_error() || !next.value().has_value())
            break;
        RC_ASSERT(reader.offset() > before);
        RC_ASSERT(inside(next.value()->data, area));
        ++steps;
        RC_ASSERT(steps <= area.size());
    }
    // A finished reader stays finished.
    auto after = reader.next();
    RC_ASSERT(after.is_ok() && !after.value().has_value());
    for (u8 flags : { TcpFlags::syn, TcpFlags::ack }) {
        auto parsed = TcpOptions::parse(view_of(area), TcpFlags { flags });
        if (parsed.is_ok()) {
            // Whatever parses re-encodes canonically within the 40-byte options area.
            RC_ASSERT(parsed.value().buffer_len() <= tcp::options_len_max);
            TcpRepr repr;
            repr.src_port = repr.dst_port = 1;
            repr.flags.bits = flags;
            repr.options = parsed.value();
            RC_ASSERT(repr.is_valid());
        }
    }
}

} // namespace

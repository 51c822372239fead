// Tests for net/wire/checksum: the RFC 1071 §3 example, odd lengths, real headers, the pseudo-header
// and RFC 1624 incremental update against recomputation.
#include "net/wire/checksum.h"
#include "net/wire/test_support.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <vector>

namespace {

using namespace net::wire;

using net::wire::test_support::span;

// The IPv4 header of a `ping 10.0.2.2` echo request from 10.0.2.15 (checksum 0xd46d).
const std::vector<u8> ping_ipv4_header = {
    0x45, 0x00, 0x00, 0x54, 0x4e, 0x2b, 0x40, 0x00, 0x40, 0x01, 0xd4, 0x6d, 0x0a, 0x00, 0x02, 0x0f,
    0x0a, 0x00, 0x02, 0x02,
};

TEST(Checksum, Rfc1071Example)
{
    // RFC 1071 §3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to 2ddf0, folded to ddf2.
    const std::vector<u8> bytes = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    EXPECT_EQ(checksum::fold(checksum::accumulate(span(bytes))), 0xddf2);
    EXPECT_EQ(checksum::of(span(bytes)), 0x220d);
    EXPECT_EQ(checksum::finish(0x2ddf0), 0x220d);
    // Appending the checksum makes the whole verify.
    std::vector<u8> with_sum = bytes;
    with_sum.push_back(0x22);
    with_sum.push_back(0x0d);
    EXPECT_TRUE(checksum::verifies(span(with_sum)));
    with_sum[3] ^= 1;
    EXPECT_FALSE(checksum::verifies(span(with_sum)));
}

TEST(Checksum, OddLengthPadsWithZero)
{
    EXPECT_EQ(checksum::accumulate(span({ 0xab })), 0xab00u);
    EXPECT_EQ(checksum::accumulate(span({ 0x00, 0x01, 0xf2 })), 0xf201u);
    EXPECT_EQ(checksum::of(span({ 0x00, 0x01, 0xf2 })), u16(~0xf201));
    EXPECT_EQ(checksum::accumulate(span({})), 0u);
    EXPECT_EQ(checksum::of(span({})), 0xffff);
    EXPECT_EQ(checksum::accumulate(span({ 0x12 }), 0x10), 0x1210u);
}

TEST(Checksum, FoldCarriesAround)
{
    EXPECT_EQ(checksum::fold(0x0001ffff), 0x0001);
    EXPECT_EQ(checksum::fold(0xffffffff), 0xffff);
    EXPECT_EQ(checksum::fold(0), 0);
    EXPECT_EQ(checksum::combine(0xffffffff, 2), 2u);
}

TEST(Checksum, VerifiesRealIpv4Header)
{
    EXPECT_TRUE(checksum::verifies(span(ping_ipv4_header)));
    // Recomputing with the field zeroed gives the transmitted value.
    std::vector<u8> zeroed = ping_ipv4_header;
    zeroed[10] = zeroed[11] = 0;
    EXPECT_EQ(checksum::of(span(zeroed)), 0xd46d);
    for (usize i = 0; i < ping_ipv4_header.size(); ++i) {
        std::vector<u8> corrupt = ping_ipv4_header;
        corrupt[i] ^= 0x40;
        EXPECT_FALSE(checksum::verifies(span(corrupt))) << "byte " << i;
    }
}

TEST(Checksum, PseudoHeader)
{
    Ipv4Address src = Ipv4Address::from_octets(10, 0, 2, 15);
    Ipv4Address dst = Ipv4Address::from_octets(10, 0, 2, 3);
    // 0a00 + 020f + 0a00 + 0203 + 0011 + 0025.
    EXPECT_EQ(checksum::pseudo_header(src, dst, 17, 37), 0x0a00u + 0x020f + 0x0a00 + 0x0203 + 0x11 + 0x25);
    // A DNS query's UDP datagram (10.0.2.15:48023 -> 10.0.2.3:53, checksum 0x20de) verifies with it.
    const std::vector<u8> udp = {
        0xbb, 0x97, 0x00, 0x35, 0x00, 0x25, 0x20, 0xde, 0x3b, 0x7a, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d,
        0x00, 0x00, 0x01, 0x00, 0x01,
    };
    EXPECT_TRUE(checksum::verifies(span(udp), checksum::pseudo_header(src, dst, 17, 37)));
    EXPECT_FALSE(checksum::verifies(span(udp), checksum::pseudo_header(src, src, 17, 37)));
    EXPECT_FALSE(checksum::verifies(span(udp), checksum::pseudo_header(src, dst, 6, 37)));
}

TEST(Checksum, UpdateAfterTtlDecrement)
{
    // RFC 1624's use case: a router decrements TTL (the word TTL|protocol) and patches the sum.
    std::vector<u8> header = ping_ipv4_header;
    u16 old_word = u16((header[8] << 8) | header[9]);
    header[8] -= 1;
    u16 new_word = u16((header[8] << 8) | header[9]);
    u16 updated = checksum::update(0xd46d, old_word, new_word);
    header[10] = u8(updated >> 8);
    header[11] = u8(updated);
    EXPECT_EQ(updated, 0xd56d);
    EXPECT_TRUE(checksum::verifies(span(header)));
}

RC_GTEST_PROP(Checksum, SplitAtEvenOffsetCombines, ())
{
    auto bytes = *rc::gen::arbitrary<std::vector<u8>>();
    usize split = *rc::gen::inRange<usize>(0, bytes.size() / 2 + 1) * 2;
    u32 whole = checksum::accumulate(span(bytes));
    u32 parts = checksum::combine(checksum::accumulate({ bytes.data(), split }),
        checksum::accumulate({ bytes.data() + split, bytes.size() - split }));
    RC_ASSERT(checksum::fold(whole) == checksum::fold(parts));
}

// RFC 1624 eqn. 3 against recomputation, for a sequence of random word changes. The two agree
// exactly except when the data becomes all zero: then recomputation gives 0xffff and eqn. 3 gives
// 0x0000, the two one's-complement zeros (RFC 1624 §3 discusses this case).
RC_GTEST_PROP(Checksum, UpdateEqualsRecompute, ())
{
    usize words = *rc::gen::inRange<usize>(1, 64);
    auto data = *rc::gen::container<std::vector<u8>>(words * 2, rc::gen::arbitrary<u8>());
    u16 sum = checksum::of(span(data));
    usize changes = *rc::gen::inRange<usize>(1, 8);
    for (usize c = 0; c < changes; ++c) {
        usize index = *rc::gen::inRange<usize>(0, words);
        u16 new_word = *rc::gen::arbitrary<u16>();
        u16 old_word = u16((data[2 * index] << 8) | data[2 * index + 1]);
        data[2 * index] = u8(new_word >> 8);
        data[2 * index + 1] = u8(new_word);
        sum = checksum::update(sum, old_word, new_word);
        u16 fresh = checksum::of(span(data));
        bool all_zero = true;
        for (u8 b : data)
            all_zero = all_zero && b == 0;
        if (all_zero) {
            RC_ASSERT(fresh == 0xffff);
            RC_ASSERT((sum == 0x0000 || sum == 0xffff));
            sum = fresh;
        } else {
            RC_ASSERT(sum == fresh);
        }
    }
}

} // namespace

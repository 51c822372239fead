// Unit tests of the TCP building blocks: SipHash, ISNs, SYN cookies, RTO (RFC 6298), NewReno
// (RFC 5681/6582), the ring buffer, out-of-order ranges and the acceptability table.
#include "net/tcp/congestion.h"
#include "net/tcp/connection.h"
#include "net/tcp/isn.h"
#include "net/tcp/ring_buffer.h"
#include "net/tcp/rtt.h"
#include "net/tcp/siphash.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

using namespace net;
using namespace net::tcp;
using wire::SeqNumber;

namespace {

constexpr u8 secret_a[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
constexpr u8 secret_b[16] = { 16, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 1 };

FourTuple tuple(u16 lport = 80, u16 rport = 40000)
{
    return { { wire::Ipv4Address::from_octets(10, 0, 0, 1), lport }, { wire::Ipv4Address::from_octets(10, 0, 0, 2), rport } };
}

} // namespace

TEST(SipHash, PaperTestVector)
{
    u8 key[16];
    for (int i = 0; i < 16; ++i)
        key[i] = u8(i);
    u8 message[15];
    for (int i = 0; i < 15; ++i)
        message[i] = u8(i);
    EXPECT_EQ(siphash24(SipKey::from_bytes(key), lib::ReadonlyBytes(message)), 0xa129ca6149be45e5ull);
}

TEST(SipHash, ReferenceVectorsForOtherLengths)
{
    // From the reference implementation's vectors.h (key 00..0f, message 00..len-1).
    u8 key[16];
    for (int i = 0; i < 16; ++i)
        key[i] = u8(i);
    u8 message[64];
    for (int i = 0; i < 64; ++i)
        message[i] = u8(i);
    SipKey k = SipKey::from_bytes(key);
    EXPECT_EQ(siphash24(k, lib::ReadonlyBytes(message, 0)), 0x726fdb47dd0e0e31ull);
    EXPECT_EQ(siphash24(k, lib::ReadonlyBytes(message, 8)), 0x93f5f5799a932462ull);
}

TEST(Isn, DependsOnTupleSecretAndClock)
{
    SequenceSecrets a(secret_a), b(secret_b);
    Instant t0 = Instant::from_millis(5);
    EXPECT_NE(a.isn(tuple(), t0), b.isn(tuple(), t0));
    EXPECT_NE(a.isn(tuple(80, 40000), t0), a.isn(tuple(80, 40001), t0));
    // M ticks every 4 µs: 1 ms later the ISN of the same tuple is exactly 250 higher.
    EXPECT_EQ(a.isn(tuple(), t0 + Duration::from_millis(1)).value - a.isn(tuple(), t0).value, 250u);
    EXPECT_EQ(a.isn(tuple(), t0), a.isn(tuple(), t0));
}

TEST(Isn, SpreadsAcrossPorts)
{
    // RFC 6528's point: ISNs of different tuples are not predictable from each other. A weak
    // stand-in: 1000 consecutive ports give 1000 distinct ISNs with both high halves used.
    SequenceSecrets a(secret_a);
    std::vector<u32> seen;
    int high = 0;
    for (u16 p = 1000; p < 2000; ++p) {
        u32 v = a.isn(tuple(80, p), Instant {}).value;
        seen.push_back(v);
        high += (v >> 31) & 1;
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
    EXPECT_GT(high, 400);
    EXPECT_LT(high, 600);
}

TEST(SynCookie, RoundTripsMssAndRejectsForgeries)
{
    SequenceSecrets s(secret_a);
    Instant now = Instant::from_millis(1000000);
    SeqNumber client { 12345 };
    SeqNumber cookie = s.make_cookie(tuple(), client, 1460, now);
    EXPECT_EQ(s.check_cookie(tuple(), client, cookie, now), lib::Optional<u16>(1460));
    EXPECT_EQ(s.check_cookie(tuple(), client, cookie, now + Duration::from_secs(64)), lib::Optional<u16>(1460));
    EXPECT_FALSE(s.check_cookie(tuple(), client, cookie, now + Duration::from_secs(200)).has_value());
    EXPECT_FALSE(s.check_cookie(tuple(), client + 1, cookie, now).has_value());
    EXPECT_FALSE(s.check_cookie(tuple(80, 40001), client, cookie, now).has_value());
    EXPECT_FALSE(s.check_cookie(tuple(), client, cookie + 1, now).has_value());
    SequenceSecrets other(secret_b);
    EXPECT_FALSE(other.check_cookie(tuple(), client, cookie, now).has_value());
    // MSS is rounded down to the table: 1400 -> 1360; below the table -> 536.
    EXPECT_EQ(s.check_cookie(tuple(), client, s.make_cookie(tuple(), client, 1400, now), now), lib::Optional<u16>(1360));
    EXPECT_EQ(s.check_cookie(tuple(), client, s.make_cookie(tuple(), client, 100, now), now), lib::Optional<u16>(536));
}

RC_GTEST_PROP(SynCookie, RandomCookiesAlmostNeverValidate, (u32 guess, u32 client))
{
    SequenceSecrets s(secret_a);
    Instant now = Instant::from_millis(7777777);
    SeqNumber real = s.make_cookie(tuple(), SeqNumber { client }, 1460, now);
    RC_PRE(guess != real.value);
    // A wrong guess passes only if its 24-bit hash collides: treat any pass as failure here
    // (probability 2^-23 per case).
    RC_ASSERT(!s.check_cookie(tuple(), SeqNumber { client }, SeqNumber { guess }, now).has_value());
}

TEST(Rtt, Rfc6298InitialAndFirstSample)
{
    RttEstimator r(Duration::from_secs(1), Duration::from_millis(200), Duration::from_secs(60));
    EXPECT_EQ(r.rto(), Duration::from_secs(1)); // §2.1
    r.sample(Duration::from_millis(100));
    // §2.2: SRTT = 100, RTTVAR = 50, RTO = 100 + 4*50 = 300 ms.
    EXPECT_EQ(r.srtt(), Duration::from_millis(100));
    EXPECT_EQ(r.rttvar(), Duration::from_millis(50));
    EXPECT_EQ(r.rto(), Duration::from_millis(300));
}

TEST(Rtt, Rfc6298SubsequentSamplesAndBounds)
{
    RttEstimator r(Duration::from_secs(1), Duration::from_millis(200), Duration::from_secs(60));
    r.sample(Duration::from_millis(100));
    r.sample(Duration::from_millis(200));
    // §2.3: RTTVAR = 3/4*50 + 1/4*|100-200| = 62.5; SRTT = 7/8*100 + 1/8*200 = 112.5;
    // RTO = 112.5 + 250 = 362.5 ms.
    EXPECT_EQ(r.rttvar().micros, 62500u);
    EXPECT_EQ(r.srtt().micros, 112500u);
    EXPECT_EQ(r.rto().micros, 362500u);
    // Tiny RTTs are clamped to the minimum (§2.4, documented 200 ms).
    RttEstimator fast(Duration::from_secs(1), Duration::from_millis(200), Duration::from_secs(60));
    fast.sample(Duration::from_millis(1));
    EXPECT_EQ(fast.rto(), Duration::from_millis(200));
}

TEST(Rtt, BackoffDoublesUpToMax)
{
    RttEstimator r(Duration::from_secs(1), Duration::from_millis(200), Duration::from_secs(60));
    r.backoff();
    EXPECT_EQ(r.rto(), Duration::from_secs(2));
    for (int i = 0; i < 10; ++i)
        r.backoff();
    EXPECT_EQ(r.rto(), Duration::from_secs(60));
    // §5.7: a new sample after backoff recomputes from SRTT.
    r.sample(Duration::from_millis(100));
    EXPECT_EQ(r.rto(), Duration::from_millis(300));
}

TEST(NewReno, InitialWindowSlowStartAndAvoidance)
{
    NewReno cc;
    cc.reset(1000, SeqNumber { 0 });
    EXPECT_EQ(cc.cwnd(), 10000u); // RFC 6928: min(10*MSS, max(2*MSS, 14600))
    cc.reset(1460, SeqNumber { 0 });
    EXPECT_EQ(cc.cwnd(), 14600u);
    cc.reset(1000, SeqNumber { 0 });
    // Slow start: +MSS per ACK of a full segment, +acked for smaller.
    EXPECT_EQ(cc.on_ack(SeqNumber { 1000 }, 1000, 0), NewReno::AckAction::None);
    EXPECT_EQ(cc.cwnd(), 11000u);
    cc.on_ack(SeqNumber { 1100 }, 100, 0);
    EXPECT_EQ(cc.cwnd(), 11100u);
    // A timeout: ssthresh = max(flight/2, 2*MSS), cwnd = 1 MSS.
    cc.on_timeout(SeqNumber { 20000 }, 8000);
    EXPECT_EQ(cc.ssthresh(), 4000u);
    EXPECT_EQ(cc.cwnd(), 1000u);
    for (u32 i = 0; i < 3; ++i)
        cc.on_ack(SeqNumber { 21000 + i * 1000 }, 1000, 0);
    EXPECT_EQ(cc.cwnd(), 4000u); // slow start up to ssthresh
    // Congestion avoidance: one MSS per cwnd's worth of ACKed bytes.
    for (u32 i = 0; i < 3; ++i)
        cc.on_ack(SeqNumber { 30000 + i * 1000 }, 1000, 0);
    EXPECT_EQ(cc.cwnd(), 4000u);
    cc.on_ack(SeqNumber { 34000 }, 1000, 0);
    EXPECT_EQ(cc.cwnd(), 5000u);
}

TEST(NewReno, FastRetransmitPartialAndFullAck)
{
    NewReno cc;
    cc.reset(1000, SeqNumber { 0 });
    SeqNumber una { 5000 }, max { 15000 };
    EXPECT_EQ(cc.on_duplicate_ack(una, max, 10000), NewReno::AckAction::None);
    EXPECT_EQ(cc.on_duplicate_ack(una, max, 10000), NewReno::AckAction::None);
    EXPECT_EQ(cc.on_duplicate_ack(una, max, 10000), NewReno::AckAction::RetransmitFirst);
    EXPECT_TRUE(cc.in_recovery());
    EXPECT_EQ(cc.ssthresh(), 5000u);
    EXPECT_EQ(cc.cwnd(), 8000u); // ssthresh + 3*MSS
    cc.on_duplicate_ack(una, max, 10000);
    EXPECT_EQ(cc.cwnd(), 9000u); // inflation
    // Partial ACK (below recover = 15000): deflate by acked, add MSS, retransmit.
    EXPECT_EQ(cc.on_ack(SeqNumber { 8000 }, 3000, 7000), NewReno::AckAction::RetransmitFirst);
    EXPECT_EQ(cc.cwnd(), 7000u);
    EXPECT_TRUE(cc.in_recovery());
    // Full ACK: leave recovery with cwnd = min(ssthresh, max(flight, MSS) + MSS).
    EXPECT_EQ(cc.on_ack(SeqNumber { 15000 }, 7000, 0), NewReno::AckAction::None);
    EXPECT_FALSE(cc.in_recovery());
    EXPECT_EQ(cc.cwnd(), 2000u);
}

TEST(NewReno, NoSecondFastRetransmitBelowRecover)
{
    NewReno cc;
    cc.reset(1000, SeqNumber { 0 });
    cc.on_timeout(SeqNumber { 20000 }, 10000);
    // Duplicates for data sent before the timeout (ack < recover) do not start a recovery.
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(cc.on_duplicate_ack(SeqNumber { 12000 }, SeqNumber { 20000 }, 8000), NewReno::AckAction::None);
    EXPECT_FALSE(cc.in_recovery());
}

TEST(RingBuffer, WrapsAndKeepsOrder)
{
    u8 storage[8];
    RingBuffer r;
    r.attach(storage, 8);
    const u8 a[] = { 1, 2, 3, 4, 5, 6 };
    EXPECT_EQ(r.write(a), 6u);
    u8 out[4];
    EXPECT_EQ(r.read(lib::Bytes(out, 4)), 4u);
    EXPECT_EQ(out[0], 1);
    EXPECT_EQ(out[3], 4);
    const u8 b[] = { 7, 8, 9, 10, 11, 12, 13 };
    EXPECT_EQ(r.write(b), 6u); // only 6 free
    EXPECT_EQ(r.size(), 8u);
    u8 all[8];
    r.peek(0, lib::Bytes(all, 8));
    const u8 expected[] = { 5, 6, 7, 8, 9, 10, 11, 12 };
    EXPECT_EQ(0, memcmp(all, expected, 8));
    r.discard(8);
    EXPECT_EQ(r.size(), 0u);
}

TEST(RingBuffer, WriteAtThenCommit)
{
    u8 storage[10];
    RingBuffer r;
    r.attach(storage, 10);
    const u8 late[] = { 4, 5 };
    const u8 early[] = { 1, 2, 3 };
    r.write_at(3, late);
    EXPECT_EQ(r.size(), 0u);
    r.write_at(0, early);
    r.commit(5);
    u8 out[5];
    EXPECT_EQ(r.read(lib::Bytes(out, 5)), 5u);
    const u8 expected[] = { 1, 2, 3, 4, 5 };
    EXPECT_EQ(0, memcmp(out, expected, 5));
}

TEST(RingBuffer, EmptyingKeepsOutOfOrderBytesInPlace)
{
    // Regression: the head once jumped back to 0 when the readable region emptied, which moved
    // every byte parked beyond it by write_at() (out-of-order data) and corrupted lossy transfers.
    u8 storage[16];
    RingBuffer r;
    r.attach(storage, 16);
    const u8 first[] = { 1, 2, 3 };
    EXPECT_EQ(r.write(first), 3u);
    const u8 later[] = { 9, 9 };
    r.write_at(2, later); // a hole of 2 bytes, then 2 bytes out of order
    u8 out[3];
    EXPECT_EQ(r.read(out), 3u);
    const u8 hole[] = { 7, 8 };
    r.write_at(0, hole);
    r.commit(4);
    u8 all[4];
    EXPECT_EQ(r.read(all), 4u);
    const u8 expected[] = { 7, 8, 9, 9 };
    EXPECT_EQ(0, memcmp(all, expected, 4));
}

RC_GTEST_PROP(RingBuffer, BehavesLikeAQueue, (std::vector<std::pair<bool, u8>> ops))
{
    u8 storage[37];
    RingBuffer r;
    r.attach(storage, 37);
    std::vector<u8> model;
    u8 next = 0;
    for (auto [is_write, n] : ops) {
        std::vector<u8> buf(n % 50);
        if (is_write) {
            for (auto& b : buf)
                b = next++;
            u32 w = r.write(lib::ReadonlyBytes(buf.data(), buf.size()));
            RC_ASSERT(w == std::min<usize>(buf.size(), 37 - model.size()));
            model.insert(model.end(), buf.begin(), buf.begin() + w);
            next = u8(next - (buf.size() - w));
        } else {
            u32 got = r.read(lib::Bytes(buf.data(), buf.size()));
            RC_ASSERT(got == std::min(buf.size(), model.size()));
            RC_ASSERT(std::equal(buf.begin(), buf.begin() + got, model.begin()));
            model.erase(model.begin(), model.begin() + got);
        }
        RC_ASSERT(r.size() == model.size());
    }
}

TEST(OutOfOrderRanges, MergesAndAdvances)
{
    OutOfOrderRanges o;
    EXPECT_TRUE(o.insert(SeqNumber { 20 }, SeqNumber { 30 }));
    EXPECT_TRUE(o.insert(SeqNumber { 40 }, SeqNumber { 50 }));
    EXPECT_TRUE(o.insert(SeqNumber { 30 }, SeqNumber { 40 })); // bridges both
    EXPECT_EQ(o.count(), 1u);
    EXPECT_EQ(o.advance(SeqNumber { 10 }), SeqNumber { 10 }); // hole at 10..20 remains
    EXPECT_EQ(o.advance(SeqNumber { 25 }), SeqNumber { 50 });
    EXPECT_TRUE(o.is_empty());
}

TEST(OutOfOrderRanges, BoundedIslandsAndWraparound)
{
    OutOfOrderRanges o;
    u32 base = 0xffffff00u;
    for (u32 i = 0; i < OutOfOrderRanges::max_ranges; ++i)
        EXPECT_TRUE(o.insert(SeqNumber { base + 100 * i + 10 }, SeqNumber { base + 100 * i + 20 }));
    EXPECT_FALSE(o.insert(SeqNumber { base + 2000 }, SeqNumber { base + 2010 }));
    // Extending an existing island still works when full.
    EXPECT_TRUE(o.insert(SeqNumber { base + 15 }, SeqNumber { base + 60 }));
    EXPECT_EQ(o.advance(SeqNumber { base + 10 }), SeqNumber { base + 60 });
    EXPECT_EQ(o.count(), OutOfOrderRanges::max_ranges - 1);
}

RC_GTEST_PROP(OutOfOrderRanges, AdvanceMatchesABitmap, (std::vector<std::pair<u8, u8>> segments))
{
    // Model: a bitmap over 256 bytes starting at a base near the wrap point.
    const u32 base = 0xffffff80u;
    OutOfOrderRanges o;
    std::vector<bool> have(300, false);
    for (auto [start, len] : segments) {
        u32 l = 1 + start % 200, n = 1 + len % 40;
        if (o.insert(SeqNumber { base + l }, SeqNumber { base + l + n })) {
            for (u32 i = l; i < l + n; ++i)
                have[i] = true;
        }
        RC_ASSERT(o.count() <= OutOfOrderRanges::max_ranges);
    }
    have[0] = true; // RCV.NXT = base: byte 0 arrives in order
    OutOfOrderRanges copy = o;
    u32 expected = 0;
    while (expected < have.size() && have[expected])
        ++expected;
    RC_ASSERT(copy.advance(SeqNumber { base + 1 }).value == base + expected);
}

TEST(Acceptability, Rfc9293Table)
{
    SeqNumber nxt { 1000 };
    // Length 0, window 0: only SEG.SEQ = RCV.NXT.
    EXPECT_TRUE(segment_acceptable(nxt, 0, nxt, 0));
    EXPECT_FALSE(segment_acceptable(nxt + 1, 0, nxt, 0));
    EXPECT_FALSE(segment_acceptable(nxt - 1, 0, nxt, 0));
    // Length 0, window > 0: RCV.NXT <= SEG.SEQ < RCV.NXT + RCV.WND.
    EXPECT_TRUE(segment_acceptable(nxt, 0, nxt, 100));
    EXPECT_TRUE(segment_acceptable(nxt + 99, 0, nxt, 100));
    EXPECT_FALSE(segment_acceptable(nxt + 100, 0, nxt, 100));
    EXPECT_FALSE(segment_acceptable(nxt - 1, 0, nxt, 100));
    // Length > 0, window 0: never.
    EXPECT_FALSE(segment_acceptable(nxt, 10, nxt, 0));
    // Length > 0, window > 0: either end inside the window.
    EXPECT_TRUE(segment_acceptable(nxt - 5, 10, nxt, 100)); // tail inside
    EXPECT_FALSE(segment_acceptable(nxt - 10, 10, nxt, 100)); // entirely old
    EXPECT_TRUE(segment_acceptable(nxt + 95, 10, nxt, 100)); // head inside
    EXPECT_FALSE(segment_acceptable(nxt + 100, 10, nxt, 100));
    // Modulo 2^32.
    EXPECT_TRUE(segment_acceptable(SeqNumber { 5 }, 10, SeqNumber { 0xfffffff0u }, 100));
}

// Listen-queue, SYN-cookie, TIME-WAIT and simultaneous open/close scenarios (RFC 9293 §3.5-3.6,
// §3.10.7.2; RFC 4987; RFC 6191), plus the memory bounds under SYN floods.
#include "net/tcp/stack.h"
#include "net/tcp/testing/sim_link.h"

#include <gtest/gtest.h>

using namespace net;
using namespace net::tcp;
using namespace net::tcp::testing;
using wire::TcpFlags;
using wire::TcpRepr;

namespace {

constexpr u8 secret[16] = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3 };
constexpr u8 SYN = TcpFlags::syn, ACK = TcpFlags::ack, FIN = TcpFlags::fin;

Config config_with(u32 syn_backlog, u32 time_wait_max = 256)
{
    Config c;
    c.max_connections = 32;
    c.max_listeners = 4;
    c.send_buffer = 8192;
    c.receive_buffer = 8192;
    c.syn_backlog = syn_backlog;
    c.time_wait_max = time_wait_max;
    c.time_wait = Duration::from_secs(60);
    return c;
}

struct Harness {
    explicit Harness(const Config& c) : stack(c, secret) { }
    Endpoint local { wire::Ipv4Address::from_octets(10, 0, 0, 1), 80 };
    FourTuple tuple(u16 port) const { return { local, { wire::Ipv4Address::from_octets(10, 0, 0, 2), port } }; }
    std::vector<CapturedSegment> deliver(u16 port, u8 flags, u32 seq, u32 ack = 0, lib::Optional<wire::TcpTimestamps> ts = {})
    {
        TcpRepr r;
        r.src_port = port;
        r.dst_port = 80;
        r.flags = { flags };
        r.seq = { seq };
        if (flags & ACK)
            r.ack = { ack };
        r.window = 8192;
        if (flags & SYN)
            r.options.mss = 1460;
        r.options.timestamps = ts;
        stack.on_segment(tuple(port), r, {}, now, out);
        return out.take();
    }
    Stack stack;
    CaptureSink out;
    Instant now { Instant::from_millis(3600000) };
};

} // namespace

TEST(Listen, FullSynBacklogSwitchesToCookiesAndACookieAckEstablishes)
{
    Harness h(config_with(2));
    ListenerId l = h.stack.listen(h.local, 16).release_value();
    h.deliver(1001, SYN, 100);
    h.deliver(1002, SYN, 200);
    EXPECT_EQ(h.stack.connections_in_use(), 2u);
    auto cookie = h.deliver(1003, SYN, 300);
    ASSERT_EQ(cookie.size(), 1u);
    EXPECT_EQ(cookie[0].repr.flags.bits, SYN | ACK);
    EXPECT_EQ(cookie[0].repr.ack.value, 301u);
    EXPECT_FALSE(cookie[0].repr.options.window_scale.has_value()); // lost in a cookie
    EXPECT_FALSE(cookie[0].repr.options.timestamps.has_value());
    EXPECT_EQ(h.stack.counters().syn_cookies_sent, 1u);
    EXPECT_EQ(h.stack.connections_in_use(), 2u); // no state kept
    u32 c = cookie[0].repr.seq.value;

    // A forged cookie ACK gets a RST and creates nothing.
    auto forged = h.deliver(1003, ACK, 301, c + 2);
    ASSERT_EQ(forged.size(), 1u);
    EXPECT_TRUE(forged[0].repr.flags.has(TcpFlags::rst));
    EXPECT_EQ(h.stack.counters().dropped(DropReason::BadSynCookie), 1u);
    EXPECT_EQ(h.stack.connections_in_use(), 2u);

    EXPECT_TRUE(h.deliver(1003, ACK, 301, c + 1).empty());
    EXPECT_EQ(h.stack.counters().syn_cookies_accepted, 1u);
    ConnectionId id = h.stack.accept(l).release_value();
    EXPECT_EQ(h.stack.state(id), State::Established);
    auto snap = h.stack.snapshot(id).release_value();
    EXPECT_EQ(snap.snd_una.value, c + 1);
    EXPECT_EQ(snap.rcv_nxt.value, 301u);
    // It carries data like any other connection.
    u8 msg[3] = { 1, 2, 3 };
    EXPECT_EQ(h.stack.send(id, msg, h.now, h.out).release_value(), 3u);
    auto sent = h.out.take();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].repr.seq.value, c + 1);
}

TEST(Listen, SynFloodNeverGrowsMemory)
{
    Harness h(config_with(4));
    h.stack.listen(h.local, 16).release_value();
    for (u32 i = 0; i < 2000; ++i)
        EXPECT_EQ(h.deliver(u16(2000 + i), SYN, i * 7919).size(), 1u); // every SYN is answered
    EXPECT_EQ(h.stack.connections_in_use(), 4u);
    EXPECT_EQ(h.stack.counters().syn_cookies_sent, 1996u);
    // The half-open entries expire (SYN-RECEIVED retransmits give up, then the slots free).
    for (int i = 0; i < 200; ++i) {
        h.now = h.now + Duration::from_secs(1);
        h.stack.poll(h.now, h.out);
    }
    EXPECT_EQ(h.stack.connections_in_use(), 0u);
}

TEST(Listen, AcceptQueueIsBoundedByBacklog)
{
    Harness h(config_with(8));
    ListenerId l = h.stack.listen(h.local, 1).release_value();
    auto a = h.deliver(1001, SYN, 100);
    auto b = h.deliver(1002, SYN, 200);
    h.deliver(1001, ACK, 101, a.at(0).repr.seq.value + 1);
    EXPECT_TRUE(h.stack.readiness(l).acceptable);
    // The queue is full: the second final ACK is dropped and the entry stays half-open.
    h.deliver(1002, ACK, 201, b.at(0).repr.seq.value + 1);
    EXPECT_EQ(h.stack.counters().dropped(DropReason::ListenOverflow), 1u);
    // New SYNs are dropped while the queue is full.
    EXPECT_TRUE(h.deliver(1003, SYN, 300).empty());
    ConnectionId first = h.stack.accept(l).release_value();
    EXPECT_EQ(h.stack.snapshot(first).release_value().rcv_nxt.value, 101u);
    EXPECT_EQ(h.stack.accept(l).error(), TcpError::WouldBlock);
    h.deliver(1002, ACK, 201, b.at(0).repr.seq.value + 1);
    EXPECT_EQ(h.stack.snapshot(h.stack.accept(l).release_value()).release_value().rcv_nxt.value, 201u);
}

TEST(Listen, CloseListenerResetsPendingConnections)
{
    Harness h(config_with(8));
    ListenerId l = h.stack.listen(h.local, 4).release_value();
    EXPECT_EQ(h.stack.listen(h.local, 4).error(), TcpError::AddressInUse);
    h.deliver(1001, SYN, 100);
    EXPECT_TRUE(h.stack.close_listener(l, h.now, h.out).is_ok());
    auto rst = h.out.take();
    ASSERT_EQ(rst.size(), 1u);
    EXPECT_TRUE(rst[0].repr.flags.has(TcpFlags::rst));
    EXPECT_EQ(h.stack.connections_in_use(), 0u);
    EXPECT_EQ(h.stack.accept(l).error(), TcpError::BadHandle);
    EXPECT_TRUE(h.stack.listen(h.local, 4).is_ok());
}

// Puts the server side of (port) into TIME-WAIT: the server closes first.
static u32 server_time_wait(Harness& h, ListenerId l, u16 port, u32 isn, u32 tsval)
{
    auto sa = h.deliver(port, SYN, isn, 0, wire::TcpTimestamps { tsval, 0 });
    u32 iss = sa.at(0).repr.seq.value;
    u32 our_ts = sa.at(0).repr.options.timestamps->tsval;
    h.deliver(port, ACK, isn + 1, iss + 1, wire::TcpTimestamps { tsval + 1, our_ts });
    ConnectionId c = h.stack.accept(l).release_value();
    EXPECT_TRUE(h.stack.close(c, h.now, h.out).is_ok());
    EXPECT_TRUE(h.out.take().at(0).repr.flags.has(FIN));
    h.deliver(port, ACK | FIN, isn + 1, iss + 2, wire::TcpTimestamps { tsval + 2, our_ts });
    return iss;
}

TEST(TimeWait, NewerSynReusesTheTupleOlderOneIsChallenged)
{
    Harness h(config_with(8));
    ListenerId l = h.stack.listen(h.local, 4).release_value();
    server_time_wait(h, l, 5000, 1000, 70000);
    EXPECT_EQ(h.stack.time_wait_count(), 1u);
    // A retransmitted FIN is ACKed again.
    auto again = h.deliver(5000, ACK | FIN, 1001, 0, wire::TcpTimestamps { 70002, 0 });
    // (ACK value is irrelevant in TIME-WAIT.)
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].repr.ack.value, 1002u);
    // An old SYN (TSval not newer) only gets a challenge ACK.
    auto old = h.deliver(5000, SYN, 900, 0, wire::TcpTimestamps { 70002, 0 });
    ASSERT_EQ(old.size(), 1u);
    EXPECT_EQ(old[0].repr.flags.bits, ACK);
    EXPECT_EQ(h.stack.counters().time_wait_reused, 0u);
    // A newer one (RFC 6191) starts a new incarnation.
    auto fresh = h.deliver(5000, SYN, 900, 0, wire::TcpTimestamps { 80000, 0 });
    ASSERT_EQ(fresh.size(), 1u);
    EXPECT_EQ(fresh[0].repr.flags.bits, SYN | ACK);
    EXPECT_EQ(fresh[0].repr.ack.value, 901u);
    EXPECT_EQ(h.stack.counters().time_wait_reused, 1u);
    EXPECT_EQ(h.stack.time_wait_count(), 0u);
}

TEST(TimeWait, EntriesAreBoundedOldestRecycled)
{
    Harness h(config_with(8, 3));
    ListenerId l = h.stack.listen(h.local, 8).release_value();
    for (u16 i = 0; i < 6; ++i) {
        server_time_wait(h, l, u16(6000 + i), 1000, 1000);
        h.now = h.now + Duration::from_millis(10);
        EXPECT_LE(h.stack.time_wait_count(), 3u);
    }
    EXPECT_EQ(h.stack.time_wait_count(), 3u);
    EXPECT_EQ(h.stack.counters().time_wait_recycled, 3u);
    EXPECT_EQ(h.stack.connections_in_use(), 3u);
    // The oldest went first: port 6000's tuple is free again, so a SYN there is a new open.
    auto syn = h.deliver(6000, SYN, 5);
    EXPECT_EQ(syn.at(0).repr.flags.bits, SYN | ACK);
    EXPECT_EQ(h.stack.counters().time_wait_reused, 0u);
}

TEST(Simultaneous, OpenAndCloseWhenBothSidesActAtOnce)
{
    Config c = config_with(8);
    c.time_wait = Duration::from_secs(1);
    SimLink link(c, 42);
    // Both sides connect to each other at the same instant: the SYNs cross (RFC 9293 Figure 8).
    ConnectionId a = link.stack(0).connect(link.endpoint(0, 5000), link.endpoint(1, 6000), link.now(), link.sink(0)).release_value();
    ConnectionId b = link.stack(1).connect(link.endpoint(1, 6000), link.endpoint(0, 5000), link.now(), link.sink(1)).release_value();
    Instant t0 = link.now();
    auto never = [] { return false; };
    link.run(never, t0 + Duration { 1500 });
    EXPECT_EQ(link.stack(0).state(a), State::SynReceived);
    EXPECT_EQ(link.stack(1).state(b), State::SynReceived);
    bool up = link.run([&] { return link.stack(0).state(a) == State::Established && link.stack(1).state(b) == State::Established; },
        t0 + Duration::from_secs(5));
    ASSERT_TRUE(up);
    EXPECT_EQ(link.stack(0).counters().retransmits, 0u);
    // Both close at once: FIN-WAIT-1 -> CLOSING -> TIME-WAIT (RFC 9293 Figure 13).
    Instant t1 = link.now();
    ASSERT_TRUE(link.stack(0).shutdown_write(a, t1, link.sink(0)).is_ok());
    ASSERT_TRUE(link.stack(1).shutdown_write(b, t1, link.sink(1)).is_ok());
    EXPECT_EQ(link.stack(0).state(a), State::FinWait1);
    link.run(never, t1 + Duration { 1500 });
    EXPECT_EQ(link.stack(0).state(a), State::Closing);
    EXPECT_EQ(link.stack(1).state(b), State::Closing);
    link.run(never, t1 + Duration { 2500 });
    EXPECT_EQ(link.stack(0).state(a), State::TimeWait);
    EXPECT_EQ(link.stack(1).state(b), State::TimeWait);
    ASSERT_TRUE(link.stack(0).close(a, link.now(), link.sink(0)).is_ok());
    ASSERT_TRUE(link.stack(1).close(b, link.now(), link.sink(1)).is_ok());
    link.run(never, t1 + Duration::from_secs(3));
    EXPECT_EQ(link.stack(0).connections_in_use(), 0u);
    EXPECT_EQ(link.stack(1).connections_in_use(), 0u);
}

// Robustness: arbitrary segments (any flags parse() allows, any numbers, random payloads) aimed
// at a listener and at established connections never break an invariant (VERIFY would abort),
// never exceed the pool, and every reply the stack emits is a valid repr.
#include <rapidcheck/gtest.h>

namespace {

struct CheckingSink final : SegmentSink {
    void send(const FourTuple&, const TcpRepr& r, lib::ReadonlyBytes p) override
    {
        RC_ASSERT(r.is_valid());
        RC_ASSERT(r.payload_len == p.size());
        ++count;
    }
    u64 count { 0 };
};

} // namespace

RC_GTEST_PROP(Robustness, RandomSegmentsKeepTheStackBounded,
    (std::vector<std::tuple<u8, u32, u32, u16, u16, u8>> segments))
{
    Config c = config_with(3, 2);
    c.max_connections = 6;
    Stack stack(c, secret);
    CheckingSink sink;
    Instant now = Instant::from_millis(1000000);
    Endpoint local { wire::Ipv4Address::from_octets(10, 0, 0, 1), 80 };
    stack.listen(local, 2).release_value();
    std::vector<u8> payload(300, 0xab);
    for (auto [flags, seq, ack, port, window, len] : segments) {
        TcpRepr r;
        r.flags = { u8(flags | (flags & SYN ? 0 : ACK)) };
        if (!r.flags.is_legal())
            r.flags = { ACK };
        r.src_port = u16(1000 + port % 8);
        r.dst_port = port & 0x100 ? 81 : 80;
        r.seq = { seq };
        r.ack = { r.flags.has(ACK) ? ack : 0 };
        r.window = window;
        r.payload_len = len;
        FourTuple t { { local.address, r.dst_port }, { wire::Ipv4Address::from_octets(10, 0, 0, 2), r.src_port } };
        stack.on_segment(t, r, lib::ReadonlyBytes(payload.data(), len), now, sink);
        now = now + Duration::from_millis(port % 300);
        stack.poll(now, sink);
        RC_ASSERT(stack.connections_in_use() <= c.max_connections);
        RC_ASSERT(stack.time_wait_count() <= c.time_wait_max);
    }
}

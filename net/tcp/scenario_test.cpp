// Handshake, data and close scenarios driven segment by segment against one Stack, with the peer
// played by hand-built TcpReprs (RFC 9293 §3.5-3.6, §3.10.7; RFC 5961; RFC 4987 cookies).
#include "net/tcp/stack.h"
#include "net/tcp/testing/sim_link.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace net;
using namespace net::tcp;
using namespace net::tcp::testing;
using wire::SeqNumber;
using wire::TcpFlags;
using wire::TcpRepr;

namespace {

constexpr u8 secret[16] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6 };
constexpr u8 SYN = TcpFlags::syn, ACK = TcpFlags::ack, FIN = TcpFlags::fin, RST = TcpFlags::rst, PSH = TcpFlags::psh;

Config small_config()
{
    Config c;
    c.max_connections = 16;
    c.max_listeners = 4;
    c.send_buffer = 16384;
    c.receive_buffer = 16384;
    c.syn_backlog = 4;
    c.time_wait = Duration::from_secs(2);
    return c;
}

class Scenario : public ::testing::Test {
protected:
    explicit Scenario(Config c = small_config()) : config(c), stack(c, secret) { }

    Endpoint local { wire::Ipv4Address::from_octets(10, 0, 0, 1), 80 };
    Endpoint remote(u16 port = 40000) const { return { wire::Ipv4Address::from_octets(10, 0, 0, 2), port }; }
    FourTuple tuple(u16 port = 40000) const { return { local, remote(port) }; }

    TcpRepr seg(u8 flags, u32 seq, u32 ack = 0, u16 window = 65535, u16 port = 40000) const
    {
        TcpRepr r;
        r.src_port = port;
        r.dst_port = local.port;
        r.flags = { flags };
        r.seq = { seq };
        if (flags & ACK)
            r.ack = { ack };
        r.window = window;
        return r;
    }
    std::vector<CapturedSegment> deliver(const TcpRepr& r, const std::vector<u8>& payload = {}, u16 port = 40000)
    {
        TcpRepr copy = r;
        copy.payload_len = payload.size();
        stack.on_segment(tuple(port), copy, lib::ReadonlyBytes(payload.data(), payload.size()), now, out);
        return out.take();
    }
    void advance(Duration d)
    {
        now = now + d;
        stack.poll(now, out);
    }

    // Passive open from `port` with peer ISN `isn`; returns the accepted connection and our ISS.
    ConnectionId establish(u16 port, u32 isn, u32& iss)
    {
        if (!listener)
            listener = stack.listen(local, 8).release_value();
        auto synack = deliver(seg(SYN, isn, 0, 65535, port), {}, port);
        EXPECT_EQ(synack.size(), 1u);
        iss = synack.at(0).repr.seq.value;
        EXPECT_TRUE(synack[0].repr.flags.has(SYN | ACK));
        EXPECT_EQ(synack[0].repr.ack.value, isn + 1);
        EXPECT_TRUE(deliver(seg(ACK, isn + 1, iss + 1, 65535, port), {}, port).empty());
        return stack.accept(*listener).release_value();
    }

    Config config;
    Stack stack;
    CaptureSink out;
    Instant now { Instant::from_millis(100000) };
    lib::Optional<ListenerId> listener;
};

std::vector<u8> bytes(usize n, u8 seed = 1)
{
    std::vector<u8> v(n);
    for (usize i = 0; i < n; ++i)
        v[i] = u8(seed + i * 7);
    return v;
}

lib::ReadonlyBytes sp(const std::vector<u8>& v) { return { v.data(), v.size() }; }

} // namespace

TEST_F(Scenario, PassiveOpenNegotiatesOptionsAndDeliversData)
{
    auto l = stack.listen(local, 8).release_value();
    TcpRepr syn = seg(SYN, 1000);
    syn.options.mss = 1200;
    syn.options.window_scale = 7;
    syn.options.timestamps = wire::TcpTimestamps { 5000, 0 };
    auto reply = deliver(syn);
    ASSERT_EQ(reply.size(), 1u);
    const TcpRepr& sa = reply[0].repr;
    EXPECT_EQ(sa.flags.bits, SYN | ACK);
    EXPECT_EQ(sa.ack.value, 1001u);
    EXPECT_EQ(sa.options.mss, lib::Optional<u16>(1460));
    EXPECT_TRUE(sa.options.window_scale.has_value());
    ASSERT_TRUE(sa.options.timestamps.has_value());
    EXPECT_EQ(sa.options.timestamps->tsecr, 5000u);
    EXPECT_FALSE(sa.options.sack_permitted);
    EXPECT_EQ(stack.accept(l).error(), TcpError::WouldBlock);
    EXPECT_FALSE(stack.readiness(l).acceptable);

    TcpRepr ack = seg(ACK | PSH, 1001, sa.seq.value + 1);
    ack.options.timestamps = wire::TcpTimestamps { 5001, sa.options.timestamps->tsval };
    auto data = bytes(100);
    EXPECT_TRUE(deliver(ack, data).empty()); // delayed ACK
    EXPECT_TRUE(stack.readiness(l).acceptable);
    ConnectionId c = stack.accept(l).release_value();
    EXPECT_EQ(stack.state(c), State::Established);
    EXPECT_EQ(stack.counters().connections_established, 1u);
    u8 buf[200];
    EXPECT_EQ(stack.receive(c, buf).release_value(), 100u);
    EXPECT_EQ(0, memcmp(buf, data.data(), 100));
    EXPECT_EQ(stack.receive(c, buf).error(), TcpError::WouldBlock);
    // The delayed ACK goes out within 40 ms.
    advance(Duration::from_millis(39));
    EXPECT_TRUE(out.take().empty());
    advance(Duration::from_millis(1));
    auto delayed = out.take();
    ASSERT_EQ(delayed.size(), 1u);
    EXPECT_EQ(delayed[0].repr.ack.value, 1101u);
    EXPECT_EQ(delayed[0].repr.options.timestamps->tsecr, 5001u);
}

TEST_F(Scenario, ActiveOpenAndGracefulCloseToTimeWait)
{
    ConnectionId c = stack.connect(local, remote(), now, out).release_value();
    EXPECT_EQ(stack.state(c), State::SynSent);
    auto syn = out.take();
    ASSERT_EQ(syn.size(), 1u);
    EXPECT_EQ(syn[0].repr.flags.bits, SYN);
    EXPECT_TRUE(syn[0].repr.options.mss.has_value());
    u32 iss = syn[0].repr.seq.value;
    EXPECT_EQ(stack.send(c, sp(bytes(10)), now, out).error(), TcpError::WouldBlock);

    auto ack = deliver(seg(SYN | ACK, 7000, iss + 1));
    EXPECT_EQ(stack.state(c), State::Established);
    ASSERT_EQ(ack.size(), 1u);
    EXPECT_EQ(ack[0].repr.flags.bits, ACK);
    EXPECT_EQ(ack[0].repr.ack.value, 7001u);
    EXPECT_TRUE(stack.readiness(c).writable);

    EXPECT_EQ(stack.send(c, sp(bytes(10)), now, out).release_value(), 10u);
    auto sent = out.take();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].payload, bytes(10));
    EXPECT_TRUE(stack.shutdown_write(c, now, out).is_ok());
    EXPECT_EQ(stack.state(c), State::FinWait1);
    // Nagle holds the FIN behind the unacknowledged small segment? No: a bare FIN has no data.
    auto fin = out.take();
    ASSERT_EQ(fin.size(), 1u);
    EXPECT_TRUE(fin[0].repr.flags.has(FIN));
    EXPECT_EQ(fin[0].repr.seq.value, iss + 11);
    deliver(seg(ACK, 7001, iss + 12));
    EXPECT_EQ(stack.state(c), State::FinWait2);
    auto last = deliver(seg(FIN | ACK, 7001, iss + 12));
    EXPECT_EQ(stack.state(c), State::TimeWait);
    ASSERT_EQ(last.size(), 1u);
    EXPECT_EQ(last[0].repr.ack.value, 7002u);
    u8 buf[4];
    EXPECT_EQ(stack.receive(c, buf).release_value(), 0u); // EOF
    EXPECT_TRUE(stack.close(c, now, out).is_ok());
    EXPECT_EQ(stack.time_wait_count(), 1u);
    advance(Duration::from_secs(2));
    EXPECT_EQ(stack.time_wait_count(), 0u);
    EXPECT_EQ(stack.connections_in_use(), 0u);
}

TEST_F(Scenario, PassiveCloseThroughLastAck)
{
    u32 iss = 0;
    ConnectionId c = establish(40000, 500, iss);
    deliver(seg(FIN | ACK, 501, iss + 1));
    EXPECT_EQ(stack.state(c), State::CloseWait);
    EXPECT_TRUE(stack.readiness(c).readable);
    ASSERT_TRUE(stack.close(c, now, out).is_ok());
    auto fin = out.take();
    ASSERT_EQ(fin.size(), 1u);
    EXPECT_TRUE(fin[0].repr.flags.has(FIN | ACK));
    EXPECT_EQ(stack.connections_in_use(), 1u); // LAST-ACK, owned by the stack
    deliver(seg(ACK, 502, iss + 2));
    EXPECT_EQ(stack.connections_in_use(), 0u);
    EXPECT_EQ(stack.state(c), State::Closed); // the handle is gone
}

TEST_F(Scenario, SynToClosedPortGetsRst)
{
    auto reply = deliver(seg(SYN, 4242));
    ASSERT_EQ(reply.size(), 1u);
    EXPECT_EQ(reply[0].repr.flags.bits, RST | ACK);
    EXPECT_EQ(reply[0].repr.seq.value, 0u);
    EXPECT_EQ(reply[0].repr.ack.value, 4243u);
    EXPECT_EQ(stack.counters().dropped(DropReason::NoSocket), 1u);
    // An ACK to nothing gets <SEQ=SEG.ACK><CTL=RST>; a RST gets nothing.
    reply = deliver(seg(ACK, 1, 777));
    ASSERT_EQ(reply.size(), 1u);
    EXPECT_EQ(reply[0].repr.flags.bits, RST);
    EXPECT_EQ(reply[0].repr.seq.value, 777u);
    EXPECT_TRUE(deliver(seg(RST, 1)).empty());
}

TEST_F(Scenario, ConnectRefusedByRst)
{
    ConnectionId c = stack.connect(local, remote(), now, out).release_value();
    u32 iss = out.take().at(0).repr.seq.value;
    // A RST whose ACK does not cover our SYN is ignored (RFC 5961 §3 / RFC 9293 §3.10.7.3).
    deliver(seg(RST | ACK, 0, iss + 5));
    EXPECT_EQ(stack.state(c), State::SynSent);
    deliver(seg(RST | ACK, 0, iss + 1));
    EXPECT_EQ(stack.state(c), State::Closed);
    u8 buf[1];
    EXPECT_EQ(stack.receive(c, buf).error(), TcpError::ConnectionRefused);
    EXPECT_TRUE(stack.readiness(c).error);
}

TEST_F(Scenario, BlindInWindowRstOnlyEarnsChallengeAck)
{
    u32 iss = 0;
    ConnectionId c = establish(40000, 500, iss);
    // In the window but not at RCV.NXT: challenge ACK, no reset (RFC 5961 §3.2).
    auto reply = deliver(seg(RST, 501 + 100));
    EXPECT_EQ(stack.state(c), State::Established);
    ASSERT_EQ(reply.size(), 1u);
    EXPECT_EQ(reply[0].repr.flags.bits, ACK);
    EXPECT_EQ(reply[0].repr.ack.value, 501u);
    EXPECT_EQ(reply[0].repr.seq.value, iss + 1);
    EXPECT_EQ(stack.counters().challenge_acks, 1u);
    // Outside the window: silently dropped.
    EXPECT_TRUE(deliver(seg(RST, 501 + 1000000)).empty());
    EXPECT_EQ(stack.state(c), State::Established);
    // A SYN in ESTABLISHED: challenge ACK too (RFC 5961 §4).
    reply = deliver(seg(SYN, 12345));
    ASSERT_EQ(reply.size(), 1u);
    EXPECT_EQ(reply[0].repr.ack.value, 501u);
    EXPECT_EQ(stack.state(c), State::Established);
    // An ACK for data never sent: challenge ACK, dropped (RFC 5961 §5).
    deliver(seg(ACK, 501, iss + 1000));
    EXPECT_EQ(stack.counters().dropped(DropReason::BadAck), 1u);
    // The exact RST resets.
    EXPECT_TRUE(deliver(seg(RST, 501)).empty());
    EXPECT_EQ(stack.state(c), State::Closed);
    u8 buf[1];
    EXPECT_EQ(stack.receive(c, buf).error(), TcpError::ConnectionReset);
    EXPECT_EQ(stack.counters().resets_received, 1u);
}

TEST_F(Scenario, ChallengeAcksAreRateLimited)
{
    u32 iss = 0;
    establish(40000, 500, iss);
    for (int i = 0; i < 150; ++i)
        deliver(seg(RST, 600 + i));
    EXPECT_EQ(stack.counters().challenge_acks, config.challenge_ack_limit);
    EXPECT_EQ(stack.counters().dropped(DropReason::ChallengeAckLimited), 150 - config.challenge_ack_limit);
    advance(Duration::from_secs(1));
    deliver(seg(RST, 600));
    EXPECT_EQ(stack.counters().challenge_acks, config.challenge_ack_limit + 1);
}

TEST_F(Scenario, OutOfOrderDataIsReassembledAndAckedAtOnce)
{
    u32 iss = 0;
    ConnectionId c = establish(40000, 500, iss);
    auto data = bytes(3000);
    std::vector<u8> a(data.begin(), data.begin() + 1000), b(data.begin() + 1000, data.begin() + 2000),
        d(data.begin() + 2000, data.end());
    auto dup = deliver(seg(ACK, 1501, iss + 1), b);
    ASSERT_EQ(dup.size(), 1u); // immediate duplicate ACK for the hole
    EXPECT_EQ(dup[0].repr.ack.value, 501u);
    deliver(seg(ACK, 2501, iss + 1), d);
    u8 buf[4000];
    EXPECT_EQ(stack.receive(c, buf).error(), TcpError::WouldBlock);
    auto filled = deliver(seg(ACK, 501, iss + 1), a);
    ASSERT_EQ(filled.size(), 1u);
    EXPECT_EQ(filled[0].repr.ack.value, 3501u);
    EXPECT_EQ(stack.receive(c, buf).release_value(), 3000u);
    EXPECT_EQ(0, memcmp(buf, data.data(), 3000));
    // A duplicate of old data is ACKed at once and not delivered again.
    auto again = deliver(seg(ACK, 501, iss + 1), a);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(stack.receive(c, buf).error(), TcpError::WouldBlock);
}

TEST_F(Scenario, DataBeyondTheWindowIsTrimmed)
{
    u32 iss = 0;
    ConnectionId c = establish(40000, 500, iss);
    auto big = bytes(config.receive_buffer + 500);
    auto reply = deliver(seg(ACK, 501, iss + 1), big);
    ASSERT_EQ(reply.size(), 1u);
    EXPECT_EQ(reply[0].repr.ack.value, 501 + config.receive_buffer);
    EXPECT_EQ(reply[0].repr.window, 0);
    // Zero window: a data segment at RCV.NXT is not accepted, but its ACK is processed.
    reply = deliver(seg(ACK, 501 + config.receive_buffer, iss + 1), bytes(10));
    ASSERT_EQ(reply.size(), 1u);
    EXPECT_EQ(reply[0].repr.ack.value, 501 + config.receive_buffer);
    std::vector<u8> buf(config.receive_buffer);
    EXPECT_EQ(stack.receive(c, lib::Bytes(buf.data(), buf.size())).release_value(), config.receive_buffer);
    // Reading reopens the window; the update goes out on the next poll.
    EXPECT_EQ(stack.next_deadline(), Instant {});
    advance(Duration {});
    auto update = out.take();
    ASSERT_EQ(update.size(), 1u);
    EXPECT_GT(update[0].repr.window, 0);
}

TEST_F(Scenario, RetransmitsWithBackoffThenTimesOut)
{
    Config c = config;
    c.max_retransmits = 3;
    Stack s(c, secret);
    ConnectionId id = s.connect(local, remote(), now, out).release_value();
    u32 iss = out.take().at(0).repr.seq.value;
    s.on_segment(tuple(), seg(SYN | ACK, 9000, iss + 1), {}, now, out);
    out.take();
    ASSERT_EQ(s.send(id, sp(bytes(100)), now, out).release_value(), 100u);
    EXPECT_EQ(out.take().size(), 1u);
    // Initial RTO 1 s, then 2 s, 4 s (RFC 6298 §2.1, §5.5).
    u64 waits[] = { 1000, 2000, 4000 };
    for (u64 w : waits) {
        now = now + Duration::from_millis(w - 1);
        s.poll(now, out);
        EXPECT_TRUE(out.take().empty());
        now = now + Duration::from_millis(1);
        s.poll(now, out);
        auto re = out.take();
        ASSERT_EQ(re.size(), 1u);
        EXPECT_EQ(re[0].repr.seq.value, iss + 1);
        EXPECT_EQ(re[0].payload.size(), 100u);
    }
    EXPECT_EQ(s.counters().rto_timeouts, 3u);
    now = now + Duration::from_millis(8000);
    s.poll(now, out);
    EXPECT_EQ(s.state(id), State::Closed);
    EXPECT_EQ(s.send(id, sp(bytes(1)), now, out).error(), TcpError::TimedOut);
    EXPECT_EQ(s.counters().connections_timed_out, 1u);
}

TEST_F(Scenario, ZeroWindowIsProbedByThePersistTimer)
{
    ConnectionId c = stack.connect(local, remote(), now, out).release_value();
    u32 iss = out.take().at(0).repr.seq.value;
    deliver(seg(SYN | ACK, 9000, iss + 1, 0));
    ASSERT_EQ(stack.send(c, sp(bytes(500)), now, out).release_value(), 500u);
    EXPECT_TRUE(out.take().empty());
    advance(Duration::from_secs(1));
    auto probe = out.take();
    ASSERT_EQ(probe.size(), 1u);
    EXPECT_TRUE(probe[0].payload.empty());
    EXPECT_EQ(probe[0].repr.seq.value, iss); // SND.NXT - 1: unacceptable, so the peer ACKs
    EXPECT_EQ(stack.counters().window_probes, 1u);
    // Backoff: the next probe comes 2 s later.
    advance(Duration::from_millis(1999));
    EXPECT_TRUE(out.take().empty());
    advance(Duration::from_millis(1));
    EXPECT_EQ(out.take().size(), 1u);
    auto data = deliver(seg(ACK, 9001, iss + 1, 1000));
    ASSERT_EQ(data.size(), 1u);
    EXPECT_EQ(data[0].payload.size(), 500u);
}

TEST_F(Scenario, NagleHoldsSmallSegmentsUnlessNoDelay)
{
    u32 iss = 0;
    ConnectionId c = establish(40000, 500, iss);
    stack.send(c, sp(bytes(10)), now, out).release_value();
    EXPECT_EQ(out.take().size(), 1u);
    stack.send(c, sp(bytes(10)), now, out).release_value();
    EXPECT_TRUE(out.take().empty()); // Nagle: a small segment is in flight
    auto flushed = deliver(seg(ACK, 501, iss + 11));
    ASSERT_EQ(flushed.size(), 1u);
    EXPECT_EQ(flushed[0].payload.size(), 10u);
    ASSERT_TRUE(stack.set_nodelay(c, true).is_ok());
    stack.send(c, sp(bytes(10)), now, out).release_value();
    EXPECT_EQ(out.take().size(), 1u);
}

TEST_F(Scenario, KeepAliveProbesThenTimesOut)
{
    Config cfg = config;
    cfg.keepalive_idle = Duration::from_secs(10);
    cfg.keepalive_interval = Duration::from_secs(1);
    cfg.keepalive_probes = 2;
    Stack s(cfg, secret);
    ConnectionId id = s.connect(local, remote(), now, out).release_value();
    u32 iss = out.take().at(0).repr.seq.value;
    s.on_segment(tuple(), seg(SYN | ACK, 9000, iss + 1), {}, now, out);
    out.take();
    ASSERT_TRUE(s.set_keepalive(id, true, now).is_ok());
    now = now + Duration::from_secs(10);
    s.poll(now, out);
    auto probe = out.take();
    ASSERT_EQ(probe.size(), 1u);
    EXPECT_EQ(probe[0].repr.seq.value, iss); // SND.NXT - 1
    // An answer resets the idle clock.
    s.on_segment(tuple(), seg(ACK, 9001, iss + 1), {}, now, out);
    now = now + Duration::from_secs(9);
    s.poll(now, out);
    EXPECT_TRUE(out.take().empty());
    now = now + Duration::from_secs(1);
    s.poll(now, out);
    EXPECT_EQ(out.take().size(), 1u);
    for (int i = 0; i < 2; ++i) {
        now = now + Duration::from_secs(1);
        s.poll(now, out);
    }
    EXPECT_EQ(s.state(id), State::Closed);
    EXPECT_EQ(s.counters().keepalive_probes, 3u); // one before the answer, two unanswered
    u8 buf[1];
    EXPECT_EQ(s.receive(id, buf).error(), TcpError::TimedOut);
}

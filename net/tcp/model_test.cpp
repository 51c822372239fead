// A rapidcheck stateful test (rc::state): random sequences of application calls, peer segments
// and clock advances against a model of RFC 9293's state machine and sequence bookkeeping
// (SND.UNA, SND.MAX, RCV.NXT), checked against the Stack after every step.
#include "net/tcp/isn.h"
#include "net/tcp/stack.h"
#include "net/tcp/testing/sim_link.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

using namespace net;
using namespace net::tcp;
using namespace net::tcp::testing;
using wire::TcpFlags;
using wire::TcpRepr;

namespace {

constexpr u8 secret[16] = { 0xa, 0xb, 0xc, 0xd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xe, 0xf, 0 };
constexpr u32 peer_isn = 1000000;
constexpr u32 buffer = 16384;

Config model_config()
{
    Config c;
    c.max_connections = 4;
    c.max_listeners = 2;
    c.send_buffer = buffer;
    c.receive_buffer = buffer;
    c.time_wait = Duration::from_secs(2);
    // No retransmission timer fires within a run (at most ~40 s of simulated time), so every
    // send goes out at once and the model need not predict go-back-N; the scenario and
    // transfer tests cover retransmission.
    c.rto_initial = c.rto_min = Duration::from_secs(100);
    c.rto_max = Duration::from_secs(200);
    return c;
}

const FourTuple tuple { { wire::Ipv4Address::from_octets(10, 0, 0, 1), 80 }, { wire::Ipv4Address::from_octets(10, 0, 0, 2), 40000 } };

struct Model {
    bool have_conn { false };
    bool passive { false };
    State state { State::Closed };
    u64 now_us { 50000000 };
    u64 since_us { 0 };       // when TIME-WAIT / SYN-RECEIVED began
    u32 iss { 0 };
    u32 snd_una { 0 }, snd_max { 0 }, rcv_nxt { 0 };
    u32 peer_seq { peer_isn };  // the peer's next sequence number
    u32 unread { 0 };
    bool our_fin { false }, peer_fin { false };

    bool synchronized() const
    {
        return state != State::Closed && state != State::SynSent && state != State::SynReceived && state != State::Listen;
    }
    u32 stream_offset() const { return peer_seq - (peer_isn + 1); }
};

struct Sut {
    Sut() : stack(model_config(), secret) { listener = stack.listen(tuple.local, 4).release_value(); }
    Stack stack;
    CaptureSink out;
    ListenerId listener;
    lib::Optional<ConnectionId> id;
    u32 read_total { 0 };
    Instant now() const { return now_us; }
    Instant now_us { 50000000 };

    void deliver(u8 flags, u32 seq, u32 ack, u32 length = 0, u32 stream_offset = 0)
    {
        TcpRepr r;
        r.src_port = tuple.remote.port;
        r.dst_port = tuple.local.port;
        r.flags = { flags };
        r.seq = { seq };
        if (flags & TcpFlags::ack)
            r.ack = { ack };
        r.window = 65535;
        r.payload_len = length;
        std::vector<u8> payload(length);
        for (u32 i = 0; i < length; ++i)
            payload[i] = u8(stream_offset + i);
        stack.on_segment(tuple, r, lib::ReadonlyBytes(payload.data(), payload.size()), now_us, out);
    }
};

// Checks the stack against the model after a command.
void check(const Model& m, Sut& s)
{
    if (m.have_conn && m.passive && m.state == State::SynReceived) {
        RC_ASSERT(s.stack.connections_in_use() == 1u);
        return;
    }
    if (!s.id)
        return;
    RC_ASSERT(s.stack.state(*s.id) == m.state);
    if (m.state == State::Closed)
        return;
    auto snap = s.stack.snapshot(*s.id).release_value();
    RC_ASSERT(snap.iss.value == m.iss);
    RC_ASSERT(snap.snd_una.value == m.snd_una);
    RC_ASSERT(snap.snd_max.value == m.snd_max);
    if (m.state != State::SynSent)
        RC_ASSERT(snap.rcv_nxt.value == m.rcv_nxt);
}

using Cmd = rc::state::Command<Model, Sut>;

// Every command: apply() moves the model, run() acts on the stack and then checks it against
// the model's next state.
template<typename Derived> struct Step : rc::state::Command<Model, Sut> {
    void run(const Model& m, Sut& s) const override
    {
        Model next = m;
        apply(next);
        static_cast<const Derived*>(this)->act(m, s);
        check(next, s);
    }
};

struct Connect : Step<Connect> {
    void checkPreconditions(const Model& m) const override { RC_PRE(!m.have_conn); }
    void apply(Model& m) const override
    {
        m.have_conn = true;
        m.state = State::SynSent;
        m.iss = SequenceSecrets(secret).isn(tuple, Instant { m.now_us }).value;
        m.snd_una = m.iss;
        m.snd_max = m.iss + 1;
    }
    void act(const Model&, Sut& s) const
    {
        s.id = s.stack.connect(tuple.local, tuple.remote, s.now_us, s.out).release_value();
        RC_ASSERT(s.stack.set_nodelay(*s.id, true).is_ok());
    }
    void show(std::ostream& os) const override { os << "Connect"; }
};

struct PeerSynPassive : Step<PeerSynPassive> {
    void checkPreconditions(const Model& m) const override { RC_PRE(!m.have_conn); }
    void apply(Model& m) const override
    {
        m.have_conn = m.passive = true;
        m.state = State::SynReceived;
        m.since_us = m.now_us;
        m.iss = SequenceSecrets(secret).isn(tuple, Instant { m.now_us }).value;
        m.snd_una = m.iss;
        m.snd_max = m.iss + 1;
        m.rcv_nxt = peer_isn + 1;
        m.peer_seq = peer_isn + 1;
    }
    void act(const Model&, Sut& s) const { s.deliver(TcpFlags::syn, peer_isn, 0); }
    void show(std::ostream& os) const override { os << "PeerSynPassive"; }
};

struct PeerSynSimultaneous : Step<PeerSynSimultaneous> {
    void checkPreconditions(const Model& m) const override { RC_PRE(m.state == State::SynSent); }
    void apply(Model& m) const override
    {
        m.state = State::SynReceived;
        m.since_us = m.now_us;
        m.rcv_nxt = m.peer_seq = peer_isn + 1;
    }
    void act(const Model&, Sut& s) const { s.deliver(TcpFlags::syn, peer_isn, 0); }
    void show(std::ostream& os) const override { os << "PeerSynSimultaneous"; }
};

struct PeerSynAck : Step<PeerSynAck> {
    void checkPreconditions(const Model& m) const override { RC_PRE(m.state == State::SynSent); }
    void apply(Model& m) const override
    {
        m.state = State::Established;
        m.snd_una = m.iss + 1;
        m.rcv_nxt = m.peer_seq = peer_isn + 1;
    }
    void act(const Model& m, Sut& s) const { s.deliver(TcpFlags::syn | TcpFlags::ack, peer_isn, m.iss + 1); }
    void show(std::ostream& os) const override { os << "PeerSynAck"; }
};

struct PeerHandshakeAck : Step<PeerHandshakeAck> {
    void checkPreconditions(const Model& m) const override { RC_PRE(m.state == State::SynReceived); }
    void apply(Model& m) const override
    {
        m.state = State::Established;
        m.snd_una = m.iss + 1;
    }
    void act(const Model& m, Sut& s) const
    {
        s.deliver(TcpFlags::ack, m.peer_seq, m.iss + 1);
        if (m.passive) {
            s.id = s.stack.accept(s.listener).release_value();
            RC_ASSERT(s.stack.set_nodelay(*s.id, true).is_ok());
        }
    }
    void show(std::ostream& os) const override { os << "PeerHandshakeAck"; }
};

struct AppSend : Step<AppSend> {
    u32 n = *rc::gen::inRange<u32>(1, 600);
    void checkPreconditions(const Model& m) const override
    {
        RC_PRE((m.state == State::Established || m.state == State::CloseWait) && m.snd_max - m.snd_una + n <= 5000 /* initial cwnd: 10 * 536 */);
    }
    void apply(Model& m) const override { m.snd_max += n; }
    void act(const Model&, Sut& s) const
    {
        std::vector<u8> data(n, 0x5a);
        RC_ASSERT(s.stack.send(*s.id, lib::ReadonlyBytes(data.data(), n), s.now_us, s.out).value() == n);
        auto sent = s.out.take();
        // TCP_NODELAY and an open window: everything goes out at once, in MSS-sized pieces
        // (536 when the peer's SYN had no MSS option, RFC 9293 §3.7.1).
        usize total = 0;
        for (const auto& seg : sent)
            total += seg.payload.size();
        RC_ASSERT(total == usize(n));
    }
    void show(std::ostream& os) const override { os << "AppSend(" << n << ")"; }
};

struct AppShutdown : Step<AppShutdown> {
    void checkPreconditions(const Model& m) const override { RC_PRE(m.state == State::Established || m.state == State::CloseWait); }
    void apply(Model& m) const override
    {
        m.state = m.state == State::Established ? State::FinWait1 : State::LastAck;
        m.snd_max += 1;
        m.our_fin = true;
    }
    void act(const Model&, Sut& s) const { RC_ASSERT(s.stack.shutdown_write(*s.id, s.now_us, s.out).is_ok()); }
    void show(std::ostream& os) const override { os << "AppShutdown"; }
};

struct PeerAck : Step<PeerAck> {
    u32 pick = *rc::gen::arbitrary<u32>();
    void checkPreconditions(const Model& m) const override { RC_PRE(m.synchronized() && m.state != State::TimeWait && m.snd_max != m.snd_una); }
    u32 ack(const Model& m) const { return m.snd_una + 1 + pick % (m.snd_max - m.snd_una); }
    void apply(Model& m) const override
    {
        m.snd_una = ack(m);
        if (!m.our_fin || m.snd_una != m.snd_max)
            return;
        if (m.state == State::FinWait1)
            m.state = State::FinWait2;
        else if (m.state == State::Closing) {
            m.state = State::TimeWait;
            m.since_us = m.now_us;
        } else if (m.state == State::LastAck)
            m.state = State::Closed;
    }
    void act(const Model& m, Sut& s) const { s.deliver(TcpFlags::ack, m.peer_seq, ack(m)); }
    void show(std::ostream& os) const override { os << "PeerAck(" << pick << ")"; }
};

struct PeerData : Step<PeerData> {
    u32 n = *rc::gen::inRange<u32>(1, 3000);
    void checkPreconditions(const Model& m) const override
    {
        RC_PRE((m.state == State::Established || m.state == State::FinWait1 || m.state == State::FinWait2) && !m.peer_fin);
    }
    // Data beyond the receive buffer is trimmed (RFC 9293 §3.10.7.4); the peer resends it later.
    u32 accepted(const Model& m) const { return std::min(n, buffer - m.unread); }
    void apply(Model& m) const override
    {
        m.rcv_nxt += accepted(m);
        m.peer_seq += accepted(m);
        m.unread += accepted(m);
    }
    void act(const Model& m, Sut& s) const { s.deliver(TcpFlags::ack | TcpFlags::psh, m.peer_seq, m.snd_una, n, m.stream_offset()); }
    void show(std::ostream& os) const override { os << "PeerData(" << n << ")"; }
};

struct PeerFin : Step<PeerFin> {
    void checkPreconditions(const Model& m) const override
    {
        RC_PRE((m.state == State::Established || m.state == State::FinWait1 || m.state == State::FinWait2) && !m.peer_fin);
    }
    void apply(Model& m) const override
    {
        m.peer_fin = true;
        m.rcv_nxt += 1;
        m.peer_seq += 1;
        if (m.state == State::Established)
            m.state = State::CloseWait;
        else if (m.state == State::FinWait1)
            m.state = State::Closing; // simultaneous close: our FIN is not yet acknowledged
        else {
            m.state = State::TimeWait;
            m.since_us = m.now_us;
        }
    }
    void act(const Model& m, Sut& s) const { s.deliver(TcpFlags::fin | TcpFlags::ack, m.peer_seq, m.snd_una); }
    void show(std::ostream& os) const override { os << "PeerFin"; }
};

struct AppReceive : Step<AppReceive> {
    u32 n = *rc::gen::inRange<u32>(1, 5000);
    void checkPreconditions(const Model& m) const override { RC_PRE(m.have_conn && m.unread > 0 && m.state != State::SynReceived); }
    void apply(Model& m) const override { m.unread -= std::min(n, m.unread); }
    void act(const Model& m, Sut& s) const
    {
        std::vector<u8> buf(n);
        auto got = s.stack.receive(*s.id, lib::Bytes(buf.data(), n));
        RC_ASSERT(got.value() == std::min(n, m.unread));
        for (u32 i = 0; i < got.value(); ++i)
            RC_ASSERT(buf[i] == u8(s.read_total + i));
        s.read_total += got.value();
    }
    void show(std::ostream& os) const override { os << "AppReceive(" << n << ")"; }
};

struct PeerRst : Step<PeerRst> {
    u32 offset = *rc::gen::element<u32>(0, 0, 1, 7, 100, 100000000);
    void checkPreconditions(const Model& m) const override
    {
        RC_PRE(m.have_conn && m.state != State::Closed && m.state != State::SynSent && m.state != State::TimeWait
            && !(m.passive && m.state == State::SynReceived));
    }
    // RFC 5961 §3.2: only the exact RCV.NXT resets; in-window offsets earn a challenge ACK.
    void apply(Model& m) const override
    {
        if (offset == 0)
            m.state = State::Closed;
    }
    void act(const Model& m, Sut& s) const { s.deliver(TcpFlags::rst, m.rcv_nxt + offset, 0); }
    void show(std::ostream& os) const override { os << "PeerRst(+" << offset << ")"; }
};

struct PeerNoise : Step<PeerNoise> {
    int kind = *rc::gen::inRange(0, 3);
    u32 value = *rc::gen::arbitrary<u32>();
    void checkPreconditions(const Model& m) const override
    {
        RC_PRE(m.synchronized() && m.state != State::TimeWait);
    }
    void apply(Model&) const override { }
    void act(const Model& m, Sut& s) const
    {
        if (kind == 0) // a SYN in a synchronized state: challenge ACK only (RFC 5961 §4)
            s.deliver(TcpFlags::syn, value, 0);
        else if (kind == 1) // an ACK of data never sent (RFC 5961 §5)
            s.deliver(TcpFlags::ack, m.peer_seq, m.snd_max + 1 + value % 100000);
        else // data far outside the window
            s.deliver(TcpFlags::ack, m.rcv_nxt + 70000 + value % 1000000, m.snd_una, 10, 0);
    }
    void show(std::ostream& os) const override { os << "PeerNoise(" << kind << "," << value << ")"; }
};

struct AdvanceTime : Step<AdvanceTime> {
    u32 ms = *rc::gen::inRange<u32>(0, 400);
    void checkPreconditions(const Model& m) const override { RC_PRE(m.have_conn); }
    void apply(Model& m) const override
    {
        m.now_us += u64(ms) * 1000;
        if (m.state == State::TimeWait && m.now_us >= m.since_us + 2000000)
            m.state = State::Closed;
        if (m.state == State::SynReceived && m.now_us >= m.since_us + 30000000)
            m.state = State::Closed;
    }
    void act(const Model&, Sut& s) const
    {
        s.now_us = s.now_us + Duration::from_millis(ms);
        s.stack.poll(s.now_us, s.out);
        s.out.take();
    }
    void show(std::ostream& os) const override { os << "AdvanceTime(" << ms << ")"; }
};

} // namespace

RC_GTEST_PROP(StateMachineModel, StackAgreesWithModel, ())
{
    Model initial;
    Sut sut;
    rc::state::check(initial, sut,
        rc::state::gen::execOneOfWithArgs<Connect, PeerSynPassive, PeerSynSimultaneous, PeerSynAck, PeerHandshakeAck, AppSend,
            AppShutdown, PeerAck, PeerData, PeerFin, AppReceive, PeerRst, PeerNoise, AdvanceTime>());
}

// Fuzz target for the TCP state machine (net/tcp/stack.h) once a connection is ESTABLISHED: a
// model peer drives one connection with a script of segments, timer ticks and application calls.
//
// Input format (little endian; a script reads zeros past the end):
//   header: setup u8 (bit 0 active open: the stack connects, else the peer connects to a
//           listener; bit 1 peer offers window scale; bit 2 timestamps; bit 3 SACK-permitted;
//           bit 4 small buffers (2 KiB) instead of 8 KiB; bit 5 TCP_NODELAY; bit 6 keep-alive),
//           ws_shift u8, peer_mss u16 (0 -> no MSS option), peer_iss u32, peer_window u16
//   then up to 512 steps, each an opcode u8 (mod 10) and its arguments:
//     0 data     mode u8, seq_off i16, ack_off i16, len u16 (mod 2048), window u16
//                mode: bit 0 seq exactly RCV.NXT (else RCV.NXT + seq_off), bit 1 ack exactly
//                SND.MAX (else SND.UNA + ack_off), bit 2 no ACK flag, bit 3 FIN, bit 4 PSH,
//                bit 5 URG (urgent = len), bit 6 stale timestamp (PAWS), bit 7 one SACK block
//     1 ack      ack_off i16 (relative to SND.UNA), window u16
//     2 rst      seq_off i8 (relative to RCV.NXT; 0 is the exact match), with_ack u8
//     3 syn      seq_off i16, with_ack u8 (a SYN in a synchronized state, RFC 5961 §4)
//     4 tick     millis u16 (bit 15: times 64), then poll()
//     5 send     len u16 (mod 6000)
//     6 receive  len u16 (mod 6000)
//     7 close    how u8 (mod 4): shutdown_write, close, abort, set_nodelay toggle
//     8 raw      flags u8 (made legal), seq_off i32, ack_off i32, len u8, window u16
//     9 ack all  window u16: ACK = SND.MAX, seq = RCV.NXT (lets transfers make progress)
// Every segment the peer sends carries bytes that are a function of their sequence number
// (byte(s) = s*31+7), and the application sends bytes that are a function of their stream offset
// (o*13+5), so every byte either side delivers can be checked without a copy of the stream.
//
// Oracle (after every step):
//  - the handshake completes: one SYN (or SYN,ACK) whose ACK is right, then ESTABLISHED;
//  - every segment the stack emits satisfies TcpRepr::is_valid() (legal flags), belongs to the
//    connection's four-tuple, carries exactly the application's bytes at their stream offsets
//    (never beyond what was sent; a keep-alive probe may carry one byte just before SND.UNA), and
//    a FIN only after shutdown_write/close, at the end of the application's data;
//  - the data receive() delivers is exactly a prefix of the peer's byte stream: every byte is one
//    the peer sent at that offset; EOF only at the offset of a FIN the peer sent;
//  - SND.UNA <= SND.NXT <= SND.MAX and SND.UNA <= SND.MAX (regressions/segment_script: an RTO
//    once sent new data past SND.MAX), SND.UNA and RCV.NXT never move backwards, SND.UNA is never
//    beyond an acknowledgment the peer sent, SND.MAX never beyond the application's data (+FIN),
//    RCV.NXT never beyond the bytes (and FIN) the peer sent contiguously;
//  - after the handshake the state is never LISTEN, SYN-SENT or SYN-RECEIVED;
//  - a RST whose sequence number is not exactly RCV.NXT never tears a synchronized connection
//    down (RFC 5961 §3): resets_received is unchanged and the state is not CLOSED;
//  - the pool bounds hold (connections_in_use <= max_connections, TIME-WAIT <= time_wait_max);
//  - after poll(now) the stack's next deadline is later than now.
#include "fuzz/fuzz.h"
#include "net/tcp/stack.h"

#include <memory>
#include <vector>

using fuzz::Input;
using namespace net;
using namespace net::tcp;
using wire::SeqNumber;
using wire::TcpFlags;
using wire::TcpRepr;

namespace {

constexpr u8 secret[16] = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3 };
const wire::Ipv4Address stack_ip = wire::Ipv4Address::from_octets(10, 0, 0, 2);
const wire::Ipv4Address peer_ip = wire::Ipv4Address::from_octets(10, 0, 0, 1);

u8 peer_byte(u32 seq) { return u8(seq * 31 + 7); }
u8 app_byte(u64 offset) { return u8(offset * 13 + 5); }

bool synchronized(State s)
{
    return s == State::Established || s == State::FinWait1 || s == State::FinWait2 || s == State::CloseWait
        || s == State::Closing || s == State::LastAck;
}

struct Captured {
    FourTuple tuple;
    TcpRepr repr;
    std::vector<u8> payload;
};

struct Capture final : SegmentSink {
    std::vector<Captured> segments;
    void send(const FourTuple& t, const TcpRepr& r, lib::ReadonlyBytes p) override
    {
        FUZZ_CHECK(p.size() == r.payload_len, "a segment's payload has payload_len bytes");
        segments.push_back({ t, r, std::vector<u8>(p.begin(), p.end()) });
    }
};

struct Harness {
    Config config;
    std::unique_ptr<Stack> stack;
    Capture sink;
    Instant now { Instant::from_millis(1000) };
    FourTuple tuple; // the stack's view: local = stack
    ConnectionId conn;
    bool held { false };

    // Options negotiated.
    bool ts { false };
    u32 peer_ts { 1000 };
    u32 last_stack_tsval { 0 };

    // Peer side.
    SeqNumber peer_iss;
    std::vector<bool> sent;  // peer stream offsets sent (offset 0 = peer_iss + 1)
    u64 prefix { 0 };        // offsets [0, prefix) all sent
    std::vector<u64> fins;   // peer stream offsets at which a FIN was sent
    u64 delivered { 0 };     // bytes receive() returned
    bool eof { false };
    i64 max_peer_ack { 0 };  // highest ACK the peer sent, as an offset from the stack's ISS

    // Stack side.
    SeqNumber stack_iss;
    bool iss_known { false };
    u64 app_sent { 0 };
    bool app_shut { false };
    SeqNumber last_una, last_rcv_nxt;
    bool established { false };
    SeqNumber last_stack_ack; // RCV.NXT as last advertised, for when the handle is gone
    SeqNumber stack_max;      // highest sequence the stack sent (end of its last segment)
};

void note_sent(Harness& h, SeqNumber seq, usize len, bool fin)
{
    i64 off = wire::seq_diff(seq, h.peer_iss + 1);
    i64 signed_end = off + i64(len);
    if (signed_end < 0 || off > (1 << 21))
        return; // entirely before the stream (old duplicates) or far beyond any window
    u64 end = u64(signed_end);
    if (h.sent.size() < end)
        h.sent.resize(end, false);
    for (u64 i = off < 0 ? 0 : u64(off); i < end; ++i)
        h.sent[i] = true;
    while (h.prefix < h.sent.size() && h.sent[h.prefix])
        ++h.prefix;
    if (fin)
        h.fins.push_back(end);
}

bool fin_at(const Harness& h, u64 offset)
{
    for (u64 f : h.fins)
        if (f == offset)
            return true;
    return false;
}

void check_emitted(Harness& h)
{
    for (const Captured& c : h.sink.segments) {
        const TcpRepr& r = c.repr;
        FUZZ_CHECK(r.is_valid() && r.flags.is_legal(), "every emitted segment is_valid() with legal flags");
        FUZZ_CHECK(c.payload.size() == r.payload_len, "payload_len matches the payload");
        FUZZ_CHECK(c.tuple == h.tuple, "segments go to the connection's four-tuple");
        FUZZ_CHECK(r.src_port == h.tuple.local.port && r.dst_port == h.tuple.remote.port, "ports match the tuple");
        if (r.options.timestamps.has_value())
            h.last_stack_tsval = r.options.timestamps->tsval;
        if (r.flags.has(TcpFlags::syn)) {
            if (!h.iss_known) {
                h.stack_iss = r.seq;
                h.iss_known = true;
            } else {
                FUZZ_CHECK(r.seq == h.stack_iss, "every SYN carries the ISS");
            }
            FUZZ_CHECK(r.payload_len == 0, "no data on our SYN");
        }
        if (r.flags.has(TcpFlags::ack))
            h.last_stack_ack = r.ack;
        if (r.flags.has(TcpFlags::rst) || !h.iss_known)
            continue;
        SeqNumber data_seq = r.seq + (r.flags.has(TcpFlags::syn) ? 1 : 0);
        i64 off = wire::seq_diff(data_seq, h.stack_iss + 1);
        if (r.payload_len > 0) {
            if (off == -1 && r.payload_len == 1 && !r.flags.has(TcpFlags::fin))
                continue; // a keep-alive probe with one garbage byte (RFC 1122 §4.2.3.6)
            FUZZ_CHECK(off >= 0 && u64(off) + r.payload_len <= h.app_sent, "the stack sends only data the application gave it");
            for (usize i = 0; i < r.payload_len; ++i)
                FUZZ_CHECK(c.payload[i] == app_byte(u64(off) + i), "emitted data is the application's bytes at their offsets");
        }
        if (r.flags.has(TcpFlags::fin)) {
            FUZZ_CHECK(h.app_shut, "a FIN only after shutdown_write or close");
            FUZZ_CHECK(off >= 0 && u64(off) + r.payload_len == h.app_sent, "the FIN follows the last byte of the application's data");
        }
        SeqNumber end = data_seq + u32(r.payload_len) + (r.flags.has(TcpFlags::fin) ? 1 : 0);
        if (wire::seq_gt(end, h.stack_max))
            h.stack_max = end;
    }
    h.sink.segments.clear();
}

void check_state(Harness& h)
{
    check_emitted(h);
    FUZZ_CHECK(h.stack->connections_in_use() <= h.config.max_connections, "connections within max_connections");
    FUZZ_CHECK(h.stack->time_wait_count() <= h.config.time_wait_max, "TIME-WAIT within its bound");
    if (!h.held || !h.established)
        return;
    State s = h.stack->state(h.conn);
    FUZZ_CHECK(u8(s) <= u8(State::TimeWait), "a known state");
    FUZZ_CHECK(s != State::Listen && s != State::SynSent && s != State::SynReceived, "never back to a handshake state");
    auto snap = h.stack->snapshot(h.conn);
    if (snap.is_error())
        return;
    const SequenceSnapshot& q = snap.value();
    FUZZ_CHECK(wire::seq_le(q.snd_una, q.snd_nxt) && wire::seq_le(q.snd_una, q.snd_max), "SND.UNA <= SND.NXT and SND.UNA <= SND.MAX");
    FUZZ_CHECK(wire::seq_le(q.snd_nxt, q.snd_max), "SND.NXT <= SND.MAX (connection.h invariant)");
    FUZZ_CHECK(wire::seq_ge(q.snd_una, h.last_una), "SND.UNA never moves backwards");
    FUZZ_CHECK(wire::seq_ge(q.rcv_nxt, h.last_rcv_nxt), "RCV.NXT never moves backwards");
    FUZZ_CHECK(q.iss == h.stack_iss && q.irs == h.peer_iss, "ISS and IRS are fixed");
    FUZZ_CHECK(wire::seq_diff(q.snd_una, h.stack_iss) <= h.max_peer_ack, "SND.UNA never passes an acknowledgment the peer sent");
    FUZZ_CHECK(i64(wire::seq_diff(q.snd_max, h.stack_iss + 1)) <= i64(h.app_sent) + (h.app_shut ? 1 : 0),
        "SND.MAX never passes the application's data (and FIN)");
    i64 r = wire::seq_diff(q.rcv_nxt, h.peer_iss + 1);
    FUZZ_CHECK(r >= 0, "RCV.NXT is past the peer's SYN");
    FUZZ_CHECK(u64(r) <= h.prefix || (fin_at(h, u64(r) - 1) && u64(r) - 1 <= h.prefix),
        "RCV.NXT covers only bytes (and a FIN) the peer sent contiguously");
    h.last_una = q.snd_una;
    h.last_rcv_nxt = q.rcv_nxt;
}

SeqNumber rcv_ref(Harness& h)
{
    if (h.held) {
        auto snap = h.stack->snapshot(h.conn);
        if (snap.is_ok())
            return snap.value().rcv_nxt;
    }
    return h.last_stack_ack;
}

SeqNumber una_ref(Harness& h, bool max)
{
    if (h.held) {
        auto snap = h.stack->snapshot(h.conn);
        if (snap.is_ok())
            return max ? snap.value().snd_max : snap.value().snd_una;
    }
    return max ? h.stack_max : h.last_una;
}

// Sends one segment from the peer, with the oracle's bookkeeping and the RFC 5961 RST check.
void deliver(Harness& h, TcpRepr r, bool stale_ts)
{
    if (!r.flags.is_legal())
        return;
    if (h.ts) {
        h.peer_ts += 1;
        r.options.timestamps = wire::TcpTimestamps { stale_ts ? h.peer_ts - 0x40000000u : h.peer_ts, h.last_stack_tsval };
    }
    if (!r.flags.has(TcpFlags::ack))
        r.ack = {};
    if (!r.flags.has(TcpFlags::urg))
        r.urgent = 0;
    FUZZ_CHECK(r.is_valid(), "the harness builds valid segments");
    std::vector<u8> payload(r.payload_len);
    for (usize i = 0; i < payload.size(); ++i)
        payload[i] = peer_byte(r.seq.value + (r.flags.has(TcpFlags::syn) ? 1 : 0) + u32(i));
    if (!r.flags.has(TcpFlags::rst))
        note_sent(h, r.seq + (r.flags.has(TcpFlags::syn) ? 1 : 0), payload.size(), r.flags.has(TcpFlags::fin));
    if (r.flags.has(TcpFlags::ack) && h.iss_known) {
        i64 off = wire::seq_diff(r.ack, h.stack_iss);
        if (off > h.max_peer_ack)
            h.max_peer_ack = off;
    }

    bool rst_check = false;
    u64 resets_before = h.stack->counters().resets_received;
    if (r.flags.has(TcpFlags::rst) && h.held && h.established) {
        State s = h.stack->state(h.conn);
        auto snap = h.stack->snapshot(h.conn);
        rst_check = synchronized(s) && snap.is_ok() && r.seq != snap.value().rcv_nxt;
    }
    FourTuple incoming { h.tuple.local, h.tuple.remote };
    h.stack->on_segment(incoming, r, lib::ReadonlyBytes(payload.data(), payload.size()), h.now, h.sink);
    if (rst_check) {
        FUZZ_CHECK(h.stack->counters().resets_received == resets_before, "a RST off RCV.NXT resets nothing (RFC 5961 §3)");
        FUZZ_CHECK(h.stack->state(h.conn) != State::Closed, "a RST off RCV.NXT leaves the connection open (RFC 5961 §3)");
    }
}

TcpRepr base_segment(Harness& h)
{
    TcpRepr r;
    r.src_port = h.tuple.remote.port;
    r.dst_port = h.tuple.local.port;
    return r;
}

void app_send(Harness& h, usize len)
{
    if (!h.held)
        return;
    std::vector<u8> data(len);
    for (usize i = 0; i < len; ++i)
        data[i] = app_byte(h.app_sent + i);
    auto sent = h.stack->send(h.conn, lib::ReadonlyBytes(data.data(), data.size()), h.now, h.sink);
    if (sent.is_ok()) {
        FUZZ_CHECK(sent.value() <= len, "send() takes at most what it was given");
        FUZZ_CHECK(!h.app_shut, "send() fails after shutdown_write");
        h.app_sent += sent.value();
    }
}

void app_receive(Harness& h, usize len)
{
    if (!h.held)
        return;
    std::unique_ptr<u8[]> buffer(new u8[len]);
    auto got = h.stack->receive(h.conn, lib::Bytes(buffer.get(), len));
    if (got.is_error())
        return;
    usize n = got.value();
    FUZZ_CHECK(n <= len, "receive() fills at most the buffer");
    if (n == 0) {
        FUZZ_CHECK(fin_at(h, h.delivered), "EOF only where the peer sent a FIN");
        h.eof = true;
        return;
    }
    FUZZ_CHECK(!h.eof, "no data after EOF");
    for (usize i = 0; i < n; ++i) {
        u64 off = h.delivered + i;
        FUZZ_CHECK(off < h.sent.size() && h.sent[off], "every delivered byte was sent by the peer");
        FUZZ_CHECK(buffer[i] == peer_byte((h.peer_iss + 1).value + u32(off)), "delivered bytes are the peer's bytes in sequence order");
    }
    h.delivered += n;
}

void add_syn_options(TcpRepr& r, u8 setup, u8 ws_shift, u16 mss, u32 tsecr, u32& peer_ts)
{
    if (mss != 0)
        r.options.mss = mss;
    if (setup & 2)
        r.options.window_scale = u8(ws_shift % 15);
    if (setup & 8)
        r.options.sack_permitted = true;
    if (setup & 4)
        r.options.timestamps = wire::TcpTimestamps { peer_ts, tsecr };
}

// Brings the connection to ESTABLISHED; false when the configuration makes that impossible.
bool handshake(Harness& h, u8 setup, u8 ws_shift, u16 mss, u16 window)
{
    if (setup & 1) {
        auto c = h.stack->connect({ stack_ip, 0 }, { peer_ip, 5000 }, h.now, h.sink);
        FUZZ_CHECK(c.is_ok(), "connect() on an empty stack succeeds");
        h.conn = c.value();
        h.held = true;
        FUZZ_CHECK(h.sink.segments.size() == 1 && h.sink.segments[0].repr.flags.bits == TcpFlags::syn, "connect() sends one SYN");
        h.tuple = h.sink.segments[0].tuple;
        FUZZ_CHECK(h.tuple.remote == (Endpoint { peer_ip, 5000 }) && h.tuple.local.address == stack_ip, "the SYN's four-tuple");
        bool stack_ts = h.sink.segments[0].repr.options.timestamps.has_value();
        check_emitted(h);
        TcpRepr r = base_segment(h);
        r.flags.bits = TcpFlags::syn | TcpFlags::ack;
        r.seq = h.peer_iss;
        r.ack = h.stack_iss + 1;
        r.window = window;
        add_syn_options(r, setup, ws_shift, mss, h.last_stack_tsval, h.peer_ts);
        h.ts = (setup & 4) && stack_ts;
        h.max_peer_ack = 1;
        FUZZ_CHECK(r.is_valid(), "the SYN,ACK is valid");
        h.stack->on_segment(h.tuple, r, {}, h.now, h.sink);
    } else {
        auto l = h.stack->listen({ stack_ip, 80 }, 4);
        FUZZ_CHECK(l.is_ok(), "listen() on an empty stack succeeds");
        h.tuple = { { stack_ip, 80 }, { peer_ip, 40000 } };
        TcpRepr syn = base_segment(h);
        syn.flags.bits = TcpFlags::syn;
        syn.seq = h.peer_iss;
        syn.window = window;
        add_syn_options(syn, setup, ws_shift, mss, 0, h.peer_ts);
        h.stack->on_segment(h.tuple, syn, {}, h.now, h.sink);
        FUZZ_CHECK(h.sink.segments.size() == 1, "a SYN to a listener is answered once");
        const TcpRepr& sa = h.sink.segments[0].repr;
        FUZZ_CHECK(sa.flags.bits == (TcpFlags::syn | TcpFlags::ack) && sa.ack == h.peer_iss + 1, "the SYN,ACK acknowledges the SYN");
        check_emitted(h);
        h.ts = (setup & 4) && sa.options.timestamps.has_value();
        TcpRepr ack = base_segment(h);
        ack.flags.bits = TcpFlags::ack;
        ack.seq = h.peer_iss + 1;
        ack.ack = h.stack_iss + 1;
        ack.window = window;
        h.max_peer_ack = 1;
        if (h.ts)
            ack.options.timestamps = wire::TcpTimestamps { ++h.peer_ts, h.last_stack_tsval };
        h.stack->on_segment(h.tuple, ack, {}, h.now, h.sink);
        auto a = h.stack->accept(l.value());
        FUZZ_CHECK(a.is_ok(), "the completed handshake is acceptable");
        h.conn = a.value();
        h.held = true;
        // No listener afterwards: a SYN must never start a second incarnation the oracle does not model.
        FUZZ_CHECK(h.stack->close_listener(l.value(), h.now, h.sink).is_ok(), "close_listener() of a live listener succeeds");
    }
    check_emitted(h);
    FUZZ_CHECK(h.stack->state(h.conn) == State::Established, "the handshake ends in ESTABLISHED");
    h.established = true;
    auto snap = h.stack->snapshot(h.conn);
    FUZZ_CHECK(snap.is_ok(), "an established connection has a snapshot");
    h.last_una = snap.value().snd_una;
    h.last_rcv_nxt = snap.value().rcv_nxt;
    h.last_stack_ack = snap.value().rcv_nxt;
    h.stack_max = snap.value().snd_max;
    FUZZ_CHECK(h.last_una == h.stack_iss + 1 && h.last_rcv_nxt == h.peer_iss + 1, "SND.UNA = ISS+1, RCV.NXT = IRS+1");
    if (setup & 32)
        (void)h.stack->set_nodelay(h.conn, true);
    if (setup & 64)
        (void)h.stack->set_keepalive(h.conn, true, h.now);
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in(data, size);
    u8 setup = in.take8();
    u8 ws_shift = in.take8();
    u16 mss = in.take16();
    u32 iss = in.take32();
    u16 window = in.take16();

    Harness h;
    h.config.max_connections = 4;
    h.config.max_listeners = 2;
    h.config.send_buffer = (setup & 16) ? 2048 : 8192;
    h.config.receive_buffer = (setup & 16) ? 2048 : 8192;
    h.config.time_wait = Duration::from_secs(2);
    h.config.keepalive_idle = Duration::from_secs(10);
    h.config.keepalive_interval = Duration::from_secs(1);
    h.config.keepalive_probes = 3;
    h.stack = std::make_unique<Stack>(h.config, secret);
    h.peer_iss = SeqNumber { iss };
    if (!handshake(h, setup, ws_shift, mss, window))
        return 0;
    check_state(h);

    for (int step = 0; step < 512 && !in.done(); ++step) {
        u8 op = in.take8() % 10;
        switch (op) {
        case 0: {
            u8 mode = in.take8();
            i16 seq_off = i16(in.take16());
            i16 ack_off = i16(in.take16());
            u16 len = in.take16() % 2048;
            u16 win = in.take16();
            TcpRepr r = base_segment(h);
            r.seq = (mode & 1) ? rcv_ref(h) : rcv_ref(h) + u32(i32(seq_off));
            r.ack = (mode & 2) ? una_ref(h, true) : una_ref(h, false) + u32(i32(ack_off));
            r.flags.bits = u8(((mode & 4) ? 0 : TcpFlags::ack) | ((mode & 8) ? TcpFlags::fin : 0) | ((mode & 16) ? TcpFlags::psh : 0)
                | ((mode & 32) ? TcpFlags::urg : 0));
            if (r.flags.bits == 0)
                r.flags.bits = TcpFlags::psh;
            r.urgent = len;
            r.window = win;
            r.payload_len = len;
            if ((mode & 128) && h.iss_known) {
                SeqNumber una = una_ref(h, false);
                r.options.sack_count = 1;
                r.options.sack_blocks[0] = { una + 1 + u32(u16(ack_off) % 4096), una + 1 + u32(u16(ack_off) % 4096) + 1 + (len % 3000) };
            }
            deliver(h, r, (mode & 64) != 0);
            break;
        }
        case 1: {
            i16 ack_off = i16(in.take16());
            TcpRepr r = base_segment(h);
            r.seq = rcv_ref(h);
            r.ack = una_ref(h, false) + u32(i32(ack_off));
            r.flags.bits = TcpFlags::ack;
            r.window = in.take16();
            deliver(h, r, false);
            break;
        }
        case 2: {
            i8 seq_off = i8(in.take8());
            bool with_ack = in.take_bool();
            TcpRepr r = base_segment(h);
            r.seq = rcv_ref(h) + u32(i32(seq_off));
            r.ack = una_ref(h, true);
            r.flags.bits = u8(TcpFlags::rst | (with_ack ? TcpFlags::ack : 0));
            deliver(h, r, false);
            break;
        }
        case 3: {
            i16 seq_off = i16(in.take16());
            bool with_ack = in.take_bool();
            TcpRepr r = base_segment(h);
            r.seq = rcv_ref(h) + u32(i32(seq_off));
            r.ack = una_ref(h, true);
            r.flags.bits = u8(TcpFlags::syn | (with_ack ? TcpFlags::ack : 0));
            r.window = 1024;
            r.options.mss = 1000;
            deliver(h, r, false);
            break;
        }
        case 4: {
            u16 ms = in.take16();
            u64 millis = (ms & 0x8000) ? u64(ms & 0x7fff) * 64 : ms;
            h.now = h.now + Duration::from_millis(millis);
            h.stack->poll(h.now, h.sink);
            FUZZ_CHECK(h.stack->next_deadline() > h.now, "after poll(now) nothing is due at now");
            break;
        }
        case 5:
            app_send(h, in.take16() % 6000);
            break;
        case 6:
            app_receive(h, in.take16() % 6000 + 1);
            break;
        case 7: {
            u8 how = in.take8() % 4;
            if (!h.held)
                break;
            if (how == 0) {
                if (h.stack->shutdown_write(h.conn, h.now, h.sink).is_ok())
                    h.app_shut = true;
            } else if (how == 1) {
                // A close may send a FIN: mark first so the oracle allows it.
                bool was = h.app_shut;
                h.app_shut = true;
                if (h.stack->close(h.conn, h.now, h.sink).is_ok())
                    h.held = false;
                else
                    h.app_shut = was;
            } else if (how == 2) {
                if (h.stack->abort(h.conn, h.now, h.sink).is_ok())
                    h.held = false;
            } else {
                (void)h.stack->set_nodelay(h.conn, (step & 1) != 0);
            }
            break;
        }
        case 8: {
            u8 flags = in.take8();
            i32 seq_off = i32(in.take32());
            i32 ack_off = i32(in.take32());
            u8 len = in.take8();
            TcpRepr r = base_segment(h);
            r.flags.bits = flags;
            if (!r.flags.is_legal())
                r.flags.bits = u8(flags & ~(TcpFlags::syn | TcpFlags::rst)) | TcpFlags::ack;
            if (!r.flags.is_legal())
                r.flags.bits = TcpFlags::ack;
            r.seq = rcv_ref(h) + u32(seq_off);
            r.ack = una_ref(h, false) + u32(ack_off);
            r.urgent = len;
            r.window = in.take16();
            r.payload_len = len;
            if (r.flags.has(TcpFlags::syn))
                r.options.mss = 536;
            deliver(h, r, false);
            break;
        }
        case 9: {
            TcpRepr r = base_segment(h);
            r.seq = rcv_ref(h);
            r.ack = una_ref(h, true);
            r.flags.bits = TcpFlags::ack;
            r.window = in.take16();
            deliver(h, r, false);
            break;
        }
        }
        check_state(h);
    }
    return 0;
}

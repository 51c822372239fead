// One TCP connection: the transmission control block of RFC 9293 §3.3.1, segment arrival per
// state (§3.10.7, in connection_states.cpp), output, timers (§3.8) and the user calls (§3.10.1-6).
#pragma once

#include "lib/result.h"
#include "net/tcp/acceptance.h"
#include "net/tcp/config.h"
#include "net/tcp/congestion.h"
#include "net/tcp/isn.h"
#include "net/tcp/ring_buffer.h"
#include "net/tcp/rtt.h"

namespace net::tcp {

// RFC 5961 §7: a stack-wide budget of challenge ACKs per second.
class ChallengeAckLimiter {
public:
    bool allow(Instant now, u32 per_second);

private:
    u64 m_second { ~0ull };
    u32 m_sent { 0 };
};

// Everything a connection needs from the stack while it handles one event.
struct Context {
    const Config& config;
    Counters& counters;
    const SequenceSecrets& secrets;
    SegmentSink& sink;
    Instant now;
    // Staging for outgoing payloads (the send ring may wrap); at least 64 KiB.
    lib::Bytes scratch;
    ChallengeAckLimiter& challenge;
    // False when this connection's listener has a full accept queue: the final ACK of a passive
    // open is then dropped, as Linux does, and the peer's retransmission tries again.
    bool accept_room { true };
};

class Connection {
public:
    // Once, when the stack builds its pool.
    void attach_buffers(u8* send_storage, u32 send_size, u8* receive_storage, u32 receive_size);
    // Back to a pristine CLOSED control block (buffers stay attached).
    void reset();

    // RFC 9293 §3.10.1 active OPEN: sends SYN and enters SYN-SENT.
    void open_active(const FourTuple&, Context&);
    // A SYN accepted by a listener (§3.10.7.2): sends SYN,ACK and enters SYN-RECEIVED.
    void open_passive(const FourTuple&, const wire::TcpRepr& syn, Context&);
    // A validated SYN-cookie ACK: ESTABLISHED straight away, with only the cookie's MSS.
    void open_from_cookie(const FourTuple&, const wire::TcpRepr& ack, u16 mss, Context&);

    void on_segment(const wire::TcpRepr&, lib::ReadonlyBytes payload, Context&);
    // Fires whatever timers are due at ctx.now.
    void on_timer(Context&);
    Instant next_deadline() const;

    lib::Result<usize, TcpError> send(lib::ReadonlyBytes, Context&);
    lib::Result<usize, TcpError> receive(lib::Bytes);
    lib::Result<void, TcpError> shutdown_write(Context&);
    // The application gives the connection up: graceful (FIN) unless unread data is pending, in
    // which case RFC 1122 §4.2.2.13 (and RFC 2525 §2.17) call for a RST.
    lib::Result<void, TcpError> close(Context&);
    void abort(Context&);
    // Drops the connection without a word (TIME-WAIT recycling, TIME-WAIT reuse).
    void expire(Context& ctx) { enter(State::Closed, ctx); }

    void set_nodelay(bool on) { m_nodelay = on; }
    void set_keepalive(bool on, Instant now, const Config&);

    // True when a SYN for this TIME-WAIT connection's tuple may start a new incarnation
    // (RFC 6191 with timestamps, RFC 1122 §4.2.2.13 by sequence number otherwise).
    bool time_wait_accepts_syn(const wire::TcpRepr& syn) const;

    State state() const { return m_state; }
    const FourTuple& tuple() const { return m_tuple; }
    bool orphaned() const { return m_orphaned; }
    bool passive() const { return m_passive; }
    Instant time_wait_since() const { return m_state_since; }
    Readiness readiness() const;
    SequenceSnapshot snapshot() const;

private:
    enum class Verdict : u8 { Continue, Drop };

    // connection_states.cpp: one function per state (RFC 9293 §3.10.7.3-4).
    void on_segment_syn_sent(const wire::TcpRepr&, lib::ReadonlyBytes, Context&);
    void on_segment_syn_received(const wire::TcpRepr&, lib::ReadonlyBytes, Context&);
    void on_segment_established(const wire::TcpRepr&, lib::ReadonlyBytes, Context&);
    void on_segment_fin_wait_1(const wire::TcpRepr&, lib::ReadonlyBytes, Context&);
    void on_segment_fin_wait_2(const wire::TcpRepr&, lib::ReadonlyBytes, Context&);
    void on_segment_close_wait(const wire::TcpRepr&, lib::ReadonlyBytes, Context&);
    void on_segment_closing(const wire::TcpRepr&, lib::ReadonlyBytes, Context&);
    void on_segment_last_ack(const wire::TcpRepr&, lib::ReadonlyBytes, Context&);
    void on_segment_time_wait(const wire::TcpRepr&, lib::ReadonlyBytes, Context&);

    // Steps shared by the synchronized states, in RFC 9293 §3.10.7.4 order.
    Verdict check_synchronized(const wire::TcpRepr&, lib::ReadonlyBytes, Context&);
    // A RST the admission test accepted (exactly at RCV.NXT): the connection ends.
    void reset_by_peer(Context&);
    Verdict process_ack(const wire::TcpRepr&, lib::ReadonlyBytes, Context&);
    void process_new_ack(const wire::TcpRepr&, Context&);
    void update_send_window(const wire::TcpRepr&);
    // Queues in-window data for the application, ACKs per the delayed-ACK rules; true when the
    // peer's FIN became in order now.
    bool process_text(wire::SeqNumber seq, lib::ReadonlyBytes, bool fin, Context&);
    // Puts in-window bytes at `offset` past RCV.NXT into the receive ring (in order: readable at
    // once; out of order: parked as an island). True when the sender should hear an ACK now.
    bool store_text(wire::SeqNumber seq, u32 offset, lib::ReadonlyBytes, Context&);
    void send_reset_to(const wire::TcpRepr& unacceptable, Context&);
    // True when the peer's FIN is now in order and was consumed (RCV.NXT advanced past it).
    bool take_fin();
    void negotiate_options(const wire::TcpOptions&, Context&);
    void update_ts_recent(const wire::TcpRepr&);
    void send_challenge_ack(Context&);

    // connection.cpp: output.
    void transmit(Context&);
    bool may_send_now(u32 length, u32 pending, u32 flight) const;
    void retransmit_first(Context&);
    void send_segment(u8 flags, wire::SeqNumber seq, u32 length, Context&);
    void send_syn(Context&);
    void send_ack(Context&);
    void send_rst(Context&);
    void send_probe(Context&);
    wire::TcpRepr make_repr(u8 flags, wire::SeqNumber seq, Context&) const;
    u16 advertised_window(bool syn) const;

    // connection.cpp: state changes and timers.
    void enter(State, Context&);
    void fail(TcpError, Context&);
    void enter_time_wait(Context&);
    void schedule_ack(Context&);
    void on_retransmit_timeout(Context&);
    void on_keepalive_timeout(Context&);
    void restart_retransmit_timer(Context&);
    void update_persist_timer(Context&);
    void note_window_opened();

    u32 data_end_offset() const { return m_send.size(); }
    wire::SeqNumber data_end() const { return m_send_base + m_send.size(); }
    u32 flight() const { return m_snd_max.value - m_snd_una.value; }
    bool fin_acked() const { return m_fin_queued && m_snd_una == data_end() + 1; }
    u32 timestamp_now(Instant now) const { return u32(now.millis()) + m_ts_offset; }

    FourTuple m_tuple;
    State m_state { State::Closed };
    Instant m_state_since;

    // Send sequence space (RFC 9293 §3.3.1). Invariant: SND.UNA <= SND.NXT <= SND.MAX; SND.MAX
    // is the highest sequence sent so far (SND.NXT falls back to SND.UNA after an RTO).
    wire::SeqNumber m_iss, m_snd_una, m_snd_nxt, m_snd_max;
    wire::SeqNumber m_snd_wl1, m_snd_wl2;
    u32 m_snd_wnd { 0 };
    u32 m_max_snd_wnd { 0 };
    // Invariant: m_send byte 0 has sequence number m_send_base (ISS + 1 until acked data moves
    // it); bytes leave the ring only when acknowledged.
    wire::SeqNumber m_send_base;
    RingBuffer m_send;
    bool m_fin_queued { false };

    // Receive sequence space. Invariant: m_receive holds the in-order bytes before RCV.NXT not yet
    // read; bytes of m_out_of_order sit at offset (seq - RCV.NXT) past them, within capacity.
    wire::SeqNumber m_irs, m_rcv_nxt;
    RingBuffer m_receive;
    OutOfOrderRanges m_out_of_order;
    bool m_peer_fin_seen { false };
    wire::SeqNumber m_peer_fin;      // sequence number of the peer's FIN once seen
    bool m_peer_fin_received { false };  // the FIN is in order: EOF
    u32 m_last_advertised { 0 };     // window (bytes) in the last segment we sent

    // Options (RFC 7323, RFC 9293 §3.7.1).
    u16 m_smss { 536 };              // payload bytes per segment we send
    u16 m_largest_received { 536 };  // "full-sized" for the delayed-ACK rule
    u8 m_snd_wscale { 0 };
    bool m_ws_enabled { false };     // both SYNs carried window scale
    u8 m_rcv_wscale { 0 };
    bool m_ts_enabled { false };
    u32 m_ts_offset { 0 };
    u32 m_ts_recent { 0 };
    wire::SeqNumber m_last_ack_sent;

    RttEstimator m_rtt;
    NewReno m_cc;
    // Karn's algorithm (RFC 6298 §3) when timestamps are off: one timed segment at a time,
    // forgotten if anything is retransmitted.
    bool m_rtt_timing { false };
    wire::SeqNumber m_rtt_seq;
    Instant m_rtt_start;

    // Timers (Instant::never() when stopped).
    Instant m_rto_deadline { Instant::never() };
    Instant m_delack_deadline { Instant::never() };
    Instant m_persist_deadline { Instant::never() };
    Instant m_keepalive_deadline { Instant::never() };
    Instant m_state_deadline { Instant::never() };  // TIME-WAIT, orphaned FIN-WAIT-2, SYN-RECEIVED
    u32 m_retries { 0 };
    u32 m_persist_backoff { 0 };
    u32 m_keepalive_sent { 0 };
    u32 m_unacked_bytes { 0 };       // in-order bytes received since our last ACK
    bool m_window_update_due { false };

    bool m_nodelay { false };
    bool m_keepalive { false };
    bool m_passive { false };
    bool m_orphaned { false };
    bool m_error_set { false };
    TcpError m_error { TcpError::NotConnected };
};

} // namespace net::tcp

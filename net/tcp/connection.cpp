// Connection: opening, output (RFC 9293 §3.8.6, Nagle RFC 896 / RFC 1122 §4.2.3.4, sender SWS
// avoidance §3.8.6.2.1) and timers (RFC 6298 §5, persist §3.8.6.1, keep-alive §3.8.4). Segment
// arrival is in connection_states.cpp, the user calls in connection_calls.cpp.
#include "net/tcp/connection.h"

#include "lib/utility.h"

namespace net::tcp {

using wire::SeqNumber;
using wire::TcpFlags;
using wire::TcpRepr;

bool ChallengeAckLimiter::allow(Instant now, u32 per_second)
{
    u64 second = now.micros / 1000000;
    if (second != m_second) {
        m_second = second;
        m_sent = 0;
    }
    if (m_sent >= per_second)
        return false;
    ++m_sent;
    return true;
}

void Connection::attach_buffers(u8* send_storage, u32 send_size, u8* receive_storage, u32 receive_size)
{
    m_send.attach(send_storage, send_size);
    m_receive.attach(receive_storage, receive_size);
}

void Connection::reset()
{
    RingBuffer send = m_send;
    RingBuffer receive = m_receive;
    *this = Connection();
    m_send = send;
    m_receive = receive;
    m_send.clear();
    m_receive.clear();
}

namespace {

// RFC 7323 §2.3: the smallest shift that lets the 16-bit field describe the whole buffer.
u8 window_shift_for(u32 buffer)
{
    u8 shift = 0;
    while (shift < wire::tcp::window_scale_max && (buffer >> shift) > 0xffff)
        ++shift;
    return shift;
}

} // namespace

void Connection::open_active(const FourTuple& tuple, Context& ctx)
{
    m_tuple = tuple;
    m_iss = ctx.secrets.isn(tuple, ctx.now);
    m_snd_una = m_snd_nxt = m_snd_max = m_iss;
    m_send_base = m_iss + 1;
    m_ts_offset = ctx.secrets.timestamp_offset(tuple);
    // We offer window scaling and timestamps; negotiate_options() withdraws them if the SYN,ACK
    // does not carry them (RFC 7323 §2.2, §3.2).
    m_rcv_wscale = window_shift_for(m_receive.capacity());
    m_ts_enabled = true;
    m_rtt = RttEstimator(ctx.config.rto_initial, ctx.config.rto_min, ctx.config.rto_max);
    m_cc.reset(m_smss, m_iss);
    enter(State::SynSent, ctx);
    send_syn(ctx);
}

void Connection::open_passive(const FourTuple& tuple, const TcpRepr& syn, Context& ctx)
{
    m_tuple = tuple;
    m_passive = true;
    m_iss = ctx.secrets.isn(tuple, ctx.now);
    m_snd_una = m_snd_nxt = m_snd_max = m_iss;
    m_send_base = m_iss + 1;
    m_irs = syn.seq;
    m_rcv_nxt = syn.seq + 1;
    m_ts_offset = ctx.secrets.timestamp_offset(tuple);
    m_rcv_wscale = window_shift_for(m_receive.capacity());
    negotiate_options(syn.options, ctx);
    // A SYN's window is never scaled (RFC 7323 §2.2).
    m_snd_wnd = syn.window;
    m_max_snd_wnd = m_snd_wnd;
    m_snd_wl1 = syn.seq;
    m_rtt = RttEstimator(ctx.config.rto_initial, ctx.config.rto_min, ctx.config.rto_max);
    m_cc.reset(m_smss, m_iss);
    enter(State::SynReceived, ctx);
    send_syn(ctx);
}

void Connection::open_from_cookie(const FourTuple& tuple, const TcpRepr& ack, u16 mss, Context& ctx)
{
    m_tuple = tuple;
    m_passive = true;
    m_iss = ack.ack - 1;
    m_snd_una = m_snd_nxt = m_snd_max = ack.ack;
    m_send_base = ack.ack;
    m_irs = ack.seq - 1;
    m_rcv_nxt = ack.seq;
    m_last_ack_sent = ack.seq;
    m_smss = lib::min(mss, ctx.config.mss);
    m_snd_wnd = m_max_snd_wnd = ack.window;
    m_snd_wl1 = ack.seq;
    m_snd_wl2 = ack.ack;
    m_rtt = RttEstimator(ctx.config.rto_initial, ctx.config.rto_min, ctx.config.rto_max);
    m_cc.reset(m_smss, m_iss);
    enter(State::Established, ctx);
}

// ---- Output ----

u16 Connection::advertised_window(bool syn) const
{
    u32 window = m_receive.free();
    if (syn)
        return u16(lib::min<u32>(window, 0xffff));
    return u16(lib::min<u32>(window >> m_rcv_wscale, 0xffff));
}

TcpRepr Connection::make_repr(u8 flags, SeqNumber seq, Context& ctx) const
{
    TcpRepr repr;
    repr.src_port = m_tuple.local.port;
    repr.dst_port = m_tuple.remote.port;
    repr.seq = seq;
    repr.flags = { flags };
    if (flags & TcpFlags::ack)
        repr.ack = m_rcv_nxt;
    if (!(flags & TcpFlags::rst))
        repr.window = advertised_window(flags & TcpFlags::syn);
    if (m_ts_enabled && !(flags & TcpFlags::rst))
        repr.options.timestamps = wire::TcpTimestamps { timestamp_now(ctx.now), m_ts_recent };
    return repr;
}

void Connection::send_segment(u8 flags, SeqNumber seq, u32 length, Context& ctx)
{
    TcpRepr repr = make_repr(flags, seq, ctx);
    lib::Bytes payload = ctx.scratch.slice(0, length);
    if (length > 0)
        m_send.peek(seq.value - m_send_base.value, payload);
    repr.payload_len = length;
    if (flags & TcpFlags::ack) {
        m_last_ack_sent = m_rcv_nxt;
        m_last_advertised = u32(repr.window) << m_rcv_wscale;
        m_unacked_bytes = 0;
        m_delack_deadline = Instant::never();
        m_window_update_due = false;
    }
    ++ctx.counters.segments_sent;
    if (flags & TcpFlags::rst)
        ++ctx.counters.resets_sent;
    ctx.sink.send(m_tuple, repr, payload);
}

void Connection::send_syn(Context& ctx)
{
    bool syn_ack = m_state == State::SynReceived;
    TcpRepr repr = make_repr(TcpFlags::syn | (syn_ack ? TcpFlags::ack : 0), m_iss, ctx);
    repr.options.mss = ctx.config.mss;
    // On a SYN,ACK we answer only the options the peer offered (RFC 7323 §2.2, §3.2); on a SYN
    // we offer both. Both sides scale only when both sent the option.
    if (!syn_ack || m_ws_enabled)
        repr.options.window_scale = m_rcv_wscale;
    if (m_state == State::SynSent)
        repr.options.timestamps = wire::TcpTimestamps { timestamp_now(ctx.now), 0 };
    if (syn_ack)
        m_last_ack_sent = m_rcv_nxt;
    m_last_advertised = repr.window;
    m_snd_nxt = m_iss + 1;
    m_snd_max = m_iss + 1;
    ++ctx.counters.segments_sent;
    ctx.sink.send(m_tuple, repr, {});
    restart_retransmit_timer(ctx);
}

void Connection::send_ack(Context& ctx) { send_segment(TcpFlags::ack, m_snd_max, 0, ctx); }

void Connection::send_rst(Context& ctx) { send_segment(TcpFlags::rst | TcpFlags::ack, m_snd_max, 0, ctx); }

// A zero-window or keep-alive probe: an ACK one below SND.NXT, which the peer finds unacceptable
// and answers with an ACK carrying its current window (RFC 9293 §3.8.4 and §3.10.7.4). It needs
// no sequence space of its own.
void Connection::send_probe(Context& ctx) { send_segment(TcpFlags::ack, m_snd_max - 1, 0, ctx); }

bool Connection::may_send_now(u32 length, u32 pending, u32 flight) const
{
    // A full segment always goes; with nothing in flight Nagle allows anything (RFC 1122
    // §4.2.3.4); TCP_NODELAY sends the tail at once; and the SWS rule of RFC 9293 §3.8.6.2.1
    // allows a window-limited segment of at least half the largest window the peer offered.
    if (length >= m_smss || flight == 0)
        return true;
    if (m_nodelay && length == pending)
        return true;
    return m_max_snd_wnd > 0 && length >= m_max_snd_wnd / 2;
}

void Connection::transmit(Context& ctx)
{
    if (m_state != State::Established && m_state != State::CloseWait && m_state != State::FinWait1
        && m_state != State::Closing && m_state != State::LastAck)
        return;
    for (;;) {
        u32 offset = m_snd_nxt.value - m_send_base.value;
        u32 size = m_send.size();
        if (offset > size)
            break; // the FIN is already out
        u32 pending = size - offset;
        u32 in_flight = m_snd_nxt.value - m_snd_una.value;
        u32 window = lib::min(m_snd_wnd, m_cc.cwnd());
        u32 usable = window > in_flight ? window - in_flight : 0;
        u32 length = lib::min(lib::min(pending, u32(m_smss)), usable);
        bool fin = m_fin_queued && offset + length == size;
        if (length == 0 && !fin)
            break;
        if (length > 0 && !may_send_now(length, pending, in_flight))
            break;
        bool resend = seq_lt(m_snd_nxt, m_snd_max);
        if (resend)
            ++ctx.counters.retransmits;
        else if (!m_ts_enabled && !m_rtt_timing && length > 0) {
            m_rtt_timing = true;
            m_rtt_seq = m_snd_nxt;
            m_rtt_start = ctx.now;
        }
        u8 flags = TcpFlags::ack | (fin ? TcpFlags::fin : 0) | (length > 0 && length == pending ? TcpFlags::psh : 0);
        send_segment(flags, m_snd_nxt, length, ctx);
        m_snd_nxt = m_snd_nxt + (length + (fin ? 1 : 0));
        if (seq_gt(m_snd_nxt, m_snd_max))
            m_snd_max = m_snd_nxt;
        if (m_rto_deadline == Instant::never())
            restart_retransmit_timer(ctx);
    }
    update_persist_timer(ctx);
}

void Connection::retransmit_first(Context& ctx)
{
    u32 offset = m_snd_una.value - m_send_base.value;
    u32 size = m_send.size();
    if (offset > size)
        return;
    // Retransmit only what was sent before: SND.MAX - SND.UNA. New data beyond SND.MAX is the
    // send path's business (it honours the peer's window); sending it here would move SND.NXT
    // past SND.MAX (found by fuzz/net/tcp/segment_script_fuzz.cpp).
    u32 outstanding = m_snd_max.value - m_snd_una.value;
    u32 length = lib::min(lib::min(size - offset, u32(m_smss)), outstanding);
    bool fin = m_fin_queued && seq_gt(m_snd_max, data_end()) && offset + length == size;
    if (length == 0 && !fin)
        return;
    // Karn (RFC 6298 §3): a retransmitted segment's ACK says nothing about the RTT.
    m_rtt_timing = false;
    ++ctx.counters.retransmits;
    send_segment(TcpFlags::ack | (fin ? TcpFlags::fin : 0), m_snd_una, length, ctx);
    SeqNumber end = m_snd_una + (length + (fin ? 1 : 0));
    if (seq_lt(m_snd_nxt, end))
        m_snd_nxt = end;
}

// ---- State changes and timers ----

void Connection::enter(State state, Context& ctx)
{
    m_state = state;
    m_state_since = ctx.now;
    m_state_deadline = Instant::never();
    switch (state) {
    case State::SynReceived:
        m_state_deadline = ctx.now + ctx.config.syn_received_timeout;
        break;
    case State::Established:
        ++ctx.counters.connections_established;
        if (m_keepalive)
            m_keepalive_deadline = ctx.now + ctx.config.keepalive_idle;
        break;
    case State::FinWait2:
        // An orphaned FIN-WAIT-2 would wait forever for a FIN that may never come; bound it
        // like Linux's tcp_fin_timeout so a peer cannot pin our memory.
        if (m_orphaned)
            m_state_deadline = ctx.now + ctx.config.time_wait;
        break;
    case State::TimeWait:
        // RFC 9293 §3.10.7.4: 2*MSL; nothing else is pending.
        m_state_deadline = ctx.now + ctx.config.time_wait;
        [[fallthrough]];
    case State::Closed:
        m_rto_deadline = m_delack_deadline = m_persist_deadline = m_keepalive_deadline = Instant::never();
        m_window_update_due = false;
        break;
    default:
        break;
    }
}

void Connection::fail(TcpError error, Context& ctx)
{
    m_error = error;
    m_error_set = true;
    enter(State::Closed, ctx);
}

void Connection::schedule_ack(Context& ctx)
{
    // RFC 9293 §3.8.6.3 / RFC 1122 §4.2.3.2: ACK at least every second full-sized segment,
    // otherwise within the delayed-ACK timeout.
    if (m_unacked_bytes >= 2u * m_largest_received) {
        send_ack(ctx);
        return;
    }
    if (m_delack_deadline == Instant::never())
        m_delack_deadline = ctx.now + ctx.config.delayed_ack;
}

void Connection::restart_retransmit_timer(Context& ctx)
{
    bool outstanding = m_state == State::SynSent || m_state == State::SynReceived || flight() > 0;
    m_rto_deadline = outstanding ? ctx.now + m_rtt.rto() : Instant::never();
}

void Connection::update_persist_timer(Context& ctx)
{
    u32 pending = m_send.size() - lib::min(m_send.size(), m_snd_nxt.value - m_send_base.value);
    // RFC 9293 §3.8.6.1: probe a zero window while we have data and nothing in flight (an
    // outstanding segment's retransmission timer probes otherwise).
    if (m_snd_wnd == 0 && pending > 0 && flight() == 0) {
        if (m_persist_deadline == Instant::never())
            m_persist_deadline = ctx.now + m_rtt.rto();
        return;
    }
    m_persist_deadline = Instant::never();
    m_persist_backoff = 0;
}

void Connection::on_retransmit_timeout(Context& ctx)
{
    m_rto_deadline = Instant::never();
    if (m_state == State::SynSent || m_state == State::SynReceived) {
        if (++m_retries > ctx.config.max_syn_retransmits) {
            ++ctx.counters.connections_timed_out;
            fail(TcpError::TimedOut, ctx);
            return;
        }
        ++ctx.counters.retransmits;
        m_rtt.backoff();
        send_syn(ctx);
        return;
    }
    if (flight() == 0)
        return;
    if (++m_retries > ctx.config.max_retransmits) {
        ++ctx.counters.connections_timed_out;
        fail(TcpError::TimedOut, ctx);
        return;
    }
    // RFC 6298 §5.4-5.6 and RFC 5681 §3.1: back off, collapse cwnd, go back to SND.UNA.
    ++ctx.counters.rto_timeouts;
    m_cc.on_timeout(m_snd_max, flight());
    m_rtt.backoff();
    m_snd_nxt = m_snd_una;
    retransmit_first(ctx);
    restart_retransmit_timer(ctx);
}

void Connection::on_keepalive_timeout(Context& ctx)
{
    m_keepalive_deadline = Instant::never();
    if (!m_keepalive || (m_state != State::Established && m_state != State::CloseWait))
        return;
    if (m_keepalive_sent >= ctx.config.keepalive_probes) {
        ++ctx.counters.connections_timed_out;
        fail(TcpError::TimedOut, ctx);
        return;
    }
    ++m_keepalive_sent;
    ++ctx.counters.keepalive_probes;
    send_probe(ctx);
    m_keepalive_deadline = ctx.now + ctx.config.keepalive_interval;
}

void Connection::on_timer(Context& ctx)
{
    Instant now = ctx.now;
    if (m_state_deadline <= now) {
        m_state_deadline = Instant::never();
        // TIME-WAIT's 2*MSL is over, or an orphaned FIN-WAIT-2 / a stalled SYN-RECEIVED expired.
        enter(State::Closed, ctx);
        return;
    }
    if (m_rto_deadline <= now)
        on_retransmit_timeout(ctx);
    if (m_persist_deadline <= now && m_state != State::Closed) {
        ++ctx.counters.window_probes;
        send_probe(ctx);
        m_persist_backoff = lib::min(m_persist_backoff + 1, 16u);
        u64 delay = lib::min(m_rtt.rto().micros << m_persist_backoff, ctx.config.rto_max.micros);
        m_persist_deadline = now + Duration { delay };
    }
    if (m_keepalive_deadline <= now)
        on_keepalive_timeout(ctx);
    if (m_state != State::Closed && (m_delack_deadline <= now || m_window_update_due))
        send_ack(ctx);
}

Instant Connection::next_deadline() const
{
    if (m_window_update_due)
        return Instant {};
    Instant d = lib::min(m_state_deadline, m_rto_deadline);
    d = lib::min(d, m_persist_deadline);
    d = lib::min(d, m_keepalive_deadline);
    return lib::min(d, m_delack_deadline);
}

} // namespace net::tcp

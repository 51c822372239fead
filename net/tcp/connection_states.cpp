// Segment arrival, one function per state (RFC 9293 §3.10.7.3 SYN-SENT, §3.10.7.4 the others),
// hardened per RFC 5961 (RST §3, SYN §4, ACK §5) and RFC 7323 (PAWS §5).
#include "net/tcp/connection.h"

#include "lib/utility.h"

namespace net::tcp {

using wire::SeqNumber;
using wire::TcpFlags;
using wire::TcpRepr;

namespace {

void count(Context& ctx, DropReason reason) { ++ctx.counters.drops[static_cast<u8>(reason)]; }

// TCP option bytes a timestamp costs on every segment (RFC 7323 §3.2: 10, padded to 12).
constexpr u16 timestamp_option_len = 12;
// The smallest MSS we honour: a peer announcing less would make us send tiny segments at a huge
// per-byte cost (Linux's answer to CVE-2019-11479 is the same kind of floor).
constexpr u16 min_smss = 64;

} // namespace

void Connection::on_segment(const TcpRepr& seg, lib::ReadonlyBytes payload, Context& ctx)
{
    if (m_keepalive && m_keepalive_deadline != Instant::never()) {
        m_keepalive_sent = 0;
        m_keepalive_deadline = ctx.now + ctx.config.keepalive_idle;
    }
    switch (m_state) {
    case State::SynSent:
        return on_segment_syn_sent(seg, payload, ctx);
    case State::SynReceived:
        return on_segment_syn_received(seg, payload, ctx);
    case State::Established:
        return on_segment_established(seg, payload, ctx);
    case State::FinWait1:
        return on_segment_fin_wait_1(seg, payload, ctx);
    case State::FinWait2:
        return on_segment_fin_wait_2(seg, payload, ctx);
    case State::CloseWait:
        return on_segment_close_wait(seg, payload, ctx);
    case State::Closing:
        return on_segment_closing(seg, payload, ctx);
    case State::LastAck:
        return on_segment_last_ack(seg, payload, ctx);
    case State::TimeWait:
        return on_segment_time_wait(seg, payload, ctx);
    case State::Closed:
    case State::Listen:
        count(ctx, DropReason::InvalidForState);
        return;
    }
}

void Connection::negotiate_options(const wire::TcpOptions& options, Context& ctx)
{
    // RFC 9293 §3.7.1: without the option, assume 536.
    u16 peer_mss = options.mss.value_or(536);
    m_ws_enabled = options.window_scale.has_value();
    m_snd_wscale = m_ws_enabled ? lib::min(options.window_scale.value(), wire::tcp::window_scale_max) : 0;
    if (!m_ws_enabled)
        m_rcv_wscale = 0;
    m_ts_enabled = options.timestamps.has_value();
    if (m_ts_enabled)
        m_ts_recent = options.timestamps->tsval;
    // RFC 6691 §2: the MSS counts no options, so the timestamps come out of it.
    u16 mss = lib::min(peer_mss, ctx.config.mss);
    mss = mss > timestamp_option_len + min_smss && m_ts_enabled ? u16(mss - timestamp_option_len) : mss;
    m_smss = lib::max(mss, min_smss);
    m_cc.reset(m_smss, m_iss);
}

void Connection::update_ts_recent(const TcpRepr& seg)
{
    // RFC 7323 §4.3 (3): remember the newest TSval of a segment covering Last.ACK.sent.
    if (!m_ts_enabled || !seg.options.timestamps)
        return;
    u32 tsval = seg.options.timestamps->tsval;
    if (seq_le(seg.seq, m_last_ack_sent) && !seq_lt(SeqNumber { tsval }, SeqNumber { m_ts_recent }))
        m_ts_recent = tsval;
}

void Connection::send_challenge_ack(Context& ctx)
{
    // RFC 5961 §3.2, §4.2, §5.2, with the §7 rate limit.
    if (!ctx.challenge.allow(ctx.now, ctx.config.challenge_ack_limit)) {
        count(ctx, DropReason::ChallengeAckLimited);
        return;
    }
    ++ctx.counters.challenge_acks;
    send_ack(ctx);
}

void Connection::send_reset_to(const TcpRepr& seg, Context& ctx)
{
    // RFC 9293 §3.10.7.3/4: an unacceptable ACK in a non-synchronized state gets
    // <SEQ=SEG.ACK><CTL=RST>.
    TcpRepr rst = make_repr(TcpFlags::rst, seg.ack, ctx);
    ++ctx.counters.segments_sent;
    ++ctx.counters.resets_sent;
    ctx.sink.send(m_tuple, rst, {});
}

bool Connection::time_wait_accepts_syn(const TcpRepr& syn) const
{
    // RFC 6191 §2: with timestamps on both sides, a newer TSval; otherwise a higher sequence
    // number than the old incarnation could still send (RFC 9293 §3.10.7.4 / RFC 1122).
    if (m_ts_enabled && syn.options.timestamps)
        return seq_gt(SeqNumber { syn.options.timestamps->tsval }, SeqNumber { m_ts_recent });
    return seq_gt(syn.seq, m_rcv_nxt);
}

// ---- Steps shared by the synchronized states ----

Connection::Verdict Connection::check_synchronized(const TcpRepr& seg, lib::ReadonlyBytes payload, Context& ctx)
{
    bool rst = seg.flags.has(TcpFlags::rst);
    // The first checks' verdict (acceptance.h); computing it changes nothing, so PAWS can still
    // come between the SYN check and the sequence check, where RFC 7323 §5.3 puts it.
    u32 length = u32(payload.size()) + (seg.flags.has(TcpFlags::fin) ? 1 : 0);
    Arrival arrival { seg.flags.has(TcpFlags::syn), rst, seg.flags.has(TcpFlags::ack), seg.seq, length };
    Admission admission = admit_synchronized(arrival, m_rcv_nxt, m_receive.free());
    // RFC 5961 §4.2: a SYN in a synchronized state, whatever its sequence number, only earns a
    // (rate-limited) challenge ACK; a genuine restarted peer then answers it with a RST.
    if (admission == Admission::ChallengeSyn) {
        count(ctx, DropReason::SynIgnored);
        send_challenge_ack(ctx);
        return Verdict::Drop;
    }
    // RFC 7323 §5.3 PAWS (without the 24-day idle exception): an older TSval is a stale
    // duplicate. A segment without timestamps on a connection that uses them is dropped (§3.2).
    if (m_ts_enabled && !rst) {
        if (!seg.options.timestamps || seq_lt(SeqNumber { seg.options.timestamps->tsval }, SeqNumber { m_ts_recent })) {
            count(ctx, DropReason::PawsRejected);
            if (seg.options.timestamps)
                send_ack(ctx);
            return Verdict::Drop;
        }
    }
    switch (admission) {
    case Admission::ChallengeSyn:
        VERIFY_NOT_REACHED(); // answered above, before PAWS
    case Admission::Unacceptable:
        // First: the sequence number (the acceptability table).
        count(ctx, DropReason::NotAcceptable);
        if (!rst)
            send_ack(ctx);
        return Verdict::Drop;
    case Admission::ChallengeRst:
        // RFC 5961 §3.2: a RST merely in the window might be blind injection, so it gets a
        // challenge ACK that a real peer answers with a RST exactly at RCV.NXT.
        count(ctx, DropReason::RstIgnored);
        send_challenge_ack(ctx);
        return Verdict::Drop;
    case Admission::Reset:
        reset_by_peer(ctx);
        return Verdict::Drop;
    case Admission::NoAck:
    case Admission::Proceed:
        break;
    }
    update_ts_recent(seg);
    // Fifth: "if the ACK bit is off, drop the segment and return".
    if (admission == Admission::NoAck) {
        count(ctx, DropReason::NoAckFlag);
        return Verdict::Drop;
    }
    return Verdict::Continue;
}

void Connection::reset_by_peer(Context& ctx)
{
    ++ctx.counters.resets_received;
    switch (m_state) {
    case State::SynReceived:
        // A passive open returns to LISTEN, i.e. this half-open entry just goes away; an active
        // one (simultaneous open) was refused.
        if (m_passive)
            enter(State::Closed, ctx);
        else
            fail(TcpError::ConnectionRefused, ctx);
        break;
    case State::Established:
    case State::FinWait1:
    case State::FinWait2:
    case State::CloseWait:
        fail(TcpError::ConnectionReset, ctx);
        break;
    default:
        enter(State::Closed, ctx);
        break;
    }
}

Connection::Verdict Connection::process_ack(const TcpRepr& seg, lib::ReadonlyBytes payload, Context& ctx)
{
    SeqNumber ack = seg.ack;
    // RFC 5961 §5.2: acceptable iff SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT (our SND.MAX).
    if (!ack_acceptable(ack, m_snd_una, m_snd_max, m_max_snd_wnd)) {
        count(ctx, DropReason::BadAck);
        send_challenge_ack(ctx);
        return Verdict::Drop;
    }
    if (seq_gt(ack, m_snd_una)) {
        process_new_ack(seg, ctx);
    } else if (ack == m_snd_una) {
        // RFC 5681 §2 "duplicate ACK": no data, no SYN/FIN, same window, data outstanding.
        bool same_window = (u32(seg.window) << m_snd_wscale) == m_snd_wnd;
        bool pure = payload.is_empty() && !seg.flags.has(TcpFlags::fin);
        if (pure && same_window && flight() > 0
            && m_cc.on_duplicate_ack(m_snd_una, m_snd_max, flight()) == NewReno::AckAction::RetransmitFirst) {
            ++ctx.counters.fast_retransmits;
            retransmit_first(ctx);
        }
    }
    update_send_window(seg);
    return Verdict::Continue;
}

void Connection::process_new_ack(const TcpRepr& seg, Context& ctx)
{
    SeqNumber ack = seg.ack;
    u32 acked = ack.value - m_snd_una.value;
    u32 data_acked = lib::min(ack.value - m_send_base.value, m_send.size());
    m_send.discard(data_acked);
    m_send_base = m_send_base + data_acked;
    // RTT: the echoed timestamp (RFC 7323 §4.1) or the one timed segment (RFC 6298 §3, Karn).
    if (m_ts_enabled && seg.options.timestamps && seg.options.timestamps->tsecr != 0) {
        u32 elapsed_ms = timestamp_now(ctx.now) - seg.options.timestamps->tsecr;
        if (elapsed_ms <= ctx.config.rto_max.millis())
            m_rtt.sample(Duration::from_millis(elapsed_ms));
    } else if (m_rtt_timing && seq_gt(ack, m_rtt_seq)) {
        m_rtt_timing = false;
        m_rtt.sample(ctx.now - m_rtt_start);
    }
    m_snd_una = ack;
    if (seq_lt(m_snd_nxt, m_snd_una))
        m_snd_nxt = m_snd_una;
    m_retries = 0;
    if (m_cc.on_ack(ack, acked, flight()) == NewReno::AckAction::RetransmitFirst)
        retransmit_first(ctx);
    // RFC 6298 §5.2/5.3: stop the timer when all is acknowledged, restart it otherwise.
    restart_retransmit_timer(ctx);
}

void Connection::update_send_window(const TcpRepr& seg)
{
    // RFC 9293 §3.10.7.4 "fifth": take the window from the newest segment only.
    if (seq_lt(m_snd_wl1, seg.seq) || (m_snd_wl1 == seg.seq && seq_le(m_snd_wl2, seg.ack))) {
        m_snd_wnd = u32(seg.window) << m_snd_wscale;
        m_snd_wl1 = seg.seq;
        m_snd_wl2 = seg.ack;
        m_max_snd_wnd = lib::max(m_max_snd_wnd, m_snd_wnd);
    }
}

bool Connection::take_fin()
{
    if (!m_peer_fin_seen || m_peer_fin_received || m_rcv_nxt != m_peer_fin)
        return false;
    m_rcv_nxt = m_rcv_nxt + 1;
    m_peer_fin_received = true;
    return true;
}

bool Connection::store_text(SeqNumber seq, u32 offset, lib::ReadonlyBytes data, Context& ctx)
{
    bool immediate = false;
    u32 n = u32(data.size());
    m_largest_received = u16(lib::max<u32>(m_largest_received, lib::min<u32>(n, 0xffff)));
    if (offset == 0) {
        m_receive.write_at(0, data);
        m_receive.commit(n);
        m_rcv_nxt = m_rcv_nxt + n;
        m_unacked_bytes += n;
        if (!m_out_of_order.is_empty()) {
            // A hole filled: the islands that now touch RCV.NXT become readable, and the
            // sender hears about it at once (RFC 5681 §4.2).
            SeqNumber next = m_out_of_order.advance(m_rcv_nxt);
            m_receive.commit(next.value - m_rcv_nxt.value);
            m_rcv_nxt = next;
            immediate = true;
        }
    } else {
        if (m_out_of_order.insert(seq, seq + n))
            m_receive.write_at(offset, data);
        else
            count(ctx, DropReason::ReassemblyFull);
        immediate = true; // out of order: a duplicate ACK right away (RFC 5681 §4.2)
    }
    return immediate;
}

bool Connection::process_text(SeqNumber seq, lib::ReadonlyBytes data, bool fin, Context& ctx)
{
    if (data.is_empty() && !fin)
        return false;
    SeqNumber fin_seq = seq + u32(data.size());
    bool immediate = false;
    // Trim what we already have from the front (a retransmission overlapping old data).
    if (seq_lt(seq, m_rcv_nxt)) {
        u32 old = lib::min<u32>(m_rcv_nxt.value - seq.value, u32(data.size()));
        data = data.slice(old);
        seq = seq + old;
        immediate = true; // RFC 9293 §3.10.7.4: duplicates are ACKed so the sender learns
    }
    // Nothing may follow the peer's FIN.
    if (m_peer_fin_seen && !data.is_empty() && seq_gt(seq + u32(data.size()), m_peer_fin))
        data = data.slice(0, seq_lt(seq, m_peer_fin) ? m_peer_fin.value - seq.value : 0);
    if (!data.is_empty() && m_orphaned) {
        // RFC 1122 §4.2.2.13 / RFC 2525 §2.17: new data for a closed socket can never be read.
        send_rst(ctx);
        enter(State::Closed, ctx);
        return false;
    }
    // Trim to the space the receive ring really has (RCV.WND); a FIN beyond it is dropped too.
    u32 offset = seq_lt(seq, m_rcv_nxt) ? 0 : seq.value - m_rcv_nxt.value;
    u32 room = m_receive.free();
    if (!data.is_empty() && offset + data.size() > room) {
        data = data.slice(0, offset < room ? room - offset : 0);
        fin = false;
        immediate = true;
    }
    if (fin && !m_peer_fin_seen && seq_ge(fin_seq, m_rcv_nxt)) {
        m_peer_fin_seen = true;
        m_peer_fin = fin_seq;
    }
    if (!data.is_empty() && store_text(seq, offset, data, ctx))
        immediate = true;
    bool fin_now = take_fin();
    if (fin_now || immediate)
        send_ack(ctx);
    else if (!data.is_empty())
        schedule_ack(ctx);
    return fin_now;
}

// ---- One function per state ----

void Connection::on_segment_syn_sent(const TcpRepr& seg, lib::ReadonlyBytes payload, Context& ctx)
{
    bool has_ack = seg.flags.has(TcpFlags::ack);
    // First: an ACK that does not acknowledge our SYN is answered with a RST (unless a RST).
    if (has_ack && !syn_sent_ack_acceptable(seg.ack, m_iss, m_snd_max)) {
        count(ctx, DropReason::BadAck);
        if (!seg.flags.has(TcpFlags::rst))
            send_reset_to(seg, ctx);
        return;
    }
    // Second: a RST counts only with an acceptable ACK (RFC 5961 §3.2 for SYN-SENT).
    if (seg.flags.has(TcpFlags::rst)) {
        if (!has_ack) {
            count(ctx, DropReason::RstIgnored);
            return;
        }
        ++ctx.counters.resets_received;
        fail(TcpError::ConnectionRefused, ctx);
        return;
    }
    // Fourth: without SYN there is nothing to do.
    if (!seg.flags.has(TcpFlags::syn)) {
        count(ctx, DropReason::InvalidForState);
        return;
    }
    m_irs = seg.seq;
    m_rcv_nxt = seg.seq + 1;
    m_last_ack_sent = m_rcv_nxt;
    negotiate_options(seg.options, ctx);
    m_snd_wnd = m_max_snd_wnd = seg.window; // a SYN's window is not scaled (RFC 7323 §2.2)
    m_snd_wl1 = seg.seq;
    m_snd_wl2 = seg.ack;
    if (!has_ack) {
        // Simultaneous open (RFC 9293 §3.5, Figure 8): SYN,ACK with our original ISS.
        enter(State::SynReceived, ctx);
        m_retries = 0;
        send_syn(ctx);
        return;
    }
    process_new_ack(seg, ctx);
    enter(State::Established, ctx);
    process_text(seg.seq + 1, payload, seg.flags.has(TcpFlags::fin), ctx);
    if (m_peer_fin_received)
        enter(State::CloseWait, ctx);
    send_ack(ctx);
    transmit(ctx);
}

void Connection::on_segment_syn_received(const TcpRepr& seg, lib::ReadonlyBytes payload, Context& ctx)
{
    // A retransmitted SYN of this same attempt means our SYN,ACK was lost: send it again.
    if (seg.flags.has(TcpFlags::syn) && !seg.flags.has(TcpFlags::ack) && seg.seq == m_irs) {
        ++ctx.counters.retransmits;
        send_syn(ctx);
        return;
    }
    if (check_synchronized(seg, payload, ctx) == Verdict::Drop)
        return;
    // Fifth, SYN-RECEIVED: SND.UNA < SEG.ACK =< SND.NXT completes the handshake; any other ACK
    // gets <SEQ=SEG.ACK><CTL=RST>.
    if (!syn_received_ack_acceptable(seg.ack, m_snd_una, m_snd_max)) {
        count(ctx, DropReason::BadAck);
        send_reset_to(seg, ctx);
        return;
    }
    if (!ctx.accept_room) {
        count(ctx, DropReason::ListenOverflow);
        return;
    }
    process_new_ack(seg, ctx);
    m_snd_wnd = u32(seg.window) << m_snd_wscale;
    m_max_snd_wnd = lib::max(m_max_snd_wnd, m_snd_wnd);
    m_snd_wl1 = seg.seq;
    m_snd_wl2 = seg.ack;
    enter(State::Established, ctx);
    if (process_text(seg.seq, payload, seg.flags.has(TcpFlags::fin), ctx))
        enter(State::CloseWait, ctx);
    transmit(ctx);
}

void Connection::on_segment_established(const TcpRepr& seg, lib::ReadonlyBytes payload, Context& ctx)
{
    if (check_synchronized(seg, payload, ctx) == Verdict::Drop || process_ack(seg, payload, ctx) == Verdict::Drop)
        return;
    bool fin = process_text(seg.seq, payload, seg.flags.has(TcpFlags::fin), ctx);
    if (m_state == State::Closed)
        return;
    if (fin)
        enter(State::CloseWait, ctx);
    transmit(ctx);
}

void Connection::on_segment_fin_wait_1(const TcpRepr& seg, lib::ReadonlyBytes payload, Context& ctx)
{
    if (check_synchronized(seg, payload, ctx) == Verdict::Drop || process_ack(seg, payload, ctx) == Verdict::Drop)
        return;
    bool our_fin_acked = fin_acked();
    bool fin = process_text(seg.seq, payload, seg.flags.has(TcpFlags::fin), ctx);
    if (m_state == State::Closed)
        return;
    // Both FINs crossing is the simultaneous close of RFC 9293 §3.6, Figure 13 (CLOSING).
    if (fin)
        enter(our_fin_acked ? State::TimeWait : State::Closing, ctx);
    else if (our_fin_acked)
        enter(State::FinWait2, ctx);
    transmit(ctx);
}

void Connection::on_segment_fin_wait_2(const TcpRepr& seg, lib::ReadonlyBytes payload, Context& ctx)
{
    if (check_synchronized(seg, payload, ctx) == Verdict::Drop || process_ack(seg, payload, ctx) == Verdict::Drop)
        return;
    bool fin = process_text(seg.seq, payload, seg.flags.has(TcpFlags::fin), ctx);
    if (m_state == State::Closed)
        return;
    if (fin)
        enter(State::TimeWait, ctx);
}

void Connection::on_segment_close_wait(const TcpRepr& seg, lib::ReadonlyBytes payload, Context& ctx)
{
    // The peer has sent its FIN: any text now is ignored (RFC 9293 §3.10.7.4 "seventh").
    if (check_synchronized(seg, payload, ctx) == Verdict::Drop || process_ack(seg, payload, ctx) == Verdict::Drop)
        return;
    transmit(ctx);
}

void Connection::on_segment_closing(const TcpRepr& seg, lib::ReadonlyBytes payload, Context& ctx)
{
    if (check_synchronized(seg, payload, ctx) == Verdict::Drop || process_ack(seg, payload, ctx) == Verdict::Drop)
        return;
    if (fin_acked())
        enter(State::TimeWait, ctx);
    else
        transmit(ctx);
}

void Connection::on_segment_last_ack(const TcpRepr& seg, lib::ReadonlyBytes payload, Context& ctx)
{
    if (check_synchronized(seg, payload, ctx) == Verdict::Drop || process_ack(seg, payload, ctx) == Verdict::Drop)
        return;
    if (fin_acked())
        enter(State::Closed, ctx);
    else
        transmit(ctx);
}

void Connection::on_segment_time_wait(const TcpRepr& seg, lib::ReadonlyBytes, Context& ctx)
{
    // RFC 1337: a RST must not cut TIME-WAIT short (TIME-WAIT assassination), so it is ignored.
    if (seg.flags.has(TcpFlags::rst)) {
        count(ctx, DropReason::RstIgnored);
        return;
    }
    // A SYN the stack did not accept as a new incarnation: challenge ACK (RFC 5961 §4).
    if (seg.flags.has(TcpFlags::syn)) {
        count(ctx, DropReason::SynIgnored);
        send_challenge_ack(ctx);
        return;
    }
    // A retransmitted FIN means our last ACK was lost: ACK it and restart 2*MSL (§3.10.7.4).
    if (seg.flags.has(TcpFlags::fin)) {
        send_ack(ctx);
        m_state_deadline = ctx.now + ctx.config.time_wait;
        return;
    }
    count(ctx, DropReason::InvalidForState);
}

} // namespace net::tcp

// The LISTEN state (RFC 9293 §3.10.7.2), the bounded SYN backlog, SYN cookies when it is full
// (RFC 4987 §3.6), and the RST for segments that match nothing (§3.10.7.1).
#include "net/tcp/stack.h"

namespace net::tcp {

using wire::TcpFlags;
using wire::TcpRepr;

namespace {
void count(Counters& c, DropReason r) { ++c.drops[static_cast<u8>(r)]; }
}

void Stack::send_reset_for(const FourTuple& tuple, const TcpRepr& seg, usize payload_len, Context& ctx)
{
    // If the segment has an ACK: <SEQ=SEG.ACK><CTL=RST>; otherwise
    // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, SEG.LEN counting SYN and FIN.
    TcpRepr rst;
    rst.src_port = tuple.local.port;
    rst.dst_port = tuple.remote.port;
    if (seg.flags.has(TcpFlags::ack)) {
        rst.seq = seg.ack;
        rst.flags = { TcpFlags::rst };
    } else {
        u32 length = u32(payload_len) + (seg.flags.has(TcpFlags::syn) ? 1 : 0) + (seg.flags.has(TcpFlags::fin) ? 1 : 0);
        rst.ack = seg.seq + length;
        rst.flags = { u8(TcpFlags::rst | TcpFlags::ack) };
    }
    ++m_counters.segments_sent;
    ++m_counters.resets_sent;
    ctx.sink.send(tuple, rst, {});
}

void Stack::on_segment_listen(u32 index, const FourTuple& tuple, const TcpRepr& seg, lib::ReadonlyBytes payload, Context& ctx)
{
    Listener& l = m_listeners[index];
    // First: a RST to a listener is ignored.
    if (seg.flags.has(TcpFlags::rst)) {
        count(m_counters, DropReason::NoSocket);
        return;
    }
    // Second: an ACK is either the last leg of a SYN-cookie handshake or gets a RST.
    if (seg.flags.has(TcpFlags::ack)) {
        bool cookie_window = l.cookies_sent && ctx.now - l.last_cookie <= SequenceSecrets::cookie_period * 2;
        if (cookie_window && !seg.flags.has(TcpFlags::syn)) {
            accept_syn_cookie(index, tuple, seg, payload, ctx);
            return;
        }
        count(m_counters, DropReason::NoSocket);
        send_reset_for(tuple, seg, payload.size(), ctx);
        return;
    }
    // Third: a SYN. (Data on a SYN is not queued; the peer sends it again once established.)
    if (!seg.flags.has(TcpFlags::syn)) {
        count(m_counters, DropReason::InvalidForState);
        return;
    }
    if (l.accept_count >= l.backlog) {
        count(m_counters, DropReason::ListenOverflow);
        return;
    }
    // A full SYN backlog (or pool) answers statelessly, so a SYN flood costs no memory.
    if (l.syn_count >= m_config.syn_backlog || m_free_count == 0) {
        send_syn_cookie(l, tuple, seg, ctx);
        return;
    }
    auto slot = allocate_slot(ctx);
    if (!slot) {
        count(m_counters, DropReason::NoMemory);
        return;
    }
    Slot& s = m_slots[*slot];
    s.listener = index;
    s.queue = Queue::Syn;
    ++l.syn_count;
    s.connection.open_passive(tuple, seg, ctx);
    hash_insert(*slot);
    settle(*slot, ctx);
}

void Stack::send_syn_cookie(Listener& l, const FourTuple& tuple, const TcpRepr& syn, Context& ctx)
{
    // Only MSS survives in the cookie: no window scale, SACK-permitted or timestamps are
    // offered, so the peer will not use them (RFC 7323 §2.2, §3.2).
    TcpRepr reply;
    reply.src_port = tuple.local.port;
    reply.dst_port = tuple.remote.port;
    reply.seq = m_secrets.make_cookie(tuple, syn.seq, syn.options.mss.value_or(536), ctx.now);
    reply.ack = syn.seq + 1;
    reply.flags = { u8(TcpFlags::syn | TcpFlags::ack) };
    reply.window = u16(lib::min<u32>(m_config.receive_buffer, 0xffff));
    reply.options.mss = m_config.mss;
    l.cookies_sent = true;
    l.last_cookie = ctx.now;
    ++m_counters.syn_cookies_sent;
    ++m_counters.segments_sent;
    ctx.sink.send(tuple, reply, {});
}

void Stack::accept_syn_cookie(u32 index, const FourTuple& tuple, const TcpRepr& seg, lib::ReadonlyBytes payload, Context& ctx)
{
    Listener& l = m_listeners[index];
    auto mss = m_secrets.check_cookie(tuple, seg.seq - 1, seg.ack - 1, ctx.now);
    if (!mss) {
        count(m_counters, DropReason::BadSynCookie);
        send_reset_for(tuple, seg, payload.size(), ctx);
        return;
    }
    if (l.accept_count >= l.backlog) {
        count(m_counters, DropReason::ListenOverflow);
        return;
    }
    auto slot = allocate_slot(ctx);
    if (!slot) {
        count(m_counters, DropReason::NoMemory);
        return;
    }
    ++m_counters.syn_cookies_accepted;
    Slot& s = m_slots[*slot];
    s.listener = index;
    s.queue = Queue::Accept;
    s.accept_order = m_accept_counter++;
    ++l.accept_count;
    s.connection.open_from_cookie(tuple, seg, *mss, ctx);
    hash_insert(*slot);
    // The ACK may carry data (or a FIN): process it as ESTABLISHED would.
    s.connection.on_segment(seg, payload, ctx);
    settle(*slot, ctx);
}

} // namespace net::tcp

// Connection: the user calls of RFC 9293 §3.10.2-6 (SEND, RECEIVE, CLOSE, ABORT, STATUS) and
// the options the socket layer sets (TCP_NODELAY lives in the header, keep-alive here).
#include "net/tcp/connection.h"

#include "lib/utility.h"

namespace net::tcp {

void Connection::set_keepalive(bool on, Instant now, const Config& config)
{
    m_keepalive = on;
    m_keepalive_sent = 0;
    bool active = m_state == State::Established || m_state == State::CloseWait;
    m_keepalive_deadline = on && active ? now + config.keepalive_idle : Instant::never();
}

lib::Result<usize, TcpError> Connection::send(lib::ReadonlyBytes data, Context& ctx)
{
    if (m_error_set)
        return m_error;
    if (m_state == State::SynSent || m_state == State::SynReceived)
        return TcpError::WouldBlock;
    if ((m_state != State::Established && m_state != State::CloseWait) || m_fin_queued)
        return TcpError::Shutdown;
    u32 written = m_send.write(data);
    if (written == 0 && !data.is_empty())
        return TcpError::WouldBlock;
    transmit(ctx);
    return usize(written);
}

lib::Result<usize, TcpError> Connection::receive(lib::Bytes out)
{
    u32 n = m_receive.read(out);
    if (n > 0) {
        note_window_opened();
        return usize(n);
    }
    if (m_peer_fin_received)
        return usize(0);
    if (m_error_set)
        return m_error;
    if (m_state == State::Closed)
        return TcpError::NotConnected;
    return TcpError::WouldBlock;
}

void Connection::note_window_opened()
{
    // Receiver SWS avoidance (RFC 9293 §3.8.6.2.2): announce a reopened window only once it has
    // grown by min(half the buffer, one MSS) since the last advertisement.
    if (m_state != State::Established && m_state != State::FinWait1 && m_state != State::FinWait2)
        return;
    u32 threshold = lib::min(m_receive.capacity() / 2, u32(m_largest_received));
    if (m_receive.free() >= m_last_advertised + threshold)
        m_window_update_due = true;
}

lib::Result<void, TcpError> Connection::shutdown_write(Context& ctx)
{
    switch (m_state) {
    case State::Established:
        m_fin_queued = true;
        enter(State::FinWait1, ctx);
        break;
    case State::CloseWait:
        m_fin_queued = true;
        enter(State::LastAck, ctx);
        break;
    case State::SynSent:
    case State::SynReceived:
    case State::Closed:
        return TcpError::NotConnected;
    default:
        return {}; // already shut down
    }
    transmit(ctx);
    return {};
}

lib::Result<void, TcpError> Connection::close(Context& ctx)
{
    m_orphaned = true;
    bool unread = m_receive.size() > 0;
    switch (m_state) {
    case State::SynSent:
        enter(State::Closed, ctx);
        return {};
    case State::SynReceived:
        abort(ctx);
        return {};
    case State::Established:
    case State::CloseWait:
        if (unread) {
            abort(ctx);
            return {};
        }
        return shutdown_write(ctx);
    case State::FinWait2:
        m_state_deadline = ctx.now + ctx.config.time_wait;
        return {};
    default:
        return {};
    }
}

void Connection::abort(Context& ctx)
{
    m_orphaned = true;
    // RFC 9293 §3.10.5: synchronized states send <SEQ=SND.NXT><CTL=RST>.
    if (m_state != State::Closed && m_state != State::SynSent && m_state != State::TimeWait)
        send_rst(ctx);
    enter(State::Closed, ctx);
}

Readiness Connection::readiness() const
{
    Readiness r;
    r.error = m_error_set;
    r.readable = m_receive.size() > 0 || m_peer_fin_received || m_error_set;
    bool open = m_state == State::Established || m_state == State::CloseWait;
    r.writable = (open && !m_fin_queued && m_send.free() > 0) || m_error_set;
    r.hung_up = m_state == State::Closed || (m_peer_fin_received && m_fin_queued);
    return r;
}

SequenceSnapshot Connection::snapshot() const
{
    return { m_iss, m_snd_una, m_snd_nxt, m_snd_max, m_irs, m_rcv_nxt, m_snd_wnd, m_cc.cwnd(), m_cc.ssthresh(),
        m_rtt.rto().micros };
}

} // namespace net::tcp

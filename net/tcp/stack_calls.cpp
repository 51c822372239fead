// Stack: the socket-facing calls (RFC 9293 §3.10.1-6 OPEN, SEND, RECEIVE, CLOSE, ABORT, STATUS),
// non-blocking, with handles checked against slot generations.
#include "net/tcp/stack.h"

namespace net::tcp {

lib::Optional<u32> Stack::find_listener(Endpoint local) const
{
    // An exact address match wins over a wildcard (0.0.0.0) listener on the same port.
    u32 wildcard = none;
    for (u32 i = 0; i < m_config.max_listeners; ++i) {
        const Listener& l = m_listeners[i];
        if (!l.in_use || l.local.port != local.port)
            continue;
        if (l.local.address == local.address)
            return i;
        if (l.local.address.is_unspecified())
            wildcard = i;
    }
    if (wildcard != none)
        return wildcard;
    return lib::nullopt;
}

lib::Result<ListenerId, TcpError> Stack::listen(Endpoint local, u32 backlog)
{
    if (local.port == 0)
        return TcpError::InvalidArgument;
    u32 free_index = none;
    for (u32 i = 0; i < m_config.max_listeners; ++i) {
        const Listener& l = m_listeners[i];
        if (!l.in_use) {
            if (free_index == none)
                free_index = i;
            continue;
        }
        bool overlap = l.local.address == local.address || l.local.address.is_unspecified() || local.address.is_unspecified();
        if (l.local.port == local.port && overlap)
            return TcpError::AddressInUse;
    }
    if (free_index == none)
        return TcpError::NoBufferSpace;
    Listener& l = m_listeners[free_index];
    u32 generation = l.generation;
    l = Listener {};
    l.in_use = true;
    l.generation = generation;
    l.local = local;
    l.backlog = lib::min(lib::max(backlog, 1u), m_config.max_accept_backlog);
    return ListenerId { free_index, generation };
}

lib::Result<ConnectionId, TcpError> Stack::accept(ListenerId id)
{
    if (!listener_for(id))
        return TcpError::BadHandle;
    // FIXME: an intrusive FIFO would avoid the scan; accept() is O(max_connections).
    u32 best = none;
    for (u32 i = 0; i < m_config.max_connections; ++i) {
        const Slot& s = m_slots[i];
        if (s.in_use && s.queue == Queue::Accept && s.listener == id.index
            && (best == none || s.accept_order < m_slots[best].accept_order))
            best = i;
    }
    if (best == none)
        return TcpError::WouldBlock;
    Slot& s = m_slots[best];
    --m_listeners[id.index].accept_count;
    s.queue = Queue::None;
    s.listener = none;
    s.app_owned = true;
    return ConnectionId { best, s.generation };
}

bool Stack::pick_ephemeral_port(Endpoint& local, Endpoint remote) const
{
    // RFC 6056 would randomize; sequential search from a moving start is enough here because
    // the ISN, not the port, is what protects against off-path guessing (RFC 6528).
    for (u32 tries = 0; tries < 16384; ++tries) {
        u16 port = m_next_ephemeral;
        m_next_ephemeral = m_next_ephemeral == 65535 ? 49152 : u16(m_next_ephemeral + 1);
        local.port = port;
        if (!lookup(FourTuple { local, remote }))
            return true;
    }
    return false;
}

lib::Result<ConnectionId, TcpError> Stack::connect(Endpoint local, Endpoint remote, Instant now, SegmentSink& sink)
{
    if (remote.port == 0 || remote.address.is_unspecified())
        return TcpError::InvalidArgument;
    if (local.port == 0 && !pick_ephemeral_port(local, remote))
        return TcpError::AddressInUse;
    FourTuple tuple { local, remote };
    if (lookup(tuple))
        return TcpError::AddressInUse;
    Context ctx = context(now, sink);
    auto index = allocate_slot(ctx);
    if (!index)
        return TcpError::NoBufferSpace;
    Slot& s = m_slots[*index];
    s.app_owned = true;
    s.connection.open_active(tuple, ctx);
    hash_insert(*index);
    return ConnectionId { *index, s.generation };
}

lib::Result<usize, TcpError> Stack::send(ConnectionId id, lib::ReadonlyBytes data, Instant now, SegmentSink& sink)
{
    Slot* s = slot_for(id);
    if (!s)
        return TcpError::BadHandle;
    Context ctx = context(now, sink);
    auto result = s->connection.send(data, ctx);
    settle(id.index, ctx);
    return result;
}

lib::Result<usize, TcpError> Stack::receive(ConnectionId id, lib::Bytes out)
{
    Slot* s = slot_for(id);
    if (!s)
        return TcpError::BadHandle;
    return s->connection.receive(out);
}

lib::Result<void, TcpError> Stack::shutdown_write(ConnectionId id, Instant now, SegmentSink& sink)
{
    Slot* s = slot_for(id);
    if (!s)
        return TcpError::BadHandle;
    Context ctx = context(now, sink);
    auto result = s->connection.shutdown_write(ctx);
    settle(id.index, ctx);
    return result;
}

lib::Result<void, TcpError> Stack::close(ConnectionId id, Instant now, SegmentSink& sink)
{
    Slot* s = slot_for(id);
    if (!s)
        return TcpError::BadHandle;
    Context ctx = context(now, sink);
    // Whatever close() reports, the handle is gone: the stack now owns the connection.
    (void)s->connection.close(ctx);
    s->app_owned = false;
    settle(id.index, ctx);
    return {};
}

lib::Result<void, TcpError> Stack::abort(ConnectionId id, Instant now, SegmentSink& sink)
{
    Slot* s = slot_for(id);
    if (!s)
        return TcpError::BadHandle;
    Context ctx = context(now, sink);
    s->connection.abort(ctx);
    s->app_owned = false;
    settle(id.index, ctx);
    return {};
}

lib::Result<void, TcpError> Stack::close_listener(ListenerId id, Instant now, SegmentSink& sink)
{
    Listener* l = listener_for(id);
    if (!l)
        return TcpError::BadHandle;
    Context ctx = context(now, sink);
    for (u32 i = 0; i < m_config.max_connections; ++i) {
        Slot& s = m_slots[i];
        if (!s.in_use || s.listener != id.index || s.queue == Queue::None)
            continue;
        // Not yet accepted: nobody will ever read them (RFC 9293 §3.10.4 on LISTEN close).
        s.connection.abort(ctx);
        settle(i, ctx);
    }
    l->in_use = false;
    ++l->generation;
    return {};
}

Readiness Stack::readiness(ConnectionId id) const
{
    const Slot* s = slot_for(id);
    if (!s)
        return Readiness { false, false, true, true, false };
    return s->connection.readiness();
}

Readiness Stack::readiness(ListenerId id) const
{
    const Listener* l = const_cast<Stack*>(this)->listener_for(id);
    Readiness r;
    if (!l) {
        r.error = r.hung_up = true;
        return r;
    }
    r.acceptable = r.readable = l->accept_count > 0;
    return r;
}

lib::Result<void, TcpError> Stack::set_nodelay(ConnectionId id, bool on)
{
    Slot* s = slot_for(id);
    if (!s)
        return TcpError::BadHandle;
    s->connection.set_nodelay(on);
    return {};
}

lib::Result<void, TcpError> Stack::set_keepalive(ConnectionId id, bool on, Instant now)
{
    Slot* s = slot_for(id);
    if (!s)
        return TcpError::BadHandle;
    s->connection.set_keepalive(on, now, m_config);
    return {};
}

State Stack::state(ConnectionId id) const
{
    const Slot* s = slot_for(id);
    return s ? s->connection.state() : State::Closed;
}

lib::Result<SequenceSnapshot, TcpError> Stack::snapshot(ConnectionId id) const
{
    const Slot* s = slot_for(id);
    if (!s)
        return TcpError::BadHandle;
    return s->connection.snapshot();
}

} // namespace net::tcp

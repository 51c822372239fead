// Stream sockets over net/tcp: listen/accept (with the accept queue kept here), non-blocking
// connect, send/receive and shutdown, with the errno Linux's inet_stream_connect(),
// tcp_sendmsg(), tcp_recvmsg() and inet_shutdown() return in the same situation.
#include "net/socket/sockets.h"

namespace net::socket {

namespace {

SocketError from_tcp(tcp::TcpError error)
{
    switch (error) {
    case tcp::TcpError::WouldBlock: return SocketError::WouldBlock;
    case tcp::TcpError::ConnectionRefused: return SocketError::ConnectionRefused;
    case tcp::TcpError::ConnectionReset: return SocketError::ConnectionReset;
    case tcp::TcpError::NotConnected: return SocketError::NotConnected;
    case tcp::TcpError::AddressInUse: return SocketError::AddressInUse;
    case tcp::TcpError::NoBufferSpace: return SocketError::NoBufferSpace;
    case tcp::TcpError::InvalidState: return SocketError::InvalidArgument;
    case tcp::TcpError::TimedOut: return SocketError::TimedOut;
    case tcp::TcpError::BadHandle: return SocketError::BadDescriptor;
    case tcp::TcpError::InvalidArgument: return SocketError::InvalidArgument;
    case tcp::TcpError::Shutdown: return SocketError::BrokenPipe;
    }
    return SocketError::InvalidArgument;
}

// Errors a connection keeps once it failed (SO_ERROR material).
bool is_connection_error(tcp::TcpError error)
{
    return error == tcp::TcpError::ConnectionRefused || error == tcp::TcpError::ConnectionReset
        || error == tcp::TcpError::TimedOut;
}

} // namespace

// ---- Connection state as the socket sees it ----

bool Sockets::handshake_running(const Entry& e) const
{
    tcp::State s = m_stack.state(e.connection);
    return e.phase == Phase::Connecting && (s == tcp::State::SynSent || s == tcp::State::SynReceived);
}

bool Sockets::connection_failed(const Entry& e) const
{
    return e.phase == Phase::Connecting && m_stack.state(e.connection) == tcp::State::Closed;
}

void Sockets::refresh(Entry& e)
{
    if (e.phase == Phase::Connecting && !handshake_running(e) && !connection_failed(e))
        e.phase = Phase::Connected;
}

lib::Optional<SocketError> Sockets::take_connection_error(Entry& e)
{
    if (e.error_reported || !m_stack.readiness(e.connection).error)
        return lib::nullopt;
    // A failed connection answers every send() with its error before touching anything else, so
    // an empty send reads the error without side effects.
    auto probe = m_stack.send(e.connection, {}, m_now, m_glue);
    if (probe.is_ok())
        return lib::nullopt;
    e.error_reported = true;
    return from_tcp(probe.error());
}

// ---- Inbound segments and the accept queue ----

void Sockets::on_tcp_segment(const tcp::FourTuple& tuple, const wire::TcpRepr& segment, lib::ReadonlyBytes payload,
    Instant now)
{
    m_now = now;
    m_stack.on_segment(tuple, segment, payload, now, m_glue);
    if (auto index = hash_find(tuple)) {
        touch(m_entries[*index], true);
        return;
    }
    drain_listeners(tuple);
}

// The TCP stack does not say which four-tuple an accepted connection has, so connections are taken
// off its accept queue as soon as they arrive there. A connection joins that queue only while the
// stack handles a segment of its own tuple (the handshake's last ACK, or a SYN-cookie ACK), and
// the queue is drained after every such segment, so what accept() returns here is always the
// connection of `tuple`.
// FIXME: with a tcp::Stack::tuple(ConnectionId) accessor, accept() could stay lazy.
void Sockets::drain_listeners(const tcp::FourTuple& tuple)
{
    for (u32 i = 0; i < m_config.max_sockets; ++i) {
        Entry& e = m_entries[i];
        if (!e.in_use || e.type != SocketType::Stream || e.phase != Phase::Listening || e.local.port != tuple.local.port)
            continue;
        if (!m_stack.readiness(e.listener).acceptable)
            continue;
        auto accepted = m_stack.accept(e.listener);
        if (accepted.is_ok())
            enqueue_pending(e, accepted.value(), tuple);
        // Never more than one (see above); anything else would have an unknown tuple.
        while (m_stack.readiness(e.listener).acceptable) {
            auto extra = m_stack.accept(e.listener);
            if (extra.is_error())
                break;
            ++m_counters.accept_overflows;
            (void)m_stack.abort(extra.value(), m_now, m_glue);
        }
    }
}

void Sockets::enqueue_pending(Entry& l, tcp::ConnectionId connection, const tcp::FourTuple& tuple)
{
    // sk_acceptq_is_full(): a listen(fd, n) queue holds n + 1 connections. Linux drops the final
    // ACK instead (tcp_abort_on_overflow=0); the connection is already established here, so it is
    // reset (tcp_abort_on_overflow=1 behaviour).
    if (l.queue_count > l.backlog || m_pending_free == none) {
        ++m_counters.accept_overflows;
        (void)m_stack.abort(connection, m_now, m_glue);
        return;
    }
    u32 p = m_pending_free;
    m_pending_free = m_pending[p].next;
    ++m_pending_in_use;
    m_pending[p].connection = connection;
    m_pending[p].local = tuple.local;
    m_pending[p].peer = tuple.remote;
    m_pending[p].next = none;
    if (l.queue_tail == none)
        l.queue_head = p;
    else
        m_pending[l.queue_tail].next = p;
    l.queue_tail = p;
    ++l.queue_count;
    // Accepted sockets inherit the listener's options, as on Linux.
    (void)m_stack.set_nodelay(connection, l.nodelay);
    if (l.keepalive)
        (void)m_stack.set_keepalive(connection, true, m_now);
    touch(l, true);
}

void Sockets::reset_pending(Entry& l)
{
    while (l.queue_head != none) {
        u32 p = l.queue_head;
        l.queue_head = m_pending[p].next;
        (void)m_stack.abort(m_pending[p].connection, m_now, m_glue);
        m_pending[p].next = m_pending_free;
        m_pending_free = p;
        --m_pending_in_use;
    }
    l.queue_tail = none;
    l.queue_count = 0;
}

void Sockets::stop_listening(Entry& e)
{
    (void)m_stack.close_listener(e.listener, m_now, m_glue);
    reset_pending(e);
    e.phase = Phase::Idle;
}

void Sockets::release_connection(Entry& e)
{
    hash_remove(e);
    (void)m_stack.close(e.connection, m_now, m_glue);
    e.phase = Phase::Idle;
}

lib::Result<void, SocketError> Sockets::listen(SocketId id, u32 backlog)
{
    Entry* e = TRY(checked(id));
    if (e->type != SocketType::Stream)
        return SocketError::OperationNotSupported;
    if (e->phase == Phase::Connecting || e->phase == Phase::Connected)
        return SocketError::InvalidArgument;
    u32 clamped = lib::min(backlog, m_config.max_backlog);
    if (e->phase == Phase::Listening) {
        e->backlog = clamped;
        return {};
    }
    bool autobind = !e->bound;
    if (autobind) {
        auto port = pick_ephemeral(*e, wire::Ipv4Address::any());
        if (!port)
            return SocketError::AddressInUse;
        e->local = e->bound_to = Endpoint { wire::Ipv4Address::any(), *port };
    } else if (port_conflicts(*e, e->local, e->reuse_address)) {
        // Another ReuseAddress socket may share a bound port, but not a listening one.
        return SocketError::AddressInUse;
    }
    auto listener = m_stack.listen(e->local, m_stack.config().max_accept_backlog);
    if (listener.is_error()) {
        if (autobind)
            e->local = e->bound_to = Endpoint {};
        return from_tcp(listener.error());
    }
    e->bound = true;
    e->listener = listener.value();
    e->backlog = clamped;
    e->phase = Phase::Listening;
    touch(*e, false);
    return {};
}

lib::Result<Accepted, SocketError> Sockets::accept(SocketId id)
{
    Entry* l = TRY(checked(id));
    if (l->type != SocketType::Stream)
        return SocketError::OperationNotSupported;
    if (l->phase != Phase::Listening)
        return SocketError::InvalidArgument;
    if (l->queue_count == 0)
        return SocketError::WouldBlock;
    SocketId new_id = TRY(allocate(SocketType::Stream));
    u32 p = l->queue_head;
    l->queue_head = m_pending[p].next;
    if (l->queue_head == none)
        l->queue_tail = none;
    --l->queue_count;
    Pending pending = m_pending[p];
    m_pending[p].next = m_pending_free;
    m_pending_free = p;
    --m_pending_in_use;

    Entry& e = m_entries[new_id.index];
    e.phase = Phase::Connected;
    e.connection = pending.connection;
    e.local = e.bound_to = pending.local;
    e.peer = pending.peer;
    e.bound = true;
    e.nodelay = l->nodelay;
    e.keepalive = l->keepalive;
    e.reuse_address = l->reuse_address;
    hash_insert(e);
    settle_events(e);
    touch(*l, false);
    return Accepted { new_id, pending.peer };
}

// ---- connect ----

lib::Result<void, SocketError> Sockets::connect(SocketId id, Endpoint remote, Instant now)
{
    m_now = now;
    Entry* e = TRY(checked(id));
    // FIXME: connected datagram sockets (a default destination and a source filter).
    if (e->type != SocketType::Stream)
        return SocketError::OperationNotSupported;
    switch (e->phase) {
    case Phase::Listening:
    case Phase::Connected:
        return SocketError::AlreadyConnected;
    case Phase::Connecting:
        return connect_again(*e);
    case Phase::Idle:
        break;
    }
    if (remote.port == 0 || remote.address.is_unspecified())
        return SocketError::InvalidArgument;
    Endpoint local = e->bound ? e->local : Endpoint {};
    if (local.address.is_unspecified()) {
        if (!m_iface.ipv4().is_configured())
            return SocketError::NetworkUnreachable;
        local.address = m_iface.ipv4().address;
    }
    tcp::ConnectionId connection;
    tcp::TcpError error = tcp::TcpError::AddressInUse;
    auto attempt = [&] {
        auto result = m_stack.connect(local, remote, now, m_glue);
        if (result.is_ok())
            connection = result.value();
        else
            error = result.error();
        return result.is_ok();
    };
    bool connected = false;
    if (e->bound) {
        connected = attempt();
    } else {
        // Autobind: ephemeral ports no socket holds, skipping ones whose tuple the stack still has.
        for (u32 tries = 0; tries < 64 && !connected && error == tcp::TcpError::AddressInUse; ++tries) {
            auto port = pick_ephemeral(*e, local.address);
            if (!port)
                return SocketError::AddressNotAvailable;
            local.port = *port;
            connected = attempt();
        }
    }
    if (!connected) {
        // The four-tuple is taken (e.g. by a connection in TIME-WAIT): Linux says EADDRNOTAVAIL.
        return error == tcp::TcpError::AddressInUse ? SocketError::AddressNotAvailable : from_tcp(error);
    }
    e->connection = connection;
    e->local = local;
    e->bound = true;
    e->peer = remote;
    e->phase = Phase::Connecting;
    e->error_reported = e->shut_read = e->shut_write = false;
    (void)m_stack.set_nodelay(e->connection, e->nodelay);
    if (e->keepalive)
        (void)m_stack.set_keepalive(e->connection, true, now);
    hash_insert(*e);
    touch(*e, false);
    return SocketError::InProgress;
}

// inet_stream_connect() on a socket whose connect is under way or over.
lib::Result<void, SocketError> Sockets::connect_again(Entry& e)
{
    if (handshake_running(e))
        return SocketError::AlreadyInProgress;
    refresh(e);
    if (e.phase == Phase::Connected)
        return {};
    // Failed: report why (or that it was already reported) and become unconnected again.
    SocketError error = take_connection_error(e).value_or(SocketError::ConnectionAborted);
    release_connection(e);
    e.bound = e.bound_by_user;
    e.local = e.bound_by_user ? e.bound_to : Endpoint {};
    e.error_reported = e.shut_read = e.shut_write = false;
    touch(e, false);
    return error;
}

// ---- send / receive ----

lib::Result<usize, SocketError> Sockets::send(SocketId id, lib::ReadonlyBytes data, Instant now)
{
    m_now = now;
    Entry* e = TRY(checked(id));
    if (e->type == SocketType::Datagram)
        return SocketError::DestinationAddressRequired;
    return stream_send(*e, data);
}

lib::Result<usize, SocketError> Sockets::stream_send(Entry& e, lib::ReadonlyBytes data)
{
    // sk_stream_wait_connect(): never connected (or listening) is EPIPE; connecting is EAGAIN.
    if (e.phase == Phase::Idle || e.phase == Phase::Listening)
        return SocketError::BrokenPipe;
    if (handshake_running(e))
        return SocketError::WouldBlock;
    refresh(e);
    if (auto error = take_connection_error(e))
        return *error;
    if (e.shut_write)
        return SocketError::BrokenPipe;
    auto sent = m_stack.send(e.connection, data, m_now, m_glue);
    if (sent.is_error()) {
        if (is_connection_error(sent.error()))
            return e.error_reported ? SocketError::BrokenPipe : (e.error_reported = true, from_tcp(sent.error()));
        return from_tcp(sent.error());
    }
    settle_events(e);
    return sent.value();
}

lib::Result<usize, SocketError> Sockets::receive(SocketId id, lib::Bytes buffer)
{
    Entry* e = TRY(checked(id));
    if (e->type == SocketType::Datagram) {
        auto datagram = TRY(datagram_receive(*e, buffer));
        return datagram.copied;
    }
    return stream_receive(*e, buffer);
}

lib::Result<usize, SocketError> Sockets::stream_receive(Entry& e, lib::Bytes buffer)
{
    if (e.phase == Phase::Idle)
        return e.shut_read ? lib::Result<usize, SocketError>(usize(0)) : SocketError::NotConnected;
    if (e.phase == Phase::Listening)
        return SocketError::NotConnected;
    if (handshake_running(e))
        return SocketError::WouldBlock;
    refresh(e);
    auto received = m_stack.receive(e.connection, buffer);
    if (received.is_ok()) {
        settle_events(e);
        return received.value();
    }
    tcp::TcpError error = received.error();
    if (error == tcp::TcpError::WouldBlock)
        return e.shut_read ? lib::Result<usize, SocketError>(usize(0)) : SocketError::WouldBlock;
    if (is_connection_error(error) && !e.error_reported) {
        e.error_reported = true;
        settle_events(e);
        return from_tcp(error);
    }
    // A reported failure, or a connection closed without one: end of stream.
    return usize(0);
}

lib::Result<usize, SocketError> Sockets::send_to(SocketId id, lib::ReadonlyBytes data, Endpoint to, Instant now)
{
    m_now = now;
    Entry* e = TRY(checked(id));
    if (e->type == SocketType::Datagram)
        return datagram_send_to(*e, data, to, now);
    return stream_send(*e, data);
}

lib::Result<Datagram, SocketError> Sockets::receive_from(SocketId id, lib::Bytes buffer)
{
    Entry* e = TRY(checked(id));
    if (e->type == SocketType::Datagram)
        return datagram_receive(*e, buffer);
    usize n = TRY(stream_receive(*e, buffer));
    return Datagram { n, n, e->peer };
}

// ---- shutdown ----

lib::Result<void, SocketError> Sockets::shutdown(SocketId id, ShutdownHow how, Instant now)
{
    m_now = now;
    Entry* e = TRY(checked(id));
    auto result = e->type == SocketType::Stream ? stream_shutdown(*e, how) : lib::Result<void, SocketError>(SocketError::NotConnected);
    if (e->type == SocketType::Datagram) {
        // FIXME: no connected datagram sockets yet, so this is always Linux's unconnected case:
        // ENOTCONN, with the flags recorded anyway.
        e->shut_read |= how != ShutdownHow::Write;
        e->shut_write |= how != ShutdownHow::Read;
    }
    touch(*e, false);
    return result;
}

lib::Result<void, SocketError> Sockets::stream_shutdown(Entry& e, ShutdownHow how)
{
    bool read = how != ShutdownHow::Write;
    bool write = how != ShutdownHow::Read;
    switch (e.phase) {
    case Phase::Idle:
        e.shut_read |= read;
        e.shut_write |= write;
        return SocketError::NotConnected;
    case Phase::Listening:
        // inet_shutdown(): SHUT_RD on a listener stops it listening; SHUT_WR does nothing.
        if (read)
            stop_listening(e);
        return {};
    case Phase::Connecting:
    case Phase::Connected:
        break;
    }
    if (handshake_running(e)) {
        // SYN-SENT: the connection attempt is dropped and the socket is unconnected again.
        release_connection(e);
        e.bound = e.bound_by_user;
        e.local = e.bound_by_user ? e.bound_to : Endpoint {};
        return {};
    }
    refresh(e);
    bool closed = m_stack.state(e.connection) == tcp::State::Closed;
    e.shut_read |= read;
    if (write && !e.shut_write && !closed)
        (void)m_stack.shutdown_write(e.connection, m_now, m_glue);
    e.shut_write |= write;
    if (closed)
        return SocketError::NotConnected;
    return {};
}

} // namespace net::socket

// The socket layer's table, glue to the interface and the TCP stack, readiness (Linux's tcp_poll()
// and datagram_poll() bit for bit), change notification, binding, options and addresses.
#include "net/socket/sockets.h"

namespace net::socket {

Sockets::Sockets(const SocketsConfig& config, iface::Interface& interface, tcp::Stack& stack)
    : m_config(config)
    , m_iface(interface)
    , m_stack(stack)
{
    VERIFY(m_config.max_sockets > 0 && m_config.max_sockets < none / 4);
    VERIFY(m_config.ephemeral_first > 0 && m_config.ephemeral_first <= m_config.ephemeral_last);
    u32 n = m_config.max_sockets;
    m_entries = new Entry[n];
    m_free = new u32[n];
    for (u32 i = 0; i < n; ++i)
        m_free[i] = n - 1 - i; // low indices first
    m_free_count = n;
    m_pending = new Pending[m_config.max_pending_accepts > 0 ? m_config.max_pending_accepts : 1];
    for (u32 i = 0; i < m_config.max_pending_accepts; ++i)
        m_pending[i].next = i + 1 < m_config.max_pending_accepts ? i + 1 : none;
    m_pending_free = m_config.max_pending_accepts > 0 ? 0 : none;
    u32 buckets = 1;
    while (buckets < 2 * n)
        buckets <<= 1;
    m_buckets = new u32[buckets];
    m_bucket_mask = buckets - 1;
    for (u32 i = 0; i < buckets; ++i)
        m_buckets[i] = none;
    m_changes = new u32[n];
    m_next_ephemeral = m_config.ephemeral_first;
    m_iface.set_tcp_handler(&m_glue);
}

Sockets::~Sockets()
{
    m_iface.set_tcp_handler(nullptr);
    delete[] m_entries;
    delete[] m_free;
    delete[] m_pending;
    delete[] m_buckets;
    delete[] m_changes;
}

// ---- Driving ----

void Sockets::receive_frame(lib::ReadonlyBytes frame, Instant now)
{
    m_now = now;
    u64 delivered = m_iface.counters().udp_delivered;
    m_iface.receive(frame, now);
    if (m_iface.counters().udp_delivered != delivered)
        notify_datagrams();
}

void Sockets::poll(Instant now)
{
    m_now = now;
    m_iface.poll(now);
}

Instant Sockets::next_deadline() const { return m_iface.next_deadline(); }

void Sockets::Glue::on_segment(wire::Ipv4Address src, wire::Ipv4Address dst, const wire::TcpRepr& segment,
    lib::ReadonlyBytes payload, Instant now)
{
    tcp::FourTuple tuple { { dst, segment.dst_port }, { src, segment.src_port } };
    m_owner.on_tcp_segment(tuple, segment, payload, now);
}

void Sockets::Glue::poll(Instant now)
{
    m_owner.m_now = now;
    // Only timers change a connection's readiness between segments (retransmission or keep-alive
    // give-up, SYN timeout), so the connections are re-examined only when a timer was due.
    bool due = m_owner.m_stack.next_deadline() <= now;
    m_owner.m_stack.poll(now, *this);
    if (due)
        m_owner.rescan_connections();
}

Instant Sockets::Glue::next_deadline() const { return m_owner.m_stack.next_deadline(); }

void Sockets::Glue::send(const tcp::FourTuple& tuple, const wire::TcpRepr& segment, lib::ReadonlyBytes payload)
{
    // A segment the interface cannot send (no route, no address) is lost like one dropped on the
    // wire; the stack's retransmission timer takes care of it.
    (void)m_owner.m_iface.send_tcp(tuple.local.address, tuple.remote.address, segment, payload, m_owner.m_now);
}

// ---- The table ----

Sockets::Entry* Sockets::entry(SocketId id)
{
    if (id.index >= m_config.max_sockets)
        return nullptr;
    Entry& e = m_entries[id.index];
    return e.in_use && e.generation == id.generation ? &e : nullptr;
}

const Sockets::Entry* Sockets::entry(SocketId id) const { return const_cast<Sockets*>(this)->entry(id); }

lib::Result<Sockets::Entry*, SocketError> Sockets::checked(SocketId id)
{
    Entry* e = entry(id);
    if (!e)
        return SocketError::BadDescriptor;
    return e;
}

lib::Result<SocketId, SocketError> Sockets::allocate(SocketType type)
{
    if (m_free_count == 0)
        return SocketError::TooManyOpenFiles;
    u32 index = m_free[--m_free_count];
    ++m_in_use;
    Entry& e = m_entries[index];
    VERIFY(!e.in_use);
    // Keep what outlives one use of the slot: its generation and its place in the change queue.
    u32 generation = e.generation;
    bool queued = e.change_queued;
    e = Entry {};
    e.generation = generation;
    e.change_queued = queued;
    e.in_use = true;
    e.type = type;
    e.last_events = compute_events(e);
    return id_of(e);
}

void Sockets::release(Entry& e)
{
    VERIFY(e.in_use && !e.hashed && e.queue_count == 0);
    if (e.type == SocketType::Datagram && e.bound)
        (void)m_iface.udp().close(e.udp);
    e.in_use = false;
    ++e.generation;
    m_free[m_free_count++] = index_of(e);
    --m_in_use;
}

lib::Result<SocketId, SocketError> Sockets::socket(SocketType type) { return allocate(type); }

lib::Result<void, SocketError> Sockets::close(SocketId id, Instant now)
{
    m_now = now;
    Entry* e = TRY(checked(id));
    if (e->type == SocketType::Stream) {
        if (e->phase == Phase::Listening)
            stop_listening(*e);
        else if (e->phase == Phase::Connecting || e->phase == Phase::Connected)
            release_connection(*e);
    }
    release(*e);
    return {};
}

// ---- Readiness ----

u32 Sockets::compute_events(const Entry& e) const
{
    if (e.type == SocketType::Stream)
        return stream_events(e);
    // datagram_poll(): always writable (sends never block, see Interface::udp_writable()).
    u32 mask = events::out;
    if (e.bound && m_iface.udp().readable(e.udp))
        mask |= events::in;
    if (e.shut_read)
        mask |= events::in | events::rdhup;
    if (e.shut_read && e.shut_write)
        mask |= events::hup;
    return mask;
}

// tcp_poll() (net/ipv4/tcp.c): HUP once both directions are shut or the connection is closed;
// IN|RDHUP once the receive side is shut (FIN, shutdown(SHUT_RD), reset); IN for data; OUT when
// send() would take a byte, and also once the send side is shut (send() then fails at once);
// nothing at all while the handshake runs; ERR while an error is pending. A never-connected
// socket is CLOSE: OUT|HUP. A listener: IN when accept() would succeed.
u32 Sockets::stream_events(const Entry& e) const
{
    switch (e.phase) {
    case Phase::Idle: {
        u32 mask = events::out | events::hup;
        if (e.shut_read)
            mask |= events::in | events::rdhup;
        return mask;
    }
    case Phase::Listening:
        return e.queue_count > 0 ? events::in : 0;
    case Phase::Connecting:
    case Phase::Connected:
        break;
    }
    tcp::State state = m_stack.state(e.connection);
    tcp::Readiness r = m_stack.readiness(e.connection);
    if (state == tcp::State::SynSent && !r.error)
        return 0;
    bool closed = state == tcp::State::Closed;
    bool fin = state == tcp::State::CloseWait || state == tcp::State::LastAck || state == tcp::State::Closing
        || state == tcp::State::TimeWait;
    bool receive_shut = e.shut_read || fin || closed;
    bool send_shut = e.shut_write || closed;
    u32 mask = 0;
    if ((receive_shut && send_shut) || closed)
        mask |= events::hup;
    if (receive_shut)
        mask |= events::in | events::rdhup;
    if (r.readable && !closed)
        mask |= events::in;
    if (!send_shut) {
        if (r.writable)
            mask |= events::out;
    } else {
        mask |= events::out;
    }
    if (r.error && !e.error_reported)
        mask |= events::err;
    return mask;
}

u32 Sockets::poll_events(SocketId id) const
{
    const Entry* e = entry(id);
    return e ? compute_events(*e) : events::nval;
}

u32 Sockets::readiness_generation(SocketId id) const
{
    const Entry* e = entry(id);
    return e ? e->notify_generation : 0;
}

void Sockets::touch(Entry& e, bool force)
{
    u32 now_events = compute_events(e);
    if (!force && now_events == e.last_events)
        return;
    e.last_events = now_events;
    ++e.notify_generation;
    if (e.change_queued)
        return;
    VERIFY(m_changes_count < m_config.max_sockets);
    e.change_queued = true;
    m_changes[(m_changes_head + m_changes_count) % m_config.max_sockets] = index_of(e);
    ++m_changes_count;
}

usize Sockets::take_changes(lib::Span<SocketId> out)
{
    usize n = 0;
    while (n < out.size() && m_changes_count > 0) {
        Entry& e = m_entries[m_changes[m_changes_head]];
        m_changes_head = (m_changes_head + 1) % m_config.max_sockets;
        --m_changes_count;
        e.change_queued = false;
        if (e.in_use)
            out[n++] = id_of(e);
    }
    return n;
}

void Sockets::rescan_connections()
{
    for (u32 i = 0; i < m_config.max_sockets; ++i) {
        Entry& e = m_entries[i];
        if (e.in_use && e.type == SocketType::Stream && (e.phase == Phase::Connecting || e.phase == Phase::Connected))
            touch(e, false);
    }
}

void Sockets::notify_datagrams()
{
    // FIXME: the interface could name the socket it delivered to; UDP sockets are few, so a scan
    // of the bound ones is cheap meanwhile.
    for (u32 i = 0; i < m_config.max_sockets; ++i) {
        Entry& e = m_entries[i];
        if (!e.in_use || e.type != SocketType::Datagram || !e.bound)
            continue;
        usize queued = m_iface.udp().queued_datagrams(e.udp);
        bool arrived = queued > e.last_datagrams;
        e.last_datagrams = queued;
        touch(e, arrived);
    }
}

// ---- Ports and addresses ----

bool Sockets::address_is_ours(wire::Ipv4Address address) const
{
    return address.is_unspecified() || (m_iface.ipv4().is_configured() && address == m_iface.ipv4().address);
}

// inet_csk_bind_conflict() simplified to one address: a stream port is taken when another bound
// stream socket has it on an overlapping address, unless both set ReuseAddress and that one is
// not listening. (Connections the application has closed, e.g. in TIME-WAIT, do not hold the
// port: the TCP stack refuses a clashing four-tuple at connect() instead.)
bool Sockets::port_conflicts(const Entry& self, Endpoint local, bool reuse) const
{
    for (u32 i = 0; i < m_config.max_sockets; ++i) {
        const Entry& o = m_entries[i];
        if (&o == &self || !o.in_use || o.type != SocketType::Stream || !o.bound || o.local.port != local.port)
            continue;
        bool overlap = o.local.address == local.address || o.local.address.is_unspecified() || local.address.is_unspecified();
        if (!overlap)
            continue;
        if (reuse && o.reuse_address && o.phase != Phase::Listening)
            continue;
        return true;
    }
    return false;
}

lib::Optional<u16> Sockets::pick_ephemeral(const Entry& self, wire::Ipv4Address address)
{
    u32 range = u32(m_config.ephemeral_last) - m_config.ephemeral_first + 1;
    for (u32 tries = 0; tries < range; ++tries) {
        u16 port = m_next_ephemeral;
        m_next_ephemeral = port == m_config.ephemeral_last ? m_config.ephemeral_first : u16(port + 1);
        if (!port_conflicts(self, Endpoint { address, port }, false))
            return port;
    }
    return lib::nullopt;
}

lib::Result<void, SocketError> Sockets::bind(SocketId id, Endpoint local)
{
    Entry* e = TRY(checked(id));
    if (e->bound || e->phase != Phase::Idle)
        return SocketError::InvalidArgument;
    if (!address_is_ours(local.address))
        return SocketError::AddressNotAvailable;
    if (e->type == SocketType::Datagram)
        return bind_datagram(*e, local);
    if (local.port == 0) {
        auto port = pick_ephemeral(*e, local.address);
        if (!port)
            return SocketError::AddressInUse;
        local.port = *port;
    } else if (port_conflicts(*e, local, e->reuse_address)) {
        return SocketError::AddressInUse;
    }
    e->local = e->bound_to = local;
    e->bound = e->bound_by_user = true;
    return {};
}

// ---- Options and addresses ----

lib::Result<void, SocketError> Sockets::set_option(SocketId id, SocketOption option, bool on, Instant now)
{
    Entry* e = TRY(checked(id));
    bool connection = e->type == SocketType::Stream && (e->phase == Phase::Connecting || e->phase == Phase::Connected);
    switch (option) {
    case SocketOption::TcpNoDelay:
        if (e->type != SocketType::Stream)
            return SocketError::ProtocolOptionUnavailable;
        e->nodelay = on;
        if (connection)
            (void)m_stack.set_nodelay(e->connection, on);
        return {};
    case SocketOption::KeepAlive:
        e->keepalive = on;
        if (connection)
            (void)m_stack.set_keepalive(e->connection, on, now);
        return {};
    case SocketOption::ReuseAddress:
        e->reuse_address = on;
        return {};
    }
    return SocketError::InvalidArgument;
}

lib::Result<bool, SocketError> Sockets::option(SocketId id, SocketOption option) const
{
    const Entry* e = entry(id);
    if (!e)
        return SocketError::BadDescriptor;
    switch (option) {
    case SocketOption::TcpNoDelay:
        if (e->type != SocketType::Stream)
            return SocketError::ProtocolOptionUnavailable;
        return e->nodelay;
    case SocketOption::KeepAlive:
        return e->keepalive;
    case SocketOption::ReuseAddress:
        return e->reuse_address;
    }
    return SocketError::InvalidArgument;
}

lib::Result<Endpoint, SocketError> Sockets::local_address(SocketId id) const
{
    const Entry* e = entry(id);
    if (!e)
        return SocketError::BadDescriptor;
    return e->bound ? e->local : Endpoint {};
}

lib::Result<Endpoint, SocketError> Sockets::peer_address(SocketId id) const
{
    const Entry* e = entry(id);
    if (!e)
        return SocketError::BadDescriptor;
    // inet_getname(): ENOTCONN in SYN-SENT and once the connection is CLOSED.
    if (e->type != SocketType::Stream || e->phase != Phase::Connected || m_stack.state(e->connection) == tcp::State::Closed)
        return SocketError::NotConnected;
    return e->peer;
}

lib::Result<lib::Optional<SocketError>, SocketError> Sockets::take_error(SocketId id)
{
    Entry* e = TRY(checked(id));
    lib::Optional<SocketError> error;
    if (e->type == SocketType::Stream && (e->phase == Phase::Connecting || e->phase == Phase::Connected)) {
        if (auto pending = take_connection_error(*e))
            error = *pending;
        touch(*e, false);
    }
    return error;
}

// ---- Four-tuple lookup ----

u32 Sockets::bucket_of(const tcp::FourTuple& t) const
{
    // Only connections the application holds are hashed, at most max_sockets of them, and probing
    // is bounded by the table; a keyed hash (the stack's SipHash) is not needed for that bound.
    u64 k = (u64(t.remote.address.value) << 32) ^ (u64(t.remote.port) << 16) ^ t.local.port ^ (u64(t.local.address.value) * 0x9e3779b97f4a7c15ull);
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return u32(k) & m_bucket_mask;
}

lib::Optional<u32> Sockets::hash_find(const tcp::FourTuple& t) const
{
    for (u32 b = bucket_of(t);; b = (b + 1) & m_bucket_mask) {
        u32 index = m_buckets[b];
        if (index == none)
            return lib::nullopt;
        if (tuple_of(m_entries[index]) == t)
            return index;
    }
}

void Sockets::hash_insert(Entry& e)
{
    VERIFY(!e.hashed);
    // A dead connection of another socket may still hold the tuple (the stack forgot it when it
    // closed): the new one takes over its lookups.
    if (auto old = hash_find(tuple_of(e)))
        hash_remove(m_entries[*old]);
    u32 b = bucket_of(tuple_of(e));
    while (m_buckets[b] != none)
        b = (b + 1) & m_bucket_mask;
    m_buckets[b] = index_of(e);
    e.hashed = true;
}

void Sockets::hash_remove(Entry& e)
{
    if (!e.hashed)
        return;
    u32 b = bucket_of(tuple_of(e));
    while (m_buckets[b] != index_of(e)) {
        VERIFY(m_buckets[b] != none);
        b = (b + 1) & m_bucket_mask;
    }
    m_buckets[b] = none;
    e.hashed = false;
    // Backward-shift deletion keeps every remaining entry reachable from its home bucket.
    for (u32 hole = b, next = (b + 1) & m_bucket_mask; m_buckets[next] != none; next = (next + 1) & m_bucket_mask) {
        u32 home = bucket_of(tuple_of(m_entries[m_buckets[next]]));
        // Move it into the hole unless its home lies cyclically in (hole, next].
        bool stays = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
        if (stays)
            continue;
        m_buckets[hole] = m_buckets[next];
        m_buckets[next] = none;
        hole = next;
    }
}

} // namespace net::socket

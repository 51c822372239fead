// Stack: the connection pool, the lookup table, the user calls and timers. Segment handling for
// one connection is in connection*.cpp; the LISTEN state and SYN cookies in listener.cpp.
#include "net/tcp/stack.h"

namespace net::tcp {

using wire::TcpRepr;

const char* state_name(State s)
{
    switch (s) {
    case State::Closed: return "CLOSED";
    case State::Listen: return "LISTEN";
    case State::SynSent: return "SYN-SENT";
    case State::SynReceived: return "SYN-RECEIVED";
    case State::Established: return "ESTABLISHED";
    case State::FinWait1: return "FIN-WAIT-1";
    case State::FinWait2: return "FIN-WAIT-2";
    case State::CloseWait: return "CLOSE-WAIT";
    case State::Closing: return "CLOSING";
    case State::LastAck: return "LAST-ACK";
    case State::TimeWait: return "TIME-WAIT";
    }
    return "?";
}

namespace {
// Payload staging for one segment: the largest TCP payload an IPv4 datagram can carry.
constexpr usize scratch_size = 65536;
}

Stack::Stack(const Config& config, const u8 (&secret)[16]) : m_config(config), m_secrets(secret)
{
    VERIFY(m_config.max_connections > 0 && m_config.max_listeners > 0);
    VERIFY(m_config.send_buffer > 0 && m_config.receive_buffer > 0 && m_config.mss >= 64);
    u32 n = m_config.max_connections;
    m_slots = new Slot[n];
    m_free = new u32[n];
    u32 buckets = 1;
    while (buckets < 2 * n)
        buckets <<= 1;
    m_buckets = new u32[buckets];
    m_bucket_mask = buckets - 1;
    for (u32 i = 0; i < buckets; ++i)
        m_buckets[i] = none;
    m_listeners = new Listener[m_config.max_listeners];
    usize per_connection = usize(m_config.send_buffer) + m_config.receive_buffer;
    m_buffers = new u8[per_connection * n];
    m_scratch = new u8[scratch_size];
    for (u32 i = 0; i < n; ++i) {
        u8* base = m_buffers + per_connection * i;
        m_slots[i].connection.attach_buffers(base, m_config.send_buffer, base + m_config.send_buffer, m_config.receive_buffer);
        // Hand out low indices first (the free list is a stack).
        m_free[i] = n - 1 - i;
    }
    m_free_count = n;
}

Stack::~Stack()
{
    delete[] m_scratch;
    delete[] m_buffers;
    delete[] m_listeners;
    delete[] m_buckets;
    delete[] m_free;
    delete[] m_slots;
}

Context Stack::context(Instant now, SegmentSink& sink)
{
    return Context { m_config, m_counters, m_secrets, sink, now, lib::Bytes(m_scratch, scratch_size), m_challenge };
}

Stack::Slot* Stack::slot_for(ConnectionId id)
{
    if (id.index >= m_config.max_connections)
        return nullptr;
    Slot& s = m_slots[id.index];
    return s.in_use && s.app_owned && s.generation == id.generation ? &s : nullptr;
}

const Stack::Slot* Stack::slot_for(ConnectionId id) const { return const_cast<Stack*>(this)->slot_for(id); }

Listener* Stack::listener_for(ListenerId id)
{
    if (id.index >= m_config.max_listeners)
        return nullptr;
    Listener& l = m_listeners[id.index];
    return l.in_use && l.generation == id.generation ? &l : nullptr;
}

// ---- Lookup table: chained buckets keyed by a SipHash of the tuple ----

u32 Stack::bucket_of(const FourTuple& t) const { return m_secrets.table_hash(t) & m_bucket_mask; }

lib::Optional<u32> Stack::lookup(const FourTuple& t) const
{
    // Invariant: chains hold only hashed, in-use slots; a chain is at most max_connections long.
    for (u32 i = m_buckets[bucket_of(t)]; i != none; i = m_slots[i].hash_next) {
        if (m_slots[i].connection.tuple() == t)
            return i;
    }
    return lib::nullopt;
}

void Stack::hash_insert(u32 index)
{
    Slot& s = m_slots[index];
    u32 b = bucket_of(s.connection.tuple());
    s.hash_next = m_buckets[b];
    m_buckets[b] = index;
    s.hashed = true;
}

void Stack::hash_remove(u32 index)
{
    Slot& s = m_slots[index];
    u32* link = &m_buckets[bucket_of(s.connection.tuple())];
    while (*link != none && *link != index)
        link = &m_slots[*link].hash_next;
    VERIFY(*link == index);
    *link = s.hash_next;
    s.hash_next = none;
    s.hashed = false;
}

// ---- Pool ----

lib::Optional<u32> Stack::allocate_slot(Context& ctx)
{
    // A full pool gives up its oldest TIME-WAIT entry before it refuses (RFC 6191 spirit: a
    // TIME-WAIT tuple is the cheapest thing to forget).
    if (m_free_count == 0 && !recycle_oldest_time_wait(ctx))
        return lib::nullopt;
    u32 index = m_free[--m_free_count];
    Slot& s = m_slots[index];
    VERIFY(!s.in_use);
    s.in_use = true;
    return index;
}

void Stack::release_slot(u32 index)
{
    Slot& s = m_slots[index];
    VERIFY(s.in_use && !s.hashed && s.queue == Queue::None && !s.time_wait_counted);
    s.connection.reset();
    s.in_use = false;
    s.app_owned = false;
    s.listener = none;
    ++s.generation;
    m_free[m_free_count++] = index;
}

bool Stack::recycle_oldest_time_wait(Context& ctx)
{
    u32 oldest = none;
    for (u32 i = 0; i < m_config.max_connections; ++i) {
        const Slot& s = m_slots[i];
        if (s.in_use && s.connection.state() == State::TimeWait
            && (oldest == none || s.connection.time_wait_since() < m_slots[oldest].connection.time_wait_since()))
            oldest = i;
    }
    if (oldest == none)
        return false;
    ++m_counters.time_wait_recycled;
    m_slots[oldest].connection.expire(ctx);
    settle(oldest, ctx);
    return true;
}

void Stack::settle(u32 index, Context& ctx)
{
    Slot& s = m_slots[index];
    State st = s.connection.state();
    if (s.queue == Queue::Syn && st != State::SynReceived) {
        Listener& l = m_listeners[s.listener];
        --l.syn_count;
        s.queue = Queue::None;
        if (st != State::Closed && l.accept_count < l.backlog) {
            s.queue = Queue::Accept;
            s.accept_order = m_accept_counter++;
            ++l.accept_count;
        } else if (st != State::Closed) {
            // Unreachable while SYN-RECEIVED only completes with ctx.accept_room; if it ever
            // did, a connection nobody can accept must not linger.
            s.connection.abort(ctx);
            st = State::Closed;
        }
    }
    if (s.queue == Queue::Accept && st == State::Closed) {
        --m_listeners[s.listener].accept_count;
        s.queue = Queue::None;
    }
    if (st == State::TimeWait && !s.time_wait_counted) {
        s.time_wait_counted = true;
        if (++m_time_wait_count > m_config.time_wait_max)
            recycle_oldest_time_wait(ctx);
    } else if (st != State::TimeWait && s.time_wait_counted) {
        s.time_wait_counted = false;
        --m_time_wait_count;
    }
    if (st == State::Closed) {
        if (s.hashed)
            hash_remove(index);
        // A passive connection that died before accept() is nobody's: free it. (An accepted or
        // not-yet-accepted one that was dropped from the queue above has queue None too.)
        if (!s.app_owned && s.queue == Queue::None)
            release_slot(index);
    }
}

// ---- Segments and timers ----

void Stack::on_segment(const FourTuple& tuple, const TcpRepr& seg, lib::ReadonlyBytes payload, Instant now, SegmentSink& sink)
{
    Context ctx = context(now, sink);
    ++m_counters.segments_received;
    if (auto found = lookup(tuple)) {
        u32 index = *found;
        Slot& s = m_slots[index];
        bool new_syn = seg.flags.has(wire::TcpFlags::syn) && !seg.flags.has(wire::TcpFlags::ack);
        if (!(s.connection.state() == State::TimeWait && new_syn && s.connection.time_wait_accepts_syn(seg))) {
            if (s.queue == Queue::Syn) {
                const Listener& l = m_listeners[s.listener];
                ctx.accept_room = l.accept_count < l.backlog;
            }
            s.connection.on_segment(seg, payload, ctx);
            settle(index, ctx);
            return;
        }
        // RFC 6191 / RFC 9293 §3.10.7.4: a newer SYN ends TIME-WAIT and opens afresh.
        ++m_counters.time_wait_reused;
        s.connection.expire(ctx);
        settle(index, ctx);
    }
    if (auto listener = find_listener(tuple.local)) {
        on_segment_listen(*listener, tuple, seg, payload, ctx);
        return;
    }
    ++m_counters.drops[static_cast<u8>(DropReason::NoSocket)];
    if (!seg.flags.has(wire::TcpFlags::rst))
        send_reset_for(tuple, seg, payload.size(), ctx);
}

void Stack::poll(Instant now, SegmentSink& sink)
{
    // FIXME: a timer wheel would avoid the scan; with the pool bounded it is O(max_connections).
    Context ctx = context(now, sink);
    for (u32 i = 0; i < m_config.max_connections; ++i) {
        Slot& s = m_slots[i];
        if (s.in_use && s.connection.next_deadline() <= now) {
            s.connection.on_timer(ctx);
            settle(i, ctx);
        }
    }
}

Instant Stack::next_deadline() const
{
    Instant earliest = Instant::never();
    for (u32 i = 0; i < m_config.max_connections; ++i) {
        if (m_slots[i].in_use)
            earliest = lib::min(earliest, m_slots[i].connection.next_deadline());
    }
    return earliest;
}

} // namespace net::tcp

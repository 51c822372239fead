// The bounded ARP cache (RFC 826, RFC 1122 §2.3.2).
#include "net/iface/arp_cache.h"

namespace net::iface {

ArpCache::ArpCache(const ArpConfig& config, Counters& counters)
    : m_config(config)
    , m_counters(counters)
{
    VERIFY(config.capacity >= 1 && config.max_requests >= 1);
    m_entries = new Entry[config.capacity];
    m_pending = new u8[config.pending_slots * max_frame_len + 1];
    m_slot_used = new bool[config.pending_slots + 1];
    for (usize i = 0; i < config.pending_slots; ++i)
        m_slot_used[i] = false;
}

ArpCache::~ArpCache()
{
    delete[] m_entries;
    delete[] m_pending;
    delete[] m_slot_used;
}

ArpCache::Entry* ArpCache::find(wire::Ipv4Address ip)
{
    for (usize i = 0; i < m_config.capacity; ++i) {
        if (m_entries[i].state != State::Free && m_entries[i].ip == ip)
            return &m_entries[i];
    }
    return nullptr;
}

const ArpCache::Entry* ArpCache::find(wire::Ipv4Address ip) const
{
    return const_cast<ArpCache*>(this)->find(ip);
}

lib::Optional<wire::EthernetAddress> ArpCache::lookup(wire::Ipv4Address ip, Instant now) const
{
    const Entry* e = find(ip);
    if (e == nullptr || e->state != State::Complete || e->deadline <= now)
        return lib::nullopt;
    return e->mac;
}

lib::Bytes ArpCache::slot(i32 index) const
{
    VERIFY(index >= 0 && usize(index) < m_config.pending_slots);
    return lib::Bytes(m_pending + usize(index) * max_frame_len, max_frame_len);
}

i32 ArpCache::allocate_slot()
{
    for (usize i = 0; i < m_config.pending_slots; ++i) {
        if (!m_slot_used[i]) {
            m_slot_used[i] = true;
            return i32(i);
        }
    }
    return -1;
}

void ArpCache::drop_pending(Entry& entry, DropReason reason)
{
    if (entry.pending_slot < 0)
        return;
    m_slot_used[entry.pending_slot] = false;
    entry.pending_slot = -1;
    entry.pending_len = 0;
    ++m_counters.drops[reason];
}

ArpCache::Entry& ArpCache::allocate(wire::Ipv4Address ip, Instant now)
{
    Entry* chosen = nullptr;
    for (usize i = 0; i < m_config.capacity; ++i) {
        Entry& e = m_entries[i];
        if (e.state == State::Free) {
            chosen = &e;
            break;
        }
        if (chosen == nullptr || e.updated < chosen->updated)
            chosen = &e;
    }
    VERIFY(chosen != nullptr);
    if (chosen->state != State::Free) {
        // Full: the table never grows, the oldest entry makes room.
        ++m_counters.arp_evictions;
        drop_pending(*chosen, DropReason::ArpCacheFull);
    }
    *chosen = Entry {};
    chosen->ip = ip;
    chosen->updated = now;
    return *chosen;
}

ArpCache::Learned ArpCache::learn(wire::Ipv4Address ip, wire::EthernetAddress mac, Learn mode, Instant now)
{
    Entry* e = find(ip);
    if (e == nullptr) {
        if (mode == Learn::UpdateOnly)
            return {};
        e = &allocate(ip, now);
    }
    e->state = State::Complete;
    e->mac = mac;
    e->updated = now;
    e->deadline = now + m_config.entry_lifetime;
    e->requests_sent = 0;
    Learned result { true, {} };
    if (e->pending_slot < 0)
        return result;
    result.pending = slot(e->pending_slot).slice(0, e->pending_len);
    m_slot_used[e->pending_slot] = false;
    e->pending_slot = -1;
    e->pending_len = 0;
    return result;
}

ArpCache::Queued ArpCache::queue(wire::Ipv4Address ip, lib::ReadonlyBytes frame, Instant now)
{
    VERIFY(frame.size() <= max_frame_len);
    Queued result = Queued::Waiting;
    Entry* e = find(ip);
    if (e == nullptr || e->state == State::Complete) {
        // New, or complete but expired (the caller's lookup failed): resolve afresh.
        if (e == nullptr)
            e = &allocate(ip, now);
        e->state = State::Incomplete;
        e->updated = now;
        e->requests_sent = 1;
        e->deadline = now + m_config.retry_interval;
        result = Queued::SendRequest;
    }
    // At most one frame waits per address: the newest replaces the older.
    drop_pending(*e, DropReason::ArpPendingReplaced);
    e->pending_slot = allocate_slot();
    if (e->pending_slot < 0) {
        ++m_counters.drops[DropReason::ArpPendingFull];
        return result;
    }
    lib::Bytes buffer = slot(e->pending_slot);
    for (usize i = 0; i < frame.size(); ++i)
        buffer.data()[i] = frame.data()[i];
    e->pending_len = u16(frame.size());
    return result;
}

bool ArpCache::poll_entry(usize i, Instant now)
{
    Entry& e = m_entries[i];
    if (e.state == State::Free || e.deadline > now)
        return false;
    if (e.state == State::Complete) {
        e = Entry {};
        return false;
    }
    if (e.requests_sent >= m_config.max_requests) {
        drop_pending(e, DropReason::ArpUnresolved);
        e = Entry {};
        return false;
    }
    ++e.requests_sent;
    e.deadline = now + m_config.retry_interval;
    return true;
}

Instant ArpCache::next_deadline() const
{
    Instant earliest = Instant::never();
    for (usize i = 0; i < m_config.capacity; ++i) {
        if (m_entries[i].state != State::Free && m_entries[i].deadline < earliest)
            earliest = m_entries[i].deadline;
    }
    return earliest;
}

usize ArpCache::size() const
{
    usize n = 0;
    for (usize i = 0; i < m_config.capacity; ++i)
        n += m_entries[i].state != State::Free ? 1 : 0;
    return n;
}

} // namespace net::iface

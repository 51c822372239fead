// Split virtqueue, driver side (virtio 1.2 §2.7.5-§2.7.14): post chains, validate completions.
// Every value read from the used ring is read exactly once (no double fetch) and checked against
// the driver's shadow state before it is used.
#include "kernel/drivers/virtio/virtqueue.h"

#include "lib/verify.h"

namespace kernel::drivers::virtio {

namespace {

// Descriptor flags (virtio 1.2 §2.7.5).
constexpr u16 desc_f_next = 1;
constexpr u16 desc_f_write = 2;
// used.flags (§2.7.10): the device does not need notifications.
constexpr u16 used_f_no_notify = 1;

// Shared-memory accesses: aligned, single-copy atomic, so the compiler neither tears nor repeats
// them. The rings are little endian (virtio 1.x), as x86 is.
template<typename T> T load_shared(lib::Bytes ring, usize offset)
{
    return __atomic_load_n(reinterpret_cast<T*>(ring.slice(offset, sizeof(T)).data()), __ATOMIC_RELAXED);
}
template<typename T> void store_shared(lib::Bytes ring, usize offset, T value)
{
    __atomic_store_n(reinterpret_cast<T*>(ring.slice(offset, sizeof(T)).data()), value, __ATOMIC_RELAXED);
}

bool aligned(lib::Bytes bytes, usize alignment) { return (reinterpret_cast<uptr>(bytes.data()) & (alignment - 1)) == 0; }

} // namespace

lib::StringView queue_error_name(QueueError e)
{
    switch (e) {
    case QueueError::Broken:
        return "device broken";
    case QueueError::Full:
        return "queue full";
    case QueueError::BadChain:
        return "bad descriptor chain";
    }
    return "?";
}

lib::StringView violation_name(Violation::Kind kind)
{
    switch (kind) {
    case Violation::Kind::None:
        return "none";
    case Violation::Kind::IndexJump:
        return "used.idx advanced past the outstanding buffers";
    case Violation::Kind::IdOutOfRange:
        return "used id out of range";
    case Violation::Kind::IdNotOutstanding:
        return "used id is not an outstanding buffer";
    case Violation::Kind::LengthTooLarge:
        return "used length exceeds the posted buffer";
    case Violation::Kind::Forced:
        return "declared broken by the driver";
    }
    return "?";
}

void Virtqueue::init(u16 size, RingMemory memory, bool event_idx)
{
    VERIFY(size >= 1 && size <= max_size && (size & (size - 1)) == 0);
    VERIFY(memory.descriptors.size() == descriptor_table_bytes(size) && aligned(memory.descriptors, 16));
    VERIFY(memory.avail.size() == avail_ring_bytes(size) && aligned(memory.avail, 2));
    VERIFY(memory.used.size() == used_ring_bytes(size) && aligned(memory.used, 4));
    m_size = size;
    m_memory = memory;
    m_event_idx = event_idx;
    m_broken = false;
    m_violation = {};
    for (u8& b : memory.descriptors)
        b = 0;
    for (u8& b : memory.avail)
        b = 0;
    for (u8& b : memory.used)
        b = 0;
    for (u16 i = 0; i < size; ++i)
        m_shadow[i] = Shadow { 0, 0, u16(i + 1 < size ? i + 1 : 0), 0 };
    m_free_head = 0;
    m_free_count = size;
    m_outstanding = 0;
    m_avail_idx = 0;
    m_last_used = 0;
    m_notified_avail = 0;
}

lib::Result<void, QueueError> Virtqueue::post(lib::Span<const Segment> segments, u64 cookie)
{
    if (m_broken)
        return lib::err(QueueError::Broken);
    usize n = segments.size();
    if (n == 0 || n > max_chain)
        return lib::err(QueueError::BadChain);
    u64 writable = 0;
    u64 total = 0;
    bool seen_writable = false;
    for (const Segment& s : segments) {
        if (s.length == 0)
            return lib::err(QueueError::BadChain);
        total += s.length;
        if (s.direction == Segment::Direction::DeviceWrites) {
            seen_writable = true;
            writable += s.length;
        } else if (seen_writable) {
            return lib::err(QueueError::BadChain);
        }
    }
    // The used element's len is 32 bits; and "Drivers MUST NOT add a descriptor chain longer than
    // 2^32 bytes in total" (virtio 1.2 §2.7.5.2).
    if (writable > 0xffffffffu || total > (u64(1) << 32))
        return lib::err(QueueError::BadChain);
    if (n > m_free_count)
        return lib::err(QueueError::Full);

    // The chain takes the first n descriptors of the free list, linked in free-list order, so
    // it is acyclic and exactly n long by construction.
    u16 head = m_free_head;
    u16 d = head;
    for (usize i = 0; i < n; ++i) {
        VERIFY(d < m_size);
        const Segment& s = segments[i];
        u16 flags = (i + 1 < n ? desc_f_next : 0) | (s.direction == Segment::Direction::DeviceWrites ? desc_f_write : 0);
        u16 next = m_shadow[d].next;
        usize at = usize(d) * 16;
        store_shared<u64>(m_memory.descriptors, at, s.address);
        store_shared<u32>(m_memory.descriptors, at + 8, s.length);
        store_shared<u16>(m_memory.descriptors, at + 12, flags);
        store_shared<u16>(m_memory.descriptors, at + 14, i + 1 < n ? next : 0);
        m_shadow[d].chain = 0;
        if (i + 1 < n)
            d = next;
    }
    m_free_head = m_shadow[d].next;
    m_free_count = u16(m_free_count - n);
    m_shadow[head].cookie = cookie;
    m_shadow[head].writable = u32(writable);
    m_shadow[head].chain = u8(n);

    store_shared<u16>(m_memory.avail, 4 + 2 * usize(m_avail_idx & (m_size - 1)), head);
    // The descriptors and the ring slot must be visible before the index that publishes them.
    __atomic_thread_fence(__ATOMIC_RELEASE);
    ++m_avail_idx;
    store_shared<u16>(m_memory.avail, 2, m_avail_idx);
    ++m_outstanding;
    return {};
}

u16 Virtqueue::load_used_idx() const
{
    u16 idx = load_shared<u16>(m_memory.used, 2);
    // Ring entries are read after the index that announced them.
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return idx;
}

void Virtqueue::fail(Violation::Kind kind, u16 used_idx, u32 id, u32 length, u32 posted)
{
    if (m_broken)
        return;
    m_broken = true;
    m_violation = Violation { kind, used_idx, m_last_used, id, length, posted };
}

void Virtqueue::set_broken(Violation::Kind kind) { fail(kind, 0, 0, 0, 0); }

lib::Result<lib::Optional<Completion>, QueueError> Virtqueue::pop()
{
    if (m_broken)
        return lib::err(QueueError::Broken);
    u16 used_idx = load_used_idx();
    u16 pending = u16(used_idx - m_last_used);
    if (pending == 0)
        return lib::Optional<Completion>();
    // The device can only return what is outstanding, and never more than the ring holds.
    if (pending > m_outstanding) {
        fail(Violation::Kind::IndexJump, used_idx, pending, 0, m_outstanding);
        return lib::err(QueueError::Broken);
    }
    usize at = 4 + 8 * usize(m_last_used & (m_size - 1));
    u32 id = load_shared<u32>(m_memory.used, at);
    u32 length = load_shared<u32>(m_memory.used, at + 4);
    if (id >= m_size) {
        fail(Violation::Kind::IdOutOfRange, used_idx, id, length, 0);
        return lib::err(QueueError::Broken);
    }
    Shadow& head = m_shadow[id];
    if (head.chain == 0) {
        fail(Violation::Kind::IdNotOutstanding, used_idx, id, length, 0);
        return lib::err(QueueError::Broken);
    }
    if (length > head.writable) {
        fail(Violation::Kind::LengthTooLarge, used_idx, id, length, head.writable);
        return lib::err(QueueError::Broken);
    }
    // Give the chain back to the free list. Its links are the driver's own (m_shadow), never
    // the descriptor table the device could have rewritten.
    u16 last = u16(id);
    for (u8 i = 1; i < head.chain; ++i)
        last = m_shadow[last].next;
    m_shadow[last].next = m_free_head;
    m_free_head = u16(id);
    m_free_count = u16(m_free_count + head.chain);
    Completion done { head.cookie, length };
    head = Shadow { 0, 0, m_shadow[id].next, 0 };
    ++m_last_used;
    --m_outstanding;
    if (m_event_idx) {
        // used_event: interrupt us when the device has used the entry after this one.
        store_shared<u16>(m_memory.avail, 4 + 2 * usize(m_size), m_last_used);
    }
    return lib::Optional<Completion>(done);
}

bool Virtqueue::should_notify()
{
    if (m_broken)
        return false;
    u16 old_idx = m_notified_avail;
    u16 new_idx = m_avail_idx;
    m_notified_avail = new_idx;
    if (old_idx == new_idx)
        return false;
    // The avail.idx store must be visible before the device's suppression state is read
    // (virtio 1.2 §2.7.13.3), or both sides could wait for the other.
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (m_event_idx) {
        u16 event = load_shared<u16>(m_memory.used, 4 + 8 * usize(m_size));
        return u16(new_idx - event - 1) < u16(new_idx - old_idx);
    }
    return (load_shared<u16>(m_memory.used, 0) & used_f_no_notify) == 0;
}

} // namespace kernel::drivers::virtio

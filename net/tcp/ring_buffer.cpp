// RingBuffer and OutOfOrderRanges (see ring_buffer.h).
#include "net/tcp/ring_buffer.h"

#include "lib/utility.h"

namespace net::tcp {

using wire::SeqNumber;

void RingBuffer::attach(u8* storage, u32 capacity)
{
    m_storage = storage;
    m_capacity = capacity;
    clear();
}

void RingBuffer::write_at(u32 offset, lib::ReadonlyBytes bytes)
{
    VERIFY(offset <= m_capacity && bytes.size() <= m_capacity - offset);
    u32 pos = (m_head + m_size + offset) % (m_capacity ? m_capacity : 1);
    for (usize i = 0; i < bytes.size(); ++i) {
        m_storage[pos] = bytes.data()[i];
        if (++pos == m_capacity)
            pos = 0;
    }
}

void RingBuffer::commit(u32 n)
{
    VERIFY(n <= free());
    m_size += n;
}

u32 RingBuffer::write(lib::ReadonlyBytes bytes)
{
    u32 n = u32(lib::min<usize>(bytes.size(), free()));
    write_at(0, bytes.slice(0, n));
    m_size += n;
    return n;
}

void RingBuffer::peek(u32 offset, lib::Bytes out) const
{
    VERIFY(offset <= m_size && out.size() <= m_size - offset);
    if (out.is_empty())
        return;
    u32 pos = (m_head + offset) % m_capacity;
    for (usize i = 0; i < out.size(); ++i) {
        out.data()[i] = m_storage[pos];
        if (++pos == m_capacity)
            pos = 0;
    }
}

void RingBuffer::discard(u32 n)
{
    VERIFY(n <= m_size);
    m_size -= n;
    // The head never jumps back to 0 when the ring empties: bytes written with write_at()
    // beyond the readable region (out-of-order data) are addressed relative to it.
    m_head = m_capacity ? (m_head + n) % m_capacity : 0;
}

u32 RingBuffer::read(lib::Bytes out)
{
    u32 n = u32(lib::min<usize>(out.size(), m_size));
    peek(0, out.slice(0, n));
    discard(n);
    return n;
}

bool OutOfOrderRanges::insert(SeqNumber left, SeqNumber right)
{
    VERIFY(seq_lt(left, right));
    // Find the first range that ends at or after `left` (touching counts: merge adjacent ones).
    usize first = 0;
    while (first < m_count && seq_lt(m_ranges[first].right, left))
        ++first;
    usize last = first;
    while (last < m_count && seq_le(m_ranges[last].left, right))
        ++last;
    // Ranges [first, last) overlap or touch the new one: they collapse into one.
    if (first == last) {
        if (m_count == max_ranges)
            return false;
        for (usize i = m_count; i > first; --i)
            m_ranges[i] = m_ranges[i - 1];
        m_ranges[first] = { left, right };
        ++m_count;
        return true;
    }
    Range merged { seq_lt(m_ranges[first].left, left) ? m_ranges[first].left : left,
        seq_gt(m_ranges[last - 1].right, right) ? m_ranges[last - 1].right : right };
    m_ranges[first] = merged;
    usize removed = last - first - 1;
    for (usize i = first + 1; i + removed < m_count; ++i)
        m_ranges[i] = m_ranges[i + removed];
    m_count -= removed;
    return true;
}

SeqNumber OutOfOrderRanges::advance(SeqNumber rcv_nxt)
{
    usize consumed = 0;
    while (consumed < m_count && seq_le(m_ranges[consumed].left, rcv_nxt)) {
        if (seq_gt(m_ranges[consumed].right, rcv_nxt))
            rcv_nxt = m_ranges[consumed].right;
        ++consumed;
    }
    for (usize i = 0; i + consumed < m_count; ++i)
        m_ranges[i] = m_ranges[i + consumed];
    m_count -= consumed;
    return rcv_nxt;
}

} // namespace net::tcp

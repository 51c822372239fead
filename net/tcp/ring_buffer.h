// Fixed-capacity byte ring for send and receive data, and the out-of-order bookkeeping that lets
// the receive ring hold segments beyond RCV.NXT until the hole fills (RFC 9293 §3.10.7.4,
// "segment text": data is delivered in order; out-of-order data is kept within the window).
#pragma once

#include "lib/span.h"
#include "net/wire/tcp.h"

namespace net::tcp {

// Storage belongs to the Stack's pool; the ring never allocates.
class RingBuffer {
public:
    void attach(u8* storage, u32 capacity);
    void clear() { m_head = m_size = 0; }

    u32 capacity() const { return m_capacity; }
    u32 size() const { return m_size; }
    u32 free() const { return m_capacity - m_size; }

    // Appends as much of `bytes` as fits; returns how much.
    u32 write(lib::ReadonlyBytes bytes);
    // Copies bytes at [offset, offset + out.size()) past the readable region's start without
    // changing the size: used for out-of-order data. Precondition: offset + out.size() <= capacity.
    void write_at(u32 offset, lib::ReadonlyBytes bytes);
    // Makes `n` bytes written by write_at() readable. Precondition: n <= free().
    void commit(u32 n);
    // Copies readable bytes starting at `offset` into `out`. Precondition: they exist.
    void peek(u32 offset, lib::Bytes out) const;
    // Consumes up to out.size() bytes into `out`; returns how many.
    u32 read(lib::Bytes out);
    // Drops `n` readable bytes. Precondition: n <= size().
    void discard(u32 n);

private:
    u8* m_storage { nullptr };
    u32 m_capacity { 0 };
    // Invariant: m_head < m_capacity (or 0 when unattached) and m_size <= m_capacity.
    u32 m_head { 0 };
    u32 m_size { 0 };
};

// Sequence ranges [left, right) received beyond RCV.NXT, sorted and disjoint.
class OutOfOrderRanges {
public:
    static constexpr usize max_ranges = 8;

    // Records a range. False (and nothing recorded) when it would need a ninth island: the
    // segment is then dropped and retransmitted later, which bounds per-connection state.
    bool insert(wire::SeqNumber left, wire::SeqNumber right);
    // Removes the ranges that now touch `rcv_nxt` and returns the sequence number past them.
    wire::SeqNumber advance(wire::SeqNumber rcv_nxt);
    usize count() const { return m_count; }
    bool is_empty() const { return m_count == 0; }
    void clear() { m_count = 0; }

private:
    struct Range {
        wire::SeqNumber left, right;
    };
    // Invariant: m_count <= max_ranges; ranges[0..m_count) sorted by left, pairwise disjoint
    // and non-adjacent (insert() merges touching ranges).
    Range m_ranges[max_ranges] {};
    usize m_count { 0 };
};

} // namespace net::tcp

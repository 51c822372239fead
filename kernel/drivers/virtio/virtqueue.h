// The driver side of a split virtqueue (virtio 1.2 §2.7), written for an untrusted device: the
// descriptor table and avail ring are only ever written by the driver, and the used ring, the
// only thing the device writes, is validated entry by entry before anything is handed out.
// Pure: the ring memory is passed in as spans; it builds for the kernel and the host.
#pragma once

#include "lib/optional.h"
#include "lib/result.h"
#include "lib/span.h"
#include "lib/string_view.h"

namespace kernel::drivers::virtio {

// Ring sizes in bytes for `size` entries (virtio 1.2 §2.7: descriptors 16 each; avail flags, idx,
// ring[size], used_event; used flags, idx, ring[size] of 8-byte elements, avail_event).
constexpr usize descriptor_table_bytes(u16 size) { return 16 * usize(size); }
constexpr usize avail_ring_bytes(u16 size) { return 6 + 2 * usize(size); }
constexpr usize used_ring_bytes(u16 size) { return 6 + 8 * usize(size); }

struct RingMemory {
    lib::Bytes descriptors; // 16-byte aligned, descriptor_table_bytes(size)
    lib::Bytes avail;       // 2-byte aligned, avail_ring_bytes(size)
    lib::Bytes used;        // 4-byte aligned, used_ring_bytes(size); written by the device
};

// One piece of a buffer: guest-physical address and length, and who writes it.
struct Segment {
    enum class Direction : u8 { DeviceReads, DeviceWrites };
    u64 address;
    u32 length;
    Direction direction;
};

enum class QueueError : u8 {
    Broken,   // the device violated the protocol earlier; the queue is dead
    Full,     // not enough free descriptors for the chain
    BadChain, // empty, longer than max_chain, a zero-length segment, readable after writable, or over 2^32 bytes
};
lib::StringView queue_error_name(QueueError);

// What the device did wrong, kept for the log line.
struct Violation {
    enum class Kind : u8 {
        None,
        IndexJump,       // used.idx moved by more than the number of outstanding buffers
        IdOutOfRange,    // used id >= queue size
        IdNotOutstanding, // used id names a descriptor that is not the head of a posted chain
        LengthTooLarge,  // used len > the writable length posted
        Forced,          // the driver declared the device broken (e.g. a lying config space)
    };
    Kind kind { Kind::None };
    u16 used_idx { 0 };       // the device's used.idx when the violation was seen
    u16 last_used { 0 };      // the driver's consumption index
    u32 id { 0 };
    u32 length { 0 };
    u32 posted { 0 };         // the writable length that was posted under that id
};
lib::StringView violation_name(Violation::Kind);

struct Completion {
    u64 cookie;  // what post() was given
    u32 length;  // bytes the device wrote; <= the writable length posted
};

class Virtqueue {
public:
    static constexpr u16 max_size = 1024;
    static constexpr u16 max_chain = 4;

    Virtqueue() = default;
    Virtqueue(const Virtqueue&) = delete;
    Virtqueue& operator=(const Virtqueue&) = delete;

    // Precondition (VERIFYed): size is a power of two in [1, max_size]; each span is exactly the
    // size for `size` and aligned as RingMemory says. Zeroes the rings. (Not a constructor: the
    // object is ~16 KiB and must not be built on a kernel stack.)
    void init(u16 size, RingMemory memory, bool event_idx);

    // Writes a chain for `segments` into the descriptor table and publishes it in the avail ring.
    // Device-readable segments must come before device-writable ones (virtio 1.2 §2.7.4.2).
    // Fails with: Broken, Full, BadChain.
    lib::Result<void, QueueError> post(lib::Span<const Segment> segments, u64 cookie);
    // The next completed buffer, validated; none when the device has returned nothing new.
    // Fails with: Broken (now or earlier; violation() says what the device did).
    lib::Result<lib::Optional<Completion>, QueueError> pop();
    // After post(): whether the device asked to be notified of what was published since the
    // last call (VIRTIO_F_EVENT_IDX avail_event, else the used ring's NO_NOTIFY flag). The answer
    // is a hint the device controls; a wrong one only costs a notification or delays work.
    bool should_notify();

    // Marks the queue broken (sticky); a later post() or pop() fails with Broken.
    void set_broken(Violation::Kind kind);
    bool is_broken() const { return m_broken; }
    const Violation& violation() const { return m_violation; }
    u16 size() const { return m_size; }
    u16 free_descriptors() const { return m_free_count; }
    u16 outstanding() const { return m_outstanding; }

private:
    struct Shadow {
        u64 cookie { 0 };
        u32 writable { 0 }; // total device-writable bytes in the chain
        u16 next { 0 };     // free-list link, or the next descriptor of a posted chain
        u8 chain { 0 };     // descriptors in the chain (heads only); 0 = not a posted head
    };
    void fail(Violation::Kind, u16 used_idx, u32 id, u32 length, u32 posted);
    u16 load_used_idx() const;

    u16 m_size { 0 };
    RingMemory m_memory {};
    bool m_event_idx { false };
    bool m_broken { false };
    Violation m_violation {};
    // Invariant: the driver's own copy of everything it needs to interpret the device's answers.
    // Nothing is ever read back from the descriptor table or the avail ring, which the device
    // could overwrite; only used.idx, used.ring[] and avail_event come from shared memory.
    Shadow m_shadow[max_size] {};
    u16 m_free_head { 0 };
    u16 m_free_count { 0 };
    u16 m_outstanding { 0 };  // posted chains not yet returned
    u16 m_avail_idx { 0 };    // next avail.idx the driver publishes
    u16 m_last_used { 0 };    // next used.ring slot the driver consumes
    u16 m_notified_avail { 0 }; // avail.idx at the last should_notify()
};

} // namespace kernel::drivers::virtio

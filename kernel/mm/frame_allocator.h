// Physical 4 KiB frame allocator: bitmaps over one contiguous span of physical memory, with
// next-fit search, aligned contiguous runs, and exact-extent frees. Pure: touches no hardware.
#pragma once

#include "lib/result.h"
#include "lib/span.h"
#include "lib/types.h"

namespace kernel::mm {

constexpr u64 page_size = 4096;
constexpr u64 page_shift = 12;
// x86-64 physical addresses have at most 52 bits (MAXPHYADDR <= 52, SDM Vol. 3A 4.1.4).
constexpr u64 physical_address_limit = u64(1) << 52;

enum class FrameError : u8 {
    OutOfMemory,  // no run of free frames fits the request
    NotAllocated, // free() of a frame that does not start a live allocation
    Misaligned,   // free() of an address that is not page-aligned
    OutOfRange,   // free() of frames outside the covered span
    BadCount,     // a count of zero, a count that differs from the allocation's, a bad alignment
};

// Frame states: one bit per frame in each of three bitmaps (`used`, `head`, `reserved`):
//   free           used=0 head=0 reserved=0
//   reserved       used=1 head=0 reserved=1   (never freed; add_free_range() releases it)
//   allocation     used=1 head=1 reserved=0   (first frame of a live allocation)
//   continuation   used=1 head=0 reserved=0   (a later frame of the allocation before it)
// The `reserved` bitmap is what makes an allocation's extent exact: with only `used` and `head`,
// a reserved frame right after an allocation looks like one more frame of it.
class FrameAllocator {
public:
    // u64 words of storage that init() needs for `frame_count` frames (all three bitmaps).
    static usize storage_words_for(u64 frame_count);

    // Covers frames [base_phys, base_phys + frame_count * page_size); every frame starts
    // reserved. The allocator keeps `storage` and never touches memory outside it.
    // Precondition: storage.size() >= storage_words_for(frame_count); base_phys page-aligned;
    // the covered span does not wrap and lies below 2^52 (the x86-64 physical address limit).
    void init(lib::Span<u64> storage, u64 base_phys, u64 frame_count);

    // Reserved frames wholly inside [phys, phys + size) become free (rounds inward to pages,
    // clips to the covered span). Frames of live allocations and free frames are left alone.
    void add_free_range(u64 phys, u64 size);
    // Free frames touching [phys, phys + size) become reserved (rounds outward, clips). Live
    // allocations are left alone: reserving never takes memory away from its owner.
    void reserve_range(u64 phys, u64 size);

    // Returns the physical address of `count` contiguous free frames whose frame number is a
    // multiple of `align_frames`, and marks them allocated.
    // Fails with: BadCount (count 0, or align_frames not a power of two),
    //             OutOfMemory (no such run).
    lib::Result<u64, FrameError> allocate(u64 count, u64 align_frames = 1);

    // Releases exactly one live allocation: `phys` must be the address allocate() returned and
    // `count` the count it was given. On any error nothing changes.
    // Fails with: Misaligned (phys not page-aligned), OutOfRange (outside the covered span),
    //             NotAllocated (phys is not the first frame of a live allocation: free,
    //             reserved, a later frame of an allocation, or a double free),
    //             BadCount (count is 0 or not the allocation's count).
    lib::Result<void, FrameError> free(u64 phys, u64 count);

    u64 free_frames() const { return m_free_count; }
    u64 total_frames() const { return m_frame_count; }
    u64 base() const { return m_base; }
    // True when the frame holding `phys` is covered and free.
    bool is_free(u64 phys) const;
    // True when the frame holding `phys` is covered and reserved.
    bool is_reserved(u64 phys) const;

    // Recounts everything from the bitmaps and checks every invariant stated above the members.
    bool check_invariants() const;

private:
    // proofs/kernel/mm/frame_allocator.cpp: starts the proofs from any state the invariants allow.
    friend struct FrameAllocatorProof;

    bool test(lib::Span<u64> bitmap, u64 frame) const;
    bool is_continuation(u64 frame) const;
    // First frame in [from, to) whose `used` bit is clear (wanted_used false) or set (true);
    // `to` when there is none. Word at a time.
    u64 find_in_used(u64 from, u64 to, bool wanted_used) const;
    bool find_run(u64 from, u64 to, u64 count, u64 align, u64& out) const;
    // Marks the free run [start, start + count) as one allocation (head at `start`), moves the
    // hint past it and returns its physical address. allocate() is the gate (count), the two
    // searches and this, each proved on its own (proofs/kernel/mm/frame_allocator.cpp).
    u64 commit(u64 start, u64 count);
    // Clamps [phys, phys+size) to covered frame indices, rounding inward or outward.
    bool frame_range(u64 phys, u64 size, bool round_outward, u64& first, u64& end) const;

    // Invariant: each bitmap has m_words words; bit i of word w describes frame 64*w + i.
    // Bits past m_frame_count in the last word are used=1, reserved=1, head=0, so the padding
    // is never found free and never looks like part of an allocation.
    // Invariant: head & ~used == 0, reserved & ~used == 0, head & reserved == 0.
    // Invariant: every continuation frame (used, not head, not reserved) directly follows a head
    // or another continuation frame.
    lib::Span<u64> m_used;
    lib::Span<u64> m_head;
    lib::Span<u64> m_reserved;
    usize m_words { 0 };
    // Invariant: page-aligned; m_base + m_frame_count * page_size <= 2^52.
    u64 m_base { 0 };
    u64 m_frame_count { 0 };
    // Invariant: the number of zero bits in m_used (the padding bits are set).
    u64 m_free_count { 0 };
    // Invariant: m_hint < m_frame_count, or 0 when there are no frames. Where the next search
    // starts (next fit): one past the last allocation.
    u64 m_hint { 0 };
};

} // namespace kernel::mm

// Harnesses for kernel/mm/frame_allocator.{h,cpp} against spec/kernel/mm/frame_allocator.smt2:
// allocate() and free() from any state the invariants allow, over up to 128 frames.
#include "proofs/harness.h"

#include "kernel/mm/frame_allocator.h"

using kernel::mm::FrameAllocator;
using kernel::mm::FrameError;

#define BW_MAPS u64 used_lo, u64 used_hi, u64 head_lo, u64 head_hi, u64 res_lo, u64 res_hi
BW_SPEC(bool, fa_consistent, BW_MAPS, u64 frames, u64 free_count, u64 hint);
BW_SPEC(bool, fa_allocate_bad_count, u64 count, u64 align);
BW_SPEC(bool, fa_run_fits, u64 used_lo, u64 used_hi, u64 frames, u64 base, u64 start, u64 count, u64 align);
BW_SPEC(bool, fa_allocated, BW_MAPS, u64 frames, u64 base, u64 free_count, u64 count, u64 align, u64 address,
        u64 used2_lo, u64 used2_hi, u64 head2_lo, u64 head2_hi, u64 res2_lo, u64 res2_hi, u64 free_count2);
BW_SPEC(bool, fa_free_valid, BW_MAPS, u64 frames, u64 base, u64 phys, u64 count);
BW_SPEC(bool, fa_freed, BW_MAPS, u64 base, u64 free_count, u64 phys, u64 count, u64 used2_lo, u64 used2_hi,
        u64 head2_lo, u64 head2_hi, u64 res2_lo, u64 res2_hi, u64 free_count2);
#undef BW_MAPS

namespace kernel::mm {

// The allocator's state as the spec sees it: three two-word maps (frame i at bit i), the free
// count and the hint.
struct FrameAllocatorProof {
    struct Map {
        u64 lo, hi;
        bool operator==(const Map&) const = default;
    };
    struct Snapshot {
        Map used, head, reserved;
        u64 free_count, hint;
        bool operator==(const Snapshot&) const = default;
    };
    static Map map(lib::Span<u64> bitmap) { return { bitmap[0], bitmap[1] }; }
    static Snapshot snapshot(const FrameAllocator& a)
    {
        return { map(a.m_used), map(a.m_head), map(a.m_reserved), a.m_free_count, a.m_hint };
    }
    static void set_counts(FrameAllocator& a, u64 free_count, u64 hint)
    {
        a.m_free_count = free_count;
        a.m_hint = hint;
    }
};

} // namespace kernel::mm

using Proof = kernel::mm::FrameAllocatorProof;

namespace {

// Bound: an allocator of 100 frames: one full bitmap word and one partial word with 28 padding
// bits, so every statement runs, on both sides of the word boundary and at the padding. The code
// treats every word alike (loops over words, per-word masks), so more words add no new behaviour;
// a nondeterministic frame count made every bitmap access a symbolic offset and the solver did not
// come back within minutes. The kernel's allocator covers far more frames.
constexpr u64 frames = 100;
constexpr u64 frames_max = 128;
u64 g_storage[3 * (frames_max / 64)];
FrameAllocator g_allocator;

struct Setup {
    u64 frames, base;
    Proof::Snapshot before;
};

// Any consistent state of an allocator over 65..128 frames at any page-aligned base that init()
// accepts: init() lays out the bitmaps, then every bitmap bit, the free count and the hint are
// nondeterministic, restricted only by the spec's invariant.
Setup any_state()
{
    Setup s {};
    s.frames = frames;
    s.base = bw_nondet_u64();
    bw_assume((s.base & (kernel::mm::page_size - 1)) == 0 && s.base < kernel::mm::physical_address_limit);
    bw_assume(s.frames <= (kernel::mm::physical_address_limit - s.base) >> kernel::mm::page_shift);
    g_allocator.init(lib::Span<u64>(g_storage, 3 * (frames_max / 64)), s.base, s.frames);
    bw_nondet_bytes(g_storage, sizeof(g_storage));
    Proof::set_counts(g_allocator, bw_nondet_u64(), bw_nondet_u64());
    s.before = Proof::snapshot(g_allocator);
    bw_assume(spec_fa_consistent(s.before.used.lo, s.before.used.hi, s.before.head.lo, s.before.head.hi, s.before.reserved.lo, s.before.reserved.hi, s.frames, s.before.free_count,
                                 s.before.hint));
    return s;
}

void assert_consistent(const Setup& s, const Proof::Snapshot& after)
{
    bw_assert(spec_fa_consistent(after.used.lo, after.used.hi, after.head.lo, after.head.hi, after.reserved.lo, after.reserved.hi, s.frames, after.free_count, after.hint),
              "fa_consistent");
}

} // namespace

// allocate(count, align) from any consistent state: BadCount exactly for the contract's bad
// arguments; a returned address is a free, aligned run of `count` frames, now marked; OutOfMemory
// only when no run fits (checked against a nondeterministic candidate start, so for every start);
// on error nothing changes; the invariant holds afterwards.
extern "C" void harness_frame_allocate()
{
    bw_unwind(frames_max + 8); // find_run's search visits each frame at most once (frame_allocator.cpp)
    Setup s = any_state();
    u64 count = bw_nondet_u64(), align = bw_nondet_u64();
    auto result = g_allocator.allocate(count, align);
    Proof::Snapshot after = Proof::snapshot(g_allocator);
    assert_consistent(s, after);
    bool bad_count = result.is_error() && result.error() == FrameError::BadCount;
    bw_assert(bad_count == spec_fa_allocate_bad_count(count, align), "fa_allocate_bad_count");
    if (result.is_ok()) {
        bw_assert(spec_fa_allocated(s.before.used.lo, s.before.used.hi, s.before.head.lo, s.before.head.hi, s.before.reserved.lo, s.before.reserved.hi, s.frames, s.base,
                                    s.before.free_count, count, align, result.value(), after.used.lo, after.used.hi, after.head.lo, after.head.hi,
                                    after.reserved.lo, after.reserved.hi, after.free_count),
                  "fa_allocated");
        return;
    }
    bw_assert(s.before == after, "fa_unchanged_on_error");
    u64 start = bw_nondet_u64();
    bw_assert(bad_count || !spec_fa_run_fits(s.before.used.lo, s.before.used.hi, s.frames, s.base, start, count, align),
              "fa_out_of_memory_exact");
}

// free(phys, count) from any consistent state: accepted exactly for a live allocation's address
// and length; then exactly its frames are free again and the count grew by `count`; on error
// nothing changes; the invariant holds afterwards.
extern "C" void harness_frame_free()
{
    bw_unwind(frames_max + 8); // the continuation scan visits each frame of the allocation once
    Setup s = any_state();
    bw_merge_paths(); // the scan's early exits (one per frame) rejoin at free()'s return
    u64 phys = bw_nondet_u64(), count = bw_nondet_u64();
    auto result = g_allocator.free(phys, count);
    Proof::Snapshot after = Proof::snapshot(g_allocator);
    assert_consistent(s, after);
    bw_assert(result.is_ok() == spec_fa_free_valid(s.before.used.lo, s.before.used.hi, s.before.head.lo, s.before.head.hi, s.before.reserved.lo, s.before.reserved.hi, s.frames, s.base,
                                                   phys, count),
              "fa_free_valid");
    if (result.is_ok())
        bw_assert(spec_fa_freed(s.before.used.lo, s.before.used.hi, s.before.head.lo, s.before.head.hi, s.before.reserved.lo, s.before.reserved.hi, s.base, s.before.free_count, phys,
                                count, after.used.lo, after.used.hi, after.head.lo, after.head.hi, after.reserved.lo, after.reserved.hi, after.free_count),
                  "fa_freed");
    else
        bw_assert(s.before == after, "fa_unchanged_on_error");
}

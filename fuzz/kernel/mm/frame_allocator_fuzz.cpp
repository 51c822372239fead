// Fuzz target for the physical frame allocator (kernel/mm/frame_allocator.h), as a state machine.
//
// Input format: a header { frames u16 (mod 1100), base_frame u32 } then a script of operations,
// each an opcode byte (mod 6) and its arguments, little endian:
//   0 allocate      count u8 (0 is a legal, refused request), align u8: bit 7 set -> the raw
//                   low 7 bits (0 and non-powers of two are refused), else 1 << (low bits mod 10)
//   1 free live     index u8: frees the index-th live allocation (mod their number) exactly
//   2 free any      frame i16 relative to base, misalign u8 (bytes added), count u8
//   3 reserve_range offset i32 (bytes, relative to base), size u32
//   4 add_free_range offset i32, size u32
//   5 allocate big  count u16, align_shift u8 (mod 12)
// The allocator covers [base, base + frames pages) with base = base_frame pages (kept below 2^52).
//
// Oracle: a model with one state per frame (free, reserved, allocation head, continuation) and
// the same next-fit rule as the spec (first aligned fit at or after the hint, then from frame 0)
// predicts every result and error code exactly; after every step check_invariants() holds and
// free_frames(), is_free() and is_reserved() agree with the model for every frame. The bitmaps
// live in an exact-size heap buffer, so ASan catches any write outside storage_words_for().
#include "fuzz/fuzz.h"
#include "kernel/mm/frame_allocator.h"

#include <memory>
#include <vector>

using fuzz::Input;
namespace mm = kernel::mm;
using mm::FrameAllocator;
using mm::FrameError;

namespace {

constexpr u64 page = mm::page_size;

enum class State : u8 { Free, Reserved, Head, Continuation };

struct Model {
    u64 base { 0 };
    std::vector<State> frames;
    u64 hint { 0 };

    u64 free_count() const
    {
        u64 n = 0;
        for (State s : frames)
            n += s == State::Free;
        return n;
    }
    bool fits(u64 start, u64 count) const
    {
        if (start > frames.size() || count > frames.size() - start)
            return false;
        for (u64 i = start; i < start + count; ++i) {
            if (frames[i] != State::Free)
                return false;
        }
        return true;
    }
    bool find(u64 count, u64 align, u64& out) const
    {
        u64 first_pfn = base / page;
        for (int pass = 0; pass < 2; ++pass) {
            u64 from = pass == 0 ? hint : 0;
            u64 to = pass == 0 ? frames.size() : hint;
            for (u64 s = from; s < to; ++s) {
                if ((first_pfn + s) % align == 0 && fits(s, count)) {
                    out = s;
                    return true;
                }
            }
        }
        return false;
    }
    u64 allocation_length(u64 head) const
    {
        u64 n = 1;
        while (head + n < frames.size() && frames[head + n] == State::Continuation)
            ++n;
        return n;
    }
    // Frames [first, end) that the byte range covers, rounded inward or outward, clipped.
    bool covered(u64 phys, u64 size, bool outward, u64& first, u64& end) const
    {
        if (size == 0)
            return false;
        unsigned __int128 lo = phys;
        unsigned __int128 hi = (unsigned __int128)phys + size;
        if (outward) {
            lo = lo / page * page;
            hi = (hi + page - 1) / page * page;
        } else {
            lo = (lo + page - 1) / page * page;
            hi = hi / page * page;
        }
        unsigned __int128 cover_end = base + frames.size() * page;
        lo = lo < base ? base : lo;
        hi = hi > cover_end ? cover_end : hi;
        if (lo >= hi)
            return false;
        first = u64((lo - base) / page);
        end = u64((hi - base) / page);
        return true;
    }
};

struct System {
    std::unique_ptr<u64[]> storage;
    FrameAllocator allocator;
    Model model;
};

void check_agrees(const System& s)
{
    FUZZ_CHECK(s.allocator.check_invariants(), "check_invariants() holds after every operation");
    FUZZ_CHECK(s.allocator.free_frames() == s.model.free_count(), "free_frames() agrees with the model");
    FUZZ_CHECK(s.allocator.total_frames() == s.model.frames.size() && s.allocator.base() == s.model.base, "coverage unchanged");
    for (u64 i = 0; i < s.model.frames.size(); ++i) {
        u64 phys = s.model.base + i * page;
        FUZZ_CHECK(s.allocator.is_free(phys + i % page) == (s.model.frames[i] == State::Free), "is_free() agrees with the model");
        FUZZ_CHECK(s.allocator.is_reserved(phys) == (s.model.frames[i] == State::Reserved), "is_reserved() agrees with the model");
    }
    u64 end = s.model.base + s.model.frames.size() * page;
    FUZZ_CHECK(!s.allocator.is_free(end) && !s.allocator.is_reserved(end), "nothing past the covered span is free or reserved");
    if (s.model.base >= page)
        FUZZ_CHECK(!s.allocator.is_free(s.model.base - 1), "nothing below the covered span is free");
}

void do_allocate(System& s, u64 count, u64 align)
{
    auto result = s.allocator.allocate(count, align);
    if (count == 0 || align == 0 || (align & (align - 1)) != 0) {
        FUZZ_CHECK(result.is_error() && result.error() == FrameError::BadCount, "count 0 or a bad alignment is BadCount");
        return;
    }
    u64 expected = 0;
    bool fits = s.model.find(count, align, expected);
    FUZZ_CHECK(result.is_ok() == fits, "allocate() succeeds exactly when next fit finds a run");
    if (!fits) {
        FUZZ_CHECK(result.error() == FrameError::OutOfMemory, "no run is OutOfMemory");
        return;
    }
    u64 phys = result.value();
    FUZZ_CHECK(phys == s.model.base + expected * page, "allocate() returns the next-fit run");
    FUZZ_CHECK((phys / page) % align == 0, "the run is aligned");
    for (u64 i = expected; i < expected + count; ++i)
        s.model.frames[i] = i == expected ? State::Head : State::Continuation;
    s.model.hint = (expected + count) % s.model.frames.size();
}

void do_free(System& s, u64 phys, u64 count)
{
    auto result = s.allocator.free(phys, count);
    const Model& m = s.model;
    if (phys % page != 0) {
        FUZZ_CHECK(result.is_error() && result.error() == FrameError::Misaligned, "free of an unaligned address is Misaligned");
        return;
    }
    if (phys < m.base || (phys - m.base) / page >= m.frames.size()) {
        FUZZ_CHECK(result.is_error() && result.error() == FrameError::OutOfRange, "free outside the span is OutOfRange");
        return;
    }
    u64 frame = (phys - m.base) / page;
    if (m.frames[frame] != State::Head) {
        FUZZ_CHECK(result.is_error() && result.error() == FrameError::NotAllocated, "free of a non-head frame is NotAllocated");
        return;
    }
    if (count != m.allocation_length(frame)) {
        FUZZ_CHECK(result.is_error() && result.error() == FrameError::BadCount, "free with the wrong count is BadCount");
        return;
    }
    FUZZ_CHECK(result.is_ok(), "an exact free succeeds");
    for (u64 i = frame; i < frame + count; ++i)
        s.model.frames[i] = State::Free;
}

void do_range(System& s, u64 phys, u64 size, bool reserve)
{
    u64 first = 0, end = 0;
    if (s.model.covered(phys, size, reserve, first, end)) {
        for (u64 i = first; i < end; ++i) {
            State& st = s.model.frames[i];
            if (reserve && st == State::Free)
                st = State::Reserved;
            else if (!reserve && st == State::Reserved)
                st = State::Free;
        }
    }
    if (reserve)
        s.allocator.reserve_range(phys, size);
    else
        s.allocator.add_free_range(phys, size);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in(data, size);
    u64 frames = in.take16() % 1100;
    // Keep base + frames pages below 2^52 (the allocator's precondition).
    u64 base_frame = in.take32() % ((mm::physical_address_limit / page) - frames);

    System s;
    usize words = FrameAllocator::storage_words_for(frames);
    s.storage.reset(new u64[words ? words : 1]);
    for (usize i = 0; i < words; ++i)
        s.storage[i] = 0xa5a5a5a5a5a5a5a5ull; // Stale contents: init() must set every word.
    s.model.base = base_frame * page;
    s.model.frames.assign(frames, State::Reserved);
    s.allocator.init(lib::Span<u64>(s.storage.get(), words), s.model.base, frames);
    check_agrees(s);

    for (int step = 0; step < 256 && !in.done(); ++step) {
        u8 op = in.take8() % 6;
        switch (op) {
        case 0: {
            u64 count = in.take8();
            u8 a = in.take8();
            do_allocate(s, count, (a & 0x80) ? (a & 0x7f) : u64(1) << ((a & 0x7f) % 10));
            break;
        }
        case 1: {
            std::vector<u64> heads;
            for (u64 i = 0; i < frames; ++i) {
                if (s.model.frames[i] == State::Head)
                    heads.push_back(i);
            }
            u8 index = in.take8();
            if (!heads.empty()) {
                u64 h = heads[index % heads.size()];
                do_free(s, s.model.base + h * page, s.model.allocation_length(h));
            }
            break;
        }
        case 2: {
            i64 frame = i16(in.take16());
            u64 misalign = in.take8();
            u64 count = in.take8();
            do_free(s, s.model.base + u64(frame) * page + misalign, count);
            break;
        }
        case 3:
        case 4: {
            i64 offset = i32(in.take32());
            u64 range = in.take32();
            do_range(s, s.model.base + u64(offset), range, op == 3);
            break;
        }
        case 5: {
            u64 count = in.take16();
            do_allocate(s, count, u64(1) << (in.take8() % 12));
            break;
        }
        }
        check_agrees(s);
    }
    return 0;
}

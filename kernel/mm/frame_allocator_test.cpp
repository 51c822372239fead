// Tests for the physical frame allocator: every error path, then random operation sequences
// checked step by step against a plain model (a frame-state array with the same next-fit rule).
#include "kernel/mm/frame_allocator.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <map>
#include <vector>

using kernel::mm::FrameAllocator;
using kernel::mm::FrameError;
using kernel::mm::page_size;

namespace {

struct Fixture {
    std::vector<u64> storage;
    FrameAllocator allocator;

    Fixture(u64 base, u64 frames)
    {
        storage.assign(FrameAllocator::storage_words_for(frames), 0xa5a5a5a5a5a5a5a5ull);
        allocator.init(lib::Span<u64>(storage.data(), storage.size()), base, frames);
    }
};

constexpr u64 base = 0x100000;

// A failed free must leave every bit as it was.
void expect_free_fails(Fixture& f, u64 phys, u64 count, FrameError expected)
{
    std::vector<u64> before = f.storage;
    u64 free_before = f.allocator.free_frames();
    auto result = f.allocator.free(phys, count);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), expected);
    EXPECT_EQ(f.storage, before);
    EXPECT_EQ(f.allocator.free_frames(), free_before);
    EXPECT_TRUE(f.allocator.check_invariants());
}

} // namespace

TEST(FrameAllocator, StorageWords)
{
    EXPECT_EQ(FrameAllocator::storage_words_for(0), 0u);
    EXPECT_EQ(FrameAllocator::storage_words_for(1), 3u);
    EXPECT_EQ(FrameAllocator::storage_words_for(64), 3u);
    EXPECT_EQ(FrameAllocator::storage_words_for(65), 6u);
    EXPECT_EQ(FrameAllocator::storage_words_for(~u64(0)), 3 * (u64(1) << 58));
}

TEST(FrameAllocator, StartsAllReserved)
{
    Fixture f(base, 100);
    EXPECT_EQ(f.allocator.total_frames(), 100u);
    EXPECT_EQ(f.allocator.free_frames(), 0u);
    EXPECT_TRUE(f.allocator.is_reserved(base));
    EXPECT_TRUE(f.allocator.check_invariants());
    auto r = f.allocator.allocate(1);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), FrameError::OutOfMemory);
    // A reserved frame can never be freed.
    expect_free_fails(f, base, 1, FrameError::NotAllocated);
}

TEST(FrameAllocator, EmptyAllocator)
{
    FrameAllocator a;
    EXPECT_TRUE(a.check_invariants());
    EXPECT_EQ(a.allocate(1).error(), FrameError::OutOfMemory);
    EXPECT_EQ(a.free(0, 1).error(), FrameError::OutOfRange);
    a.add_free_range(0, ~u64(0));
    EXPECT_EQ(a.free_frames(), 0u);
    EXPECT_FALSE(a.is_free(0));
}

TEST(FrameAllocator, AddFreeRangeRoundsInwardAndClips)
{
    Fixture f(base, 100);
    f.allocator.add_free_range(base + 1, 2 * page_size); // only [base+4K, base+8K) is whole
    EXPECT_EQ(f.allocator.free_frames(), 1u);
    EXPECT_FALSE(f.allocator.is_free(base));
    EXPECT_TRUE(f.allocator.is_free(base + page_size));
    EXPECT_FALSE(f.allocator.is_free(base + 2 * page_size));

    f.allocator.add_free_range(base + page_size, page_size - 1); // less than a page: nothing
    f.allocator.add_free_range(base + 5 * page_size, 0);
    EXPECT_EQ(f.allocator.free_frames(), 1u);

    // Below and above the covered span: clipped away.
    f.allocator.add_free_range(0, base + page_size);
    EXPECT_EQ(f.allocator.free_frames(), 2u);
    f.allocator.add_free_range(base + 99 * page_size, 1000 * page_size);
    EXPECT_EQ(f.allocator.free_frames(), 3u);
    EXPECT_TRUE(f.allocator.is_free(base + 99 * page_size));
    EXPECT_FALSE(f.allocator.is_free(base + 100 * page_size));

    // Wrapping past 2^64 is clipped, not wrapped.
    f.allocator.add_free_range(base + 50 * page_size, ~u64(0));
    EXPECT_EQ(f.allocator.free_frames(), 3u + 49u);
    f.allocator.add_free_range(~u64(0) - 10, 100); // start rounds up past 2^64
    EXPECT_EQ(f.allocator.free_frames(), 3u + 49u);
    EXPECT_TRUE(f.allocator.check_invariants());
}

TEST(FrameAllocator, ReserveRoundsOutwardAndSparesAllocations)
{
    Fixture f(base, 64);
    f.allocator.add_free_range(base, 64 * page_size);
    u64 a = f.allocator.allocate(2).release_value();
    EXPECT_EQ(a, base);
    // One byte of frame 3 and one of frame 4 reserve both frames; frames 0-1 stay allocated.
    f.allocator.reserve_range(base + 3 * page_size + page_size - 1, 2);
    EXPECT_TRUE(f.allocator.is_reserved(base + 3 * page_size));
    EXPECT_TRUE(f.allocator.is_reserved(base + 4 * page_size));
    EXPECT_FALSE(f.allocator.is_reserved(base + 5 * page_size));
    EXPECT_EQ(f.allocator.free_frames(), 64u - 2 - 2);
    f.allocator.reserve_range(base, 2 * page_size); // the live allocation is not taken
    EXPECT_FALSE(f.allocator.is_reserved(base));
    EXPECT_TRUE(f.allocator.free(a, 2).is_ok());
    EXPECT_EQ(f.allocator.free_frames(), 64u - 2);
    f.allocator.reserve_range(0, ~u64(0)); // wraps: clipped, reserves everything free
    EXPECT_EQ(f.allocator.free_frames(), 0u);
    EXPECT_TRUE(f.allocator.check_invariants());
}

TEST(FrameAllocator, AllocationNextToReservedFrameFreesExactly)
{
    // With only used/head bitmaps a reserved frame after an allocation would look like part of
    // it; the reserved bitmap keeps the extent exact.
    Fixture f(base, 8);
    f.allocator.add_free_range(base, 2 * page_size);
    u64 a = f.allocator.allocate(2).release_value();
    expect_free_fails(f, a, 3, FrameError::BadCount);
    EXPECT_TRUE(f.allocator.free(a, 2).is_ok());
    EXPECT_EQ(f.allocator.free_frames(), 2u);
}

TEST(FrameAllocator, NextFitAndWrap)
{
    Fixture f(base, 8);
    f.allocator.add_free_range(base, 8 * page_size);
    for (u64 i = 0; i < 8; ++i)
        EXPECT_EQ(f.allocator.allocate(1).release_value(), base + i * page_size);
    EXPECT_EQ(f.allocator.allocate(1).error(), FrameError::OutOfMemory);
    EXPECT_TRUE(f.allocator.free(base + 2 * page_size, 1).is_ok());
    EXPECT_TRUE(f.allocator.free(base + 6 * page_size, 1).is_ok());
    // The hint wrapped to 0 after the last frame: the search finds frame 2 first.
    EXPECT_EQ(f.allocator.allocate(1).release_value(), base + 2 * page_size);
    EXPECT_EQ(f.allocator.allocate(1).release_value(), base + 6 * page_size);
    EXPECT_TRUE(f.allocator.check_invariants());
}

TEST(FrameAllocator, AlignmentIsOfTheFrameNumber)
{
    // base is frame 0x101: aligned runs are found by absolute frame number, not index.
    Fixture f(0x101000, 64);
    f.allocator.add_free_range(0x101000, 64 * page_size);
    u64 a = f.allocator.allocate(3, 8).release_value();
    EXPECT_EQ(a, 0x108000u);
    u64 b = f.allocator.allocate(1, 16).release_value();
    EXPECT_EQ(b, 0x110000u);
    EXPECT_EQ(f.allocator.allocate(1, u64(1) << 40).error(), FrameError::OutOfMemory);
    EXPECT_EQ(f.allocator.allocate(1, u64(1) << 63).error(), FrameError::OutOfMemory);
    EXPECT_TRUE(f.allocator.check_invariants());
}

TEST(FrameAllocator, BadRequests)
{
    Fixture f(base, 64);
    f.allocator.add_free_range(base, 64 * page_size);
    EXPECT_EQ(f.allocator.allocate(0).error(), FrameError::BadCount);
    EXPECT_EQ(f.allocator.allocate(1, 0).error(), FrameError::BadCount);
    EXPECT_EQ(f.allocator.allocate(1, 3).error(), FrameError::BadCount);
    EXPECT_EQ(f.allocator.allocate(65).error(), FrameError::OutOfMemory);
    EXPECT_EQ(f.allocator.allocate(~u64(0)).error(), FrameError::OutOfMemory);
    EXPECT_EQ(f.allocator.free_frames(), 64u);
}

TEST(FrameAllocator, FragmentationIsOutOfMemory)
{
    Fixture f(base, 16);
    f.allocator.add_free_range(base, 16 * page_size);
    for (u64 i = 0; i < 16; ++i)
        (void)f.allocator.allocate(1).release_value();
    for (u64 i = 0; i < 16; i += 2)
        EXPECT_TRUE(f.allocator.free(base + i * page_size, 1).is_ok());
    EXPECT_EQ(f.allocator.free_frames(), 8u);
    EXPECT_EQ(f.allocator.allocate(2).error(), FrameError::OutOfMemory);
    EXPECT_TRUE(f.allocator.allocate(1).is_ok());
}

TEST(FrameAllocator, FreeErrorsChangeNothing)
{
    Fixture f(base, 200);
    f.allocator.add_free_range(base, 150 * page_size);
    u64 a = f.allocator.allocate(3).release_value();  // frames 0-2
    u64 b = f.allocator.allocate(70).release_value(); // frames 3-72, spans a word boundary
    EXPECT_EQ(b, a + 3 * page_size);

    expect_free_fails(f, a + 1, 3, FrameError::Misaligned);
    expect_free_fails(f, base - page_size, 1, FrameError::OutOfRange);
    expect_free_fails(f, base + 200 * page_size, 1, FrameError::OutOfRange);
    expect_free_fails(f, ~u64(0) & ~(page_size - 1), 1, FrameError::OutOfRange);
    expect_free_fails(f, a + page_size, 2, FrameError::NotAllocated);   // middle of `a`
    expect_free_fails(f, base + 100 * page_size, 1, FrameError::NotAllocated); // free frame
    expect_free_fails(f, base + 180 * page_size, 1, FrameError::NotAllocated); // reserved
    expect_free_fails(f, a, 0, FrameError::BadCount);
    expect_free_fails(f, a, 2, FrameError::BadCount);   // too short
    expect_free_fails(f, a, 4, FrameError::BadCount);   // too long: into `b`
    expect_free_fails(f, b, 69, FrameError::BadCount);
    expect_free_fails(f, b, 71, FrameError::BadCount);  // too long: into free frames
    expect_free_fails(f, b, 500, FrameError::BadCount); // past the covered span

    EXPECT_TRUE(f.allocator.free(b, 70).is_ok());
    expect_free_fails(f, b, 70, FrameError::NotAllocated); // double free
    EXPECT_TRUE(f.allocator.free(a, 3).is_ok());
    EXPECT_EQ(f.allocator.free_frames(), 150u);
}

TEST(FrameAllocator, LastFrameAndPadding)
{
    Fixture f(base, 65);
    f.allocator.add_free_range(base, 65 * page_size);
    u64 a = f.allocator.allocate(65).release_value();
    EXPECT_EQ(a, base);
    EXPECT_EQ(f.allocator.free_frames(), 0u);
    EXPECT_TRUE(f.allocator.check_invariants());
    EXPECT_TRUE(f.allocator.free(a, 65).is_ok());
    EXPECT_EQ(f.allocator.free_frames(), 65u);
}

TEST(FrameAllocator, ManySingleAllocationsAreFast)
{
    // 1M frames (4 GiB): next fit keeps this linear; a first-fit scan would take minutes.
    constexpr u64 frames = 1 << 20;
    Fixture f(0, frames);
    f.allocator.add_free_range(0, frames * page_size);
    for (u64 i = 0; i < frames; ++i)
        ASSERT_EQ(f.allocator.allocate(1).release_value(), i * page_size);
    EXPECT_EQ(f.allocator.allocate(1).error(), FrameError::OutOfMemory);
    EXPECT_TRUE(f.allocator.check_invariants());
}

TEST(FrameAllocator, CheckInvariantsCatchesCorruption)
{
    // words: [used | head | reserved], one word each for 64 frames.
    Fixture f(base, 64);
    f.allocator.add_free_range(base, 32 * page_size);
    (void)f.allocator.allocate(4).release_value();
    ASSERT_TRUE(f.allocator.check_invariants());
    std::vector<u64> good = f.storage;

    f.storage[1] |= u64(1) << 10; // head on a free frame
    EXPECT_FALSE(f.allocator.check_invariants());
    f.storage = good;
    f.storage[2] |= u64(1) << 1; // frame 1 turns reserved: frame 2 is an orphan continuation
    EXPECT_FALSE(f.allocator.check_invariants());
    f.storage = good;
    f.storage[0] |= u64(1) << 20; // orphan continuation, and the free count is off
    EXPECT_FALSE(f.allocator.check_invariants());
    f.storage = good;
    f.storage[0] &= ~(u64(1) << 40); // a reserved frame freed behind its back: count is off
    f.storage[2] &= ~(u64(1) << 40);
    EXPECT_FALSE(f.allocator.check_invariants());
    f.storage = good;
    EXPECT_TRUE(f.allocator.check_invariants());

    Fixture g(base, 10); // padding bits must stay used+reserved
    g.storage[0] &= ~(u64(1) << 63);
    EXPECT_FALSE(g.allocator.check_invariants());
}

// ---- Property tests against a model ----

namespace {

enum class State : u8 { Free, Reserved, Head, Continuation };

// The allocator's specification in the plainest form: one state per frame and the same
// next-fit rule (first aligned fit at or after the hint, then from frame 0).
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
        if (start + count > frames.size())
            return false;
        for (u64 i = start; i < start + count; ++i) {
            if (frames[i] != State::Free)
                return false;
        }
        return true;
    }
    bool expected_allocation(u64 count, u64 align, u64& out) const
    {
        u64 first_pfn = base / page_size;
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
    // The frames [first, end) that a byte range covers, rounded inward or outward and clipped.
    bool covered(u64 phys, u64 size, bool outward, u64& first, u64& end) const
    {
        if (size == 0)
            return false;
        unsigned __int128 lo = phys;
        unsigned __int128 hi = (unsigned __int128)phys + size;
        if (outward) {
            lo = lo / page_size * page_size;
            hi = (hi + page_size - 1) / page_size * page_size;
        } else {
            lo = (lo + page_size - 1) / page_size * page_size;
            hi = hi / page_size * page_size;
        }
        unsigned __int128 cover_end = base + frames.size() * page_size;
        if (lo < base)
            lo = base;
        if (hi > cover_end)
            hi = cover_end;
        if (lo >= hi)
            return false;
        first = u64((lo - base) / page_size);
        end = u64((hi - base) / page_size);
        return true;
    }
    u64 allocation_length(u64 head) const
    {
        u64 n = 1;
        while (head + n < frames.size() && frames[head + n] == State::Continuation)
            ++n;
        return n;
    }
};

struct System {
    std::vector<u64> storage;
    FrameAllocator allocator;
    Model model;
};

void check_agrees(const System& s)
{
    RC_ASSERT(s.allocator.check_invariants());
    RC_ASSERT(s.allocator.free_frames() == s.model.free_count());
    for (u64 i = 0; i < s.model.frames.size(); ++i) {
        u64 phys = s.model.base + i * page_size;
        RC_ASSERT(s.allocator.is_free(phys) == (s.model.frames[i] == State::Free));
        RC_ASSERT(s.allocator.is_reserved(phys) == (s.model.frames[i] == State::Reserved));
    }
}

void do_allocate(System& s, u64 count, u64 align)
{
    u64 expected = 0;
    bool fits = s.model.expected_allocation(count, align, expected);
    auto result = s.allocator.allocate(count, align);
    RC_ASSERT(result.is_ok() == fits);
    if (!fits) {
        RC_ASSERT(result.error() == FrameError::OutOfMemory);
        return;
    }
    u64 phys = result.value();
    RC_ASSERT(phys == s.model.base + expected * page_size);
    RC_ASSERT((phys / page_size) % align == 0);
    for (u64 i = expected; i < expected + count; ++i) {
        RC_ASSERT(s.model.frames[i] == State::Free);
        s.model.frames[i] = i == expected ? State::Head : State::Continuation;
    }
    s.model.hint = (expected + count) % s.model.frames.size();
}

void do_free(System& s, u64 frame, u64 count)
{
    u64 phys = s.model.base + frame * page_size;
    bool exact = frame < s.model.frames.size() && s.model.frames[frame] == State::Head
        && s.model.allocation_length(frame) == count;
    auto result = s.allocator.free(phys, count);
    RC_ASSERT(result.is_ok() == exact);
    if (exact) {
        for (u64 i = frame; i < frame + count; ++i)
            s.model.frames[i] = State::Free;
    }
}

void do_range(System& s, u64 phys, u64 size, bool reserve)
{
    u64 first = 0;
    u64 end = 0;
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

// Addresses near and inside the covered span, at and off page boundaries.
rc::Gen<u64> gen_phys(u64 base, u64 frames)
{
    return rc::gen::oneOf(
        rc::gen::map(rc::gen::inRange<u64>(0, frames + 4), [base](u64 f) { return base - 2 * page_size + f * page_size; }),
        rc::gen::map(rc::gen::inRange<u64>(0, (frames + 4) * page_size), [base](u64 off) { return base - 2 * page_size + off; }),
        rc::gen::arbitrary<u64>());
}

rc::Gen<u64> gen_size(u64 frames)
{
    return rc::gen::oneOf(rc::gen::map(rc::gen::inRange<u64>(0, frames + 2), [](u64 n) { return n * page_size; }),
        rc::gen::inRange<u64>(0, (frames + 2) * page_size), rc::gen::arbitrary<u64>());
}

} // namespace

RC_GTEST_PROP(FrameAllocatorProperty, RandomOperationsAgreeWithModel, ())
{
    u64 frames = *rc::gen::inRange<u64>(1, 300);
    u64 base_frame = *rc::gen::inRange<u64>(0, 1024);
    System s;
    s.model.base = base_frame * page_size;
    s.model.frames.assign(frames, State::Reserved);
    s.storage.assign(FrameAllocator::storage_words_for(frames), 0);
    s.allocator.init(lib::Span<u64>(s.storage.data(), s.storage.size()), s.model.base, frames);
    check_agrees(s);

    // Most of the space free to start, so allocation is exercised.
    do_range(s, s.model.base + *rc::gen::inRange<u64>(0, 3 * page_size), frames * page_size, false);
    check_agrees(s);

    int steps = *rc::gen::inRange(1, 120);
    for (int step = 0; step < steps; ++step) {
        switch (*rc::gen::inRange(0, 6)) {
        case 0:
        case 1: {
            u64 count = *rc::gen::oneOf(rc::gen::inRange<u64>(1, 5), rc::gen::inRange<u64>(1, 140));
            u64 align = u64(1) << *rc::gen::inRange(0, 5);
            do_allocate(s, count, align);
            break;
        }
        case 2: {
            // Free a live allocation with its exact count (when there is one).
            std::vector<u64> heads;
            for (u64 i = 0; i < frames; ++i) {
                if (s.model.frames[i] == State::Head)
                    heads.push_back(i);
            }
            if (heads.empty())
                break;
            u64 h = *rc::gen::elementOf(heads);
            do_free(s, h, s.model.allocation_length(h));
            break;
        }
        case 3: {
            // A free that is probably wrong: random frame, random count.
            u64 frame = *rc::gen::inRange<u64>(0, frames + 2);
            u64 count = *rc::gen::inRange<u64>(0, 150);
            do_free(s, frame, count);
            break;
        }
        case 4:
            do_range(s, *gen_phys(s.model.base, frames), *gen_size(frames), true);
            break;
        case 5:
            do_range(s, *gen_phys(s.model.base, frames), *gen_size(frames), false);
            break;
        }
        check_agrees(s);
    }
}

// The same system driven by rapidcheck's stateful-testing commands (with shrinking of command
// sequences). The model is the Model above; the system under test is a FrameAllocator.
namespace {

constexpr u64 stateful_frames = 130;
constexpr u64 stateful_base = 0x7000;

struct Sut {
    std::vector<u64> storage;
    FrameAllocator allocator;
};

using Command = rc::state::Command<Model, Sut>;

void check_sut(const Model& m, const Sut& sut)
{
    RC_ASSERT(sut.allocator.check_invariants());
    RC_ASSERT(sut.allocator.free_frames() == m.free_count());
}

struct AllocateCommand : Command {
    u64 count = *rc::gen::inRange<u64>(1, 40);
    u64 align = u64(1) << *rc::gen::inRange(0, 4);

    void apply(Model& m) const override
    {
        u64 start = 0;
        if (!m.expected_allocation(count, align, start))
            return;
        for (u64 i = start; i < start + count; ++i)
            m.frames[i] = i == start ? State::Head : State::Continuation;
        m.hint = (start + count) % m.frames.size();
    }
    void run(const Model& m, Sut& sut) const override
    {
        u64 start = 0;
        bool fits = m.expected_allocation(count, align, start);
        auto r = sut.allocator.allocate(count, align);
        RC_ASSERT(r.is_ok() == fits);
        if (fits)
            RC_ASSERT(r.value() == m.base + start * page_size);
        Model after = m;
        apply(after);
        check_sut(after, sut);
    }
    void show(std::ostream& os) const override { os << "allocate(" << count << ", " << align << ")"; }
};

struct FreeCommand : Command {
    u64 head;
    u64 count;
    explicit FreeCommand(const Model& m)
    {
        std::vector<u64> heads;
        for (u64 i = 0; i < m.frames.size(); ++i) {
            if (m.frames[i] == State::Head)
                heads.push_back(i);
        }
        RC_PRE(!heads.empty());
        head = *rc::gen::elementOf(heads);
        count = m.allocation_length(head);
    }
    void checkPreconditions(const Model& m) const override
    {
        RC_PRE(head < m.frames.size() && m.frames[head] == State::Head && m.allocation_length(head) == count);
    }
    void apply(Model& m) const override
    {
        for (u64 i = head; i < head + count; ++i)
            m.frames[i] = State::Free;
    }
    void run(const Model& m, Sut& sut) const override
    {
        RC_ASSERT(sut.allocator.free(m.base + head * page_size, count).is_ok());
        Model after = m;
        apply(after);
        check_sut(after, sut);
    }
    void show(std::ostream& os) const override { os << "free(frame " << head << ", " << count << ")"; }
};

struct BadFreeCommand : Command {
    u64 frame = *rc::gen::inRange<u64>(0, stateful_frames);
    u64 count = *rc::gen::inRange<u64>(0, 50);

    void checkPreconditions(const Model& m) const override
    {
        RC_PRE(!(m.frames[frame] == State::Head && m.allocation_length(frame) == count));
    }
    void apply(Model&) const override { }
    void run(const Model& m, Sut& sut) const override
    {
        RC_ASSERT(sut.allocator.free(m.base + frame * page_size, count).is_error());
        check_sut(m, sut);
    }
    void show(std::ostream& os) const override { os << "bad free(frame " << frame << ", " << count << ")"; }
};

struct ReserveCommand : Command {
    u64 frame = *rc::gen::inRange<u64>(0, stateful_frames);
    u64 count = *rc::gen::inRange<u64>(1, 20);

    void apply(Model& m) const override
    {
        for (u64 i = frame; i < frame + count && i < m.frames.size(); ++i) {
            if (m.frames[i] == State::Free)
                m.frames[i] = State::Reserved;
        }
    }
    void run(const Model& m, Sut& sut) const override
    {
        sut.allocator.reserve_range(m.base + frame * page_size, count * page_size);
        Model after = m;
        apply(after);
        check_sut(after, sut);
        for (u64 i = 0; i < after.frames.size(); ++i)
            RC_ASSERT(sut.allocator.is_reserved(m.base + i * page_size) == (after.frames[i] == State::Reserved));
    }
    void show(std::ostream& os) const override { os << "reserve(frame " << frame << ", " << count << ")"; }
};

} // namespace

RC_GTEST_PROP(FrameAllocatorProperty, StatefulCommands, ())
{
    Model model;
    model.base = stateful_base;
    model.frames.assign(stateful_frames, State::Free);
    Sut sut;
    sut.storage.assign(FrameAllocator::storage_words_for(stateful_frames), 0);
    sut.allocator.init(lib::Span<u64>(sut.storage.data(), sut.storage.size()), stateful_base, stateful_frames);
    sut.allocator.add_free_range(stateful_base, stateful_frames * page_size);
    rc::state::check(model, sut,
        rc::state::gen::execOneOfWithArgs<AllocateCommand, AllocateCommand, FreeCommand, BadFreeCommand, ReserveCommand>());
}

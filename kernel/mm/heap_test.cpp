// Tests for the kernel heap over a test page source: size classes, alignment, large
// allocations, poisoning, slab reuse and release, death on double and wild frees, and random
// allocate/free sequences whose contents must never overlap or change.
#include "kernel/mm/heap.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

using kernel::mm::Heap;
using kernel::mm::page_size;
using kernel::mm::PageSource;

namespace {

// Pages from aligned_alloc. Freed pages are kept (quarantined) until the source is destroyed,
// so a test can read a freed allocation's header and the heap's double-free check is what
// fires, not ASan's.
class TestPageSource final : public PageSource {
public:
    ~TestPageSource()
    {
        for (auto& [base, count] : m_live)
            std::free(base);
        for (void* base : m_quarantine)
            std::free(base);
    }

    void* allocate_pages(usize count) override
    {
        if (count > m_pages_left)
            return nullptr;
        m_pages_left -= count;
        void* p = std::aligned_alloc(page_size, count * page_size);
        std::memset(p, 0x5a, count * page_size); // stale contents
        m_live[p] = count;
        return p;
    }
    void free_pages(void* base, usize count) override
    {
        auto it = m_live.find(base);
        if (it == m_live.end() || it->second != count)
            std::abort();
        m_live.erase(it);
        m_pages_left += count;
        std::memset(base, 0x77, count * page_size);
        m_quarantine.push_back(base);
    }

    usize live_pages() const
    {
        usize n = 0;
        for (auto& [base, count] : m_live)
            n += count;
        return n;
    }
    void set_pages_left(usize n) { m_pages_left = n; }

private:
    std::map<void*, usize> m_live;
    std::vector<void*> m_quarantine;
    usize m_pages_left { ~usize(0) };
};

bool all_bytes(const void* p, usize n, u8 value)
{
    auto* b = static_cast<const u8*>(p);
    for (usize i = 0; i < n; ++i) {
        if (b[i] != value)
            return false;
    }
    return true;
}

uptr address(const void* p) { return reinterpret_cast<uptr>(p); }

} // namespace

TEST(Heap, RefusesBadRequests)
{
    TestPageSource source;
    Heap heap(source);
    EXPECT_EQ(heap.allocate(0), nullptr);
    EXPECT_EQ(heap.allocate(Heap::max_allocation + 1), nullptr);
    EXPECT_EQ(heap.allocate(~usize(0)), nullptr);
    EXPECT_EQ(heap.allocate(16, 0), nullptr);
    EXPECT_EQ(heap.allocate(16, 3), nullptr);
    EXPECT_EQ(heap.allocate(16, 48), nullptr);
    EXPECT_EQ(heap.allocate(16, 8192), nullptr);
    heap.free(nullptr);
    EXPECT_EQ(heap.bytes_in_use(), 0u);
    EXPECT_EQ(source.live_pages(), 0u);
    EXPECT_TRUE(heap.check_invariants());
}

TEST(Heap, SizeClasses)
{
    TestPageSource source;
    Heap heap(source);
    struct Case {
        usize size;
        usize slot;
    };
    const Case cases[] = { { 1, 16 }, { 16, 16 }, { 17, 32 }, { 100, 128 }, { 1024, 1024 }, { 1025, 2048 }, { 2048, 2048 } };
    usize expected = 0;
    std::vector<void*> live;
    for (const Case& c : cases) {
        void* p = heap.allocate(c.size);
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(address(p) % c.slot, 0u) << c.size;
        EXPECT_NE(address(p) % page_size, 0u) << "slot 0 holds the slab header";
        EXPECT_TRUE(all_bytes(p, c.size, 0xde)) << "fresh memory is poison, not stale data";
        std::memset(p, 0x11, c.size);
        expected += c.slot;
        EXPECT_EQ(heap.bytes_in_use(), expected);
        live.push_back(p);
    }
    EXPECT_EQ(heap.pages_held(), 6u); // one slab each for 16, 32, 128, 1024, 2048 (x2)
    EXPECT_TRUE(heap.check_invariants());
    for (void* p : live)
        heap.free(p);
    EXPECT_EQ(heap.bytes_in_use(), 0u);
    EXPECT_TRUE(heap.check_invariants());
}

TEST(Heap, Alignment)
{
    TestPageSource source;
    Heap heap(source);
    std::vector<void*> live;
    for (usize align = 1; align <= page_size; align *= 2) {
        for (usize size : { usize(1), usize(100), usize(3000), usize(5000) }) {
            void* p = heap.allocate(size, align);
            ASSERT_NE(p, nullptr);
            EXPECT_EQ(address(p) % align, 0u) << size << " aligned " << align;
            EXPECT_EQ(address(p) % 16, 0u);
            std::memset(p, 0x22, size);
            live.push_back(p);
        }
    }
    EXPECT_TRUE(heap.check_invariants());
    for (void* p : live)
        heap.free(p);
    EXPECT_EQ(heap.bytes_in_use(), 0u);
    EXPECT_TRUE(heap.check_invariants());
}

TEST(Heap, LargeAllocations)
{
    TestPageSource source;
    Heap heap(source);
    void* a = heap.allocate(10000); // 64-byte header + 10000 bytes: 3 pages
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(address(a) % 64, 0u);
    EXPECT_EQ(heap.bytes_in_use(), 3 * page_size);
    EXPECT_EQ(heap.pages_held(), 3u);
    EXPECT_TRUE(all_bytes(a, 10000, 0xde));
    std::memset(a, 0x33, 10000);

    void* b = heap.allocate(5000, page_size); // a whole page for the header: 3 pages
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(address(b) % page_size, 0u);
    std::memset(b, 0x44, 5000);
    void* c = heap.allocate(2048, 4096); // small size, page alignment: large
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(address(c) % page_size, 0u);
    EXPECT_EQ(heap.pages_held(), 3u + 3u + 2u);
    EXPECT_EQ(source.live_pages(), 8u);
    EXPECT_TRUE(heap.check_invariants());

    heap.free(b);
    EXPECT_TRUE(all_bytes(a, 10000, 0x33));
    heap.free(a);
    heap.free(c);
    EXPECT_EQ(heap.bytes_in_use(), 0u);
    EXPECT_EQ(heap.pages_held(), 0u);
    EXPECT_EQ(source.live_pages(), 0u); // large pages go straight back
    EXPECT_TRUE(heap.check_invariants());
}

TEST(Heap, FreedMemoryIsPoisonedAndReusedFirst)
{
    TestPageSource source;
    Heap heap(source);
    auto* p = static_cast<u8*>(heap.allocate(64));
    auto* q = static_cast<u8*>(heap.allocate(64));
    std::memset(p, 'A', 64);
    std::memset(q, 'B', 64);
    heap.free(p);
    // The slab page is still the heap's, so reading the freed slot is fine here; bytes 0-1
    // hold the free-list link, the rest is poison.
    EXPECT_TRUE(all_bytes(p + 2, 62, 0xde));
    EXPECT_TRUE(all_bytes(q, 64, 'B'));
    EXPECT_EQ(heap.allocate(64), p); // last freed, first reused
    EXPECT_TRUE(all_bytes(p, 64, 0xde));
    EXPECT_TRUE(heap.check_invariants());
}

TEST(Heap, SlabsAreReleasedWhenEmpty)
{
    TestPageSource source;
    Heap heap(source);
    // 2048-byte slots: one per page (the header takes the first half).
    std::vector<void*> live;
    for (int i = 0; i < 5; ++i)
        live.push_back(heap.allocate(2048));
    EXPECT_EQ(heap.pages_held(), 5u);
    // 16-byte slots: 251 per page, so 600 allocations need three slabs.
    for (int i = 0; i < 600; ++i)
        live.push_back(heap.allocate(16));
    EXPECT_EQ(heap.pages_held(), 8u);
    EXPECT_TRUE(heap.check_invariants());
    for (void* p : live)
        heap.free(p);
    // Each class keeps its last slab, empty, and returns the others.
    EXPECT_EQ(heap.pages_held(), 2u);
    EXPECT_EQ(source.live_pages(), 2u);
    EXPECT_EQ(heap.bytes_in_use(), 0u);
    EXPECT_TRUE(heap.check_invariants());
}

TEST(Heap, FullSlabsMoveBackAndForth)
{
    TestPageSource source;
    Heap heap(source);
    // 1024-byte slots: 3 per page. Fill two slabs, free from the full first one, and check the
    // next allocation lands there rather than on a third page.
    std::vector<void*> live;
    for (int i = 0; i < 6; ++i)
        live.push_back(heap.allocate(1024));
    EXPECT_EQ(heap.pages_held(), 2u);
    heap.free(live[0]);
    EXPECT_TRUE(heap.check_invariants());
    EXPECT_EQ(heap.allocate(1024), live[0]);
    EXPECT_EQ(heap.pages_held(), 2u);
    EXPECT_TRUE(heap.check_invariants());
}

TEST(Heap, OutOfPages)
{
    TestPageSource source;
    source.set_pages_left(1);
    Heap heap(source);
    EXPECT_EQ(heap.allocate(5000), nullptr); // needs 2 pages
    void* p = heap.allocate(2048);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(heap.allocate(2048), nullptr);
    EXPECT_EQ(heap.allocate(16), nullptr);
    EXPECT_EQ(heap.bytes_in_use(), 2048u);
    EXPECT_TRUE(heap.check_invariants());
    heap.free(p);
    EXPECT_NE(heap.allocate(2048), nullptr);
}

TEST(Heap, CheckInvariantsCatchesCorruption)
{
    TestPageSource source;
    Heap heap(source);
    auto* p = static_cast<u8*>(heap.allocate(32));
    auto* q = static_cast<u8*>(heap.allocate(32));
    heap.free(p);
    ASSERT_TRUE(heap.check_invariants());
    p[10] = 0; // a write after free
    EXPECT_FALSE(heap.check_invariants());
    p[10] = 0xde;
    ASSERT_TRUE(heap.check_invariants());
    // The freed slot's link (its first two bytes) pointed at a slot that is in use.
    u8 saved[2] = { p[0], p[1] };
    p[0] = u8(address(q) % page_size / 32);
    p[1] = 0;
    EXPECT_FALSE(heap.check_invariants());
    p[0] = saved[0];
    p[1] = saved[1];
    ASSERT_TRUE(heap.check_invariants());
    auto* header = reinterpret_cast<u32*>(address(q) / page_size * page_size);
    u32 magic = *header;
    *header = 0;
    EXPECT_FALSE(heap.check_invariants());
    *header = magic;
    EXPECT_TRUE(heap.check_invariants());
}

using HeapDeathTest = ::testing::Test;

TEST_F(HeapDeathTest, DoubleFreeOfASlot)
{
    TestPageSource source;
    Heap heap(source);
    void* keep = heap.allocate(64);
    void* p = heap.allocate(64);
    heap.free(p);
    EXPECT_DEATH(heap.free(p), "VERIFY failed.*free_bitmap");
    heap.free(keep);
}

TEST_F(HeapDeathTest, DoubleFreeOfALargeAllocation)
{
    TestPageSource source;
    Heap heap(source);
    void* p = heap.allocate(10000);
    heap.free(p);
    EXPECT_DEATH(heap.free(p), "VERIFY failed");
}

TEST_F(HeapDeathTest, WildPointers)
{
    TestPageSource source;
    Heap heap(source);
    auto* p = static_cast<u8*>(heap.allocate(64));
    EXPECT_DEATH(heap.free(p + 16), "VERIFY failed"); // inside a slot, not at its start
    EXPECT_DEATH(heap.free(p + 1), "VERIFY failed");  // not even 16-aligned
    void* foreign = std::aligned_alloc(page_size, page_size);
    std::memset(foreign, 0, page_size);
    EXPECT_DEATH(heap.free(static_cast<u8*>(foreign) + 64), "VERIFY failed"); // no header
    std::free(foreign);
    TestPageSource other_source;
    Heap other(other_source);
    EXPECT_DEATH(other.free(p), "VERIFY failed"); // another heap's slot
    heap.free(p);
}

TEST_F(HeapDeathTest, WriteAfterFreeIsCaughtOnReuse)
{
    TestPageSource source;
    Heap heap(source);
    auto* p = static_cast<u8*>(heap.allocate(128));
    heap.free(p);
    p[100] = 1;
    EXPECT_DEATH(heap.allocate(128), "VERIFY failed.*poison");
}

// ---- Property: random allocate/free sequences ----

namespace {

struct Live {
    u8* p;
    usize size;
    usize align;
    u8 pattern;
};

// What bytes_in_use() should count for one allocation (the rule in heap.h).
usize charged(usize size, usize align)
{
    for (usize slot = Heap::min_class_size; slot <= Heap::max_class_size; slot *= 2) {
        if (slot >= size && slot >= align)
            return slot;
    }
    usize offset = align > 64 ? align : 64;
    return (offset + size + page_size - 1) / page_size * page_size;
}

} // namespace

RC_GTEST_PROP(HeapProperty, RandomSequencesNeverOverlapOrCorrupt, ())
{
    TestPageSource source;
    Heap heap(source);
    std::vector<Live> live;
    usize expected_bytes = 0;
    u8 next_pattern = 1;

    int steps = *rc::gen::inRange(1, 300);
    for (int step = 0; step < steps; ++step) {
        bool do_free = !live.empty() && *rc::gen::inRange(0, 5) < 2;
        if (do_free) {
            usize i = *rc::gen::inRange<usize>(0, live.size());
            Live l = live[i];
            // Its bytes are exactly what was written: nothing else overlapped it.
            RC_ASSERT(all_bytes(l.p, l.size, l.pattern));
            heap.free(l.p);
            expected_bytes -= charged(l.size, l.align);
            live.erase(live.begin() + long(i));
        } else {
            usize size = *rc::gen::weightedOneOf<usize>({ { 8, rc::gen::inRange<usize>(1, 300) },
                { 3, rc::gen::inRange<usize>(1, 2049) }, { 1, rc::gen::inRange<usize>(2049, 20000) } });
            usize align = usize(1) << *rc::gen::weightedOneOf<int>({ { 6, rc::gen::just(4) }, { 3, rc::gen::inRange(0, 13) } });
            auto* p = static_cast<u8*>(heap.allocate(size, align));
            RC_ASSERT(p != nullptr);
            RC_ASSERT(address(p) % align == 0);
            RC_ASSERT(address(p) % 16 == 0);
            u8 pattern = next_pattern++;
            if (next_pattern == 0xde || next_pattern == 0)
                next_pattern = 1;
            std::memset(p, pattern, size);
            live.push_back(Live { p, size, align, pattern });
            expected_bytes += charged(size, align);
        }
        RC_ASSERT(heap.bytes_in_use() == expected_bytes);
        RC_ASSERT(heap.check_invariants());
    }
    for (const Live& l : live) {
        RC_ASSERT(all_bytes(l.p, l.size, l.pattern));
        heap.free(l.p);
    }
    RC_ASSERT(heap.bytes_in_use() == 0u);
    RC_ASSERT(heap.check_invariants());
    // Only the one retained empty slab per class is left.
    RC_ASSERT(heap.pages_held() <= Heap::class_count);
    RC_ASSERT(source.live_pages() == heap.pages_held());
}

// Tests for the page tables, run on a malloc'd arena standing in for physical memory: round
// trips, splits, every refusal, out-of-memory rollback, invariant checks that can fail, and
// random map/unmap/protect sequences against a model of virtual page -> (phys, access).
#include "kernel/mm/page_table.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

using namespace kernel::mm;

namespace {

constexpr u64 MiB = 1024 * 1024;
constexpr u64 GiB = 1024 * MiB;
constexpr u64 kernel_base = 0xffffffff80000000;

// "Physical memory" for tables: `frames` page-aligned frames at phys `base`. Counts live frames,
// catches double frees and stray addresses, and can be told to run out.
class ArenaPhys final : public PhysAccess {
public:
    explicit ArenaPhys(u64 frames, u64 base = 0x10000000) : m_base(base), m_frames(frames), m_live(frames, false)
    {
        m_memory = static_cast<u8*>(std::aligned_alloc(page_size, frames * page_size));
        std::memset(m_memory, 0xcc, frames * page_size);
    }
    ~ArenaPhys() { std::free(m_memory); }
    ArenaPhys(const ArenaPhys&) = delete;
    ArenaPhys& operator=(const ArenaPhys&) = delete;

    u8* to_virtual(u64 phys) override
    {
        u64 frame = (phys - m_base) / page_size;
        if (phys < m_base || frame >= m_frames || phys % page_size != 0 || !m_live[frame])
            die("to_virtual of a frame that is not a live table", phys);
        return m_memory + (phys - m_base);
    }
    lib::Result<u64, MapError> allocate_table_frame() override
    {
        if (m_allocations_left == 0)
            return MapError::OutOfMemory;
        for (u64 f = 0; f < m_frames; ++f) {
            if (!m_live[f]) {
                m_live[f] = true;
                --m_allocations_left;
                // Stale contents: PageTable must zero the frame itself.
                std::memset(m_memory + f * page_size, 0xcc, page_size);
                return m_base + f * page_size;
            }
        }
        return MapError::OutOfMemory;
    }
    void free_table_frame(u64 phys) override
    {
        u64 frame = (phys - m_base) / page_size;
        if (phys < m_base || frame >= m_frames || !m_live[frame])
            die("free of a frame that is not a live table", phys);
        m_live[frame] = false;
        std::memset(m_memory + frame * page_size, 0xee, page_size);
    }

    u64 live_frames() const
    {
        u64 n = 0;
        for (bool b : m_live)
            n += b;
        return n;
    }
    void set_allocations_left(u64 n) { m_allocations_left = n; }
    u64* entries(u64 phys) { return reinterpret_cast<u64*>(to_virtual(phys)); }

private:
    [[noreturn]] static void die(const char* why, u64 phys)
    {
        std::fprintf(stderr, "ArenaPhys: %s: %#llx\n", why, static_cast<unsigned long long>(phys));
        std::abort();
    }

    u64 m_base;
    u64 m_frames;
    std::vector<bool> m_live;
    u8* m_memory;
    u64 m_allocations_left { ~u64(0) };
};

usize index_of(u64 virt, int level) { return usize((virt >> (12 + 9 * (level - 1))) & 511); }

// The entry for `virt` at `level`, following the tables from the root (the test's own walk).
u64& entry_at(ArenaPhys& arena, const PageTable& pt, u64 virt, int level)
{
    u64 phys = pt.root_phys();
    for (int l = 4; l > level; --l)
        phys = arena.entries(phys)[index_of(virt, l)] & pte::address_mask;
    return arena.entries(phys)[index_of(virt, level)];
}

PageTable make(ArenaPhys& arena)
{
    auto r = PageTable::create(arena);
    EXPECT_TRUE(r.is_ok());
    return r.release_value();
}

MapError map_error(lib::Result<void, MapError> r)
{
    EXPECT_TRUE(r.is_error());
    return r.is_error() ? r.error() : MapError::BadSize;
}

} // namespace

TEST(PageTable, CreateAndDestroy)
{
    ArenaPhys arena(16);
    PageTable pt = make(arena);
    EXPECT_NE(pt.root_phys(), 0u);
    EXPECT_EQ(pt.table_count(), 1u);
    EXPECT_EQ(arena.live_frames(), 1u);
    EXPECT_TRUE(pt.check_invariants());
    EXPECT_FALSE(pt.translate(0).has_value());
    EXPECT_FALSE(pt.translate(kernel_base).has_value());
    EXPECT_FALSE(pt.take_flush_range().has_value());
    ASSERT_TRUE(pt.map(0x400000, 0x800000, 16 * MiB, Access::ReadWrite, Privilege::User, Caching::WriteBack).is_ok());
    EXPECT_GT(arena.live_frames(), 1u);
    pt.destroy();
    EXPECT_EQ(arena.live_frames(), 0u);
    EXPECT_EQ(pt.root_phys(), 0u);
    EXPECT_TRUE(pt.check_invariants());
}

TEST(PageTable, CreateOutOfMemory)
{
    ArenaPhys arena(4);
    arena.set_allocations_left(0);
    auto r = PageTable::create(arena);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), MapError::OutOfMemory);
}

TEST(PageTable, MoveLeavesTheSourceEmpty)
{
    ArenaPhys arena(16);
    PageTable a = make(arena);
    u64 root = a.root_phys();
    PageTable b(lib::move(a));
    EXPECT_EQ(b.root_phys(), root);
    EXPECT_EQ(a.root_phys(), 0u);
    a.destroy(); // a no-op on the moved-from table
    EXPECT_EQ(arena.live_frames(), 1u);
    b.destroy();
}

TEST(PageTable, Map4KRoundTrip)
{
    ArenaPhys arena(16);
    PageTable pt = make(arena);
    ASSERT_TRUE(pt.map(0x400000, 0x1234000, 3 * page_size, Access::ReadWrite, Privilege::User, Caching::WriteBack).is_ok());
    EXPECT_EQ(pt.table_count(), 4u); // PML4, PDPT, PD, PT
    for (u64 i = 0; i < 3; ++i) {
        auto t = pt.translate(0x400000 + i * page_size + 0x123);
        ASSERT_TRUE(t.has_value());
        EXPECT_EQ(t->phys, 0x1234000 + i * page_size + 0x123);
        EXPECT_EQ(t->access, Access::ReadWrite);
        EXPECT_EQ(t->privilege, Privilege::User);
        EXPECT_EQ(t->caching, Caching::WriteBack);
        EXPECT_EQ(t->page_size, page_size);
    }
    EXPECT_FALSE(pt.translate(0x3ff000).has_value());
    EXPECT_FALSE(pt.translate(0x403000).has_value());

    u64 leaf = entry_at(arena, pt, 0x400000, 1);
    EXPECT_EQ(leaf & pte::address_mask, 0x1234000u);
    EXPECT_NE(leaf & pte::no_execute, 0u);
    EXPECT_NE(leaf & pte::writable, 0u);
    EXPECT_NE(leaf & pte::user, 0u);
    EXPECT_EQ(leaf & pte::global, 0u);
    EXPECT_EQ(leaf & (pte::cache_disable | pte::write_through), 0u);
    // Intermediate entries carry U/S on the way to a user page, and stay executable/writable.
    u64 pml4e = entry_at(arena, pt, 0x400000, 4);
    EXPECT_EQ(pml4e & ~pte::address_mask, pte::present | pte::writable | pte::user);
    EXPECT_TRUE(pt.check_invariants());
    EXPECT_FALSE(pt.take_flush_range().has_value()); // new mappings need no flush

    ASSERT_TRUE(pt.unmap(0x400000, 3 * page_size).is_ok());
    EXPECT_FALSE(pt.translate(0x400000).has_value());
    EXPECT_EQ(pt.table_count(), 1u); // emptied tables are freed
    EXPECT_EQ(arena.live_frames(), 1u);
    auto flush = pt.take_flush_range();
    ASSERT_TRUE(flush.has_value());
    EXPECT_EQ(flush->first, 0x400000u);
    EXPECT_EQ(flush->last, 0x402fffu);
    EXPECT_FALSE(pt.take_flush_range().has_value());
    EXPECT_TRUE(pt.check_invariants());
}

TEST(PageTable, KernelMappingBits)
{
    ArenaPhys arena(16);
    PageTable pt = make(arena);
    ASSERT_TRUE(pt.map(kernel_base, 0x100000, 2 * page_size, Access::ReadExecute, Privilege::Kernel, Caching::WriteBack).is_ok());
    ASSERT_TRUE(pt.map(kernel_base + 0x10000, 0xfee00000, page_size, Access::ReadWrite, Privilege::Kernel, Caching::Uncached).is_ok());
    u64 text = entry_at(arena, pt, kernel_base, 1);
    EXPECT_EQ(text & pte::no_execute, 0u);
    EXPECT_EQ(text & pte::writable, 0u);
    EXPECT_EQ(text & pte::user, 0u);
    EXPECT_NE(text & pte::global, 0u);
    u64 mmio = entry_at(arena, pt, kernel_base + 0x10000, 1);
    EXPECT_EQ(mmio & (pte::cache_disable | pte::write_through), pte::cache_disable | pte::write_through);
    EXPECT_NE(mmio & pte::no_execute, 0u);
    EXPECT_EQ(entry_at(arena, pt, kernel_base, 4) & pte::user, 0u);
    auto t = pt.translate(kernel_base + 0x10abc);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->phys, 0xfee00abcu);
    EXPECT_EQ(t->caching, Caching::Uncached);
    EXPECT_EQ(t->privilege, Privilege::Kernel);
    EXPECT_EQ(pt.translate(kernel_base + 0x1000)->access, Access::ReadExecute);

    // A kernel mapping in the lower half is allowed, without global; the very top page too.
    ASSERT_TRUE(pt.map(0x1000, 0x1000, page_size, Access::Read, Privilege::Kernel, Caching::WriteBack).is_ok());
    EXPECT_EQ(entry_at(arena, pt, 0x1000, 1) & pte::global, 0u);
    EXPECT_EQ(pt.translate(0x1000)->access, Access::Read);
    ASSERT_TRUE(pt.map(0xfffffffffffff000, 0x5000, page_size, Access::Read, Privilege::Kernel, Caching::WriteBack).is_ok());
    EXPECT_EQ(pt.translate(0xffffffffffffffff)->phys, 0x5fffu);
    EXPECT_TRUE(pt.check_invariants());
    ASSERT_TRUE(pt.unmap(0xfffffffffffff000, page_size).is_ok());
    auto flush = pt.take_flush_range();
    ASSERT_TRUE(flush.has_value());
    EXPECT_EQ(flush->last, 0xffffffffffffffffu);
}

TEST(PageTable, LargePagesWhereAligned)
{
    ArenaPhys arena(64);
    PageTable pt = make(arena);
    ASSERT_TRUE(pt.map(kernel_base, 0x200000, 4 * MiB, Access::ReadExecute, Privilege::Kernel, Caching::WriteBack).is_ok());
    EXPECT_EQ(pt.table_count(), 3u); // PML4, PDPT, PD: no page table
    auto t = pt.translate(kernel_base + 0x3fffff);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->page_size, large_page_size);
    EXPECT_EQ(t->phys, 0x5fffffu);
    u64 pde = entry_at(arena, pt, kernel_base, 2);
    EXPECT_NE(pde & pte::large, 0u);
    EXPECT_NE(pde & pte::global, 0u);

    // Deny: the same range in 4 KiB pages.
    ASSERT_TRUE(pt.map(kernel_base + 8 * MiB, 0x200000, 4 * MiB, Access::Read, Privilege::Kernel, Caching::WriteBack,
                    LargePages::Deny)
                    .is_ok());
    EXPECT_EQ(pt.translate(kernel_base + 8 * MiB)->page_size, page_size);
    EXPECT_EQ(pt.table_count(), 5u);

    // Physical address not 2 MiB aligned: 4 KiB pages even though virt is.
    ASSERT_TRUE(pt.map(0x40000000, 0x201000, 2 * MiB, Access::Read, Privilege::User, Caching::WriteBack).is_ok());
    EXPECT_EQ(pt.translate(0x40000000)->page_size, page_size);

    // Mixed: 4 KiB up to the 2 MiB boundary, one 2 MiB page, then 4 KiB.
    ASSERT_TRUE(pt.map(0x801ff000, 0x1ff000, 2 * MiB + 2 * page_size, Access::ReadWrite, Privilege::User, Caching::WriteBack).is_ok());
    EXPECT_EQ(pt.translate(0x801ff000)->page_size, page_size);
    EXPECT_EQ(pt.translate(0x80200000)->page_size, large_page_size);
    EXPECT_EQ(pt.translate(0x803fffff)->phys, 0x3fffffu);
    EXPECT_EQ(pt.translate(0x80400000)->page_size, page_size);
    EXPECT_EQ(pt.translate(0x80400000)->phys, 0x400000u);
    EXPECT_FALSE(pt.translate(0x80401000).has_value());
    EXPECT_TRUE(pt.check_invariants());
}

TEST(PageTable, Refusals)
{
    ArenaPhys arena(16);
    PageTable pt = make(arena);
    auto rw = Access::ReadWrite;
    auto k = Privilege::Kernel;
    auto u = Privilege::User;
    auto wb = Caching::WriteBack;
    EXPECT_EQ(map_error(pt.map(0x1000, 0x1000, 0, rw, k, wb)), MapError::BadSize);
    EXPECT_EQ(map_error(pt.map(0x1001, 0x1000, page_size, rw, k, wb)), MapError::Misaligned);
    EXPECT_EQ(map_error(pt.map(0x1000, 0x1800, page_size, rw, k, wb)), MapError::Misaligned);
    EXPECT_EQ(map_error(pt.map(0x1000, 0x1000, 100, rw, k, wb)), MapError::Misaligned);
    EXPECT_EQ(map_error(pt.map(0x0000800000000000, 0x1000, page_size, rw, k, wb)), MapError::NonCanonical);
    EXPECT_EQ(map_error(pt.map(0xffff7ffffffff000, 0x1000, page_size, rw, k, wb)), MapError::NonCanonical);
    EXPECT_EQ(map_error(pt.map(0x00007ffffffff000, 0x1000, 2 * page_size, rw, u, wb)), MapError::NonCanonical);
    EXPECT_EQ(map_error(pt.map(0xfffffffffffff000, 0x1000, 2 * page_size, rw, k, wb)), MapError::NonCanonical);
    EXPECT_EQ(map_error(pt.map(0x1000, 0x1000, ~u64(0) & ~(page_size - 1), rw, k, wb)), MapError::NonCanonical);
    EXPECT_EQ(map_error(pt.map(kernel_base, 0x1000, page_size, rw, u, wb)), MapError::KernelUserMix);
    EXPECT_EQ(map_error(pt.map(0x1000, physical_address_limit, page_size, rw, k, wb)), MapError::BadSize);
    EXPECT_EQ(map_error(pt.map(0x1000, physical_address_limit - page_size, 2 * page_size, rw, k, wb)), MapError::BadSize);
    EXPECT_EQ(pt.table_count(), 1u);
    EXPECT_EQ(arena.live_frames(), 1u);

    // Overlap anywhere in the range: nothing of the new mapping appears.
    ASSERT_TRUE(pt.map(0x402000, 0x9000, page_size, rw, u, wb).is_ok());
    u64 tables = pt.table_count();
    EXPECT_EQ(map_error(pt.map(0x400000, 0x1000, 3 * page_size, Access::Read, u, wb)), MapError::AlreadyMapped);
    EXPECT_FALSE(pt.translate(0x400000).has_value());
    EXPECT_EQ(pt.translate(0x402000)->phys, 0x9000u);
    EXPECT_EQ(pt.table_count(), tables);
    // Over a 2 MiB page.
    ASSERT_TRUE(pt.map(0x800000, 0x800000, 2 * MiB, rw, u, wb).is_ok());
    EXPECT_EQ(map_error(pt.map(0x9ff000, 0x1000, 2 * page_size, rw, u, wb)), MapError::AlreadyMapped);
    EXPECT_FALSE(pt.translate(0xa00000).has_value());

    EXPECT_EQ(map_error(pt.unmap(0x400000, page_size)), MapError::NotMapped);
    EXPECT_EQ(map_error(pt.unmap(0x401000, 2 * page_size)), MapError::NotMapped); // half mapped
    EXPECT_EQ(map_error(pt.unmap(0x402000, 0)), MapError::BadSize);
    EXPECT_EQ(map_error(pt.unmap(0x402800, page_size)), MapError::Misaligned);
    EXPECT_EQ(map_error(pt.unmap(0x0000800000000000, page_size)), MapError::NonCanonical);
    EXPECT_EQ(map_error(pt.protect(0x401000, 2 * page_size, Access::Read)), MapError::NotMapped);
    EXPECT_EQ(map_error(pt.protect(0x402000, page_size + 1, Access::Read)), MapError::Misaligned);
    EXPECT_EQ(pt.translate(0x402000)->access, Access::ReadWrite);
    EXPECT_FALSE(pt.translate(0x0000800000000000).has_value());
    EXPECT_TRUE(pt.check_invariants());
}

TEST(PageTable, UnmapSplitsLargePages)
{
    ArenaPhys arena(16);
    PageTable pt = make(arena);
    ASSERT_TRUE(pt.map(0x200000, 0x40000000, 4 * MiB, Access::ReadWrite, Privilege::User, Caching::WriteBack).is_ok());
    EXPECT_EQ(pt.table_count(), 3u); // 2 MiB pages: no page table
    // One page out of the first 2 MiB page.
    ASSERT_TRUE(pt.unmap(0x201000, page_size).is_ok());
    EXPECT_EQ(pt.table_count(), 4u);
    EXPECT_FALSE(pt.translate(0x201000).has_value());
    auto before = pt.translate(0x200fff);
    ASSERT_TRUE(before.has_value());
    EXPECT_EQ(before->phys, 0x40000fffu);
    EXPECT_EQ(before->page_size, page_size);
    EXPECT_EQ(before->privilege, Privilege::User);
    EXPECT_EQ(before->access, Access::ReadWrite);
    EXPECT_EQ(pt.translate(0x3ff000)->phys, 0x401ff000u);
    EXPECT_EQ(pt.translate(0x400000)->page_size, large_page_size);
    auto flush = pt.take_flush_range();
    ASSERT_TRUE(flush.has_value());
    EXPECT_EQ(flush->first, 0x200000u); // the whole split page: its translation changed
    EXPECT_EQ(flush->last, 0x3fffffu);
    EXPECT_TRUE(pt.check_invariants());

    // Straddling the boundary of two 2 MiB pages: both ends split (the first is split already).
    ASSERT_TRUE(pt.unmap(0x3ff000, 2 * page_size).is_ok());
    EXPECT_FALSE(pt.translate(0x400000).has_value());
    EXPECT_EQ(pt.translate(0x401000)->phys, 0x40201000u);
    EXPECT_EQ(pt.table_count(), 5u);
    EXPECT_TRUE(pt.check_invariants());

    // Unmapping everything left frees every table.
    ASSERT_TRUE(pt.unmap(0x200000, page_size).is_ok());
    ASSERT_TRUE(pt.unmap(0x202000, 0x3ff000 - 0x202000).is_ok());
    ASSERT_TRUE(pt.unmap(0x401000, 0x600000 - 0x401000).is_ok());
    EXPECT_EQ(pt.table_count(), 1u);
    EXPECT_EQ(arena.live_frames(), 1u);
    EXPECT_TRUE(pt.check_invariants());
}

TEST(PageTable, UnmapInsideOneLargePageSplitsOnce)
{
    ArenaPhys arena(16);
    PageTable pt = make(arena);
    ASSERT_TRUE(pt.map(0x200000, 0x200000, 2 * MiB, Access::Read, Privilege::Kernel, Caching::WriteBack).is_ok());
    ASSERT_TRUE(pt.unmap(0x300000, 4 * page_size).is_ok());
    EXPECT_EQ(pt.table_count(), 4u);
    EXPECT_EQ(pt.translate(0x2ff000)->phys, 0x2ff000u);
    EXPECT_FALSE(pt.translate(0x303000).has_value());
    EXPECT_EQ(pt.translate(0x304000)->phys, 0x304000u);
    // A whole 2 MiB page unmapped needs no split.
    ASSERT_TRUE(pt.map(0x600000, 0x600000, 2 * MiB, Access::Read, Privilege::Kernel, Caching::WriteBack).is_ok());
    ASSERT_TRUE(pt.unmap(0x600000, 2 * MiB).is_ok());
    EXPECT_EQ(pt.table_count(), 4u);
    EXPECT_TRUE(pt.check_invariants());
}

TEST(PageTable, Protect)
{
    ArenaPhys arena(16);
    PageTable pt = make(arena);
    ASSERT_TRUE(pt.map(0x200000, 0x200000, 2 * MiB, Access::ReadWrite, Privilege::User, Caching::Uncached).is_ok());
    ASSERT_TRUE(pt.protect(0x200000, 2 * MiB, Access::Read).is_ok());
    auto t = pt.translate(0x200000);
    EXPECT_EQ(t->access, Access::Read);
    EXPECT_EQ(t->page_size, large_page_size); // whole page: no split
    EXPECT_EQ(t->caching, Caching::Uncached);
    EXPECT_EQ(t->privilege, Privilege::User);
    ASSERT_TRUE(pt.take_flush_range().has_value());

    ASSERT_TRUE(pt.protect(0x210000, page_size, Access::ReadExecute).is_ok());
    EXPECT_EQ(pt.translate(0x210000)->access, Access::ReadExecute);
    EXPECT_EQ(pt.translate(0x210000)->page_size, page_size);
    EXPECT_EQ(pt.translate(0x211000)->access, Access::Read);
    u64 leaf = entry_at(arena, pt, 0x210000, 1);
    EXPECT_EQ(leaf & (pte::writable | pte::no_execute), 0u);
    ASSERT_TRUE(pt.protect(0x210000, page_size, Access::ReadWrite).is_ok());
    leaf = entry_at(arena, pt, 0x210000, 1);
    EXPECT_EQ(leaf & (pte::writable | pte::no_execute), pte::writable | pte::no_execute);
    EXPECT_TRUE(pt.check_invariants());
}

TEST(PageTable, OutOfMemoryLeavesNothingBehind)
{
    ArenaPhys arena(32);
    PageTable pt = make(arena);
    // [1 GiB - 4 KiB, 1 GiB + 4 KiB) needs PDPT, PD, PT, then a second PD and PT.
    arena.set_allocations_left(3);
    EXPECT_EQ(map_error(pt.map(GiB - page_size, 0x1000, 2 * page_size, Access::Read, Privilege::User, Caching::WriteBack)),
        MapError::OutOfMemory);
    EXPECT_FALSE(pt.translate(GiB - page_size).has_value());
    EXPECT_EQ(pt.table_count(), 1u);
    EXPECT_EQ(arena.live_frames(), 1u);
    EXPECT_TRUE(pt.check_invariants());

    // The split for an unmap cannot get its table: the 2 MiB page stays as it was.
    arena.set_allocations_left(~u64(0));
    ASSERT_TRUE(pt.map(0x200000, 0x200000, 4 * MiB, Access::ReadWrite, Privilege::User, Caching::WriteBack).is_ok());
    u64 tables = pt.table_count();
    arena.set_allocations_left(1); // one of the two splits
    EXPECT_EQ(map_error(pt.unmap(0x3ff000, 2 * page_size)), MapError::OutOfMemory);
    EXPECT_EQ(map_error(pt.protect(0x3ff000, 2 * page_size, Access::Read)), MapError::OutOfMemory);
    EXPECT_EQ(pt.table_count(), tables);
    EXPECT_EQ(pt.translate(0x3ff000)->page_size, large_page_size);
    EXPECT_EQ(pt.translate(0x3ff000)->access, Access::ReadWrite);
    EXPECT_EQ(pt.translate(0x400000)->page_size, large_page_size);
    EXPECT_FALSE(pt.take_flush_range().has_value());
    EXPECT_TRUE(pt.check_invariants());
    pt.destroy();
    EXPECT_EQ(arena.live_frames(), 0u);
}

TEST(PageTable, CheckInvariantsCatchesCorruption)
{
    ArenaPhys arena(16);
    PageTable pt = make(arena);
    ASSERT_TRUE(pt.map(kernel_base, 0x100000, page_size, Access::ReadExecute, Privilege::Kernel, Caching::WriteBack).is_ok());
    ASSERT_TRUE(pt.map(0x400000, 0x200000, 2 * page_size, Access::ReadWrite, Privilege::User, Caching::WriteBack).is_ok());
    ASSERT_TRUE(pt.map(0x800000, 0x800000, 2 * MiB, Access::Read, Privilege::User, Caching::WriteBack).is_ok());
    ASSERT_TRUE(pt.check_invariants());

    struct Corruption {
        const char* what;
        u64 virt;
        int level;
        u64 set;
        u64 clear;
    };
    const Corruption corruptions[] = {
        { "W+X kernel leaf", kernel_base, 1, pte::writable, 0 },
        { "W+X user leaf", 0x400000, 1, 0, pte::no_execute },
        { "W+X 2 MiB leaf", 0x800000, 2, pte::writable, pte::no_execute },
        { "user leaf in the upper half", kernel_base, 1, pte::user, pte::global },
        { "U/S on an upper-half PML4 entry", kernel_base, 4, pte::user, 0 },
        { "U/S on an upper-half PD entry", kernel_base, 2, pte::user, 0 },
        { "kernel upper leaf without global", kernel_base, 1, 0, pte::global },
        { "global user leaf", 0x400000, 1, pte::global, 0 },
        { "user leaf under a supervisor-only table", 0x400000, 2, 0, pte::user },
        { "1 GiB page", 0x400000, 3, pte::large, 0 },
        { "ignored high bits", 0x400000, 1, u64(1) << 60, 0 },
        { "misaligned 2 MiB frame", 0x800000, 2, 0x1000, 0 },
    };
    for (const Corruption& c : corruptions) {
        u64& e = entry_at(arena, pt, c.virt, c.level);
        u64 saved = e;
        e = (e | c.set) & ~c.clear;
        EXPECT_FALSE(pt.check_invariants()) << c.what;
        e = saved;
        EXPECT_TRUE(pt.check_invariants()) << c.what;
    }

    // An empty table left behind, and the table count off by one.
    u64& kernel_leaf = entry_at(arena, pt, kernel_base, 1);
    u64 saved = kernel_leaf;
    kernel_leaf = 0;
    EXPECT_FALSE(pt.check_invariants());
    kernel_leaf = saved;
    ASSERT_TRUE(pt.check_invariants());
    // The CPU's accessed and dirty bits are not corruption.
    entry_at(arena, pt, 0x400000, 4) |= pte::accessed;
    entry_at(arena, pt, 0x400000, 1) |= pte::accessed | pte::dirty;
    EXPECT_TRUE(pt.check_invariants());
}

// ---- Property: random operations against a model ----

namespace {

struct ModelPage {
    u64 phys;
    Access access;
    Privilege privilege;
};

// Two windows of 8 MiB (2048 pages): one user-capable in the lower half, one kernel-only high.
constexpr u64 window_pages = 2048;
const u64 windows[2] = { 0x7fc00000, kernel_base + 0x3fc00000 }; // both straddle a 1 GiB line

struct Op {
    int window;
    u64 first_page;
    u64 pages;
};

rc::Gen<Op> gen_op()
{
    return rc::gen::exec([] {
        Op op {};
        op.window = *rc::gen::inRange(0, 2);
        u64 start = *rc::gen::oneOf(rc::gen::inRange<u64>(0, window_pages),
            rc::gen::map(rc::gen::inRange<u64>(0, window_pages / 512), [](u64 b) { return b * 512; }));
        u64 pages = *rc::gen::oneOf(rc::gen::inRange<u64>(1, 8), rc::gen::inRange<u64>(1, 1200), rc::gen::element<u64>(512, 1024));
        op.first_page = start;
        op.pages = lib::min(pages, window_pages - start);
        return op;
    });
}

Access gen_access() { return *rc::gen::element(Access::Read, Access::ReadWrite, Access::ReadExecute); }

void check_pages(const PageTable& pt, const std::map<u64, ModelPage>& model, u64 virt, u64 pages)
{
    for (u64 i = 0; i < pages; ++i) {
        u64 va = virt + i * page_size;
        auto t = pt.translate(va + 0x7ff);
        auto it = model.find(va);
        RC_ASSERT(t.has_value() == (it != model.end()));
        if (!t)
            continue;
        RC_ASSERT(t->phys == it->second.phys + 0x7ff);
        RC_ASSERT(t->access == it->second.access);
        RC_ASSERT(t->privilege == it->second.privilege);
        RC_ASSERT(t->caching == Caching::WriteBack);
        RC_ASSERT(t->page_size == page_size || t->page_size == large_page_size);
    }
}

} // namespace

RC_GTEST_PROP(PageTableProperty, RandomOperationsAgreeWithModel, ())
{
    ArenaPhys arena(256);
    PageTable pt = make(arena);
    std::map<u64, ModelPage> model;

    int steps = *rc::gen::inRange(1, 40);
    for (int step = 0; step < steps; ++step) {
        Op op = *gen_op();
        u64 virt = windows[op.window] + op.first_page * page_size;
        u64 size = op.pages * page_size;
        bool any_mapped = false;
        bool all_mapped = true;
        for (u64 i = 0; i < op.pages; ++i) {
            bool mapped = model.count(virt + i * page_size) != 0;
            any_mapped = any_mapped || mapped;
            all_mapped = all_mapped && mapped;
        }
        int kind = *rc::gen::inRange(0, 4);
        if (kind <= 1) {
            // Physical addresses 2 MiB aligned half the time, so large pages get used.
            u64 phys = *rc::gen::oneOf(rc::gen::map(rc::gen::inRange<u64>(0, 64), [](u64 b) { return b * large_page_size; }),
                rc::gen::map(rc::gen::inRange<u64>(0, 1 << 20), [](u64 p) { return p * page_size; }));
            Access access = gen_access();
            Privilege privilege = op.window == 0 && *rc::gen::arbitrary<bool>() ? Privilege::User : Privilege::Kernel;
            LargePages large = *rc::gen::element(LargePages::Allow, LargePages::Deny);
            auto r = pt.map(virt, phys, size, access, privilege, Caching::WriteBack, large);
            if (any_mapped) {
                RC_ASSERT(r.is_error() && r.error() == MapError::AlreadyMapped);
            } else {
                RC_ASSERT(r.is_ok());
                for (u64 i = 0; i < op.pages; ++i)
                    model[virt + i * page_size] = ModelPage { phys + i * page_size, access, privilege };
            }
        } else if (kind == 2) {
            auto r = pt.unmap(virt, size);
            RC_ASSERT(r.is_ok() == all_mapped);
            if (!all_mapped)
                RC_ASSERT(r.error() == MapError::NotMapped);
            for (u64 i = 0; all_mapped && i < op.pages; ++i)
                model.erase(virt + i * page_size);
        } else {
            Access access = gen_access();
            auto r = pt.protect(virt, size, access);
            RC_ASSERT(r.is_ok() == all_mapped);
            for (u64 i = 0; all_mapped && i < op.pages; ++i)
                model[virt + i * page_size].access = access;
        }
        RC_ASSERT(pt.check_invariants());
        // The pages the operation touched, their neighbours, and a random sample elsewhere.
        check_pages(pt, model, virt - page_size, op.pages + 2);
        for (int i = 0; i < 32; ++i) {
            int w = *rc::gen::inRange(0, 2);
            check_pages(pt, model, windows[w] + *rc::gen::inRange<u64>(0, window_pages) * page_size, 1);
        }
    }
    for (int w = 0; w < 2; ++w)
        check_pages(pt, model, windows[w], window_pages);

    // Unmapping what is left, run by run, frees every table but the root.
    while (!model.empty()) {
        u64 start = model.begin()->first;
        u64 pages = 0;
        while (model.count(start + pages * page_size) != 0)
            model.erase(start + pages++ * page_size);
        RC_ASSERT(pt.unmap(start, pages * page_size).is_ok());
    }
    RC_ASSERT(pt.check_invariants());
    RC_ASSERT(pt.table_count() == 1u);
    RC_ASSERT(arena.live_frames() == 1u);
    pt.destroy();
    RC_ASSERT(arena.live_frames() == 0u);
}

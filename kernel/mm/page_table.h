// x86-64 4-level page tables (Intel SDM Vol. 3A 4.5, "4-Level Paging"), built through a
// PhysAccess interface so the same code runs on real frames in the kernel and on an arena in tests.
#pragma once

#include "kernel/arch/x86_64/layout.h"
#include "kernel/mm/frame_allocator.h"
#include "lib/optional.h"
#include "lib/result.h"
#include "lib/types.h"

namespace kernel::mm {

enum class MapError : u8 {
    OutOfMemory,   // no frame for a page table
    AlreadyMapped, // map() over a page that is mapped
    NotMapped,     // unmap()/protect() over a page that is not mapped
    Misaligned,    // an address or size that is not a multiple of 4 KiB
    NonCanonical,  // an address in the non-canonical hole, or a range that crosses or wraps
    KernelUserMix, // a User mapping in the upper (kernel) half
    BadSize,       // size 0, or a physical range past physical_address_limit
};

// How the page tables reach physical memory; supplied by the kernel glue or a test.
class PhysAccess {
public:
    // A writable pointer to the 4 KiB frame at `phys` (page-aligned).
    virtual u8* to_virtual(u64 phys) = 0;
    // A page-aligned frame below physical_address_limit for a new table. PageTable zeroes it
    // again itself, so a frame with stale contents can never become a table of wild mappings.
    virtual lib::Result<u64, MapError> allocate_table_frame() = 0;
    virtual void free_table_frame(u64 phys) = 0;

protected:
    ~PhysAccess() = default;
};

// No ReadWriteExecute: W^X holds by construction.
enum class Access : u8 { Read, ReadWrite, ReadExecute };
enum class Privilege : u8 { Kernel, User };
enum class Caching : u8 { WriteBack, Uncached };
enum class LargePages : u8 { Allow, Deny };

struct Translation {
    u64 phys;
    Access access;
    Privilege privilege;
    Caching caching;
    u64 page_size;
};

// Inclusive bounds (`last` is the last byte), so a range that ends at 2^64 is representable.
struct FlushRange {
    u64 first;
    u64 last;
};

constexpr u64 large_page_size = u64(1) << 21;
constexpr u64 kernel_half_base = 0xffff800000000000;
constexpr u64 user_half_end = arch::user_limit;

// Page-table entry bits (SDM Vol. 3A, Tables 4-15 to 4-20).
namespace pte {
constexpr u64 present = u64(1) << 0;
constexpr u64 writable = u64(1) << 1;
constexpr u64 user = u64(1) << 2;
constexpr u64 write_through = u64(1) << 3;
constexpr u64 cache_disable = u64(1) << 4;
constexpr u64 accessed = u64(1) << 5; // set by the CPU on any entry it walks
constexpr u64 dirty = u64(1) << 6;    // set by the CPU on a leaf it writes through
constexpr u64 large = u64(1) << 7; // PS, in a PD entry: a 2 MiB page
constexpr u64 global = u64(1) << 8;
constexpr u64 no_execute = u64(1) << 63;
constexpr u64 address_mask = 0x000ffffffffff000;
constexpr u64 large_address_mask = 0x000fffffffe00000;
// Bits 52..62: ignored or protection keys; this code never sets them.
constexpr u64 high_ignored = 0x7ff0000000000000;
} // namespace pte

// The parts of map() and protect() that decide what a request may do and what a leaf entry
// holds, with no table walk: proved against spec/kernel/mm/page_table.smt2
// (proofs/kernel/mm/page_table.cpp). PageTable calls them; nothing else should.
namespace page_table::detail {
// On success [virt, virt + size) is non-empty, page-aligned and inside one canonical half (so
// virt + size - 1 does not wrap). Fails with: BadSize, Misaligned, NonCanonical.
lib::Result<void, MapError> check_virtual_range(u64 virt, u64 size);
// map()'s checks before it touches the tables: the virtual range as above, phys page-aligned
// with [phys, phys + size) below physical_address_limit, and User only in the lower half.
// Fails with: BadSize, Misaligned, NonCanonical, KernelUserMix.
lib::Result<void, MapError> check_map_request(u64 virt, u64 phys, u64 size, Privilege);
// The leaf map() writes for the page at `target` (`upper`: the page is in the upper half;
// `large`: a 2 MiB PD entry). Never both writable and executable.
u64 leaf_entry(u64 target, Access, Privilege, Caching, bool upper, bool large);
// `entry` with its access changed by protect(); every other bit kept.
u64 protected_entry(u64 entry, Access);
} // namespace page_table::detail

// One address space's tables. Security properties, checked by check_invariants(): no leaf is
// both writable and executable; nothing in the upper half is user-accessible; kernel leaves in
// the upper half are global and nothing else is.
//
// TLB: this class only edits memory. map() only fills non-present entries, which the CPU does
// not cache, so it needs no flush. After unmap() or protect() the caller must invalidate
// take_flush_range() with invlpg (or toggle CR4.PGE: upper-half kernel leaves are global and
// survive a CR3 reload) before running code that may use the old translations. unmap() frees
// emptied table frames at once, so the flush must also come before those frames are reused
// (on one CPU: before the next frame allocation).
class PageTable {
public:
    // Allocates and zeroes the root (PML4).
    // Fails with: OutOfMemory.
    static lib::Result<PageTable, MapError> create(PhysAccess&);

    PageTable(PageTable&& other);
    PageTable(const PageTable&) = delete;
    PageTable& operator=(const PageTable&) = delete;
    PageTable& operator=(PageTable&&) = delete;
    // Does not free the tables (they may be live in CR3); destroy() does.
    ~PageTable() = default;

    u64 root_phys() const { return m_root; }
    // Tables this page table holds, the root included.
    u64 table_count() const { return m_table_count; }

    // Maps [virt, virt + size) to [phys, phys + size). Uses 2 MiB pages wherever virt, phys and
    // the remaining size allow it and `large` is Allow, 4 KiB pages elsewhere. Kernel mappings
    // may live in either half (the kernel maps low memory in tests and early boot); User
    // mappings only in the lower half. On any error nothing is mapped and no table is leaked.
    // Fails with: BadSize (size 0, phys + size past physical_address_limit),
    //             Misaligned (virt, phys or size not 4 KiB multiples),
    //             NonCanonical (the range leaves its canonical half),
    //             KernelUserMix (User in the upper half), AlreadyMapped, OutOfMemory.
    lib::Result<void, MapError> map(u64 virt, u64 phys, u64 size, Access, Privilege, Caching,
        LargePages large = LargePages::Allow);

    // Unmaps [virt, virt + size), splitting a 2 MiB page that the range covers only in part,
    // and frees tables left empty. The whole range must be mapped; on any error nothing changes.
    // Fails with: BadSize, Misaligned, NonCanonical, NotMapped, OutOfMemory (for a split).
    lib::Result<void, MapError> unmap(u64 virt, u64 size);

    // Changes the access of every page of [virt, virt + size) (privilege and caching stay),
    // splitting 2 MiB pages covered in part. The whole range must be mapped; on error nothing
    // changes.
    // Fails with: BadSize, Misaligned, NonCanonical, NotMapped, OutOfMemory (for a split).
    lib::Result<void, MapError> protect(u64 virt, u64 size, Access);

    lib::Optional<Translation> translate(u64 virt) const;

    // The hull of every virtual range whose existing translations changed since the last call
    // (unmap, protect, splits); nullopt when nothing needs a flush. Clears the record.
    lib::Optional<FlushRange> take_flush_range();

    // Frees every table, the root included. Precondition: not loaded in CR3. The PageTable is
    // empty afterwards (root_phys() == 0); only destruction is valid then.
    void destroy();

    // Walks every present entry: false if a leaf is writable and executable, anything in the
    // upper half is user-accessible, a user leaf sits under a supervisor-only table, global is
    // set on anything but an upper-half kernel leaf, a reserved bit or a 1 GiB page appears, a
    // non-root table is empty, or the tables reachable differ from table_count().
    bool check_invariants() const;

private:
    PageTable(PhysAccess& phys, u64 root) : m_phys(&phys), m_root(root), m_table_count(1) { }

    // The deepest entry that decides `virt`: a leaf (present) or a non-present entry, and the
    // level it is at (4 = PML4 ... 1 = PT).
    struct Slot {
        u64* entry;
        int level;
    };
    Slot lookup(u64 virt) const;
    u64* table(u64 phys) const;
    lib::Result<u64, MapError> allocate_table();
    void release_table(u64 phys);
    lib::Result<u64*, MapError> entry_for_map(u64 virt, int leaf_level, bool user);
    bool range_is(u64 virt, u64 size, bool mapped) const;
    lib::Result<void, MapError> split_ends(u64 virt, u64 size);
    void split_large(u64 virt, u64 table_phys);
    void remove_leaves(u64 virt, u64 size);
    void prune_path(u64 virt);
    void record_flush(u64 virt, u64 size);
    bool check_table(u64 phys, int level, u64 virt_base, bool user_path, u64& tables) const;
    void destroy_table(u64 phys, int level);

    // Invariant: non-null while m_root != 0.
    PhysAccess* m_phys;
    // Invariant: the PML4's frame; 0 only after destroy() or a move.
    u64 m_root;
    // Invariant: the number of tables reachable from m_root, m_root included.
    u64 m_table_count;
    bool m_flush_pending { false };
    u64 m_flush_first { 0 };
    u64 m_flush_last { 0 };
};

} // namespace kernel::mm

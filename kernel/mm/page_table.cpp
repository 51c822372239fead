// x86-64 4-level page tables (see page_table.h). Walks are loops over the four levels; range
// operations advance by at least one 4 KiB page per iteration, so every loop is bounded.
#include "kernel/mm/page_table.h"

#include "lib/utility.h"

namespace kernel::mm {

namespace {

constexpr usize entries_per_table = 512;
constexpr u64 table_bits = pte::present | pte::writable;
constexpr u64 access_bits = pte::writable | pte::no_execute;
constexpr u64 leaf_flag_bits = pte::present | pte::writable | pte::user | pte::write_through | pte::cache_disable
    | pte::global | pte::no_execute;

// Bytes one entry at `level` maps: 4 KiB at level 1 (PT) up to 512 GiB at level 4 (PML4).
constexpr u64 level_size(int level) { return u64(1) << (page_shift + 9 * u64(level - 1)); }
constexpr usize index_of(u64 virt, int level) { return usize((virt >> (page_shift + 9 * u64(level - 1))) & 511); }
constexpr bool is_upper(u64 virt) { return virt >= kernel_half_base; }
constexpr bool is_canonical(u64 virt) { return virt < user_half_end || virt >= kernel_half_base; }
// Bytes from `virt` to the end of the `level`-sized block holding it.
constexpr u64 to_block_end(u64 virt, int level) { return level_size(level) - (virt & (level_size(level) - 1)); }

} // namespace

namespace page_table::detail {

lib::Result<void, MapError> check_virtual_range(u64 virt, u64 size)
{
    if (size == 0)
        return MapError::BadSize;
    if (!lib::is_aligned(virt, page_size) || !lib::is_aligned(size, page_size))
        return MapError::Misaligned;
    u64 last = 0;
    if (__builtin_add_overflow(virt, size - 1, &last))
        return MapError::NonCanonical;
    if (!is_canonical(virt) || !is_canonical(last) || is_upper(virt) != is_upper(last))
        return MapError::NonCanonical;
    return {};
}

lib::Result<void, MapError> check_map_request(u64 virt, u64 phys, u64 size, Privilege privilege)
{
    TRY(check_virtual_range(virt, size));
    if (!lib::is_aligned(phys, page_size))
        return MapError::Misaligned;
    if (phys >= physical_address_limit || size > physical_address_limit - phys)
        return MapError::BadSize;
    if (privilege == Privilege::User && is_upper(virt))
        return MapError::KernelUserMix;
    return {};
}

u64 leaf_entry(u64 target, Access access, Privilege privilege, Caching caching, bool upper, bool large)
{
    u64 bits = pte::present;
    if (access == Access::ReadWrite)
        bits |= pte::writable;
    if (access != Access::ReadExecute)
        bits |= pte::no_execute;
    if (privilege == Privilege::User)
        bits |= pte::user;
    if (caching == Caching::Uncached)
        bits |= pte::write_through | pte::cache_disable;
    // Global keeps kernel translations across CR3 switches; never for user pages.
    if (privilege == Privilege::Kernel && upper)
        bits |= pte::global;
    if (large)
        bits |= pte::large;
    return target | bits;
}

u64 protected_entry(u64 entry, Access access)
{
    u64 bits = (access == Access::ReadWrite ? pte::writable : 0) | (access != Access::ReadExecute ? pte::no_execute : 0);
    return (entry & ~access_bits) | bits;
}

} // namespace page_table::detail

PageTable::PageTable(PageTable&& other)
    : m_phys(other.m_phys)
    , m_root(other.m_root)
    , m_table_count(other.m_table_count)
    , m_flush_pending(other.m_flush_pending)
    , m_flush_first(other.m_flush_first)
    , m_flush_last(other.m_flush_last)
{
    other.m_root = 0;
    other.m_table_count = 0;
    other.m_flush_pending = false;
}

lib::Result<PageTable, MapError> PageTable::create(PhysAccess& phys)
{
    PageTable page_table(phys, 0);
    page_table.m_table_count = 0;
    page_table.m_root = TRY(page_table.allocate_table());
    return page_table;
}

u64* PageTable::table(u64 phys) const { return reinterpret_cast<u64*>(m_phys->to_virtual(phys)); }

lib::Result<u64, MapError> PageTable::allocate_table()
{
    u64 phys = TRY(m_phys->allocate_table_frame());
    // Frame 0 is never a table: the low 1 MiB is reserved, and 0 marks "no root".
    VERIFY(phys != 0 && lib::is_aligned(phys, page_size) && phys < physical_address_limit);
    u64* entries = table(phys);
    for (usize i = 0; i < entries_per_table; ++i)
        entries[i] = 0;
    ++m_table_count;
    return phys;
}

void PageTable::release_table(u64 phys)
{
    VERIFY(m_table_count > 0);
    --m_table_count;
    m_phys->free_table_frame(phys);
}

PageTable::Slot PageTable::lookup(u64 virt) const
{
    u64 phys = m_root;
    for (int level = 4; level > 1; --level) {
        u64* entry = &table(phys)[index_of(virt, level)];
        if ((*entry & pte::present) == 0 || (level == 2 && (*entry & pte::large) != 0))
            return Slot { entry, level };
        // This code never creates 1 GiB or 512 GiB pages.
        VERIFY((*entry & pte::large) == 0);
        phys = *entry & pte::address_mask;
    }
    return Slot { &table(phys)[index_of(virt, 1)], 1 };
}

lib::Result<u64*, MapError> PageTable::entry_for_map(u64 virt, int leaf_level, bool user)
{
    u64 phys = m_root;
    for (int level = 4; level > leaf_level; --level) {
        u64* entry = &table(phys)[index_of(virt, level)];
        if ((*entry & pte::present) == 0) {
            u64 child = TRY(allocate_table());
            *entry = child | table_bits;
        }
        VERIFY((*entry & pte::large) == 0);
        // Tables are permissive; the leaf decides. A user leaf needs U/S on every level above.
        if (user)
            *entry |= pte::user;
        phys = *entry & pte::address_mask;
    }
    return &table(phys)[index_of(virt, leaf_level)];
}

// True when every page of the range is mapped (`mapped`) or none is (`!mapped`). Unmapped
// stretches are skipped a whole missing table at a time.
bool PageTable::range_is(u64 virt, u64 size, bool mapped) const
{
    u64 done = 0;
    while (done < size) {
        u64 addr = virt + done;
        Slot slot = lookup(addr);
        if (((*slot.entry & pte::present) != 0) != mapped)
            return false;
        done += lib::min(to_block_end(addr, slot.level), size - done);
    }
    return true;
}

lib::Result<void, MapError> PageTable::map(u64 virt, u64 phys, u64 size, Access access, Privilege privilege,
    Caching caching, LargePages large)
{
    TRY(page_table::detail::check_map_request(virt, phys, size, privilege));
    bool upper = is_upper(virt);
    // Checked up front so AlreadyMapped never leaves a half-made mapping.
    if (!range_is(virt, size, false))
        return MapError::AlreadyMapped;

    bool user = privilege == Privilege::User;
    u64 done = 0;
    while (done < size) {
        u64 addr = virt + done;
        u64 target = phys + done;
        int level = 1;
        if (large == LargePages::Allow && lib::is_aligned(addr, large_page_size) && lib::is_aligned(target, large_page_size)
            && size - done >= large_page_size && lookup(addr).level >= 2)
            level = 2; // (an existing page table there means 4 KiB pages; it cannot hold any)
        auto entry = entry_for_map(addr, level, user);
        if (entry.is_error()) {
            // Out of table frames: undo the pages mapped so far and the tables made for them.
            remove_leaves(virt, done);
            prune_path(addr);
            return entry.error();
        }
        u64* e = entry.value();
        VERIFY((*e & pte::present) == 0);
        *e = page_table::detail::leaf_entry(target, access, privilege, caching, upper, level == 2);
        done += level_size(level);
    }
    return {};
}

// Removes every leaf of the range. Precondition: the range is mapped and no 2 MiB page sticks
// out of it (split_ends() ran). Emptied tables are freed once per table, after its last entry.
void PageTable::remove_leaves(u64 virt, u64 size)
{
    u64 done = 0;
    while (done < size) {
        u64 addr = virt + done;
        Slot slot = lookup(addr);
        u64 leaf_size = level_size(slot.level);
        VERIFY((*slot.entry & pte::present) != 0);
        VERIFY(lib::is_aligned(addr, leaf_size) && size - done >= leaf_size);
        *slot.entry = 0;
        done += leaf_size;
        if (done == size || index_of(addr, slot.level) == entries_per_table - 1)
            prune_path(addr);
    }
}

// Frees the tables on the path to `virt` that are empty, deepest first; never the root.
void PageTable::prune_path(u64 virt)
{
    u64 table_at[5] = {};       // table_at[l]: the level-l table on the path
    u64* entry_to[5] = {};      // entry_to[l]: the entry (in the level-l+1 table) pointing to it
    table_at[4] = m_root;
    int deepest = 4;
    for (int level = 4; level > 1; --level) {
        u64* entry = &table(table_at[level])[index_of(virt, level)];
        if ((*entry & pte::present) == 0 || (*entry & pte::large) != 0)
            break;
        table_at[level - 1] = *entry & pte::address_mask;
        entry_to[level - 1] = entry;
        deepest = level - 1;
    }
    for (int level = deepest; level < 4; ++level) {
        const u64* entries = table(table_at[level]);
        for (usize i = 0; i < entries_per_table; ++i) {
            if ((entries[i] & pte::present) != 0)
                return;
        }
        *entry_to[level] = 0;
        release_table(table_at[level]);
    }
}

// Turns the 2 MiB page at `virt` into a page table of 512 identical 4 KiB pages.
void PageTable::split_large(u64 virt, u64 table_phys)
{
    Slot slot = lookup(virt);
    VERIFY(slot.level == 2 && (*slot.entry & pte::present) != 0);
    u64 entry = *slot.entry;
    u64 frame = entry & pte::large_address_mask;
    u64 flags = entry & leaf_flag_bits;
    u64* entries = table(table_phys);
    for (usize i = 0; i < entries_per_table; ++i)
        entries[i] = (frame + i * page_size) | flags;
    *slot.entry = table_phys | table_bits | (entry & pte::user);
    record_flush(lib::align_down(virt, large_page_size), large_page_size);
}

// Splits the (at most two) 2 MiB pages the range covers only in part. The tables are all
// allocated before anything changes, so OutOfMemory leaves the tables as they were.
lib::Result<void, MapError> PageTable::split_ends(u64 virt, u64 size)
{
    u64 split_at[2] = {};
    usize splits = 0;
    Slot first = lookup(virt);
    u64 first_block = lib::align_down(virt, large_page_size);
    if (first.level == 2 && (*first.entry & pte::present) != 0 && (virt != first_block || size < large_page_size))
        split_at[splits++] = first_block;
    u64 last = virt + (size - page_size);
    Slot final = lookup(last);
    u64 last_block = lib::align_down(last, large_page_size);
    if (final.level == 2 && (*final.entry & pte::present) != 0 && last - last_block != large_page_size - page_size
        && (splits == 0 || split_at[0] != last_block))
        split_at[splits++] = last_block;

    u64 tables[2] = {};
    for (usize i = 0; i < splits; ++i) {
        auto table_phys = allocate_table();
        if (table_phys.is_error()) {
            for (usize j = 0; j < i; ++j)
                release_table(tables[j]);
            return table_phys.error();
        }
        tables[i] = table_phys.value();
    }
    for (usize i = 0; i < splits; ++i)
        split_large(split_at[i], tables[i]);
    return {};
}

lib::Result<void, MapError> PageTable::unmap(u64 virt, u64 size)
{
    TRY(page_table::detail::check_virtual_range(virt, size));
    if (!range_is(virt, size, true))
        return MapError::NotMapped;
    TRY(split_ends(virt, size));
    remove_leaves(virt, size);
    record_flush(virt, size);
    return {};
}

lib::Result<void, MapError> PageTable::protect(u64 virt, u64 size, Access access)
{
    TRY(page_table::detail::check_virtual_range(virt, size));
    if (!range_is(virt, size, true))
        return MapError::NotMapped;
    TRY(split_ends(virt, size));
    u64 done = 0;
    while (done < size) {
        u64 addr = virt + done;
        Slot slot = lookup(addr);
        u64 leaf_size = level_size(slot.level);
        VERIFY((*slot.entry & pte::present) != 0);
        VERIFY(lib::is_aligned(addr, leaf_size) && size - done >= leaf_size);
        *slot.entry = page_table::detail::protected_entry(*slot.entry, access);
        done += leaf_size;
    }
    record_flush(virt, size);
    return {};
}

lib::Optional<Translation> PageTable::translate(u64 virt) const
{
    if (m_root == 0 || !is_canonical(virt))
        return lib::nullopt;
    Slot slot = lookup(virt);
    u64 entry = *slot.entry;
    if ((entry & pte::present) == 0)
        return lib::nullopt;
    u64 size = level_size(slot.level);
    u64 frame = entry & (slot.level == 2 ? pte::large_address_mask : pte::address_mask);
    Access access = Access::ReadExecute;
    if ((entry & pte::writable) != 0) {
        VERIFY((entry & pte::no_execute) != 0); // W^X
        access = Access::ReadWrite;
    } else if ((entry & pte::no_execute) != 0) {
        access = Access::Read;
    }
    return Translation {
        frame + (virt & (size - 1)),
        access,
        (entry & pte::user) != 0 ? Privilege::User : Privilege::Kernel,
        (entry & pte::cache_disable) != 0 ? Caching::Uncached : Caching::WriteBack,
        size,
    };
}

void PageTable::record_flush(u64 virt, u64 size)
{
    u64 last = virt + (size - 1);
    if (!m_flush_pending) {
        m_flush_pending = true;
        m_flush_first = virt;
        m_flush_last = last;
        return;
    }
    m_flush_first = lib::min(m_flush_first, virt);
    m_flush_last = lib::max(m_flush_last, last);
}

lib::Optional<FlushRange> PageTable::take_flush_range()
{
    if (!m_flush_pending)
        return lib::nullopt;
    m_flush_pending = false;
    return FlushRange { m_flush_first, m_flush_last };
}

void PageTable::destroy_table(u64 phys, int level)
{
    if (level > 1) {
        const u64* entries = table(phys);
        for (usize i = 0; i < entries_per_table; ++i) {
            u64 entry = entries[i];
            if ((entry & pte::present) != 0 && (entry & pte::large) == 0)
                destroy_table(entry & pte::address_mask, level - 1);
        }
    }
    release_table(phys);
}

void PageTable::destroy()
{
    if (m_root == 0)
        return;
    destroy_table(m_root, 4);
    VERIFY(m_table_count == 0);
    m_root = 0;
    m_flush_pending = false;
}

// Recursion depth is at most four (one call per level).
bool PageTable::check_table(u64 phys, int level, u64 virt_base, bool user_path, u64& tables) const
{
    ++tables;
    const u64* entries = table(phys);
    bool any_present = false;
    for (usize i = 0; i < entries_per_table; ++i) {
        u64 entry = entries[i];
        if ((entry & pte::present) == 0)
            continue;
        any_present = true;
        u64 virt = virt_base | (u64(i) << (page_shift + 9 * u64(level - 1)));
        if (level == 4 && i >= entries_per_table / 2)
            virt |= 0xffff000000000000; // sign extension of bit 47
        bool upper = is_upper(virt);
        if ((entry & pte::high_ignored) != 0)
            return false;
        if (upper && (entry & pte::user) != 0)
            return false;
        bool leaf = level == 1 || (level == 2 && (entry & pte::large) != 0);
        if (!leaf) {
            // Tables are exactly P|RW, plus U/S in the lower half and the CPU's accessed bit;
            // no 1 GiB pages.
            if ((entry & ~(pte::address_mask | table_bits | pte::user | pte::accessed)) != 0 || (entry & pte::writable) == 0)
                return false;
            u64 child = entry & pte::address_mask;
            if (child == 0 || !check_table(child, level - 1, virt, user_path && (entry & pte::user) != 0, tables))
                return false;
            continue;
        }
        if ((entry & pte::writable) != 0 && (entry & pte::no_execute) == 0)
            return false; // W^X
        if ((entry & pte::user) != 0 && !user_path)
            return false; // a user leaf the CPU would refuse: a table above lacks U/S
        bool kernel_global = upper && (entry & pte::user) == 0;
        if (((entry & pte::global) != 0) != kernel_global)
            return false;
        if (level == 1 && (entry & pte::large) != 0)
            return false; // PAT bit in a PTE: never used
        if (level == 2 && (entry & pte::address_mask & ~pte::large_address_mask) != 0)
            return false; // a 2 MiB frame must be 2 MiB aligned (bit 12, PAT, unused)
    }
    // Empty tables are freed as soon as they empty; only the root may be empty.
    return level == 4 || any_present;
}

bool PageTable::check_invariants() const
{
    if (m_root == 0)
        return m_table_count == 0;
    if (!lib::is_aligned(m_root, page_size) || m_root >= physical_address_limit)
        return false;
    u64 tables = 0;
    if (!check_table(m_root, 4, 0, true, tables))
        return false;
    return tables == m_table_count;
}

} // namespace kernel::mm

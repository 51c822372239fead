// Memory map clean-up: a sweep over the sorted boundaries of the raw entries, so overlaps,
// disorder and wrap-around all reduce to "which entries cover this elementary interval".
#include "kernel/mm/memory_map.h"

#include "lib/utility.h"

namespace kernel::mm {

namespace {

// Clips a raw entry to [0, physical_address_limit) without overflow. False when empty.
bool clip(const RawEntry& entry, u64& base, u64& end)
{
    if (entry.length == 0 || entry.base >= physical_address_limit)
        return false;
    base = entry.base;
    end = entry.length > physical_address_limit - base ? physical_address_limit : base + entry.length;
    return true;
}

// Sorts ascending. Insertion sort: n <= 2 * MemoryMap::capacity, and it is simple to verify.
void sort(u64* values, usize n)
{
    for (usize i = 1; i < n; ++i) {
        u64 v = values[i];
        usize j = i;
        while (j > 0 && values[j - 1] > v) {
            values[j] = values[j - 1];
            --j;
        }
        values[j] = v;
    }
}

// The most restrictive type among the entries covering `at`; false when none covers it.
bool covering_type(lib::Span<const RawEntry> raw, u64 at, RegionType& type)
{
    bool covered = false;
    for (const RawEntry& entry : raw) {
        u64 base = 0;
        u64 end = 0;
        if (!clip(entry, base, end) || base > at || end <= at)
            continue;
        RegionType t = MemoryMap::type_from_e820(entry.type);
        if (!covered || MemoryMap::restrictiveness(t) > MemoryMap::restrictiveness(type))
            type = t;
        covered = true;
    }
    return covered;
}

} // namespace

RegionType MemoryMap::type_from_e820(u32 type)
{
    switch (type) {
    case 1:
        return RegionType::Usable;
    case 3:
        return RegionType::AcpiReclaimable;
    case 4:
        return RegionType::AcpiNvs;
    case 5:
        return RegionType::Unusable;
    default:
        // 2, and every type this kernel does not know (persistent memory, vendor types): a type
        // we do not understand must never be handed out.
        return RegionType::Reserved;
    }
}

u8 MemoryMap::restrictiveness(RegionType type)
{
    switch (type) {
    case RegionType::Usable:
        return 0;
    case RegionType::AcpiReclaimable:
        return 1;
    case RegionType::AcpiNvs:
        return 2;
    case RegionType::Unusable:
        return 3;
    case RegionType::Reserved:
        return 4;
    }
    return 4;
}

lib::StringView MemoryMap::type_name(RegionType type)
{
    switch (type) {
    case RegionType::Usable:
        return "usable";
    case RegionType::Reserved:
        return "reserved";
    case RegionType::AcpiReclaimable:
        return "ACPI reclaimable";
    case RegionType::AcpiNvs:
        return "ACPI NVS";
    case RegionType::Unusable:
        return "unusable";
    }
    return "?";
}

bool MemoryMap::append(u64 base, u64 end, RegionType type)
{
    if (type == RegionType::Usable) {
        if (!lib::align_up(base, page_size, base))
            return true;
        end = lib::align_down(end, page_size);
    }
    if (base >= end)
        return true;
    if (m_count > 0) {
        Region& last = m_regions[m_count - 1];
        if (last.end() == base && last.type == type) {
            last.length += end - base;
            return true;
        }
    }
    if (m_count == capacity)
        return false;
    m_regions[m_count++] = Region { base, end - base, type };
    return true;
}

lib::Result<MemoryMap, MemoryMapError> MemoryMap::build(lib::Span<const RawEntry> raw)
{
    if (raw.size() > capacity)
        return MemoryMapError::TooManyEntries;

    // Every start and end of a non-empty clipped entry; between two consecutive distinct
    // points, each entry either covers the whole interval or none of it.
    u64 points[2 * capacity];
    usize point_count = 0;
    for (const RawEntry& entry : raw) {
        u64 base = 0;
        u64 end = 0;
        if (!clip(entry, base, end))
            continue;
        points[point_count++] = base;
        points[point_count++] = end;
    }
    sort(points, point_count);

    // A run of same-typed intervals is collected in `open_*` and appended once it ends, so
    // usable runs are page-rounded as a whole (two half-page usable entries make one page).
    MemoryMap map;
    bool open = false;
    u64 open_base = 0;
    u64 open_end = 0;
    RegionType open_type = RegionType::Reserved;
    for (usize p = 0; p + 1 < point_count; ++p) {
        u64 lo = points[p];
        u64 hi = points[p + 1];
        if (lo == hi)
            continue;
        RegionType type = RegionType::Usable;
        if (!covering_type(raw, lo, type))
            continue;
        if (open && open_end == lo && open_type == type) {
            open_end = hi;
            continue;
        }
        if (open && !map.append(open_base, open_end, open_type))
            return MemoryMapError::TooManyEntries;
        open = true;
        open_base = lo;
        open_end = hi;
        open_type = type;
    }
    if (open && !map.append(open_base, open_end, open_type))
        return MemoryMapError::TooManyEntries;
    // Dropping a sub-page usable run never leaves two alike regions touching (the dropped run
    // had a non-zero length), but merging again keeps the invariant obvious.
    map.merge_adjacent();
    if (map.usable_bytes() == 0)
        return MemoryMapError::NoUsableMemory;
    return map;
}

void MemoryMap::merge_adjacent()
{
    usize kept = 0;
    for (usize i = 0; i < m_count; ++i) {
        if (kept > 0 && m_regions[kept - 1].end() == m_regions[i].base && m_regions[kept - 1].type == m_regions[i].type) {
            m_regions[kept - 1].length += m_regions[i].length;
            continue;
        }
        m_regions[kept++] = m_regions[i];
    }
    m_count = kept;
}

lib::Result<void, MemoryMapError> MemoryMap::reserve(u64 base, u64 length)
{
    if (length == 0 || base >= physical_address_limit)
        return {};
    u64 lo = lib::align_down(base, page_size);
    u64 hi = length > physical_address_limit - base ? physical_address_limit : base + length;
    // Cannot overflow: hi <= 2^52.
    (void)lib::align_up(hi, page_size, hi);

    // A usable region overlapping [lo, hi) becomes up to three pieces: usable, reserved, usable.
    usize extra = 0;
    for (usize i = 0; i < m_count; ++i) {
        const Region& r = m_regions[i];
        if (r.type != RegionType::Usable || r.end() <= lo || r.base >= hi)
            continue;
        extra += (r.base < lo ? 1 : 0) + (r.end() > hi ? 1 : 0);
    }
    if (extra > capacity - m_count)
        return MemoryMapError::TooManyEntries;

    // Expand in place from the back: region i's pieces land at or after index i, so no region
    // is overwritten before it is read.
    usize j = m_count + extra;
    for (usize i = m_count; i-- > 0;) {
        Region r = m_regions[i];
        if (r.type != RegionType::Usable || r.end() <= lo || r.base >= hi) {
            m_regions[--j] = r;
            continue;
        }
        u64 cut_lo = lib::max(r.base, lo);
        u64 cut_hi = lib::min(r.end(), hi);
        if (r.end() > hi)
            m_regions[--j] = Region { hi, r.end() - hi, RegionType::Usable };
        m_regions[--j] = Region { cut_lo, cut_hi - cut_lo, RegionType::Reserved };
        if (r.base < lo)
            m_regions[--j] = Region { r.base, lo - r.base, RegionType::Usable };
    }
    VERIFY(j == 0);
    m_count += extra;
    merge_adjacent();
    return {};
}

u64 MemoryMap::usable_bytes() const
{
    u64 total = 0;
    for (usize i = 0; i < m_count; ++i) {
        if (m_regions[i].type == RegionType::Usable)
            total += m_regions[i].length;
    }
    return total;
}

u64 MemoryMap::highest_usable_end() const
{
    u64 highest = 0;
    for (usize i = 0; i < m_count; ++i) {
        if (m_regions[i].type == RegionType::Usable)
            highest = lib::max(highest, m_regions[i].end());
    }
    return highest;
}

bool MemoryMap::check_invariants() const
{
    if (m_count > capacity)
        return false;
    for (usize i = 0; i < m_count; ++i) {
        const Region& r = m_regions[i];
        if (r.length == 0 || r.base >= physical_address_limit || r.length > physical_address_limit - r.base)
            return false;
        if (r.type == RegionType::Usable && (!lib::is_aligned(r.base, page_size) || !lib::is_aligned(r.length, page_size)))
            return false;
        if (i > 0) {
            const Region& previous = m_regions[i - 1];
            if (previous.end() > r.base)
                return false;
            if (previous.end() == r.base && previous.type == r.type)
                return false;
        }
    }
    return true;
}

} // namespace kernel::mm

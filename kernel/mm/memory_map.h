// The physical memory map: the hypervisor's untrusted E820-style list (ACPI 6.5, 15.1 "INT 15H
// E820H") turned into sorted, non-overlapping regions whose usable parts are whole pages.
#pragma once

#include "kernel/mm/frame_allocator.h"
#include "lib/result.h"
#include "lib/span.h"
#include "lib/string_view.h"
#include "lib/types.h"

namespace kernel::mm {

enum class RegionType : u8 { Usable, Reserved, AcpiReclaimable, AcpiNvs, Unusable };

// One entry as the firmware or hypervisor reports it (E820 type numbers: 1 usable, 2 reserved,
// 3 ACPI reclaimable, 4 ACPI NVS, 5 unusable; anything else is treated as reserved).
struct RawEntry {
    u64 base;
    u64 length;
    u32 type;
};

struct Region {
    u64 base;
    u64 length;
    RegionType type;
    // Cannot overflow: regions lie below physical_address_limit.
    u64 end() const { return base + length; }
};

enum class MemoryMapError : u8 { TooManyEntries, NoUsableMemory };

class MemoryMap {
public:
    // Most raw entries accepted, and most regions kept (for raw and reserve() splits alike).
    static constexpr usize capacity = 128;

    // Cleans up a raw map. Entries may overlap, be unsorted, be empty, or run past 2^64; bytes
    // at or above physical_address_limit are dropped (no x86-64 machine has them). Where
    // entries overlap, the most restrictive type wins (restrictiveness(): anything beats
    // Usable). Adjacent regions of one type merge; usable regions shrink inward to whole pages.
    // Fails with: TooManyEntries (more than `capacity` raw entries, or the clean map would not
    //             fit), NoUsableMemory (no whole usable page remains).
    static lib::Result<MemoryMap, MemoryMapError> build(lib::Span<const RawEntry> raw);

    // Carves [base, base + length), rounded outward to pages, out of the usable regions (the
    // kernel image, the low 1 MiB, boot modules); the carved parts become Reserved. Bytes that
    // are not usable are left as they are.
    // Fails with: TooManyEntries (the split would not fit; the map is unchanged).
    [[nodiscard]] lib::Result<void, MemoryMapError> reserve(u64 base, u64 length);

    lib::Span<const Region> regions() const { return lib::Span<const Region>(m_regions, m_count); }
    u64 usable_bytes() const;
    // One past the last usable byte; 0 when nothing is usable.
    u64 highest_usable_end() const;

    static lib::StringView type_name(RegionType);
    // Larger is more restrictive: Usable < AcpiReclaimable < AcpiNvs < Unusable < Reserved.
    // Reserved ranks highest because it may be device memory, which must never be touched.
    static u8 restrictiveness(RegionType);
    static RegionType type_from_e820(u32);

    // Checks every invariant stated above the members, from scratch.
    bool check_invariants() const;

private:
    MemoryMap() = default;
    // Appends [base, end) of `type`, merging with the last region when adjacent and alike.
    bool append(u64 base, u64 end, RegionType type);
    void merge_adjacent();

    // Invariant: m_count <= capacity; regions [0, m_count) are non-empty, sorted by base, do
    // not overlap, end at or below physical_address_limit, and two neighbours that touch have
    // different types. Usable regions start and end on page boundaries.
    Region m_regions[capacity] {};
    usize m_count { 0 };
};

} // namespace kernel::mm

// Tests for the memory map clean-up: real QEMU maps, hostile maps, and a property test that
// compares the output with a byte-granular model of what each address should be.
#include "kernel/mm/memory_map.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <optional>
#include <ostream>
#include <vector>

using kernel::mm::MemoryMap;
using kernel::mm::MemoryMapError;
using kernel::mm::page_size;
using kernel::mm::physical_address_limit;
using kernel::mm::RawEntry;
using kernel::mm::Region;
using kernel::mm::RegionType;

namespace kernel::mm {
// How rapidcheck prints an entry in a counterexample (found by argument-dependent lookup).
inline void showValue(const RawEntry& e, std::ostream& os)
{
    os << std::hex << "{0x" << e.base << ", 0x" << e.length << ", " << std::dec << e.type << "}";
}
inline void showValue(RegionType t, std::ostream& os) { os << MemoryMap::type_name(t).chars(); }
} // namespace kernel::mm

namespace {

constexpr u32 usable = 1;
constexpr u32 reserved = 2;
constexpr u32 acpi = 3;
constexpr u32 nvs = 4;
constexpr u32 bad = 5;

MemoryMap must_build(const std::vector<RawEntry>& raw)
{
    auto r = MemoryMap::build(lib::Span<const RawEntry>(raw.data(), raw.size()));
    EXPECT_TRUE(r.is_ok());
    return r.release_value();
}

MemoryMapError build_error(const std::vector<RawEntry>& raw)
{
    auto r = MemoryMap::build(lib::Span<const RawEntry>(raw.data(), raw.size()));
    EXPECT_TRUE(r.is_error());
    return r.is_error() ? r.error() : MemoryMapError::TooManyEntries;
}

struct Expected {
    u64 base;
    u64 end;
    RegionType type;
};

void expect_regions(const MemoryMap& map, const std::vector<Expected>& expected)
{
    EXPECT_TRUE(map.check_invariants());
    auto regions = map.regions();
    ASSERT_EQ(regions.size(), expected.size());
    for (usize i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(regions[i].base, expected[i].base) << "region " << i;
        EXPECT_EQ(regions[i].end(), expected[i].end) << "region " << i;
        EXPECT_EQ(regions[i].type, expected[i].type) << "region " << i;
    }
}

// What QEMU's SeaBIOS reports for `-m 128M` on the pc machine.
const std::vector<RawEntry> qemu_map = {
    { 0, 0x9fc00, usable },
    { 0x9fc00, 0x400, reserved },
    { 0xf0000, 0x10000, reserved },
    { 0x100000, 0x7ee0000, usable },
    { 0x7fe0000, 0x20000, reserved },
    { 0xfffc0000, 0x40000, reserved },
};

const std::vector<Expected> qemu_expected = {
    { 0, 0x9f000, RegionType::Usable }, // 0x9fc00 rounds down to a page
    { 0x9fc00, 0xa0000, RegionType::Reserved },
    { 0xf0000, 0x100000, RegionType::Reserved },
    { 0x100000, 0x7fe0000, RegionType::Usable },
    { 0x7fe0000, 0x8000000, RegionType::Reserved },
    { 0xfffc0000, 0x100000000, RegionType::Reserved },
};

} // namespace

TEST(MemoryMap, QemuPcMap)
{
    MemoryMap map = must_build(qemu_map);
    expect_regions(map, qemu_expected);
    EXPECT_EQ(map.usable_bytes(), 0x9f000u + (0x7fe0000u - 0x100000u));
    EXPECT_EQ(map.highest_usable_end(), 0x7fe0000u);
}

TEST(MemoryMap, UnsortedInputGivesTheSameMap)
{
    std::vector<RawEntry> shuffled = { qemu_map[4], qemu_map[1], qemu_map[5], qemu_map[0], qemu_map[3], qemu_map[2] };
    expect_regions(must_build(shuffled), qemu_expected);
}

TEST(MemoryMap, OverlapsResolveToTheMoreRestrictiveType)
{
    MemoryMap map = must_build({
        { 0, 0x10000, usable },
        { 0x4000, 0x1000, reserved },  // a hole punched into usable
        { 0x8000, 0x2000, acpi },      // ACPI tables inside usable
        { 0x9000, 0x2000, usable },    // usable overlapping the ACPI tail does not upgrade it
        { 0x20000, 0x3000, nvs },
        { 0x21000, 0x1000, reserved }, // reserved beats NVS
        { 0x30000, 0x1000, bad },
        { 0x30000, 0x1000, nvs },      // unusable beats NVS
    });
    expect_regions(map, {
        { 0, 0x4000, RegionType::Usable },
        { 0x4000, 0x5000, RegionType::Reserved },
        { 0x5000, 0x8000, RegionType::Usable },
        { 0x8000, 0xa000, RegionType::AcpiReclaimable },
        { 0xa000, 0x10000, RegionType::Usable },
        { 0x20000, 0x21000, RegionType::AcpiNvs },
        { 0x21000, 0x22000, RegionType::Reserved },
        { 0x22000, 0x23000, RegionType::AcpiNvs },
        { 0x30000, 0x31000, RegionType::Unusable },
    });
}

TEST(MemoryMap, UnknownTypesAreReserved)
{
    MemoryMap map = must_build({ { 0, 0x2000, usable }, { 0x1000, 0x1000, 7 }, { 0x2000, 0x1000, 0 }, { 0x3000, 0x1000, 0xffffffff } });
    expect_regions(map, { { 0, 0x1000, RegionType::Usable }, { 0x1000, 0x4000, RegionType::Reserved } });
}

TEST(MemoryMap, AdjacentAndDuplicateEntriesMerge)
{
    // Two half-page usable entries make one whole page; duplicates change nothing.
    MemoryMap map = must_build({ { 0x1000, 0x800, usable }, { 0x1800, 0x800, usable }, { 0x1000, 0x1000, usable },
        { 0x2000, 0x1000, reserved }, { 0x3000, 0x1000, reserved } });
    expect_regions(map, { { 0x1000, 0x2000, RegionType::Usable }, { 0x2000, 0x4000, RegionType::Reserved } });
}

TEST(MemoryMap, ZeroLengthAndSubPageEntries)
{
    EXPECT_EQ(build_error({}), MemoryMapError::NoUsableMemory);
    EXPECT_EQ(build_error({ { 0x1000, 0, usable }, { 0, 0, usable } }), MemoryMapError::NoUsableMemory);
    EXPECT_EQ(build_error({ { 0x1001, 0xfff, usable } }), MemoryMapError::NoUsableMemory);
    EXPECT_EQ(build_error({ { 0, 0x100000, reserved } }), MemoryMapError::NoUsableMemory);
    MemoryMap map = must_build({ { 0x1000, 0, reserved }, { 0x800, 0x2000, usable } });
    expect_regions(map, { { 0x1000, 0x2000, RegionType::Usable } });
}

TEST(MemoryMap, WrapAroundAndHighEntriesAreClipped)
{
    // Entirely above the 52-bit physical limit, and one running past 2^64: dropped.
    EXPECT_EQ(build_error({ { 0xfffffffffffff000, 0x2000, usable }, { physical_address_limit, 0x1000, usable } }),
        MemoryMapError::NoUsableMemory);
    // Runs past 2^64 from low memory: clipped at the physical limit, not wrapped to 0.
    MemoryMap map = must_build({ { 0x100000, ~u64(0), usable }, { 0, 0x1000, usable } });
    expect_regions(map, { { 0, 0x1000, RegionType::Usable }, { 0x100000, physical_address_limit, RegionType::Usable } });
    EXPECT_EQ(map.highest_usable_end(), physical_address_limit);
    // A wrapping reserved entry still reserves everything above its base.
    map = must_build({ { 0, 0x200000, usable }, { 0x100000, ~u64(0) - 5, reserved } });
    expect_regions(map, { { 0, 0x100000, RegionType::Usable }, { 0x100000, physical_address_limit, RegionType::Reserved } });
}

TEST(MemoryMap, TooManyEntries)
{
    std::vector<RawEntry> raw;
    for (u64 i = 0; i <= MemoryMap::capacity; ++i)
        raw.push_back({ i * 0x2000, 0x1000, usable });
    EXPECT_EQ(build_error(raw), MemoryMapError::TooManyEntries);
    raw.pop_back();
    EXPECT_EQ(must_build(raw).regions().size(), MemoryMap::capacity);

    // Few raw entries, but their overlaps make more regions than fit.
    raw.clear();
    raw.push_back({ 0, 200 * page_size, usable });
    for (u64 i = 1; i < 200; i += 2)
        raw.push_back({ i * page_size, page_size, reserved });
    EXPECT_EQ(build_error(raw), MemoryMapError::TooManyEntries);
}

TEST(MemoryMap, ReserveCarvesUsableMemory)
{
    MemoryMap map = must_build(qemu_map);
    // The kernel image: its last partial page is reserved whole.
    ASSERT_TRUE(map.reserve(0x100000, 0x123456).is_ok());
    // The low 1 MiB: usable parts become reserved; the gap and the BIOS areas stay as they were.
    ASSERT_TRUE(map.reserve(0, 0x100000).is_ok());
    expect_regions(map, {
        { 0, 0x9f000, RegionType::Reserved },
        { 0x9fc00, 0xa0000, RegionType::Reserved },
        { 0xf0000, 0x224000, RegionType::Reserved },
        { 0x224000, 0x7fe0000, RegionType::Usable },
        { 0x7fe0000, 0x8000000, RegionType::Reserved },
        { 0xfffc0000, 0x100000000, RegionType::Reserved },
    });
    EXPECT_EQ(map.usable_bytes(), 0x7fe0000u - 0x224000u);

    // A hole in the middle, a no-op, and a wrapping range that takes the rest.
    ASSERT_TRUE(map.reserve(0x400001, 1).is_ok());
    ASSERT_TRUE(map.reserve(0x500000, 0).is_ok());
    ASSERT_TRUE(map.reserve(physical_address_limit + 5, 100).is_ok());
    EXPECT_EQ(map.usable_bytes(), 0x7fe0000u - 0x224000u - page_size);
    EXPECT_EQ(map.regions()[3].end(), 0x400000u);
    EXPECT_EQ(map.regions()[4].type, RegionType::Reserved);
    ASSERT_TRUE(map.reserve(0x300000, ~u64(0)).is_ok());
    EXPECT_EQ(map.usable_bytes(), 0x300000u - 0x224000u);
    EXPECT_EQ(map.highest_usable_end(), 0x300000u);
    EXPECT_TRUE(map.check_invariants());
}

TEST(MemoryMap, ReserveThatDoesNotFitChangesNothing)
{
    std::vector<RawEntry> raw;
    for (u64 i = 0; i < 127; ++i)
        raw.push_back({ i * 0x10000, 0x10000, i % 2 == 0 ? usable : reserved });
    MemoryMap map = must_build(raw);
    ASSERT_EQ(map.regions().size(), 127u);
    std::vector<Region> before(map.regions().begin(), map.regions().end());
    auto r = map.reserve(0x4000, 0x1000); // would split region 0 into three
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), MemoryMapError::TooManyEntries);
    ASSERT_EQ(map.regions().size(), 127u);
    for (usize i = 0; i < before.size(); ++i) {
        EXPECT_EQ(map.regions()[i].base, before[i].base);
        EXPECT_EQ(map.regions()[i].length, before[i].length);
    }
    // Trimming one edge needs one more slot: it fits.
    EXPECT_TRUE(map.reserve(0, 0x1000).is_ok());
    EXPECT_EQ(map.regions().size(), 128u);
    EXPECT_TRUE(map.check_invariants());
}

TEST(MemoryMap, TypeNames)
{
    EXPECT_TRUE(MemoryMap::type_name(RegionType::Usable) == lib::StringView("usable"));
    EXPECT_TRUE(MemoryMap::type_name(RegionType::AcpiNvs) == lib::StringView("ACPI NVS"));
    EXPECT_TRUE(MemoryMap::type_name(RegionType::Unusable) == lib::StringView("unusable"));
}

// ---- Property: the output against a per-unit model ----

namespace {

// The model works on a small window [0, window) in units of 0x100 bytes; random entries are
// multiples of the unit there, plus hostile entries that start anywhere and run anywhere.
constexpr u64 unit = 0x100;
constexpr u64 window = 16 * page_size;
constexpr u64 units = window / unit;
constexpr u64 units_per_page = page_size / unit;

bool covers(const RawEntry& e, u64 addr)
{
    unsigned __int128 end = (unsigned __int128)e.base + e.length;
    return addr >= e.base && addr < end && addr < physical_address_limit;
}

// The type the raw map gives `addr`: the most restrictive covering entry, or nothing.
std::optional<RegionType> raw_type(const std::vector<RawEntry>& raw, u64 addr)
{
    std::optional<RegionType> t;
    for (const RawEntry& e : raw) {
        if (!covers(e, addr))
            continue;
        RegionType et = MemoryMap::type_from_e820(e.type);
        if (!t || MemoryMap::restrictiveness(et) > MemoryMap::restrictiveness(*t))
            t = et;
    }
    return t;
}

std::optional<RegionType> output_type(const MemoryMap& map, u64 addr)
{
    for (const Region& r : map.regions()) {
        if (addr >= r.base && addr < r.end())
            return r.type;
    }
    return std::nullopt;
}

rc::Gen<RawEntry> gen_entry()
{
    auto small = rc::gen::build<RawEntry>(
        rc::gen::set(&RawEntry::base, rc::gen::map(rc::gen::inRange<u64>(0, units), [](u64 u) { return u * unit; })),
        rc::gen::set(&RawEntry::length, rc::gen::map(rc::gen::inRange<u64>(0, units / 2), [](u64 u) { return u * unit; })),
        rc::gen::set(&RawEntry::type, rc::gen::weightedElement<u32>({ { 6, usable }, { 2, reserved }, { 1, acpi }, { 1, nvs }, { 1, bad }, { 1, 7 } })));
    // Hostile values are multiples of the unit too, so every unit has one type in the model;
    // a length of ~0 (not a multiple) runs past 2^64 and is clipped.
    auto to_unit = [](u64 v) { return v & ~(unit - 1); };
    auto hostile = rc::gen::build<RawEntry>(
        rc::gen::set(&RawEntry::base, rc::gen::map(rc::gen::oneOf(rc::gen::arbitrary<u64>(), rc::gen::inRange<u64>(0, window),
                                          rc::gen::element(physical_address_limit - page_size, ~u64(0) - 0xfff)), to_unit)),
        rc::gen::set(&RawEntry::length, rc::gen::oneOf(rc::gen::map(rc::gen::arbitrary<u64>(), to_unit), rc::gen::element(~u64(0), u64(0)))),
        rc::gen::set(&RawEntry::type, rc::gen::element(usable, reserved, u32(9))));
    return rc::gen::weightedOneOf<RawEntry>({ { 8, small }, { 1, hostile } });
}

// Region-level checks that hold over the whole address space, not just the model's window.
void check_structure(const MemoryMap& map, const std::vector<RawEntry>& raw)
{
    RC_ASSERT(map.check_invariants());
    u64 previous_end = 0;
    for (const Region& r : map.regions()) {
        RC_ASSERT(r.length > 0);
        RC_ASSERT(r.base >= previous_end);
        previous_end = r.end();
        if (r.type != RegionType::Usable)
            continue;
        RC_ASSERT(r.base % page_size == 0);
        RC_ASSERT(r.length % page_size == 0);
        // Never upgraded: no non-usable raw entry touches a usable region ...
        for (const RawEntry& e : raw) {
            unsigned __int128 e_end = (unsigned __int128)e.base + e.length;
            bool overlaps = e.length > 0 && e.base < r.end() && e_end > r.base;
            RC_ASSERT(!(overlaps && e.type != usable));
        }
        // ... and usable entries cover it without a gap.
        u64 pos = r.base;
        while (pos < r.end()) {
            u64 next = pos;
            for (const RawEntry& e : raw) {
                if (e.type == usable && covers(e, pos)) {
                    unsigned __int128 e_end = (unsigned __int128)e.base + e.length;
                    next = e_end > r.end() ? r.end() : u64(e_end);
                    break;
                }
            }
            RC_ASSERT(next > pos);
            pos = next;
        }
    }
}

} // namespace

RC_GTEST_PROP(MemoryMapProperty, OutputMatchesModel, ())
{
    std::vector<RawEntry> raw = *rc::gen::container<std::vector<RawEntry>>(*rc::gen::inRange<usize>(0, 24), gen_entry());
    auto result = MemoryMap::build(lib::Span<const RawEntry>(raw.data(), raw.size()));

    // Per unit: non-usable keeps its (most restrictive) type, uncovered stays a gap, usable is
    // reported only where its whole page is usable in the raw map.
    std::vector<std::optional<RegionType>> expected(units);
    for (u64 u = 0; u < units; ++u)
        expected[u] = raw_type(raw, u * unit);
    for (u64 page = 0; page < units / units_per_page; ++page) {
        bool whole = true;
        for (u64 u = page * units_per_page; u < (page + 1) * units_per_page; ++u)
            whole = whole && expected[u] == RegionType::Usable;
        for (u64 u = page * units_per_page; u < (page + 1) * units_per_page; ++u) {
            if (expected[u] == RegionType::Usable && !whole)
                expected[u] = std::nullopt;
        }
    }

    if (result.is_error()) {
        RC_ASSERT(result.error() == MemoryMapError::NoUsableMemory);
        for (u64 u = 0; u < units; ++u)
            RC_ASSERT(expected[u] != RegionType::Usable);
        return;
    }
    MemoryMap map = result.release_value();
    check_structure(map, raw);
    for (u64 u = 0; u < units; ++u)
        RC_ASSERT(output_type(map, u * unit) == expected[u]);

    // Reserving ranges only ever turns usable pages into reserved ones.
    int reserves = *rc::gen::inRange(0, 4);
    for (int i = 0; i < reserves; ++i) {
        u64 base = *rc::gen::oneOf(rc::gen::inRange<u64>(0, window), rc::gen::arbitrary<u64>());
        u64 length = *rc::gen::oneOf(rc::gen::inRange<u64>(0, window / 2), rc::gen::arbitrary<u64>());
        RC_ASSERT(map.reserve(base, length).is_ok()); // few raw entries: always fits
        unsigned __int128 lo = base / page_size * page_size;
        unsigned __int128 hi = ((unsigned __int128)base + length + page_size - 1) / page_size * page_size;
        for (u64 u = 0; u < units; ++u) {
            if (length > 0 && u * unit >= lo && u * unit < hi && expected[u] == RegionType::Usable)
                expected[u] = RegionType::Reserved;
        }
        RC_ASSERT(map.check_invariants());
        for (u64 u = 0; u < units; ++u)
            RC_ASSERT(output_type(map, u * unit) == expected[u]);
    }
}

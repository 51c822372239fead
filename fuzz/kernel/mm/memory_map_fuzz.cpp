// Fuzz target for the physical memory map clean-up (kernel/mm/memory_map.h): build() over an
// untrusted E820-style list, then reserve() calls as boot makes them.
//
// Input format: byte 0: number of reserve() calls R (low 3 bits); then R records of
// { base u64, length u64 } (little endian); then the raw entries, 20 bytes each:
// { base u64, length u64, type u32 } (E820 types: 1 usable, 2 reserved, 3 ACPI reclaimable,
// 4 ACPI NVS, 5 unusable, anything else reserved). A partial last entry is ignored.
//
// Oracle: an independent model (a sweep over every boundary, most restrictive type wins, runs of
// one type merged, usable runs shrunk inward to whole pages) must give exactly the regions
// build() gives, or the same error. Regions are sorted, non-overlapping, non-empty, below
// 2^52, usable ones page-aligned, and no usable byte is one a raw entry marked non-usable.
// reserve() must turn exactly the usable pages of the (outward-rounded) range into Reserved, or
// fail with TooManyEntries and change nothing. check_invariants() holds after every step.
#include "fuzz/fuzz.h"
#include "kernel/mm/memory_map.h"

#include <algorithm>
#include <memory>
#include <vector>

using fuzz::Input;
namespace mm = kernel::mm;
using mm::MemoryMap;
using mm::RawEntry;
using mm::Region;
using mm::RegionType;

namespace {

constexpr u64 limit = mm::physical_address_limit;
constexpr u64 page = mm::page_size;

struct Piece {
    u64 base;
    u64 end;
    RegionType type;
    bool operator==(const Piece&) const = default;
};

// Merges touching pieces of one type; pieces must be sorted and disjoint.
std::vector<Piece> merged(const std::vector<Piece>& pieces)
{
    std::vector<Piece> out;
    for (const Piece& p : pieces) {
        if (!out.empty() && out.back().end == p.base && out.back().type == p.type)
            out.back().end = p.end;
        else
            out.push_back(p);
    }
    return out;
}

// Usable pieces shrink inward to whole pages; empty ones vanish; neighbours merge again.
std::vector<Piece> page_rounded(const std::vector<Piece>& pieces)
{
    std::vector<Piece> out;
    for (Piece p : pieces) {
        if (p.type == RegionType::Usable) {
            p.base = (p.base + page - 1) / page * page;
            p.end = p.end / page * page;
        }
        if (p.base < p.end)
            out.push_back(p);
    }
    return merged(out);
}

// The E820 entry clipped to [0, 2^52), as [base, end); false when empty.
bool clipped(const RawEntry& e, u64& base, u64& end)
{
    if (e.length == 0 || e.base >= limit)
        return false;
    base = e.base;
    unsigned __int128 full_end = (unsigned __int128)e.base + e.length;
    end = full_end > limit ? limit : u64(full_end);
    return true;
}

std::vector<Piece> model_build(const std::vector<RawEntry>& raw)
{
    std::vector<u64> points;
    for (const RawEntry& e : raw) {
        u64 base, end;
        if (clipped(e, base, end)) {
            points.push_back(base);
            points.push_back(end);
        }
    }
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    std::vector<Piece> pieces;
    for (usize i = 0; i + 1 < points.size(); ++i) {
        bool covered = false;
        RegionType type = RegionType::Usable;
        for (const RawEntry& e : raw) {
            u64 base, end;
            if (!clipped(e, base, end) || base > points[i] || end <= points[i])
                continue;
            RegionType t = MemoryMap::type_from_e820(e.type);
            if (!covered || MemoryMap::restrictiveness(t) > MemoryMap::restrictiveness(type))
                type = t;
            covered = true;
        }
        if (covered)
            pieces.push_back({ points[i], points[i + 1], type });
    }
    return page_rounded(merged(pieces));
}

std::vector<Piece> pieces_of(const MemoryMap& map)
{
    std::vector<Piece> out;
    for (const Region& r : map.regions())
        out.push_back({ r.base, r.end(), r.type });
    return out;
}

// What reserve(base, length) must leave: usable bytes in the page-rounded range become Reserved.
std::vector<Piece> model_reserve(const std::vector<Piece>& before, u64 base, u64 length, usize& pieces_before_merge)
{
    pieces_before_merge = before.size();
    if (length == 0 || base >= limit)
        return before;
    u64 lo = base / page * page;
    unsigned __int128 end = (unsigned __int128)base + length;
    u64 hi = end > limit ? limit : u64(end);
    hi = (hi + page - 1) / page * page;
    std::vector<Piece> out;
    for (const Piece& p : before) {
        if (p.type != RegionType::Usable || p.end <= lo || p.base >= hi) {
            out.push_back(p);
            continue;
        }
        if (p.base < lo)
            out.push_back({ p.base, lo, RegionType::Usable });
        out.push_back({ std::max(p.base, lo), std::min(p.end, hi), RegionType::Reserved });
        if (p.end > hi)
            out.push_back({ hi, p.end, RegionType::Usable });
    }
    pieces_before_merge = out.size();
    return merged(out);
}

void check_map(const MemoryMap& map, const std::vector<Piece>& expected)
{
    FUZZ_CHECK(map.check_invariants(), "check_invariants() holds");
    auto regions = map.regions();
    FUZZ_CHECK(regions.size() <= MemoryMap::capacity, "at most capacity regions");
    u64 usable = 0;
    u64 highest = 0;
    for (usize i = 0; i < regions.size(); ++i) {
        const Region& r = regions[i];
        FUZZ_CHECK(r.length > 0 && r.base < limit && r.length <= limit - r.base, "regions are non-empty and below 2^52");
        FUZZ_CHECK(i == 0 || regions[i - 1].end() <= r.base, "regions are sorted and do not overlap");
        FUZZ_CHECK(MemoryMap::type_name(r.type) != "?", "every region type has a name for the boot log");
        FUZZ_CHECK(i == 0 || regions[i - 1].end() < r.base || regions[i - 1].type != r.type, "touching regions differ in type");
        if (r.type == RegionType::Usable) {
            FUZZ_CHECK(r.base % page == 0 && r.length % page == 0, "usable regions are whole pages");
            usable += r.length;
            highest = std::max(highest, r.end());
        }
    }
    FUZZ_CHECK(map.usable_bytes() == usable, "usable_bytes() sums the usable regions");
    FUZZ_CHECK(map.highest_usable_end() == highest, "highest_usable_end() is the last usable byte + 1");
    FUZZ_CHECK(pieces_of(map) == expected, "regions agree exactly with the model");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in(data, size);
    usize reserve_count = in.take8() & 7;
    std::vector<std::pair<u64, u64>> reserves;
    for (usize i = 0; i < reserve_count; ++i) {
        u64 base = in.take64();
        reserves.push_back({ base, in.take64() });
    }
    std::vector<RawEntry> raw;
    while (in.remaining() >= 20) {
        u64 base = in.take64();
        u64 length = in.take64();
        raw.push_back(RawEntry { base, length, in.take32() });
    }

    // An exact-size copy, so ASan reports a read past the last entry.
    std::unique_ptr<RawEntry[]> copy(new RawEntry[raw.size() ? raw.size() : 1]);
    std::copy(raw.begin(), raw.end(), copy.get());
    auto built = MemoryMap::build(lib::Span<const RawEntry>(copy.get(), raw.size()));
    if (raw.size() > MemoryMap::capacity) {
        FUZZ_CHECK(built.is_error() && built.error() == mm::MemoryMapError::TooManyEntries, "more than capacity raw entries are refused");
        return 0;
    }
    std::vector<Piece> expected = model_build(raw);
    bool any_usable = std::any_of(expected.begin(), expected.end(), [](const Piece& p) { return p.type == RegionType::Usable; });
    if (expected.size() > MemoryMap::capacity) {
        FUZZ_CHECK(built.is_error() && built.error() == mm::MemoryMapError::TooManyEntries, "a clean map over capacity is refused");
        return 0;
    }
    if (!any_usable) {
        FUZZ_CHECK(built.is_error() && built.error() == mm::MemoryMapError::NoUsableMemory, "no whole usable page: NoUsableMemory");
        return 0;
    }
    FUZZ_CHECK(built.is_ok(), "a map the model can build is built");
    MemoryMap map = built.value();
    check_map(map, expected);

    // The spec's security property, stated directly: no raw non-usable byte is reported usable.
    for (const Region& r : map.regions()) {
        if (r.type != RegionType::Usable)
            continue;
        for (const RawEntry& e : raw) {
            u64 base, end;
            if (MemoryMap::type_from_e820(e.type) != RegionType::Usable && clipped(e, base, end))
                FUZZ_CHECK(end <= r.base || base >= r.end(), "a byte marked non-usable is never usable");
        }
    }

    for (auto [base, length] : reserves) {
        usize pieces = 0;
        std::vector<Piece> after = model_reserve(expected, base, length, pieces);
        auto reserved = map.reserve(base, length);
        if (pieces > MemoryMap::capacity) {
            FUZZ_CHECK(reserved.is_error() && reserved.error() == mm::MemoryMapError::TooManyEntries, "a split over capacity is refused");
            check_map(map, expected); // ... and leaves the map unchanged.
            continue;
        }
        FUZZ_CHECK(reserved.is_ok(), "a split that fits succeeds");
        expected = after;
        check_map(map, expected);
    }
    return 0;
}

// Fuzz target for the x86-64 page tables (kernel/mm/page_table.h), as a state machine over an
// arena of "physical" frames (as kernel/mm/page_table_test.cpp builds it).
//
// Input format: a script of operations, each an opcode byte (mod 6) and its arguments, little
// endian. Windows: 0 = 8 MiB at 0x7fc00000 (lower half, User allowed), 1 = 8 MiB at
// 0xffffffffbfc00000 (upper half); both straddle a 1 GiB boundary. A window range is
// { flags u8 (bit 0: window), first_page u16 (mod 2048), pages u16 (1 + mod what is left) }.
//   0 map       range, phys_sel u32 (bit 0: 2 MiB block (bits 1.. mod 64), else page (bits 1.. mod 2^20)),
//               attrs u8 (bits 0-1 access mod 3, bit 2 User, bit 3 Uncached, bit 4 LargePages::Deny)
//   1 unmap     range
//   2 protect   range, access u8 (mod 3)
//   3 budget    n u8: 0xff = unlimited table frames, else at most n mod 8 more
//   4 raw       kind u8 (mod 3: map/unmap/protect), virt u64, size u64, phys u64, attrs u8:
//               arbitrary arguments; run when the spec refuses them (the exact error is
//               checked) or when the range is valid and at most 1024 pages
//   5 translate virt u64: an arbitrary probe
//
// Oracle: a page-level model (virtual page -> phys, access, privilege, caching) predicts every
// result: AlreadyMapped / NotMapped / KernelUserMix / BadSize / Misaligned / NonCanonical
// exactly, and OutOfMemory exactly when the arena refused a frame during the call (and then
// nothing changed). After every step: check_invariants() (W^X, no user pages in the upper half,
// ...), table_count() equals the arena's live frames, translate() agrees with the model around
// the touched range and at probes, and take_flush_range() covers what unmap/protect changed and is
// empty otherwise. At the end, unmapping everything frees every table but the root.
#include "fuzz/fuzz.h"
#include "kernel/mm/page_table.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

using fuzz::Input;
namespace mm = kernel::mm;
using mm::Access;
using mm::Caching;
using mm::LargePages;
using mm::MapError;
using mm::PageTable;
using mm::Privilege;

namespace {

constexpr u64 page = mm::page_size;
constexpr u64 large = mm::large_page_size;
constexpr u64 window_pages = 2048;
constexpr u64 windows[2] = { 0x7fc00000, 0xffffffff80000000 + 0x3fc00000 };
constexpr u64 max_raw_pages = 1024;

// Table frames for the page tables: page-aligned "physical" frames at arena_base, with a budget
// so out-of-memory paths run. Any stray access aborts.
class ArenaPhys final : public mm::PhysAccess {
public:
    static constexpr u64 frames = 64;
    static constexpr u64 arena_base = 0x10000000;

    ArenaPhys() : m_live(frames, false)
    {
        // Each frame is filled with garbage when handed out (allocate_table_frame()).
        m_memory = static_cast<u8*>(std::aligned_alloc(page, frames * page));
    }
    ~ArenaPhys() { std::free(m_memory); }
    ArenaPhys(const ArenaPhys&) = delete;
    ArenaPhys& operator=(const ArenaPhys&) = delete;

    u8* to_virtual(u64 phys) override
    {
        u64 frame = (phys - arena_base) / page;
        FUZZ_CHECK(phys >= arena_base && frame < frames && phys % page == 0 && m_live[frame],
            "PageTable only touches live table frames");
        return m_memory + (phys - arena_base);
    }
    lib::Result<u64, MapError> allocate_table_frame() override
    {
        if (m_budget == 0) {
            ++m_refusals;
            return MapError::OutOfMemory;
        }
        for (u64 f = 0; f < frames; ++f) {
            if (!m_live[f]) {
                m_live[f] = true;
                if (m_budget != unlimited)
                    --m_budget;
                std::memset(m_memory + f * page, 0xcc, page); // Stale: PageTable must zero it.
                return arena_base + f * page;
            }
        }
        ++m_refusals;
        return MapError::OutOfMemory;
    }
    void free_table_frame(u64 phys) override
    {
        u64 frame = (phys - arena_base) / page;
        FUZZ_CHECK(phys >= arena_base && frame < frames && m_live[frame], "PageTable frees only live table frames");
        m_live[frame] = false;
        std::memset(m_memory + frame * page, 0xee, page);
    }

    u64 live_frames() const
    {
        u64 n = 0;
        for (bool b : m_live)
            n += b;
        return n;
    }
    void set_budget(u64 n) { m_budget = n; }
    u64 refusals() const { return m_refusals; }

    static constexpr u64 unlimited = ~u64(0);

private:
    std::vector<bool> m_live;
    u8* m_memory;
    u64 m_budget { unlimited };
    u64 m_refusals { 0 };
};

struct ModelPage {
    u64 phys;
    Access access;
    Privilege privilege;
    Caching caching;
    bool small_only; // Mapped with LargePages::Deny: never part of a 2 MiB page.
    bool operator==(const ModelPage&) const = default;
};

using Model = std::map<u64, ModelPage>;

bool canonical(u64 v) { return v < mm::user_half_end || v >= mm::kernel_half_base; }
bool upper(u64 v) { return v >= mm::kernel_half_base; }

// The spec's validation of a virtual range (page_table.h "Fails with"), in its order.
bool range_error(u64 virt, u64 size, MapError& error)
{
    if (size == 0)
        error = MapError::BadSize;
    else if (virt % page != 0 || size % page != 0)
        error = MapError::Misaligned;
    else if (virt > ~u64(0) - (size - 1) || !canonical(virt) || !canonical(virt + size - 1) || upper(virt) != upper(virt + size - 1))
        error = MapError::NonCanonical;
    else
        return false;
    return true;
}

bool map_error(u64 virt, u64 size, u64 phys, Privilege privilege, MapError& error)
{
    if (range_error(virt, size, error))
        return true;
    if (phys % page != 0)
        error = MapError::Misaligned;
    else if (phys >= mm::physical_address_limit || size > mm::physical_address_limit - phys)
        error = MapError::BadSize;
    else if (privilege == Privilege::User && upper(virt))
        error = MapError::KernelUserMix;
    else
        return false;
    return true;
}

// Mapped pages of the model in [virt, virt + pages * page).
u64 mapped_in(const Model& model, u64 virt, u64 pages)
{
    u64 n = 0;
    for (auto it = model.lower_bound(virt); it != model.end() && it->first - virt < pages * page; ++it)
        ++n;
    return n;
}

// translate() at `va` (a page) against the model's entry for it (nullptr: unmapped). With
// `whole_block`, a 2 MiB leaf is also checked against the model at both ends of its block.
void check_translation(const PageTable& pt, const Model& model, u64 va, const ModelPage* m, bool whole_block)
{
    u64 probe = va + ((va >> 12) * 0x31) % page; // Some offset inside the page.
    auto t = pt.translate(probe);
    FUZZ_CHECK(t.has_value() == (m != nullptr), "translate() finds exactly the model's mapped pages");
    if (!t)
        return;
    FUZZ_CHECK(t->phys == m->phys + (probe - va), "translate() gives the mapped physical address");
    FUZZ_CHECK(t->access == m->access && t->privilege == m->privilege && t->caching == m->caching,
        "translate() gives the mapped access, privilege and caching");
    FUZZ_CHECK(t->page_size == page || t->page_size == large, "leaves are 4 KiB or 2 MiB");
    if (t->page_size == large) {
        FUZZ_CHECK(!m->small_only, "LargePages::Deny never produces a 2 MiB page");
        u64 block = va & ~(large - 1);
        for (u64 offset : { u64(0), large - page }) {
            if (!whole_block)
                break;
            auto other = model.find(block + offset);
            FUZZ_CHECK(other != model.end(), "a 2 MiB leaf maps only pages the model has");
            FUZZ_CHECK(other->second.phys == m->phys - (va - block) + offset, "a 2 MiB leaf is physically contiguous");
        }
    }
}

void check_page(const PageTable& pt, const Model& model, u64 va)
{
    va &= ~(page - 1);
    auto it = canonical(va) ? model.find(va) : model.end();
    check_translation(pt, model, va, it != model.end() ? &it->second : nullptr, true);
}

// The pages of [virt, virt + pages * page) and one either side, walking the model in order: all
// of a small range; the 16 pages at each end and every 61st page of a large one (the final check
// of every mapped page covers the rest).
void check_range(const PageTable& pt, const Model& model, u64 virt, u64 pages)
{
    u64 previous = 0;
    auto it = model.end();
    for (u64 i = 0; i < pages + 2; ++i) {
        if (i >= 17 && i + 17 < pages + 2 && i % 61 != 0)
            continue;
        u64 va = virt + (i - 1) * page;
        if (i == 0 || va < previous || va - previous > 64 * page)
            it = model.lower_bound(va); // First page, a jump, or wrapped around 2^64.
        while (it != model.end() && it->first < va)
            ++it;
        bool mapped = it != model.end() && it->first == va;
        check_translation(pt, model, va, mapped ? &it->second : nullptr, i == 0 || va % large == 0);
        previous = va;
    }
}

struct Fuzzer {
    ArenaPhys arena;
    PageTable pt;
    Model model;

    // Members are built in order: the arena first, then the root table in it.
    Fuzzer() : pt(create_root(arena)) { }

    static PageTable create_root(ArenaPhys& arena)
    {
        auto created = PageTable::create(arena);
        FUZZ_CHECK(created.is_ok(), "create() succeeds with frames available");
        return created.release_value();
    }

    // Checks one call's result: the spec's error when the model predicts one, else success
    // (unless the arena refused a frame during the call: then OutOfMemory). The callers update
    // the model only on success, so after a failure the translation checks that follow verify
    // that nothing changed.
    void expect(lib::Result<void, MapError> result, bool predicted_error, MapError expected, u64 refusals_before, u64 tables_before)
    {
        bool refused = arena.refusals() != refusals_before;
        if (predicted_error) {
            FUZZ_CHECK(result.is_error() && result.error() == expected, "the spec's error, in the spec's order");
        } else if (refused) {
            FUZZ_CHECK(result.is_error() && result.error() == MapError::OutOfMemory, "a refused table frame is OutOfMemory");
        } else {
            FUZZ_CHECK(result.is_ok(), "a valid operation with frames available succeeds");
        }
        if (result.is_error())
            FUZZ_CHECK(pt.table_count() == tables_before, "a failed operation leaks and frees no table");
    }

    void do_map(u64 virt, u64 pages, u64 phys, Access access, Privilege privilege, Caching caching, LargePages large_pages)
    {
        u64 tables = pt.table_count();
        u64 refusals = arena.refusals();
        MapError error {};
        bool predicted = map_error(virt, pages * page, phys, privilege, error);
        if (!predicted && mapped_in(model, virt, pages) != 0) {
            predicted = true;
            error = MapError::AlreadyMapped;
        }
        auto result = pt.map(virt, phys, pages * page, access, privilege, caching, large_pages);
        if (result.is_ok()) {
            for (u64 i = 0; i < pages; ++i)
                model[virt + i * page] = ModelPage { phys + i * page, access, privilege, caching, large_pages == LargePages::Deny };
        }
        expect(result, predicted, error, refusals, tables);
        FUZZ_CHECK(!pt.take_flush_range().has_value(), "map() changes no existing translation, so needs no flush");
    }

    void do_change(bool unmap, u64 virt, u64 pages, Access access)
    {
        u64 tables = pt.table_count();
        u64 refusals = arena.refusals();
        MapError error {};
        bool predicted = range_error(virt, pages * page, error);
        if (!predicted && mapped_in(model, virt, pages) != pages) {
            predicted = true;
            error = MapError::NotMapped;
        }
        auto result = unmap ? pt.unmap(virt, pages * page) : pt.protect(virt, pages * page, access);
        if (result.is_ok()) {
            for (u64 i = 0; i < pages; ++i) {
                if (unmap)
                    model.erase(virt + i * page);
                else
                    model[virt + i * page].access = access;
            }
        }
        expect(result, predicted, error, refusals, tables);
        auto flush = pt.take_flush_range();
        if (result.is_ok()) {
            FUZZ_CHECK(flush.has_value() && flush->first <= virt && flush->last >= virt + (pages * page - 1),
                "the flush range covers every changed translation");
        } else {
            FUZZ_CHECK(!flush.has_value(), "a failed operation changes nothing that needs a flush");
        }
    }

    void check_state()
    {
        FUZZ_CHECK(pt.check_invariants(), "check_invariants(): W^X, no user pages in the upper half, no empty tables");
        FUZZ_CHECK(pt.table_count() == arena.live_frames(), "table_count() is exactly the table frames held");
    }
};

Access access_of(u8 v) { return Access(v % 3); }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in(data, size);
    Fuzzer f;
    f.check_state();

    for (int step = 0; step < 256 && !in.done(); ++step) {
        u8 op = in.take8() % 6;
        u64 touched = 0;
        u64 touched_pages = 0;
        if (op <= 2) {
            u8 flags = in.take8();
            u64 first = in.take16() % window_pages;
            u64 pages = 1 + in.take16() % (window_pages - first);
            touched = windows[flags & 1] + first * page;
            touched_pages = pages;
            if (op == 0) {
                u32 sel = in.take32();
                u64 phys = (sel & 1) ? u64((sel >> 1) % 64) * large : u64((sel >> 1) % (1u << 20)) * page;
                u8 attrs = in.take8();
                f.do_map(touched, pages, phys, access_of(attrs & 3), (attrs & 4) ? Privilege::User : Privilege::Kernel,
                    (attrs & 8) ? Caching::Uncached : Caching::WriteBack, (attrs & 16) ? LargePages::Deny : LargePages::Allow);
            } else {
                f.do_change(op == 1, touched, pages, access_of(op == 2 ? in.take8() : 0));
            }
        } else if (op == 3) {
            u8 n = in.take8();
            f.arena.set_budget(n == 0xff ? ArenaPhys::unlimited : n % 8);
        } else if (op == 4) {
            u8 kind = in.take8() % 3;
            u64 virt = in.take64();
            u64 bytes = in.take64();
            u64 phys = in.take64();
            u8 attrs = in.take8();
            Privilege privilege = (attrs & 4) ? Privilege::User : Privilege::Kernel;
            MapError error {};
            bool refused = kind == 0 ? map_error(virt, bytes, phys, privilege, error) : range_error(virt, bytes, error);
            // Valid ranges run only when small (the model holds one entry per page); refused
            // ones always run, whatever their size.
            if (!refused && bytes / page > max_raw_pages)
                continue;
            if (refused) {
                u64 tables = f.pt.table_count();
                auto result = kind == 0 ? f.pt.map(virt, phys, bytes, access_of(attrs & 3), privilege, Caching::WriteBack)
                    : kind == 1       ? f.pt.unmap(virt, bytes)
                                      : f.pt.protect(virt, bytes, access_of(attrs & 3));
                FUZZ_CHECK(result.is_error() && result.error() == error, "invalid arguments get the spec's error, in order");
                FUZZ_CHECK(f.pt.table_count() == tables && !f.pt.take_flush_range().has_value(), "a refusal changes nothing");
            } else if (kind == 0) {
                f.do_map(virt, bytes / page, phys, access_of(attrs & 3), privilege, Caching::WriteBack,
                    (attrs & 16) ? LargePages::Deny : LargePages::Allow);
            } else {
                f.do_change(kind == 1, virt, bytes / page, access_of(attrs & 3));
            }
            if (!refused) {
                touched = virt;
                touched_pages = bytes / page;
            }
        } else {
            check_page(f.pt, f.model, in.take64());
        }
        f.check_state();
        if (touched_pages != 0)
            check_range(f.pt, f.model, touched, touched_pages);
        // Pages elsewhere in the windows, chosen by the step number.
        for (u64 i = 0; i < 4; ++i)
            check_page(f.pt, f.model, windows[i & 1] + (u64(step) * 7919 + i * 104729) % window_pages * page);
    }

    // Everything the model has, then unmapping run by run frees every table but the root.
    f.arena.set_budget(ArenaPhys::unlimited);
    u64 previous_block = 1;
    for (const auto& [va, m] : f.model) {
        check_translation(f.pt, f.model, va, &m, (va & ~(large - 1)) != previous_block);
        previous_block = va & ~(large - 1);
    }
    while (!f.model.empty()) {
        u64 start = f.model.begin()->first;
        u64 pages = 0;
        while (f.model.count(start + pages * page) != 0)
            ++pages;
        f.do_change(true, start, pages, Access::Read);
        f.check_state();
    }
    FUZZ_CHECK(f.pt.table_count() == 1 && f.arena.live_frames() == 1, "unmapping everything frees every table but the root");
    f.pt.destroy();
    FUZZ_CHECK(f.arena.live_frames() == 0, "destroy() frees every table");
    return 0;
}

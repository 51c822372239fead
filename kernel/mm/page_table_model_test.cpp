// Model-based test of the page tables (kernel/mm/page_table.h) with rapidcheck's stateful commands:
// map / unmap / protect / translate over a few small address windows, checked after every command
// against a page-level model and by the test's own walk of the tables (W^X, kernel half, leaks).
#include "kernel/mm/page_table.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace kernel::mm;

namespace {

constexpr u64 MiB = 1024 * 1024;
constexpr u64 GiB = 1024 * MiB;
constexpr u64 pages_per_large = large_page_size / page_size;
constexpr u64 unlimited = ~u64(0);

// ---- The address windows the commands work in ----

// Small windows so random ranges collide often, placed on the lines where the walks change: a
// 1 GiB line (two PDs), a 512 GiB line in the upper half (two PML4 entries), and the three ends
// of the canonical halves, where ranges that run on must be refused as NonCanonical.
struct Window {
    u64 base;
    u64 pages;
    // True where the first address past the window is non-canonical or wraps to 0, so a range may
    // run past the end (and must then be refused). Elsewhere ranges are clipped to the window, so
    // that every valid range lies inside the model.
    bool open_end;
};
constexpr Window windows[] = {
    { GiB - 4 * MiB, 2048, false },                // lower half, User allowed; straddles 1 GiB
    { user_half_end - 2 * MiB, 512, true },        // the top of the lower half
    { kernel_half_base - 2 * MiB, 1024, false },   // first half in the non-canonical hole
    { 0xffffff8000000000 - 2 * MiB, 1024, false }, // straddles PML4 entries 510 and 511
    { u64(0) - 2 * MiB, 512, true },               // the last 2 MiB of the address space
};
constexpr int window_count = sizeof(windows) / sizeof(windows[0]);

constexpr u64 window_first(int w)
{
    u64 n = 0;
    for (int i = 0; i < w; ++i)
        n += windows[i].pages;
    return n;
}
constexpr u64 model_pages = window_first(window_count);

constexpr bool windows_are_whole_large_pages()
{
    for (const Window& w : windows) {
        if (w.base % large_page_size != 0 || w.pages % pages_per_large != 0)
            return false;
    }
    return true;
}
static_assert(windows_are_whole_large_pages(), "expected_tables() counts 2 MiB blocks of the model");

bool is_canonical(u64 va) { return va < user_half_end || va >= kernel_half_base; }

// The model index of the page holding `va`, or -1 outside every window.
i64 page_index(u64 va)
{
    for (int w = 0; w < window_count; ++w) {
        u64 offset = va - windows[w].base; // wraps for va below base: then too large
        if (offset < windows[w].pages * page_size)
            return i64(window_first(w) + offset / page_size);
    }
    return -1;
}

int window_of(u64 index)
{
    int w = 0;
    while (index >= window_first(w + 1))
        ++w;
    return w;
}

u64 page_va(u64 index)
{
    int w = window_of(index);
    return windows[w].base + (index - window_first(w)) * page_size;
}

// ---- The model ----

struct ModelPage {
    bool mapped { false };
    bool large { false }; // part of a 2 MiB page
    u64 phys { 0 };
    Access access { Access::Read };
    Privilege privilege { Privilege::Kernel };
    Caching caching { Caching::WriteBack };

    bool operator==(const ModelPage&) const = default;
};

// The specification in its plainest form: one entry per 4 KiB page of the windows (nothing
// outside them is ever mapped), and the arena's remaining table-frame budget. rapidcheck copies
// the model for every command it generates, so the pages are shared until one is written.
struct Model {
    const ModelPage& page(u64 index) const { return (*m_pages)[index]; }
    ModelPage& edit(u64 index)
    {
        if (m_pages.use_count() > 1)
            m_pages = std::make_shared<std::vector<ModelPage>>(*m_pages);
        return (*m_pages)[index];
    }

    u64 budget { unlimited };

private:
    std::shared_ptr<std::vector<ModelPage>> m_pages { std::make_shared<std::vector<ModelPage>>(model_pages) };
};

// Tables a page table holding exactly the model's pages has, given that empty tables are freed at
// once: the root, a PDPT per 512 GiB slot, a PD per 1 GiB slot and a PT per 2 MiB block that has
// 4 KiB pages. This is also the number of frames the arena must have live: the leak check.
u64 expected_tables(const Model& m)
{
    std::vector<u64> pdpts;
    std::vector<u64> pds;
    u64 pts = 0;
    for (u64 block = 0; block < model_pages; block += pages_per_large) {
        bool any = false;
        bool small = false;
        for (u64 i = block; i < block + pages_per_large; ++i) {
            any = any || m.page(i).mapped;
            small = small || (m.page(i).mapped && !m.page(i).large);
        }
        if (!any)
            continue;
        u64 va = page_va(block);
        pdpts.push_back(va >> 39);
        pds.push_back(va >> 30);
        pts += small ? 1 : 0;
    }
    for (std::vector<u64>* v : { &pdpts, &pds }) {
        std::sort(v->begin(), v->end());
        v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    return 1 + pdpts.size() + pds.size() + pts;
}

constexpr u32 bit(MapError e) { return u32(1) << u32(e); }

const char* name(MapError e)
{
    switch (e) {
    case MapError::OutOfMemory: return "OutOfMemory";
    case MapError::AlreadyMapped: return "AlreadyMapped";
    case MapError::NotMapped: return "NotMapped";
    case MapError::Misaligned: return "Misaligned";
    case MapError::NonCanonical: return "NonCanonical";
    case MapError::KernelUserMix: return "KernelUserMix";
    case MapError::BadSize: return "BadSize";
    }
    return "?";
}

std::string names(u32 errors)
{
    std::string s;
    for (u32 e = 0; e < 32; ++e) {
        if ((errors & (u32(1) << e)) != 0)
            s += std::string(s.empty() ? "" : "|") + name(MapError(e));
    }
    return s;
}

const char* name(Access a) { return a == Access::Read ? "R" : a == Access::ReadWrite ? "RW" : "RX"; }

// What a command must do: succeed (errors == 0) or fail with one of `errors`. page_table.h lists
// the refusals but not which wins when several apply, so any applicable one is accepted.
struct Prediction {
    u32 errors { 0 };
    // A successful unmap/protect changed translations: take_flush_range() must be exactly this.
    bool flush { false };
    u64 flush_first { 0 };
    u64 flush_last { 0 };
};

// The refusals page_table.h documents for any virtual range.
u32 range_errors(u64 virt, u64 size)
{
    u32 errors = 0;
    if (size == 0)
        errors |= bit(MapError::BadSize);
    if (virt % page_size != 0 || size % page_size != 0)
        errors |= bit(MapError::Misaligned);
    if (size != 0) {
        u64 last = 0;
        bool wraps = __builtin_add_overflow(virt, size - 1, &last);
        if (wraps || !is_canonical(virt) || !is_canonical(last) || (virt >= kernel_half_base) != (last >= kernel_half_base))
            errors |= bit(MapError::NonCanonical);
    }
    return errors;
}

// The model indices of a valid range. Every valid range the generators make is inside a window.
std::vector<u64> range_pages(u64 virt, u64 size)
{
    std::vector<u64> out;
    for (u64 i = 0; i < size / page_size; ++i) {
        i64 index = page_index(virt + i * page_size);
        if (index < 0)
            RC_FAIL("test bug: a valid range leaves the model's windows");
        out.push_back(u64(index));
    }
    return out;
}

// The 2 MiB pages a valid, mapped range covers only in part: the (at most two) that unmap() and
// protect() must split. Only the blocks holding the first and last page can be partial.
std::vector<u64> partial_large_blocks(const Model& m, u64 virt, u64 size)
{
    u64 last = virt + (size - 1);
    std::vector<u64> blocks;
    for (u64 va : { virt, last & ~(page_size - 1) }) {
        const ModelPage& page = m.page(u64(page_index(va)));
        if (!page.large)
            continue;
        u64 block = va & ~(large_page_size - 1);
        bool whole = virt <= block && block + (large_page_size - 1) <= last;
        if (!whole && (blocks.empty() || blocks[0] != block))
            blocks.push_back(block);
    }
    return blocks;
}

// unmap() (new_access null) or protect() on the model.
Prediction predict_change(Model& m, u64 virt, u64 size, const Access* new_access)
{
    if (u32 errors = range_errors(virt, size))
        return { errors };
    std::vector<u64> pages = range_pages(virt, size);
    for (u64 i : pages) {
        if (!m.page(i).mapped)
            return { bit(MapError::NotMapped) };
    }
    std::vector<u64> splits = partial_large_blocks(m, virt, size);
    if (splits.size() > m.budget) {
        m.budget = 0; // the arena handed out what it had before refusing
        return { bit(MapError::OutOfMemory) };
    }
    if (m.budget != unlimited)
        m.budget -= splits.size();
    Prediction p { 0, true, virt, virt + (size - 1) };
    for (u64 block : splits) {
        u64 first = u64(page_index(block));
        for (u64 i = first; i < first + pages_per_large; ++i)
            m.edit(i).large = false;
        p.flush_first = std::min(p.flush_first, block);
        p.flush_last = std::max(p.flush_last, block + (large_page_size - 1));
    }
    for (u64 i : pages) {
        if (new_access != nullptr)
            m.edit(i).access = *new_access;
        else
            m.edit(i) = ModelPage {};
    }
    return p;
}

// ---- The system under test ----

// "Physical memory" for the tables (as in page_table_test.cpp, plus what this test inspects):
// page-aligned frames at `base`, each filled with garbage when handed out, with a budget so that
// out-of-memory paths run. A stray access aborts.
class ArenaPhys final : public PhysAccess {
public:
    static constexpr u64 frames = 64;
    static constexpr u64 base = 0x10000000;

    ArenaPhys() : m_live(frames, false)
    {
        m_memory = static_cast<u8*>(std::aligned_alloc(page_size, frames * page_size));
        std::memset(m_memory, 0xcc, frames * page_size);
    }
    ~ArenaPhys() { std::free(m_memory); }
    ArenaPhys(const ArenaPhys&) = delete;
    ArenaPhys& operator=(const ArenaPhys&) = delete;

    u8* to_virtual(u64 phys) override
    {
        if (!is_live(phys))
            die("to_virtual of a frame that is not a live table", phys);
        return m_memory + (phys - base);
    }
    lib::Result<u64, MapError> allocate_table_frame() override
    {
        if (m_allocations_left == 0)
            return MapError::OutOfMemory;
        for (u64 f = 0; f < frames; ++f) {
            if (!m_live[f]) {
                m_live[f] = true;
                if (m_allocations_left != unlimited)
                    --m_allocations_left;
                std::memset(m_memory + f * page_size, 0xcc, page_size);
                return base + f * page_size;
            }
        }
        return MapError::OutOfMemory;
    }
    void free_table_frame(u64 phys) override
    {
        if (!is_live(phys))
            die("free of a frame that is not a live table", phys);
        m_live[(phys - base) / page_size] = false;
        std::memset(m_memory + (phys - base), 0xee, page_size);
    }

    bool is_live(u64 phys) const
    {
        return phys >= base && (phys - base) / page_size < frames && phys % page_size == 0 && m_live[(phys - base) / page_size];
    }
    u64 live_frames() const { return u64(std::count(m_live.begin(), m_live.end(), true)); }
    u64 allocations_left() const { return m_allocations_left; }
    void set_allocations_left(u64 n) { m_allocations_left = n; }
    // Precondition: is_live(phys).
    u64* entries(u64 phys) { return reinterpret_cast<u64*>(m_memory + (phys - base)); }

    // Every live frame's number and contents, to check that a refused command changed nothing.
    std::vector<u64> snapshot() const
    {
        std::vector<u64> out;
        for (u64 f = 0; f < frames; ++f) {
            if (!m_live[f])
                continue;
            const u64* e = reinterpret_cast<const u64*>(m_memory + f * page_size);
            out.push_back(f);
            out.insert(out.end(), e, e + page_size / sizeof(u64));
        }
        return out;
    }

private:
    [[noreturn]] static void die(const char* why, u64 phys)
    {
        std::fprintf(stderr, "ArenaPhys: %s: %#llx\n", why, static_cast<unsigned long long>(phys));
        std::abort();
    }

    std::vector<bool> m_live;
    u8* m_memory;
    u64 m_allocations_left { unlimited };
};

PageTable create_table(ArenaPhys& arena)
{
    auto r = PageTable::create(arena);
    if (r.is_error())
        std::abort();
    return r.release_value();
}

struct Sut {
    ArenaPhys arena;
    PageTable pt;

    Sut() : pt(create_table(arena)) { }
};

// ---- Checks after every command ----

std::string hex(u64 v)
{
    char buf[24];
    std::snprintf(buf, sizeof(buf), "%#llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string describe(const ModelPage& p)
{
    if (!p.mapped)
        return "unmapped";
    return hex(p.phys) + " " + name(p.access) + (p.privilege == Privilege::User ? " user" : " kernel")
        + (p.caching == Caching::Uncached ? " uncached" : "") + (p.large ? " 2M" : " 4K");
}

constexpr usize index_at(u64 va, int level) { return usize((va >> (page_shift + 9 * u64(level - 1))) & 511); }

// What the test's own walk of the tables saw, page by page, in the model's indexing.
struct Walk {
    std::vector<ModelPage> seen = std::vector<ModelPage>(model_pages);
    std::vector<bool> visited = std::vector<bool>(ArenaPhys::frames);
    u64 tables { 0 };
};

void walk_fail(const char* what, u64 va, u64 entry, int level)
{
    RC_FAIL(std::string(what) + " at " + hex(va) + " (level " + std::to_string(level) + " entry " + hex(entry) + ")");
}

// Walks one table as the CPU would, with the effective U/S, R/W and XD of the entries above, and
// checks the security properties on every leaf. Recursion depth is at most four.
void walk_table(ArenaPhys& arena, u64 phys, int level, u64 va_base, bool user_path, bool write_path, bool nx_path, Walk& w)
{
    if (!arena.is_live(phys))
        walk_fail("a table entry points outside the live table frames", va_base, phys, level + 1);
    u64 frame = (phys - ArenaPhys::base) / page_size;
    if (w.visited[frame])
        walk_fail("a table reachable twice", va_base, phys, level + 1);
    w.visited[frame] = true;
    ++w.tables;
    const u64* entries = arena.entries(phys);
    for (usize i = 0; i < 512; ++i) {
        u64 e = entries[i];
        if ((e & pte::present) == 0)
            continue;
        u64 va = va_base | (u64(i) << (page_shift + 9 * u64(level - 1)));
        if (level == 4 && i >= 256)
            va |= 0xffff000000000000; // sign extension of bit 47
        bool upper = va >= kernel_half_base;
        bool user = user_path && (e & pte::user) != 0;
        bool write = write_path && (e & pte::writable) != 0;
        bool nx = nx_path || (e & pte::no_execute) != 0;
        if ((e & pte::high_ignored) != 0)
            walk_fail("bits 52..62 set", va, e, level);
        // The kernel half: not even a table entry may carry U/S (a later user leaf under it).
        if (upper && (e & pte::user) != 0)
            walk_fail("U/S set in the kernel half", va, e, level);
        if (level >= 3 && (e & pte::large) != 0)
            walk_fail("a 1 GiB or larger page", va, e, level);
        bool leaf = level == 1 || (e & pte::large) != 0;
        if (!leaf) {
            if ((e & ~(pte::address_mask | pte::present | pte::writable | pte::user | pte::accessed)) != 0)
                walk_fail("a table entry with bits beyond P, R/W, U/S and A", va, e, level);
            walk_table(arena, e & pte::address_mask, level - 1, va, user, write, nx, w);
            continue;
        }
        if (write && !nx)
            walk_fail("W^X: a leaf both writable and executable", va, e, level);
        if (upper && user)
            walk_fail("a user-accessible leaf in the kernel half", va, e, level);
        // Global survives CR3 switches: only for kernel-half kernel pages (page_table.h).
        if (((e & pte::global) != 0) != (upper && (e & pte::user) == 0))
            walk_fail("global set on anything but a kernel-half kernel leaf, or missing there", va, e, level);
        bool pwt = (e & pte::write_through) != 0;
        bool pcd = (e & pte::cache_disable) != 0;
        if (pwt != pcd)
            walk_fail("PWT without PCD or the reverse: neither Caching value", va, e, level);
        u64 size_pages = level == 2 ? pages_per_large : 1;
        u64 mask = level == 2 ? pte::large_address_mask : pte::address_mask;
        if (level == 1 && (e & pte::large) != 0)
            walk_fail("PAT set in a 4 KiB leaf", va, e, level);
        if (level == 2 && (e & pte::address_mask & ~pte::large_address_mask) != 0)
            walk_fail("PAT or reserved bits set in a 2 MiB leaf", va, e, level);
        ModelPage page;
        page.mapped = true;
        page.large = level == 2;
        page.access = write ? Access::ReadWrite : nx ? Access::Read : Access::ReadExecute;
        // The effective privilege: a U/S leaf under a supervisor-only table is a kernel page to
        // the CPU, and then disagrees with a model page mapped User.
        page.privilege = user ? Privilege::User : Privilege::Kernel;
        page.caching = pcd ? Caching::Uncached : Caching::WriteBack;
        for (u64 k = 0; k < size_pages; ++k) {
            i64 index = page_index(va + k * page_size);
            if (index < 0)
                walk_fail("a mapping outside every window the commands use", va + k * page_size, e, level);
            page.phys = (e & mask) + k * page_size;
            w.seen[u64(index)] = page;
        }
    }
}

// translate() at `va` against the model.
void check_translate(const Model& m, const Sut& s, u64 va)
{
    auto t = s.pt.translate(va);
    i64 index = page_index(va & ~(page_size - 1));
    const ModelPage none {};
    const ModelPage& p = index < 0 ? none : m.page(u64(index));
    if (t.has_value() != p.mapped)
        RC_FAIL("translate(" + hex(va) + ") " + (t.has_value() ? "found a mapping" : "found nothing") + "; model: " + describe(p));
    if (!t.has_value())
        return;
    if (t->phys != p.phys + (va & (page_size - 1)) || t->access != p.access || t->privilege != p.privilege || t->caching != p.caching
        || t->page_size != (p.large ? large_page_size : page_size))
        RC_FAIL("translate(" + hex(va) + ") = " + hex(t->phys) + " " + name(t->access) + " size " + hex(t->page_size)
            + "; model: " + describe(p));
}

// The whole state after a command: the walk against the model page by page, the security
// properties (in the walk), the table and frame counts (no leak), the budget, translate() around
// the command's range and at a spread of pages, and the flush record.
void check_system(const Model& m, Sut& s, u64 virt, u64 size, const Prediction& p)
{
    Walk w;
    walk_table(s.arena, s.pt.root_phys(), 4, 0, true, true, false, w);
    for (u64 i = 0; i < model_pages; ++i) {
        if (!(w.seen[i] == m.page(i)))
            RC_FAIL("page " + hex(page_va(i)) + " in the tables: " + describe(w.seen[i]) + "; model: " + describe(m.page(i)));
    }
    RC_ASSERT(s.pt.check_invariants());
    u64 expected = expected_tables(m);
    if (w.tables != expected || s.pt.table_count() != expected || s.arena.live_frames() != expected)
        RC_FAIL("tables: walked " + std::to_string(w.tables) + ", table_count() " + std::to_string(s.pt.table_count()) + ", live frames "
            + std::to_string(s.arena.live_frames()) + "; model " + std::to_string(expected));
    RC_ASSERT(s.arena.allocations_left() == m.budget);

    u64 first = (virt & ~(page_size - 1)) - page_size;
    u64 pages = std::min<u64>(size / page_size + 2, 1100);
    for (u64 k = 0; k < pages; ++k)
        check_translate(m, s, first + k * page_size + ((k * 0x123) & (page_size - 1)));
    for (u64 i = 0; i < model_pages; i += 37)
        check_translate(m, s, page_va(i) + (i & (page_size - 1)));

    auto flush = s.pt.take_flush_range();
    if (!p.flush && flush.has_value())
        RC_FAIL("a flush range [" + hex(flush->first) + ", " + hex(flush->last) + "] where no translation changed");
    if (p.flush
        && (!flush.has_value() || flush->first != p.flush_first || flush->last != p.flush_last))
        RC_FAIL("flush range " + (flush.has_value() ? "[" + hex(flush->first) + ", " + hex(flush->last) + "]" : std::string("none"))
            + "; model [" + hex(p.flush_first) + ", " + hex(p.flush_last) + "]");
}

// A refused call must leave every table frame as it was. A map() that ran out of frames may have
// set U/S on lower-half table entries above where it was going (tables are permissive; the leaf
// decides, page_table.cpp entry_for_map()): the one difference allowed.
void check_unchanged(const std::vector<u64>& before, const std::vector<u64>& after, bool allow_user_bits)
{
    constexpr usize stride = 1 + page_size / sizeof(u64); // snapshot(): frame number, then entries
    if (before.size() != after.size())
        RC_FAIL("a refused command changed which frames are tables");
    for (usize i = 0; i < before.size(); ++i) {
        u64 diff = before[i] ^ after[i];
        if (diff != 0 && i % stride == 0)
            RC_FAIL("a refused command changed which frames are tables");
        if (diff == 0 || (allow_user_bits && diff == pte::user && (after[i] & pte::user) != 0))
            continue;
        RC_FAIL("a refused command changed a table entry: " + hex(before[i]) + " -> " + hex(after[i]));
    }
}

// ---- Generators ----

struct Range {
    u64 virt;
    u64 size;
};

enum class Want : u8 { Any, Mapped, InLargePage, Unmapped, UnmappedBlock };

bool can_start(const Model& m, u64 index, Want want)
{
    if (!is_canonical(page_va(index)))
        return false;
    switch (want) {
    case Want::Mapped:
        return m.page(index).mapped;
    case Want::InLargePage:
        return m.page(index).large;
    case Want::Unmapped:
        return !m.page(index).mapped;
    case Want::UnmappedBlock:
        if (index % pages_per_large != 0)
            return false;
        for (u64 i = index; i < index + pages_per_large; ++i) {
            if (m.page(i).mapped)
                return false;
        }
        return true;
    case Want::Any:
        break;
    }
    return true;
}

// A range in one window: most of the time a run of pages the model has in the wanted state (so
// unmap/protect succeed, split 2 MiB pages, and map finds room, on 2 MiB lines where it can use
// 2 MiB pages), otherwise anywhere, often on 2 MiB lines.
Range gen_window_range(const Model& m, Want want)
{
    if (want != Want::Any && *rc::gen::inRange(0, 8) != 0) {
        std::vector<u64> candidates;
        for (;;) {
            for (u64 i = 0; i < model_pages; ++i) {
                if (can_start(m, i, want))
                    candidates.push_back(i);
            }
            if (!candidates.empty() || (want != Want::InLargePage && want != Want::UnmappedBlock))
                break;
            want = want == Want::InLargePage ? Want::Mapped : Want::Unmapped;
        }
        if (!candidates.empty()) {
            bool mapped = want == Want::Mapped || want == Want::InLargePage;
            u64 first = *rc::gen::elementOf(candidates);
            u64 end = window_first(window_of(first) + 1);
            u64 run = 1;
            while (first + run < end && m.page(first + run).mapped == mapped)
                ++run;
            u64 pages = *rc::gen::weightedOneOf<u64>({ { 2, rc::gen::just(run) }, { 2, rc::gen::inRange<u64>(1, run + 1) },
                { 1, rc::gen::just(std::min(run, pages_per_large)) }, { 1, rc::gen::inRange<u64>(1, std::min<u64>(run, 8) + 1) } });
            return { page_va(first), pages * page_size };
        }
    }
    const Window& win = windows[*rc::gen::weightedElement<int>({ { 5, 0 }, { 1, 1 }, { 2, 2 }, { 3, 3 }, { 1, 4 } })];
    u64 blocks = win.pages / pages_per_large;
    u64 start = *rc::gen::weightedOneOf<u64>({
        { 3, rc::gen::inRange<u64>(0, win.pages) },
        { 2, rc::gen::map(rc::gen::inRange<u64>(0, blocks), [](u64 b) { return b * pages_per_large; }) },
        { 1, rc::gen::map(rc::gen::inRange<u64>(1, blocks + 1), [](u64 b) { return b * pages_per_large - 1; }) },
    });
    u64 pages = *rc::gen::weightedOneOf<u64>({
        { 3, rc::gen::inRange<u64>(1, 9) },
        { 2, rc::gen::inRange<u64>(1, win.pages + 1) },
        { 2, rc::gen::element<u64>(511, 512, 513, 1024) },
    });
    if (!win.open_end)
        pages = std::min(pages, win.pages - start);
    return { win.base + start * page_size, pages * page_size };
}

// Ranges every operation must refuse: misaligned, empty, in or across the non-canonical hole, or
// wrapping past 2^64.
Range gen_bad_range(const Model& m)
{
    u64 k = *rc::gen::inRange<u64>(1, 9) * page_size;
    switch (*rc::gen::inRange(0, 7)) {
    case 0: {
        Range r = gen_window_range(m, Want::Any);
        return { r.virt + *rc::gen::inRange<u64>(1, page_size), r.size };
    }
    case 1: {
        Range r = gen_window_range(m, Want::Any);
        return { r.virt, r.size + *rc::gen::inRange<u64>(1, page_size) - page_size };
    }
    case 2:
        return { gen_window_range(m, Want::Any).virt, 0 };
    case 3:
        return { user_half_end + *rc::gen::inRange<u64>(0, 1024) * page_size, k };
    case 4:
        return { kernel_half_base - k, k + page_size }; // from the hole into the kernel half
    case 5:
        return { user_half_end - k, k + page_size }; // from the user half into the hole
    default:
        return { windows[0].base, ~u64(0) & ~(page_size - 1) }; // wraps
    }
}

Range gen_range(const Model& m, Want want)
{
    if (*rc::gen::inRange(0, 10) == 0)
        return gen_bad_range(m);
    return gen_window_range(m, want);
}

// Physical addresses: mostly congruent to `virt` modulo 2 MiB or 2 MiB aligned (so 2 MiB pages get
// used), sometimes any page, near physical_address_limit (BadSize) or misaligned.
u64 gen_phys(u64 virt)
{
    u64 offset = virt & (large_page_size - 1) & ~(page_size - 1);
    return *rc::gen::weightedOneOf<u64>({
        { 8, rc::gen::map(rc::gen::inRange<u64>(0, 64), [offset](u64 b) { return b * large_page_size + offset; }) },
        { 2, rc::gen::map(rc::gen::inRange<u64>(0, 64), [](u64 b) { return b * large_page_size; }) },
        { 2, rc::gen::map(rc::gen::inRange<u64>(0, 1 << 20), [](u64 p) { return p * page_size; }) },
        { 1, rc::gen::map(rc::gen::inRange<u64>(0, 600), [](u64 p) { return physical_address_limit - p * page_size; }) },
        { 1, rc::gen::map(rc::gen::inRange<u64>(0, 1 << 20), [](u64 p) { return p * page_size + 1 + p % (page_size - 1); }) },
    });
}

Access gen_access() { return *rc::gen::element(Access::Read, Access::ReadWrite, Access::ReadExecute); }

// ---- Commands ----

using Command = rc::state::Command<Model, Sut>;

// What map, unmap and protect share: predict on the model, call, compare, check everything.
struct RangeCommand : Command {
    Range range {};

    // Applies the command to `m` (or not, when it must fail) and says what the call must return.
    virtual Prediction predict(Model& m) const = 0;
    virtual lib::Result<void, MapError> call(PageTable&) const = 0;
    virtual bool is_map() const { return false; }

    void apply(Model& m) const override { (void)predict(m); }
    void run(const Model& m, Sut& s) const override
    {
        Model after = m;
        Prediction p = predict(after);
        std::vector<u64> before;
        if (p.errors != 0)
            before = s.arena.snapshot();
        auto r = call(s.pt);
        if (p.errors == 0 && r.is_error())
            RC_FAIL(std::string("refused with ") + name(r.error()) + "; the model expected success");
        if (p.errors != 0) {
            if (r.is_ok())
                RC_FAIL("succeeded; the model expected " + names(p.errors));
            if ((p.errors & bit(r.error())) == 0)
                RC_FAIL(std::string("refused with ") + name(r.error()) + "; the model expected " + names(p.errors));
            check_unchanged(before, s.arena.snapshot(), is_map() && r.error() == MapError::OutOfMemory);
        }
        check_system(after, s, range.virt, range.size, p);
    }
};

struct MapCommand : RangeCommand {
    u64 phys;
    Access access;
    Privilege privilege;
    Caching caching;
    LargePages large;

    explicit MapCommand(const Model& m)
    {
        range = gen_range(m, *rc::gen::weightedElement<Want>({ { 2, Want::Unmapped }, { 2, Want::UnmappedBlock }, { 1, Want::Any } }));
        phys = gen_phys(range.virt);
        access = gen_access();
        // User in the kernel half (KernelUserMix) now and then, not half the time.
        bool upper = range.virt >= kernel_half_base;
        privilege = *rc::gen::weightedElement<Privilege>({ { upper ? 1u : 4u, Privilege::User }, { 4, Privilege::Kernel } });
        caching = *rc::gen::weightedElement<Caching>({ { 3, Caching::WriteBack }, { 1, Caching::Uncached } });
        large = *rc::gen::weightedElement<LargePages>({ { 4, LargePages::Allow }, { 1, LargePages::Deny } });
    }

    bool is_map() const override { return true; }
    lib::Result<void, MapError> call(PageTable& pt) const override
    {
        return pt.map(range.virt, phys, range.size, access, privilege, caching, large);
    }
    Prediction predict(Model& m) const override
    {
        u32 errors = range_errors(range.virt, range.size);
        if (phys % page_size != 0)
            errors |= bit(MapError::Misaligned);
        if (phys >= physical_address_limit || range.size > physical_address_limit - phys)
            errors |= bit(MapError::BadSize);
        if (privilege == Privilege::User && range.virt >= kernel_half_base)
            errors |= bit(MapError::KernelUserMix);
        if (errors != 0)
            return { errors };
        std::vector<u64> pages = range_pages(range.virt, range.size);
        for (u64 i : pages) {
            if (m.page(i).mapped)
                return { bit(MapError::AlreadyMapped) };
        }
        // 2 MiB pages wherever virt and phys are 2 MiB aligned and 2 MiB remain (page_table.h).
        // A free 2 MiB block never has a page table left in it (empty tables are freed), so this
        // is exact.
        Model after = m;
        for (u64 done = 0; done < range.size;) {
            u64 va = range.virt + done;
            u64 pa = phys + done;
            bool big = large == LargePages::Allow && va % large_page_size == 0 && pa % large_page_size == 0
                && range.size - done >= large_page_size;
            u64 n = big ? pages_per_large : 1;
            for (u64 k = 0; k < n; ++k)
                after.edit(u64(page_index(va + k * page_size))) = { true, big, pa + k * page_size, access, privilege, caching };
            done += n * page_size;
        }
        u64 needed = expected_tables(after) - expected_tables(m);
        if (needed > m.budget) {
            m.budget = 0;
            return { bit(MapError::OutOfMemory) };
        }
        if (after.budget != unlimited)
            after.budget -= needed;
        m = std::move(after);
        return {};
    }
    void show(std::ostream& os) const override
    {
        os << "map(" << hex(range.virt) << ", " << hex(phys) << ", " << hex(range.size) << ", " << name(access) << ", "
           << (privilege == Privilege::User ? "User" : "Kernel") << ", " << (caching == Caching::Uncached ? "Uncached" : "WriteBack")
           << ", " << (large == LargePages::Allow ? "Allow" : "Deny") << ")";
    }
};

struct UnmapCommand : RangeCommand {
    explicit UnmapCommand(const Model& m)
    {
        range = gen_range(m, *rc::gen::weightedElement<Want>({ { 3, Want::Mapped }, { 2, Want::InLargePage }, { 1, Want::Any } }));
    }
    lib::Result<void, MapError> call(PageTable& pt) const override { return pt.unmap(range.virt, range.size); }
    Prediction predict(Model& m) const override { return predict_change(m, range.virt, range.size, nullptr); }
    void show(std::ostream& os) const override { os << "unmap(" << hex(range.virt) << ", " << hex(range.size) << ")"; }
};

struct ProtectCommand : RangeCommand {
    Access access;
    explicit ProtectCommand(const Model& m)
    {
        range = gen_range(m, *rc::gen::weightedElement<Want>({ { 3, Want::Mapped }, { 2, Want::InLargePage }, { 1, Want::Any } }));
        access = gen_access();
    }
    lib::Result<void, MapError> call(PageTable& pt) const override { return pt.protect(range.virt, range.size, access); }
    Prediction predict(Model& m) const override { return predict_change(m, range.virt, range.size, &access); }
    void show(std::ostream& os) const override
    {
        os << "protect(" << hex(range.virt) << ", " << hex(range.size) << ", " << name(access) << ")";
    }
};

// A lookup anywhere: in the windows at any offset, or any 64-bit address (non-canonical ones
// included): the walk has shown nothing outside the windows is mapped.
struct TranslateCommand : Command {
    u64 va = *rc::gen::weightedOneOf<u64>({
        { 4, rc::gen::map(rc::gen::inRange<u64>(0, model_pages * page_size), [](u64 off) { return page_va(off / page_size) + off % page_size; }) },
        { 1, rc::gen::arbitrary<u64>() },
    });

    void apply(Model&) const override { }
    void run(const Model& m, Sut& s) const override { check_translate(m, s, va); }
    void show(std::ostream& os) const override { os << "translate(" << hex(va) << ")"; }
};

// How many more table frames the arena hands out: small budgets make map() and the splits of
// unmap()/protect() run out part way.
struct BudgetCommand : Command {
    u64 frames = *rc::gen::weightedElement<u64>({ { 1, 0 }, { 1, 1 }, { 1, 2 }, { 1, 3 }, { 8, unlimited } });

    void apply(Model& m) const override { m.budget = frames; }
    void run(const Model& m, Sut& s) const override
    {
        s.arena.set_allocations_left(frames);
        Model after = m;
        apply(after);
        check_system(after, s, 0, 0, {});
    }
    void show(std::ostream& os) const override
    {
        os << "budget(" << (frames == unlimited ? std::string("unlimited") : std::to_string(frames)) << ")";
    }
};

// What the CPU does to the tables on an access: sets Accessed on every entry it walks, and Dirty
// on the leaf of a write. Later commands must keep working (and the checks must accept it).
struct CpuAccessCommand : Command {
    u64 va;
    bool write;

    explicit CpuAccessCommand(const Model& m)
    {
        std::vector<u64> mapped;
        for (u64 i = 0; i < model_pages; ++i) {
            if (m.page(i).mapped)
                mapped.push_back(i);
        }
        RC_PRE(!mapped.empty());
        va = page_va(*rc::gen::elementOf(mapped));
        write = *rc::gen::arbitrary<bool>();
    }

    void apply(Model&) const override { }
    void run(const Model& m, Sut& s) const override
    {
        u64 table = s.pt.root_phys();
        for (int level = 4; level >= 1; --level) {
            u64& e = s.arena.entries(table)[index_at(va, level)];
            if ((e & pte::present) == 0)
                break;
            e |= pte::accessed;
            if (level == 1 || (e & pte::large) != 0) {
                if (write && (e & pte::writable) != 0)
                    e |= pte::dirty;
                break;
            }
            table = e & pte::address_mask;
        }
        check_system(m, s, va, page_size, {});
    }
    void show(std::ostream& os) const override { os << "cpu " << (write ? "write " : "read ") << hex(va); }
};

} // namespace

// Security properties checked by the walk after every command: no leaf is effectively writable
// and executable; nothing in the kernel half is user-accessible (no U/S anywhere on its path);
// global only on kernel-half kernel leaves. Not expressible here: "no user mapping of a frame
// reserved for the kernel". PageTable has no notion of reserved frames (map() maps any physical
// range below physical_address_limit, the page tables' own frames included); that check belongs
// to the caller that hands out user mappings, which does not exist yet.
RC_GTEST_PROP(PageTableModel, StatefulCommands, ())
{
    Model model;
    Sut sut;
    rc::state::check(model, sut,
        rc::state::gen::execOneOfWithArgs<MapCommand, MapCommand, MapCommand, UnmapCommand, UnmapCommand, ProtectCommand,
            ProtectCommand, TranslateCommand, BudgetCommand, CpuAccessCommand>());

    // Tearing the tables down returns every frame they took.
    sut.pt.destroy();
    RC_ASSERT(sut.arena.live_frames() == 0u);
    RC_ASSERT(sut.pt.table_count() == 0u);
    RC_ASSERT(sut.pt.check_invariants());
}

// Fuzz target for the PVH start_info parser (kernel/boot/start_info.h) and its check against the
// memory map built from it (kernel/mm/memory_map.h).
//
// Input format: bytes 0-3 are the little-endian physical address of hvm_start_info; the whole
// input (those 4 bytes included) is physical memory [0, size), the window the boot page tables
// map. So pointers inside start_info (memmap_paddr, cmdline_paddr, modlist_paddr) are offsets
// into the input. fuzz/tools/gen_seeds.py writes QEMU-like windows.
//
// Oracle: an independent decoder of the Xen ABI says which error comes first (or none) and what
// every field must be; the parser must agree exactly and never read outside the window (ASan:
// the window is an exact-size heap buffer). On success, check_against() must agree with a direct
// search of the memory map's regions. Parsing twice gives the same result.
#include "fuzz/fuzz.h"
#include "kernel/boot/start_info.h"

#include <cstring>
#include <memory>

using fuzz::le;
using kernel::boot::StartInfo;
using kernel::boot::StartInfoError;
namespace mm = kernel::mm;

namespace {

// Whether [at, at + length) lies in [0, size), in exact arithmetic.
bool fits(usize size, u64 at, unsigned __int128 length) { return (unsigned __int128)at + length <= size; }

// The Xen ABI (public/arch-x86/hvm/start_info.h), decoded independently: the first error in the
// order the parser documents, and on success the expected StartInfo in `out`.
bool model(const u8* w, usize size, u64 phys, StartInfo& out, StartInfoError& error)
{
    auto fail = [&](StartInfoError e) {
        error = e;
        return false;
    };
    if (!fits(size, phys, 40))
        return fail(StartInfoError::OutsideWindow);
    const u8* h = w + phys;
    if (le(h, 4) != StartInfo::magic)
        return fail(StartInfoError::BadMagic);
    out.version = u32(le(h + 4, 4));
    out.flags = u32(le(h + 8, 4));
    out.cmdline_phys = le(h + 24, 8);
    out.rsdp_phys = le(h + 32, 8);
    if (out.version < 1)
        return fail(StartInfoError::NoMemmap);
    if (!fits(size, phys, 56))
        return fail(StartInfoError::OutsideWindow);
    u64 memmap = le(h + 40, 8);
    u64 entries = le(h + 48, 4);
    if (entries == 0)
        return fail(StartInfoError::NoMemmap);
    if (entries > StartInfo::max_memmap_entries)
        return fail(StartInfoError::TooManyMemmapEntries);
    if (!fits(size, memmap, (unsigned __int128)entries * 24))
        return fail(StartInfoError::MemmapOutsideWindow);
    for (u64 i = 0; i < entries; ++i) {
        const u8* e = w + memmap + i * 24;
        out.memmap[i] = mm::RawEntry { le(e, 8), le(e + 8, 8), u32(le(e + 16, 4)) };
    }
    out.memmap_count = entries;
    out.memmap_phys = memmap;
    if (out.cmdline_phys != 0) {
        if (out.cmdline_phys >= size)
            return fail(StartInfoError::CmdlineOutsideWindow);
        const u8* c = w + out.cmdline_phys;
        usize available = size - out.cmdline_phys;
        const void* nul = std::memchr(c, 0, available < StartInfo::max_cmdline_length ? available : StartInfo::max_cmdline_length);
        if (!nul)
            return fail(available <= StartInfo::max_cmdline_length ? StartInfoError::CmdlineOutsideWindow : StartInfoError::CmdlineTooLong);
        out.cmdline_length = usize(static_cast<const u8*>(nul) - c);
        std::memcpy(out.cmdline, c, out.cmdline_length);
    }
    u64 modules = le(h + 12, 4);
    if (modules > StartInfo::max_modules)
        return fail(StartInfoError::TooManyModules);
    if (modules > 0) {
        u64 list = le(h + 16, 8);
        if (!fits(size, list, (unsigned __int128)modules * 32))
            return fail(StartInfoError::ModulesOutsideWindow);
        for (u64 i = 0; i < modules; ++i)
            out.modules[i] = kernel::boot::BootModule { le(w + list + i * 32, 8), le(w + list + i * 32 + 8, 8) };
        out.module_count = modules;
    }
    return true;
}

void check_same(const StartInfo& a, const StartInfo& b)
{
    FUZZ_CHECK(a.version == b.version && a.flags == b.flags, "version and flags as in the header");
    FUZZ_CHECK(a.rsdp_phys == b.rsdp_phys && a.cmdline_phys == b.cmdline_phys, "rsdp and cmdline pointers as in the header");
    FUZZ_CHECK(a.memmap_count == b.memmap_count && a.memmap_phys == b.memmap_phys, "memory map count and address");
    for (usize i = 0; i < a.memmap_count; ++i) {
        FUZZ_CHECK(a.memmap[i].base == b.memmap[i].base && a.memmap[i].length == b.memmap[i].length
                && a.memmap[i].type == b.memmap[i].type,
            "memory map entries copied exactly");
    }
    FUZZ_CHECK(a.cmdline_length == b.cmdline_length, "command line length up to the first NUL");
    FUZZ_CHECK(std::memcmp(a.cmdline, b.cmdline, a.cmdline_length) == 0, "command line bytes copied exactly");
    FUZZ_CHECK(a.module_count == b.module_count, "module count");
    for (usize i = 0; i < a.module_count; ++i)
        FUZZ_CHECK(a.modules[i].phys == b.modules[i].phys && a.modules[i].size == b.modules[i].size, "modules copied exactly");
}

// check_against() by its definition: the command line (with its NUL) inside one region that is
// not Unusable, each module non-empty and inside one Usable region.
bool inside_one(const mm::MemoryMap& map, u64 base, u64 length, bool usable_only)
{
    unsigned __int128 end = (unsigned __int128)base + length;
    for (const mm::Region& r : map.regions()) {
        bool accepted = usable_only ? r.type == mm::RegionType::Usable : r.type != mm::RegionType::Unusable;
        if (accepted && base >= r.base && end <= r.end())
            return true;
    }
    return false;
}

void check_against_map(const StartInfo& info)
{
    auto built = mm::MemoryMap::build(lib::Span<const mm::RawEntry>(info.memmap, info.memmap_count));
    if (built.is_error())
        return;
    const mm::MemoryMap& map = built.value();
    FUZZ_CHECK(map.check_invariants(), "a memory map built from start_info keeps its invariants");
    bool cmdline_ok = info.cmdline_length == 0 || inside_one(map, info.cmdline_phys, info.cmdline_length + 1, false);
    bool modules_ok = true;
    for (usize i = 0; i < info.module_count && modules_ok; ++i)
        modules_ok = info.modules[i].size != 0 && inside_one(map, info.modules[i].phys, info.modules[i].size, true);
    auto checked = info.check_against(map);
    if (checked.is_error())
        FUZZ_CHECK(kernel::boot::start_info_error_name(checked.error()) != "unknown start_info error", "every error has a message");
    if (!cmdline_ok)
        FUZZ_CHECK(checked.is_error() && checked.error() == StartInfoError::CmdlineOutsideRam, "command line outside RAM is refused");
    else if (!modules_ok)
        FUZZ_CHECK(checked.is_error() && checked.error() == StartInfoError::ModuleOutsideRam, "module outside usable RAM is refused");
    else
        FUZZ_CHECK(checked.is_ok(), "a command line and modules inside the map are accepted");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 4)
        return 0;
    u64 phys = le(data, 4);
    // An exact-size copy, so ASan reports any read past the window.
    std::unique_ptr<u8[]> window(new u8[size]);
    std::memcpy(window.get(), data, size);
    lib::ReadonlyBytes bytes(window.get(), size);

    auto info = std::make_unique<StartInfo>();
    auto result = StartInfo::parse(bytes, phys, *info);

    auto expected = std::make_unique<StartInfo>();
    StartInfoError expected_error {};
    bool expected_ok = model(window.get(), size, phys, *expected, expected_error);
    FUZZ_CHECK(result.is_ok() == expected_ok, "parse succeeds exactly when the ABI decoder does");
    if (!expected_ok) {
        FUZZ_CHECK(result.error() == expected_error, "parse reports the first problem in the documented order");
        FUZZ_CHECK(kernel::boot::start_info_error_name(result.error()) != "unknown start_info error", "every error has a message");
        return 0;
    }
    check_same(*info, *expected);
    FUZZ_CHECK(info->command_line().length() == info->cmdline_length, "command_line() views the copied bytes");

    auto again = std::make_unique<StartInfo>();
    FUZZ_CHECK(StartInfo::parse(bytes, phys, *again).is_ok(), "parsing twice gives the same answer");
    check_same(*again, *info);

    check_against_map(*info);
    return 0;
}

// hvm_start_info parser (Xen PVH ABI). Field offsets from xen/include/public/arch-x86/hvm/start_info.h.
#include "kernel/boot/start_info.h"

#include "lib/byte_order.h"

namespace kernel::boot {

namespace field {
inline constexpr lib::Field magic { 0, 4 };
inline constexpr lib::Field version { 4, 4 };
inline constexpr lib::Field flags { 8, 4 };
inline constexpr lib::Field nr_modules { 12, 4 };
inline constexpr lib::Field modlist_paddr { 16, 8 };
inline constexpr lib::Field cmdline_paddr { 24, 8 };
inline constexpr lib::Field rsdp_paddr { 32, 8 };
// Version 1 and later:
inline constexpr lib::Field memmap_paddr { 40, 8 };
inline constexpr lib::Field memmap_entries { 48, 4 };
inline constexpr usize size_v0 = 40;
inline constexpr usize size_v1 = 56;
} // namespace field

namespace memmap_field {
inline constexpr lib::Field addr { 0, 8 };
inline constexpr lib::Field size { 8, 8 };
inline constexpr lib::Field type { 16, 4 };
inline constexpr usize entry_size = 24;
} // namespace memmap_field

namespace module_field {
inline constexpr lib::Field paddr { 0, 8 };
inline constexpr lib::Field size { 8, 8 };
inline constexpr usize entry_size = 32;
} // namespace module_field

lib::StringView start_info_error_name(StartInfoError e)
{
    switch (e) {
    case StartInfoError::OutsideWindow:
        return "start_info lies outside the boot-mapped memory";
    case StartInfoError::BadMagic:
        return "start_info has a bad magic number";
    case StartInfoError::MemmapOutsideWindow:
        return "memory map pointer lies outside the boot-mapped memory";
    case StartInfoError::TooManyMemmapEntries:
        return "memory map has more entries than supported";
    case StartInfoError::NoMemmap:
        return "no memory map (PVH start_info version 0 or zero entries)";
    case StartInfoError::CmdlineOutsideWindow:
        return "command line pointer lies outside the boot-mapped memory";
    case StartInfoError::CmdlineTooLong:
        return "command line is not NUL-terminated within 4096 bytes";
    case StartInfoError::ModulesOutsideWindow:
        return "boot module list lies outside the boot-mapped memory";
    case StartInfoError::TooManyModules:
        return "more boot modules than supported";
    case StartInfoError::CmdlineOutsideRam:
        return "the command line lies outside the memory map";
    case StartInfoError::ModuleOutsideRam:
        return "a boot module (initrd) is empty or lies outside usable RAM";
    }
    return "unknown start_info error";
}

namespace {

// The range [phys, phys + length) as a span of the window, if it lies entirely inside it.
bool window_range(lib::ReadonlyBytes window, u64 phys, u64 length, lib::ReadonlyBytes& out)
{
    if (!window.contains_range(phys, length))
        return false;
    out = window.slice(phys, length);
    return true;
}

} // namespace

lib::Result<void, StartInfoError> StartInfo::parse(lib::ReadonlyBytes window, u64 phys, StartInfo& out)
{
    lib::ReadonlyBytes header;
    if (!window_range(window, phys, field::size_v0, header))
        return StartInfoError::OutsideWindow;
    if (lib::load_le32(header, field::magic) != magic)
        return StartInfoError::BadMagic;
    out.version = lib::load_le32(header, field::version);
    out.flags = lib::load_le32(header, field::flags);
    out.rsdp_phys = lib::load_le64(header, field::rsdp_paddr);
    out.cmdline_phys = lib::load_le64(header, field::cmdline_paddr);

    // Memory map: only in version 1+, which we require (every PVH loader we target provides it).
    if (out.version < 1)
        return StartInfoError::NoMemmap;
    if (!window_range(window, phys, field::size_v1, header))
        return StartInfoError::OutsideWindow;
    u64 memmap_phys = lib::load_le64(header, field::memmap_paddr);
    u32 entries = lib::load_le32(header, field::memmap_entries);
    if (entries == 0)
        return StartInfoError::NoMemmap;
    if (entries > max_memmap_entries)
        return StartInfoError::TooManyMemmapEntries;
    lib::ReadonlyBytes memmap;
    if (!window_range(window, memmap_phys, u64(entries) * memmap_field::entry_size, memmap))
        return StartInfoError::MemmapOutsideWindow;
    out.memmap_phys = memmap_phys;
    for (u32 i = 0; i < entries; ++i) {
        lib::ReadonlyBytes e = memmap.slice(i * memmap_field::entry_size, memmap_field::entry_size);
        out.memmap[i] = mm::RawEntry { lib::load_le64(e, memmap_field::addr), lib::load_le64(e, memmap_field::size),
            lib::load_le32(e, memmap_field::type) };
    }
    out.memmap_count = entries;

    // Command line: optional (0 = none), NUL-terminated.
    out.cmdline_length = 0;
    if (out.cmdline_phys != 0) {
        if (out.cmdline_phys >= window.size())
            return StartInfoError::CmdlineOutsideWindow;
        lib::ReadonlyBytes rest = window.slice(out.cmdline_phys);
        usize limit = rest.size() < max_cmdline_length ? rest.size() : max_cmdline_length;
        usize length = 0;
        while (length < limit && rest[length] != 0)
            ++length;
        if (length == limit)
            return length == rest.size() ? StartInfoError::CmdlineOutsideWindow : StartInfoError::CmdlineTooLong;
        for (usize i = 0; i < length; ++i)
            out.cmdline[i] = char(rest[i]);
        out.cmdline_length = length;
    }

    // Boot modules (the initrd).
    u32 nr_modules = lib::load_le32(header, field::nr_modules);
    if (nr_modules > max_modules)
        return StartInfoError::TooManyModules;
    out.module_count = 0;
    if (nr_modules > 0) {
        lib::ReadonlyBytes list;
        if (!window_range(window, lib::load_le64(header, field::modlist_paddr),
                u64(nr_modules) * module_field::entry_size, list))
            return StartInfoError::ModulesOutsideWindow;
        for (u32 i = 0; i < nr_modules; ++i) {
            lib::ReadonlyBytes m = list.slice(i * module_field::entry_size, module_field::entry_size);
            out.modules[i] = BootModule { lib::load_le64(m, module_field::paddr), lib::load_le64(m, module_field::size) };
        }
        out.module_count = nr_modules;
    }
    return {};
}

namespace {

// True when [base, base + length) lies inside a single region accepted by `accept`.
template<typename Accept> bool inside_region(const mm::MemoryMap& map, u64 base, u64 length, Accept accept)
{
    u64 end = 0;
    if (__builtin_add_overflow(base, length, &end))
        return false;
    for (const mm::Region& r : map.regions()) {
        if (accept(r.type) && base >= r.base && end <= r.end())
            return true;
    }
    return false;
}

} // namespace

lib::Result<void, StartInfoError> StartInfo::check_against(const mm::MemoryMap& map) const
{
    // The command line includes its NUL terminator.
    if (cmdline_length > 0
        && !inside_region(map, cmdline_phys, cmdline_length + 1, [](mm::RegionType t) { return t != mm::RegionType::Unusable; }))
        return StartInfoError::CmdlineOutsideRam;
    for (usize i = 0; i < module_count; ++i) {
        if (modules[i].size == 0
            || !inside_region(map, modules[i].phys, modules[i].size, [](mm::RegionType t) { return t == mm::RegionType::Usable; }))
            return StartInfoError::ModuleOutsideRam;
    }
    return {};
}

} // namespace kernel::boot

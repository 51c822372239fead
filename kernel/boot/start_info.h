// The PVH boot ABI's hvm_start_info (Xen public/arch-x86/hvm/start_info.h, version 0 and 1):
// where the VMM left the command line, the memory map, the ACPI RSDP and boot modules (initrd).
// Everything in it is untrusted: every pointer and count is checked against a window of physical
// memory before it is followed, and the results are copied out.
#pragma once

#include "kernel/mm/memory_map.h"
#include "lib/result.h"
#include "lib/string_view.h"

namespace kernel::boot {

enum class StartInfoError : u8 {
    OutsideWindow,      // start_info itself is not inside readable memory
    BadMagic,           // not 0x336ec578
    MemmapOutsideWindow,
    TooManyMemmapEntries,
    NoMemmap,           // version 0 (no memory map) or zero entries
    CmdlineOutsideWindow,
    CmdlineTooLong,     // no NUL within max_cmdline_length bytes
    ModulesOutsideWindow,
    TooManyModules,
    CmdlineOutsideRam,  // the command line is not inside any region of the memory map
    ModuleOutsideRam,   // a boot module (initrd) is empty or not inside usable RAM
};

lib::StringView start_info_error_name(StartInfoError);

struct BootModule {
    u64 phys;
    u64 size;
};

struct StartInfo {
    static constexpr u32 magic = 0x336ec578;
    static constexpr usize max_memmap_entries = 128;
    static constexpr usize max_cmdline_length = 4096;
    static constexpr usize max_modules = 4;

    u32 version { 0 };
    u32 flags { 0 };
    u64 rsdp_phys { 0 };
    u64 cmdline_phys { 0 };
    mm::RawEntry memmap[max_memmap_entries] {};
    usize memmap_count { 0 };
    u64 memmap_phys { 0 };
    char cmdline[max_cmdline_length] {};
    usize cmdline_length { 0 };
    BootModule modules[max_modules] {};
    usize module_count { 0 };

    lib::StringView command_line() const { return lib::StringView(cmdline, cmdline_length); }

    // Parses the structure at `phys`. `window` is physical memory [0, window.size()) as the boot
    // page tables map it; nothing outside it is read.
    // Fails with: every StartInfoError above.
    static lib::Result<void, StartInfoError> parse(lib::ReadonlyBytes window, u64 phys, StartInfo& out);

    // Checks that what the VMM pointed us at lies in memory it described: the command line in
    // any region that is not a hole or bad memory (loaders put it in firmware areas; qboot uses
    // ACPI NVS), each module entirely inside usable RAM (it will be reserved from the allocator).
    // Fails with: CmdlineOutsideRam, ModuleOutsideRam.
    lib::Result<void, StartInfoError> check_against(const mm::MemoryMap&) const;
};

} // namespace kernel::boot

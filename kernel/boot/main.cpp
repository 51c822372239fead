// The kernel's entry from boot.S and the boot sequence, in order: console, CPU tables, boot
// information, memory, interrupts and time, devices, then the self-tests or the (future)
// program. Each step logs what it found.
#include "kernel/arch/x86_64/clock.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/entropy.h"
#include "kernel/arch/x86_64/gdt.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/boot/cmdline.h"
#include "kernel/boot/devices.h"
#include "kernel/boot/start_info.h"
#include "kernel/drivers/power.h"
#include "kernel/drivers/rtc/cmos.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/lib/log.h"
#include "kernel/lib/panic.h"
#include "kernel/mm/kernel_space.h"
#include "kernel/net/service.h"
#include "kernel/tests/selftest.h"

extern "C" u64 __stack_chk_guard;
extern "C" void (*const __init_array_start[])();
extern "C" void (*const __init_array_end[])();

namespace kernel {

namespace {

// Large boot structures live in .bss, not on the 32 KiB boot stack.
boot::StartInfo g_start_info;
arch::entropy::Source g_canary_source;

void log_cpu()
{
    arch::CpuidResult v = arch::cpuid(0);
    char vendor[13];
    u32 words[3] = { v.ebx, v.edx, v.ecx };
    for (int i = 0; i < 12; ++i)
        vendor[i] = char(words[i / 4] >> (8 * (i % 4)));
    vendor[12] = 0;
    bool hypervisor = arch::cpuid(1).ecx & (1u << 31);
    char hv[13] = {};
    if (hypervisor) {
        arch::CpuidResult h = arch::cpuid(0x40000000);
        u32 hw[3] = { h.ebx, h.ecx, h.edx };
        for (int i = 0; i < 12; ++i)
            hv[i] = char(hw[i / 4] >> (8 * (i % 4)));
    }
    log::info("cpu: {} (max leaf {:#x}){}{}", lib::StringView(vendor, 12), v.eax, hypervisor ? ", hypervisor " : "",
        hypervisor ? lib::StringView(hv, 12) : lib::StringView(""));
}

mm::MemoryMap setup_memory_map()
{
    auto built = mm::MemoryMap::build(lib::Span<const mm::RawEntry>(g_start_info.memmap, g_start_info.memmap_count));
    if (built.is_error()) {
        if (built.error() == mm::MemoryMapError::NoUsableMemory)
            panic("boot: the memory map ({} entries) has no usable RAM", g_start_info.memmap_count);
        panic("boot: the memory map has more than the supported {} entries", boot::StartInfo::max_memmap_entries);
    }
    mm::MemoryMap map = built.release_value();
    log::info("mem: memory map from PVH start_info ({} entries):", g_start_info.memmap_count);
    for (const mm::Region& r : map.regions()) {
        log::info("mem:   [{:#018x}-{:#018x}] {:>10} KiB {}", r.base, r.end() - 1, r.length >> 10,
            mm::MemoryMap::type_name(r.type));
    }
    log::info("mem: {} MiB usable", map.usable_bytes() >> 20);

    // Everything the VMM pointed us at must lie in memory it described, or we refuse to boot.
    if (auto r = g_start_info.check_against(map); r.is_error()) {
        panic("boot: {} (command line at {:#x}, {} modules)", boot::start_info_error_name(r.error()),
            g_start_info.cmdline_phys, g_start_info.module_count);
    }
    return map;
}

[[noreturn]] void kernel_main(u32 start_info_phys)
{
    log::raw("\n");
    log::info("Bulwark booting: PVH entry, start_info at {:#x}", start_info_phys);
    arch::init_gdt();
    arch::init_idt();
    log::info("cpu: GDT, TSS (IST stacks for #DF/NMI/#MC) and IDT loaded");
    log_cpu();

    // Boot information. The boot tables map physical 0..4 GiB at the physmap.
    lib::ReadonlyBytes low_memory(reinterpret_cast<const u8*>(arch::physmap_base), arch::boot_physmap_size);
    if (auto r = boot::StartInfo::parse(low_memory, start_info_phys, g_start_info); r.is_error())
        panic("boot: {}", boot::start_info_error_name(r.error()));
    auto cmdline = boot::CommandLine::parse(g_start_info.command_line());
    log::set_level(cmdline.log_level());
    log::info("boot: command line \"{}\"", g_start_info.command_line());
    for (const boot::Diagnostic& d : cmdline.diagnostics())
        log::warn("boot: ignoring command-line option \"{}\": {}", d.token, boot::problem_name(d.problem));
    if (cmdline.dropped_diagnostics())
        log::warn("boot: ... and {} more ignored options", cmdline.dropped_diagnostics());
    log::info("boot: stack canary from {}", arch::entropy::source_name(g_canary_source));

    // Memory.
    mm::MemoryMap map = setup_memory_map();
    mm::ImageRange image = mm::kernel_image();
    // Firmware and boot structures in the low 1 MiB, the kernel image and boot modules are never
    // handed out.
    bool reserved = map.reserve(0, 1ull << 20).is_ok() && map.reserve(image.phys_start, image.phys_end - image.phys_start).is_ok();
    for (usize i = 0; i < g_start_info.module_count; ++i)
        reserved = reserved && map.reserve(g_start_info.modules[i].phys, g_start_info.modules[i].size).is_ok();
    if (!reserved)
        panic("boot: the memory map is too fragmented to reserve the kernel image and boot modules");
    log::info("mem: kernel image [{:#x}-{:#x}] ({} KiB)", image.phys_start, image.phys_end - 1,
        (image.phys_end - image.phys_start) >> 10);
    mm::init_frames(map);
    mm::init_address_space(map);
    mm::init_heap();
    auto prot = mm::protection_features();
    log::info("mm: SMEP {}, SMAP {}, UMIP {}, NX on, WP on", prot.smep ? "on" : "absent", prot.smap ? "on" : "absent",
        prot.umip ? "on" : "absent");

    // Interrupts, time, devices.
    boot::Devices devices = boot::init_platform(g_start_info.rsdp_phys);
    if (auto now = drivers::rtc::read_cmos()) {
        log::info("rtc: {}-{:02}-{:02} {:02}:{:02}:{:02} UTC (unix {})", now->year, now->month, now->day, now->hour,
            now->minute, now->second, drivers::rtc::to_unix_seconds(*now));
    } else {
        log::warn("rtc: no CMOS RTC answered with a valid date");
    }
    boot::probe_devices(cmdline, devices);
    {
        char sources[96];
        lib::BufferSink sink(sources, sizeof sources);
        arch::entropy::describe_sources(sink);
        log::info("entropy: sources: {}", sink.view());
    }

    u64 ready_tsc = arch::rdtsc();
    u64 boot_ns = arch::clock::tsc_to_ns(ready_tsc - arch::clock::entry_tsc());
    // Printed at every log level: bench/boot.py reads it from a quiet (log=warn) boot.
    log::raw("boot: ready in {}.{:03} ms (tsc entry {} ready {}, {} Hz)\n", boot_ns / 1000000, (boot_ns / 1000) % 1000,
        arch::clock::entry_tsc(), ready_tsc, arch::clock::tsc_hz());

    for (lib::StringView test : cmdline.tests()) {
        if (test != "net")
            continue;
        // The network test service runs until the machine is powered off.
        if (auto* device = boot::network_device())
            net_service::run_test_service(*device, cmdline.network());
        log::error("net: test=net needs a virtio-net device; none initialized");
        drivers::power::shutdown(drivers::power::ExitStatus::Failure, boot::PowerOff::DebugExit);
    }
    if (!cmdline.tests().is_empty()) {
        bool ok = tests::run_selftests(cmdline);
        drivers::power::shutdown(ok ? drivers::power::ExitStatus::Success : drivers::power::ExitStatus::Failure,
            boot::PowerOff::DebugExit);
    }
    log::info("boot: no program in this image yet; nothing left to run");
    drivers::power::shutdown(drivers::power::ExitStatus::Success, cmdline.power_off());
}

} // namespace

} // namespace kernel

// Called by boot.S on the boot stack, with the boot page tables. No stack protector here: this
// function sets the canary, so it must not check one on return (it never returns anyway).
extern "C" [[noreturn]] __attribute__((no_stack_protector)) void kernel_boot_entry(u32 start_info_phys)
{
    auto canary = kernel::arch::entropy::random_u64();
    __stack_chk_guard = canary.value;
    kernel::g_canary_source = canary.source;
    kernel::arch::clock::record_entry_tsc();
    for (auto* fn = __init_array_start; fn != __init_array_end; ++fn)
        (*fn)();
    kernel::kernel_main(start_info_phys);
}

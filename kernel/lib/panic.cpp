// panic() and trap reports. Reentrancy-safe: a panic inside a panic halts immediately.
#include "kernel/lib/panic.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/stacks.h"
#include "kernel/drivers/power.h"
#include "kernel/lib/log.h"
#include "kernel/lib/symbols.h"

extern "C" const u8 __bulwark_symbols_start[];
extern "C" const u8 __bulwark_symbols_end[];

namespace kernel {

namespace {

bool g_panicking = false;

void print_frame_line(unsigned index, u64 address)
{
    auto table = SymbolTable::from_bytes(lib::ReadonlyBytes(__bulwark_symbols_start,
        usize(__bulwark_symbols_end - __bulwark_symbols_start)));
    if (table.is_ok()) {
        if (auto symbol = table.value().lookup(address)) {
            log::raw("  #{:<2} {:#018x} {}+{:#x}\n", index, address, symbol->name, symbol->offset);
            return;
        }
    }
    log::raw("  #{:<2} {:#018x} ?\n", index, address);
}

[[noreturn]] void die()
{
    log::raw("Kernel halted.\n");
    drivers::power::exit_qemu(drivers::power::ExitStatus::Panic);
    arch::halt_forever();
}

void enter_panic_or_halt()
{
    arch::cli();
    if (g_panicking) {
        log::raw("\nPANIC while panicking; halting.\n");
        die();
    }
    g_panicking = true;
}

} // namespace

void print_backtrace(u64 rip, u64 rbp)
{
    log::raw("Backtrace:\n");
    print_frame_line(0, rip);
    // Follow saved frame pointers only while they stay on a kernel stack, 8-aligned and moving
    // up: a corrupted chain ends the walk instead of faulting inside the panic handler.
    for (unsigned depth = 1; depth < 32 && rbp != 0; ++depth) {
        if ((rbp & 7) != 0 || !arch::is_on_kernel_stack(rbp) || !arch::is_on_kernel_stack(rbp + 8))
            break;
        u64 saved_rbp = reinterpret_cast<const u64*>(rbp)[0];
        u64 return_address = reinterpret_cast<const u64*>(rbp)[1];
        if (return_address == 0)
            break;
        // The return address points after the call; -1 names the calling line's function.
        print_frame_line(depth, return_address - 1);
        if (saved_rbp <= rbp)
            break;
        rbp = saved_rbp;
    }
}

void vpanic(lib::StringView fmt, lib::Span<const lib::FormatArg> args)
{
    // Start the backtrace at our caller: its return address, then its caller's frame.
    u64 caller_rbp = *reinterpret_cast<const u64*>(arch::read_rbp());
    enter_panic_or_halt();
    log::raw("\nPANIC: ");
    log::ConsoleSink sink;
    lib::vformat(sink, fmt, args);
    log::raw("\n");
    print_backtrace(reinterpret_cast<u64>(__builtin_return_address(0)) - 1, caller_rbp);
    die();
}

void panic_from_trap(const arch::TrapFrame& frame)
{
    enter_panic_or_halt();
    log::raw("\nPANIC: unhandled {} in {} mode\n", arch::exception_name(frame.vector),
        (frame.cs & 3) == 3 ? "user" : "kernel");
    if (frame.vector == arch::vector::page_fault) {
        u64 e = frame.error_code;
        log::raw("  page fault at address {:#018x}: {} {}{}{} access by {}\n", arch::read_cr2(),
            (e & 1) ? "protection violation," : "page not present,",
            (e & 16) ? "instruction fetch" : ((e & 2) ? "write" : "read"),
            (e & 8) ? ", reserved bit set" : "", (e & 32) ? ", protection key" : "",
            (e & 4) ? "user" : "kernel");
    }
    arch::KernelStack overflowed;
    if ((frame.vector == arch::vector::page_fault || frame.vector == arch::vector::double_fault)
        && arch::guard_page_owner(arch::read_cr2(), overflowed))
        log::raw("  kernel stack overflow: CR2 is in the guard page below the {} stack\n", arch::stack_name(overflowed));
    arch::print_trap_frame(frame);
    print_backtrace(frame.rip, frame.rbp);
    die();
}

} // namespace kernel

// panic(): the kernel's last words. Prints the reason, registers (for traps) and a symbolized
// backtrace on the console, then leaves through the QEMU debug-exit device or halts.
#pragma once

#include "kernel/arch/x86_64/traps.h"
#include "lib/format.h"

namespace kernel {

[[noreturn]] void vpanic(lib::StringView fmt, lib::Span<const lib::FormatArg> args);

template<typename... Args> [[noreturn]] void panic(lib::StringView fmt, const Args&... args)
{
    if constexpr (sizeof...(Args) == 0) {
        vpanic(fmt, {});
    } else {
        const lib::FormatArg list[] = { lib::detail::to_format_arg(args)... };
        vpanic(fmt, lib::Span<const lib::FormatArg>(list, sizeof...(Args)));
    }
}

[[noreturn]] void panic_from_trap(const arch::TrapFrame&);

// Prints "  #N 0xADDR symbol+0xOFF" lines: the given rip, then the frame-pointer chain from rbp.
void print_backtrace(u64 rip, u64 rbp);

} // namespace kernel

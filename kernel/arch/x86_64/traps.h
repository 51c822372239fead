// Traps: the IDT, the common trap frame, exception reports, IRQ handler registration, and the
// fault probe the self-tests use to provoke faults on purpose.
#pragma once

#include "lib/string_view.h"

namespace kernel::arch {

// Layout written by traps.S; do not reorder.
struct TrapFrame {
    u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector;
    u64 error_code;
    u64 rip, cs, rflags, rsp, ss;
};
static_assert(sizeof(TrapFrame) == 22 * 8);

namespace vector {
inline constexpr u8 page_fault = 14;
inline constexpr u8 double_fault = 8;
inline constexpr u8 legacy_pic_base = 32;   // 32..47, masked; only spurious IRQs land here
inline constexpr u8 ioapic_base = 48;       // 48..111: IOAPIC GSIs 0..63
inline constexpr u8 lapic_timer = 0xEF;
inline constexpr u8 lapic_spurious = 0xFF;
} // namespace vector

void init_idt();

using IrqHandler = void (*)(const TrapFrame&);
// Registers the handler for an interrupt vector (>= 32). Handlers only acknowledge and set flags
// (DESIGN.md, runtime model).
void set_irq_handler(u8 vector, IrqHandler);

// A fault probe: while armed, an exception resumes fault_probe_call instead of panicking.
struct FaultProbe {
    u64 resume_rsp;
    u64 resume_rip;
    bool armed;
    // Filled in when a fault was caught.
    u64 vector;
    u64 error_code;
    u64 cr2;
    u64 rip;
};
struct ProbeResult {
    bool faulted;
    u64 vector;
    u64 error_code;
    u64 cr2;
    u64 rip;
};
// Runs fn(arg) and reports the first exception it raises, if any.
ProbeResult probe_for_fault(void (*fn)(void*), void* arg);

lib::StringView exception_name(u64 vector);
void print_trap_frame(const TrapFrame&);

} // namespace kernel::arch

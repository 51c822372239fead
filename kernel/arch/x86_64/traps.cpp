// IDT setup and the single C++ entry for every interrupt and exception.
#include "kernel/arch/x86_64/traps.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/gdt.h"
#include "kernel/arch/x86_64/lapic.h"
#include "kernel/lib/log.h"
#include "kernel/lib/panic.h"

extern "C" const u8 trap_stubs_start[];
extern "C" u64 fault_probe_call(void (*fn)(void*), void* arg, kernel::arch::FaultProbe* probe);
extern "C" void trap_dispatch(kernel::arch::TrapFrame* frame);

namespace kernel::arch {

namespace {

alignas(16) u64 g_idt[256 * 2];
IrqHandler g_irq_handlers[256];
FaultProbe g_probe;

struct [[gnu::packed]] DescriptorPointer {
    u16 limit;
    u64 base;
};

// 64-bit interrupt gate (SDM Figure 6-8), DPL 0, present.
void set_gate(u8 vector, u64 handler, Ist ist)
{
    u64 low = (handler & 0xffff) | (u64(selector::kernel_code) << 16) | (u64(ist) << 32) | (0x8Eull << 40)
        | (((handler >> 16) & 0xffff) << 48);
    g_idt[vector * 2] = low;
    g_idt[vector * 2 + 1] = handler >> 32;
}

} // namespace

void init_idt()
{
    for (unsigned v = 0; v < 256; ++v) {
        Ist ist = Ist::None;
        if (v == vector::double_fault)
            ist = Ist::DoubleFault;
        else if (v == 2)
            ist = Ist::Nmi;
        else if (v == 18)
            ist = Ist::MachineCheck;
        set_gate(u8(v), reinterpret_cast<u64>(trap_stubs_start) + 16 * v, ist);
    }
    DescriptorPointer pointer { sizeof g_idt - 1, reinterpret_cast<u64>(g_idt) };
    asm volatile("lidt %0" : : "m"(pointer));
}

void set_irq_handler(u8 vector, IrqHandler handler)
{
    VERIFY(vector >= 32);
    g_irq_handlers[vector] = handler;
}

lib::StringView exception_name(u64 v)
{
    static const char* const names[32] = {
        "divide error (#DE)", "debug (#DB)", "non-maskable interrupt (NMI)", "breakpoint (#BP)",
        "overflow (#OF)", "bound range exceeded (#BR)", "invalid opcode (#UD)", "device not available (#NM)",
        "double fault (#DF)", "coprocessor segment overrun", "invalid TSS (#TS)", "segment not present (#NP)",
        "stack-segment fault (#SS)", "general protection fault (#GP)", "page fault (#PF)", "reserved (15)",
        "x87 floating-point error (#MF)", "alignment check (#AC)", "machine check (#MC)", "SIMD floating-point (#XM)",
        "virtualization exception (#VE)", "control protection (#CP)", "reserved (22)", "reserved (23)",
        "reserved (24)", "reserved (25)", "reserved (26)", "reserved (27)",
        "hypervisor injection (#HV)", "VMM communication (#VC)", "security exception (#SX)", "reserved (31)",
    };
    if (v < 32)
        return names[v];
    return "interrupt";
}

void print_trap_frame(const TrapFrame& f)
{
    log::raw("  vector {} error_code {:#x} rip {:#018x} cs {:#x} rflags {:#x}\n", f.vector, f.error_code, f.rip,
        f.cs, f.rflags);
    log::raw("  rsp {:#018x} ss {:#x} cr2 {:#018x} cr3 {:#018x}\n", f.rsp, f.ss, read_cr2(), read_cr3());
    log::raw("  rax {:#018x} rbx {:#018x} rcx {:#018x} rdx {:#018x}\n", f.rax, f.rbx, f.rcx, f.rdx);
    log::raw("  rsi {:#018x} rdi {:#018x} rbp {:#018x} r8  {:#018x}\n", f.rsi, f.rdi, f.rbp, f.r8);
    log::raw("  r9  {:#018x} r10 {:#018x} r11 {:#018x} r12 {:#018x}\n", f.r9, f.r10, f.r11, f.r12);
    log::raw("  r13 {:#018x} r14 {:#018x} r15 {:#018x}\n", f.r13, f.r14, f.r15);
}

ProbeResult probe_for_fault(void (*fn)(void*), void* arg)
{
    VERIFY(!g_probe.armed);
    g_probe = FaultProbe {};
    g_probe.armed = true;
    u64 faulted = fault_probe_call(fn, arg, &g_probe);
    g_probe.armed = false;
    if (faulted == 0)
        return ProbeResult { false, 0, 0, 0, 0 };
    return ProbeResult { true, g_probe.vector, g_probe.error_code, g_probe.cr2, g_probe.rip };
}

namespace {

void handle_exception(TrapFrame& frame)
{
    // A fault provoked on purpose by a self-test: record it and resume the probe's caller.
    // #DF, NMI and #MC are never recoverable this way.
    if (g_probe.armed && frame.vector != vector::double_fault && frame.vector != 2 && frame.vector != 18) {
        g_probe.armed = false;
        g_probe.vector = frame.vector;
        g_probe.error_code = frame.error_code;
        g_probe.cr2 = frame.vector == vector::page_fault ? read_cr2() : 0;
        g_probe.rip = frame.rip;
        frame.rip = g_probe.resume_rip;
        frame.rsp = g_probe.resume_rsp;
        return;
    }
    panic_from_trap(frame);
}

} // namespace

} // namespace kernel::arch

extern "C" void trap_dispatch(kernel::arch::TrapFrame* frame)
{
    using namespace kernel::arch;
    if (frame->vector < 32) {
        handle_exception(*frame);
        return;
    }
    u8 v = u8(frame->vector);
    if (v >= vector::legacy_pic_base && v < vector::ioapic_base) {
        // The 8259s are masked; what arrives here is a spurious IRQ 7/15. No EOI.
        return;
    }
    if (v == vector::lapic_spurious)
        return;
    if (IrqHandler handler = g_irq_handlers[v])
        handler(*frame);
    else
        kernel::log::warn("trap: unexpected interrupt vector {}", v);
    lapic::eoi();
}

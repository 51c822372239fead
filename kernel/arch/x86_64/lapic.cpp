// Local APIC driver (xAPIC MMIO registers, SDM vol. 3A §10.4-10.5).
#include "kernel/arch/x86_64/lapic.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/traps.h"

namespace kernel::arch::lapic {

namespace reg {
inline constexpr u32 id = 0x20;
inline constexpr u32 version = 0x30;
inline constexpr u32 tpr = 0x80;
inline constexpr u32 eoi = 0xB0;
inline constexpr u32 svr = 0xF0;
inline constexpr u32 lvt_timer = 0x320;
inline constexpr u32 lvt_lint0 = 0x350;
inline constexpr u32 lvt_lint1 = 0x360;
inline constexpr u32 lvt_error = 0x370;
inline constexpr u32 timer_initial = 0x380;
inline constexpr u32 timer_current = 0x390;
inline constexpr u32 timer_divide = 0x3E0;
} // namespace reg

namespace {

volatile u32* g_regs = nullptr;
volatile u64 g_ticks = 0;
u32 g_tick_hz = 0;
TimerMode g_mode = TimerMode::Off;
u64 g_deadline_period = 0; // TSC ticks between interrupts in TSC-deadline mode
u64 g_next_deadline = 0;

constexpr u32 lvt_masked = 1u << 16;
constexpr u32 lvt_periodic = 1u << 17;
constexpr u32 lvt_tsc_deadline = 2u << 17;
constexpr u32 msr_tsc_deadline = 0x6E0;

u32 read(u32 offset) { return g_regs[offset / 4]; }
void write(u32 offset, u32 value) { g_regs[offset / 4] = value; }

void on_timer(const TrapFrame&)
{
    g_ticks = g_ticks + 1;
    if (g_mode == TimerMode::TscDeadline) {
        // Re-arm from the previous deadline, not from now, so the tick rate does not drift; if
        // we fell behind by more than a period, skip ahead rather than fire a burst.
        g_next_deadline += g_deadline_period;
        u64 now = rdtsc();
        if (g_next_deadline <= now)
            g_next_deadline = now + g_deadline_period;
        wrmsr(msr_tsc_deadline, g_next_deadline);
    }
}

} // namespace

void init(u64 mmio)
{
    g_regs = reinterpret_cast<volatile u32*>(mmio);
    // Make sure the APIC is globally enabled (MSR bit 11); firmware normally leaves it so.
    u64 base = rdmsr(msr::apic_base);
    if (!(base & (1u << 11)))
        wrmsr(msr::apic_base, base | (1u << 11));
    write(reg::tpr, 0);
    write(reg::lvt_lint0, lvt_masked);
    write(reg::lvt_lint1, lvt_masked);
    write(reg::lvt_error, lvt_masked);
    write(reg::lvt_timer, lvt_masked);
    // Software-enable with the spurious vector.
    write(reg::svr, 0x100u | vector::lapic_spurious);
}

bool is_initialized() { return g_regs != nullptr; }

void eoi()
{
    if (g_regs)
        write(reg::eoi, 0);
}

u32 id() { return read(reg::id) >> 24; }
u32 version() { return read(reg::version) & 0xff; }

bool has_tsc_deadline() { return (cpuid(1).ecx & (1u << 24)) != 0; }

TimerStart start_periodic_timer(u32 hz, u64 tsc_hz)
{
    g_tick_hz = hz;
    set_irq_handler(vector::lapic_timer, on_timer);
    // TSC-deadline mode (SDM §10.5.4.1) needs no calibration: the TSC frequency is known.
    if (has_tsc_deadline()) {
        g_mode = TimerMode::TscDeadline;
        g_deadline_period = tsc_hz / hz;
        write(reg::lvt_timer, lvt_tsc_deadline | vector::lapic_timer);
        g_next_deadline = rdtsc() + g_deadline_period;
        wrmsr(msr_tsc_deadline, g_next_deadline);
        return TimerStart { TimerMode::TscDeadline, 0 };
    }
    // Otherwise periodic mode, calibrated: divide by 16 and count down from the maximum for
    // 2 ms of TSC time.
    write(reg::timer_divide, 0x3);
    write(reg::lvt_timer, lvt_masked);
    write(reg::timer_initial, 0xffffffffu);
    u64 start = rdtsc();
    u64 wait = tsc_hz / 500;
    while (rdtsc() - start < wait)
        pause();
    u32 elapsed = 0xffffffffu - read(reg::timer_current);
    write(reg::timer_initial, 0);
    u64 timer_hz = u64(elapsed) * 500;

    u64 initial = timer_hz / hz;
    if (initial == 0)
        initial = 1;
    if (initial > 0xffffffffu)
        initial = 0xffffffffu;
    g_mode = TimerMode::Periodic;
    write(reg::lvt_timer, lvt_periodic | vector::lapic_timer);
    write(reg::timer_initial, u32(initial));
    return TimerStart { TimerMode::Periodic, timer_hz };
}

u64 ticks() { return g_ticks; }
u32 tick_hz() { return g_tick_hz; }

} // namespace kernel::arch::lapic

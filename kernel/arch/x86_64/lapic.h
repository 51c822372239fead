// Local APIC in xAPIC mode (Intel SDM vol. 3A ch. 10): enable, EOI, and the periodic timer that
// drives the kernel's tick.
#pragma once

#include "lib/types.h"

namespace kernel::arch::lapic {

// Precondition: `mmio` maps the 4 KiB register page uncached.
void init(u64 mmio);
bool is_initialized();
void eoi();
u32 id();
u32 version();

enum class TimerMode : u8 { Off, TscDeadline, Periodic };
struct TimerStart {
    TimerMode mode;
    u64 periodic_input_hz; // the calibrated timer clock after the divider (Periodic mode only)
};

// Starts a tick of `hz` interrupts per second: TSC-deadline mode when the CPU has it (no
// calibration), else periodic mode calibrated against the TSC (2 ms).
TimerStart start_periodic_timer(u32 hz, u64 tsc_hz);
u64 ticks();
u32 tick_hz();

} // namespace kernel::arch::lapic

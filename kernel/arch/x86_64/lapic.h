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

// Calibrates the timer against the TSC and starts it in periodic mode at `hz`.
// Returns the timer's input clock in Hz (after the divider).
u64 start_periodic_timer(u32 hz, u64 tsc_hz);
u64 ticks();
u32 tick_hz();

} // namespace kernel::arch::lapic

// The monotonic clock: the TSC, with its frequency taken from kvmclock when KVM offers it, else
// CPUID leaf 0x15, else measured against the PIT.
#pragma once

#include "lib/string_view.h"

namespace kernel::arch::clock {

enum class TscSource : u8 { None, KvmClock, Cpuid15, Pit };
lib::StringView tsc_source_name(TscSource);

struct Calibration {
    u64 tsc_hz;
    TscSource source;
    bool invariant_tsc; // CPUID 0x80000007 EDX bit 8
};

// Determines the TSC frequency and starts the monotonic clock (time zero = PVH entry).
// Returns source None if nothing worked; the clock then reads 0.
Calibration calibrate();

// Nanoseconds since the PVH entry; 0 until calibrate() has succeeded.
u64 monotonic_ns();
u64 tsc_hz();
// Copies the entry TSC out of the boot section. Call before the boot identity map goes away.
void record_entry_tsc();
// The TSC value boot.S recorded at the very first instruction.
u64 entry_tsc();
u64 tsc_to_ns(u64 ticks);

} // namespace kernel::arch::clock

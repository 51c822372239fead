// TSC calibration and the monotonic clock. kvmclock: Linux Documentation/virt/kvm/x86/msr.rst
// (MSR_KVM_SYSTEM_TIME_NEW, pvclock_vcpu_time_info); PIT: Intel 8254 datasheet, channel 2 gated
// channel 0 polled through the counter latch.
#include "kernel/arch/x86_64/clock.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/layout.h"
#include "lib/byte_order.h"

extern "C" u64 boot_entry_tsc; // in .boot.data: only reachable while the boot identity map exists

namespace kernel::arch::clock {

namespace {

u64 g_entry_tsc = 0;
u64 g_tsc_hz = 0;
// ns = (ticks * g_ns_per_tick_q32) >> 32
u64 g_ns_per_tick_q32 = 0;

// pvclock_vcpu_time_info: version@0 (u32), tsc_timestamp@8, system_time@16,
// tsc_to_system_mul@24 (u32), tsc_shift@28 (i8), flags@29.
alignas(64) volatile u8 g_pvclock[32];

bool hypervisor_is_kvm()
{
    if (!(cpuid(1).ecx & (1u << 31)))
        return false;
    CpuidResult r = cpuid(0x40000000);
    // "KVMKVMKVM\0\0\0"
    return r.ebx == 0x4b4d564b && r.ecx == 0x564b4d56 && r.edx == 0x0000004d;
}

u64 kvmclock_tsc_hz()
{
    if (!hypervisor_is_kvm())
        return 0;
    // KVM_FEATURE_CLOCKSOURCE2 (bit 3) means MSR 0x4b564d01 is available.
    if (!(cpuid(0x40000001).eax & (1u << 3)))
        return 0;
    u64 phys = reinterpret_cast<u64>(&g_pvclock[0]) - kernel_virt_base;
    wrmsr(msr::kvm_system_time_new, phys | 1);
    u32 mul = 0;
    i8 shift = 0;
    for (int attempt = 0; attempt < 1000; ++attempt) {
        u32 version = *reinterpret_cast<volatile u32*>(&g_pvclock[0]);
        if (version & 1)
            continue; // the host is updating it
        mul = *reinterpret_cast<volatile u32*>(&g_pvclock[24]);
        shift = static_cast<i8>(g_pvclock[28]);
        if (*reinterpret_cast<volatile u32*>(&g_pvclock[0]) == version)
            break;
    }
    // We only want the frequency; the TSC stays our clock source.
    wrmsr(msr::kvm_system_time_new, 0);
    if (mul == 0)
        return 0;
    // ns = ((tsc << shift) * mul) >> 32, so hz = 1e9 * 2^32 / mul / 2^shift.
    // 1e9 * 2^32 < 2^64, so this needs no 128-bit division (which freestanding code lacks).
    u64 hz = (1000000000ull << 32) / mul;
    if (shift >= 0)
        hz >>= shift;
    else
        hz <<= -shift;
    return hz;
}

u64 cpuid15_tsc_hz()
{
    if (cpuid(0).eax < 0x15)
        return 0;
    CpuidResult r = cpuid(0x15);
    // TSC = crystal * ebx / eax; ecx is the crystal frequency (0 if not enumerated).
    if (r.eax == 0 || r.ebx == 0 || r.ecx == 0)
        return 0;
    return u64(r.ecx) * r.ebx / r.eax;
}

constexpr u32 pit_hz = 1193182;

// Latches and reads PIT channel 0's current count (8254 datasheet: counter latch command).
u16 pit_read_channel0()
{
    outb(0x43, 0x00);
    u8 lo = inb(0x40);
    u8 hi = inb(0x40);
    return u16(lo | (hi << 8));
}

// Counts TSC ticks while PIT channel 0 (rate generator, reload 65535) counts down `pit_ticks`.
// Polls the counter instead of using channel 2's gate (port 0x61), which QEMU's microvm lacks.
// Returns 0 when the counter does not move: no PIT.
u64 pit_measure(u32 pit_ticks)
{
    outb(0x43, 0x34); // channel 0, lobyte/hibyte, mode 2, binary
    outb(0x40, 0xff);
    outb(0x40, 0xff);
    u16 previous = pit_read_channel0();
    u64 start = rdtsc();
    u32 elapsed = 0;
    // A present PIT moves within a few microseconds; 10 million polls without reaching the
    // target means it is absent or stuck.
    for (u32 polls = 0; polls < 10000000; ++polls) {
        u16 now = pit_read_channel0();
        // The counter counts down and reloads at 65535; u16 arithmetic handles the wrap.
        elapsed += u16(previous - now);
        previous = now;
        if (elapsed >= pit_ticks)
            return (rdtsc() - start) * u64(pit_hz) / elapsed;
    }
    return 0;
}

u64 pit_tsc_hz()
{
    // Take the smaller of two 5 ms measurements: interference (a vCPU preempted by the host)
    // only ever makes a measurement longer.
    u64 best = 0;
    for (int i = 0; i < 2; ++i) {
        u64 hz = pit_measure(pit_hz / 200); // 5 ms
        if (hz == 0)
            return 0;
        if (best == 0 || hz < best)
            best = hz;
    }
    // Below 10 MHz is not a plausible TSC: the PIT is not really there.
    return best < 10000000 ? 0 : best;
}

} // namespace

lib::StringView tsc_source_name(TscSource s)
{
    switch (s) {
    case TscSource::None:
        return "none";
    case TscSource::KvmClock:
        return "kvmclock";
    case TscSource::Cpuid15:
        return "cpuid 0x15";
    case TscSource::Pit:
        return "PIT";
    }
    return "?";
}

Calibration calibrate()
{
    Calibration c { 0, TscSource::None, false };
    if (cpuid(0x80000000).eax >= 0x80000007)
        c.invariant_tsc = (cpuid(0x80000007).edx & (1u << 8)) != 0;
    if (u64 hz = kvmclock_tsc_hz()) {
        c = Calibration { hz, TscSource::KvmClock, c.invariant_tsc };
    } else if (u64 hz = cpuid15_tsc_hz()) {
        c = Calibration { hz, TscSource::Cpuid15, c.invariant_tsc };
    } else if (u64 hz = pit_tsc_hz()) {
        c = Calibration { hz, TscSource::Pit, c.invariant_tsc };
    }
    if (c.tsc_hz != 0) {
        g_ns_per_tick_q32 = (1000000000ull << 32) / c.tsc_hz;
        g_tsc_hz = c.tsc_hz;
    }
    return c;
}

u64 tsc_to_ns(u64 ticks) { return u64((static_cast<unsigned __int128>(ticks) * g_ns_per_tick_q32) >> 32); }

u64 monotonic_ns()
{
    if (g_tsc_hz == 0)
        return 0;
    return tsc_to_ns(rdtsc() - g_entry_tsc);
}

void record_entry_tsc() { g_entry_tsc = boot_entry_tsc; }

u64 tsc_hz() { return g_tsc_hz; }
u64 entry_tsc() { return g_entry_tsc; }

} // namespace kernel::arch::clock

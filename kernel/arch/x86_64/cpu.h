// Thin wrappers over x86-64 instructions the kernel needs (Intel SDM vol. 2).
// Everything here is one instruction; policy lives in the callers.
#pragma once

#include "lib/types.h"

namespace kernel::arch {

inline void outb(u16 port, u8 v) { asm volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
inline void outw(u16 port, u16 v) { asm volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
inline void outl(u16 port, u32 v) { asm volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
inline u8 inb(u16 port)
{
    u8 v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline u16 inw(u16 port)
{
    u16 v;
    asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline u32 inl(u16 port)
{
    u32 v;
    asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

inline u64 rdmsr(u32 msr)
{
    u32 lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (u64(hi) << 32) | lo;
}
inline void wrmsr(u32 msr, u64 v) { asm volatile("wrmsr" : : "c"(msr), "a"(u32(v)), "d"(u32(v >> 32))); }

struct CpuidResult {
    u32 eax, ebx, ecx, edx;
};
inline CpuidResult cpuid(u32 leaf, u32 subleaf = 0)
{
    CpuidResult r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

inline u64 rdtsc()
{
    u32 lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (u64(hi) << 32) | lo;
}

inline u64 read_cr0()
{
    u64 v;
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
inline u64 read_cr2()
{
    u64 v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
inline u64 read_cr3()
{
    u64 v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
inline u64 read_cr4()
{
    u64 v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
inline void write_cr0(u64 v) { asm volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
inline void write_cr3(u64 v) { asm volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
inline void write_cr4(u64 v) { asm volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
inline void invlpg(u64 virt) { asm volatile("invlpg (%0)" : : "r"(virt) : "memory"); }

inline void cli() { asm volatile("cli" ::: "memory"); }
inline void sti() { asm volatile("sti" ::: "memory"); }
inline void hlt() { asm volatile("hlt" ::: "memory"); }
inline void pause() { asm volatile("pause"); }
// Enable interrupts and halt atomically: an interrupt arriving between the two still wakes us.
inline void sti_hlt() { asm volatile("sti; hlt" ::: "memory"); }
inline u64 read_rflags()
{
    u64 v;
    asm volatile("pushfq; popq %0" : "=r"(v));
    return v;
}
inline u64 read_rbp()
{
    u64 v;
    asm volatile("mov %%rbp, %0" : "=r"(v));
    return v;
}

// RDRAND/RDSEED: true when the instruction delivered a value (CF=1).
inline bool rdrand64(u64& out)
{
    u8 ok;
    asm volatile("rdrand %0; setc %1" : "=r"(out), "=qm"(ok) : : "cc");
    return ok != 0;
}
inline bool rdseed64(u64& out)
{
    u8 ok;
    asm volatile("rdseed %0; setc %1" : "=r"(out), "=qm"(ok) : : "cc");
    return ok != 0;
}

[[noreturn]] inline void halt_forever()
{
    for (;;) {
        cli();
        hlt();
    }
}

namespace msr {
inline constexpr u32 efer = 0xC0000080;
inline constexpr u32 apic_base = 0x1B;
inline constexpr u32 fs_base = 0xC0000100;
inline constexpr u32 gs_base = 0xC0000101;
inline constexpr u32 kvm_system_time_new = 0x4b564d01;
} // namespace msr

namespace cr0 {
inline constexpr u64 wp = 1u << 16;
}
namespace cr4 {
inline constexpr u64 pge = 1u << 7;
inline constexpr u64 umip = 1u << 11;
inline constexpr u64 smep = 1u << 20;
inline constexpr u64 smap = 1u << 21;
} // namespace cr4

} // namespace kernel::arch

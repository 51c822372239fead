// CPU entropy sources. RDRAND/RDSEED can transiently fail (CF=0); retry a bounded number of times.
#include "kernel/arch/x86_64/entropy.h"

#include "kernel/arch/x86_64/cpu.h"

namespace kernel::arch::entropy {

bool has_rdrand() { return (cpuid(1).ecx & (1u << 30)) != 0; }
bool has_rdseed() { return cpuid(0).eax >= 7 && (cpuid(7).ebx & (1u << 18)) != 0; }

lib::StringView source_name(Source s)
{
    switch (s) {
    case Source::Rdseed:
        return "RDSEED";
    case Source::Rdrand:
        return "RDRAND";
    case Source::TscJitter:
        return "TSC jitter (weak: no hardware RNG)";
    }
    return "?";
}

__attribute__((no_stack_protector)) Sample random_u64()
{
    u64 v = 0;
    if (has_rdseed()) {
        for (int i = 0; i < 64; ++i) {
            if (rdseed64(v))
                return Sample { v, Source::Rdseed };
            pause();
        }
    }
    if (has_rdrand()) {
        for (int i = 0; i < 16; ++i) {
            if (rdrand64(v))
                return Sample { v, Source::Rdrand };
        }
    }
    // Last resort: mix TSC readings taken across cpuid (which exits to the hypervisor under
    // virtualization, adding timing noise). Not cryptographic; the boot log warns.
    u64 x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 32; ++i) {
        cpuid(0);
        x ^= rdtsc();
        x *= 0xbf58476d1ce4e5b9ull;
        x ^= x >> 31;
    }
    return Sample { x, Source::TscJitter };
}

} // namespace kernel::arch::entropy

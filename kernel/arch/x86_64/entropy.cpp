// CPU entropy sources. RDRAND/RDSEED can transiently fail (CF=0); retry a bounded number of times.
#include "kernel/arch/x86_64/entropy.h"

#include "kernel/arch/x86_64/cpu.h"
#include "net/tcp/siphash.h"

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

namespace {
net::tcp::SipKey g_pool {};
u64 g_counter = 0;
usize g_mixed_bytes = 0;
lib::StringView g_mixed_source;
} // namespace

void mix_in(lib::ReadonlyBytes bytes, lib::StringView source)
{
    // Absorb: the new key is a keyed hash of the input under the old key, in two lanes.
    u8 tagged[1 + 256];
    usize n = bytes.size() < 256 ? bytes.size() : 256;
    for (usize i = 0; i < n; ++i)
        tagged[1 + i] = bytes[i];
    tagged[0] = 0;
    u64 k0 = net::tcp::siphash24(g_pool, lib::ReadonlyBytes(tagged, n + 1));
    tagged[0] = 1;
    u64 k1 = net::tcp::siphash24(g_pool, lib::ReadonlyBytes(tagged, n + 1));
    g_pool = net::tcp::SipKey { k0, k1 };
    g_mixed_bytes += n;
    g_mixed_source = source;
}

void random_bytes(lib::Bytes out)
{
    for (usize i = 0; i < out.size(); i += 8) {
        u8 counter[8];
        for (int b = 0; b < 8; ++b)
            counter[b] = u8(g_counter >> (8 * b));
        ++g_counter;
        u64 v = random_u64().value ^ net::tcp::siphash24(g_pool, lib::ReadonlyBytes(counter, 8));
        for (usize b = 0; b < 8 && i + b < out.size(); ++b)
            out[i + b] = u8(v >> (8 * b));
    }
}

void describe_sources(lib::FormatSink& sink)
{
    bool any = false;
    if (has_rdseed()) {
        sink.write("RDSEED ");
        any = true;
    }
    if (has_rdrand()) {
        sink.write("RDRAND ");
        any = true;
    }
    if (g_mixed_bytes) {
        lib::format(sink, "{} ({} bytes mixed in) ", g_mixed_source, g_mixed_bytes);
        any = true;
    }
    if (!any)
        sink.write("none: TSC jitter only (weak)");
}

} // namespace kernel::arch::entropy

// Kernel entropy: RDSEED, then RDRAND (Intel DRNG guide), plus a pool that device sources
// (virtio-rng) are mixed into. random_u64() serves the stack canary before anything runs;
// random_bytes() combines the CPU and the pool for TCP ISN secrets, and later ASLR and AT_RANDOM.
#pragma once

#include "lib/format.h"
#include "lib/span.h"
#include "lib/string_view.h"

namespace kernel::arch::entropy {

enum class Source : u8 { Rdseed, Rdrand, TscJitter };
lib::StringView source_name(Source);

struct Sample {
    u64 value;
    Source source;
};

// A 64-bit value from the best source this CPU has. TscJitter (no hardware RNG) is weak and the
// boot log says so. Safe to call before anything is initialized (no stack protector needed).
Sample random_u64();
bool has_rdrand();
bool has_rdseed();

// Mixes bytes from another source (virtio-rng) into the pool; `source` names it in the log.
void mix_in(lib::ReadonlyBytes bytes, lib::StringView source);
// Bytes from the CPU source XORed with the pool's keyed-hash output (SipHash-2-4 keyed by the
// pool): at least as unpredictable as the stronger of the two.
void random_bytes(lib::Bytes out);
// "RDSEED RDRAND virtio-rng", or what is present: the boot log line.
void describe_sources(lib::FormatSink&);

} // namespace kernel::arch::entropy

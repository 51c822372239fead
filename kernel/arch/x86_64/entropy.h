// Boot entropy from the CPU: RDSEED, then RDRAND (Intel DRNG guide). virtio-rng joins later.
// Used for the stack canary now, and TCP ISNs, ASLR and AT_RANDOM later.
#pragma once

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

} // namespace kernel::arch::entropy

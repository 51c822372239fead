// virtio-rng (virtio 1.2 §5.4): one request queue; the device fills the buffers we post. Its bytes
// are mixed into the kernel's entropy pool, never used alone.
#pragma once

#include "kernel/drivers/virtio/transport.h"

namespace kernel::drivers::virtio {

// Negotiates, asks for `bytes` (<= 256) once, waits up to `timeout_ms` for the answer and mixes
// what came back into arch::entropy. Returns the number of bytes mixed in (0 on failure, logged).
usize harvest_rng(Transport&, usize bytes, u64 timeout_ms);

} // namespace kernel::drivers::virtio

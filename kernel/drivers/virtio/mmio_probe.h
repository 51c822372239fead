// Identifies virtio-mmio transports named on the command line (virtio spec 1.2 §4.2.2: magic,
// version, device and vendor id). The registers belong to the device: untrusted, only reported.
#pragma once

#include "lib/string_view.h"

namespace kernel::drivers::virtio {

struct MmioIdentity {
    u32 magic;     // 0x74726976 ("virt")
    u32 version;   // 1 legacy, 2 modern
    u32 device_id; // 0 = no device behind this transport
    u32 vendor_id;
    bool valid() const { return magic == 0x74726976 && (version == 1 || version == 2); }
};

// Precondition: `mmio` maps at least the first 0x100 bytes of the transport uncached.
MmioIdentity probe_mmio(u64 mmio);

lib::StringView device_type_name(u32 device_id);

} // namespace kernel::drivers::virtio

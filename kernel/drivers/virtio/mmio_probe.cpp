// virtio-mmio identification registers (virtio 1.2 §4.2.2, table "MMIO Device Register Layout").
#include "kernel/drivers/virtio/mmio_probe.h"

namespace kernel::drivers::virtio {

MmioIdentity probe_mmio(u64 mmio)
{
    auto reg = [mmio](u32 offset) { return *reinterpret_cast<volatile u32*>(mmio + offset); };
    return MmioIdentity { reg(0x000), reg(0x004), reg(0x008), reg(0x00c) };
}

lib::StringView device_type_name(u32 id)
{
    // virtio 1.2 §5 "Device Types".
    switch (id) {
    case 0:
        return "none";
    case 1:
        return "network";
    case 2:
        return "block";
    case 3:
        return "console";
    case 4:
        return "entropy";
    case 5:
        return "balloon";
    case 9:
        return "9p";
    case 16:
        return "gpu";
    case 18:
        return "input";
    case 19:
        return "vsock";
    default:
        return "other";
    }
}

} // namespace kernel::drivers::virtio

// virtio-mmio transport, version 2 only (virtio 1.2 §4.2.2). Legacy (version 1) transports are
// identified and refused: QEMU offers version 2 with -global virtio-mmio.force-legacy=false.
#pragma once

#include "kernel/drivers/virtio/transport.h"

namespace kernel::drivers::virtio {

class MmioTransport final : public Transport {
public:
    // Precondition: `mmio` maps `size` (>= 0x100) bytes of the transport uncached; the identity
    // registers said version 2 and a nonzero device id.
    MmioTransport(u64 phys, u64 mmio, u64 size, u32 irq, u32 device_id)
        : m_phys(phys), m_mmio(mmio), m_size(size), m_irq(irq), m_device_id(device_id)
    {
    }
    lib::StringView kind() const override { return "virtio-mmio"; }
    u64 location() const override { return m_phys; }
    u32 device_id() const override { return m_device_id; }
    void reset() override;
    u8 status() override;
    void set_status(u8) override;
    u64 device_features() override;
    void set_driver_features(u64) override;
    u16 queue_max_size(u16 queue) override;
    bool enable_queue(u16 queue, u16 size, u64 desc, u64 avail, u64 used) override;
    void notify(u16 queue) override;
    u32 config_generation() override;
    bool read_config(u32 offset, lib::Bytes out) override;
    lib::StringView enable_interrupts() override;
    void acknowledge_interrupt() override;

private:
    u32 read(u32 offset) const;
    void write(u32 offset, u32 value);

    u64 m_phys;
    u64 m_mmio;
    u64 m_size;
    u32 m_irq;
    u32 m_device_id;
};

} // namespace kernel::drivers::virtio

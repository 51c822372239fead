// virtio over PCI, modern interface only (virtio 1.2 §4.1): the vendor capabilities locate the
// common, notify, ISR and device config structures in memory BARs; interrupts by MSI-X (one
// vector for config and all queues) with INTx as the fallback.
#pragma once

#include "kernel/drivers/pci/pci.h"
#include "kernel/drivers/virtio/transport.h"

namespace kernel::drivers::virtio {

// virtio PCI vendor and device ids (§4.1.2): 0x1040 + type (modern), 0x1000.. (transitional).
// Returns the virtio device type, or 0 for a device that is not virtio.
u32 pci_virtio_device_type(const pci::Device&);

class PciTransport final : public Transport {
public:
    // Walks the capability list and maps the structures. Returns null (and logs why) when the
    // device lacks a required capability or a capability points outside its BAR.
    static PciTransport* create(pci::ConfigSpace&, const pci::Device&, u32 device_type);

    lib::StringView kind() const override { return "virtio-pci"; }
    u64 location() const override
    {
        return (u64(m_address.bus) << 8) | (u64(m_address.device) << 3) | m_address.function;
    }
    u32 device_id() const override { return m_device_type; }
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
    struct Region {
        u64 virt { 0 };
        u32 length { 0 };
    };
    PciTransport(pci::ConfigSpace& config, pci::Address address, u32 type) : m_config(config), m_address(address), m_device_type(type) { }

    pci::ConfigSpace& m_config;
    pci::Address m_address;
    u32 m_device_type;
    Region m_common;
    Region m_notify;
    Region m_isr;
    Region m_device;
    u32 m_notify_multiplier { 0 };
    u16 m_msix_cap { 0 }; // 0: no MSI-X
    u16 m_msix_vector { 0xffff }; // the device-side vector number (table entry), or NO_VECTOR
    bool m_intx { true };
    u64 m_msix_table { 0 };
};

} // namespace kernel::drivers::virtio

// virtio PCI modern transport (virtio 1.2 §4.1.4 capabilities, §4.1.4.3 common configuration,
// §4.1.5 initialization), MSI-X (PCI 3.0 §6.8.2).
#include "kernel/drivers/virtio/pci.h"

#include "kernel/arch/x86_64/ioapic.h"
#include "kernel/arch/x86_64/lapic.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/lib/log.h"
#include "kernel/mm/kernel_space.h"

namespace kernel::drivers::virtio {

namespace {

constexpr u16 virtio_vendor = 0x1af4;
constexpr u8 cap_vendor = 0x09;
constexpr u8 cap_msix = 0x11;
enum CfgType : u8 { common_cfg = 1, notify_cfg = 2, isr_cfg = 3, device_cfg = 4 };

// Common configuration layout (§4.1.4.3).
namespace common {
constexpr u32 device_feature_select = 0x00;
constexpr u32 device_feature = 0x04;
constexpr u32 driver_feature_select = 0x08;
constexpr u32 driver_feature = 0x0c;
constexpr u32 msix_config = 0x10;
constexpr u32 num_queues = 0x12;
constexpr u32 device_status = 0x14;
constexpr u32 config_generation = 0x15;
constexpr u32 queue_select = 0x16;
constexpr u32 queue_size = 0x18;
constexpr u32 queue_msix_vector = 0x1a;
constexpr u32 queue_enable = 0x1c;
constexpr u32 queue_notify_off = 0x1e;
constexpr u32 queue_desc = 0x20;
constexpr u32 queue_driver = 0x28;
constexpr u32 queue_device = 0x30;
constexpr u32 length = 0x38;
} // namespace common
constexpr u16 no_vector = 0xffff;

template<typename T> T mmio_read(u64 at) { return *reinterpret_cast<volatile T*>(at); }
template<typename T> void mmio_write(u64 at, T v) { *reinterpret_cast<volatile T*>(at) = v; }

u8 config_read8(pci::ConfigSpace& c, pci::Address a, u16 offset) { return u8(c.read32(a, offset & ~3) >> (8 * (offset & 3))); }
u16 config_read16(pci::ConfigSpace& c, pci::Address a, u16 offset) { return u16(c.read32(a, offset & ~3) >> (8 * (offset & 2))); }

struct Bar {
    u64 base;
    u64 size;
};

// Base and size of memory BAR `index` (PCI 3.0 §6.2.5.1), sized with memory decode off. None for
// I/O BARs, unassigned BARs and indices out of range.
lib::Optional<Bar> read_bar(pci::ConfigSpace& c, pci::Address a, u8 index)
{
    if (index > 5)
        return lib::nullopt;
    u16 at = u16(0x10 + 4 * index);
    u32 low = c.read32(a, at);
    if (low & 1)
        return lib::nullopt;
    bool is64 = ((low >> 1) & 3) == 2;
    if (is64 && index == 5)
        return lib::nullopt;
    u32 high = is64 ? c.read32(a, at + 4) : 0;
    u32 command = c.read32(a, 0x04);
    c.write32(a, 0x04, command & ~0x2u);
    c.write32(a, at, 0xffffffffu);
    u32 size_low = c.read32(a, at);
    u32 size_high = 0xffffffffu;
    if (is64) {
        c.write32(a, at + 4, 0xffffffffu);
        size_high = c.read32(a, at + 4);
        c.write32(a, at + 4, high);
    }
    c.write32(a, at, low);
    c.write32(a, 0x04, command);
    u64 mask = (u64(size_high) << 32) | (size_low & ~0xfu);
    u64 size = ~mask + 1;
    u64 base = (u64(high) << 32) | (low & ~0xfu);
    if (base == 0 || size == 0 || size > (1ull << 40))
        return lib::nullopt;
    return Bar { base, size };
}

} // namespace

u32 pci_virtio_device_type(const pci::Device& d)
{
    if (d.vendor_id != virtio_vendor)
        return 0;
    if (d.device_id >= 0x1041 && d.device_id <= 0x107f)
        return d.device_id - 0x1040u;
    switch (d.device_id) { // transitional ids (§4.1.2.3)
    case 0x1000:
        return 1;
    case 0x1001:
        return 2;
    case 0x1005:
        return 4;
    default:
        return 0;
    }
}

PciTransport* PciTransport::create(pci::ConfigSpace& c, const pci::Device& d, u32 type)
{
    pci::Address a = d.address;
    auto* t = new PciTransport(c, a, type);
    if (!(config_read16(c, a, 0x06) & (1u << 4))) {
        log::warn("virtio-pci {:02x}:{:02x}.{}: no capability list", a.bus, a.device, a.function);
        delete t;
        return nullptr;
    }
    // Each capability is visited at most once: at most 48 fit in the 192 bytes after the header.
    u8 at = u8(config_read8(c, a, 0x34) & ~3u);
    for (int steps = 0; at >= 0x40 && steps < 48; ++steps) {
        u8 id = config_read8(c, a, at);
        u8 next = u8(config_read8(c, a, at + 1) & ~3u);
        if (id == cap_msix && t->m_msix_cap == 0) {
            t->m_msix_cap = at;
        } else if (id == cap_vendor && config_read8(c, a, at + 2) >= 16) {
            u8 cfg_type = config_read8(c, a, at + 3);
            u8 bar_index = config_read8(c, a, at + 4);
            u32 offset = c.read32(a, at + 8);
            u32 length = c.read32(a, at + 12);
            Region* region = cfg_type == common_cfg ? &t->m_common
                : cfg_type == notify_cfg           ? &t->m_notify
                : cfg_type == isr_cfg              ? &t->m_isr
                : cfg_type == device_cfg           ? &t->m_device
                                                   : nullptr;
            // The first capability of each type that lies inside its BAR wins (§4.1.4).
            if (region && region->virt == 0 && length > 0) {
                auto bar = read_bar(c, a, bar_index);
                if (!bar || u64(offset) + length > bar->size) {
                    log::warn("virtio-pci {:02x}:{:02x}.{}: capability type {} lies outside BAR {}; ignored", a.bus, a.device,
                        a.function, cfg_type, bar_index);
                } else {
                    auto virt = mm::map_io(bar->base + offset, length, mm::Access::ReadWrite, mm::Caching::Uncached);
                    if (virt.is_ok()) {
                        *region = Region { virt.value(), length };
                        if (cfg_type == notify_cfg)
                            t->m_notify_multiplier = c.read32(a, at + 16);
                    }
                }
            }
        }
        at = next;
    }
    if (!t->m_common.virt || t->m_common.length < common::length || !t->m_notify.virt || !t->m_isr.virt) {
        log::warn("virtio-pci {:02x}:{:02x}.{}: missing or short common/notify/ISR capability; not a usable modern device",
            a.bus, a.device, a.function);
        delete t;
        return nullptr;
    }
    // Memory space and bus mastering on (the device reads and writes our rings).
    u32 command = c.read32(a, 0x04);
    c.write32(a, 0x04, (command & 0xffff) | 0x6);
    return t;
}

void PciTransport::reset()
{
    mmio_write<u8>(m_common.virt + common::device_status, 0);
    // §4.1.4.3.2: reset is complete when device_status reads 0 again.
    for (int i = 0; i < 100000 && mmio_read<u8>(m_common.virt + common::device_status) != 0; ++i)
        asm volatile("pause");
}
u8 PciTransport::status() { return mmio_read<u8>(m_common.virt + common::device_status); }
void PciTransport::set_status(u8 s) { mmio_write<u8>(m_common.virt + common::device_status, s); }

u64 PciTransport::device_features()
{
    mmio_write<u32>(m_common.virt + common::device_feature_select, 0);
    u64 low = mmio_read<u32>(m_common.virt + common::device_feature);
    mmio_write<u32>(m_common.virt + common::device_feature_select, 1);
    return low | (u64(mmio_read<u32>(m_common.virt + common::device_feature)) << 32);
}

void PciTransport::set_driver_features(u64 f)
{
    mmio_write<u32>(m_common.virt + common::driver_feature_select, 0);
    mmio_write<u32>(m_common.virt + common::driver_feature, u32(f));
    mmio_write<u32>(m_common.virt + common::driver_feature_select, 1);
    mmio_write<u32>(m_common.virt + common::driver_feature, u32(f >> 32));
}

u16 PciTransport::queue_max_size(u16 queue)
{
    if (queue >= mmio_read<u16>(m_common.virt + common::num_queues))
        return 0;
    mmio_write<u16>(m_common.virt + common::queue_select, queue);
    return mmio_read<u16>(m_common.virt + common::queue_size);
}

bool PciTransport::enable_queue(u16 queue, u16 size, u64 desc, u64 avail, u64 used)
{
    u64 c = m_common.virt;
    mmio_write<u16>(c + common::queue_select, queue);
    mmio_write<u16>(c + common::queue_size, size);
    mmio_write<u64>(c + common::queue_desc, desc);
    mmio_write<u64>(c + common::queue_driver, avail);
    mmio_write<u64>(c + common::queue_device, used);
    if (m_msix_vector != no_vector) {
        mmio_write<u16>(c + common::queue_msix_vector, m_msix_vector);
        if (mmio_read<u16>(c + common::queue_msix_vector) != m_msix_vector)
            return false;
    }
    mmio_write<u16>(c + common::queue_enable, 1);
    return true;
}

void PciTransport::notify(u16 queue)
{
    mmio_write<u16>(m_common.virt + common::queue_select, queue);
    u64 off = u64(mmio_read<u16>(m_common.virt + common::queue_notify_off)) * m_notify_multiplier;
    // The device chose the offset: it must stay inside the notify structure it declared.
    if (off + 2 > m_notify.length)
        return;
    mmio_write<u16>(m_notify.virt + off, queue);
}

u32 PciTransport::config_generation() { return mmio_read<u8>(m_common.virt + common::config_generation); }

bool PciTransport::read_config(u32 offset, lib::Bytes out)
{
    if (!m_device.virt || u64(offset) + out.size() > m_device.length)
        return false;
    for (usize i = 0; i < out.size(); ++i)
        out[i] = mmio_read<u8>(m_device.virt + offset + i);
    return true;
}

lib::StringView PciTransport::enable_interrupts()
{
    // MSI-X: entry 0 of the table, one vector for config changes and every queue. Must be set up
    // before the queues (enable_queue programs queue_msix_vector).
    if (m_msix_cap) {
        u32 table = m_config.read32(m_address, m_msix_cap + 4);
        auto bar = read_bar(m_config, m_address, u8(table & 7));
        u8 vector = allocate_msi_vector();
        if (bar && (table & ~7u) + 16 <= bar->size && vector) {
            auto virt = mm::map_io(bar->base + (table & ~7u), 16, mm::Access::ReadWrite, mm::Caching::Uncached);
            if (virt.is_ok()) {
                m_msix_table = virt.value();
                install_interrupt_handler(vector, *this);
                mmio_write<u32>(m_msix_table + 0, 0xfee00000u | (arch::lapic::id() << 12));
                mmio_write<u32>(m_msix_table + 4, 0);
                mmio_write<u32>(m_msix_table + 8, vector);
                mmio_write<u32>(m_msix_table + 12, 0); // unmasked
                u32 control = m_config.read32(m_address, m_msix_cap);
                m_config.write32(m_address, m_msix_cap, (control | (1u << 31)) & ~(1u << 30));
                mmio_write<u16>(m_common.virt + common::msix_config, 0);
                if (mmio_read<u16>(m_common.virt + common::msix_config) == 0) {
                    m_msix_vector = 0;
                    m_intx = false;
                    // INTx off while MSI-X delivers.
                    u32 command = m_config.read32(m_address, 0x04);
                    m_config.write32(m_address, 0x04, (command & 0xffff) | (1u << 10));
                    return "MSI-X";
                }
                m_config.write32(m_address, m_msix_cap, control & ~(1u << 31));
            }
        }
    }
    // INTx: the line firmware assigned, taken as an I/O APIC GSI (level, active low). If the
    // routing is wrong the device is still served on every timer tick.
    u8 line = u8(m_config.read32(m_address, 0x3c));
    if (line == 0 || line >= 64)
        return "none (no INTx line; polled on the timer tick)";
    u8 vector = u8(arch::vector::ioapic_base + line);
    install_interrupt_handler(vector, *this);
    if (!arch::ioapic::route(line, vector, arch::ioapic::Trigger::Level, arch::ioapic::Polarity::Low))
        return "none (INTx line not on the I/O APIC; polled on the timer tick)";
    return "INTx";
}

void PciTransport::acknowledge_interrupt()
{
    if (m_intx)
        (void)mmio_read<u8>(m_isr.virt); // reading ISR clears it and deasserts INTx
}

} // namespace kernel::drivers::virtio

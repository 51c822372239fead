// virtio-mmio version 2 registers (virtio 1.2 §4.2.2, "MMIO Device Register Layout").
#include "kernel/drivers/virtio/mmio.h"

#include "kernel/arch/x86_64/ioapic.h"
#include "kernel/arch/x86_64/traps.h"

namespace kernel::drivers::virtio {

namespace reg {
constexpr u32 device_features = 0x010;
constexpr u32 device_features_sel = 0x014;
constexpr u32 driver_features = 0x020;
constexpr u32 driver_features_sel = 0x024;
constexpr u32 queue_sel = 0x030;
constexpr u32 queue_num_max = 0x034;
constexpr u32 queue_num = 0x038;
constexpr u32 queue_ready = 0x044;
constexpr u32 queue_notify = 0x050;
constexpr u32 interrupt_status = 0x060;
constexpr u32 interrupt_ack = 0x064;
constexpr u32 status = 0x070;
constexpr u32 queue_desc_low = 0x080;
constexpr u32 queue_desc_high = 0x084;
constexpr u32 queue_driver_low = 0x090;
constexpr u32 queue_driver_high = 0x094;
constexpr u32 queue_device_low = 0x0a0;
constexpr u32 queue_device_high = 0x0a4;
constexpr u32 config_generation = 0x0fc;
constexpr u32 config = 0x100;
} // namespace reg

u32 MmioTransport::read(u32 offset) const { return *reinterpret_cast<volatile u32*>(m_mmio + offset); }
void MmioTransport::write(u32 offset, u32 value) { *reinterpret_cast<volatile u32*>(m_mmio + offset) = value; }

void MmioTransport::reset()
{
    write(reg::status, 0);
    for (int i = 0; i < 1000 && read(reg::status) != 0; ++i) { }
}
u8 MmioTransport::status() { return u8(read(reg::status)); }
void MmioTransport::set_status(u8 s) { write(reg::status, s); }

u64 MmioTransport::device_features()
{
    write(reg::device_features_sel, 0);
    u64 low = read(reg::device_features);
    write(reg::device_features_sel, 1);
    return low | (u64(read(reg::device_features)) << 32);
}

void MmioTransport::set_driver_features(u64 f)
{
    write(reg::driver_features_sel, 0);
    write(reg::driver_features, u32(f));
    write(reg::driver_features_sel, 1);
    write(reg::driver_features, u32(f >> 32));
}

u16 MmioTransport::queue_max_size(u16 queue)
{
    write(reg::queue_sel, queue);
    if (read(reg::queue_ready) != 0)
        return 0; // already in use: not ours to take
    u32 max = read(reg::queue_num_max);
    return max > 0xffff ? 0xffff : u16(max);
}

bool MmioTransport::enable_queue(u16 queue, u16 size, u64 desc, u64 avail, u64 used)
{
    write(reg::queue_sel, queue);
    write(reg::queue_num, size);
    write(reg::queue_desc_low, u32(desc));
    write(reg::queue_desc_high, u32(desc >> 32));
    write(reg::queue_driver_low, u32(avail));
    write(reg::queue_driver_high, u32(avail >> 32));
    write(reg::queue_device_low, u32(used));
    write(reg::queue_device_high, u32(used >> 32));
    write(reg::queue_ready, 1);
    return read(reg::queue_ready) == 1;
}

void MmioTransport::notify(u16 queue) { write(reg::queue_notify, queue); }
u32 MmioTransport::config_generation() { return read(reg::config_generation); }

bool MmioTransport::read_config(u32 offset, lib::Bytes out)
{
    u64 end = u64(reg::config) + offset + out.size();
    if (end > m_size)
        return false;
    for (usize i = 0; i < out.size(); ++i)
        out[i] = *reinterpret_cast<volatile u8*>(m_mmio + reg::config + offset + i);
    return true;
}

lib::StringView MmioTransport::enable_interrupts()
{
    if (m_irq >= 64)
        return "none (irq out of range; polled on the timer tick)";
    u8 vector = u8(arch::vector::ioapic_base + m_irq);
    install_interrupt_handler(vector, *this);
    if (!arch::ioapic::route(m_irq, vector, arch::ioapic::Trigger::Edge, arch::ioapic::Polarity::High))
        return "none (GSI not on the I/O APIC; polled on the timer tick)";
    return "I/O APIC GSI, edge";
}

void MmioTransport::acknowledge_interrupt()
{
    u32 pending = read(reg::interrupt_status);
    if (pending)
        write(reg::interrupt_ack, pending & 3);
}

} // namespace kernel::drivers::virtio

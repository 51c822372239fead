// I/O APIC driver: indirect register access through IOREGSEL (0x00) / IOWIN (0x10).
#include "kernel/arch/x86_64/ioapic.h"

namespace kernel::arch::ioapic {

namespace {

volatile u32* g_regs = nullptr;
u32 g_gsi_base = 0;
u32 g_entries = 0;

u32 read(u32 index)
{
    g_regs[0] = index;
    return g_regs[4];
}
void write(u32 index, u32 value)
{
    g_regs[0] = index;
    g_regs[4] = value;
}

} // namespace

void init(u64 mmio, u32 gsi_base)
{
    g_regs = reinterpret_cast<volatile u32*>(mmio);
    g_gsi_base = gsi_base;
    g_entries = ((read(0x01) >> 16) & 0xff) + 1;
    for (u32 i = 0; i < g_entries; ++i) {
        write(0x10 + 2 * i, 1u << 16); // masked
        write(0x11 + 2 * i, 0);
    }
}

u32 id() { return (read(0x00) >> 24) & 0x0f; }
u32 version() { return read(0x01) & 0xff; }
u32 redirection_entries() { return g_entries; }

bool route(u32 gsi, u8 vector, Trigger trigger, Polarity polarity)
{
    if (!g_regs || gsi < g_gsi_base || gsi - g_gsi_base >= g_entries)
        return false;
    u32 index = gsi - g_gsi_base;
    u32 low = vector;
    if (polarity == Polarity::Low)
        low |= 1u << 13;
    if (trigger == Trigger::Level)
        low |= 1u << 15;
    write(0x11 + 2 * index, 0); // destination: APIC ID 0
    write(0x10 + 2 * index, low);
    return true;
}

} // namespace kernel::arch::ioapic

// PCI enumeration over either configuration mechanism.
#include "kernel/drivers/pci/pci.h"

#include "kernel/arch/x86_64/cpu.h"

namespace kernel::drivers::pci {

u32 LegacyConfigSpace::read32(Address a, u16 offset)
{
    u32 address = (1u << 31) | (u32(a.bus) << 16) | (u32(a.device & 31) << 11) | (u32(a.function & 7) << 8)
        | (offset & 0xfc);
    arch::outl(0xCF8, address);
    return arch::inl(0xCFC);
}

void LegacyConfigSpace::write32(Address a, u16 offset, u32 value)
{
    u32 address = (1u << 31) | (u32(a.bus) << 16) | (u32(a.device & 31) << 11) | (u32(a.function & 7) << 8)
        | (offset & 0xfc);
    arch::outl(0xCF8, address);
    arch::outl(0xCFC, value);
}

void EcamConfigSpace::write32(Address a, u16 offset, u32 value)
{
    if (a.bus < m_start_bus || a.bus > m_end_bus)
        return;
    u64 at = m_mmio + (u64(a.bus - m_start_bus) << 20) + (u64(a.device & 31) << 15) + (u64(a.function & 7) << 12)
        + (offset & 0xffc);
    *reinterpret_cast<volatile u32*>(at) = value;
}

u32 EcamConfigSpace::read32(Address a, u16 offset)
{
    if (a.bus < m_start_bus || a.bus > m_end_bus)
        return 0xffffffffu;
    u64 at = m_mmio + (u64(a.bus - m_start_bus) << 20) + (u64(a.device & 31) << 15) + (u64(a.function & 7) << 12)
        + (offset & 0xffc);
    return *reinterpret_cast<volatile u32*>(at);
}

namespace {

struct Walk {
    ConfigSpace& config;
    lib::Span<Device> out;
    usize found { 0 };
    u64 visited[4] {}; // one bit per bus

    bool mark(u8 bus)
    {
        u64 bit = 1ull << (bus % 64);
        if (visited[bus / 64] & bit)
            return false;
        visited[bus / 64] |= bit;
        return true;
    }
};

void scan_bus(Walk& walk, u8 bus, unsigned depth);

void scan_function(Walk& walk, Address a, unsigned depth)
{
    u32 id = walk.config.read32(a, 0x00);
    u32 class_reg = walk.config.read32(a, 0x08);
    u32 header = walk.config.read32(a, 0x0C);
    Device d { a, u16(id), u16(id >> 16), u8(class_reg >> 24), u8(class_reg >> 16), u8(class_reg >> 8),
        u8(header >> 16) };
    if (walk.found < walk.out.size())
        walk.out[walk.found] = d;
    ++walk.found;
    // A PCI-to-PCI bridge (header type 1): continue on its secondary bus.
    if ((d.header_type & 0x7f) == 1 && depth < 16) {
        u8 secondary = u8(walk.config.read32(a, 0x18) >> 8);
        scan_bus(walk, secondary, depth + 1);
    }
}

void scan_bus(Walk& walk, u8 bus, unsigned depth)
{
    if (!walk.mark(bus))
        return;
    for (u8 device = 0; device < 32; ++device) {
        Address a { bus, device, 0 };
        if (u16(walk.config.read32(a, 0x00)) == 0xffff)
            continue;
        bool multi = (walk.config.read32(a, 0x0C) >> 16) & 0x80;
        for (u8 function = 0; function < (multi ? 8 : 1); ++function) {
            Address f { bus, device, function };
            if (u16(walk.config.read32(f, 0x00)) == 0xffff)
                continue;
            scan_function(walk, f, depth);
        }
    }
}

} // namespace

usize enumerate(ConfigSpace& config, lib::Span<Device> out)
{
    Walk walk { config, out };
    scan_bus(walk, 0, 0);
    return walk.found;
}

lib::StringView class_name(u8 class_code, u8 subclass)
{
    switch (class_code) {
    case 0x01:
        return "storage";
    case 0x02:
        return subclass == 0x00 ? "ethernet" : "network";
    case 0x03:
        return "display";
    case 0x06:
        switch (subclass) {
        case 0x00:
            return "host bridge";
        case 0x01:
            return "ISA bridge";
        case 0x04:
            return "PCI bridge";
        default:
            return "bridge";
        }
    case 0x07:
        return "communication";
    case 0x08:
        return "system peripheral";
    case 0x0C:
        return subclass == 0x05 ? "SMBus" : "serial bus";
    case 0xFF:
        return "unassigned class";
    default:
        return "other";
    }
}

} // namespace kernel::drivers::pci

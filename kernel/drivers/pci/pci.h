// PCI enumeration (PCI Local Bus spec 3.0 ch. 6; PCI Express base spec 7.2 for ECAM): walks the
// hierarchy from bus 0 through bridges and records what it finds. Config space is read through
// the legacy 0xCF8/0xCFC ports, or memory-mapped ECAM when ACPI's MCFG provides it.
#pragma once

#include "lib/span.h"
#include "lib/string_view.h"

namespace kernel::drivers::pci {

struct Address {
    u8 bus;
    u8 device;   // 0..31
    u8 function; // 0..7
};

class ConfigSpace {
public:
    // Precondition: offset is 4-byte aligned and < 256 (legacy) or < 4096 (ECAM).
    virtual u32 read32(Address, u16 offset) = 0;
    // Same precondition. Used by drivers for the command register, BAR sizing and MSI-X.
    virtual void write32(Address, u16 offset, u32 value) = 0;
    virtual lib::StringView name() const = 0;

protected:
    ~ConfigSpace() = default;
};

class LegacyConfigSpace final : public ConfigSpace {
public:
    u32 read32(Address, u16 offset) override;
    void write32(Address, u16 offset, u32 value) override;
    lib::StringView name() const override { return "legacy port I/O"; }
};

class EcamConfigSpace final : public ConfigSpace {
public:
    // `mmio` maps the ECAM window for buses [start_bus, end_bus] uncached.
    EcamConfigSpace(u64 mmio, u8 start_bus, u8 end_bus) : m_mmio(mmio), m_start_bus(start_bus), m_end_bus(end_bus) { }
    u32 read32(Address, u16 offset) override;
    void write32(Address, u16 offset, u32 value) override;
    lib::StringView name() const override { return "ECAM (MCFG)"; }

private:
    u64 m_mmio;
    u8 m_start_bus;
    u8 m_end_bus;
};

struct Device {
    Address address;
    u16 vendor_id;
    u16 device_id;
    u8 class_code;
    u8 subclass;
    u8 prog_if;
    u8 header_type;
};

// Depth-first enumeration from bus 0. Each bus is scanned at most once, so a bridge loop in a
// hostile config space cannot make it run forever. Returns the number of devices found (it may
// exceed out.size(); only out.size() are stored).
usize enumerate(ConfigSpace&, lib::Span<Device> out);

lib::StringView class_name(u8 class_code, u8 subclass);

} // namespace kernel::drivers::pci

// Platform bring-up: ACPI (just enough), APICs, clock, timer, PCI and virtio-mmio discovery.
#include "kernel/boot/devices.h"

#include "kernel/arch/x86_64/clock.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/ioapic.h"
#include "kernel/arch/x86_64/lapic.h"
#include "kernel/arch/x86_64/pic.h"
#include "kernel/drivers/pci/pci.h"
#include "kernel/drivers/power.h"
#include "kernel/drivers/virtio/mmio.h"
#include "kernel/drivers/virtio/mmio_probe.h"
#include "kernel/drivers/virtio/pci.h"
#include "kernel/drivers/virtio/rng.h"
#include "kernel/lib/log.h"
#include "kernel/lib/panic.h"
#include "kernel/mm/kernel_space.h"

namespace kernel::boot {

namespace acpi = drivers::acpi;

namespace {

// ACPI tables sit in firmware-owned memory the physmap does not cover: map what the parser asks
// for, read-only, and remember the mappings so that repeated reads of one area reuse them.
class MappedPhysicalMemory final : public acpi::PhysicalMemory {
public:
    lib::Optional<lib::ReadonlyBytes> read(u64 phys, u64 length) override
    {
        u64 end = 0;
        if (length == 0 || __builtin_add_overflow(phys, length, &end) || end > mm::physical_address_limit)
            return lib::nullopt;
        for (usize i = 0; i < m_count; ++i) {
            const Mapping& m = m_mappings[i];
            if (phys >= m.phys && end <= m.phys + m.length)
                return lib::ReadonlyBytes(reinterpret_cast<const u8*>(m.virt + (phys - m.phys)), length);
        }
        u64 first = lib::align_down(phys, mm::page_size);
        u64 last = 0;
        if (!lib::align_up(end, mm::page_size, last))
            return lib::nullopt;
        auto virt = mm::map_io(first, last - first, mm::Access::Read, mm::Caching::WriteBack);
        if (virt.is_error())
            return lib::nullopt;
        m_mappings[m_next] = Mapping { first, last - first, virt.value() };
        m_next = (m_next + 1) % capacity;
        if (m_count < capacity)
            ++m_count;
        return lib::ReadonlyBytes(reinterpret_cast<const u8*>(virt.value() + (phys - first)), length);
    }

private:
    struct Mapping {
        u64 phys;
        u64 length;
        u64 virt;
    };
    static constexpr usize capacity = 16;
    Mapping m_mappings[capacity] {};
    usize m_count { 0 };
    usize m_next { 0 };
};

MappedPhysicalMemory g_firmware_memory;
drivers::pci::LegacyConfigSpace g_legacy_config;
alignas(drivers::pci::EcamConfigSpace) u8 g_ecam_storage[sizeof(drivers::pci::EcamConfigSpace)];
drivers::virtio::NetDevice* g_network_device = nullptr;

// Starts the driver for a virtio device behind either transport.
void attach_virtio(drivers::virtio::Transport& transport)
{
    namespace virtio = drivers::virtio;
    switch (transport.device_id()) {
    case 1:
        if (g_network_device) {
            log::info("virtio-net: {} {:#x}: only the first network device is used", transport.kind(), transport.location());
            return;
        }
        g_network_device = virtio::NetDevice::create(transport);
        return;
    case 4:
        (void)virtio::harvest_rng(transport, 64, 500);
        return;
    default:
        log::debug("virtio: {} {:#x}: no driver for device type {}", transport.kind(), transport.location(), transport.device_id());
        return;
    }
}
alignas(acpi::Tables) u8 g_tables_storage[sizeof(acpi::Tables)];
const acpi::Tables* g_tables = nullptr;

u64 map_registers(u64 phys, u64 size, lib::StringView what)
{
    auto virt = mm::map_io(phys, size, mm::Access::ReadWrite, mm::Caching::Uncached);
    if (virt.is_error())
        panic("{}: cannot map registers at {:#x}: error {}", what, phys, virt.error());
    return virt.value();
}

void log_acpi(const acpi::Tables& t)
{
    char names[acpi::Tables::max_tables * 5];
    lib::BufferSink sink(names, sizeof names);
    for (const acpi::TableInfo& info : t.tables()) {
        sink.write(info.name());
        sink.write(" ");
    }
    log::info("acpi: RSDP at {:#x} (revision {}), {}: {}", t.rsdp().address, t.rsdp().revision,
        t.uses_xsdt() ? "XSDT" : "RSDT", sink.view());
    const acpi::SkippedTables& s = t.skipped();
    if (s.unreadable + s.bad_length + s.bad_checksum + s.unparsable + s.over_capacity > 0)
        log::warn("acpi: skipped tables: {} unreadable, {} bad length, {} bad checksum, {} unparsable, {} over capacity",
            s.unreadable, s.bad_length, s.bad_checksum, s.unparsable, s.over_capacity);
    if (t.madt() && t.madt()->malformed())
        log::warn("acpi: MADT has a malformed entry; entries after it were ignored");
}

} // namespace

Devices init_platform(u64 rsdp_hint)
{
    Devices devices;
    auto tables = acpi::Tables::discover(g_firmware_memory, rsdp_hint);
    if (tables.is_ok()) {
        g_tables = new (g_tables_storage) acpi::Tables(tables.release_value());
        devices.acpi = true;
        log_acpi(*g_tables);
    } else {
        log::warn("acpi: {}; continuing with PC defaults", acpi::acpi_error_name(tables.error()));
    }
    const acpi::Madt* madt = g_tables && g_tables->madt() ? &g_tables->madt().value() : nullptr;

    // The 8259s are remapped away from the exception vectors and masked; only the APICs deliver.
    arch::pic::remap_and_mask();

    u64 lapic_phys = madt ? madt->local_apic_address() : (arch::rdmsr(arch::msr::apic_base) & ~0xfffull);
    arch::lapic::init(map_registers(lapic_phys, 0x1000, "lapic"));
    log::info("apic: local APIC id {} version {:#x} at {:#x}{}", arch::lapic::id(), arch::lapic::version(), lapic_phys,
        madt ? "" : " (from MSR: no MADT)");

    u64 ioapic_phys = 0xfec00000;
    u32 gsi_base = 0;
    if (madt && !madt->io_apics().is_empty()) {
        ioapic_phys = madt->io_apics()[0].address;
        gsi_base = madt->io_apics()[0].gsi_base;
        if (madt->io_apics().size() > 1)
            log::info("apic: {} I/O APICs; only the first is used (the others stay masked)", madt->io_apics().size());
    }
    arch::ioapic::init(map_registers(ioapic_phys, 0x1000, "ioapic"), gsi_base);
    log::info("apic: I/O APIC id {} version {:#x} at {:#x}: {} pins from GSI {}, all masked", arch::ioapic::id(),
        arch::ioapic::version(), ioapic_phys, arch::ioapic::redirection_entries(), gsi_base);

    auto calibration = arch::clock::calibrate();
    if (calibration.source == arch::clock::TscSource::None) {
        log::warn("clock: could not determine the TSC frequency; no timer, clock reads 0");
    } else {
        log::info("clock: TSC {}.{:03} MHz from {}{}", calibration.tsc_hz / 1000000, (calibration.tsc_hz / 1000) % 1000,
            arch::clock::tsc_source_name(calibration.source), calibration.invariant_tsc ? ", invariant" : "");
        auto timer = arch::lapic::start_periodic_timer(100, calibration.tsc_hz);
        if (timer.mode == arch::lapic::TimerMode::TscDeadline)
            log::info("clock: LAPIC timer in TSC-deadline mode, {} Hz tick", arch::lapic::tick_hz());
        else
            log::info("clock: LAPIC timer periodic at {} Hz (calibrated input {} kHz)", arch::lapic::tick_hz(),
                timer.periodic_input_hz / 1000);
    }
    arch::sti();

    if (g_tables) {
        drivers::power::set_acpi_method(g_tables->power_off());
        if (g_tables->mcfg() && !g_tables->mcfg()->regions().is_empty())
            devices.ecam = g_tables->mcfg()->regions()[0];
    }
    return devices;
}

void probe_devices(const CommandLine& cmdline, const Devices& devices)
{
    namespace pci = drivers::pci;
    pci::LegacyConfigSpace& legacy = g_legacy_config;
    pci::EcamConfigSpace* ecam = nullptr;
    u8* ecam_storage = g_ecam_storage;
    if (devices.ecam && devices.ecam->segment == 0) {
        const acpi::EcamRegion& r = *devices.ecam;
        u64 size = (u64(r.end_bus) - r.start_bus + 1) << 20;
        u64 virt = map_registers(r.base + (u64(r.start_bus) << 20), size, "pci ecam");
        ecam = new (ecam_storage) pci::EcamConfigSpace(virt, r.start_bus, r.end_bus);
        log::info("pci: ECAM at {:#x}, buses {}-{}", r.base, r.start_bus, r.end_bus);
    }
    pci::ConfigSpace& config = ecam ? static_cast<pci::ConfigSpace&>(*ecam) : legacy;
    pci::Device found[64];
    usize count = pci::enumerate(config, lib::Span<pci::Device>(found, 64));
    for (usize i = 0; i < count && i < 64; ++i) {
        const pci::Device& d = found[i];
        log::info("pci: {:02x}:{:02x}.{} {:04x}:{:04x} class {:02x}.{:02x} {}", d.address.bus, d.address.device,
            d.address.function, d.vendor_id, d.device_id, d.class_code, d.subclass,
            pci::class_name(d.class_code, d.subclass));
    }
    log::info("pci: {} devices via {}{}", count, config.name(), count > 64 ? " (only the first 64 listed)" : "");
    for (usize i = 0; i < count && i < 64; ++i) {
        u32 type = drivers::virtio::pci_virtio_device_type(found[i]);
        if (type == 0)
            continue;
        if (auto* transport = drivers::virtio::PciTransport::create(config, found[i], type))
            attach_virtio(*transport);
    }

    usize with_device = 0;
    for (const VirtioMmioDevice& dev : cmdline.virtio_devices()) {
        u64 size = dev.size < 0x200 ? 0x200 : dev.size;
        u64 virt = map_registers(dev.base, size, "virtio-mmio");
        auto id = drivers::virtio::probe_mmio(virt);
        if (!id.valid()) {
            log::warn("virtio-mmio: {:#x}: not a virtio transport (magic {:#x}, version {})", dev.base, id.magic, id.version);
            continue;
        }
        if (id.device_id == 0) {
            log::debug("virtio-mmio: {:#x} irq {}: empty transport", dev.base, dev.irq);
            continue;
        }
        ++with_device;
        log::info("virtio-mmio: {:#x} irq {}: {} device (id {}), version {}, vendor {:#x}", dev.base, dev.irq,
            drivers::virtio::device_type_name(id.device_id), id.device_id, id.version, id.vendor_id);
        if (id.version != 2) {
            log::warn("virtio-mmio: {:#x}: legacy (version 1) transport not supported; "
                      "QEMU offers version 2 with -global virtio-mmio.force-legacy=false", dev.base);
            continue;
        }
        attach_virtio(*new drivers::virtio::MmioTransport(dev.base, virt, size, dev.irq, id.device_id));
    }
    log::info("virtio-mmio: {} transports on the command line, {} with a device", cmdline.virtio_devices().size(),
        with_device);
}

drivers::virtio::NetDevice* network_device() { return g_network_device; }

} // namespace kernel::boot

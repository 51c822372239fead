// Platform bring-up after memory: ACPI tables, the interrupt controllers, the clock and timer,
// then device discovery (PCI, virtio-mmio). Each step logs what it found.
#pragma once

#include "kernel/boot/cmdline.h"
#include "kernel/drivers/acpi/tables.h"
#include "kernel/drivers/virtio/net.h"

namespace kernel::boot {

struct Devices {
    bool acpi { false };
    lib::Optional<drivers::acpi::EcamRegion> ecam;
};

// ACPI, PIC (masked), LAPIC, IOAPIC, TSC calibration, LAPIC timer; enables interrupts.
Devices init_platform(u64 rsdp_hint);
// PCI enumeration and the virtio-mmio transports named on the command line.
// virtio devices (PCI modern or MMIO version 2) get their drivers: the first network device is
// kept for the network service, entropy devices are harvested into the entropy pool.
void probe_devices(const CommandLine&, const Devices&);
// The first virtio-net device that initialized, or null.
drivers::virtio::NetDevice* network_device();

} // namespace kernel::boot

// Platform bring-up after memory: ACPI tables, the interrupt controllers, the clock and timer,
// then device discovery (PCI, virtio-mmio). Each step logs what it found.
#pragma once

#include "kernel/boot/cmdline.h"
#include "kernel/drivers/acpi/tables.h"

namespace kernel::boot {

struct Devices {
    bool acpi { false };
    lib::Optional<drivers::acpi::EcamRegion> ecam;
};

// ACPI, PIC (masked), LAPIC, IOAPIC, TSC calibration, LAPIC timer; enables interrupts.
Devices init_platform(u64 rsdp_hint);
// PCI enumeration and the virtio-mmio transports named on the command line.
void probe_devices(const CommandLine&, const Devices&);

} // namespace kernel::boot

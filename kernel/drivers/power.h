// Leaving the machine: QEMU's isa-debug-exit device (tests), ACPI soft-off, or halting.
#pragma once

#include "kernel/boot/cmdline.h"
#include "kernel/drivers/acpi/tables.h"

namespace kernel::drivers::power {

// Values written to isa-debug-exit (iobase 0xf4); QEMU exits with (value << 1) | 1.
// So the host sees 33 for success, 35 for failure, 37 for panic.
enum class ExitStatus : u8 { Success = 0x10, Failure = 0x11, Panic = 0x12 };

// Writes the status to the debug-exit port. Returns if no such device is present.
void exit_qemu(ExitStatus);

// Remembers how ACPI says to power off (from the FADT and \_S5).
void set_acpi_method(const acpi::PowerOffMethod&);

// Ends the machine: debug-exit (when selected), then ACPI soft-off, then halt.
[[noreturn]] void shutdown(ExitStatus, boot::PowerOff how);

} // namespace kernel::drivers::power

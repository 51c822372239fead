// Ending the machine. ACPI S5: PM1a_CNT (ACPI 6.4 §4.8.3.2.1) or, on hardware-reduced platforms
// such as QEMU's microvm, the sleep control register (§4.8.3.7).
#include "kernel/drivers/power.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/lib/log.h"
#include "kernel/mm/kernel_space.h"

namespace kernel::drivers::power {

namespace {

acpi::PowerOffMethod g_method {};

bool write_register(const acpi::GenericAddress& reg, u16 value)
{
    if (reg.space == acpi::AddressSpace::SystemIo) {
        if (reg.address > 0xffff)
            return false;
        auto port = u16(reg.address);
        // The access size decides the width; registers declared as 8 bits wide get a byte.
        if (reg.access_size == 1 || (reg.access_size == 0 && reg.bit_width == 8))
            arch::outb(port, u8(value));
        else
            arch::outw(port, value);
        return true;
    }
    if (reg.space == acpi::AddressSpace::SystemMemory) {
        auto virt = mm::map_io(reg.address, 2, mm::Access::ReadWrite, mm::Caching::Uncached);
        if (virt.is_error())
            return false;
        if (reg.access_size == 1 || (reg.access_size == 0 && reg.bit_width == 8))
            *reinterpret_cast<volatile u8*>(virt.value()) = u8(value);
        else
            *reinterpret_cast<volatile u16*>(virt.value()) = value;
        return true;
    }
    return false;
}

void acpi_power_off()
{
    if (g_method.kind == acpi::PowerOffMethod::Kind::None) {
        log::warn("power: ACPI offers no way to power off (no FADT or no \\_S5)");
        return;
    }
    log::info("power: powering off via ACPI ({}, SLP_TYP {})",
        g_method.kind == acpi::PowerOffMethod::Kind::Pm1aControl ? "PM1a_CNT" : "sleep control register",
        g_method.sleep_type);
    if (!write_register(g_method.reg, g_method.value()))
        log::warn("power: the ACPI power-off register is not in I/O or memory space we can reach");
    // Give the VMM a moment to act on the write before we report failure.
    for (int i = 0; i < 1000000; ++i)
        arch::pause();
    log::warn("power: the machine is still running after the ACPI power-off request");
}

} // namespace

void exit_qemu(ExitStatus status) { arch::outl(0xf4, u32(status)); }

void set_acpi_method(const acpi::PowerOffMethod& method) { g_method = method; }

[[noreturn]] void shutdown(ExitStatus status, boot::PowerOff how)
{
    if (how == boot::PowerOff::DebugExit) {
        log::info("power: exiting through isa-debug-exit with status {:#x}", u8(status));
        exit_qemu(status);
        log::warn("power: no isa-debug-exit device; trying ACPI");
    }
    if (how != boot::PowerOff::Halt)
        acpi_power_off();
    log::info("power: halting");
    arch::halt_forever();
}

} // namespace kernel::drivers::power

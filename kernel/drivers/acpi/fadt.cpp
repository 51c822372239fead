// The Fixed ACPI Description Table (ACPI 6.4 5.2.9) and its Generic Address Structures (5.2.3.2):
// Fadt, and the S5 power-off method built from it (4.8.3.2.1, 4.8.3.7). See tables.h.
#include "kernel/drivers/acpi/tables.h"

#include "kernel/drivers/acpi/parse_util.h"
#include "lib/byte_order.h"

namespace kernel::drivers::acpi {

namespace {

using detail::has_field;
using detail::load_u8;
using detail::max_sleep_type;
using lib::Field;
using lib::Optional;
using lib::ReadonlyBytes;

// 5.2.9 Table 5.9.
namespace fadt {
constexpr Field dsdt { 40, 4 };
constexpr Field sci_int { 46, 2 };
constexpr Field smi_cmd { 48, 4 };
constexpr Field acpi_enable { 52, 1 };
constexpr Field pm1a_cnt_blk { 64, 4 };
constexpr Field flags { 112, 4 };
constexpr Field reset_reg { 116, 12 };
constexpr Field reset_value { 128, 1 };
constexpr Field x_dsdt { 140, 8 };
constexpr Field x_pm1a_cnt_blk { 172, 12 };
constexpr Field sleep_control_reg { 244, 12 };
constexpr Field sleep_status_reg { 256, 12 };
constexpr usize min_size = flags.end(); // An ACPI 1.0 FADT ends with the flags.
} // namespace fadt

// 5.2.3.2 Table 5.1.
namespace gas {
constexpr Field space { 0, 1 };
constexpr Field bit_width { 1, 1 };
constexpr Field bit_offset { 2, 1 };
constexpr Field access_size { 3, 1 };
constexpr Field address { 4, 8 };
constexpr usize size = 12;
} // namespace gas

GenericAddress load_generic_address(ReadonlyBytes table, Field field)
{
    VERIFY(field.size == gas::size);
    ReadonlyBytes g = table.slice(field.offset, field.size);
    return GenericAddress {
        AddressSpace(load_u8(g, gas::space)),
        load_u8(g, gas::bit_width),
        load_u8(g, gas::bit_offset),
        load_u8(g, gas::access_size),
        lib::load_le64(g, gas::address),
    };
}

// The GAS at `field` when the table holds it and its address is nonzero (zero means "not
// implemented" throughout the FADT).
Optional<GenericAddress> optional_generic_address(ReadonlyBytes table, Field field)
{
    if (!has_field(table, field))
        return lib::nullopt;
    GenericAddress address = load_generic_address(table, field);
    if (address.address == 0)
        return lib::nullopt;
    return address;
}

} // namespace

lib::Result<Fadt, AcpiError> Fadt::parse(lib::ReadonlyBytes table)
{
    ReadonlyBytes t = TRY(detail::checked_table(table, "FACP", fadt::min_size));

    Fadt result;
    result.m_flags = lib::load_le32(t, fadt::flags);
    result.m_sci_interrupt = lib::load_le16(t, fadt::sci_int);
    result.m_smi_command_port = lib::load_le32(t, fadt::smi_cmd);
    result.m_acpi_enable = load_u8(t, fadt::acpi_enable);

    result.m_dsdt_address = lib::load_le32(t, fadt::dsdt);
    if (has_field(t, fadt::x_dsdt) && lib::load_le64(t, fadt::x_dsdt) != 0)
        result.m_dsdt_address = lib::load_le64(t, fadt::x_dsdt);

    result.m_pm1a_control = optional_generic_address(t, fadt::x_pm1a_cnt_blk);
    u32 legacy_port = lib::load_le32(t, fadt::pm1a_cnt_blk);
    if (!result.m_pm1a_control && legacy_port != 0 && legacy_port <= 0xffff)
        result.m_pm1a_control = GenericAddress { AddressSpace::SystemIo, 16, 0, 2, legacy_port };

    if ((result.m_flags & flag_reset_reg_supported) && has_field(t, fadt::reset_value)) {
        result.m_reset_register = optional_generic_address(t, fadt::reset_reg);
        result.m_reset_value = load_u8(t, fadt::reset_value);
    }
    result.m_sleep_control = optional_generic_address(t, fadt::sleep_control_reg);
    result.m_sleep_status = optional_generic_address(t, fadt::sleep_status_reg);
    return result;
}

u16 PowerOffMethod::value() const
{
    u16 type = sleep_type & max_sleep_type;
    switch (kind) {
    case Kind::Pm1aControl:
        return u16((type << 10) | (1 << 13));
    case Kind::SleepControlRegister:
        return u16((type << 2) | (1 << 5));
    case Kind::None:
        return 0;
    }
    return 0;
}

PowerOffMethod power_off_method(const Fadt& fadt, lib::Optional<SleepType> s5)
{
    if (!s5)
        return {};
    PowerOffMethod method;
    Optional<GenericAddress> reg;
    if (fadt.hardware_reduced()) {
        method.kind = PowerOffMethod::Kind::SleepControlRegister;
        reg = fadt.sleep_control();
    } else {
        method.kind = PowerOffMethod::Kind::Pm1aControl;
        reg = fadt.pm1a_control();
    }
    if (!reg || (reg->space != AddressSpace::SystemMemory && reg->space != AddressSpace::SystemIo))
        return {};
    method.reg = *reg;
    method.sleep_type = s5->a;
    return method;
}

} // namespace kernel::drivers::acpi

// The MCFG, PCI Express ECAM windows (PCI Firmware 3.2 4.1.2; its header is ACPI 6.4 5.2.6):
// Mcfg. See tables.h.
#include "kernel/drivers/acpi/tables.h"

#include "kernel/drivers/acpi/parse_util.h"
#include "lib/byte_order.h"

namespace kernel::drivers::acpi {

namespace {

using detail::load_u8;
using lib::Field;
using lib::ReadonlyBytes;

// PCI Firmware 3.2, Tables 4-2 and 4-3.
namespace mcfg {
constexpr usize entries_offset = 44; // Header plus 8 reserved bytes.
constexpr usize entry_size = 16;
constexpr Field base { 0, 8 };
constexpr Field segment { 8, 2 };
constexpr Field start_bus { 10, 1 };
constexpr Field end_bus { 11, 1 };
} // namespace mcfg

} // namespace

lib::Result<Mcfg, AcpiError> Mcfg::parse(lib::ReadonlyBytes table)
{
    ReadonlyBytes t = TRY(detail::checked_table(table, "MCFG", mcfg::entries_offset));

    Mcfg result;
    usize count = (t.size() - mcfg::entries_offset) / mcfg::entry_size;
    result.m_malformed = (t.size() - mcfg::entries_offset) % mcfg::entry_size != 0;
    for (usize i = 0; i < count; ++i) {
        ReadonlyBytes e = t.slice(mcfg::entries_offset + i * mcfg::entry_size, mcfg::entry_size);
        EcamRegion region {
            lib::load_le64(e, mcfg::base),
            lib::load_le16(e, mcfg::segment),
            load_u8(e, mcfg::start_bus),
            load_u8(e, mcfg::end_bus),
        };
        if (region.end_bus < region.start_bus) {
            result.m_malformed = true;
            continue;
        }
        if (result.m_region_count == max_regions) {
            ++result.m_dropped;
            continue;
        }
        result.m_regions[result.m_region_count++] = region;
    }
    return result;
}

} // namespace kernel::drivers::acpi

// The Multiple APIC Description Table (ACPI 6.4 5.2.12): Madt. See tables.h.
#include "kernel/drivers/acpi/tables.h"

#include "kernel/drivers/acpi/parse_util.h"
#include "lib/byte_order.h"

namespace kernel::drivers::acpi {

namespace {

using detail::load_u8;
using lib::Field;
using lib::ReadonlyBytes;

// 5.2.12 Table 5.19 and the entry layouts of 5.2.12.2, .3, .5 and .8.
namespace madt {
constexpr Field local_apic_address { 36, 4 };
constexpr Field flags { 40, 4 };
constexpr usize entries_offset = 44;
namespace entry {
constexpr Field type { 0, 1 };
constexpr Field length { 1, 1 };
} // namespace entry
namespace local_apic {
constexpr u8 type = 0;
constexpr Field processor_uid { 2, 1 };
constexpr Field apic_id { 3, 1 };
constexpr Field flags { 4, 4 };
constexpr usize size = 8;
} // namespace local_apic
namespace io_apic {
constexpr u8 type = 1;
constexpr Field id { 2, 1 };
constexpr Field address { 4, 4 };
constexpr Field gsi_base { 8, 4 };
constexpr usize size = 12;
} // namespace io_apic
namespace source_override {
constexpr u8 type = 2;
constexpr Field bus { 2, 1 };
constexpr Field source { 3, 1 };
constexpr Field gsi { 4, 4 };
constexpr Field flags { 8, 2 };
constexpr usize size = 10;
} // namespace source_override
namespace address_override {
constexpr u8 type = 5;
constexpr Field address { 4, 8 };
constexpr usize size = 12;
} // namespace address_override
} // namespace madt

InterruptFlags decode_inti_flags(u16 flags)
{
    return InterruptFlags { Polarity(flags & 3), TriggerMode((flags >> 2) & 3) };
}

} // namespace

lib::Result<Madt, AcpiError> Madt::parse(lib::ReadonlyBytes table)
{
    ReadonlyBytes t = TRY(detail::checked_table(table, "APIC", madt::entries_offset));

    Madt result;
    result.m_local_apic_address = lib::load_le32(t, madt::local_apic_address);
    result.m_flags = lib::load_le32(t, madt::flags);
    // Each step advances by the entry's length, which is at least 2, and never leaves the table.
    usize offset = madt::entries_offset;
    while (offset < t.size()) {
        usize left = t.size() - offset;
        if (left < 2) {
            result.m_malformed = true;
            break;
        }
        u8 type = t[offset + madt::entry::type.offset];
        u8 length = t[offset + madt::entry::length.offset];
        if (length < 2 || length > left) {
            result.m_malformed = true;
            break;
        }
        result.add_entry(type, t.slice(offset, length));
        if (result.m_malformed)
            break;
        offset += length;
    }
    return result;
}

// Records one entry. Sets m_malformed when the entry is too short for its type; longer entries
// are fine (later revisions may append fields).
void Madt::add_entry(u8 type, lib::ReadonlyBytes e)
{
    switch (type) {
    case madt::local_apic::type: {
        if (e.size() < madt::local_apic::size) {
            m_malformed = true;
            return;
        }
        if (m_cpu_count == max_cpus) {
            ++m_dropped;
            return;
        }
        u32 flags = lib::load_le32(e, madt::local_apic::flags);
        m_cpus[m_cpu_count++] = LocalApic {
            load_u8(e, madt::local_apic::processor_uid),
            load_u8(e, madt::local_apic::apic_id),
            (flags & 1) != 0,
            (flags & 2) != 0,
        };
        return;
    }
    case madt::io_apic::type:
        if (e.size() < madt::io_apic::size) {
            m_malformed = true;
            return;
        }
        if (m_io_apic_count == max_io_apics) {
            ++m_dropped;
            return;
        }
        m_io_apics[m_io_apic_count++] = IoApic {
            load_u8(e, madt::io_apic::id),
            lib::load_le32(e, madt::io_apic::address),
            lib::load_le32(e, madt::io_apic::gsi_base),
        };
        return;
    case madt::source_override::type:
        if (e.size() < madt::source_override::size) {
            m_malformed = true;
            return;
        }
        if (m_override_count == max_overrides) {
            ++m_dropped;
            return;
        }
        m_overrides[m_override_count++] = InterruptOverride {
            load_u8(e, madt::source_override::bus),
            load_u8(e, madt::source_override::source),
            lib::load_le32(e, madt::source_override::gsi),
            decode_inti_flags(lib::load_le16(e, madt::source_override::flags)),
        };
        return;
    case madt::address_override::type:
        if (e.size() < madt::address_override::size) {
            m_malformed = true;
            return;
        }
        m_local_apic_address = lib::load_le64(e, madt::address_override::address);
        return;
    default:
        return;
    }
}

u32 Madt::isa_irq_to_gsi(u8 irq, InterruptFlags& flags) const
{
    u32 gsi = irq;
    InterruptFlags found { Polarity::BusDefault, TriggerMode::BusDefault };
    for (usize i = 0; i < m_override_count; ++i) {
        const InterruptOverride& o = m_overrides[i];
        if (o.bus == 0 && o.source == irq) {
            gsi = o.gsi;
            found = o.flags;
            break;
        }
    }
    flags.polarity = found.polarity == Polarity::ActiveLow ? Polarity::ActiveLow : Polarity::ActiveHigh;
    flags.trigger = found.trigger == TriggerMode::Level ? TriggerMode::Level : TriggerMode::Edge;
    return gsi;
}

} // namespace kernel::drivers::acpi

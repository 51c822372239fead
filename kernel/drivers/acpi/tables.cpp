// ACPI table discovery and parsing (ACPI 6.4: 5.2.5 RSDP, 5.2.6-5.2.8 headers/RSDT/XSDT, 5.2.9
// FADT, 5.2.12 MADT, 7.4.2 and 20.2 for \_S5; PCI Firmware 3.2 4.1.2 MCFG). See tables.h.
#include "kernel/drivers/acpi/tables.h"

#include "lib/byte_order.h"

namespace kernel::drivers::acpi {

namespace {

using lib::Field;
using lib::Optional;
using lib::ReadonlyBytes;
using lib::StringView;

#if defined(BULWARK_FUZZING)
constexpr bool verify_checksums = false; // DESIGN.md: fuzzers must get past checksums.
#else
constexpr bool verify_checksums = true;
#endif

// 5.2.5.3 Table 5.3.
namespace rsdp {
constexpr Field signature { 0, 8 };
constexpr Field revision { 15, 1 };
constexpr Field rsdt_address { 16, 4 };
constexpr Field length { 20, 4 };
constexpr Field xsdt_address { 24, 8 };
constexpr usize v1_size = 20;                  // The part covered by the first checksum.
constexpr usize v2_min_size = 36;              // Through the extended checksum and reserved bytes.
constexpr usize max_size = 1024;               // The spec says 36; anything this long is corrupt.
constexpr u64 ebda_segment_pointer = 0x40e;    // 5.2.5.1: BDA word holding the EBDA segment.
constexpr u64 ebda_scan_length = 1024;
constexpr u64 bios_area_start = 0xe0000;
constexpr u64 bios_area_length = 0x20000;
} // namespace rsdp

// 5.2.6 Table 5.4.
namespace header {
constexpr Field signature { 0, 4 };
constexpr Field length { 4, 4 };
constexpr Field revision { 8, 1 };
} // namespace header

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

// PCI Firmware 3.2, Tables 4-2 and 4-3.
namespace mcfg {
constexpr usize entries_offset = 44; // Header plus 8 reserved bytes.
constexpr usize entry_size = 16;
constexpr Field base { 0, 8 };
constexpr Field segment { 8, 2 };
constexpr Field start_bus { 10, 1 };
constexpr Field end_bus { 11, 1 };
} // namespace mcfg

// 20.2 AML opcodes and prefixes used by \_S5.
namespace aml {
constexpr u8 package_op = 0x12;
constexpr u8 zero_op = 0x00;
constexpr u8 one_op = 0x01;
constexpr u8 ones_op = 0xff;
constexpr u8 byte_prefix = 0x0a;
constexpr u8 word_prefix = 0x0b;
constexpr u8 dword_prefix = 0x0c;
constexpr u8 qword_prefix = 0x0e;
constexpr u8 max_sleep_type = 7; // SLP_TYPx is a 3-bit field (4.8.3.2.1, 4.8.3.7).
} // namespace aml

u8 load_u8(ReadonlyBytes bytes, Field field)
{
    VERIFY(field.size == 1);
    return bytes[field.offset];
}

bool has_field(ReadonlyBytes bytes, Field field) { return bytes.contains_range(field.offset, field.size); }

bool sums_to_zero(ReadonlyBytes bytes)
{
    u8 sum = 0;
    for (u8 b : bytes)
        sum = u8(sum + b);
    return !verify_checksums || sum == 0;
}

bool equals(ReadonlyBytes bytes, Field field, StringView expected)
{
    VERIFY(field.size == expected.length());
    if (!has_field(bytes, field))
        return false;
    for (usize i = 0; i < field.size; ++i) {
        if (bytes[field.offset + i] != u8(expected[i]))
            return false;
    }
    return true;
}

// PhysicalMemory::read, with the range's wrap-around and the returned size checked here too, so
// a sloppy implementation cannot hand the parsers fewer bytes than they asked for.
Optional<ReadonlyBytes> read_exact(PhysicalMemory& memory, u64 phys, u64 length)
{
    if (length == 0 || phys > ~u64(0) - (length - 1))
        return lib::nullopt;
    Optional<ReadonlyBytes> bytes = memory.read(phys, length);
    if (!bytes || bytes->size() < length)
        return lib::nullopt;
    return bytes->slice(0, length);
}

lib::Result<Rsdp, AcpiError> rsdp_at(PhysicalMemory& memory, u64 address)
{
    Optional<ReadonlyBytes> head = read_exact(memory, address, rsdp::v1_size);
    if (!head || !equals(*head, rsdp::signature, "RSD PTR "))
        return AcpiError::NoRsdp;
    if (!sums_to_zero(*head))
        return AcpiError::BadRsdpChecksum;
    u8 revision = load_u8(*head, rsdp::revision);
    if (revision < 2)
        return Rsdp { address, revision, lib::load_le32(*head, rsdp::rsdt_address), 0 };

    // The length field lies past the 20 bytes of an ACPI 1.0 RSDP, so it needs its own read.
    Optional<ReadonlyBytes> fixed = read_exact(memory, address, rsdp::v2_min_size);
    if (!fixed)
        return AcpiError::BadRsdp;
    u32 length = lib::load_le32(*fixed, rsdp::length);
    if (length < rsdp::v2_min_size || length > rsdp::max_size)
        return AcpiError::BadRsdp;
    Optional<ReadonlyBytes> full = read_exact(memory, address, length);
    if (!full)
        return AcpiError::BadRsdp;
    // Every field comes from this second read, so it is checked again as a whole: the memory
    // may have changed since the first one.
    if (!equals(*full, rsdp::signature, "RSD PTR ") || load_u8(*full, rsdp::revision) != revision
        || lib::load_le32(*full, rsdp::length) != length)
        return AcpiError::BadRsdp;
    if (!sums_to_zero(full->slice(0, rsdp::v1_size)) || !sums_to_zero(*full))
        return AcpiError::BadRsdpChecksum;
    return Rsdp { address, revision, lib::load_le32(*full, rsdp::rsdt_address), lib::load_le64(*full, rsdp::xsdt_address) };
}

Optional<Rsdp> scan_for_rsdp(PhysicalMemory& memory, u64 start, u64 length)
{
    for (u64 offset = 0; offset + rsdp::v1_size <= length; offset += 16) {
        auto found = rsdp_at(memory, start + offset);
        if (found.is_ok())
            return found.value();
    }
    return lib::nullopt;
}

// A table at `address`: its header read first for the length, then the whole table.
lib::Result<TableView, AcpiError> read_table(PhysicalMemory& memory, u64 address)
{
    if (address == 0)
        return AcpiError::Unreadable;
    Optional<ReadonlyBytes> head = read_exact(memory, address, TableView::header_size);
    if (!head)
        return AcpiError::Unreadable;
    u32 length = lib::load_le32(*head, header::length);
    if (length < TableView::header_size || length > TableView::max_table_length)
        return AcpiError::BadLength;
    Optional<ReadonlyBytes> full = read_exact(memory, address, length);
    if (!full)
        return AcpiError::Unreadable;
    // checked() takes the length again from the second read and holds it to that read's size.
    return TableView::checked(*full);
}

// An XSDT or RSDT: a whole number of `entry_size` pointers after the header.
Optional<TableView> read_root(PhysicalMemory& memory, u64 address, StringView signature, usize entry_size)
{
    auto root = read_table(memory, address);
    if (root.is_error() || root.value().signature() != signature)
        return lib::nullopt;
    if ((root.value().length() - TableView::header_size) % entry_size != 0)
        return lib::nullopt;
    return root.value();
}

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

InterruptFlags decode_inti_flags(u16 flags)
{
    return InterruptFlags { Polarity(flags & 3), TriggerMode((flags >> 2) & 3) };
}

// An AML integer constant (20.2.3 ComputationalData / ConstObj) at `at`, ending at or before
// `end`. Advances `at` past it. Precondition: end <= aml.size().
Optional<u64> parse_aml_integer(ReadonlyBytes aml, usize& at, usize end)
{
    VERIFY(end <= aml.size());
    if (at >= end)
        return lib::nullopt;
    u8 op = aml[at];
    usize size = 0;
    switch (op) {
    case aml::zero_op:
        ++at;
        return u64(0);
    case aml::one_op:
        ++at;
        return u64(1);
    case aml::ones_op:
        ++at;
        return ~u64(0);
    case aml::byte_prefix:
        size = 1;
        break;
    case aml::word_prefix:
        size = 2;
        break;
    case aml::dword_prefix:
        size = 4;
        break;
    case aml::qword_prefix:
        size = 8;
        break;
    default:
        return lib::nullopt;
    }
    if (end - at - 1 < size)
        return lib::nullopt;
    u64 value = 0;
    for (usize i = 0; i < size; ++i)
        value |= u64(aml[at + 1 + i]) << (8 * i);
    at += 1 + size;
    return value;
}

// The package whose PkgLength (20.2.4) starts at `at`.
Optional<SleepType> parse_s5_package(ReadonlyBytes aml, usize at)
{
    if (at >= aml.size())
        return lib::nullopt;
    u8 lead = aml[at];
    usize follow = lead >> 6; // Number of PkgLength bytes after the lead byte: 0-3.
    if (aml.size() - at < 1 + follow)
        return lib::nullopt;
    usize package_length = 0;
    if (follow == 0) {
        package_length = lead & 0x3f;
    } else {
        if (lead & 0x30)
            return lib::nullopt; // Bits 4-5 must be zero in the multi-byte encoding.
        package_length = lead & 0x0f;
        for (usize i = 0; i < follow; ++i)
            package_length |= usize(aml[at + 1 + i]) << (4 + 8 * i);
    }
    // PkgLength counts its own bytes and everything in the package.
    if (package_length > aml.size() - at)
        return lib::nullopt;
    usize end = at + package_length;
    usize p = at + 1 + follow;
    if (p >= end)
        return lib::nullopt; // No NumElements.
    u8 elements = aml[p++];
    if (elements == 0)
        return lib::nullopt;
    Optional<u64> a = parse_aml_integer(aml, p, end);
    if (!a || *a > aml::max_sleep_type)
        return lib::nullopt;
    u64 b = 0;
    if (elements >= 2) {
        Optional<u64> second = parse_aml_integer(aml, p, end);
        if (!second || *second > aml::max_sleep_type)
            return lib::nullopt;
        b = *second;
    }
    return SleepType { u8(*a), u8(b) };
}

} // namespace

lib::StringView acpi_error_name(AcpiError error)
{
    switch (error) {
    case AcpiError::NoRsdp:
        return "no RSDP";
    case AcpiError::BadRsdpChecksum:
        return "bad RSDP checksum";
    case AcpiError::BadRsdp:
        return "bad RSDP";
    case AcpiError::BadRootTable:
        return "bad root table";
    case AcpiError::Unreadable:
        return "unreadable";
    case AcpiError::BadSignature:
        return "bad signature";
    case AcpiError::BadLength:
        return "bad length";
    case AcpiError::BadChecksum:
        return "bad checksum";
    case AcpiError::Truncated:
        return "truncated";
    }
    return "?";
}

lib::Result<Rsdp, AcpiError> find_rsdp(PhysicalMemory& memory, u64 hint)
{
    if (hint != 0)
        return rsdp_at(memory, hint);
    Optional<ReadonlyBytes> segment = read_exact(memory, rsdp::ebda_segment_pointer, 2);
    if (segment) {
        u64 ebda = u64(lib::load_le16(*segment, 0)) << 4;
        if (ebda != 0) {
            Optional<Rsdp> found = scan_for_rsdp(memory, ebda, rsdp::ebda_scan_length);
            if (found)
                return *found;
        }
    }
    Optional<Rsdp> found = scan_for_rsdp(memory, rsdp::bios_area_start, rsdp::bios_area_length);
    if (found)
        return *found;
    return AcpiError::NoRsdp;
}

lib::Result<TableView, AcpiError> TableView::checked(lib::ReadonlyBytes bytes)
{
    if (bytes.size() < header_size)
        return AcpiError::BadLength;
    u32 length = lib::load_le32(bytes, header::length);
    if (length < header_size || length > max_table_length || length > bytes.size())
        return AcpiError::BadLength;
    TableView view;
    view.m_bytes = bytes.slice(0, length);
    if (!sums_to_zero(view.m_bytes))
        return AcpiError::BadChecksum;
    return view;
}

lib::StringView TableView::signature() const
{
    return lib::StringView(reinterpret_cast<const char*>(m_bytes.data()) + header::signature.offset, header::signature.size);
}

u8 TableView::revision() const { return load_u8(m_bytes, header::revision); }

lib::Result<Madt, AcpiError> Madt::parse(lib::ReadonlyBytes table)
{
    TableView view = TRY(TableView::checked(table));
    if (view.signature() != "APIC")
        return AcpiError::BadSignature;
    ReadonlyBytes t = view.bytes();
    if (t.size() < madt::entries_offset)
        return AcpiError::Truncated;

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

lib::Result<Fadt, AcpiError> Fadt::parse(lib::ReadonlyBytes table)
{
    TableView view = TRY(TableView::checked(table));
    if (view.signature() != "FACP")
        return AcpiError::BadSignature;
    ReadonlyBytes t = view.bytes();
    if (t.size() < fadt::min_size)
        return AcpiError::Truncated;

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

lib::Optional<SleepType> find_s5_sleep_type(lib::ReadonlyBytes aml)
{
    constexpr StringView name = "_S5_";
    // Every candidate position is tried at most once; parse_s5_package reads a bounded amount.
    for (usize i = 0; i + name.length() < aml.size(); ++i) {
        bool match = true;
        for (usize j = 0; j < name.length() && match; ++j)
            match = aml[i + j] == u8(name[j]);
        if (!match || aml[i + name.length()] != aml::package_op)
            continue;
        Optional<SleepType> found = parse_s5_package(aml, i + name.length() + 1);
        if (found)
            return found;
    }
    return lib::nullopt;
}

lib::Result<Mcfg, AcpiError> Mcfg::parse(lib::ReadonlyBytes table)
{
    TableView view = TRY(TableView::checked(table));
    if (view.signature() != "MCFG")
        return AcpiError::BadSignature;
    ReadonlyBytes t = view.bytes();
    if (t.size() < mcfg::entries_offset)
        return AcpiError::Truncated;

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

u16 PowerOffMethod::value() const
{
    u16 type = sleep_type & aml::max_sleep_type;
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

lib::Result<Tables, AcpiError> Tables::discover(PhysicalMemory& memory, u64 rsdp_hint)
{
    Tables tables;
    tables.m_rsdp = TRY(find_rsdp(memory, rsdp_hint));

    Optional<TableView> root;
    if (tables.m_rsdp.revision >= 2 && tables.m_rsdp.xsdt_address != 0) {
        root = read_root(memory, tables.m_rsdp.xsdt_address, "XSDT", 8);
        tables.m_uses_xsdt = root.has_value();
    }
    if (!root && tables.m_rsdp.rsdt_address != 0)
        root = read_root(memory, tables.m_rsdp.rsdt_address, "RSDT", 4);
    if (!root)
        return AcpiError::BadRootTable;

    tables.walk_root(memory, *root, tables.m_uses_xsdt ? 8 : 4);
    tables.load_dsdt(memory);
    if (tables.m_fadt)
        tables.m_power_off = power_off_method(*tables.m_fadt, tables.m_s5);
    return tables;
}

lib::Optional<TableInfo> Tables::find(lib::StringView signature) const
{
    for (usize i = 0; i < m_table_count; ++i) {
        if (m_tables[i].name() == signature)
            return m_tables[i];
    }
    return lib::nullopt;
}

void Tables::walk_root(PhysicalMemory& memory, TableView root, usize entry_size)
{
    ReadonlyBytes entries = root.bytes().slice(TableView::header_size);
    usize count = entries.size() / entry_size;
    for (usize i = 0; i < count; ++i) {
        if (m_table_count == max_tables) {
            m_skipped.over_capacity += count - i;
            return;
        }
        u64 address = entry_size == 8 ? lib::load_le64(entries, i * 8) : lib::load_le32(entries, i * 4);
        auto table = read_table(memory, address);
        if (table.is_error()) {
            count_skipped(table.error());
            continue;
        }
        const TableView& view = table.value();
        add_table(address, view);

        // The first valid table of each kind is used; its bytes are the ones just checked.
        StringView signature = view.signature();
        if (signature == "APIC" && !m_madt) {
            auto parsed = Madt::parse(view.bytes());
            if (parsed.is_ok())
                m_madt = parsed.value();
            else
                ++m_skipped.unparsable;
        } else if (signature == "FACP" && !m_fadt) {
            auto parsed = Fadt::parse(view.bytes());
            if (parsed.is_ok())
                m_fadt = parsed.value();
            else
                ++m_skipped.unparsable;
        } else if (signature == "MCFG" && !m_mcfg) {
            auto parsed = Mcfg::parse(view.bytes());
            if (parsed.is_ok())
                m_mcfg = parsed.value();
            else
                ++m_skipped.unparsable;
        }
    }
}

// Counts a read_table() failure.
void Tables::count_skipped(AcpiError error)
{
    if (error == AcpiError::BadLength)
        ++m_skipped.bad_length;
    else if (error == AcpiError::BadChecksum)
        ++m_skipped.bad_checksum;
    else
        ++m_skipped.unreadable;
}

void Tables::add_table(u64 address, const TableView& view)
{
    VERIFY(m_table_count < max_tables);
    TableInfo& info = m_tables[m_table_count++];
    for (usize i = 0; i < 4; ++i)
        info.signature[i] = view.signature()[i];
    info.address = address;
    info.length = u32(view.length());
    info.revision = view.revision();
}

// The DSDT is not in the root table: the FADT points at it (5.2.9, 5.2.11.1).
void Tables::load_dsdt(PhysicalMemory& memory)
{
    if (!m_fadt || m_fadt->dsdt_address() == 0)
        return;
    auto dsdt = read_table(memory, m_fadt->dsdt_address());
    if (dsdt.is_error()) {
        count_skipped(dsdt.error());
        return;
    }
    if (dsdt.value().signature() != "DSDT") {
        ++m_skipped.unparsable;
        return;
    }
    if (m_table_count < max_tables)
        add_table(m_fadt->dsdt_address(), dsdt.value());
    else
        ++m_skipped.over_capacity;
    m_s5 = find_s5_sleep_type(dsdt.value().bytes().slice(TableView::header_size));
}

} // namespace kernel::drivers::acpi

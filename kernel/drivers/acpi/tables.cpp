// ACPI table discovery: the RSDP (ACPI 6.4 5.2.5), table headers and the RSDT/XSDT walk
// (5.2.6-5.2.8), and the DSDT the FADT names (5.2.9, 5.2.11.1). See tables.h; the table parsers
// are in madt.cpp, fadt.cpp, mcfg.cpp and aml.cpp.
#include "kernel/drivers/acpi/tables.h"

#include "kernel/drivers/acpi/parse_util.h"
#include "lib/byte_order.h"

namespace kernel::drivers::acpi {

namespace {

using detail::has_field;
using detail::load_u8;
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

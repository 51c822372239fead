// "Just enough ACPI": find the RSDP, walk the XSDT/RSDT, and read the MADT, FADT, MCFG and the
// DSDT's \_S5 package (ACPI 6.4 chapter 5 and sections 7.4.2, 20.2; PCI Firmware 3.2 4.1.2).
#pragma once

#include "lib/optional.h"
#include "lib/result.h"
#include "lib/span.h"
#include "lib/string_view.h"

namespace kernel::drivers::acpi {

// Every table lives at a physical address the hypervisor or firmware chose, and every byte of it
// is untrusted: each length is checked once against the bytes actually read, each loop advances
// and is bounded by a length that was checked.

enum class AcpiError : u8 {
    NoRsdp,          // No "RSD PTR " structure where we looked (or the hint is unreadable).
    BadRsdpChecksum, // An RSDP whose checksum or extended checksum is not zero.
    BadRsdp,         // An ACPI 2.0+ RSDP whose length is out of range or unreadable.
    BadRootTable,    // Neither the XSDT nor the RSDT is readable, well-formed and checksummed.
    Unreadable,      // A table's bytes are not readable memory.
    BadSignature,    // A table is not the one its parser expects.
    BadLength,       // A header's length is < 36, > max_table_length, or past the bytes given.
    BadChecksum,     // A table's bytes do not sum to zero.
    Truncated,       // A table is too short for its own fixed fields (e.g. a MADT under 44 bytes).
};

lib::StringView acpi_error_name(AcpiError);

// How the parser reaches physical memory; the kernel maps it, tests fake it.
class PhysicalMemory {
public:
    // Exactly `length` bytes at `phys`, or nullopt if any part of that range is not readable (or
    // the range wraps). The bytes must stay valid until the parse that asked for them ends.
    virtual lib::Optional<lib::ReadonlyBytes> read(u64 phys, u64 length) = 0;

protected:
    ~PhysicalMemory() = default;
};

// 5.2.5.3 Root System Description Pointer.
struct Rsdp {
    u64 address;      // Where it was found.
    u8 revision;      // 0 for ACPI 1.0, 2 for ACPI 2.0 and later.
    u32 rsdt_address;
    u64 xsdt_address; // 0 when revision < 2.
};

// The RSDP at `hint` when hint != 0 (PVH start_info.rsdp_paddr), otherwise the first valid one
// on a 16-byte boundary in the first KiB of the EBDA or in 0xE0000-0xFFFFF (5.2.5.1).
// Fails with: NoRsdp, BadRsdpChecksum, BadRsdp (the last two only for a hint).
lib::Result<Rsdp, AcpiError> find_rsdp(PhysicalMemory&, u64 hint);

// A checked view of one system description table (5.2.6): at least the 36-byte header, a length
// field within [36, max_table_length] and within the bytes given, and a zero checksum over that
// length (checksums are skipped in BULWARK_FUZZING builds so fuzzers get past them).
class TableView {
public:
    static constexpr usize header_size = 36;
    static constexpr usize max_table_length = 1 << 20;

    // Fails with: BadLength, BadChecksum.
    static lib::Result<TableView, AcpiError> checked(lib::ReadonlyBytes bytes);

    lib::StringView signature() const;
    u8 revision() const;
    // Exactly the header's length (header included); trailing bytes given to checked() are cut.
    lib::ReadonlyBytes bytes() const { return m_bytes; }
    usize length() const { return m_bytes.size(); }

private:
    TableView() = default;
    // Invariant (checked()): header_size <= m_bytes.size() <= max_table_length.
    lib::ReadonlyBytes m_bytes;
};

// 5.2.3.2 Generic Address Structure.
enum class AddressSpace : u8 { SystemMemory = 0, SystemIo = 1, PciConfig = 2 }; // Others keep their raw value.
struct GenericAddress {
    AddressSpace space;
    u8 bit_width;
    u8 bit_offset;
    u8 access_size; // 0 undefined (legacy), 1 byte, 2 word, 3 dword, 4 qword.
    u64 address;
};

// 5.2.12.5 Table 5.26, MPS INTI flags.
enum class Polarity : u8 { BusDefault = 0, ActiveHigh = 1, Reserved = 2, ActiveLow = 3 };
enum class TriggerMode : u8 { BusDefault = 0, Edge = 1, Reserved = 2, Level = 3 };
struct InterruptFlags {
    Polarity polarity;
    TriggerMode trigger;
};

struct LocalApic { // 5.2.12.2
    u8 processor_uid;
    u8 apic_id;
    bool enabled;        // Flags bit 0.
    bool online_capable; // Flags bit 1: disabled now, may be enabled later.
};
struct IoApic { // 5.2.12.3
    u8 id;
    u32 address;
    u32 gsi_base;
};
struct InterruptOverride { // 5.2.12.5
    u8 bus;
    u8 source; // The bus-relative (ISA) IRQ.
    u32 gsi;
    InterruptFlags flags;
};

// 5.2.12 Multiple APIC Description Table. Entries of types other than 0, 1, 2 and 5 are skipped.
// FIXME: x2APIC entries (type 9) are skipped too; QEMU emits them only for APIC IDs >= 255.
class Madt {
public:
    static constexpr usize max_cpus = 64;
    static constexpr usize max_io_apics = 8;
    static constexpr usize max_overrides = 16;

    // Fails with: BadLength, BadChecksum, BadSignature, Truncated. A bad entry is not an error:
    // parsing stops there and malformed() says so.
    static lib::Result<Madt, AcpiError> parse(lib::ReadonlyBytes table);

    // The type 5 override when present, else the 32-bit header field.
    u64 local_apic_address() const { return m_local_apic_address; }
    bool pcat_compatible() const { return m_flags & 1; } // There are 8259 PICs to mask.
    lib::Span<const LocalApic> cpus() const { return { m_cpus, m_cpu_count }; }
    lib::Span<const IoApic> io_apics() const { return { m_io_apics, m_io_apic_count }; }
    lib::Span<const InterruptOverride> overrides() const { return { m_overrides, m_override_count }; }
    // An entry shorter than 2 bytes, running past the table, or too short for its type.
    bool malformed() const { return m_malformed; }
    // Entries that did not fit the arrays above.
    usize dropped() const { return m_dropped; }

    // The GSI an ISA IRQ arrives on, and its polarity and trigger, after interrupt source
    // overrides (bus 0). Without an override: GSI = irq, active high, edge (the ISA defaults).
    // Bus-default and reserved flag values are resolved to the ISA defaults, so `flags` is
    // always ActiveHigh/ActiveLow and Edge/Level.
    u32 isa_irq_to_gsi(u8 irq, InterruptFlags& flags) const;

private:
    Madt() = default;
    void add_entry(u8 type, lib::ReadonlyBytes entry);

    u64 m_local_apic_address { 0 };
    u32 m_flags { 0 };
    // Invariant: each count is at most its array's capacity (add_entry checks).
    LocalApic m_cpus[max_cpus] {};
    usize m_cpu_count { 0 };
    IoApic m_io_apics[max_io_apics] {};
    usize m_io_apic_count { 0 };
    InterruptOverride m_overrides[max_overrides] {};
    usize m_override_count { 0 };
    bool m_malformed { false };
    usize m_dropped { 0 };
};

// 5.2.9 Fixed ACPI Description Table. A field is read only when the table is long enough to hold
// it (1.0 FADTs are 116 bytes, 6.x ones 276).
class Fadt {
public:
    static constexpr u32 flag_reset_reg_supported = 1u << 10;
    static constexpr u32 flag_hardware_reduced = 1u << 20;

    // Fails with: BadLength, BadChecksum, BadSignature, Truncated (shorter than 116 bytes).
    static lib::Result<Fadt, AcpiError> parse(lib::ReadonlyBytes table);

    u32 flags() const { return m_flags; }
    bool hardware_reduced() const { return m_flags & flag_hardware_reduced; }
    u16 sci_interrupt() const { return m_sci_interrupt; }
    u32 smi_command_port() const { return m_smi_command_port; }
    u8 acpi_enable_value() const { return m_acpi_enable; }
    // X_DSDT when present and nonzero, else DSDT; 0 when neither is set.
    u64 dsdt_address() const { return m_dsdt_address; }
    // X_PM1a_CNT_BLK when present and nonzero, else PM1a_CNT_BLK as a 16-bit I/O register.
    lib::Optional<GenericAddress> pm1a_control() const { return m_pm1a_control; }
    // RESET_REG, when the RESET_REG_SUP flag is set and its address is nonzero.
    lib::Optional<GenericAddress> reset_register() const { return m_reset_register; }
    u8 reset_value() const { return m_reset_value; }
    // SLEEP_CONTROL_REG / SLEEP_STATUS_REG (ACPI 5.0+), when present and nonzero.
    lib::Optional<GenericAddress> sleep_control() const { return m_sleep_control; }
    lib::Optional<GenericAddress> sleep_status() const { return m_sleep_status; }

private:
    Fadt() = default;

    u32 m_flags { 0 };
    u16 m_sci_interrupt { 0 };
    u32 m_smi_command_port { 0 };
    u8 m_acpi_enable { 0 };
    u64 m_dsdt_address { 0 };
    lib::Optional<GenericAddress> m_pm1a_control;
    lib::Optional<GenericAddress> m_reset_register;
    u8 m_reset_value { 0 };
    lib::Optional<GenericAddress> m_sleep_control;
    lib::Optional<GenericAddress> m_sleep_status;
};

// 7.4.2 \_S5 (soft off): the SLP_TYPa and SLP_TYPb values, each 3 bits.
struct SleepType {
    u8 a;
    u8 b; // 0 when the package has a single element.
};

// Scans AML (a DSDT body, after its header) for `_S5_` followed by a Package (20.2.5.4
// DefPackage: 0x12, PkgLength, NumElements, elements) whose first one or two elements are
// integers 0-7 (ZeroOp, OneOp, or Byte/Word/DWord/QWord prefix constants). Every byte read is
// inside `aml` and inside the package's own PkgLength. Returns the first well-formed match.
lib::Optional<SleepType> find_s5_sleep_type(lib::ReadonlyBytes aml);

// PCI Firmware Specification 3.2, 4.1.2: one ECAM window of the MCFG.
struct EcamRegion {
    u64 base;
    u16 segment;
    u8 start_bus;
    u8 end_bus;
};

class Mcfg {
public:
    static constexpr usize max_regions = 8;

    // Fails with: BadLength, BadChecksum, BadSignature, Truncated (shorter than 44 bytes).
    static lib::Result<Mcfg, AcpiError> parse(lib::ReadonlyBytes table);

    lib::Span<const EcamRegion> regions() const { return { m_regions, m_region_count }; }
    // Trailing bytes that are not a whole entry, or an entry whose end bus is below its start.
    bool malformed() const { return m_malformed; }
    usize dropped() const { return m_dropped; }

private:
    Mcfg() = default;

    // Invariant: m_region_count <= max_regions.
    EcamRegion m_regions[max_regions] {};
    usize m_region_count { 0 };
    bool m_malformed { false };
    usize m_dropped { 0 };
};

// How to enter S5; the kernel glue does the write.
struct PowerOffMethod {
    enum class Kind : u8 {
        None,
        // Legacy: write value() to PM1a_CNT (4.8.3.2.1: SLP_TYPx bits 10-12, SLP_EN bit 13).
        Pm1aControl,
        // Hardware-reduced: write value() to SLEEP_CONTROL_REG (4.8.3.7: SLP_TYPx bits 2-4,
        // SLP_EN bit 5).
        SleepControlRegister,
    };
    Kind kind { Kind::None };
    // In system memory or system I/O space (other spaces give Kind::None).
    GenericAddress reg {};
    u8 sleep_type { 0 }; // SLP_TYPa from \_S5.

    u16 value() const;
};

// Hardware-reduced platforms use the sleep control register, others PM1a_CNT; both need \_S5.
PowerOffMethod power_off_method(const Fadt&, lib::Optional<SleepType> s5);

struct TableInfo {
    char signature[4];
    u64 address;
    u32 length;
    u8 revision;

    lib::StringView name() const { return lib::StringView(signature, 4); }
};

// What discover() could not use, by reason.
struct SkippedTables {
    usize unreadable { 0 };    // A null pointer, or bytes the PhysicalMemory would not give.
    usize bad_length { 0 };    // Header length < 36 or > max_table_length.
    usize bad_checksum { 0 };
    usize unparsable { 0 };    // A MADT, FADT, MCFG or DSDT that its parser rejected.
    usize over_capacity { 0 }; // Root entries beyond max_tables, not even read.
};

// Everything Bulwark uses from ACPI, found once at boot.
class Tables {
public:
    static constexpr usize max_tables = 64;

    // Finds the RSDP (see find_rsdp), walks the XSDT when the RSDP has one and it is valid, else
    // the RSDT, and parses the first valid MADT, FADT and MCFG, and the DSDT the FADT names. A
    // table that is unreadable or fails its checks is skipped and counted, never fatal.
    // Fails with: NoRsdp, BadRsdpChecksum, BadRsdp, BadRootTable.
    static lib::Result<Tables, AcpiError> discover(PhysicalMemory&, u64 rsdp_hint);

    const Rsdp& rsdp() const { return m_rsdp; }
    bool uses_xsdt() const { return m_uses_xsdt; }
    // Valid tables in root-table order, then the DSDT.
    lib::Span<const TableInfo> tables() const { return { m_tables, m_table_count }; }
    lib::Optional<TableInfo> find(lib::StringView signature) const;
    const SkippedTables& skipped() const { return m_skipped; }

    const lib::Optional<Madt>& madt() const { return m_madt; }
    const lib::Optional<Fadt>& fadt() const { return m_fadt; }
    const lib::Optional<Mcfg>& mcfg() const { return m_mcfg; }
    lib::Optional<SleepType> s5() const { return m_s5; }
    const PowerOffMethod& power_off() const { return m_power_off; }

private:
    Tables() = default;
    void walk_root(PhysicalMemory&, TableView root, usize entry_size);
    void add_table(u64 address, const TableView&);
    void count_skipped(AcpiError);
    void load_dsdt(PhysicalMemory&);

    Rsdp m_rsdp {};
    bool m_uses_xsdt { false };
    // Invariant: m_table_count <= max_tables.
    TableInfo m_tables[max_tables] {};
    usize m_table_count { 0 };
    SkippedTables m_skipped {};
    lib::Optional<Madt> m_madt;
    lib::Optional<Fadt> m_fadt;
    lib::Optional<Mcfg> m_mcfg;
    lib::Optional<SleepType> m_s5;
    PowerOffMethod m_power_off {};
};

} // namespace kernel::drivers::acpi

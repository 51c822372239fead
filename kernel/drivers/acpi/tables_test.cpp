// Unit and property tests for ACPI table discovery and parsing (kernel/drivers/acpi/tables.h),
// on table sets modelled on what QEMU 7.2 builds for -M q35 (SeaBIOS) and -M microvm.
#include "kernel/drivers/acpi/tables.h"

#include "lib/byte_order.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstring>
#include <deque>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace kernel::drivers::acpi;

namespace {

std::string str(lib::StringView v) { return std::string(v.chars(), v.length()); }

// Physical memory made of a few regions. Each read gets a fresh heap copy of exactly the bytes
// asked for, so ASan reports any access outside what read() returned, and a hook can tamper
// with each copy to play a hypervisor that changes memory between reads.
class FakeMemory final : public PhysicalMemory {
public:
    void add_region(u64 base, usize size) { m_regions.push_back({ base, std::vector<u8>(size) }); }

    // Pointer to `length` bytes at `address` inside one region; aborts the test otherwise.
    u8* at(u64 address, usize length = 1)
    {
        for (Region& r : m_regions) {
            if (address >= r.base && length <= r.bytes.size() && address - r.base <= r.bytes.size() - length)
                return r.bytes.data() + (address - r.base);
        }
        ADD_FAILURE() << "test wrote outside the fake memory at " << std::hex << address;
        std::abort();
    }

    void write(u64 address, const std::vector<u8>& bytes)
    {
        std::memcpy(at(address, bytes.size()), bytes.data(), bytes.size());
        m_written.push_back({ address, bytes.size() });
    }

    lib::Optional<lib::ReadonlyBytes> read(u64 phys, u64 length) override
    {
        m_reads.push_back({ phys, length });
        for (Region& r : m_regions) {
            if (phys >= r.base && length <= r.bytes.size() && phys - r.base <= r.bytes.size() - length) {
                auto begin = r.bytes.begin() + long(phys - r.base);
                std::vector<u8>& copy = m_handed_out.emplace_back(begin, begin + long(length));
                if (m_tamper)
                    m_tamper(copy);
                return lib::ReadonlyBytes(copy.data(), copy.size());
            }
        }
        return lib::nullopt;
    }

    struct Range {
        u64 address;
        u64 length;
    };
    const std::vector<Range>& reads() const { return m_reads; }
    // Drops the copies handed out so far. Precondition: no parse is using them.
    void forget_reads()
    {
        m_handed_out.clear();
        m_reads.clear();
    }
    const std::vector<Range>& written() const { return m_written; }
    void set_tamper(std::function<void(std::vector<u8>&)> tamper) { m_tamper = std::move(tamper); }

private:
    struct Region {
        u64 base;
        std::vector<u8> bytes;
    };
    std::vector<Region> m_regions;
    std::deque<std::vector<u8>> m_handed_out;
    std::vector<Range> m_reads;
    std::vector<Range> m_written;
    std::function<void(std::vector<u8>&)> m_tamper;
};

u8 sum(const u8* bytes, usize length)
{
    u8 s = 0;
    for (usize i = 0; i < length; ++i)
        s = u8(s + bytes[i]);
    return s;
}

// An SDT under construction: header fields as QEMU writes them, body at fixed offsets.
class Sdt {
public:
    Sdt(const char* signature, u8 revision, usize length) : m_bytes(length)
    {
        std::memcpy(m_bytes.data(), signature, 4);
        m_bytes[8] = revision;
        std::memcpy(&m_bytes[10], "BOCHS ", 6);
        std::memcpy(&m_bytes[16], "BXPC    ", 8);
        put32(24, 1);
        std::memcpy(&m_bytes[28], "BXPC", 4);
        put32(32, 1);
    }
    void put8(usize at, u8 v) { m_bytes.at(at) = v; }
    void put16(usize at, u16 v) { lib::store_le16(bytes(), at, v); }
    void put32(usize at, u32 v) { lib::store_le32(bytes(), at, v); }
    void put64(usize at, u64 v) { lib::store_le64(bytes(), at, v); }
    void put_gas(usize at, u8 space, u8 width, u8 offset, u8 access, u64 address)
    {
        put8(at, space);
        put8(at + 1, width);
        put8(at + 2, offset);
        put8(at + 3, access);
        put64(at + 4, address);
    }
    void append(std::initializer_list<u8> more) { m_bytes.insert(m_bytes.end(), more); }
    void append(const std::vector<u8>& more) { m_bytes.insert(m_bytes.end(), more.begin(), more.end()); }
    // Sets the length to the bytes so far and makes the checksum right.
    std::vector<u8> finish()
    {
        put32(4, u32(m_bytes.size()));
        m_bytes[9] = 0;
        m_bytes[9] = u8(0 - sum(m_bytes.data(), m_bytes.size()));
        return m_bytes;
    }

private:
    lib::Bytes bytes() { return lib::Bytes(m_bytes.data(), m_bytes.size()); }
    std::vector<u8> m_bytes;
};

std::vector<u8> rsdp(u8 revision, u32 rsdt, u64 xsdt)
{
    std::vector<u8> r(revision >= 2 ? 36 : 20);
    lib::Bytes b(r.data(), r.size());
    std::memcpy(r.data(), "RSD PTR ", 8);
    std::memcpy(&r[9], "BOCHS ", 6);
    r[15] = revision;
    lib::store_le32(b, 16, rsdt);
    if (revision >= 2) {
        lib::store_le32(b, 20, 36);
        lib::store_le64(b, 24, xsdt);
    }
    r[8] = u8(0 - sum(r.data(), 20));
    if (revision >= 2)
        r[32] = u8(0 - sum(r.data(), 36));
    return r;
}

std::vector<u8> rsdt(const std::vector<u32>& entries)
{
    Sdt t("RSDT", 1, 36);
    for (u32 e : entries)
        t.append({ u8(e), u8(e >> 8), u8(e >> 16), u8(e >> 24) });
    return t.finish();
}

std::vector<u8> xsdt(const std::vector<u64>& entries)
{
    Sdt t("XSDT", 1, 36);
    for (u64 e : entries) {
        for (int i = 0; i < 8; ++i)
            t.append({ u8(e >> (8 * i)) });
    }
    return t.finish();
}

// MADT entries (5.2.12.2, .3, .5, .8 and a type 4 local APIC NMI, which the parser skips).
std::vector<u8> lapic_entry(u8 uid, u8 apic_id, u32 flags)
{
    return { 0, 8, uid, apic_id, u8(flags), u8(flags >> 8), u8(flags >> 16), u8(flags >> 24) };
}
std::vector<u8> ioapic_entry(u8 id, u32 address, u32 gsi_base)
{
    return { 1, 12, id, 0, u8(address), u8(address >> 8), u8(address >> 16), u8(address >> 24), u8(gsi_base),
        u8(gsi_base >> 8), u8(gsi_base >> 16), u8(gsi_base >> 24) };
}
std::vector<u8> override_entry(u8 bus, u8 source, u32 gsi, u16 flags)
{
    return { 2, 10, bus, source, u8(gsi), u8(gsi >> 8), u8(gsi >> 16), u8(gsi >> 24), u8(flags), u8(flags >> 8) };
}
std::vector<u8> lapic_nmi_entry() { return { 4, 6, 0xff, 0, 0, 1 }; }

std::vector<u8> madt(u32 flags, const std::vector<std::vector<u8>>& entries)
{
    Sdt t("APIC", 1, 44);
    t.put32(36, 0xfee00000);
    t.put32(40, flags);
    for (auto& e : entries)
        t.append(e);
    return t.finish();
}

// QEMU q35 with one CPU: ISA IRQ 0 on GSI 2, the PCI link IRQs 5, 9, 10, 11 level-triggered.
std::vector<u8> q35_madt()
{
    return madt(1, { lapic_entry(0, 0, 1), ioapic_entry(0, 0xfec00000, 0), override_entry(0, 0, 2, 0),
                       override_entry(0, 5, 5, 0xd), override_entry(0, 9, 9, 0xd), override_entry(0, 10, 10, 0xd),
                       override_entry(0, 11, 11, 0xd), lapic_nmi_entry() });
}

// QEMU q35's revision 3 FADT: ICH9 PM block at 0x600, reset through 0xcf9.
std::vector<u8> q35_fadt(u32 facs, u32 dsdt)
{
    Sdt t("FACP", 3, 244);
    t.put32(36, facs);
    t.put32(40, dsdt);
    t.put16(46, 9);    // SCI_INT
    t.put32(48, 0xb2); // SMI_CMD
    t.put8(52, 2);     // ACPI_ENABLE
    t.put8(53, 3);     // ACPI_DISABLE
    t.put32(56, 0x600);
    t.put32(64, 0x604);
    t.put32(76, 0x608);
    t.put32(80, 0x620);
    t.put8(88, 4);
    t.put8(89, 2);
    t.put8(91, 4);
    t.put8(92, 0x10);
    t.put16(96, 0xfff);
    t.put16(98, 0xfff);
    t.put8(108, 0x32);
    t.put32(112, 0x84a5); // Includes RESET_REG_SUP.
    t.put_gas(116, 1, 8, 0, 0, 0xcf9);
    t.put8(128, 0x0f);
    t.put64(140, dsdt);
    t.put_gas(148, 1, 32, 0, 0, 0x600);
    t.put_gas(172, 1, 16, 0, 0, 0x604);
    t.put_gas(208, 1, 32, 0, 0, 0x608);
    t.put_gas(220, 1, 128, 0, 0, 0x620);
    return t.finish();
}

// Name(_S5_, Package(4) {...}) with the given element encodings.
std::vector<u8> s5_decl(const std::vector<u8>& elements, u8 count = 4)
{
    std::vector<u8> out = { 0x08, '_', 'S', '5', '_', 0x12, u8(2 + elements.size()), count };
    out.insert(out.end(), elements.begin(), elements.end());
    return out;
}

// A DSDT body with some AML around \_S5, including a decoy "_S5_" inside a string.
std::vector<u8> dsdt(const std::vector<u8>& s5)
{
    Sdt t("DSDT", 1, 36);
    t.append({ 0x10, 0x1e, '\\', '_', 'S', 'B', '_', 0x5b, 0x82, 0x17, 'P', 'C', 'I', '0', 0x08, '_', 'H', 'I', 'D',
        0x0c, 0x41, 0xd0, 0x0a, 0x08, 0x08, '_', 'U', 'I', 'D', 0x00, 0x0d, '_', 'S', '5', '_', 0x00 });
    t.append(s5);
    t.append({ 0x14, 0x09, '_', 'P', 'T', 'S', 0x01, 0x70, 0x68, 0x60 });
    return t.finish();
}

std::vector<u8> q35_dsdt() { return dsdt(s5_decl({ 0, 0, 0, 0 })); }

std::vector<u8> mcfg(const std::vector<std::vector<u8>>& entries)
{
    Sdt t("MCFG", 1, 44);
    for (auto& e : entries)
        t.append(e);
    return t.finish();
}

std::vector<u8> mcfg_entry(u64 base, u16 segment, u8 start, u8 end)
{
    std::vector<u8> e(16);
    lib::Bytes b(e.data(), e.size());
    lib::store_le64(b, 0, base);
    lib::store_le16(b, 8, segment);
    e[10] = start;
    e[11] = end;
    return e;
}

std::vector<u8> plain_table(const char* signature, usize length) { return Sdt(signature, 1, length).finish(); }

// A machine's memory with its table set. Addresses are deliberately unaligned, like QEMU's.
struct Machine {
    FakeMemory memory;
    u64 rsdp = 0;
    u64 root = 0;
    u64 facp = 0;
    u64 dsdt = 0;
    u64 apic = 0;
    u64 mcfg = 0;
};

constexpr u64 table_region = 0x7fe0000;
constexpr u64 high_region = 0x100000000;

void add_standard_regions(FakeMemory& memory)
{
    memory.add_region(0, 0xa0000); // Low memory with the BDA; EBDA at 0x9fc00 (no RSDP in it).
    lib::store_le16(lib::Bytes(memory.at(0x40e, 2), 2), 0, 0x9fc0);
    memory.add_region(0xe0000, 0x20000);
    memory.add_region(table_region, 0x4000);
}

// QEMU 7.2 -M q35 with SeaBIOS: an ACPI 1.0 RSDP in the F segment, an RSDT, FACP/APIC/HPET/
// MCFG/WAET, and the DSDT that the FADT points to.
Machine q35()
{
    Machine m;
    add_standard_regions(m.memory);
    m.rsdp = 0xf52d0;
    m.root = table_region + 0x2349;
    m.facp = table_region + 0x20f1;
    m.dsdt = table_region + 0x40;
    m.apic = table_region + 0x21e5;
    m.mcfg = table_region + 0x229d;
    u64 facs = table_region;
    u64 hpet = table_region + 0x2265;
    u64 waet = table_region + 0x22d9;
    m.memory.write(m.rsdp, rsdp(0, u32(m.root), 0));
    m.memory.write(m.root, rsdt({ u32(m.facp), u32(m.apic), u32(hpet), u32(m.mcfg), u32(waet) }));
    m.memory.write(m.facp, q35_fadt(u32(facs), u32(m.dsdt)));
    m.memory.write(m.dsdt, q35_dsdt());
    m.memory.write(m.apic, q35_madt());
    m.memory.write(hpet, plain_table("HPET", 56));
    m.memory.write(m.mcfg, mcfg({ mcfg_entry(0xb0000000, 0, 0, 255) }));
    m.memory.write(waet, plain_table("WAET", 40));
    return m;
}

// QEMU 7.2's revision 5 hardware-reduced FADT for microvm: GED sleep/reset registers, no PM1.
std::vector<u8> microvm_fadt(u64 dsdt, u8 sleep_space, u64 sleep_base)
{
    Sdt t("FACP", 5, 268);
    t.put8(131, 1); // FADT minor version.
    t.put32(112, Fadt::flag_hardware_reduced | Fadt::flag_reset_reg_supported);
    t.put_gas(116, sleep_space, 8, 0, 0, sleep_base + 2);
    t.put8(128, 0x42);
    t.put64(140, dsdt);
    t.put_gas(244, sleep_space, 8, 0, 0, sleep_base);
    t.put_gas(256, sleep_space, 8, 0, 0, sleep_base + 1);
    return t.finish();
}

// QEMU 7.2 -M microvm: an ACPI 2.0 RSDP with only an XSDT; here the MADT sits above 4 GiB so
// the 64-bit entries matter.
Machine microvm(u8 sleep_space = 0, u64 sleep_base = 0xfea00200)
{
    Machine m;
    add_standard_regions(m.memory);
    m.memory.add_region(high_region, 0x1000);
    m.rsdp = 0xf5a40;
    m.root = table_region + 0x1a8;
    m.facp = table_region + 0x204;
    m.dsdt = table_region + 0x40;
    m.apic = high_region + 0x10;
    m.memory.write(m.rsdp, rsdp(2, 0, m.root));
    m.memory.write(m.root, xsdt({ m.facp, m.apic }));
    m.memory.write(m.facp, microvm_fadt(m.dsdt, sleep_space, sleep_base));
    m.memory.write(m.dsdt, dsdt(s5_decl({ 0x0a, 0x05, 0, 0, 0 })));
    m.memory.write(m.apic, madt(0, { lapic_entry(0, 0, 1), ioapic_entry(0, 0xfec00000, 0), override_entry(0, 0, 2, 0) }));
    return m;
}

// Recomputes the checksum of the SDT at `address` after a test patched it.
void fix_checksum(FakeMemory& memory, u64 address)
{
    u32 length = lib::load_le32(lib::ReadonlyBytes(memory.at(address, 36), 36), 4);
    u8* t = memory.at(address, length);
    t[9] = 0;
    t[9] = u8(0 - sum(t, length));
}

void fix_rsdp_checksums(FakeMemory& memory, u64 address)
{
    u8* r = memory.at(address, 36);
    r[8] = 0;
    r[8] = u8(0 - sum(r, 20));
    if (r[15] >= 2) {
        r[32] = 0;
        r[32] = u8(0 - sum(r, 36));
    }
}

std::vector<std::string> signatures(const Tables& tables)
{
    std::vector<std::string> out;
    for (const TableInfo& t : tables.tables())
        out.push_back(str(t.name()));
    return out;
}

lib::ReadonlyBytes view(const std::vector<u8>& bytes) { return lib::ReadonlyBytes(bytes.data(), bytes.size()); }

template<typename T> AcpiError error_of(const lib::Result<T, AcpiError>& result)
{
    EXPECT_TRUE(result.is_error());
    return result.is_error() ? result.error() : AcpiError::NoRsdp;
}

bool all_zero(const SkippedTables& s)
{
    return s.unreadable == 0 && s.bad_length == 0 && s.bad_checksum == 0 && s.unparsable == 0 && s.over_capacity == 0;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Realistic table sets.

TEST(AcpiTest, Q35ThroughTheHint)
{
    Machine m = q35();
    auto result = Tables::discover(m.memory, m.rsdp);
    ASSERT_TRUE(result.is_ok()) << str(acpi_error_name(result.error()));
    const Tables& t = result.value();
    EXPECT_EQ(t.rsdp().address, m.rsdp);
    EXPECT_EQ(t.rsdp().revision, 0);
    EXPECT_FALSE(t.uses_xsdt());
    EXPECT_EQ(signatures(t), (std::vector<std::string> { "FACP", "APIC", "HPET", "MCFG", "WAET", "DSDT" }));
    EXPECT_TRUE(all_zero(t.skipped()));
    ASSERT_TRUE(t.find("APIC").has_value());
    EXPECT_EQ(t.find("APIC")->address, m.apic);
    EXPECT_EQ(t.find("APIC")->length, 120u);
    EXPECT_EQ(t.find("FACP")->revision, 3);
    EXPECT_FALSE(t.find("SSDT").has_value());

    ASSERT_TRUE(t.madt().has_value());
    const Madt& madt = *t.madt();
    EXPECT_EQ(madt.local_apic_address(), 0xfee00000u);
    EXPECT_TRUE(madt.pcat_compatible());
    EXPECT_FALSE(madt.malformed());
    ASSERT_EQ(madt.cpus().size(), 1u);
    EXPECT_TRUE(madt.cpus()[0].enabled);
    EXPECT_EQ(madt.cpus()[0].apic_id, 0);
    ASSERT_EQ(madt.io_apics().size(), 1u);
    EXPECT_EQ(madt.io_apics()[0].address, 0xfec00000u);
    EXPECT_EQ(madt.io_apics()[0].gsi_base, 0u);
    EXPECT_EQ(madt.overrides().size(), 5u);

    InterruptFlags flags {};
    EXPECT_EQ(madt.isa_irq_to_gsi(0, flags), 2u);
    EXPECT_EQ(flags.polarity, Polarity::ActiveHigh);
    EXPECT_EQ(flags.trigger, TriggerMode::Edge);
    EXPECT_EQ(madt.isa_irq_to_gsi(9, flags), 9u);
    EXPECT_EQ(flags.polarity, Polarity::ActiveHigh);
    EXPECT_EQ(flags.trigger, TriggerMode::Level);
    EXPECT_EQ(madt.isa_irq_to_gsi(4, flags), 4u); // COM1: no override.
    EXPECT_EQ(flags.trigger, TriggerMode::Edge);

    ASSERT_TRUE(t.fadt().has_value());
    const Fadt& fadt = *t.fadt();
    EXPECT_FALSE(fadt.hardware_reduced());
    EXPECT_EQ(fadt.sci_interrupt(), 9);
    EXPECT_EQ(fadt.smi_command_port(), 0xb2u);
    EXPECT_EQ(fadt.acpi_enable_value(), 2);
    EXPECT_EQ(fadt.dsdt_address(), m.dsdt);
    ASSERT_TRUE(fadt.pm1a_control().has_value());
    EXPECT_EQ(fadt.pm1a_control()->space, AddressSpace::SystemIo);
    EXPECT_EQ(fadt.pm1a_control()->address, 0x604u);
    EXPECT_EQ(fadt.pm1a_control()->bit_width, 16);
    ASSERT_TRUE(fadt.reset_register().has_value());
    EXPECT_EQ(fadt.reset_register()->address, 0xcf9u);
    EXPECT_EQ(fadt.reset_value(), 0x0f);
    EXPECT_FALSE(fadt.sleep_control().has_value()); // A 244-byte FADT has none.

    ASSERT_TRUE(t.mcfg().has_value());
    ASSERT_EQ(t.mcfg()->regions().size(), 1u);
    EXPECT_EQ(t.mcfg()->regions()[0].base, 0xb0000000u);
    EXPECT_EQ(t.mcfg()->regions()[0].segment, 0);
    EXPECT_EQ(t.mcfg()->regions()[0].start_bus, 0);
    EXPECT_EQ(t.mcfg()->regions()[0].end_bus, 255);
    EXPECT_FALSE(t.mcfg()->malformed());

    ASSERT_TRUE(t.s5().has_value());
    EXPECT_EQ(t.s5()->a, 0);
    EXPECT_EQ(t.s5()->b, 0);
    EXPECT_EQ(t.power_off().kind, PowerOffMethod::Kind::Pm1aControl);
    EXPECT_EQ(t.power_off().reg.address, 0x604u);
    EXPECT_EQ(t.power_off().reg.space, AddressSpace::SystemIo);
    EXPECT_EQ(t.power_off().value(), 0x2000); // SLP_EN, SLP_TYP 0.
}

TEST(AcpiTest, Q35ByScanningTheBiosArea)
{
    Machine m = q35();
    // A decoy signature with a bad checksum comes first, and the EBDA is scanned but empty.
    std::vector<u8> decoy = rsdp(0, 0x1234, 0);
    decoy[8] ^= 1;
    m.memory.write(0xe0010, decoy);
    auto result = Tables::discover(m.memory, 0);
    ASSERT_TRUE(result.is_ok());
    EXPECT_EQ(result.value().rsdp().address, m.rsdp);
    EXPECT_EQ(result.value().tables().size(), 6u);
    bool scanned_ebda = false;
    for (auto r : m.memory.reads())
        scanned_ebda |= r.address == 0x9fc00;
    EXPECT_TRUE(scanned_ebda);
}

TEST(AcpiTest, RsdpInTheEbdaIsFoundFirst)
{
    Machine m = q35();
    m.memory.write(0x9fc40, rsdp(0, u32(m.root), 0));
    auto found = find_rsdp(m.memory, 0);
    ASSERT_TRUE(found.is_ok());
    EXPECT_EQ(found.value().address, 0x9fc40u);
    EXPECT_EQ(found.value().rsdt_address, m.root);
}

TEST(AcpiTest, ScanSkipsUnalignedAndFindsNothingWithoutRsdp)
{
    Machine m = q35();
    std::memset(m.memory.at(m.rsdp, 20), 0, 20);
    m.memory.write(0xe0008, rsdp(0, u32(m.root), 0)); // Not on a 16-byte boundary.
    EXPECT_EQ(error_of(find_rsdp(m.memory, 0)), AcpiError::NoRsdp);
    EXPECT_EQ(error_of(Tables::discover(m.memory, 0)), AcpiError::NoRsdp);
}

TEST(AcpiTest, MicrovmHardwareReducedInMemorySpace)
{
    Machine m = microvm();
    auto result = Tables::discover(m.memory, m.rsdp);
    ASSERT_TRUE(result.is_ok()) << str(acpi_error_name(result.error()));
    const Tables& t = result.value();
    EXPECT_EQ(t.rsdp().revision, 2);
    EXPECT_EQ(t.rsdp().rsdt_address, 0u);
    EXPECT_EQ(t.rsdp().xsdt_address, m.root);
    EXPECT_TRUE(t.uses_xsdt());
    EXPECT_EQ(signatures(t), (std::vector<std::string> { "FACP", "APIC", "DSDT" }));
    EXPECT_EQ(t.find("APIC")->address, m.apic); // Above 4 GiB.
    EXPECT_TRUE(all_zero(t.skipped()));
    EXPECT_FALSE(t.mcfg().has_value());

    ASSERT_TRUE(t.madt().has_value());
    EXPECT_FALSE(t.madt()->pcat_compatible());
    ASSERT_TRUE(t.fadt().has_value());
    const Fadt& fadt = *t.fadt();
    EXPECT_TRUE(fadt.hardware_reduced());
    EXPECT_FALSE(fadt.pm1a_control().has_value());
    ASSERT_TRUE(fadt.sleep_control().has_value());
    EXPECT_EQ(fadt.sleep_control()->space, AddressSpace::SystemMemory);
    EXPECT_EQ(fadt.sleep_control()->address, 0xfea00200u);
    EXPECT_EQ(fadt.sleep_control()->bit_width, 8);
    ASSERT_TRUE(fadt.sleep_status().has_value());
    EXPECT_EQ(fadt.sleep_status()->address, 0xfea00201u);
    ASSERT_TRUE(fadt.reset_register().has_value());
    EXPECT_EQ(fadt.reset_register()->address, 0xfea00202u);
    EXPECT_EQ(fadt.reset_value(), 0x42);

    ASSERT_TRUE(t.s5().has_value());
    EXPECT_EQ(t.s5()->a, 5);
    EXPECT_EQ(t.power_off().kind, PowerOffMethod::Kind::SleepControlRegister);
    EXPECT_EQ(t.power_off().reg.address, 0xfea00200u);
    EXPECT_EQ(t.power_off().sleep_type, 5);
    EXPECT_EQ(t.power_off().value(), (5 << 2) | (1 << 5));
}

TEST(AcpiTest, MicrovmSleepControlInIoSpace)
{
    Machine m = microvm(1, 0x4100);
    auto result = Tables::discover(m.memory, m.rsdp);
    ASSERT_TRUE(result.is_ok());
    EXPECT_EQ(result.value().power_off().kind, PowerOffMethod::Kind::SleepControlRegister);
    EXPECT_EQ(result.value().power_off().reg.space, AddressSpace::SystemIo);
    EXPECT_EQ(result.value().power_off().reg.address, 0x4100u);
}

// ---------------------------------------------------------------------------------------------
// RSDP.

TEST(AcpiTest, HintedRsdpProblems)
{
    {
        Machine m = q35();
        m.memory.at(m.rsdp)[8] ^= 0x40;
        EXPECT_EQ(error_of(find_rsdp(m.memory, m.rsdp)), AcpiError::BadRsdpChecksum);
        EXPECT_EQ(error_of(Tables::discover(m.memory, m.rsdp)), AcpiError::BadRsdpChecksum);
    }
    {
        Machine m = q35();
        EXPECT_EQ(error_of(find_rsdp(m.memory, 0x5000000)), AcpiError::NoRsdp); // Unreadable.
        EXPECT_EQ(error_of(find_rsdp(m.memory, m.rsdp + 16)), AcpiError::NoRsdp); // No signature.
        EXPECT_EQ(error_of(find_rsdp(m.memory, 0xfffffffffffffff0)), AcpiError::NoRsdp); // Wraps.
        // The last readable 19 bytes of a region cannot hold an RSDP.
        EXPECT_EQ(error_of(find_rsdp(m.memory, 0xfffed)), AcpiError::NoRsdp);
    }
    {
        Machine m = microvm();
        m.memory.at(m.rsdp)[32] ^= 1; // Extended checksum only.
        EXPECT_EQ(error_of(find_rsdp(m.memory, m.rsdp)), AcpiError::BadRsdpChecksum);
        // And the scan does not accept it either.
        EXPECT_EQ(error_of(find_rsdp(m.memory, 0)), AcpiError::NoRsdp);
    }
}

TEST(AcpiTest, Rsdp2LengthsThatLie)
{
    for (u32 length : { 0u, 20u, 35u, 1025u, 0xffffffffu }) {
        Machine m = microvm();
        lib::store_le32(lib::Bytes(m.memory.at(m.rsdp, 36), 36), 20, length);
        fix_rsdp_checksums(m.memory, m.rsdp);
        EXPECT_EQ(error_of(find_rsdp(m.memory, m.rsdp)), AcpiError::BadRsdp) << length;
    }
    // A longer length is fine when readable and checksummed (the extra bytes are reserved).
    Machine m = microvm();
    lib::store_le32(lib::Bytes(m.memory.at(m.rsdp, 36), 36), 20, 40);
    u8* r = m.memory.at(m.rsdp, 40);
    r[8] = 0;
    r[8] = u8(0 - sum(r, 20));
    r[32] = 0;
    r[32] = u8(0 - sum(r, 40));
    EXPECT_TRUE(find_rsdp(m.memory, m.rsdp).is_ok());
    // But not when it runs past readable memory: an RSDP at the very end of the F segment.
    Machine end = microvm();
    end.memory.write(0xfffdc, rsdp(2, 0, end.root));
    lib::store_le32(lib::Bytes(end.memory.at(0xfffdc, 36), 36), 20, 48);
    fix_rsdp_checksums(end.memory, 0xfffdc);
    EXPECT_EQ(error_of(find_rsdp(end.memory, 0xfffdc)), AcpiError::BadRsdp);
}

// A PhysicalMemory that hands back fewer bytes than asked must not make the parser read past them.
TEST(AcpiTest, ShortReadsCountAsUnreadable)
{
    struct ShortMemory final : PhysicalMemory {
        std::vector<u8> bytes = rsdp(0, 0x1000, 0);
        lib::Optional<lib::ReadonlyBytes> read(u64, u64 length) override
        {
            return lib::ReadonlyBytes(bytes.data(), std::min<usize>(bytes.size(), length) / 2);
        }
    } memory;
    EXPECT_EQ(error_of(find_rsdp(memory, 0x1000)), AcpiError::NoRsdp);
}

// ---------------------------------------------------------------------------------------------
// Root tables.

TEST(AcpiTest, RootTableProblemsAreFatal)
{
    {
        Machine m = q35();
        m.memory.write(m.rsdp, rsdp(0, 0x9000000, 0)); // RSDT in unreadable memory.
        EXPECT_EQ(error_of(Tables::discover(m.memory, m.rsdp)), AcpiError::BadRootTable);
    }
    {
        Machine m = q35();
        m.memory.write(m.rsdp, rsdp(0, 0, 0)); // No RSDT at all.
        EXPECT_EQ(error_of(Tables::discover(m.memory, m.rsdp)), AcpiError::BadRootTable);
    }
    {
        Machine m = q35();
        m.memory.at(m.root)[40] ^= 1; // Bad checksum.
        EXPECT_EQ(error_of(Tables::discover(m.memory, m.rsdp)), AcpiError::BadRootTable);
    }
    {
        Machine m = q35();
        std::memcpy(m.memory.at(m.root, 4), "XSDT", 4); // An XSDT where the RSDT should be.
        fix_checksum(m.memory, m.root);
        EXPECT_EQ(error_of(Tables::discover(m.memory, m.rsdp)), AcpiError::BadRootTable);
    }
    {
        Machine m = q35();
        m.memory.write(m.root, Sdt("RSDT", 1, 38).finish()); // Half an entry.
        EXPECT_EQ(error_of(Tables::discover(m.memory, m.rsdp)), AcpiError::BadRootTable);
    }
}

TEST(AcpiTest, BadXsdtFallsBackToRsdt)
{
    // An XSDT whose entry area is not a multiple of 8 bytes (five 4-byte pointers: an RSDT's
    // body under an XSDT header), next to a valid RSDT.
    Machine m = q35();
    u64 xsdt_address = table_region + 0x3000;
    std::vector<u8> odd = rsdt({ u32(m.facp), u32(m.apic), 0x1234, u32(m.mcfg), 0x5678 });
    std::memcpy(odd.data(), "XSDT", 4);
    m.memory.write(xsdt_address, odd);
    fix_checksum(m.memory, xsdt_address);
    m.memory.write(m.rsdp, rsdp(2, u32(m.root), xsdt_address));
    auto result = Tables::discover(m.memory, m.rsdp);
    ASSERT_TRUE(result.is_ok());
    EXPECT_FALSE(result.value().uses_xsdt());
    EXPECT_EQ(result.value().tables().size(), 6u);

    // Unreadable XSDT: the same fallback.
    m.memory.write(m.rsdp, rsdp(2, u32(m.root), 0x123400000000));
    auto unreadable = Tables::discover(m.memory, m.rsdp);
    ASSERT_TRUE(unreadable.is_ok());
    EXPECT_FALSE(unreadable.value().uses_xsdt());
}

TEST(AcpiTest, OddXsdtWithoutRsdtIsFatal)
{
    Machine m = microvm();
    std::vector<u8> x = xsdt({ m.facp, m.apic });
    Sdt odd("XSDT", 1, 36);
    odd.append(std::vector<u8>(x.begin() + 36, x.end() - 4)); // 12 bytes of entries.
    m.memory.write(m.root, odd.finish());
    EXPECT_EQ(error_of(Tables::discover(m.memory, m.rsdp)), AcpiError::BadRootTable);
}

// ---------------------------------------------------------------------------------------------
// Individual tables that lie are skipped and counted.

TEST(AcpiTest, TableWithBadChecksumIsSkipped)
{
    Machine m = q35();
    m.memory.at(m.apic)[50] ^= 0x80;
    auto result = Tables::discover(m.memory, m.rsdp);
    ASSERT_TRUE(result.is_ok());
    const Tables& t = result.value();
    EXPECT_EQ(t.skipped().bad_checksum, 1u);
    EXPECT_FALSE(t.madt().has_value());
    EXPECT_FALSE(t.find("APIC").has_value());
    EXPECT_EQ(signatures(t), (std::vector<std::string> { "FACP", "HPET", "MCFG", "WAET", "DSDT" }));
    EXPECT_EQ(t.power_off().kind, PowerOffMethod::Kind::Pm1aControl);
}

TEST(AcpiTest, TableLengthsThatLie)
{
    struct Case {
        u32 length;
        usize SkippedTables::*counter;
    };
    // The MCFG sits 0x1d63 bytes before the end of the table region.
    const Case cases[] = {
        { 0, &SkippedTables::bad_length },
        { 35, &SkippedTables::bad_length },
        { TableView::max_table_length + 1, &SkippedTables::bad_length },
        { 0xffffffff, &SkippedTables::bad_length },
        { 0x1d64, &SkippedTables::unreadable }, // One byte past readable memory.
        { 0x1000, &SkippedTables::bad_checksum }, // Readable, but the sum is now wrong.
    };
    for (const Case& c : cases) {
        Machine m = q35();
        lib::store_le32(lib::Bytes(m.memory.at(m.mcfg, 36), 36), 4, c.length);
        auto result = Tables::discover(m.memory, m.rsdp);
        ASSERT_TRUE(result.is_ok());
        const Tables& t = result.value();
        EXPECT_EQ(t.skipped().*c.counter, 1u) << c.length;
        EXPECT_EQ(t.tables().size(), 5u) << c.length;
        EXPECT_FALSE(t.mcfg().has_value());
        EXPECT_TRUE(t.madt().has_value());
    }
}

TEST(AcpiTest, NullAndUnreadableEntries)
{
    Machine m = q35();
    m.memory.write(m.root, rsdt({ 0, u32(m.facp), 0xdead0000, u32(table_region + 0x3ff0), u32(m.apic) }));
    auto result = Tables::discover(m.memory, m.rsdp);
    ASSERT_TRUE(result.is_ok());
    EXPECT_EQ(result.value().skipped().unreadable, 3u); // Null, unmapped, header crossing the end.
    EXPECT_EQ(signatures(result.value()), (std::vector<std::string> { "FACP", "APIC", "DSDT" }));
}

TEST(AcpiTest, TooManyTables)
{
    Machine m = q35();
    std::vector<u32> entries = { u32(m.facp) };
    u64 waet = table_region + 0x22d9;
    for (int i = 0; i < 69; ++i)
        entries.push_back(u32(waet));
    u64 big_rsdt = table_region + 0x2400;
    m.memory.write(big_rsdt, rsdt(entries));
    m.memory.write(m.rsdp, rsdp(0, u32(big_rsdt), 0));
    auto result = Tables::discover(m.memory, m.rsdp);
    ASSERT_TRUE(result.is_ok());
    const Tables& t = result.value();
    EXPECT_EQ(t.tables().size(), Tables::max_tables);
    EXPECT_EQ(t.skipped().over_capacity, 70u - 64u + 1u); // Six root entries and the DSDT.
    EXPECT_TRUE(t.s5().has_value()); // The DSDT is still parsed.
    // The capacity was hit before any entry past it was read.
    usize waet_reads = 0;
    for (auto r : m.memory.reads())
        waet_reads += r.address == waet;
    EXPECT_EQ(waet_reads, 2u * 63u);
}

TEST(AcpiTest, FirstOfDuplicateTablesWins)
{
    Machine m = q35();
    u64 second_apic = table_region + 0x3000;
    m.memory.write(second_apic, madt(0, { lapic_entry(1, 7, 1) }));
    m.memory.write(m.root, rsdt({ u32(m.facp), u32(m.apic), u32(second_apic) }));
    auto result = Tables::discover(m.memory, m.rsdp);
    ASSERT_TRUE(result.is_ok());
    EXPECT_EQ(signatures(result.value()), (std::vector<std::string> { "FACP", "APIC", "APIC", "DSDT" }));
    EXPECT_EQ(result.value().madt()->cpus()[0].apic_id, 0);
}

TEST(AcpiTest, UnparsableKnownTablesAreCounted)
{
    Machine m = q35();
    m.memory.write(m.apic, Sdt("APIC", 1, 40).finish()); // Valid header, no room for the fields.
    m.memory.write(m.facp, Sdt("FACP", 1, 100).finish());
    auto result = Tables::discover(m.memory, m.rsdp);
    ASSERT_TRUE(result.is_ok());
    EXPECT_EQ(result.value().skipped().unparsable, 2u);
    EXPECT_FALSE(result.value().madt().has_value());
    EXPECT_FALSE(result.value().fadt().has_value());
    EXPECT_FALSE(result.value().s5().has_value()); // No FADT, so no DSDT.
    EXPECT_EQ(result.value().power_off().kind, PowerOffMethod::Kind::None);
}

TEST(AcpiTest, DsdtProblems)
{
    {
        Machine m = q35();
        m.memory.write(m.facp, q35_fadt(0, 0x6000000)); // DSDT pointer to unreadable memory.
        auto result = Tables::discover(m.memory, m.rsdp);
        ASSERT_TRUE(result.is_ok());
        EXPECT_EQ(result.value().skipped().unreadable, 1u);
        EXPECT_FALSE(result.value().s5().has_value());
        EXPECT_EQ(result.value().power_off().kind, PowerOffMethod::Kind::None);
    }
    {
        Machine m = q35();
        m.memory.write(m.dsdt, Sdt("SSDT", 1, 36).finish()); // Not a DSDT.
        auto result = Tables::discover(m.memory, m.rsdp);
        ASSERT_TRUE(result.is_ok());
        EXPECT_EQ(result.value().skipped().unparsable, 1u);
        EXPECT_FALSE(result.value().find("DSDT").has_value());
    }
    {
        Machine m = q35();
        m.memory.at(m.dsdt)[40] ^= 1;
        auto result = Tables::discover(m.memory, m.rsdp);
        ASSERT_TRUE(result.is_ok());
        EXPECT_EQ(result.value().skipped().bad_checksum, 1u);
    }
}

// ---------------------------------------------------------------------------------------------
// TableView.

TEST(AcpiTest, TableViewChecks)
{
    std::vector<u8> t = plain_table("WAET", 40);
    auto ok = TableView::checked(view(t));
    ASSERT_TRUE(ok.is_ok());
    EXPECT_EQ(str(ok.value().signature()), "WAET");
    EXPECT_EQ(ok.value().length(), 40u);
    EXPECT_EQ(ok.value().revision(), 1);

    std::vector<u8> longer = t;
    longer.resize(64, 0xee); // Trailing bytes are cut off, not summed.
    ASSERT_TRUE(TableView::checked(view(longer)).is_ok());
    EXPECT_EQ(TableView::checked(view(longer)).value().length(), 40u);

    EXPECT_EQ(error_of(TableView::checked(lib::ReadonlyBytes(t.data(), 35))), AcpiError::BadLength);
    EXPECT_EQ(error_of(TableView::checked(lib::ReadonlyBytes(t.data(), 39))), AcpiError::BadLength);
    for (u32 length : { 0u, 35u, 41u, 0xffffffffu }) {
        std::vector<u8> bad = t;
        lib::store_le32(lib::Bytes(bad.data(), bad.size()), 4, length);
        EXPECT_EQ(error_of(TableView::checked(view(bad))), AcpiError::BadLength) << length;
    }
    std::vector<u8> big(TableView::max_table_length + 16);
    Sdt header("SSDT", 1, 36);
    std::vector<u8> h = header.finish();
    std::memcpy(big.data(), h.data(), 36);
    lib::store_le32(lib::Bytes(big.data(), big.size()), 4, u32(TableView::max_table_length + 1));
    EXPECT_EQ(error_of(TableView::checked(view(big))), AcpiError::BadLength);

    std::vector<u8> bad_sum = t;
    bad_sum[39] ^= 1;
    EXPECT_EQ(error_of(TableView::checked(view(bad_sum))), AcpiError::BadChecksum);
}

// ---------------------------------------------------------------------------------------------
// MADT.

TEST(AcpiTest, MadtEntryLengthsThatLie)
{
    const std::vector<u8> good = lapic_entry(0, 0, 1);
    struct Case {
        const char* what;
        std::vector<u8> bad;
    };
    // Each bad entry is followed by a valid I/O APIC entry, which must not be read.
    const Case followed[] = {
        { "length 0", { 1, 0, 0, 0 } },
        { "length 1", { 1, 1, 0, 0 } },
        { "I/O APIC too short for its type", { 1, 8, 0, 0, 0, 0, 0xc0, 0xfe } },
        { "local APIC too short", { 0, 4, 0, 0 } },
        { "override too short", { 2, 8, 0, 0, 2, 0, 0, 0 } },
        { "address override too short", { 5, 8, 0, 0, 0, 0, 0, 0 } },
    };
    for (const Case& c : followed) {
        std::vector<u8> t = madt(1, { good, c.bad, ioapic_entry(0, 0xfec00000, 0) });
        auto parsed = Madt::parse(view(t));
        ASSERT_TRUE(parsed.is_ok()) << c.what;
        EXPECT_TRUE(parsed.value().malformed()) << c.what;
        EXPECT_EQ(parsed.value().cpus().size(), 1u) << c.what; // Entries before the bad one stay.
        EXPECT_EQ(parsed.value().io_apics().size(), 0u) << c.what;
    }
    // Bad entries at the end of the table.
    const Case last[] = {
        { "overruns the table", { 1, 20, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0 } },
        { "one stray byte", { 1 } },
        { "length 255 with 3 bytes left", { 0, 255, 0 } },
    };
    for (const Case& c : last) {
        std::vector<u8> t = madt(1, { good, c.bad });
        auto parsed = Madt::parse(view(t));
        ASSERT_TRUE(parsed.is_ok()) << c.what;
        EXPECT_TRUE(parsed.value().malformed()) << c.what;
        EXPECT_EQ(parsed.value().cpus().size(), 1u) << c.what;
        EXPECT_EQ(parsed.value().io_apics().size(), 0u) << c.what;
    }
    auto fine = Madt::parse(view(madt(1, { good, ioapic_entry(0, 0xfec00000, 0) })));
    ASSERT_TRUE(fine.is_ok());
    EXPECT_FALSE(fine.value().malformed());
    EXPECT_EQ(fine.value().io_apics().size(), 1u);
}

TEST(AcpiTest, MadtEntryKinds)
{
    std::vector<u8> address_override = { 5, 12, 0, 0 };
    for (int i = 0; i < 8; ++i)
        address_override.push_back(u8(0x0000000fee00000ull >> (8 * i)));
    lib::store_le64(lib::Bytes(address_override.data(), 12), 4, 0x12345678000);
    std::vector<u8> long_lapic = lapic_entry(3, 4, 2);
    long_lapic[1] = 10;
    long_lapic.push_back(0xaa);
    long_lapic.push_back(0xbb);
    std::vector<u8> t = madt(0, { { 0x7f, 3, 0 }, long_lapic, address_override, override_entry(1, 4, 20, 0xf),
                                    override_entry(0, 3, 23, 0xa), ioapic_entry(2, 0xfec01000, 24) });
    auto parsed = Madt::parse(view(t));
    ASSERT_TRUE(parsed.is_ok());
    const Madt& madt = parsed.value();
    EXPECT_FALSE(madt.malformed());
    EXPECT_EQ(madt.local_apic_address(), 0x12345678000u);
    ASSERT_EQ(madt.cpus().size(), 1u);
    EXPECT_EQ(madt.cpus()[0].processor_uid, 3);
    EXPECT_EQ(madt.cpus()[0].apic_id, 4);
    EXPECT_FALSE(madt.cpus()[0].enabled);
    EXPECT_TRUE(madt.cpus()[0].online_capable);
    ASSERT_EQ(madt.io_apics().size(), 1u);
    EXPECT_EQ(madt.io_apics()[0].id, 2);
    EXPECT_EQ(madt.io_apics()[0].gsi_base, 24u);
    ASSERT_EQ(madt.overrides().size(), 2u);
    EXPECT_EQ(madt.overrides()[0].flags.polarity, Polarity::ActiveLow);
    EXPECT_EQ(madt.overrides()[0].flags.trigger, TriggerMode::Level);

    InterruptFlags flags {};
    EXPECT_EQ(madt.isa_irq_to_gsi(4, flags), 4u); // The override for source 4 is on bus 1.
    EXPECT_EQ(flags.polarity, Polarity::ActiveHigh);
    EXPECT_EQ(madt.isa_irq_to_gsi(3, flags), 23u);
    // Reserved polarity and trigger (0b10) resolve to the ISA defaults.
    EXPECT_EQ(flags.polarity, Polarity::ActiveHigh);
    EXPECT_EQ(flags.trigger, TriggerMode::Edge);
}

TEST(AcpiTest, MadtCapacity)
{
    std::vector<std::vector<u8>> entries;
    for (int i = 0; i < 70; ++i)
        entries.push_back(lapic_entry(u8(i), u8(i), 1));
    for (int i = 0; i < 10; ++i)
        entries.push_back(ioapic_entry(u8(i), 0xfec00000 + 0x1000 * u32(i), 24 * u32(i)));
    for (int i = 0; i < 20; ++i)
        entries.push_back(override_entry(0, u8(i), u32(i + 100), 0));
    std::vector<u8> t = madt(1, entries);
    auto parsed = Madt::parse(view(t));
    ASSERT_TRUE(parsed.is_ok());
    EXPECT_EQ(parsed.value().cpus().size(), Madt::max_cpus);
    EXPECT_EQ(parsed.value().cpus()[63].apic_id, 63);
    EXPECT_EQ(parsed.value().io_apics().size(), Madt::max_io_apics);
    EXPECT_EQ(parsed.value().overrides().size(), Madt::max_overrides);
    EXPECT_EQ(parsed.value().dropped(), 6u + 2u + 4u);
    EXPECT_FALSE(parsed.value().malformed());
}

TEST(AcpiTest, MadtHeaderProblems)
{
    EXPECT_EQ(error_of(Madt::parse(view(Sdt("APIC", 1, 43).finish()))), AcpiError::Truncated);
    EXPECT_TRUE(Madt::parse(view(Sdt("APIC", 1, 44).finish())).is_ok());
    EXPECT_EQ(error_of(Madt::parse(view(q35_fadt(0, 0)))), AcpiError::BadSignature);
    std::vector<u8> t = q35_madt();
    t[60] ^= 1;
    EXPECT_EQ(error_of(Madt::parse(view(t))), AcpiError::BadChecksum);
    EXPECT_EQ(error_of(Madt::parse(lib::ReadonlyBytes(t.data(), t.size() - 1))), AcpiError::BadLength);
}

// ---------------------------------------------------------------------------------------------
// FADT.

TEST(AcpiTest, Acpi1Fadt)
{
    // 116 bytes, as QEMU's -M pc builds it: no reset register, no X_ fields.
    Sdt t("FACP", 1, 116);
    t.put32(40, 0x7fe0040);
    t.put16(46, 9);
    t.put32(64, 0xb004);
    t.put32(112, Fadt::flag_reset_reg_supported); // Set, but the field is not there.
    auto parsed = Fadt::parse(view(t.finish()));
    ASSERT_TRUE(parsed.is_ok());
    const Fadt& fadt = parsed.value();
    EXPECT_EQ(fadt.dsdt_address(), 0x7fe0040u);
    ASSERT_TRUE(fadt.pm1a_control().has_value());
    EXPECT_EQ(fadt.pm1a_control()->address, 0xb004u);
    EXPECT_EQ(fadt.pm1a_control()->space, AddressSpace::SystemIo);
    EXPECT_FALSE(fadt.reset_register().has_value());
    EXPECT_FALSE(fadt.sleep_control().has_value());

    EXPECT_EQ(error_of(Fadt::parse(view(Sdt("FACP", 1, 115).finish()))), AcpiError::Truncated);
    EXPECT_EQ(error_of(Fadt::parse(view(q35_madt()))), AcpiError::BadSignature);
}

TEST(AcpiTest, FadtExtendedFieldsWin)
{
    Sdt t("FACP", 3, 244);
    t.put32(40, 0x1000);
    t.put64(140, 0x200000000); // X_DSDT wins over DSDT.
    t.put32(64, 0x604);
    t.put_gas(172, 1, 16, 0, 2, 0x1804); // X_PM1a_CNT_BLK wins over PM1a_CNT_BLK.
    auto parsed = Fadt::parse(view(t.finish()));
    ASSERT_TRUE(parsed.is_ok());
    EXPECT_EQ(parsed.value().dsdt_address(), 0x200000000u);
    EXPECT_EQ(parsed.value().pm1a_control()->address, 0x1804u);
    EXPECT_EQ(parsed.value().pm1a_control()->access_size, 2);
    EXPECT_FALSE(parsed.value().reset_register().has_value()); // RESET_REG_SUP is clear.

    Sdt zero_x("FACP", 3, 244);
    zero_x.put32(40, 0x1000);
    zero_x.put32(64, 0x10000); // Not an I/O port.
    auto p2 = Fadt::parse(view(zero_x.finish()));
    ASSERT_TRUE(p2.is_ok());
    EXPECT_EQ(p2.value().dsdt_address(), 0x1000u);
    EXPECT_FALSE(p2.value().pm1a_control().has_value());
}

TEST(AcpiTest, FadtSleepRegistersNeedTheirLength)
{
    // 256 bytes: SLEEP_CONTROL_REG fits, SLEEP_STATUS_REG does not.
    Sdt t("FACP", 5, 256);
    t.put32(112, Fadt::flag_hardware_reduced);
    t.put_gas(244, 0, 8, 0, 1, 0xfea00200);
    auto parsed = Fadt::parse(view(t.finish()));
    ASSERT_TRUE(parsed.is_ok());
    EXPECT_TRUE(parsed.value().sleep_control().has_value());
    EXPECT_FALSE(parsed.value().sleep_status().has_value());
}

TEST(AcpiTest, PowerOffMethodNeedsEverything)
{
    auto fadt = [](u32 flags, bool pm1a, u8 sleep_space) {
        Sdt t("FACP", 5, 268);
        t.put32(112, flags);
        if (pm1a)
            t.put32(64, 0x604);
        t.put_gas(244, sleep_space, 8, 0, 1, 0xfea00200);
        return Fadt::parse(view(t.finish())).release_value();
    };
    SleepType s5 { 5, 5 };
    EXPECT_EQ(power_off_method(fadt(0, true, 0), lib::nullopt).kind, PowerOffMethod::Kind::None);
    EXPECT_EQ(power_off_method(fadt(0, false, 0), s5).kind, PowerOffMethod::Kind::None); // No PM1a.
    PowerOffMethod legacy = power_off_method(fadt(0, true, 0), s5);
    EXPECT_EQ(legacy.kind, PowerOffMethod::Kind::Pm1aControl);
    EXPECT_EQ(legacy.value(), (5 << 10) | (1 << 13));
    PowerOffMethod reduced = power_off_method(fadt(Fadt::flag_hardware_reduced, true, 0), s5);
    EXPECT_EQ(reduced.kind, PowerOffMethod::Kind::SleepControlRegister);
    EXPECT_EQ(reduced.value(), (5 << 2) | (1 << 5));
    // A sleep control register in PCI configuration space is not something we can write.
    EXPECT_EQ(power_off_method(fadt(Fadt::flag_hardware_reduced, true, 2), s5).kind, PowerOffMethod::Kind::None);
    EXPECT_EQ(PowerOffMethod {}.value(), 0);
}

// ---------------------------------------------------------------------------------------------
// \_S5 in AML.

namespace {

lib::Optional<SleepType> s5_of(const std::vector<u8>& aml) { return find_s5_sleep_type(view(aml)); }

} // namespace

TEST(AcpiTest, S5Encodings)
{
    struct Case {
        std::vector<u8> elements;
        u8 a;
        u8 b;
    };
    const Case cases[] = {
        { { 0x00, 0x00, 0x00, 0x00 }, 0, 0 },
        { { 0x01, 0x0a, 0x07 }, 1, 7 },
        { { 0x0a, 0x05, 0x0b, 0x06, 0x00 }, 5, 6 },
        { { 0x0c, 0x03, 0, 0, 0, 0x0e, 0x02, 0, 0, 0, 0, 0, 0, 0 }, 3, 2 },
    };
    for (const Case& c : cases) {
        auto s5 = s5_of(s5_decl(c.elements));
        ASSERT_TRUE(s5.has_value());
        EXPECT_EQ(s5->a, c.a);
        EXPECT_EQ(s5->b, c.b);
    }
    // A single element: b is 0.
    auto single = s5_of(s5_decl({ 0x0a, 0x03 }, 1));
    ASSERT_TRUE(single.has_value());
    EXPECT_EQ(single->a, 3);
    EXPECT_EQ(single->b, 0);
    // Two-byte PkgLength: 0x4N then the high bits; bits 4-5 of the lead must be clear.
    std::vector<u8> two = { '_', 'S', '5', '_', 0x12, 0x47, 0x00, 0x04, 0x0a, 0x02, 0x0a, 0x01, 0x00 };
    auto s5 = s5_of(two);
    ASSERT_TRUE(s5.has_value());
    EXPECT_EQ(s5->a, 2);
    EXPECT_EQ(s5->b, 1);
    two[5] = 0x77;
    EXPECT_FALSE(s5_of(two).has_value());
    // The whole DSDT body as discover() passes it.
    std::vector<u8> table = q35_dsdt();
    EXPECT_TRUE(find_s5_sleep_type(view(table).slice(36)).has_value());
}

TEST(AcpiTest, S5Malformed)
{
    const std::vector<std::vector<u8>> bad = {
        {},
        { '_', 'S', '5', '_' },                                  // Name at the very end.
        { '_', 'S', '5', '_', 0x12 },                            // No PkgLength.
        { '_', 'S', '5', '_', 0x12, 0x06 },                      // PkgLength past the end.
        { '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00 },    // Truncated package.
        { '_', 'S', '5', '_', 0x12, 0x01, 0x04, 0x00 },          // PkgLength ends before NumElements.
        { '_', 'S', '5', '_', 0x12, 0x02, 0x04, 0x00 },          // ... before the first element.
        { '_', 'S', '5', '_', 0x12, 0x03, 0x04, 0x0a, 0x05 },    // ... inside the first element.
        { '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x0b, 0x01, 0x00 }, // ... inside the second.
        { '_', 'S', '5', '_', 0x12, 0x02, 0x00, 0x00 },          // NumElements 0.
        { '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0a, 0x08, 0x00 }, // SLP_TYP 8 does not fit 3 bits.
        { '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x0a, 0x09 }, // Neither may b.
        { '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0xff, 0x00, 0x00 }, // Ones.
        { '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0d, 0x41, 0x00 }, // A string, not an integer.
        { '_', 'S', '5', '_', 0x12, 0xc0, 0x00, 0x00 },          // Four-byte PkgLength cut short.
        { '_', 'S', '5', '_', 0x12, 0xc5, 0xff, 0xff, 0xff, 0x04, 0x00 }, // Huge PkgLength.
        { '_', 'S', '5', '_', 0x14, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00 }, // A Method, not a Package.
        { '_', 'S', '4', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00 },
    };
    for (usize i = 0; i < bad.size(); ++i)
        EXPECT_FALSE(s5_of(bad[i]).has_value()) << "case " << i;
}

TEST(AcpiTest, S5SkipsDecoysToTheRealOne)
{
    std::vector<u8> aml = { '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a, 0x09 }; // Malformed first.
    std::vector<u8> real = s5_decl({ 0x0a, 0x04, 0x00 }, 2);
    aml.insert(aml.end(), real.begin(), real.end());
    auto s5 = s5_of(aml);
    ASSERT_TRUE(s5.has_value());
    EXPECT_EQ(s5->a, 4);
}

// ---------------------------------------------------------------------------------------------
// MCFG.

TEST(AcpiTest, McfgEntries)
{
    std::vector<std::vector<u8>> entries;
    entries.push_back(mcfg_entry(0xb0000000, 0, 0, 255));
    entries.push_back(mcfg_entry(0xc0000000, 1, 10, 9)); // End below start: skipped.
    for (int i = 0; i < 9; ++i)
        entries.push_back(mcfg_entry(0xd0000000 + (u64(i) << 28), u16(i + 2), 0, 15));
    auto parsed = Mcfg::parse(view(mcfg(entries)));
    ASSERT_TRUE(parsed.is_ok());
    EXPECT_TRUE(parsed.value().malformed());
    EXPECT_EQ(parsed.value().regions().size(), Mcfg::max_regions);
    EXPECT_EQ(parsed.value().dropped(), 2u);
    EXPECT_EQ(parsed.value().regions()[1].segment, 2);
    EXPECT_EQ(parsed.value().regions()[1].end_bus, 15);

    // Trailing bytes that are not a whole entry.
    Sdt odd("MCFG", 1, 44);
    odd.append(mcfg_entry(0xb0000000, 0, 0, 255));
    odd.append({ 1, 2, 3, 4, 5, 6, 7, 8 });
    auto p2 = Mcfg::parse(view(odd.finish()));
    ASSERT_TRUE(p2.is_ok());
    EXPECT_TRUE(p2.value().malformed());
    EXPECT_EQ(p2.value().regions().size(), 1u);

    auto empty = Mcfg::parse(view(mcfg({})));
    ASSERT_TRUE(empty.is_ok());
    EXPECT_TRUE(empty.value().regions().is_empty());
    EXPECT_FALSE(empty.value().malformed());
    EXPECT_EQ(error_of(Mcfg::parse(view(Sdt("MCFG", 1, 43).finish()))), AcpiError::Truncated);
    EXPECT_EQ(error_of(Mcfg::parse(view(plain_table("WAET", 60)))), AcpiError::BadSignature);
}

TEST(AcpiTest, ErrorNames)
{
    EXPECT_EQ(str(acpi_error_name(AcpiError::NoRsdp)), "no RSDP");
    EXPECT_EQ(str(acpi_error_name(AcpiError::BadRootTable)), "bad root table");
    EXPECT_EQ(str(acpi_error_name(AcpiError::Truncated)), "truncated");
}

// ---------------------------------------------------------------------------------------------
// Properties.

namespace {

// What discover() says must be consistent with what it was given, whatever the bytes were.
void check_invariants(const Tables& t, const FakeMemory& memory)
{
    RC_ASSERT(t.tables().size() <= Tables::max_tables);
    for (const TableInfo& info : t.tables()) {
        RC_ASSERT(info.length >= TableView::header_size);
        RC_ASSERT(info.length <= TableView::max_table_length);
        // Every recorded table was read whole, at its address.
        bool read_whole = false;
        for (auto r : memory.reads())
            read_whole |= r.address == info.address && r.length >= info.length;
        RC_ASSERT(read_whole);
    }
    if (t.madt()) {
        RC_ASSERT(t.madt()->cpus().size() <= Madt::max_cpus);
        RC_ASSERT(t.madt()->io_apics().size() <= Madt::max_io_apics);
        RC_ASSERT(t.madt()->overrides().size() <= Madt::max_overrides);
        InterruptFlags flags {};
        for (int irq = 0; irq < 16; ++irq) {
            t.madt()->isa_irq_to_gsi(u8(irq), flags);
            RC_ASSERT(flags.polarity == Polarity::ActiveHigh || flags.polarity == Polarity::ActiveLow);
            RC_ASSERT(flags.trigger == TriggerMode::Edge || flags.trigger == TriggerMode::Level);
        }
    }
    if (t.mcfg()) {
        for (const EcamRegion& r : t.mcfg()->regions())
            RC_ASSERT(r.start_bus <= r.end_bus);
    }
    if (t.s5()) {
        RC_ASSERT(t.s5()->a <= 7);
        RC_ASSERT(t.s5()->b <= 7);
    }
    if (t.power_off().kind != PowerOffMethod::Kind::None) {
        RC_ASSERT(t.fadt().has_value());
        RC_ASSERT(t.s5().has_value());
    }
}

} // namespace

// Exhaustive single-byte changes: every byte of every structure of both machines set to a few
// boundary values, checksum repaired, and discover() run. Deterministic, so a regression in a
// bounds check fails here on every run, not only when the random properties happen to hit it.
TEST(AcpiTest, EverySingleByteChangeIsSafe)
{
    usize runs = 0;
    usize ok = 0;
    for (bool use_microvm : { false, true }) {
        Machine m = use_microvm ? microvm() : q35();
        const std::vector<FakeMemory::Range> written = m.memory.written();
        for (const FakeMemory::Range& w : written) {
            const std::vector<u8> original(m.memory.at(w.address, w.length), m.memory.at(w.address, w.length) + w.length);
            for (usize position = 0; position < w.length; ++position) {
                for (u8 value : { 0x00, 0x01, 0x02, 0x07, 0x08, 0x0b, 0x12, 0x40, 0x7f, 0x80, 0xc0, 0xff }) {
                    u8* byte = m.memory.at(w.address + position);
                    if (*byte == value)
                        continue;
                    *byte = value;
                    if (w.address == m.rsdp) {
                        fix_rsdp_checksums(m.memory, m.rsdp);
                    } else {
                        u32 length = lib::load_le32(lib::ReadonlyBytes(m.memory.at(w.address, 36), 36), 4);
                        if (length >= 36 && length <= w.length)
                            fix_checksum(m.memory, w.address);
                    }
                    m.memory.forget_reads();
                    auto result = Tables::discover(m.memory, m.rsdp);
                    ++runs;
                    if (result.is_ok()) {
                        ++ok;
                        ASSERT_LE(result.value().tables().size(), Tables::max_tables);
                    }
                    std::memcpy(m.memory.at(w.address, w.length), original.data(), w.length);
                }
            }
        }
    }
    EXPECT_GT(runs, 10000u);
    EXPECT_GT(ok, runs / 2); // Most single changes leave a usable table set.
}

// Random bytes overwritten in one structure of a valid table set (RSDP included), with the
// checksum then usually repaired so the corruption gets past it: discover() never crashes and
// never reads outside what the memory returned (each read is an exact-size heap copy).
RC_GTEST_PROP(AcpiProperty, CorruptedTablesNeverCrash, ())
{
    const bool use_microvm = *rc::gen::arbitrary<bool>();
    Machine m = use_microvm ? microvm() : q35();
    const std::vector<FakeMemory::Range> written = m.memory.written();
    // A few changes at a time, all in one structure, so most runs get past the RSDP and the root
    // table and reach the parser of the structure that was changed.
    const FakeMemory::Range target = *rc::gen::elementOf(written);
    const usize count = *rc::gen::inRange<usize>(1, 9);
    // Uniform bytes: rapidcheck's arbitrary<u8> stays small in early runs.
    auto flips = *rc::gen::container<std::vector<std::pair<usize, int>>>(
        count, rc::gen::pair(rc::gen::inRange<usize>(0, target.length), rc::gen::inRange(0, 256)));
    for (auto [position, value] : flips)
        m.memory.at(target.address + position)[0] = u8(value);
    // Repair the checksums most of the time, so the corruption reaches the parsers.
    if (*rc::gen::inRange(0, 4) != 0) {
        if (target.address == m.rsdp) {
            fix_rsdp_checksums(m.memory, m.rsdp);
        } else {
            u32 length = lib::load_le32(lib::ReadonlyBytes(m.memory.at(target.address, 36), 36), 4);
            if (length >= 36 && length <= target.length)
                fix_checksum(m.memory, target.address);
        }
    }
    const bool scan = *rc::gen::arbitrary<bool>();
    auto result = Tables::discover(m.memory, scan ? 0 : m.rsdp);
    if (result.is_ok())
        check_invariants(result.value(), m.memory);
}

// A hypervisor that changes the bytes under every single read (so no two reads of the same
// table agree): still no crash, no read outside what was returned.
RC_GTEST_PROP(AcpiProperty, MemoryChangingBetweenReadsNeverCrashes, ())
{
    Machine m = *rc::gen::arbitrary<bool>() ? microvm() : q35();
    const u32 seed = *rc::gen::arbitrary<u32>();
    const u32 rate = *rc::gen::inRange<u32>(8, 2048); // About one byte in `rate` is changed.
    std::mt19937 random(seed);
    m.memory.set_tamper([&random, rate](std::vector<u8>& bytes) {
        for (u8& b : bytes) {
            if (random() % rate == 0)
                b = u8(random());
        }
    });
    auto result = Tables::discover(m.memory, m.rsdp);
    if (result.is_ok())
        check_invariants(result.value(), m.memory);
}

// The pure parsers on arbitrary bytes (what the fuzzers will do, in miniature).
RC_GTEST_PROP(AcpiProperty, ParsersTakeArbitraryBytes, ())
{
    const usize size = *rc::gen::inRange<usize>(0, 400);
    auto bytes = *rc::gen::container<std::vector<u8>>(size, rc::gen::arbitrary<u8>());
    const char* signatures[] = { "APIC", "FACP", "MCFG" };
    if (bytes.size() >= 36) {
        std::memcpy(bytes.data(), signatures[bytes[35] % 3], 4);
        lib::store_le32(lib::Bytes(bytes.data(), bytes.size()), 4, u32(bytes.size() - bytes[34] % 4));
        bytes[9] = 0;
        bytes[9] = u8(0 - sum(bytes.data(), bytes.size() - bytes[34] % 4));
    }
    std::vector<u8> exact(bytes);
    auto madt = Madt::parse(view(exact));
    auto fadt = Fadt::parse(view(exact));
    auto mcfg = Mcfg::parse(view(exact));
    auto s5 = find_s5_sleep_type(view(exact));
    if (madt.is_ok())
        RC_ASSERT(madt.value().cpus().size() <= Madt::max_cpus);
    if (mcfg.is_ok())
        RC_ASSERT(mcfg.value().regions().size() <= Mcfg::max_regions);
    if (s5)
        RC_ASSERT(s5->a <= 7);
    (void)fadt;
}

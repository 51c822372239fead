// Fuzz target for "just enough ACPI" (kernel/drivers/acpi/tables.h): RSDP search, the RSDT/XSDT
// walk, and the MADT, FADT, MCFG and \_S5 parsers, over physical memory the fuzzer writes.
// Checksums are skipped in this build (BULWARK_FUZZING), so mutations get past them.
//
// Input format (little endian): rsdp_hint u64 (0 = scan the EBDA and 0xE0000-0xFFFFF as the
// kernel does without a PVH hint), then up to 32 memory regions, each { base u64, length u16,
// length bytes } (the last one may be cut short by the end of the input). Nothing else is
// readable. fuzz/tools/gen_seeds.py lays out QEMU q35 and microvm table sets in this format.
//
// Oracle: every read hands out a fresh heap copy of exactly the bytes asked for, so ASan catches
// any access outside them. discover(): the RSDP it reports is where the hint or the scan says and
// matches memory; at most max_tables tables, each 36 bytes to 1 MiB long and matching the bytes
// in memory (signature, length, revision); the DSDT, if listed, is last and the one the FADT
// names; every root entry is accounted for (used or counted as skipped); the MADT/FADT/MCFG it
// keeps are what the parsers give for the first such table that parses; \_S5 and the power-off
// method follow from them; a second discover() gives the same answer. On every region the
// parsers also run directly, checked against independent decoders of the MADT, FADT and MCFG
// layouts and structural limits (counts <= capacities, sleep types <= 7).
#include "fuzz/fuzz.h"
#include "kernel/drivers/acpi/tables.h"

#include <cstring>
#include <memory>
#include <vector>

using fuzz::Input;
using fuzz::le;
using namespace kernel::drivers::acpi;

namespace {

constexpr usize max_regions = 32;

// Physical memory made of the input's regions. read() returns a fresh exact-size heap copy, kept
// alive until the next input, so ASan reports any access past what was handed out.
class FuzzMemory final : public PhysicalMemory {
public:
    void add(u64 base, const u8* bytes, usize length) { m_regions.push_back({ base, std::vector<u8>(bytes, bytes + length) }); }

    // The bytes at [phys, phys + length) inside one region, or nullptr (for the oracles).
    const u8* at(u64 phys, u64 length) const
    {
        for (const Region& r : m_regions) {
            if (phys >= r.base && length <= r.bytes.size() && phys - r.base <= r.bytes.size() - length)
                return r.bytes.data() + (phys - r.base);
        }
        return nullptr;
    }

    lib::Optional<lib::ReadonlyBytes> read(u64 phys, u64 length) override
    {
        const u8* bytes = at(phys, length);
        if (!bytes || length == 0)
            return lib::nullopt;
        m_handed_out.emplace_back(new u8[length]);
        std::memcpy(m_handed_out.back().get(), bytes, length);
        return lib::ReadonlyBytes(m_handed_out.back().get(), length);
    }

    struct Region {
        u64 base;
        std::vector<u8> bytes;
    };
    const std::vector<Region>& regions() const { return m_regions; }

private:
    std::vector<Region> m_regions;
    std::vector<std::unique_ptr<u8[]>> m_handed_out;
};

bool same(const GenericAddress& a, const GenericAddress& b)
{
    return a.space == b.space && a.bit_width == b.bit_width && a.bit_offset == b.bit_offset && a.access_size == b.access_size
        && a.address == b.address;
}

bool same(const lib::Optional<GenericAddress>& a, const lib::Optional<GenericAddress>& b)
{
    return a.has_value() == b.has_value() && (!a || same(*a, *b));
}

// The header length a table's parser uses: the length field, once checked() accepted it.
u32 header_length(const u8* t) { return u32(le(t + 4, 4)); }

// ---- Independent decoders of the table layouts (ACPI 6.4 5.2.12, 5.2.9; PCI FW 3.2 4.1.2) ----

void check_madt(const Madt& madt, const u8* t, usize length)
{
    FUZZ_CHECK(length >= 44 && std::memcmp(t, "APIC", 4) == 0, "a MADT is an APIC table of at least 44 bytes");
    usize cpus = 0, io_apics = 0, overrides = 0, dropped = 0;
    bool malformed = false;
    u64 lapic_address = le(t + 36, 4);
    for (usize at = 44; at < length && !malformed;) {
        usize left = length - at;
        u8 type = t[at];
        u8 entry_length = left >= 2 ? t[at + 1] : 0;
        if (left < 2 || entry_length < 2 || entry_length > left) {
            malformed = true;
            break;
        }
        const u8* e = t + at;
        const usize minimum[] = { 8, 12, 10, 0, 0, 12 };
        if (type <= 5 && minimum[type] != 0) {
            if (entry_length < minimum[type]) {
                malformed = true;
                break;
            }
            if (type == 0) {
                if (cpus == Madt::max_cpus) {
                    ++dropped;
                } else {
                    const LocalApic& c = madt.cpus()[cpus++];
                    FUZZ_CHECK(c.processor_uid == e[2] && c.apic_id == e[3] && c.enabled == ((e[4] & 1) != 0)
                            && c.online_capable == ((e[4] & 2) != 0),
                        "MADT local APIC entries decoded as laid out");
                }
            } else if (type == 1) {
                if (io_apics == Madt::max_io_apics) {
                    ++dropped;
                } else {
                    const IoApic& a = madt.io_apics()[io_apics++];
                    FUZZ_CHECK(a.id == e[2] && a.address == le(e + 4, 4) && a.gsi_base == le(e + 8, 4), "MADT I/O APIC entries decoded");
                }
            } else if (type == 2) {
                if (overrides == Madt::max_overrides) {
                    ++dropped;
                } else {
                    const InterruptOverride& o = madt.overrides()[overrides++];
                    u64 flags = le(e + 8, 2);
                    FUZZ_CHECK(o.bus == e[2] && o.source == e[3] && o.gsi == le(e + 4, 4) && u8(o.flags.polarity) == (flags & 3)
                            && u8(o.flags.trigger) == ((flags >> 2) & 3),
                        "MADT interrupt source overrides decoded");
                }
            } else {
                lapic_address = le(e + 4, 8);
            }
            FUZZ_CHECK(cpus <= madt.cpus().size() && io_apics <= madt.io_apics().size() && overrides <= madt.overrides().size(),
                "the parser kept at least the entries seen so far");
        }
        at += entry_length;
    }
    FUZZ_CHECK(madt.cpus().size() == cpus && madt.io_apics().size() == io_apics && madt.overrides().size() == overrides,
        "MADT entry counts agree with the layout");
    FUZZ_CHECK(cpus <= Madt::max_cpus && io_apics <= Madt::max_io_apics && overrides <= Madt::max_overrides, "counts <= capacities");
    FUZZ_CHECK(madt.malformed() == malformed && madt.dropped() == dropped, "MADT malformed/dropped agree with the layout");
    FUZZ_CHECK(madt.local_apic_address() == lapic_address, "local APIC address: the last type 5 override, else the header");
    FUZZ_CHECK(madt.pcat_compatible() == ((t[40] & 1) != 0), "PCAT_COMPAT is flags bit 0");

    for (u8 irq = 0; irq < 16; ++irq) {
        InterruptFlags flags {};
        u32 gsi = madt.isa_irq_to_gsi(irq, flags);
        u32 expected = irq;
        for (const InterruptOverride& o : madt.overrides()) {
            if (o.bus == 0 && o.source == irq) {
                expected = o.gsi;
                break;
            }
        }
        FUZZ_CHECK(gsi == expected, "an ISA IRQ goes to its first bus-0 override's GSI, else to itself");
        FUZZ_CHECK((flags.polarity == Polarity::ActiveHigh || flags.polarity == Polarity::ActiveLow)
                && (flags.trigger == TriggerMode::Edge || flags.trigger == TriggerMode::Level),
            "isa_irq_to_gsi() resolves bus-default and reserved flags");
    }
}

lib::Optional<GenericAddress> gas_at(const u8* t, usize length, usize offset)
{
    if (length < offset + 12 || le(t + offset + 4, 8) == 0)
        return lib::nullopt;
    const u8* g = t + offset;
    return GenericAddress { AddressSpace(g[0]), g[1], g[2], g[3], le(g + 4, 8) };
}

void check_fadt(const Fadt& fadt, const u8* t, usize length)
{
    FUZZ_CHECK(length >= 116 && std::memcmp(t, "FACP", 4) == 0, "a FADT is a FACP table of at least 116 bytes");
    FUZZ_CHECK(fadt.flags() == le(t + 112, 4) && fadt.sci_interrupt() == le(t + 46, 2) && fadt.smi_command_port() == le(t + 48, 4)
            && fadt.acpi_enable_value() == t[52],
        "FADT fixed fields decoded as laid out");
    u64 dsdt = le(t + 40, 4);
    if (length >= 148 && le(t + 140, 8) != 0)
        dsdt = le(t + 140, 8);
    FUZZ_CHECK(fadt.dsdt_address() == dsdt, "X_DSDT when present and nonzero, else DSDT");
    lib::Optional<GenericAddress> pm1a = gas_at(t, length, 172);
    u64 port = le(t + 64, 4);
    if (!pm1a && port != 0 && port <= 0xffff)
        pm1a = GenericAddress { AddressSpace::SystemIo, 16, 0, 2, port };
    FUZZ_CHECK(same(fadt.pm1a_control(), pm1a), "PM1a control: X_PM1a_CNT_BLK, else the legacy port");
    lib::Optional<GenericAddress> reset;
    if ((le(t + 112, 4) & Fadt::flag_reset_reg_supported) && length >= 129) {
        reset = gas_at(t, length, 116);
        FUZZ_CHECK(fadt.reset_value() == t[128], "RESET_VALUE decoded");
    }
    FUZZ_CHECK(same(fadt.reset_register(), reset), "RESET_REG only with RESET_REG_SUP and a nonzero address");
    FUZZ_CHECK(same(fadt.sleep_control(), gas_at(t, length, 244)) && same(fadt.sleep_status(), gas_at(t, length, 256)),
        "sleep control/status registers when present and nonzero");
}

void check_mcfg(const Mcfg& mcfg, const u8* t, usize length)
{
    FUZZ_CHECK(length >= 44 && std::memcmp(t, "MCFG", 4) == 0, "an MCFG is an MCFG table of at least 44 bytes");
    usize kept = 0, dropped = 0;
    bool malformed = (length - 44) % 16 != 0;
    for (usize at = 44; at + 16 <= length; at += 16) {
        const u8* e = t + at;
        if (e[11] < e[10]) {
            malformed = true;
            continue;
        }
        if (kept == Mcfg::max_regions) {
            ++dropped;
            continue;
        }
        FUZZ_CHECK(kept < mcfg.regions().size(), "every well-formed ECAM entry within capacity is kept");
        const EcamRegion& r = mcfg.regions()[kept++];
        FUZZ_CHECK(r.base == le(e, 8) && r.segment == le(e + 8, 2) && r.start_bus == e[10] && r.end_bus == e[11],
            "ECAM entries decoded as laid out");
    }
    FUZZ_CHECK(mcfg.regions().size() == kept && kept <= Mcfg::max_regions, "ECAM region count agrees, <= capacity");
    FUZZ_CHECK(mcfg.malformed() == malformed && mcfg.dropped() == dropped, "MCFG malformed/dropped agree with the layout");
}

void check_sleep_type(lib::Optional<SleepType> s5, const u8* aml, usize length)
{
    if (!s5)
        return;
    FUZZ_CHECK(s5->a <= 7 && s5->b <= 7, "SLP_TYPx values are 3 bits");
    bool declared = false;
    for (usize i = 0; i + 5 <= length && !declared; ++i)
        declared = std::memcmp(aml + i, "_S5_\x12", 5) == 0;
    FUZZ_CHECK(declared, "an \\_S5 answer comes from a `_S5_` Package in the AML");
}

void check_power_off(const PowerOffMethod& method, const Fadt& fadt, lib::Optional<SleepType> s5)
{
    if (method.kind == PowerOffMethod::Kind::None) {
        FUZZ_CHECK(method.value() == 0, "no method, no value");
        return;
    }
    FUZZ_CHECK(s5.has_value() && method.sleep_type == s5->a, "the method uses SLP_TYPa from \\_S5");
    FUZZ_CHECK(method.reg.space == AddressSpace::SystemMemory || method.reg.space == AddressSpace::SystemIo,
        "the power-off register is in memory or I/O space");
    u16 type = method.sleep_type & 7;
    if (method.kind == PowerOffMethod::Kind::Pm1aControl) {
        FUZZ_CHECK(!fadt.hardware_reduced() && fadt.pm1a_control() && same(method.reg, *fadt.pm1a_control()), "legacy: PM1a_CNT");
        FUZZ_CHECK(method.value() == u16((type << 10) | (1 << 13)), "PM1a_CNT value: SLP_TYP bits 10-12, SLP_EN bit 13");
    } else {
        FUZZ_CHECK(fadt.hardware_reduced() && fadt.sleep_control() && same(method.reg, *fadt.sleep_control()),
            "hardware-reduced: SLEEP_CONTROL_REG");
        FUZZ_CHECK(method.value() == u16((type << 2) | (1 << 5)), "sleep control value: SLP_TYP bits 2-4, SLP_EN bit 5");
    }
}

// Every parser, directly on one region's bytes (an exact-size copy).
void check_region(const FuzzMemory::Region& region)
{
    usize size = region.bytes.size();
    std::unique_ptr<u8[]> copy(new u8[size ? size : 1]);
    if (size != 0)
        std::memcpy(copy.get(), region.bytes.data(), size);
    lib::ReadonlyBytes bytes(copy.get(), size);

    auto view = TableView::checked(bytes);
    if (view.is_ok()) {
        u32 length = header_length(copy.get());
        FUZZ_CHECK(view.value().length() == length && length >= TableView::header_size && length <= size
                && length <= TableView::max_table_length && view.value().bytes().data() == copy.get(),
            "a checked view is exactly the header's length, 36 bytes to 1 MiB, within the bytes given");
        FUZZ_CHECK(view.value().signature() == lib::StringView(reinterpret_cast<const char*>(copy.get()), 4)
                && view.value().revision() == copy[8],
            "signature and revision come from the header");
    } else {
        FUZZ_CHECK(view.error() == AcpiError::BadLength || view.error() == AcpiError::BadChecksum, "checked() fails only on length or checksum");
        u32 length = size >= 8 ? header_length(copy.get()) : 0;
        if (view.error() == AcpiError::BadLength)
            FUZZ_CHECK(size < 36 || length < 36 || length > size || length > TableView::max_table_length, "BadLength means a bad length");
    }

    auto madt = Madt::parse(bytes);
    if (madt.is_ok())
        check_madt(madt.value(), copy.get(), header_length(copy.get()));
    auto fadt = Fadt::parse(bytes);
    if (fadt.is_ok())
        check_fadt(fadt.value(), copy.get(), header_length(copy.get()));
    auto mcfg = Mcfg::parse(bytes);
    if (mcfg.is_ok())
        check_mcfg(mcfg.value(), copy.get(), header_length(copy.get()));
    auto s5 = find_s5_sleep_type(bytes);
    check_sleep_type(s5, copy.get(), size);
    if (fadt.is_ok())
        check_power_off(power_off_method(fadt.value(), s5), fadt.value(), s5);
}

// What discover() must have kept: the first table of `signature` in the list that parses.
template<typename Parsed, typename Parse> lib::Optional<Parsed> first_parsed(const FuzzMemory& memory, const Tables& tables,
    const char* signature, Parse parse)
{
    for (usize i = 0; i < tables.tables().size(); ++i) {
        const TableInfo& info = tables.tables()[i];
        if (info.name() != lib::StringView(signature, 4))
            continue;
        auto parsed = parse(lib::ReadonlyBytes(memory.at(info.address, info.length), info.length));
        if (parsed.is_ok())
            return parsed.value();
    }
    return lib::nullopt;
}

void check_discovered(const Tables& tables, const FuzzMemory& memory, u64 hint)
{
    const Rsdp& rsdp = tables.rsdp();
    const u8* r = memory.at(rsdp.address, 20);
    FUZZ_CHECK(r && std::memcmp(r, "RSD PTR ", 8) == 0, "the RSDP is an \"RSD PTR \" structure in memory");
    if (hint != 0) {
        FUZZ_CHECK(rsdp.address == hint, "with a hint, the RSDP is at the hint");
    } else {
        const u8* bda = memory.at(0x40e, 2);
        u64 ebda = bda ? le(bda, 2) << 4 : 0;
        bool in_ebda = ebda != 0 && rsdp.address >= ebda && rsdp.address - ebda < 1024;
        bool in_bios = rsdp.address >= 0xe0000 && rsdp.address < 0x100000;
        FUZZ_CHECK(rsdp.address % 16 == 0 && (in_ebda || in_bios), "a scanned RSDP is on a 16-byte step of the scanned areas");
    }
    FUZZ_CHECK(rsdp.revision == r[15] && rsdp.rsdt_address == le(r + 16, 4), "RSDP revision and RSDT address as in memory");
    if (rsdp.revision >= 2) {
        const u8* full = memory.at(rsdp.address, 36);
        FUZZ_CHECK(full && rsdp.xsdt_address == le(full + 24, 8), "an ACPI 2.0 RSDP's XSDT address as in memory");
    } else {
        FUZZ_CHECK(rsdp.xsdt_address == 0, "an ACPI 1.0 RSDP has no XSDT");
    }
    FUZZ_CHECK(!tables.uses_xsdt() || (rsdp.revision >= 2 && rsdp.xsdt_address != 0), "the XSDT is used only when the RSDP has one");

    auto list = tables.tables();
    FUZZ_CHECK(list.size() <= Tables::max_tables, "at most max_tables tables");
    for (usize i = 0; i < list.size(); ++i) {
        const TableInfo& info = list[i];
        FUZZ_CHECK(info.length >= TableView::header_size && info.length <= TableView::max_table_length, "each table is 36 bytes to 1 MiB");
        const u8* t = memory.at(info.address, info.length);
        FUZZ_CHECK(t != nullptr, "each table lies in readable memory");
        FUZZ_CHECK(std::memcmp(t, info.signature, 4) == 0 && header_length(t) == info.length && t[8] == info.revision,
            "each TableInfo matches the table's header in memory");
        auto found = tables.find(info.name());
        usize first = 0;
        while (list[first].name() != info.name())
            ++first;
        FUZZ_CHECK(found && found->address == list[first].address && found->length == list[first].length,
            "find() returns the first listed table with the signature");
    }

    // The root table accounts for every entry: listed, skipped, or over capacity.
    u64 root_address = tables.uses_xsdt() ? rsdp.xsdt_address : rsdp.rsdt_address;
    const u8* root_header = memory.at(root_address, 36);
    FUZZ_CHECK(root_header != nullptr, "the root table is readable");
    usize entry_size = tables.uses_xsdt() ? 8 : 4;
    usize root_entries = (header_length(root_header) - 36) / entry_size;
    const SkippedTables& skipped = tables.skipped();
    usize accounted = list.size() + skipped.unreadable + skipped.bad_length + skipped.bad_checksum + skipped.over_capacity;
    FUZZ_CHECK(accounted >= root_entries && accounted <= root_entries + 1, "every root entry is used or counted as skipped");
#if defined(BULWARK_FUZZING)
    FUZZ_CHECK(skipped.bad_checksum == 0, "checksums are not checked in fuzzing builds");
#endif

    auto madt = first_parsed<Madt>(memory, tables, "APIC", Madt::parse);
    FUZZ_CHECK(tables.madt().has_value() == madt.has_value(), "the MADT kept is the first APIC table that parses");
    if (madt) {
        FUZZ_CHECK(tables.madt()->cpus().size() == madt->cpus().size() && tables.madt()->local_apic_address() == madt->local_apic_address()
                && tables.madt()->io_apics().size() == madt->io_apics().size() && tables.madt()->overrides().size() == madt->overrides().size(),
            "discover() keeps what Madt::parse gives for that table");
    }
    auto fadt = first_parsed<Fadt>(memory, tables, "FACP", Fadt::parse);
    FUZZ_CHECK(tables.fadt().has_value() == fadt.has_value(), "the FADT kept is the first FACP table that parses");
    if (fadt)
        FUZZ_CHECK(tables.fadt()->dsdt_address() == fadt->dsdt_address() && tables.fadt()->flags() == fadt->flags(), "discover() keeps that FADT");
    auto mcfg = first_parsed<Mcfg>(memory, tables, "MCFG", Mcfg::parse);
    FUZZ_CHECK(tables.mcfg().has_value() == mcfg.has_value(), "the MCFG kept is the first MCFG table that parses");
    if (mcfg)
        FUZZ_CHECK(tables.mcfg()->regions().size() == mcfg->regions().size(), "discover() keeps that MCFG");

    // The DSDT comes from the FADT (listed last unless the list is full), and \_S5 from it.
    lib::Optional<SleepType> s5;
    u64 dsdt = tables.fadt() ? tables.fadt()->dsdt_address() : 0;
    const u8* header = dsdt ? memory.at(dsdt, 36) : nullptr;
    u32 dsdt_length = header ? header_length(header) : 0;
    const u8* t = header && dsdt_length >= 36 && dsdt_length <= TableView::max_table_length ? memory.at(dsdt, dsdt_length) : nullptr;
    if (t && std::memcmp(t, "DSDT", 4) == 0) {
        s5 = find_s5_sleep_type(lib::ReadonlyBytes(t + 36, dsdt_length - 36));
        FUZZ_CHECK(skipped.over_capacity > 0 || (!list.is_empty() && list[list.size() - 1].address == dsdt && list[list.size() - 1].name() == "DSDT"),
            "the FADT's DSDT is listed last");
    }
    FUZZ_CHECK(tables.s5().has_value() == s5.has_value() && (!s5 || (tables.s5()->a == s5->a && tables.s5()->b == s5->b)),
        "\\_S5 is what the FADT's DSDT declares");
    if (tables.fadt())
        check_power_off(tables.power_off(), *tables.fadt(), tables.s5());
    else
        FUZZ_CHECK(tables.power_off().kind == PowerOffMethod::Kind::None, "no FADT, no power-off method");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in(data, size);
    u64 hint = in.take64();
    FuzzMemory memory;
    usize offset = 8;
    while (offset + 10 <= size && memory.regions().size() < max_regions) {
        u64 base = le(data + offset, 8);
        usize length = usize(le(data + offset + 8, 2));
        offset += 10;
        if (length > size - offset)
            length = size - offset;
        memory.add(base, data + offset, length);
        offset += length;
    }

    for (const FuzzMemory::Region& region : memory.regions())
        check_region(region);

    auto tables = Tables::discover(memory, hint);
    auto again = Tables::discover(memory, hint);
    FUZZ_CHECK(tables.is_ok() == again.is_ok(), "discover() is deterministic");
    if (tables.is_error()) {
        AcpiError e = tables.error();
        FUZZ_CHECK(e == AcpiError::NoRsdp || e == AcpiError::BadRsdpChecksum || e == AcpiError::BadRsdp || e == AcpiError::BadRootTable,
            "discover() fails only for the RSDP or the root table");
        FUZZ_CHECK(again.error() == e, "discover() is deterministic");
        FUZZ_CHECK(acpi_error_name(e) != "?", "every error has a name for the boot log");
        return 0;
    }
    check_discovered(tables.value(), memory, hint);
    FUZZ_CHECK(again.value().tables().size() == tables.value().tables().size() && again.value().rsdp().address == tables.value().rsdp().address,
        "discover() is deterministic");
    return 0;
}

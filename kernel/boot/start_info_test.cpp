// Tests for the PVH start_info parser: what QEMU's loaders hand us, and every pointer that lies.
#include "kernel/boot/start_info.h"

#include "lib/byte_order.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <vector>

namespace kernel::boot {
namespace {

constexpr u64 info_at = 0x6000;
constexpr u64 memmap_at = 0x7000;
constexpr u64 cmdline_at = 0x8000;
constexpr u64 modules_at = 0x9000;

// A 64 KiB "physical memory" with a start_info like QEMU's PVH option ROM writes.
struct FakeMemory {
    std::vector<u8> bytes = std::vector<u8>(0x10000, 0);

    lib::Bytes span() { return lib::Bytes(bytes.data(), bytes.size()); }
    lib::ReadonlyBytes window() { return lib::ReadonlyBytes(bytes.data(), bytes.size()); }

    FakeMemory(const char* cmdline = "log=debug test=all")
    {
        lib::store_le32(span(), info_at + 0, StartInfo::magic);
        lib::store_le32(span(), info_at + 4, 1);
        lib::store_le64(span(), info_at + 24, cmdline_at);
        lib::store_le64(span(), info_at + 32, 0xf5a80);
        lib::store_le64(span(), info_at + 40, memmap_at);
        lib::store_le32(span(), info_at + 48, 3);
        add_entry(0, 0, 0x9fc00, 1);
        add_entry(1, 0x100000, 0x7ee0000, 1);
        add_entry(2, 0xfffc0000, 0x40000, 2);
        std::string s(cmdline);
        std::copy(s.begin(), s.end(), bytes.begin() + cmdline_at);
    }
    void add_entry(int i, u64 base, u64 size, u32 type)
    {
        lib::store_le64(span(), memmap_at + 24 * i, base);
        lib::store_le64(span(), memmap_at + 24 * i + 8, size);
        lib::store_le32(span(), memmap_at + 24 * i + 16, type);
    }
};

TEST(StartInfo, ParsesQemuLikeInfo)
{
    FakeMemory m;
    StartInfo info;
    ASSERT_TRUE(StartInfo::parse(m.window(), info_at, info).is_ok());
    EXPECT_EQ(info.version, 1u);
    EXPECT_EQ(info.rsdp_phys, 0xf5a80u);
    ASSERT_EQ(info.memmap_count, 3u);
    EXPECT_EQ(info.memmap[1].base, 0x100000u);
    EXPECT_EQ(info.memmap[1].length, 0x7ee0000u);
    EXPECT_EQ(info.memmap[2].type, 2u);
    EXPECT_TRUE(info.command_line() == lib::StringView("log=debug test=all"));
    EXPECT_EQ(info.module_count, 0u);
}

TEST(StartInfo, Modules)
{
    FakeMemory m;
    lib::store_le32(m.span(), info_at + 12, 1);
    lib::store_le64(m.span(), info_at + 16, modules_at);
    lib::store_le64(m.span(), modules_at, 0x1000000);
    lib::store_le64(m.span(), modules_at + 8, 4096);
    StartInfo info;
    ASSERT_TRUE(StartInfo::parse(m.window(), info_at, info).is_ok());
    ASSERT_EQ(info.module_count, 1u);
    EXPECT_EQ(info.modules[0].phys, 0x1000000u);
    EXPECT_EQ(info.modules[0].size, 4096u);
}

StartInfoError parse_error(FakeMemory& m, u64 at = info_at)
{
    StartInfo info;
    auto r = StartInfo::parse(m.window(), at, info);
    EXPECT_TRUE(r.is_error());
    return r.is_error() ? r.error() : StartInfoError::BadMagic;
}

TEST(StartInfo, RejectsLies)
{
    {
        FakeMemory m;
        EXPECT_EQ(parse_error(m, 0x10000 - 8), StartInfoError::OutsideWindow);
        EXPECT_EQ(parse_error(m, UINT64_MAX - 4), StartInfoError::OutsideWindow);
    }
    {
        FakeMemory m;
        lib::store_le32(m.span(), info_at, 0x12345678);
        EXPECT_EQ(parse_error(m), StartInfoError::BadMagic);
    }
    {
        FakeMemory m;
        lib::store_le32(m.span(), info_at + 4, 0);
        EXPECT_EQ(parse_error(m), StartInfoError::NoMemmap);
    }
    {
        FakeMemory m;
        lib::store_le32(m.span(), info_at + 48, 0);
        EXPECT_EQ(parse_error(m), StartInfoError::NoMemmap);
    }
    {
        FakeMemory m;
        lib::store_le32(m.span(), info_at + 48, 129);
        EXPECT_EQ(parse_error(m), StartInfoError::TooManyMemmapEntries);
    }
    {
        FakeMemory m;
        lib::store_le64(m.span(), info_at + 40, 0xfff0);
        EXPECT_EQ(parse_error(m), StartInfoError::MemmapOutsideWindow);
        lib::store_le64(m.span(), info_at + 40, UINT64_MAX - 16);
        EXPECT_EQ(parse_error(m), StartInfoError::MemmapOutsideWindow);
    }
    {
        FakeMemory m;
        lib::store_le64(m.span(), info_at + 24, 0x20000000);
        EXPECT_EQ(parse_error(m), StartInfoError::CmdlineOutsideWindow);
    }
    {
        // A command line running off the end of memory without a NUL.
        FakeMemory m;
        lib::store_le64(m.span(), info_at + 24, 0xfff0);
        std::fill(m.bytes.begin() + 0xfff0, m.bytes.end(), 'a');
        EXPECT_EQ(parse_error(m), StartInfoError::CmdlineOutsideWindow);
    }
    {
        FakeMemory m;
        std::fill(m.bytes.begin() + cmdline_at, m.bytes.begin() + cmdline_at + 5000, 'a');
        EXPECT_EQ(parse_error(m), StartInfoError::CmdlineTooLong);
    }
    {
        FakeMemory m;
        lib::store_le32(m.span(), info_at + 12, 5);
        EXPECT_EQ(parse_error(m), StartInfoError::TooManyModules);
        lib::store_le32(m.span(), info_at + 12, 2);
        lib::store_le64(m.span(), info_at + 16, 0xffe0);
        EXPECT_EQ(parse_error(m), StartInfoError::ModulesOutsideWindow);
    }
}

TEST(StartInfo, NoCommandLineIsFine)
{
    FakeMemory m;
    lib::store_le64(m.span(), info_at + 24, 0);
    StartInfo info;
    ASSERT_TRUE(StartInfo::parse(m.window(), info_at, info).is_ok());
    EXPECT_TRUE(info.command_line().is_empty());
}

mm::MemoryMap qemu_map()
{
    // What qboot reports for -M microvm -m 256M.
    const mm::RawEntry raw[] = {
        { 0, 0x9fc00, 1 }, { 0x9fc00, 0x400, 2 }, { 0xd0000, 0x20000, 4 }, { 0xf0000, 0x10000, 2 },
        { 0x100000, 0xff00000, 1 },
    };
    return mm::MemoryMap::build(lib::Span<const mm::RawEntry>(raw, 5)).release_value();
}

TEST(StartInfo, CheckAgainstMemoryMap)
{
    auto map = qemu_map();
    StartInfo info;
    info.cmdline_phys = 0xefc70; // where qboot puts it: ACPI NVS, which is fine
    info.cmdline_length = 8;
    EXPECT_TRUE(info.check_against(map).is_ok());
    info.cmdline_phys = 0xc0000; // a hole
    EXPECT_EQ(info.check_against(map).error(), StartInfoError::CmdlineOutsideRam);
    info.cmdline_phys = 0xeffff; // straddles two regions (NVS, then reserved)
    info.cmdline_length = 4;
    EXPECT_EQ(info.check_against(map).error(), StartInfoError::CmdlineOutsideRam);
    info.cmdline_phys = 0x20000000; // beyond RAM
    EXPECT_EQ(info.check_against(map).error(), StartInfoError::CmdlineOutsideRam);
    info.cmdline_phys = UINT64_MAX - 2; // wraps
    EXPECT_EQ(info.check_against(map).error(), StartInfoError::CmdlineOutsideRam);

    info.cmdline_length = 0;
    info.module_count = 1;
    info.modules[0] = BootModule { 0x1000000, 0x100000 };
    EXPECT_TRUE(info.check_against(map).is_ok());
    info.modules[0] = BootModule { 0xf8000, 0x1000 }; // reserved firmware area: not usable RAM
    EXPECT_EQ(info.check_against(map).error(), StartInfoError::ModuleOutsideRam);
    info.modules[0] = BootModule { 0xfff0000, 0x20000 }; // runs past the end of RAM
    EXPECT_EQ(info.check_against(map).error(), StartInfoError::ModuleOutsideRam);
    info.modules[0] = BootModule { 0x1000000, 0 }; // empty
    EXPECT_EQ(info.check_against(map).error(), StartInfoError::ModuleOutsideRam);
}

TEST(StartInfo, NoUsableRamIsRefused)
{
    // Memory maps that describe no usable RAM: the kernel panics with this error's message.
    const mm::RawEntry reserved_only[] = { { 0, 0x100000, 2 }, { 0x100000, 0x1000000, 4 } };
    EXPECT_EQ(mm::MemoryMap::build(lib::Span<const mm::RawEntry>(reserved_only, 2)).error(),
        mm::MemoryMapError::NoUsableMemory);
    const mm::RawEntry sub_page[] = { { 0x100, 0x800, 1 } };
    EXPECT_EQ(mm::MemoryMap::build(lib::Span<const mm::RawEntry>(sub_page, 1)).error(),
        mm::MemoryMapError::NoUsableMemory);
}

RC_GTEST_PROP(StartInfo, RandomBytesNeverReadOutside, (std::vector<u8> noise, u16 offset))
{
    // Random bytes over the structure: parsing either fails or yields counts within bounds.
    FakeMemory m;
    for (size_t i = 0; i < noise.size() && i < 64; ++i)
        m.bytes[info_at + i] = noise[i];
    lib::store_le32(m.span(), info_at, StartInfo::magic);
    StartInfo info;
    auto r = StartInfo::parse(m.window(), info_at + (offset % 16), info);
    if (r.is_ok()) {
        RC_ASSERT(info.memmap_count <= StartInfo::max_memmap_entries);
        RC_ASSERT(info.module_count <= StartInfo::max_modules);
        RC_ASSERT(info.cmdline_length < StartInfo::max_cmdline_length);
    }
}

} // namespace
} // namespace kernel::boot

// Tests for the ELF parser: real static executables (musl, glibc) built by the build, every error
// of the checked view and of the load plan on hand-made files, and properties over generated
// layouts and mutated bytes.
#include "kernel/loader/elf.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using kernel::loader::ElfError;
using kernel::loader::ElfImage;
using kernel::loader::ElfView;
using kernel::loader::ProgramHeader;
namespace elf = kernel::loader::elf;

namespace {

using Bytes = std::vector<u8>;

void put16(Bytes& b, usize at, u16 v)
{
    for (usize i = 0; i < 2; ++i)
        b[at + i] = u8(v >> (8 * i));
}
void put32(Bytes& b, usize at, u32 v)
{
    for (usize i = 0; i < 4; ++i)
        b[at + i] = u8(v >> (8 * i));
}
void put64(Bytes& b, usize at, u64 v)
{
    for (usize i = 0; i < 8; ++i)
        b[at + i] = u8(v >> (8 * i));
}

// A well-formed ELF64 x86-64 header with `phnum` program headers at offset 64, in a file of
// `size` bytes.
Bytes header(u16 type, u64 entry, u16 phnum, usize size)
{
    Bytes b(size, 0);
    const u8 ident[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 };
    std::memcpy(b.data(), ident, sizeof ident);
    put16(b, elf::field::type, type);
    put16(b, elf::field::machine, 62);
    put32(b, elf::field::version, 1);
    put64(b, elf::field::entry, entry);
    put64(b, elf::field::phoff, 64);
    put16(b, elf::field::ehsize, 64);
    put16(b, elf::field::phentsize, 56);
    put16(b, elf::field::phnum, phnum);
    return b;
}

void put_ph(Bytes& b, usize index, const ProgramHeader& ph)
{
    usize at = 64 + index * 56;
    put32(b, at + elf::ph::type, ph.type);
    put32(b, at + elf::ph::flags, ph.flags);
    put64(b, at + elf::ph::offset, ph.offset);
    put64(b, at + elf::ph::vaddr, ph.vaddr);
    put64(b, at + elf::ph::vaddr + 8, ph.vaddr); // p_paddr
    put64(b, at + elf::ph::filesz, ph.filesz);
    put64(b, at + elf::ph::memsz, ph.memsz);
    put64(b, at + elf::ph::align, ph.align);
}

constexpr u32 r = elf::pf_r, w = elf::pf_w, x = elf::pf_x;

// The layout of a small static program: headers + rodata (R), text (R X), data + bss (R W).
struct Program {
    std::vector<ProgramHeader> headers;
    u16 type = elf::type_exec;
    u64 entry = 0x401000;
    usize size = 0x3100;

    static Program fixed()
    {
        Program p;
        p.headers = {
            { elf::pt_load, r, 0, 0x400000, 0x200, 0x200, 0x1000 },
            { elf::pt_load, r | x, 0x1000, 0x401000, 0x1000, 0x1000, 0x1000 },
            { elf::pt_load, r | w, 0x2f00, 0x402f00, 0x200, 0x1000, 0x1000 },
            { elf::pt_gnu_stack, r | w, 0, 0, 0, 0, 16 },
        };
        return p;
    }
    Bytes bytes() const
    {
        Bytes b = header(type, entry, u16(headers.size()), size);
        for (usize i = 0; i < headers.size(); ++i)
            put_ph(b, i, headers[i]);
        return b;
    }
};

lib::Result<ElfImage, ElfError> parse(const Bytes& b)
{
    auto view = ElfView::checked(lib::ReadonlyBytes(b.data(), b.size()));
    if (view.is_error())
        return view.error();
    return ElfImage::parse(view.value());
}

ElfError view_error(const Bytes& b)
{
    auto view = ElfView::checked(lib::ReadonlyBytes(b.data(), b.size()));
    EXPECT_TRUE(view.is_error());
    return view.is_error() ? view.error() : ElfError::Truncated;
}

ElfError parse_error(const Bytes& b)
{
    auto image = parse(b);
    EXPECT_TRUE(image.is_error());
    return image.is_error() ? image.error() : ElfError::Truncated;
}

ElfError parse_error(const Program& p) { return parse_error(p.bytes()); }

std::string name(ElfError e)
{
    lib::StringView n = kernel::loader::elf_error_name(e);
    return std::string(n.begin(), n.end());
}

Bytes read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << "cannot read " << path;
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// What every accepted image satisfies, whatever its bytes (the spec's meaning of acceptance).
void check_invariants(const Bytes& file, const ElfImage& image)
{
    ASSERT_GE(image.segment_count, 1u);
    ASSERT_LE(image.segment_count, ElfImage::max_load_segments);
    bool entry_found = false;
    for (usize i = 0; i < image.segment_count; ++i) {
        const auto& s = image.segments[i];
        EXPECT_FALSE(s.writable && s.executable) << "W^X, segment " << i;
        EXPECT_GT(s.memsz, 0u);
        EXPECT_LE(s.data.size(), s.memsz);
        EXPECT_LE(s.vaddr + s.memsz, elf::user_limit);
        EXPECT_GE(s.data.data(), file.data());
        EXPECT_LE(s.data.data() + s.data.size(), file.data() + file.size());
        EXPECT_EQ((u64(s.data.data() - file.data()) ^ s.vaddr) & 0xfff, 0u) << "page-consistent";
        if (image.kind == ElfImage::Kind::Fixed)
            EXPECT_GE(s.vaddr, elf::min_user_address);
        if (i > 0) {
            const auto& p = image.segments[i - 1];
            EXPECT_LE((p.vaddr + p.memsz + 0xfff) & ~u64(0xfff), s.vaddr & ~u64(0xfff)) << "pages shared, " << i;
        }
        if (s.executable && image.entry >= s.vaddr && image.entry < s.vaddr + s.memsz)
            entry_found = true;
    }
    EXPECT_TRUE(entry_found);
    EXPECT_LE(image.start(), image.segments[0].vaddr);
    EXPECT_GE(image.end(), image.segments[image.segment_count - 1].vaddr);
}

} // namespace

// --- Real programs ---------------------------------------------------------------------------

struct RealProgram {
    const char* name;
    ElfImage::Kind kind;
    bool tls;
};

class ElfRealProgram : public testing::TestWithParam<RealProgram> { };

TEST_P(ElfRealProgram, IsAcceptedWithItsLayout)
{
    Bytes file = read_file(std::string(BULWARK_ELF_TESTDATA "/") + GetParam().name);
    ASSERT_GT(file.size(), 64u);
    auto image = parse(file);
    ASSERT_TRUE(image.is_ok()) << name(image.error());
    const ElfImage& im = image.value();
    EXPECT_EQ(im.kind, GetParam().kind);
    EXPECT_EQ(im.has_tls, GetParam().tls);
    check_invariants(file, im);
    // The linkers put the program headers in the first segment, right after the ELF header.
    EXPECT_EQ(im.program_headers_vaddr, im.segments[0].vaddr + 64);
    // One text segment (R X) and at least one writable data segment.
    usize text = 0, data = 0;
    for (usize i = 0; i < im.segment_count; ++i) {
        text += im.segments[i].executable;
        data += im.segments[i].writable;
    }
    EXPECT_EQ(text, 1u);
    EXPECT_GE(data, 1u);
}

INSTANTIATE_TEST_SUITE_P(Static, ElfRealProgram,
                         testing::Values(RealProgram { "musl-static", ElfImage::Kind::Fixed, true },
                                         RealProgram { "musl-static-pie", ElfImage::Kind::PositionIndependent, true },
                                         RealProgram { "glibc-static-pie", ElfImage::Kind::PositionIndependent, true }),
                         [](const auto& info) {
                             std::string name = info.param.name;
                             for (char& c : name)
                                 c = c == '-' ? '_' : c;
                             return name;
                         });

// This test binary is a dynamically linked PIE: it names its dynamic linker in PT_INTERP.
TEST(Elf, DynamicallyLinkedHostProgramIsRefused)
{
    Bytes file = read_file("/proc/self/exe");
    ASSERT_TRUE(ElfView::checked(lib::ReadonlyBytes(file.data(), file.size())).is_ok());
    EXPECT_EQ(parse_error(file), ElfError::DynamicallyLinked);
}

// --- The checked view ------------------------------------------------------------------------

TEST(ElfView, AcceptsAWellFormedHeader)
{
    Bytes b = Program::fixed().bytes();
    auto view = ElfView::checked(lib::ReadonlyBytes(b.data(), b.size()));
    ASSERT_TRUE(view.is_ok());
    EXPECT_EQ(view.value().type(), elf::type_exec);
    EXPECT_EQ(view.value().entry(), 0x401000u);
    EXPECT_EQ(view.value().program_header_count(), 4u);
    ProgramHeader ph = view.value().program_header(2);
    EXPECT_EQ(ph.type, elf::pt_load);
    EXPECT_EQ(ph.flags, r | w);
    EXPECT_EQ(ph.offset, 0x2f00u);
    EXPECT_EQ(ph.vaddr, 0x402f00u);
    EXPECT_EQ(ph.filesz, 0x200u);
    EXPECT_EQ(ph.memsz, 0x1000u);
    EXPECT_EQ(ph.align, 0x1000u);
}

TEST(ElfView, RefusesEachBadHeaderField)
{
    Bytes good = Program::fixed().bytes();
    EXPECT_EQ(view_error(Bytes(good.begin(), good.begin() + 63)), ElfError::Truncated);
    EXPECT_EQ(view_error(Bytes()), ElfError::Truncated);
    struct Case {
        usize offset;
        u8 value;
        ElfError error;
    };
    const Case cases[] = {
        { 0, 0x7e, ElfError::BadMagic },
        { 3, 'G', ElfError::BadMagic },
        { 4, 1, ElfError::NotElf64 },
        { 5, 2, ElfError::NotLittleEndian },
        { 6, 0, ElfError::BadVersion },
        { elf::field::version, 2, ElfError::BadVersion },
        { 7, 9, ElfError::BadOsAbi },
        { elf::field::type, 1, ElfError::NotExecutable }, // ET_REL
        { elf::field::type, 4, ElfError::NotExecutable }, // ET_CORE
        { elf::field::machine, 3, ElfError::NotX86_64 },  // EM_386
        { elf::field::ehsize, 52, ElfError::BadHeaderSize },
        { elf::field::phentsize, 32, ElfError::BadHeaderSize },
        { elf::field::phnum, 0, ElfError::BadProgramHeaderCount },
        { elf::field::phnum, ElfView::max_program_headers + 1, ElfError::BadProgramHeaderCount },
    };
    for (const Case& c : cases) {
        Bytes b = good;
        b[c.offset] = c.value;
        if (c.offset == elf::field::phnum)
            b[c.offset + 1] = 0;
        EXPECT_EQ(view_error(b), c.error) << "offset " << c.offset << " value " << int(c.value);
    }
    Bytes gnu = good;
    gnu[7] = 3; // ELFOSABI_GNU, as some toolchains mark static binaries with IFUNCs
    EXPECT_TRUE(ElfView::checked(lib::ReadonlyBytes(gnu.data(), gnu.size())).is_ok());
    Bytes pn_xnum = good;
    put16(pn_xnum, elf::field::phnum, 0xffff);
    EXPECT_EQ(view_error(pn_xnum), ElfError::BadProgramHeaderCount);
}

TEST(ElfView, ProgramHeaderTableMustLieInsideTheFile)
{
    Program p = Program::fixed();
    p.size = 64 + 4 * 56; // exactly the table: accepted by the view
    Bytes b = p.bytes();
    EXPECT_TRUE(ElfView::checked(lib::ReadonlyBytes(b.data(), b.size())).is_ok());
    b.pop_back();
    EXPECT_EQ(view_error(b), ElfError::ProgramHeadersOutsideFile);
    Bytes far = Program::fixed().bytes();
    put64(far, elf::field::phoff, far.size() - 4 * 56 + 1);
    EXPECT_EQ(view_error(far), ElfError::ProgramHeadersOutsideFile);
    put64(far, elf::field::phoff, ~u64(0) - 8); // offset + length wraps
    EXPECT_EQ(view_error(far), ElfError::ProgramHeadersOutsideFile);
    put64(far, elf::field::phoff, far.size() + 1);
    EXPECT_EQ(view_error(far), ElfError::ProgramHeadersOutsideFile);
}

// --- The load plan ---------------------------------------------------------------------------

TEST(ElfImage, FixedProgramGivesItsSegments)
{
    Program p = Program::fixed();
    Bytes b = p.bytes();
    auto image = parse(b);
    ASSERT_TRUE(image.is_ok()) << name(image.error());
    const ElfImage& im = image.value();
    EXPECT_EQ(im.kind, ElfImage::Kind::Fixed);
    EXPECT_EQ(im.entry, 0x401000u);
    ASSERT_EQ(im.segment_count, 3u);
    EXPECT_EQ(im.segments[1].vaddr, 0x401000u);
    EXPECT_EQ(im.segments[1].memsz, 0x1000u);
    EXPECT_EQ(im.segments[1].data.data(), b.data() + 0x1000);
    EXPECT_EQ(im.segments[1].data.size(), 0x1000u);
    EXPECT_TRUE(im.segments[1].readable && im.segments[1].executable && !im.segments[1].writable);
    EXPECT_TRUE(im.segments[2].writable && !im.segments[2].executable);
    EXPECT_EQ(im.program_headers_vaddr, 0x400040u);
    EXPECT_EQ(im.program_header_count, 4u);
    EXPECT_FALSE(im.has_tls);
    EXPECT_EQ(im.start(), 0x400000u);
    EXPECT_EQ(im.end(), 0x404000u);
    check_invariants(b, im);
}

TEST(ElfImage, RefusesDynamicLinkingAndExecutableStacks)
{
    Program p = Program::fixed();
    p.headers[3] = { elf::pt_interp, r, 0x100, 0x400100, 0x10, 0x10, 1 };
    EXPECT_EQ(parse_error(p), ElfError::DynamicallyLinked);
    p = Program::fixed();
    p.headers[3].flags = r | w | x;
    EXPECT_EQ(parse_error(p), ElfError::ExecutableStack);
}

TEST(ElfImage, RefusesMalformedLoadSegments)
{
    auto with_text = [](auto change) {
        Program p = Program::fixed();
        change(p.headers[1]);
        return parse_error(p);
    };
    EXPECT_EQ(with_text([](ProgramHeader& h) { h.memsz = 0, h.filesz = 0; }), ElfError::BadSegment);
    EXPECT_EQ(with_text([](ProgramHeader& h) { h.filesz = h.memsz + 1; }), ElfError::BadSegment);
    EXPECT_EQ(with_text([](ProgramHeader& h) { h.align = 0x1800; }), ElfError::BadSegment);
    EXPECT_EQ(with_text([](ProgramHeader& h) { h.vaddr += 8; }), ElfError::BadSegment); // not page-consistent
    EXPECT_EQ(with_text([](ProgramHeader& h) { h.offset = 0x3000, h.vaddr = 0x403000; }), ElfError::SegmentOutsideFile);
    EXPECT_EQ(with_text([](ProgramHeader& h) { h.offset = ~u64(0xfff), h.vaddr = 0x401000; }),
              ElfError::SegmentOutsideFile);
    EXPECT_EQ(with_text([](ProgramHeader& h) { h.vaddr = elf::user_limit - 0x1000 + 0, h.memsz = 0x1001; }),
              ElfError::SegmentOutsideUserSpace);
    EXPECT_EQ(with_text([](ProgramHeader& h) { h.vaddr = ~u64(0xfff), h.memsz = 0x2000; }),
              ElfError::SegmentOutsideUserSpace);
    EXPECT_EQ(with_text([](ProgramHeader& h) { h.flags = r | w | x; }), ElfError::WritableAndExecutable);
    EXPECT_EQ(with_text([](ProgramHeader& h) { h.flags = w | x; }), ElfError::WritableAndExecutable);
}

TEST(ElfImage, FixedProgramsStayAboveTheLowestUserAddress)
{
    Program p = Program::fixed();
    for (auto& h : p.headers)
        h.vaddr = h.type == elf::pt_load ? h.vaddr - 0x400000 + 0xf000 : h.vaddr;
    p.entry = 0x10000;
    EXPECT_EQ(parse_error(p), ElfError::SegmentOutsideUserSpace); // the first segment starts at 0xf000
    // The same layout is fine as a position-independent program: the loader picks the base.
    p.type = elf::type_dyn;
    EXPECT_TRUE(parse(p.bytes()).is_ok());
}

TEST(ElfImage, RefusesSegmentsOutOfOrderOrSharingAPage)
{
    Program p = Program::fixed();
    std::swap(p.headers[1], p.headers[2]);
    EXPECT_EQ(parse_error(p), ElfError::SegmentsOverlap);
    p = Program::fixed();
    p.headers[2].offset = 0x1f00, p.headers[2].vaddr = 0x401f00; // shares the text's last page
    EXPECT_EQ(parse_error(p), ElfError::SegmentsOverlap);
    p = Program::fixed();
    p.headers[1].memsz = 0x1001; // the text's last byte lies in the data's first page
    EXPECT_EQ(parse_error(p), ElfError::SegmentsOverlap);
}

TEST(ElfImage, CountsLoadSegments)
{
    Program p = Program::fixed();
    p.headers = { { elf::pt_gnu_stack, r | w, 0, 0, 0, 0, 16 } };
    EXPECT_EQ(parse_error(p), ElfError::NoLoadableSegment);

    p.headers.clear();
    for (usize i = 0; i <= ElfImage::max_load_segments; ++i)
        p.headers.push_back({ elf::pt_load, i == 0 ? r | x : r, 0, 0x400000 + 0x1000 * i, 0x400, 0x400, 0x1000 });
    p.entry = 0x400000;
    EXPECT_EQ(parse_error(p), ElfError::TooManySegments);
    p.headers.pop_back();
    auto image = parse(p.bytes());
    ASSERT_TRUE(image.is_ok());
    EXPECT_EQ(image.value().segment_count, ElfImage::max_load_segments);
}

TEST(ElfImage, EntryMustBeInsideAnExecutableSegment)
{
    Program p = Program::fixed();
    p.entry = 0x400100; // inside the read-only segment
    EXPECT_EQ(parse_error(p), ElfError::EntryNotExecutable);
    p.entry = 0x402000; // past the text segment
    EXPECT_EQ(parse_error(p), ElfError::EntryNotExecutable);
    p.entry = 0x401fff; // its last byte
    EXPECT_TRUE(parse(p.bytes()).is_ok());
}

TEST(ElfImage, ProgramHeadersMustBeLoaded)
{
    Program p = Program::fixed();
    p.headers[0].filesz = 64 + 4 * 56 - 1; // the table's last byte is not loaded
    EXPECT_EQ(parse_error(p), ElfError::ProgramHeadersNotLoaded);
    p.headers[0].filesz = 64 + 4 * 56;
    auto image = parse(p.bytes());
    ASSERT_TRUE(image.is_ok());
    EXPECT_EQ(image.value().program_headers_vaddr, 0x400040u);
}

TEST(ElfImage, ChecksTheTlsTemplate)
{
    Program p = Program::fixed();
    p.headers.push_back({ elf::pt_tls, r, 0x2f00, 0x402f00, 0x10, 0x40, 8 });
    auto image = parse(p.bytes());
    ASSERT_TRUE(image.is_ok());
    EXPECT_TRUE(image.value().has_tls);
    EXPECT_EQ(image.value().tls.vaddr, 0x402f00u);
    EXPECT_EQ(image.value().tls.filesz, 0x10u);
    EXPECT_EQ(image.value().tls.memsz, 0x40u);
    EXPECT_EQ(image.value().tls.align, 8u);

    Program twice = p;
    twice.headers.push_back(p.headers.back());
    EXPECT_EQ(parse_error(twice), ElfError::BadTls);
    Program big = p;
    big.headers.back().filesz = 0x41;
    EXPECT_EQ(parse_error(big), ElfError::BadTls);
    Program misaligned = p;
    misaligned.headers.back().align = 12;
    EXPECT_EQ(parse_error(misaligned), ElfError::BadTls);
    Program outside = p;
    outside.headers.back().vaddr = 0x403f00 - 0x8; // runs past the data segment's memory
    EXPECT_EQ(parse_error(outside), ElfError::BadTls);
    outside.headers.back().vaddr = 0x403f00 - 0x10; // ends at its last byte
    EXPECT_TRUE(parse(outside.bytes()).is_ok());
    // An empty template (only .tbss) is read from nowhere, so it may lie anywhere: musl's static
    // programs put it between two segments.
    Program empty = p;
    empty.headers.back().vaddr = 0x402100, empty.headers.back().filesz = 0;
    EXPECT_TRUE(parse(empty.bytes()).is_ok());
    empty.headers.back().filesz = 1;
    EXPECT_EQ(parse_error(empty), ElfError::BadTls);
}

// --- Properties ------------------------------------------------------------------------------

namespace {

// A valid fixed or position-independent program with 1..max_load_segments segments laid out the
// way linkers do (ascending, page-consistent, no shared pages), one of them executable.
Program generate_valid()
{
    Program p;
    p.type = *rc::gen::element(elf::type_exec, elf::type_dyn);
    usize count = *rc::gen::inRange<usize>(1, ElfImage::max_load_segments + 1);
    usize text = *rc::gen::inRange<usize>(0, count);
    u64 vaddr = p.type == elf::type_exec ? 0x400000 : 0;
    u64 offset = 0;
    usize table = 64 + (count + 1) * 56;
    for (usize i = 0; i < count; ++i) {
        u64 in_page = i == 0 ? 0 : *rc::gen::inRange<u64>(0, 0x1000);
        u64 filesz = *rc::gen::inRange<u64>(i == 0 ? table : 0, 0x3000);
        u64 memsz = filesz + *rc::gen::inRange<u64>(filesz == 0 ? 1 : 0, 0x3000);
        u32 flags = i == text ? (r | x) : *rc::gen::element(r, r | w, w, 0u);
        offset = (offset + 0xfff) / 0x1000 * 0x1000 + in_page;
        vaddr = (vaddr + 0xfff) / 0x1000 * 0x1000 + in_page;
        p.headers.push_back({ elf::pt_load, flags, offset, vaddr, filesz, memsz, 0x1000 });
        if (i == text)
            p.entry = vaddr + *rc::gen::inRange<u64>(0, memsz);
        offset += filesz;
        vaddr += memsz;
    }
    p.headers.push_back({ elf::pt_gnu_stack, r | w, 0, 0, 0, 0, 16 });
    p.size = offset + *rc::gen::inRange<u64>(0, 64);
    return p;
}

} // namespace

RC_GTEST_PROP(ElfProperties, GeneratedValidLayoutsAreAcceptedWithTheirFields, ())
{
    Program p = generate_valid();
    Bytes b = p.bytes();
    auto image = parse(b);
    RC_ASSERT(image.is_ok());
    const ElfImage& im = image.value();
    RC_ASSERT(im.segment_count == p.headers.size() - 1);
    RC_ASSERT(im.entry == p.entry);
    for (usize i = 0; i < im.segment_count; ++i) {
        const ProgramHeader& h = p.headers[i];
        RC_ASSERT(im.segments[i].vaddr == h.vaddr);
        RC_ASSERT(im.segments[i].memsz == h.memsz);
        RC_ASSERT(im.segments[i].data.data() == b.data() + h.offset);
        RC_ASSERT(im.segments[i].data.size() == h.filesz);
        RC_ASSERT(im.segments[i].writable == ((h.flags & w) != 0));
        RC_ASSERT(im.segments[i].executable == ((h.flags & x) != 0));
    }
    check_invariants(b, im);
}

// Truncating a valid file anywhere before its last segment's bytes end is refused (never read
// past the end: ASan watches).
RC_GTEST_PROP(ElfProperties, TruncatedFilesAreRefused, ())
{
    Program p = generate_valid();
    Bytes b = p.bytes();
    u64 needed = 0;
    for (const auto& h : p.headers)
        needed = std::max(needed, h.offset + h.filesz);
    usize cut = *rc::gen::inRange<usize>(0, needed);
    Bytes shorter(b.begin(), b.begin() + cut);
    shorter.shrink_to_fit();
    RC_ASSERT(parse(shorter).is_error());
}

// Any byte changes to a valid file: refused, or accepted with every invariant still holding.
RC_GTEST_PROP(ElfProperties, MutatedFilesKeepTheInvariants, ())
{
    Program p = generate_valid();
    Bytes b = p.bytes();
    usize header_end = 64 + p.headers.size() * 56;
    usize changes = *rc::gen::inRange<usize>(1, 8);
    for (usize i = 0; i < changes; ++i)
        b[*rc::gen::inRange<usize>(0, header_end)] = *rc::gen::arbitrary<u8>();
    auto image = parse(b);
    if (image.is_ok())
        check_invariants(b, image.value());
}

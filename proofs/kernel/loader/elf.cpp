// Harnesses for kernel/loader/elf.{h,cpp} against spec/kernel/loader/elf.smt2 (ELF64 x86-64
// executables, the gABI plus Bulwark's loading policy). The file is untrusted: every header byte
// is nondeterministic, and the file size is any value up to 2^47 (more than any initrd: user_limit,
// the whole lower half), so memory-safety and no-panic say no offset or count in the file is
// followed outside it.
//
// Bounds, and why:
//   - harness_elf_view_checked: every e_phoff and e_phnum; only the 64 header bytes are read.
//   - harness_elf_check_load, harness_elf_load_follows: one PT_LOAD (a pair), every field value,
//     every file size.
//   - harness_elf_scan_header, harness_elf_place_load: parse()'s two passes are loops over these
//     steps (elf::detail), each proved from any state it can be in, for a header (a PT_LOAD) of
//     every type and field value: so for every table length up to 64, the 17th PT_LOAD and a
//     second PT_TLS included. That the loops compose the steps into elf_table_accepted is the
//     induction stated at elf_header_step_accepted in the spec (neighbours disjoint in order =>
//     every pair disjoint; the existential conditions ORed over the PT_LOADs), argued, not run.
//   - harness_elf_parse_*: parse() run whole, which checks the composition itself and the glue
//     between the passes, on tables at e_phoff 64: one header of every type (split into PT_LOAD,
//     PT_TLS, PT_GNU_STACK, PT_INTERP and every other value); two PT_LOADs; a PT_TLS then a
//     PT_LOAD; a PT_GNU_STACK or PT_INTERP then any header. Every field of each header, e_type,
//     e_entry and the file size are nondeterministic, the header's fixed fields constant
//     (harness_elf_view_checked covers them). Two headers of every type pair proved too, but took
//     7 minutes with the passes as steps (130 s before), so the tier runs the pairs above.
#include "proofs/harness.h"
#include "proofs/little_endian.h"

#include "kernel/loader/elf.h"

using namespace kernel::loader;
constexpr auto le32 = proofs::bytes_le32;
constexpr auto le64 = proofs::bytes_le64;

BW_SPEC(bool, elf_header_valid, u64 size, u64 ident, u16 type, u16 machine, u32 version, u16 ehsize, u16 phentsize,
        u16 phnum, u64 phoff);
BW_SPEC(bool, elf_header_forbidden, u32 type, u32 flags);
BW_SPEC(bool, elf_is_load, u32 type);
BW_SPEC(bool, elf_is_tls, u32 type);
BW_SPEC(bool, elf_load_valid, u64 size, bool fixed, u32 flags, u64 offset, u64 vaddr, u64 filesz, u64 memsz, u64 align);
BW_SPEC(bool, elf_loads_disjoint, u64 vaddr_a, u64 memsz_a, u64 vaddr_b);
BW_SPEC(bool, elf_entry_in, u64 entry, u32 flags, u64 vaddr, u64 memsz);
BW_SPEC(bool, elf_table_in, u64 phoff, u16 phnum, u64 offset, u64 filesz);
BW_SPEC(u64, elf_table_vaddr, u64 phoff, u64 offset, u64 vaddr);
BW_SPEC(bool, elf_tls_valid, u64 filesz, u64 memsz, u64 align);
BW_SPEC(bool, elf_tls_in, u64 tls_vaddr, u64 tls_filesz, u64 vaddr, u64 memsz);
BW_SPEC(bool, elf_table_accepted, bool none_forbidden, bool loads_valid, bool pairs_disjoint, u64 loads, u64 tls_count,
        bool tls_valid, bool tls_placed, bool entry_in, bool table_in);
BW_SPEC(bool, elf_header_step_accepted, u64 size, bool fixed, u32 type, u32 flags, u64 offset, u64 vaddr, u64 filesz,
        u64 memsz, u64 align, u64 loads, u64 prev_vaddr, u64 prev_memsz, bool has_tls);
BW_SPEC(bool, elf_segment_ok, u32 flags, u64 offset, u64 vaddr, u64 filesz, u64 memsz, u64 seg_vaddr, u64 seg_memsz,
        u64 data_offset, u64 data_len, bool readable, bool writable, bool executable);

namespace {

// Any file up to 2^47 bytes. Only its first bytes are nondeterministic (those the parser reads);
// the rest of the object gives spans their room, and is never read (memory-safety would say so).
constexpr u64 file_max = u64(1) << 47;
u8 g_file[file_max];

u16 le16(const u8* p) { return u16(p[0] | (p[1] << 8)); }
void put_le(u8* p, u64 v, usize bytes)
{
    for (usize i = 0; i < bytes; ++i)
        p[i] = u8(v >> (8 * i));
}

// The program header tables of the parse harnesses: at offset 64.
constexpr usize table_offset = 64;

struct Fields {
    u32 type, flags;
    u64 offset, vaddr, filesz, memsz, align;
};

Fields fields(usize index)
{
    const u8* p = g_file + table_offset + index * 56;
    return { le32(p), le32(p + 4), le64(p + 8), le64(p + 16), le64(p + 32), le64(p + 40), le64(p + 48) };
}

} // namespace

// ElfView::checked accepts exactly the spec's headers, and its accessors give the header's fields.
extern "C" void harness_elf_view_checked()
{
    bw_nondet_bytes(g_file, elf::header_len);
    u64 size = bw_nondet_u64();
    bw_assume(size <= file_max);
    auto view = ElfView::checked(lib::ReadonlyBytes(g_file, size));
    u16 type = le16(g_file + 16), phnum = le16(g_file + 56);
    u64 entry = le64(g_file + 24), phoff = le64(g_file + 32);
    bool valid = spec_elf_header_valid(size, le64(g_file), type, le16(g_file + 18), le32(g_file + 20), le16(g_file + 52),
                                       le16(g_file + 54), phnum, phoff);
    bw_assert(view.is_ok() == valid, "elf_header_valid");
    if (!view.is_ok())
        return;
    const ElfView& v = view.value();
    bw_assert(v.type() == type && v.entry() == entry && v.program_header_offset() == phoff
                  && v.program_header_count() == phnum && v.bytes().data() == g_file && v.bytes().size() == size,
              "elf_header_valid");
}

// One PT_LOAD, every field and file size, fixed or position-independent.
extern "C" void harness_elf_check_load()
{
    ProgramHeader ph { elf::pt_load, bw_nondet_u32(), bw_nondet_u64(), bw_nondet_u64(), bw_nondet_u64(), bw_nondet_u64(),
                       bw_nondet_u64() };
    u64 size = bw_nondet_u64();
    bool fixed = bw_nondet_u8() & 1;
    auto result = elf::detail::check_load(ph, size, fixed ? ElfImage::Kind::Fixed : ElfImage::Kind::PositionIndependent);
    bw_assert(result.is_ok() == spec_elf_load_valid(size, fixed, ph.flags, ph.offset, ph.vaddr, ph.filesz, ph.memsz, ph.align),
              "elf_load_valid");
}

// Two accepted PT_LOADs: load_follows is the spec's disjointness.
extern "C" void harness_elf_load_follows()
{
    ProgramHeader a { elf::pt_load, bw_nondet_u32(), bw_nondet_u64(), bw_nondet_u64(), bw_nondet_u64(), bw_nondet_u64(),
                      bw_nondet_u64() };
    ProgramHeader b { elf::pt_load, bw_nondet_u32(), bw_nondet_u64(), bw_nondet_u64(), bw_nondet_u64(), bw_nondet_u64(),
                      bw_nondet_u64() };
    u64 size = bw_nondet_u64();
    bw_assume(spec_elf_load_valid(size, false, a.flags, a.offset, a.vaddr, a.filesz, a.memsz, a.align));
    bw_assume(spec_elf_load_valid(size, false, b.flags, b.offset, b.vaddr, b.filesz, b.memsz, b.align));
    bw_assert(elf::detail::load_follows(a, b) == spec_elf_loads_disjoint(a.vaddr, a.memsz, b.vaddr), "elf_loads_disjoint");
}

// The first pass's step from any state it can be in: 0..16 PT_LOADs kept, the last of them
// accepted by check_load (the invariant scan_header keeps), any PT_TLS seen or not, and one more
// header of every type and field value. Accepted exactly as elf_header_step_accepted says; then a
// PT_LOAD becomes the last one and is counted, a PT_TLS is recorded, and nothing else changes;
// refused, the state is unchanged. Run from any state, this step covers tables of every length up
// to 64 (so also the 17th PT_LOAD and a second PT_TLS, which the whole-table harnesses below are
// too short to reach).
elf::detail::TableScan g_scan;

namespace {
bool same(const ProgramHeader& a, const ProgramHeader& b)
{
    return (a.type == b.type) & (a.flags == b.flags) & (a.offset == b.offset) & (a.vaddr == b.vaddr)
        & (a.filesz == b.filesz) & (a.memsz == b.memsz) & (a.align == b.align);
}
} // namespace

extern "C" void harness_elf_scan_header()
{
    u64 size = bw_nondet_u64();
    bw_assume(size <= file_max);
    bool fixed = bw_nondet_u8() & 1;
    auto kind = fixed ? ElfImage::Kind::Fixed : ElfImage::Kind::PositionIndependent;
    // The whole object at once (a fresh array; part of it would be a chain of byte stores), then
    // the count and the flag written over it.
    bw_nondet_bytes(&g_scan, sizeof g_scan);
    u64 count = bw_nondet_u64();
    bw_assume(count <= ElfImage::max_load_segments);
    g_scan.load_count = count;
    g_scan.has_tls = bw_nondet_u8() & 1;
    const ProgramHeader prev = g_scan.last_load;
    bw_assume(count == 0 || spec_elf_load_valid(size, fixed, prev.flags, prev.offset, prev.vaddr, prev.filesz, prev.memsz,
                                                prev.align));
    ProgramHeader ph { 0, bw_nondet_u32(), bw_nondet_u64(), bw_nondet_u64(), bw_nondet_u64(), bw_nondet_u64(),
                       bw_nondet_u64() };
    u64 kind_index = bw_split(bw_nondet_u8(), 4);
    const u32 types[4] = { elf::pt_load, elf::pt_tls, elf::pt_gnu_stack, elf::pt_interp };
    ph.type = kind_index < 4 ? types[kind_index] : bw_nondet_u32();
    bw_assume(kind_index < 4
              || (ph.type != elf::pt_load && ph.type != elf::pt_tls && ph.type != elf::pt_gnu_stack && ph.type != elf::pt_interp));
    const ProgramHeader tls_before = g_scan.tls;
    bool has_tls_before = g_scan.has_tls;

    bool expected = spec_elf_header_step_accepted(size, fixed, ph.type, ph.flags, ph.offset, ph.vaddr, ph.filesz, ph.memsz,
                                                  ph.align, count, prev.vaddr, prev.memsz, has_tls_before);
    bw_merge_paths();
    auto result = elf::detail::scan_header(g_scan, ph, size, kind);
    bw_assert(result.is_ok() == expected, "elf_header_step_accepted");
    bool load = result.is_ok() && spec_elf_is_load(ph.type);
    bool tls = result.is_ok() && spec_elf_is_tls(ph.type);
    bw_assert(g_scan.load_count == count + load && g_scan.load_count <= ElfImage::max_load_segments,
              "elf_header_step_accepted");
    bw_assert(same(g_scan.last_load, load ? ph : prev), "elf_header_step_accepted");
    bw_assert(g_scan.has_tls == (has_tls_before | tls), "elf_header_step_accepted");
    bw_assert(same(g_scan.tls, tls ? ph : tls_before), "elf_header_step_accepted");
}

// The second pass's step from any state, for any PT_LOAD check_load accepts: each flag becomes
// itself or what the spec says of this PT_LOAD (elf_entry_in, elf_table_in, elf_tls_in), and the
// table's address is taken from the first PT_LOAD that holds it. The table [e_phoff, e_phoff +
// 56 * e_phnum) lies in the file (ElfView::checked), e_phnum 1..64; the PT_TLS is any valid one.
elf::detail::Placement g_place;

extern "C" void harness_elf_place_load()
{
    u64 size = bw_nondet_u64();
    bw_assume(size <= file_max);
    bool fixed = bw_nondet_u8() & 1;
    ProgramHeader load { elf::pt_load, bw_nondet_u32(), bw_nondet_u64(), bw_nondet_u64(), bw_nondet_u64(), bw_nondet_u64(),
                         bw_nondet_u64() };
    bw_assume(spec_elf_load_valid(size, fixed, load.flags, load.offset, load.vaddr, load.filesz, load.memsz, load.align));
    u64 entry = bw_nondet_u64(), phoff = bw_nondet_u64();
    u16 phnum = bw_nondet_u16();
    bw_assume(phnum >= 1 && phnum <= ElfView::max_program_headers);
    u64 table_len = phnum * elf::program_header_len;
    bw_assume(phoff <= size && table_len <= size - phoff);
    bool has_tls = bw_nondet_u8() & 1;
    ProgramHeader tls { elf::pt_tls, bw_nondet_u32(), bw_nondet_u64(), bw_nondet_u64(), bw_nondet_u64(), bw_nondet_u64(),
                        bw_nondet_u64() };
    bw_assume(spec_elf_tls_valid(tls.filesz, tls.memsz, tls.align));
    bool entry_ok = bw_nondet_u8() & 1, headers_loaded = bw_nondet_u8() & 1, tls_inside = bw_nondet_u8() & 1;
    u64 table_vaddr = bw_nondet_u64();
    g_place = { entry_ok, headers_loaded, table_vaddr, tls_inside };

    bw_merge_paths();
    elf::detail::place_load(g_place, load, entry, phoff, table_len, has_tls, tls);
    bw_assert(g_place.entry_ok == (entry_ok | spec_elf_entry_in(entry, load.flags, load.vaddr, load.memsz)), "elf_entry_in");
    bool holds = spec_elf_table_in(phoff, phnum, load.offset, load.filesz);
    bw_assert(g_place.headers_loaded == (headers_loaded | holds), "elf_table_in");
    bw_assert(g_place.program_headers_vaddr
                  == ((!headers_loaded & holds) ? spec_elf_table_vaddr(phoff, load.offset, load.vaddr) : table_vaddr),
              "elf_table_vaddr");
    bw_assert(g_place.tls_inside
                  == (tls_inside | (has_tls & spec_elf_tls_in(tls.vaddr, tls.filesz, load.vaddr, load.memsz))),
              "elf_tls_in");
}

// ElfImage::parse of a checked file whose table of 1..count entries at offset 64 is any bytes:
// accepted exactly when the spec's table conditions hold, and then the plan holds the spec's
// segments in table order, the entry, the table's address and the TLS template.
enum class First { AnyType, StackOrInterpreter, TlsThenLoad, TwoLoads };
template<usize count> void check_parse(First first)
{
    bw_nondet_bytes(g_file, table_offset + count * 56);
    u64 size = bw_nondet_u64();
    bw_assume(size <= file_max);
    // The header's fixed fields are written as constants (harness_elf_view_checked covers every
    // header): the table's offset then is the constant 64 and parse() reads the table at constant
    // offsets. e_type (ET_EXEC or ET_DYN), e_entry, e_phnum and the file size stay nondeterministic.
    const u8 ident[8] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 };
    for (usize i = 0; i < 8; ++i)
        g_file[i] = ident[i];
    put_le(g_file + 17, 0, 1);   // e_type's high byte
    put_le(g_file + 18, 62, 2);  // e_machine
    put_le(g_file + 20, 1, 4);   // e_version
    put_le(g_file + 32, table_offset, 8);
    put_le(g_file + 52, 64, 2);  // e_ehsize
    put_le(g_file + 54, 56, 2);  // e_phentsize
    g_file[57] = 0;              // e_phnum's high byte
    bw_assume(g_file[16] == elf::type_exec || g_file[16] == elf::type_dyn);
    u16 phnum = g_file[56];
    bw_assume(phnum >= 1 && phnum <= count);
    bw_assume(size >= table_offset + phnum * 56);
    // Each header's type, one path per kind parse() tells apart (bw_split: PT_LOAD, PT_TLS,
    // PT_GNU_STACK, PT_INTERP) and one for every other value, so that paths of different types
    // are never merged (their merged queries ran for minutes).
    for (usize i = 0; i < count; ++i) {
        u8* type = g_file + table_offset + i * 56;
        u64 kind = bw_split(bw_nondet_u8(), 4);
        if (i == 0 && first == First::StackOrInterpreter)
            bw_assume(kind == 2 || kind == 3);
        if (first == First::TlsThenLoad)
            bw_assume(kind == (i == 0 ? 1 : 0) && phnum == 2);
        if (first == First::TwoLoads)
            bw_assume(kind == 0 && phnum == 2);
        if (kind < 4) {
            const u32 types[4] = { elf::pt_load, elf::pt_tls, elf::pt_gnu_stack, elf::pt_interp };
            put_le(type, types[kind], 4);
        } else {
            u32 other = le32(type);
            bw_assume(other != elf::pt_load && other != elf::pt_tls && other != elf::pt_gnu_stack && other != elf::pt_interp);
        }
    }
    auto view = ElfView::checked(lib::ReadonlyBytes(g_file, size));
    if (!view.is_ok())
        return bw_assert(false, "elf_header_valid");
    bool fixed = le16(g_file + 16) == elf::type_exec;
    u64 entry = le64(g_file + 24);

    // Everything below is computed without branching on the inputs (`&`, `|`, `?:` on values), so
    // the harness adds no paths of its own to parse()'s.
    Fields f[count];
    bool present[count], load[count];
    for (usize i = 0; i < count; ++i) {
        present[i] = i < phnum;
        f[i] = fields(i);
        load[i] = present[i] & spec_elf_is_load(f[i].type);
    }
    // The spec's table conditions (spec/kernel/loader/elf.smt2, elf_table_accepted), each
    // quantifier over the headers spelled out.
    bool none_forbidden = true, loads_valid = true, pairs_disjoint = true, tls_valid = true;
    bool entry_in = false, table_in = false, tls_placed = false;
    u64 loads = 0, tls_count = 0;
    usize tls_index = 0;
    for (usize i = 0; i < count; ++i) {
        const Fields& h = f[i];
        bool tls = present[i] & spec_elf_is_tls(h.type);
        none_forbidden &= !present[i] | !spec_elf_header_forbidden(h.type, h.flags);
        tls_count += tls;
        tls_index = tls ? i : tls_index;
        tls_valid &= !tls | spec_elf_tls_valid(h.filesz, h.memsz, h.align);
        loads += load[i];
        loads_valid &= !load[i] | spec_elf_load_valid(size, fixed, h.flags, h.offset, h.vaddr, h.filesz, h.memsz, h.align);
        for (usize j = i + 1; j < count; ++j)
            pairs_disjoint &= !(load[i] & load[j]) | spec_elf_loads_disjoint(h.vaddr, h.memsz, f[j].vaddr);
        entry_in |= load[i] & spec_elf_entry_in(entry, h.flags, h.vaddr, h.memsz);
        table_in |= load[i] & spec_elf_table_in(table_offset, phnum, h.offset, h.filesz);
    }
    const Fields& t = f[tls_index];
    tls_placed = t.filesz == 0;
    for (usize i = 0; i < count; ++i)
        tls_placed |= load[i] & spec_elf_tls_in(t.vaddr, t.filesz, f[i].vaddr, f[i].memsz);
    bool expected = spec_elf_table_accepted(none_forbidden, loads_valid, pairs_disjoint, loads, tls_count, tls_valid,
                                            tls_placed, entry_in, table_in);

    bw_merge_paths();
    auto image = ElfImage::parse(view.value());
    bw_assert(image.is_ok() == expected, "elf_table_accepted");
    if (!image.is_ok())
        return;
    const ElfImage& im = image.value();
    bw_assert(im.segment_count == loads && im.entry == entry && im.program_header_count == phnum
                  && im.kind == (fixed ? ElfImage::Kind::Fixed : ElfImage::Kind::PositionIndependent),
              "elf_segment_ok");
    // The k-th segment is the k-th PT_LOAD; AT_PHDR comes from the first PT_LOAD holding the table.
    usize k = 0;
    bool table_seen = false;
    for (usize i = 0; i < count; ++i) {
        const Fields& h = f[i];
        if (load[i]) {
            const LoadSegment& s = im.segments[k];
            bw_assert(spec_elf_segment_ok(h.flags, h.offset, h.vaddr, h.filesz, h.memsz, s.vaddr, s.memsz,
                                          u64(s.data.data() - g_file), s.data.size(), s.readable, s.writable,
                                          s.executable),
                      "elf_segment_ok");
        }
        bool holds_table = load[i] & !table_seen & spec_elf_table_in(table_offset, phnum, h.offset, h.filesz);
        bw_assert(!holds_table | (im.program_headers_vaddr == spec_elf_table_vaddr(table_offset, h.offset, h.vaddr)),
                  "elf_table_vaddr");
        table_seen |= holds_table;
        k += load[i];
    }
    bw_assert(im.has_tls == (tls_count == 1), "elf_tls_valid");
    bw_assert(!im.has_tls
                  | ((im.tls.vaddr == t.vaddr) & (im.tls.filesz == t.filesz) & (im.tls.memsz == t.memsz)
                     & (im.tls.align == t.align)),
              "elf_tls_valid");
}

// Tables of one entry, every type.
extern "C" void harness_elf_parse_one()
{
    check_parse<1>(First::AnyType);
}

// A PT_TLS and then a PT_LOAD, every field of both: where parse()'s own code between its two
// passes (the TLS template's starting verdict) shows.
extern "C" void harness_elf_parse_tls()
{
    check_parse<2>(First::TlsThenLoad);
}

// Two PT_LOADs, every field of both: the pair parse() checks against each other and then places.
extern "C" void harness_elf_parse_loads()
{
    check_parse<2>(First::TwoLoads);
}

// A PT_GNU_STACK or PT_INTERP first, then a header of any type.
extern "C" void harness_elf_parse_refusals()
{
    check_parse<2>(First::StackOrInterpreter);
}

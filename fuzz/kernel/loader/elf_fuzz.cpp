// Fuzz target for the ELF parser (kernel/loader/elf.h).
//
// Input format: the executable file itself, any bytes (seeds: fuzz/tools/gen_seeds.py, laid out as
// musl, lld and glibc lay out static programs).
//
// Oracle: an independent model of spec/kernel/loader/elf.smt2, written from the gABI and the
// policy in elf.h without the parser's helpers, predicts whether ElfView::checked and
// ElfImage::parse accept the file, and on acceptance every field of the plan: the PT_LOADs in
// table order (address, size, file bytes, protection), the entry, the kind, AT_PHDR and the TLS
// template. The model checks disjointness over every pair of PT_LOADs, where the parser checks
// neighbours only. Then the plan's own guarantees: W^X, every segment in the user half and its
// bytes inside the input, start() <= end(). A second parse of a copy gives the same plan.
#include "fuzz/fuzz.h"
#include "kernel/loader/elf.h"

#include <cstring>
#include <vector>

using fuzz::le;
using kernel::loader::ElfImage;
using kernel::loader::ElfView;

namespace {

constexpr u64 user_limit = u64(1) << 47;
constexpr u64 page = 4096;

struct Header {
    u32 type, flags;
    u64 offset, vaddr, filesz, memsz, align;
};

// Whether [start, start + len) lies inside [0, limit), in exact (128-bit) arithmetic.
bool inside(u64 start, u64 len, u64 limit) { return (unsigned __int128)start + len <= limit; }
bool pow2_or_zero(u64 v) { return v == 0 || (v & (v - 1)) == 0; }
u64 round_up(u64 v) { return (v + page - 1) / page * page; }

struct Model {
    bool accepted { false };
    bool fixed { false };
    u64 entry { 0 };
    std::vector<Header> loads;
    u64 table_vaddr { 0 };
    bool has_tls { false };
    Header tls {};
};

Model model(const u8* data, usize size)
{
    Model m;
    if (size < 64)
        return m;
    static const u8 magic[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
    if (std::memcmp(data, magic, sizeof magic) != 0 || (data[7] != 0 && data[7] != 3))
        return m;
    u16 type = u16(le(data + 16, 2));
    if ((type != 2 && type != 3) || u16(le(data + 18, 2)) != 62 || u32(le(data + 20, 4)) != 1 || u16(le(data + 52, 2)) != 64
        || u16(le(data + 54, 2)) != 56)
        return m;
    u64 phnum = u16(le(data + 56, 2)), phoff = u64(le(data + 32, 8));
    if (phnum == 0 || phnum > 64 || !inside(phoff, phnum * 56, size))
        return m;
    m.fixed = type == 2;
    m.entry = u64(le(data + 24, 8));

    std::vector<Header> headers;
    for (u64 i = 0; i < phnum; ++i) {
        const u8* p = data + phoff + i * 56;
        headers.push_back({ u32(le(p, 4)), u32(le(p + 4, 4)), u64(le(p + 8, 8)), u64(le(p + 16, 8)), u64(le(p + 32, 8)), u64(le(p + 40, 8)),
                            u64(le(p + 48, 8)) });
    }
    int tls_count = 0;
    for (const Header& h : headers) {
        if (h.type == 3 || (h.type == 0x6474e551 && (h.flags & 1)))
            return m; // PT_INTERP, executable PT_GNU_STACK
        if (h.type == 7) {
            if (++tls_count > 1 || h.filesz > h.memsz || !pow2_or_zero(h.align))
                return m;
            m.has_tls = true;
            m.tls = h;
        }
        if (h.type != 1)
            continue;
        bool ok = h.memsz != 0 && h.filesz <= h.memsz && pow2_or_zero(h.align) && (h.vaddr % page) == (h.offset % page)
                  && inside(h.offset, h.filesz, size) && inside(h.vaddr, h.memsz, user_limit)
                  && !(m.fixed && h.vaddr < 0x10000) && (h.flags & 3) != 3;
        if (!ok)
            return m;
        m.loads.push_back(h);
    }
    if (m.loads.empty() || m.loads.size() > ElfImage::max_load_segments)
        return m;
    for (usize i = 0; i < m.loads.size(); ++i) {
        for (usize j = i + 1; j < m.loads.size(); ++j) {
            if (round_up(m.loads[i].vaddr + m.loads[i].memsz) > m.loads[j].vaddr / page * page)
                return m;
        }
    }
    bool entry_in = false, table_in = false, tls_in = !m.has_tls || m.tls.filesz == 0;
    for (const Header& l : m.loads) {
        entry_in |= (l.flags & 1) && m.entry >= l.vaddr && m.entry < l.vaddr + l.memsz;
        if (!table_in && phoff >= l.offset && phoff + phnum * 56 <= (unsigned __int128)l.offset + l.filesz) {
            table_in = true;
            m.table_vaddr = l.vaddr + (phoff - l.offset);
        }
        tls_in |= m.has_tls && m.tls.vaddr >= l.vaddr && (unsigned __int128)m.tls.vaddr + m.tls.filesz <= l.vaddr + l.memsz;
    }
    m.accepted = entry_in && table_in && tls_in;
    return m;
}

bool same_plan(const ElfImage& a, const ElfImage& b, const u8* base_a, const u8* base_b)
{
    if (a.kind != b.kind || a.entry != b.entry || a.segment_count != b.segment_count
        || a.program_headers_vaddr != b.program_headers_vaddr || a.has_tls != b.has_tls)
        return false;
    for (usize i = 0; i < a.segment_count; ++i) {
        const auto &x = a.segments[i], &y = b.segments[i];
        if (x.vaddr != y.vaddr || x.memsz != y.memsz || x.data.size() != y.data.size()
            || x.data.data() - base_a != y.data.data() - base_b || x.readable != y.readable || x.writable != y.writable
            || x.executable != y.executable)
            return false;
    }
    return !a.has_tls
           || (a.tls.vaddr == b.tls.vaddr && a.tls.filesz == b.tls.filesz && a.tls.memsz == b.tls.memsz
               && a.tls.align == b.tls.align);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const u8* data, usize size)
{
    // A copy of exactly `size` bytes, so ASan catches any read past the end.
    std::vector<u8> file(data, data + size);
    Model expected = model(file.data(), size);
    auto view = ElfView::checked(lib::ReadonlyBytes(file.data(), size));
    if (view.is_error()) {
        FUZZ_CHECK(!expected.accepted, "the view refuses a file the spec accepts");
        return 0;
    }
    auto image = ElfImage::parse(view.value());
    FUZZ_CHECK(image.is_ok() == expected.accepted, "parse accepts exactly the spec's files");
    if (image.is_error())
        return 0;
    const ElfImage& im = image.value();
    FUZZ_CHECK(im.kind == (expected.fixed ? ElfImage::Kind::Fixed : ElfImage::Kind::PositionIndependent), "kind is e_type");
    FUZZ_CHECK(im.entry == expected.entry, "entry is e_entry");
    FUZZ_CHECK(im.program_headers_vaddr == expected.table_vaddr, "AT_PHDR from the first PT_LOAD holding the table");
    FUZZ_CHECK(im.segment_count == expected.loads.size(), "one segment per PT_LOAD");
    for (usize i = 0; i < im.segment_count; ++i) {
        const auto& s = im.segments[i];
        const auto& h = expected.loads[i];
        FUZZ_CHECK(s.vaddr == h.vaddr && s.memsz == h.memsz, "segment memory is p_vaddr, p_memsz");
        FUZZ_CHECK(s.data.data() == file.data() + h.offset && s.data.size() == h.filesz, "segment bytes are the file's");
        FUZZ_CHECK(s.readable == bool(h.flags & 4) && s.writable == bool(h.flags & 2) && s.executable == bool(h.flags & 1),
                   "protection is p_flags");
        FUZZ_CHECK(!(s.writable && s.executable), "W^X");
        FUZZ_CHECK(s.vaddr + s.memsz <= user_limit, "segment in the user half");
    }
    FUZZ_CHECK(im.has_tls == expected.has_tls, "PT_TLS found");
    if (im.has_tls)
        FUZZ_CHECK(im.tls.vaddr == expected.tls.vaddr && im.tls.filesz == expected.tls.filesz
                       && im.tls.memsz == expected.tls.memsz && im.tls.align == expected.tls.align,
                   "TLS template is PT_TLS");
    FUZZ_CHECK(im.start() <= im.segments[0].vaddr && im.end() >= im.segments[im.segment_count - 1].vaddr
                   && im.end() <= user_limit,
               "the span covers the segments");

    std::vector<u8> copy(file);
    auto again = ElfImage::parse(ElfView::checked(lib::ReadonlyBytes(copy.data(), size)).value());
    FUZZ_CHECK(again.is_ok() && same_plan(im, again.value(), file.data(), copy.data()), "parsing is deterministic");
    return 0;
}

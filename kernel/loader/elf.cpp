// ELF64 x86-64 executables: the checked view and the load plan (see elf.h for the policy).
#include "kernel/loader/elf.h"

#include "lib/byte_order.h"
#include "lib/utility.h"

namespace kernel::loader {

lib::StringView elf_error_name(ElfError error)
{
    switch (error) {
    case ElfError::Truncated: return "file shorter than the 64-byte ELF header";
    case ElfError::BadMagic: return "not an ELF file (bad magic)";
    case ElfError::NotElf64: return "not a 64-bit ELF file";
    case ElfError::NotLittleEndian: return "not little-endian";
    case ElfError::BadVersion: return "unknown ELF version";
    case ElfError::BadOsAbi: return "OS ABI is neither System V nor GNU/Linux";
    case ElfError::NotExecutable: return "not an executable (e_type is neither ET_EXEC nor ET_DYN)";
    case ElfError::NotX86_64: return "not an x86-64 program";
    case ElfError::BadHeaderSize: return "ELF or program header size is not the ELF64 one";
    case ElfError::BadProgramHeaderCount: return "no program headers, or too many";
    case ElfError::ProgramHeadersOutsideFile: return "program header table runs past the end of the file";
    case ElfError::DynamicallyLinked: return "dynamically linked (PT_INTERP): only static programs run";
    case ElfError::BadSegment: return "malformed PT_LOAD (empty, filesz > memsz, bad alignment or offset)";
    case ElfError::SegmentOutsideFile: return "PT_LOAD file bytes run past the end of the file";
    case ElfError::SegmentOutsideUserSpace: return "PT_LOAD outside user space";
    case ElfError::WritableAndExecutable: return "PT_LOAD both writable and executable (W^X)";
    case ElfError::SegmentsOverlap: return "PT_LOADs out of order or sharing a page";
    case ElfError::TooManySegments: return "too many PT_LOAD segments";
    case ElfError::NoLoadableSegment: return "no PT_LOAD segment";
    case ElfError::ExecutableStack: return "PT_GNU_STACK asks for an executable stack";
    case ElfError::BadTls: return "malformed PT_TLS";
    case ElfError::EntryNotExecutable: return "entry point not inside an executable PT_LOAD";
    case ElfError::ProgramHeadersNotLoaded: return "program header table not inside a PT_LOAD";
    }
    return "unknown ELF error";
}

namespace {

constexpr u8 elf_class_64 = 2;
constexpr u8 elf_data_lsb = 1;
constexpr u8 ev_current = 1;
constexpr u8 osabi_sysv = 0;
constexpr u8 osabi_gnu = 3;
constexpr u16 em_x86_64 = 62;

constexpr u64 page_mask = elf::page_size - 1;
constexpr u64 page_down(u64 v) { return lib::align_down(v, elf::page_size); }
// Precondition: v <= user_limit (so v + page_mask cannot wrap, and lib::align_up's overflow check
// would be dead code here).
constexpr u64 page_up(u64 v) { return lib::align_down(v + page_mask, elf::page_size); }
// 0 and 1 mean "no alignment" (gABI "Program Header", p_align).
constexpr bool alignment_ok(u64 align) { return (align & (align - 1)) == 0; }

} // namespace

lib::Result<ElfView, ElfError> ElfView::checked(lib::ReadonlyBytes file)
{
    if (file.size() < elf::header_len)
        return ElfError::Truncated;
    const u8* p = file.data();
    if (p[0] != 0x7f || p[1] != 'E' || p[2] != 'L' || p[3] != 'F')
        return ElfError::BadMagic;
    if (p[elf::field::ident_class] != elf_class_64)
        return ElfError::NotElf64;
    if (p[elf::field::ident_data] != elf_data_lsb)
        return ElfError::NotLittleEndian;
    if (p[elf::field::ident_version] != ev_current || lib::load_le32(file, elf::field::version) != ev_current)
        return ElfError::BadVersion;
    if (p[elf::field::ident_osabi] != osabi_sysv && p[elf::field::ident_osabi] != osabi_gnu)
        return ElfError::BadOsAbi;
    u16 type = lib::load_le16(file, elf::field::type);
    if (type != elf::type_exec && type != elf::type_dyn)
        return ElfError::NotExecutable;
    if (lib::load_le16(file, elf::field::machine) != em_x86_64)
        return ElfError::NotX86_64;
    if (lib::load_le16(file, elf::field::ehsize) != elf::header_len
        || lib::load_le16(file, elf::field::phentsize) != elf::program_header_len)
        return ElfError::BadHeaderSize;
    u64 count = lib::load_le16(file, elf::field::phnum);
    if (count == 0 || count > max_program_headers)
        return ElfError::BadProgramHeaderCount;
    u64 offset = lib::load_le64(file, elf::field::phoff);
    if (offset > file.size() || count * elf::program_header_len > file.size() - offset)
        return ElfError::ProgramHeadersOutsideFile;
    return ElfView(file);
}

u16 ElfView::type() const { return lib::load_le16(m_file, elf::field::type); }
u64 ElfView::entry() const { return lib::load_le64(m_file, elf::field::entry); }
u64 ElfView::program_header_offset() const { return lib::load_le64(m_file, elf::field::phoff); }
usize ElfView::program_header_count() const { return lib::load_le16(m_file, elf::field::phnum); }

ProgramHeader ElfView::program_header(usize index) const
{
    VERIFY(index < program_header_count());
    usize at = program_header_offset() + index * elf::program_header_len;
    return ProgramHeader {
        .type = lib::load_le32(m_file, at + elf::ph::type),
        .flags = lib::load_le32(m_file, at + elf::ph::flags),
        .offset = lib::load_le64(m_file, at + elf::ph::offset),
        .vaddr = lib::load_le64(m_file, at + elf::ph::vaddr),
        .filesz = lib::load_le64(m_file, at + elf::ph::filesz),
        .memsz = lib::load_le64(m_file, at + elf::ph::memsz),
        .align = lib::load_le64(m_file, at + elf::ph::align),
    };
}

namespace elf::detail {

lib::Result<void, ElfError> check_load(const ProgramHeader& ph, u64 file_size, ElfImage::Kind kind)
{
    if (ph.memsz == 0 || ph.filesz > ph.memsz || !alignment_ok(ph.align) || ((ph.vaddr ^ ph.offset) & page_mask) != 0)
        return ElfError::BadSegment;
    if (ph.offset > file_size || ph.filesz > file_size - ph.offset)
        return ElfError::SegmentOutsideFile;
    if (!mm::UserRange::checked(ph.vaddr, ph.memsz))
        return ElfError::SegmentOutsideUserSpace;
    if (kind == ElfImage::Kind::Fixed && ph.vaddr < min_user_address)
        return ElfError::SegmentOutsideUserSpace;
    if ((ph.flags & pf_w) != 0 && (ph.flags & pf_x) != 0)
        return ElfError::WritableAndExecutable;
    return {};
}

bool load_follows(const ProgramHeader& previous, const ProgramHeader& next)
{
    return page_up(previous.vaddr + previous.memsz) <= page_down(next.vaddr);
}

lib::Result<void, ElfError> scan_header(TableScan& scan, const ProgramHeader& ph, u64 file_size, ElfImage::Kind kind)
{
    if (ph.type == pt_interp)
        return ElfError::DynamicallyLinked;
    if (ph.type == pt_gnu_stack && (ph.flags & pf_x) != 0)
        return ElfError::ExecutableStack;
    if (ph.type == pt_tls) {
        if (scan.has_tls || ph.filesz > ph.memsz || !alignment_ok(ph.align))
            return ElfError::BadTls;
        scan.has_tls = true;
        scan.tls = ph;
        return {};
    }
    if (ph.type != pt_load)
        return {};
    TRY(check_load(ph, file_size, kind));
    if (scan.load_count > 0 && !load_follows(scan.last_load, ph))
        return ElfError::SegmentsOverlap;
    if (scan.load_count == ElfImage::max_load_segments)
        return ElfError::TooManySegments;
    scan.last_load = ph;
    ++scan.load_count;
    return {};
}

void place_load(Placement& place, const ProgramHeader& load, u64 entry, u64 table_offset, u64 table_len, bool has_tls,
                const ProgramHeader& tls)
{
    if ((load.flags & pf_x) != 0 && entry >= load.vaddr && entry - load.vaddr < load.memsz)
        place.entry_ok = true;
    if (!place.headers_loaded && table_offset >= load.offset && table_len <= load.filesz
        && table_offset - load.offset <= load.filesz - table_len) {
        place.headers_loaded = true;
        place.program_headers_vaddr = load.vaddr + (table_offset - load.offset);
    }
    if (has_tls && tls.vaddr >= load.vaddr && tls.vaddr - load.vaddr <= load.memsz
        && tls.filesz <= load.memsz - (tls.vaddr - load.vaddr))
        place.tls_inside = true;
}

} // namespace elf::detail

lib::Result<ElfImage, ElfError> ElfImage::parse(const ElfView& view)
{
    ElfImage image;
    image.kind = view.type() == elf::type_dyn ? Kind::PositionIndependent : Kind::Fixed;
    image.entry = view.entry();
    image.program_header_count = view.program_header_count();

    // The PT_LOADs kept, counted by image.segment_count; scan.load_count counts the same and the
    // VERIFY below says so. The second counter is for the verifier: indexing this array by the
    // scan's count (a term merged across paths) made the whole-table proofs time out.
    elf::detail::TableScan scan;
    ProgramHeader loads[max_load_segments];
    for (usize i = 0; i < view.program_header_count(); ++i) {
        ProgramHeader ph = view.program_header(i);
        TRY(elf::detail::scan_header(scan, ph, view.bytes().size(), image.kind));
        if (ph.type == elf::pt_load)
            loads[image.segment_count++] = ph; // scan_header refused a 17th
    }
    VERIFY(image.segment_count == scan.load_count);
    if (image.segment_count == 0)
        return ElfError::NoLoadableSegment;

    // A template of no bytes (only .tbss) is read from nowhere and may lie anywhere.
    elf::detail::Placement place;
    place.tls_inside = !scan.has_tls || scan.tls.filesz == 0;
    u64 table_len = image.program_header_count * elf::program_header_len;
    for (usize i = 0; i < image.segment_count; ++i) {
        const ProgramHeader& load = loads[i];
        elf::detail::place_load(place, load, image.entry, view.program_header_offset(), table_len, scan.has_tls, scan.tls);
        image.segments[i] = LoadSegment {
            .vaddr = load.vaddr,
            .memsz = load.memsz,
            .data = view.bytes().slice(load.offset, load.filesz),
            .readable = (load.flags & elf::pf_r) != 0,
            .writable = (load.flags & elf::pf_w) != 0,
            .executable = (load.flags & elf::pf_x) != 0,
        };
    }
    if (!place.tls_inside)
        return ElfError::BadTls;
    if (!place.entry_ok)
        return ElfError::EntryNotExecutable;
    if (!place.headers_loaded)
        return ElfError::ProgramHeadersNotLoaded;
    image.program_headers_vaddr = place.program_headers_vaddr;
    image.has_tls = scan.has_tls;
    if (scan.has_tls)
        image.tls = TlsTemplate { .vaddr = scan.tls.vaddr, .filesz = scan.tls.filesz, .memsz = scan.tls.memsz, .align = scan.tls.align };
    return image;
}

u64 ElfImage::start() const
{
    VERIFY(segment_count > 0);
    return page_down(segments[0].vaddr);
}

u64 ElfImage::end() const
{
    VERIFY(segment_count > 0);
    const LoadSegment& last = segments[segment_count - 1];
    return page_up(last.vaddr + last.memsz);
}

} // namespace kernel::loader

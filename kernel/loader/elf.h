// ELF64 executables for x86-64 (System V gABI "Object Files" chapters 4 and 5, and the x86-64
// psABI): the checked view of the file header and program header table, and the load plan the
// loader builds the address space from. The image is untrusted: it comes from the initrd, which a
// user built and the VMM handed over, so every offset, size and address is checked here, once,
// before anything is mapped.
//
// Bulwark runs static programs only: static (ET_EXEC) and static-PIE (ET_DYN without PT_INTERP).
// Beyond the gABI's own rules, the load plan enforces Bulwark's policy:
//   - W^X: no PT_LOAD segment is both writable and executable, and PT_GNU_STACK must not ask for
//     an executable stack;
//   - every PT_LOAD lies in the lower (user) half, and a fixed-address (ET_EXEC) one never maps
//     below min_user_address, so the null page and its neighbours stay unmapped;
//   - PT_LOAD segments are in ascending order and never share a page (each page has one
//     protection), and each is page-consistent (p_vaddr = p_offset mod 4096) so file pages map
//     in place;
//   - the entry point lies inside an executable PT_LOAD, and the program header table inside the
//     file-backed part of a PT_LOAD (libc reads it through AT_PHDR).
#pragma once

#include "kernel/mm/user_range.h"
#include "lib/result.h"
#include "lib/span.h"
#include "lib/string_view.h"
#include "lib/types.h"

namespace kernel::loader {

enum class ElfError : u8 {
    Truncated,           // shorter than the 64-byte ELF header
    BadMagic,            // not \x7fELF
    NotElf64,            // EI_CLASS is not ELFCLASS64
    NotLittleEndian,     // EI_DATA is not ELFDATA2LSB
    BadVersion,          // EI_VERSION or e_version is not EV_CURRENT (1)
    BadOsAbi,            // EI_OSABI is neither System V (0) nor GNU/Linux (3)
    NotExecutable,       // e_type is neither ET_EXEC nor ET_DYN
    NotX86_64,           // e_machine is not EM_X86_64
    BadHeaderSize,       // e_ehsize is not 64 or e_phentsize is not 56
    BadProgramHeaderCount, // e_phnum is 0 or above max_program_headers (PN_XNUM included)
    ProgramHeadersOutsideFile,
    DynamicallyLinked,   // PT_INTERP: the program wants a dynamic linker
    BadSegment,          // a PT_LOAD: memsz 0, filesz > memsz, alignment not a power of two, or
                         // not page-consistent
    SegmentOutsideFile,  // a PT_LOAD's file bytes run past the file (or wrap)
    SegmentOutsideUserSpace, // a PT_LOAD wraps, reaches the upper half, or (ET_EXEC) starts
                             // below min_user_address
    WritableAndExecutable,   // a PT_LOAD with both PF_W and PF_X
    SegmentsOverlap,     // PT_LOADs out of order or sharing a page
    TooManySegments,     // more than max_load_segments PT_LOADs
    NoLoadableSegment,
    ExecutableStack,     // PT_GNU_STACK with PF_X
    BadTls,              // a second PT_TLS, filesz > memsz, alignment not a power of two, or a
                         // non-empty template (filesz > 0) not inside a PT_LOAD's memory
    EntryNotExecutable,  // e_entry is not inside an executable PT_LOAD
    ProgramHeadersNotLoaded, // the program header table is not inside a PT_LOAD's file bytes
};

lib::StringView elf_error_name(ElfError);

namespace elf {
inline constexpr usize header_len = 64;
inline constexpr usize program_header_len = 56;
inline constexpr u64 page_size = 4096;

// e_type
inline constexpr u16 type_exec = 2;
inline constexpr u16 type_dyn = 3;
// p_type
inline constexpr u32 pt_load = 1;
inline constexpr u32 pt_dynamic = 2;
inline constexpr u32 pt_interp = 3;
inline constexpr u32 pt_tls = 7;
inline constexpr u32 pt_gnu_stack = 0x6474e551;
// p_flags
inline constexpr u32 pf_x = 1;
inline constexpr u32 pf_w = 2;
inline constexpr u32 pf_r = 4;

// The user half of the address space (kernel/mm/user_range.h).
inline constexpr u64 user_limit = mm::user_limit;
// The lowest address a fixed-address program may map (Linux's default vm.mmap_min_addr).
inline constexpr u64 min_user_address = 0x10000;

// File header fields (gABI "ELF Header"), offsets from the start of the file.
namespace field {
inline constexpr usize ident_class = 4;
inline constexpr usize ident_data = 5;
inline constexpr usize ident_version = 6;
inline constexpr usize ident_osabi = 7;
inline constexpr usize type = 16;
inline constexpr usize machine = 18;
inline constexpr usize version = 20;
inline constexpr usize entry = 24;
inline constexpr usize phoff = 32;
inline constexpr usize ehsize = 52;
inline constexpr usize phentsize = 54;
inline constexpr usize phnum = 56;
} // namespace field
// Program header fields (gABI "Program Header"), offsets from the start of the entry.
namespace ph {
inline constexpr usize type = 0;
inline constexpr usize flags = 4;
inline constexpr usize offset = 8;
inline constexpr usize vaddr = 16;
inline constexpr usize filesz = 32;
inline constexpr usize memsz = 40;
inline constexpr usize align = 48;
} // namespace ph
} // namespace elf

// One program header, as the file states it (nothing about it is checked yet).
struct ProgramHeader {
    u32 type;
    u32 flags;
    u64 offset;
    u64 vaddr;
    u64 filesz;
    u64 memsz;
    u64 align;
};

// An ELF64 x86-64 executable whose file header is valid and whose program header table lies
// inside the file. What the program headers say is checked by ElfImage::parse.
class ElfView {
public:
    static constexpr usize max_program_headers = 64;

    // Fails with: Truncated, BadMagic, NotElf64, NotLittleEndian, BadVersion, BadOsAbi,
    // NotExecutable, NotX86_64, BadHeaderSize, BadProgramHeaderCount, ProgramHeadersOutsideFile.
    // Section headers are not read: a loader has no use for them.
    static lib::Result<ElfView, ElfError> checked(lib::ReadonlyBytes file);

    u16 type() const;
    u64 entry() const;
    u64 program_header_offset() const;
    usize program_header_count() const;
    // Precondition (VERIFYed): index < program_header_count().
    ProgramHeader program_header(usize index) const;
    lib::ReadonlyBytes bytes() const { return m_file; }

private:
    explicit ElfView(lib::ReadonlyBytes file) : m_file(file) { }
    // Invariant: the header checks of checked() hold for m_file; checked() is the only constructor.
    lib::ReadonlyBytes m_file;
};

// A PT_LOAD segment: map [vaddr, vaddr + memsz) (plus the load base for a position-independent
// program) with the given protection; the first `data.size()` bytes come from the file, the
// rest are zero.
struct LoadSegment {
    u64 vaddr;
    u64 memsz;
    lib::ReadonlyBytes data; // the file bytes [p_offset, p_offset + p_filesz): zero-copy
    bool readable;
    bool writable;
    bool executable;
};

// The thread-local storage template (PT_TLS), which libc copies into each thread's TLS block.
struct TlsTemplate {
    u64 vaddr;
    u64 filesz;
    u64 memsz;
    u64 align;
};

// What the loader needs to build the address space and the auxiliary vector.
struct ElfImage {
    static constexpr usize max_load_segments = 16;

    enum class Kind : u8 { Fixed, PositionIndependent }; // ET_EXEC, ET_DYN
    Kind kind { Kind::Fixed };
    u64 entry { 0 };
    LoadSegment segments[max_load_segments] {};
    usize segment_count { 0 };
    // AT_PHDR (relative to the load base for a PIE), AT_PHNUM; AT_PHENT is 56.
    u64 program_headers_vaddr { 0 };
    usize program_header_count { 0 };
    bool has_tls { false };
    TlsTemplate tls {};

    // The page-aligned span the segments occupy: [start, end).
    u64 start() const;
    u64 end() const;

    // Fails with: DynamicallyLinked, BadSegment, SegmentOutsideFile, SegmentOutsideUserSpace,
    // WritableAndExecutable, SegmentsOverlap, TooManySegments, NoLoadableSegment,
    // ExecutableStack, BadTls, EntryNotExecutable, ProgramHeadersNotLoaded. Program headers of
    // other types (PT_NOTE, PT_DYNAMIC, PT_GNU_RELRO, PT_GNU_EH_FRAME, PT_GNU_PROPERTY, PT_PHDR,
    // PT_NULL, unknown ones) are not needed to load the program and are ignored: libc reads what
    // it needs of them through AT_PHDR.
    static lib::Result<ElfImage, ElfError> parse(const ElfView&);
};

namespace elf::detail {
// The checks of one PT_LOAD on its own (parse's per-segment step; proved separately). Fails with
// BadSegment, SegmentOutsideFile, SegmentOutsideUserSpace or WritableAndExecutable.
lib::Result<void, ElfError> check_load(const ProgramHeader&, u64 file_size, ElfImage::Kind);
// Whether `next` starts on a page after every page `previous` occupies (both checked PT_LOADs).
bool load_follows(const ProgramHeader& previous, const ProgramHeader& next);

// parse() reads the table in two passes, each a loop over one of the steps below (proved as steps
// from any state: proofs/kernel/loader/elf.cpp).
//
// The first pass: what the program headers before the current one left. Invariant (kept by
// scan_header): load_count <= max_load_segments PT_LOADs were kept, each accepted by check_load
// and each following the one before; last_load is the latest of them (when load_count > 0);
// has_tls says a PT_TLS was seen, and `tls` is it. (parse() keeps the PT_LOADs themselves in an
// array of its own: a store at a symbolic index into this object would make every later read of
// it a hard query for the verifier.)
struct TableScan {
    usize load_count { 0 };
    ProgramHeader last_load {};
    bool has_tls { false };
    ProgramHeader tls {};
};
// One program header of the first pass. Fails with DynamicallyLinked (PT_INTERP),
// ExecutableStack (PT_GNU_STACK with PF_X), BadTls (a second PT_TLS, or filesz > memsz, or a bad
// alignment), what check_load fails with, SegmentsOverlap (a PT_LOAD that does not follow the
// previous one) and TooManySegments; on failure `scan` is left as it was. Otherwise records a
// PT_TLS, counts a PT_LOAD as the new last one, and ignores every other type.
lib::Result<void, ElfError> scan_header(TableScan& scan, const ProgramHeader& ph, u64 file_size, ElfImage::Kind);

// The second pass, over the PT_LOADs the first kept: what the ones before the current one showed.
struct Placement {
    bool entry_ok { false };       // the entry lies in an executable PT_LOAD's memory
    bool headers_loaded { false }; // the program header table lies in a PT_LOAD's file bytes
    u64 program_headers_vaddr { 0 }; // where the first such PT_LOAD maps the table
    bool tls_inside { false };     // the PT_TLS image lies in a PT_LOAD's memory
};
// The table [table_offset, table_offset + table_len) of the file, the entry and the PT_TLS (when
// has_tls) against one more PT_LOAD, which check_load accepted. Every difference it computes is
// between values check_load bounded, so none wraps.
void place_load(Placement&, const ProgramHeader& load, u64 entry, u64 table_offset, u64 table_len, bool has_tls,
                const ProgramHeader& tls);
} // namespace elf::detail

} // namespace kernel::loader

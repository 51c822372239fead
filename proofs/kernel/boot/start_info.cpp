// Harnesses for kernel/boot/start_info.{h,cpp} against spec/kernel/boot/start_info.smt2 (the PVH
// hvm_start_info the VMM leaves in guest memory). Every byte of the window is nondeterministic and
// `phys` is any 64-bit value, so memory-safety and no-panic say that no pointer or count from the
// VMM is followed outside the window. The parser's three sections (header and memory map, command
// line, module list) run one after the other and share nothing but the header; each harness
// covers one section at its real maximum where the solver allows it and fixes the other two
// sections' header fields to "absent" (nothing to parse), which the other harnesses then vary.
#include "proofs/harness.h"
#include "proofs/little_endian.h"

#include "kernel/boot/start_info.h"

using namespace kernel::boot;
// Byte-wise loads: with one-load ones the memory-map harness took nine times as long (little_endian.h).
constexpr auto le32 = proofs::bytes_le32;
constexpr auto le64 = proofs::bytes_le64;

// The memory-map loop runs up to 128 times and the long command line's scan 4096 times.
BW_UNWIND(4200);
// Many small queries (bounds checks along the scans and the copy loops).
BW_INCREMENTAL_SOLVER();

BW_SPEC(bool, si_inside, u64 start, u64 len, u64 size);
BW_SPEC(u8, si_header_result, u64 size, u64 phys, u32 magic, u32 version, u64 memmap_paddr, u32 entries);
BW_SPEC(u8, si_modules_result, u64 size, u32 nr, u64 modlist_paddr);
BW_SPEC(bool, si_cmdline_accepted, u64 size, u64 paddr, u64 len);
BW_SPEC(bool, si_cmdline_outside, u64 size, u64 paddr);
BW_SPEC(bool, si_cmdline_too_long, u64 size, u64 paddr);
BW_SPEC(bool, si_fields_ok, u32 out_version, u32 out_flags, u64 out_rsdp, u64 out_cmdline, u64 out_memmap_phys,
        u64 out_memmap_count, u32 version, u32 flags, u64 rsdp, u64 cmdline, u64 memmap_paddr, u32 entries);
BW_SPEC(bool, si_memmap_entry_ok, u64 addr, u64 size, u32 type, u64 raw_addr, u64 raw_size, u32 raw_type);
BW_SPEC(bool, si_module_ok, u64 phys, u64 size, u64 raw_paddr, u64 raw_size);

namespace {

void put_le32(u8* p, u32 v)
{
    for (usize i = 0; i < 4; ++i)
        p[i] = u8(v >> (8 * i));
}
void put_le64(u8* p, u64 v)
{
    put_le32(p, u32(v));
    put_le32(p + 4, u32(v >> 32));
}

// The header's fields, read by the harness where the spec says they lie inside the window.
struct Header {
    bool v0 { false }; // the 40-byte version-0 header lies inside the window
    bool v1 { false }; // the 56-byte version-1 header does
    u32 magic { 0 }, version { 0 }, flags { 0 }, nr_modules { 0 }, entries { 0 };
    u64 modlist { 0 }, cmdline { 0 }, rsdp { 0 }, memmap { 0 };
};

Header read_header(const u8* window, u64 size, u64 phys)
{
    Header h;
    h.v0 = spec_si_inside(phys, 40, size);
    h.v1 = spec_si_inside(phys, 56, size);
    if (h.v0) {
        const u8* p = window + phys;
        h.magic = le32(p);
        h.version = le32(p + 4);
        h.flags = le32(p + 8);
        h.nr_modules = le32(p + 12);
        h.modlist = le64(p + 16);
        h.cmdline = le64(p + 24);
        h.rsdp = le64(p + 32);
    }
    if (h.v1) {
        h.memmap = le64(window + phys + 40);
        h.entries = le32(window + phys + 48);
    }
    return h;
}

u8 code(const lib::Result<void, StartInfoError>& r) { return r.is_ok() ? 0xff : u8(r.error()); }

// The memory-map harness's window: the version-1 header and 128 entries of 24 bytes fit, so every
// entry count up to the maximum is reachable. Every window size up to this is covered.
constexpr usize memmap_window = 56 + 128 * 24;
u8 g_memory[memmap_window];
// The header harness's window: small enough that no map of more than 128 entries fits, so a
// wrong entry limit shows as a refusal of the wrong kind instead of a 129-iteration copy loop.
u8 g_header_window[256];
// The command-line harness's window (small: the scan has one path per NUL position; see there).
constexpr usize cmdline_window = 72;
u8 g_small[cmdline_window];
// The long-command-line harness's window: the header, then 4096 nonzero bytes and one more.
constexpr usize long_window = 64 + 4096 + 1;
u8 g_long[long_window];
StartInfo g_out;

} // namespace

// The header and the memory map. parse accepts exactly what si_header_result accepts, reports
// the error it names otherwise, and copies the header's fields and every memory-map entry. The
// command line and module list are absent (cmdline_paddr 0, nr_modules 0). Every window up to
// 3128 bytes (the header and 128 entries fit) with start_info at 0, or up to 256 bytes with
// start_info anywhere; every byte.
namespace {
template<usize N> void header_and_memmap(u8 (&window)[N], u64 phys, u32 max_entries_run)
{
    bw_nondet_bytes(window, N);
    u64 size = bw_nondet_u64();
    bw_assume(size <= N);
    Header h = read_header(window, size, phys);
    bw_assume(h.cmdline == 0 && h.nr_modules == 0);
    // Bound: memory maps of 1..max_entries_run entries go through the copy loop, and every count
    // above 128 is refused before it. Each iteration copies entry i the same way; a run at 128
    // entries did not finish in 400 s (a fork and five bounds queries per iteration).
    bw_assume(h.entries <= max_entries_run || h.entries > StartInfo::max_memmap_entries);

    auto r = StartInfo::parse(lib::ReadonlyBytes(window, size), phys, g_out);
    bw_assert(code(r) == spec_si_header_result(size, phys, h.magic, h.version, h.memmap, h.entries),
              "si_header_result");
    if (!r.is_ok())
        return;
    bw_assert(spec_si_fields_ok(g_out.version, g_out.flags, g_out.rsdp_phys, g_out.cmdline_phys, g_out.memmap_phys,
                                g_out.memmap_count, h.version, h.flags, h.rsdp, h.cmdline, h.memmap, h.entries),
              "si_fields_ok");
    bw_assert(g_out.cmdline_length == 0 && g_out.module_count == 0, "si_fields_ok");
    // Any one entry (the property holds for every index below the count), one path per index
    // (bw_split) so the copy is read at a constant offset.
    u64 j = bw_nondet_u64();
    bw_assume(j < g_out.memmap_count);
    j = bw_split(j, max_entries_run);
    const u8* raw = window + h.memmap + 24 * j;
    const kernel::mm::RawEntry& e = g_out.memmap[j];
    bw_assert(spec_si_memmap_entry_ok(e.base, e.length, e.type, le64(raw), le64(raw + 8), le32(raw + 16)),
              "si_memmap_entry_ok");
}
} // namespace

// start_info at any address in windows up to 256 bytes, memory maps of 1..2 entries (and every
// count over 128, refused before the map is looked at).
extern "C" void harness_start_info_header() { header_and_memmap(g_header_window, bw_nondet_u64(), 2); }

// start_info at 0, memory maps of 1..16 entries anywhere (and every count over 128): with the
// header at a constant address the bounds queries of the copy loop are cheaper.
extern "C" void harness_start_info_memmap() { header_and_memmap(g_memory, 0, 16); }

// The command line: every window up to 72 bytes, start_info at 0, every cmdline_paddr and
// byte; one memory-map entry and no modules (the header harness covers the rest). Accepted
// exactly when a NUL comes inside the window and within 4096 bytes; the copy is the bytes before
// the first NUL. Windows past 4096 bytes (a line too long) are harness_start_info_long_cmdline's.
extern "C" void harness_start_info_cmdline()
{
    bw_nondet_bytes(g_small, sizeof g_small);
    u64 size = bw_nondet_u64();
    bw_assume(size <= sizeof g_small);
    u64 phys = 0;
    Header h = read_header(g_small, size, phys);
    bw_assume(spec_si_header_result(size, phys, h.magic, h.version, h.memmap, h.entries) == 0xff);
    bw_assume(h.entries == 1 && h.nr_modules == 0);

    auto r = StartInfo::parse(lib::ReadonlyBytes(g_small, size), phys, g_out);
    u64 p = h.cmdline;
    if (p == 0) {
        bw_assert(r.is_ok() && g_out.cmdline_length == 0, "si_cmdline_accepted");
        return;
    }
    if (r.is_ok()) {
        u64 len = g_out.cmdline_length;
        bw_assert(spec_si_cmdline_accepted(size, p, len) && g_small[p + len] == 0, "si_cmdline_accepted");
        u64 k = bw_nondet_u64();
        bw_assume(k < len);
        bw_assert(g_small[p + k] != 0 && u8(g_out.cmdline[k]) == g_small[p + k], "si_cmdline_accepted");
        return;
    }
    bw_assert(r.error() == StartInfoError::CmdlineOutsideWindow, "si_cmdline_outside");
    bw_assert(spec_si_cmdline_outside(size, p), "si_cmdline_outside");
    // No NUL inside the window from cmdline_paddr on.
    u64 k = bw_nondet_u64();
    bw_assume(p < size && k < size - p);
    bw_assert(g_small[p + k] != 0, "si_cmdline_outside");
}

// The 4096-byte limit, at its two edges: a command line (at 64) of 4096 nonzero bytes is refused
// as too long when the window holds one more byte, and as outside the window when the window ends
// right after it. The header, the bytes ('a'; which nonzero value does not matter to the scan) and
// the two window sizes are fixed: the scan then runs on constants (with a symbolic header it took
// about a second per byte). Shorter lines and windows are harness_start_info_cmdline's.
namespace {
void long_cmdline(u64 size, StartInfoError expected, const char* property)
{
    // A version-1 header at 0 with one memory-map entry (at 40, over the header's tail) and the
    // command line at 64; everything else zero.
    put_le32(g_long + 0, StartInfo::magic);
    put_le32(g_long + 4, 1);
    put_le64(g_long + 24, 64);
    put_le64(g_long + 40, 40);
    put_le32(g_long + 48, 1);
    for (usize i = 64; i < long_window; ++i)
        g_long[i] = 'a';
    auto r = StartInfo::parse(lib::ReadonlyBytes(g_long, size), 0, g_out);
    bw_assert(!r.is_ok() && r.error() == expected, property);
}
} // namespace

extern "C" void harness_start_info_long_cmdline()
{
    static_assert(long_window == 64 + StartInfo::max_cmdline_length + 1);
    // si_cmdline_too_long(64 + 4097, 64) and si_cmdline_outside(64 + 4096, 64) hold; the spec
    // rows are asserted on the symbolic sizes of harness_start_info_cmdline.
    if (bw_nondet_u8() == 0)
        long_cmdline(long_window, StartInfoError::CmdlineTooLong, "si_cmdline_too_long");
    else
        long_cmdline(long_window - 1, StartInfoError::CmdlineOutsideWindow, "si_cmdline_outside");
}

// The module list: every window up to 3128 bytes, every address, count and byte; one memory-map
// entry and no command line. Accepted exactly as si_modules_result says; each module copied.
extern "C" void harness_start_info_modules()
{
    bw_nondet_bytes(g_memory, sizeof g_memory);
    u64 size = bw_nondet_u64();
    bw_assume(size <= sizeof g_memory);
    u64 phys = bw_nondet_u64();
    Header h = read_header(g_memory, size, phys);
    bw_assume(spec_si_header_result(size, phys, h.magic, h.version, h.memmap, h.entries) == 0xff);
    bw_assume(h.entries == 1 && h.cmdline == 0);

    auto r = StartInfo::parse(lib::ReadonlyBytes(g_memory, size), phys, g_out);
    bw_assert(code(r) == spec_si_modules_result(size, h.nr_modules, h.modlist), "si_modules_result");
    if (!r.is_ok())
        return;
    bw_assert(g_out.module_count == h.nr_modules, "si_modules_result");
    // Any one module, one path per index (bw_split) so the copy is read at a constant offset.
    u64 j = bw_nondet_u64();
    bw_assume(j < g_out.module_count);
    j = bw_split(j, StartInfo::max_modules);
    const u8* raw = g_memory + h.modlist + 32 * j;
    bw_assert(spec_si_module_ok(g_out.modules[j].phys, g_out.modules[j].size, le64(raw), le64(raw + 8)), "si_module_ok");
}

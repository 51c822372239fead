// Harnesses for kernel/lib/symbols.{h,cpp} against spec/kernel/lib/symbols.smt2 (the embedded
// kernel symbol table: the layout of symbols.h, written by kernel/tools/gen_symbols.py). The blob
// is built by us but read on the panic path, where memory may be corrupt, so every byte that is
// read is nondeterministic, and the blob's size (so the string area's) is any value up to 2^47
// (the whole lower half): every name_offset and name_length is then inside the string area or
// not.
//
// lookup() is proved from the state from_bytes() returns, not through it:
// harness_symbols_from_bytes shows that an accepted table views the blob's entries and string
// area where the layout puts them and that each of its entries passes sym_entry_result (sorted,
// names inside the string area); harness_symbols_lookup starts from any such state. (Run through
// from_bytes, in one 2^47-byte blob, the lookup harness took over 2 minutes.)
//
// Bounds, and why:
//   - harness_symbols_from_bytes: every blob that the header check refuses (any size, magic and
//     count), and every blob with a count of 0..from_bytes_max (3) entries, every entry byte.
//     The loop runs the same three checks on each entry, and an entry's verdict depends only on
//     its own fields, the previous entry's address and the string area's size (any value here),
//     so longer tables repeat what these cover; they are not run.
//   - harness_symbols_lookup: tables of 0..lookup_max (4) entries, every address, name_offset and
//     name_length that from_bytes accepts, every string area size, every looked-up address. At 4
//     entries both binary searches take up to 3 halvings, so every way they narrow is run (left,
//     right, and runs of equal addresses on either side of the middle); larger tables repeat the
//     same step more often and are not run (the unit tests and the fuzz target cover them).
// Times on the 2-core development machine (prove.py): from_bytes 8 s, lookup 11 s; the unit with its
// 15 mutants 45 s wall.
#include "proofs/harness.h"
#include "proofs/little_endian.h"

// The harnesses read the table's private views (from_bytes's result) and set them (lookup's
// starting state). The layout is unchanged.
#define private public
#include "kernel/lib/symbols.h"
#undef private

using kernel::SymbolTable;
constexpr auto le32 = proofs::bytes_le32;
constexpr auto le64 = proofs::bytes_le64;

BW_SPEC(u8, sym_header_result, u64 size, u32 magic, u32 count);
BW_SPEC(u8, sym_entry_result, u64 strings_size, u32 name_offset, u32 name_length, bool first, u64 previous, u64 address);
BW_SPEC(u8, sym_then, u8 earlier, u8 next);
BW_SPEC(u64, sym_strings_size, u64 size, u32 count);
BW_SPEC(bool, sym_table_views, u64 size, u32 count, u64 table_size, u64 entries_start, u64 entries_length,
        u64 strings_start, u64 strings_length);
BW_SPEC(bool, sym_greater_candidate, bool found, u64 best, u64 a, u64 address);
BW_SPEC(bool, sym_covers, u64 g, u64 address);
BW_SPEC(bool, sym_symbolized_ok, u32 name_offset, u32 name_length, u64 g, u64 address, u64 view_start, u64 view_length,
        u64 offset);

namespace {

constexpr u8 ok = 0xff;
constexpr u64 blob_max = u64(1) << 47;
constexpr usize from_bytes_max = 3;
constexpr usize lookup_max = 4;

struct Entry {
    u64 address;
    u32 name_offset, name_length;
};

// Entry `index` of a table of entries at `p` (the layout's fields, read independently of
// lib/byte_order.h).
Entry entry(const u8* p, usize index)
{
    p += index * SymbolTable::entry_size;
    return { le64(p), le32(p + 8), le32(p + 12) };
}

// from_bytes's blob: any size up to 2^47. Only the header and from_bytes_max entries are
// nondeterministic (what from_bytes reads); the rest gives the string area its room and is never
// read (memory-safety would say so).
u8 g_blob[blob_max];

// lookup's table: the entries in an object of their own, every byte nondeterministic, and a
// string area of any size up to 2^47 (lookup only takes a view of a name, it reads no character).
// Apart, so that the binary searches' loads at symbolic indices read a 64-byte object (if-then-else
// over its four entries, proofs/README.md "The executor") rather than the 2^47-byte one.
u8 g_entries[lookup_max * SymbolTable::entry_size];
u8 g_strings[blob_max];

} // namespace

// from_bytes accepts exactly the spec's blobs and otherwise refuses with the spec's error (the
// header's checks, then each entry's in order: the first failing check wins); an accepted table
// holds count entries and views the blob where the layout says.
extern "C" void harness_symbols_from_bytes()
{
    bw_nondet_bytes(g_blob, SymbolTable::header_size + from_bytes_max * SymbolTable::entry_size);
    u64 size = bw_nondet_u64();
    bw_assume(size <= blob_max);
    u32 magic = le32(g_blob), count = le32(g_blob + 4);
    u8 header = spec_sym_header_result(size, magic, count);
    bw_assume(count <= from_bytes_max || header != ok);

    // The entries' verdicts folded in order (sym_then), without branching on the inputs.
    u64 strings = spec_sym_strings_size(size, count);
    u8 entries = ok;
    u64 previous = 0;
    for (usize i = 0; i < from_bytes_max; ++i) {
        Entry e = entry(g_blob + SymbolTable::header_size, i);
        u8 r = spec_sym_entry_result(strings, e.name_offset, e.name_length, i == 0, previous, e.address);
        entries = spec_sym_then(entries, i < count ? r : ok);
        previous = e.address;
    }

    // Path by path: with bw_merge_paths() here the harness took 27 s instead of 8.
    auto table = SymbolTable::from_bytes(lib::ReadonlyBytes(g_blob, size));
    // The error is read only on the error path: on success those bytes of the Result hold the
    // table's pointers (the verifier refuses a narrow load of pointer bytes).
    if (table.is_ok()) {
        bw_assert(header == ok, "sym_header_result");
        bw_assert(entries == ok, "sym_entry_result");
        const SymbolTable& t = table.value();
        bw_assert(spec_sym_table_views(size, count, t.size(), u64(t.m_entries.data() - g_blob), t.m_entries.size(),
                                       u64(t.m_strings.data() - g_blob), t.m_strings.size()),
                  "sym_table_views");
        return;
    }
    u8 got = u8(table.error());
    bw_assert(header == ok || got == header, "sym_header_result");
    bw_assert(header != ok || got == entries, "sym_entry_result");
}

// lookup from every state from_bytes returns with 0..lookup_max entries (harness_symbols_from_bytes:
// the entries' view, a string area of any size, each entry passing sym_entry_result), for every
// address: nullopt exactly when no entry is at or below the address or the greatest such address
// is more than max_offset below it; otherwise the first entry at that greatest address, exactly its
// name's range in the string area, and the offset. Also the default (empty) table.
extern "C" void harness_symbols_lookup()
{
    bw_nondet_bytes(g_entries, sizeof g_entries);
    u64 strings = bw_nondet_u64();
    bw_assume(strings <= blob_max);
    // One path per table length.
    u32 count = u32(bw_split(bw_nondet_u8(), lookup_max + 1));
    bw_assume(count <= lookup_max);
    u64 address = bw_nondet_u64();

    // The default table is empty: no candidate.
    bw_assert(!SymbolTable().lookup(address).has_value(), "sym_covers");

    SymbolTable table;
    table.m_entries = lib::ReadonlyBytes(g_entries, count * SymbolTable::entry_size);
    table.m_strings = lib::ReadonlyBytes(g_strings, strings);
    table.m_count = count;
    Entry e[lookup_max];
    u64 previous = 0;
    for (usize i = 0; i < lookup_max; ++i) {
        e[i] = entry(g_entries, i);
        bw_assume(i >= count
                  || spec_sym_entry_result(strings, e[i].name_offset, e[i].name_length, i == 0, previous, e[i].address)
                         == ok);
        previous = e[i].address;
    }

    // The spec's answer, without branching on the inputs: the greatest candidate address g, then
    // the first entry at g.
    bool found = false;
    u64 g = 0;
    for (usize i = 0; i < lookup_max; ++i) {
        bool step = (i < count) & spec_sym_greater_candidate(found, g, e[i].address, address);
        g = step ? e[i].address : g;
        found |= step;
    }
    bool some = found & spec_sym_covers(g, address);
    bool first_seen = false;
    u32 name_offset = 0, name_length = 0;
    for (usize i = 0; i < lookup_max; ++i) {
        bool hit = (i < count) & !first_seen & (e[i].address == g);
        name_offset = hit ? e[i].name_offset : name_offset;
        name_length = hit ? e[i].name_length : name_length;
        first_seen |= hit;
    }

    // The binary searches' loop exits fork on the search's (symbolic) bounds; merged, their paths
    // do not multiply (4-entry tables: 8 s instead of 28 s path by path).
    bw_merge_paths();
    auto s = table.lookup(address);
    bw_assert(s.has_value() == some, "sym_covers");
    if (!s.has_value())
        return;
    const kernel::Symbolized& v = s.value();
    u64 view_start = u64(reinterpret_cast<const u8*>(v.name.chars()) - g_strings);
    bw_assert(spec_sym_symbolized_ok(name_offset, name_length, g, address, view_start, v.name.length(), v.offset),
              "sym_symbolized_ok");
}

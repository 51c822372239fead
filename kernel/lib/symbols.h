// The kernel's embedded symbol table, so panics print symbolized backtraces. The blob is written
// by kernel/tools/gen_symbols.py from the first link's symbols (cmake/kernel.cmake, linker.ld).
#pragma once

#include "lib/optional.h"
#include "lib/result.h"
#include "lib/span.h"
#include "lib/string_view.h"

namespace kernel {

enum class SymbolError : u8 {
    Truncated,      // Shorter than the header, or than the entries its count announces.
    BadMagic,       // Not a table gen_symbols.py wrote.
    NameOutOfRange, // An entry's name does not lie inside the string area.
    NameTooLong,    // An entry's name is longer than SymbolTable::max_name_length.
    Unsorted,       // Addresses decrease somewhere: binary search would give wrong answers.
};

lib::StringView symbol_error_name(SymbolError);

struct Symbolized {
    lib::StringView name; // Views the blob.
    u64 offset;           // From the symbol's address to the looked-up address.
};

// Blob layout, all little endian (what gen_symbols.py emits):
//   magic u32 = "BSYM", count u32,
//   count entries of { address u64, name_offset u32, name_length u32 }, address non-decreasing,
//   then the string area; name_offset is relative to the start of the string area.
// Bytes after the last name are allowed (the linker may pad the section).
class SymbolTable {
public:
    static constexpr u32 magic = 0x4d595342;
    static constexpr usize header_size = 8;
    static constexpr usize entry_size = 16;
    // gen_symbols.py truncates longer names (ending them with "…"), so a longer one is corrupt.
    static constexpr usize max_name_length = 127;
    // A symbol covers addresses at most this far above it. The table has no symbol sizes, so
    // without a limit every address above the last function (data, the heap, garbage from a
    // smashed stack) would print as "last_function+0x...". No kernel function is 1 MiB long.
    static constexpr u64 max_offset = u64(1) << 20;

    // An empty table: every lookup answers nullopt.
    SymbolTable() = default;

    // Validates the whole blob once; afterwards lookup() cannot fail on a malformed entry.
    // `blob` must outlive the table (names view it).
    // Fails with: Truncated, BadMagic, NameOutOfRange, NameTooLong, Unsorted.
    static lib::Result<SymbolTable, SymbolError> from_bytes(lib::ReadonlyBytes blob);

    // The symbol with the greatest address <= `address` (the first of several at that same
    // address), and the offset into it. Nullopt when `address` is below the first symbol or more
    // than max_offset above the symbol found.
    lib::Optional<Symbolized> lookup(u64 address) const;

    usize size() const { return m_count; }

private:
    u64 address_at(usize index) const;
    // Binary searches over the sorted addresses; each returns an index in [0, m_count].
    usize first_greater(u64 address) const;   // First entry with address > `address`.
    usize first_not_below(u64 address) const; // First entry with address >= `address`.

    // Invariant (from_bytes): m_entries holds exactly m_count entries, each naming a range inside
    // m_strings, with non-decreasing addresses.
    lib::ReadonlyBytes m_entries;
    lib::ReadonlyBytes m_strings;
    usize m_count { 0 };
};

} // namespace kernel

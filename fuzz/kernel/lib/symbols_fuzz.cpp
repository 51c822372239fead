// Fuzz target for the embedded kernel symbol table (kernel/lib/symbols.h).
//
// Input format: the symbol blob itself, as kernel/tools/gen_symbols.py writes it ("BSYM", count
// u32, count entries of { address u64, name_offset u32, name_length u32 }, then the strings).
//
// Oracle: an independent validator of the layout in symbols.h predicts from_bytes()'s result
// and its first error exactly. On success, lookup() at probes around every entry's address (and
// at 0 and ~0) agrees with a search of the model: the greatest address <= probe, the first entry
// with that address, nullopt below the first symbol or more than max_offset above; every name it returns
// is inside the blob and at most max_name_length long; and for increasing probes the symbol
// addresses it reports never decrease.
#include "fuzz/fuzz.h"
#include "kernel/lib/symbols.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

using fuzz::le;
using kernel::SymbolError;
using kernel::SymbolTable;

namespace {

struct Entry {
    u64 address;
    u64 name_offset;
    u64 name_length;
};

// The layout in symbols.h, checked entry by entry in the order from_bytes() documents.
bool model(const u8* blob, usize size, std::vector<Entry>& entries, usize& strings_at, SymbolError& error)
{
    if (size < SymbolTable::header_size) {
        error = SymbolError::Truncated;
        return false;
    }
    if (le(blob, 4) != SymbolTable::magic) {
        error = SymbolError::BadMagic;
        return false;
    }
    u64 count = le(blob + 4, 4);
    if ((unsigned __int128)count * SymbolTable::entry_size > size - SymbolTable::header_size) {
        error = SymbolError::Truncated;
        return false;
    }
    strings_at = SymbolTable::header_size + count * SymbolTable::entry_size;
    usize strings = size - strings_at;
    for (u64 i = 0; i < count; ++i) {
        const u8* e = blob + SymbolTable::header_size + i * SymbolTable::entry_size;
        Entry entry { le(e, 8), le(e + 8, 4), le(e + 12, 4) };
        if (entry.name_offset > strings || entry.name_length > strings - entry.name_offset) {
            error = SymbolError::NameOutOfRange;
            return false;
        }
        if (entry.name_length > SymbolTable::max_name_length) {
            error = SymbolError::NameTooLong;
            return false;
        }
        if (i > 0 && entry.address < entries.back().address) {
            error = SymbolError::Unsorted;
            return false;
        }
        entries.push_back(entry);
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    // An exact-size copy, so ASan reports any read past the blob.
    std::unique_ptr<u8[]> blob(new u8[size ? size : 1]);
    std::memcpy(blob.get(), data, size);
    auto table = SymbolTable::from_bytes(lib::ReadonlyBytes(blob.get(), size));

    std::vector<Entry> entries;
    usize strings_at = 0;
    SymbolError error {};
    bool ok = model(blob.get(), size, entries, strings_at, error);
    FUZZ_CHECK(table.is_ok() == ok, "from_bytes() accepts exactly the blobs the layout allows");
    if (!ok) {
        FUZZ_CHECK(table.error() == error, "from_bytes() reports the first problem in the documented order");
        FUZZ_CHECK(kernel::symbol_error_name(error) != "?", "every error has a name");
        return 0;
    }
    const SymbolTable& symbols = table.value();
    FUZZ_CHECK(symbols.size() == entries.size(), "size() is the entry count");

    // Probes: around each entry's address (at most 256 entries, spread over the table), 0, ~0.
    std::vector<u64> probes { 0, ~u64(0) };
    usize stride = entries.size() / 256 + 1;
    for (usize i = 0; i < entries.size(); i += stride) {
        u64 a = entries[i].address;
        for (u64 probe : { a, a - 1, a + 1, a + SymbolTable::max_offset, a + SymbolTable::max_offset + 1 })
            probes.push_back(probe);
    }
    std::sort(probes.begin(), probes.end());

    bool any = false;
    u64 previous_symbol = 0;
    for (u64 probe : probes) {
        auto found = symbols.lookup(probe);
        // The model's answer by std:: binary search over its own sorted copy: the last entry with
        // address <= probe, then the first entry with that address.
        auto by_address = [](const Entry& e, u64 a) { return e.address < a; };
        auto above = std::upper_bound(entries.begin(), entries.end(), probe, [](u64 a, const Entry& e) { return a < e.address; });
        bool expected = above != entries.begin() && probe - (above - 1)->address <= SymbolTable::max_offset;
        FUZZ_CHECK(found.has_value() == expected, "lookup() finds a symbol exactly when one is at most max_offset below");
        if (!found)
            continue;
        u64 symbol_address = (above - 1)->address;
        usize first = usize(std::lower_bound(entries.begin(), entries.end(), symbol_address, by_address) - entries.begin());
        const Entry& e = entries[first];
        auto name = reinterpret_cast<const u8*>(found->name.chars());
        FUZZ_CHECK(found->name.length() == 0 || (name >= blob.get() && name + found->name.length() <= blob.get() + size),
            "a looked-up name lies inside the blob");
        FUZZ_CHECK(found->name.length() == e.name_length && (e.name_length == 0 || name == blob.get() + strings_at + e.name_offset),
            "lookup() names the first entry at the symbol's address");
        FUZZ_CHECK(found->name.length() <= SymbolTable::max_name_length, "names are at most max_name_length");
        FUZZ_CHECK(found->offset == probe - symbol_address, "the offset is from the symbol's address");
        FUZZ_CHECK(!any || symbol_address >= previous_symbol, "for increasing addresses, symbols never go backwards");
        any = true;
        previous_symbol = symbol_address;
    }
    return 0;
}

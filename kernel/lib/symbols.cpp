// Validation and lookup for the embedded kernel symbol table (layout in symbols.h, written by
// kernel/tools/gen_symbols.py).
#include "kernel/lib/symbols.h"

#include "lib/byte_order.h"

namespace kernel {

namespace {

namespace header {
constexpr lib::Field magic { 0, 4 };
constexpr lib::Field count { 4, 4 };
} // namespace header

namespace entry {
constexpr lib::Field address { 0, 8 };
constexpr lib::Field name_offset { 8, 4 };
constexpr lib::Field name_length { 12, 4 };
} // namespace entry

static_assert(header::count.end() == SymbolTable::header_size);
static_assert(entry::name_length.end() == SymbolTable::entry_size);

} // namespace

lib::StringView symbol_error_name(SymbolError error)
{
    switch (error) {
    case SymbolError::Truncated:
        return "truncated";
    case SymbolError::BadMagic:
        return "bad magic";
    case SymbolError::NameOutOfRange:
        return "name out of range";
    case SymbolError::NameTooLong:
        return "name too long";
    case SymbolError::Unsorted:
        return "unsorted";
    }
    return "?";
}

lib::Result<SymbolTable, SymbolError> SymbolTable::from_bytes(lib::ReadonlyBytes blob)
{
    if (blob.size() < header_size)
        return SymbolError::Truncated;
    if (lib::load_le32(blob, header::magic) != magic)
        return SymbolError::BadMagic;
    // Divide rather than multiply, so a huge count cannot overflow the size computation.
    usize count = lib::load_le32(blob, header::count);
    if (count > (blob.size() - header_size) / entry_size)
        return SymbolError::Truncated;

    SymbolTable table;
    table.m_entries = blob.slice(header_size, count * entry_size);
    table.m_strings = blob.slice(header_size + count * entry_size);
    table.m_count = count;

    u64 previous = 0;
    for (usize i = 0; i < count; ++i) {
        lib::ReadonlyBytes e = table.m_entries.slice(i * entry_size, entry_size);
        u64 address = lib::load_le64(e, entry::address);
        u32 name_offset = lib::load_le32(e, entry::name_offset);
        u32 name_length = lib::load_le32(e, entry::name_length);
        if (!table.m_strings.contains_range(name_offset, name_length))
            return SymbolError::NameOutOfRange;
        if (name_length > max_name_length)
            return SymbolError::NameTooLong;
        if (i > 0 && address < previous)
            return SymbolError::Unsorted;
        previous = address;
    }
    return table;
}

u64 SymbolTable::address_at(usize index) const
{
    return lib::load_le64(m_entries, index * entry_size + entry::address.offset);
}

usize SymbolTable::first_greater(u64 address) const
{
    usize low = 0;
    usize high = m_count;
    // Invariant: entries below `low` are <= address, entries at or above `high` are > address.
    while (low < high) {
        usize middle = low + (high - low) / 2;
        if (address_at(middle) > address)
            high = middle;
        else
            low = middle + 1;
    }
    return low;
}

usize SymbolTable::first_not_below(u64 address) const
{
    usize low = 0;
    usize high = m_count;
    // Invariant: entries below `low` are < address, entries at or above `high` are >= address.
    while (low < high) {
        usize middle = low + (high - low) / 2;
        if (address_at(middle) >= address)
            high = middle;
        else
            low = middle + 1;
    }
    return low;
}

lib::Optional<Symbolized> SymbolTable::lookup(u64 address) const
{
    usize above = first_greater(address);
    if (above == 0)
        return lib::nullopt;
    u64 symbol_address = address_at(above - 1);
    u64 offset = address - symbol_address;
    if (offset > max_offset)
        return lib::nullopt;
    // Several names can share an address (aliases); the first one is the one gen_symbols.py
    // preferred.
    usize index = first_not_below(symbol_address);
    lib::ReadonlyBytes e = m_entries.slice(index * entry_size, entry_size);
    u32 name_offset = lib::load_le32(e, entry::name_offset);
    u32 name_length = lib::load_le32(e, entry::name_length);
    lib::ReadonlyBytes name = m_strings.slice(name_offset, name_length);
    return Symbolized { lib::StringView(reinterpret_cast<const char*>(name.data()), name.size()), offset };
}

} // namespace kernel

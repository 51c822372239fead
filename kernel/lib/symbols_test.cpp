// Unit and property tests for the embedded symbol table (kernel/lib/symbols.h).
#include "kernel/lib/symbols.h"

#include "lib/byte_order.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

using kernel::SymbolError;
using kernel::SymbolTable;

namespace {

std::string str(lib::StringView v) { return std::string(v.chars(), v.length()); }

struct Symbol {
    u64 address;
    std::string name;
};

// Builds a blob the way gen_symbols.py does: header, entries, then the names back to back.
std::vector<u8> build(const std::vector<Symbol>& symbols, u32 magic = SymbolTable::magic)
{
    std::vector<u8> blob(8 + 16 * symbols.size());
    lib::Bytes b(blob.data(), blob.size());
    lib::store_le32(b, 0, magic);
    lib::store_le32(b, 4, u32(symbols.size()));
    u32 offset = 0;
    std::string strings;
    for (usize i = 0; i < symbols.size(); ++i) {
        lib::store_le64(b, 8 + 16 * i, symbols[i].address);
        lib::store_le32(b, 8 + 16 * i + 8, offset);
        lib::store_le32(b, 8 + 16 * i + 12, u32(symbols[i].name.size()));
        strings += symbols[i].name;
        offset += u32(symbols[i].name.size());
    }
    blob.insert(blob.end(), strings.begin(), strings.end());
    return blob;
}

lib::ReadonlyBytes view(const std::vector<u8>& blob) { return lib::ReadonlyBytes(blob.data(), blob.size()); }

SymbolError error_of(const std::vector<u8>& blob)
{
    auto result = SymbolTable::from_bytes(view(blob));
    EXPECT_TRUE(result.is_error());
    return result.is_error() ? result.error() : SymbolError::Truncated;
}

const std::vector<Symbol> kernel_like = {
    { 0xffffffff80201000, "kernel_main" },
    { 0xffffffff80201400, "kernel::log::vemit(kernel::boot::LogLevel, lib::StringView, lib::Span<lib::FormatArg const>)" },
    { 0xffffffff80201400, "alias_of_vemit" },
    { 0xffffffff80202000, "panic" },
};

} // namespace

TEST(SymbolsTest, EmptyTableFromGenSymbolsEmpty)
{
    // `gen_symbols.py --empty` writes just the header.
    std::vector<u8> blob = build({});
    ASSERT_EQ(blob.size(), 8u);
    auto table = SymbolTable::from_bytes(view(blob));
    ASSERT_TRUE(table.is_ok());
    EXPECT_EQ(table.value().size(), 0u);
    EXPECT_FALSE(table.value().lookup(0).has_value());
    EXPECT_FALSE(table.value().lookup(0xffffffff80201000).has_value());
    EXPECT_FALSE(SymbolTable().lookup(123).has_value());
}

TEST(SymbolsTest, LookupEdges)
{
    std::vector<u8> blob = build(kernel_like);
    auto result = SymbolTable::from_bytes(view(blob));
    ASSERT_TRUE(result.is_ok());
    const SymbolTable& table = result.value();
    EXPECT_EQ(table.size(), 4u);

    EXPECT_FALSE(table.lookup(0).has_value());
    EXPECT_FALSE(table.lookup(0xffffffff80200fff).has_value()); // One below the first symbol.

    auto s = table.lookup(0xffffffff80201000); // Exactly the first symbol.
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(str(s->name), "kernel_main");
    EXPECT_EQ(s->offset, 0u);

    s = table.lookup(0xffffffff802013ff); // Last byte before the next symbol.
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(str(s->name), "kernel_main");
    EXPECT_EQ(s->offset, 0x3ffu);

    s = table.lookup(0xffffffff80201423); // Two names at one address: the first one wins.
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(str(s->name), kernel_like[1].name);
    EXPECT_EQ(s->offset, 0x23u);

    s = table.lookup(0xffffffff80202000 + SymbolTable::max_offset); // Last symbol, at the limit.
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(str(s->name), "panic");
    EXPECT_EQ(s->offset, SymbolTable::max_offset);
    EXPECT_FALSE(table.lookup(0xffffffff80202000 + SymbolTable::max_offset + 1).has_value());
    EXPECT_FALSE(table.lookup(~u64(0)).has_value());
}

TEST(SymbolsTest, GapLimitAppliesBetweenSymbolsToo)
{
    std::vector<u8> blob = build({ { 0x1000, "a" }, { 0x1000 + 4 * SymbolTable::max_offset, "b" } });
    auto table = SymbolTable::from_bytes(view(blob));
    ASSERT_TRUE(table.is_ok());
    EXPECT_TRUE(table.value().lookup(0x1000 + SymbolTable::max_offset).has_value());
    EXPECT_FALSE(table.value().lookup(0x1000 + SymbolTable::max_offset + 1).has_value());
    EXPECT_EQ(str(table.value().lookup(0x1000 + 4 * SymbolTable::max_offset)->name), "b");
}

TEST(SymbolsTest, ManySymbolsEveryLookupMatchesALinearScan)
{
    std::vector<Symbol> symbols;
    for (u64 i = 0; i < 1000; ++i)
        symbols.push_back({ 0x10000 + i * 48 + (i % 7) * 4, "f" + std::to_string(i) });
    std::vector<u8> blob = build(symbols);
    auto table = SymbolTable::from_bytes(view(blob));
    ASSERT_TRUE(table.is_ok());
    for (u64 address = 0xfff0; address < 0x10000 + 1000 * 48 + 64; address += 3) {
        auto s = table.value().lookup(address);
        const Symbol* expected = nullptr;
        for (const Symbol& candidate : symbols) {
            if (candidate.address <= address)
                expected = &candidate;
        }
        if (!expected) {
            EXPECT_FALSE(s.has_value());
            continue;
        }
        ASSERT_TRUE(s.has_value()) << address;
        EXPECT_EQ(str(s->name), expected->name);
        EXPECT_EQ(s->offset, address - expected->address);
    }
}

TEST(SymbolsTest, RejectsHostileBlobs)
{
    EXPECT_EQ(error_of({}), SymbolError::Truncated);
    EXPECT_EQ(error_of({ 0x42, 0x53, 0x59, 0x4d, 0, 0, 0 }), SymbolError::Truncated);
    EXPECT_EQ(error_of(build({}, 0x4d595343)), SymbolError::BadMagic);
    EXPECT_EQ(error_of(build(kernel_like, 0x424d5953)), SymbolError::BadMagic);

    // A count whose entry array would overflow 32 or 64 bits, or just run past the end.
    const u32 one_too_many = u32((build(kernel_like).size() - 8) / 16 + 1);
    for (u32 count : { 0xffffffffu, 0x10000000u, 0x0fffffffu, one_too_many }) {
        std::vector<u8> blob = build(kernel_like);
        lib::store_le32(lib::Bytes(blob.data(), blob.size()), 4, count);
        EXPECT_EQ(error_of(blob), SymbolError::Truncated) << count;
    }
    // Cutting the blob inside the entry array.
    std::vector<u8> cut = build(kernel_like);
    cut.resize(8 + 16 * 4 - 1);
    EXPECT_EQ(error_of(cut), SymbolError::Truncated);

    // A name that runs one byte past the string area, one that starts past it, and one whose
    // offset + length wraps in 32 bits.
    const std::pair<u32, u32> bad_names[] = { { 0, 6 }, { 6, 0 }, { 0xffffffffu, 2 }, { 2, 0xffffffffu } };
    for (auto [offset, length] : bad_names) {
        std::vector<u8> blob = build({ { 1, "hello" } });
        lib::Bytes b(blob.data(), blob.size());
        lib::store_le32(b, 8 + 8, offset);
        lib::store_le32(b, 8 + 12, length);
        EXPECT_EQ(error_of(blob), SymbolError::NameOutOfRange) << offset << "+" << length;
    }
    // A name ending exactly at the end of the blob is fine, an empty one right after it too.
    std::vector<u8> edge = build({ { 1, "hello" } });
    lib::store_le32(lib::Bytes(edge.data(), edge.size()), 8 + 8, 5);
    lib::store_le32(lib::Bytes(edge.data(), edge.size()), 8 + 12, 0);
    EXPECT_TRUE(SymbolTable::from_bytes(view(edge)).is_ok());

    EXPECT_EQ(error_of(build({ { 1, std::string(128, 'x') } })), SymbolError::NameTooLong);
    EXPECT_TRUE(SymbolTable::from_bytes(view(build({ { 1, std::string(127, 'x') } }))).is_ok());

    EXPECT_EQ(error_of(build({ { 2, "a" }, { 1, "b" } })), SymbolError::Unsorted);
    EXPECT_EQ(error_of(build({ { 1, "a" }, { 3, "b" }, { 3, "c" }, { 2, "d" } })), SymbolError::Unsorted);
}

TEST(SymbolsTest, TrailingPaddingIsAllowed)
{
    std::vector<u8> blob = build(kernel_like);
    blob.resize(blob.size() + 13, 0);
    auto table = SymbolTable::from_bytes(view(blob));
    ASSERT_TRUE(table.is_ok());
    EXPECT_EQ(str(table.value().lookup(0xffffffff80202010)->name), "panic");
}

TEST(SymbolsTest, ErrorNames)
{
    EXPECT_EQ(str(kernel::symbol_error_name(SymbolError::Unsorted)), "unsorted");
    EXPECT_EQ(str(kernel::symbol_error_name(SymbolError::NameOutOfRange)), "name out of range");
}

// Random corruption of a valid blob: from_bytes either rejects it or accepts a table whose every
// lookup stays inside the blob (the blob is an exact-size heap copy, so ASan sees any overread).
RC_GTEST_PROP(SymbolsProperty, CorruptedBlobsNeverReadOutside, ())
{
    std::vector<u8> blob = build(kernel_like);
    auto flips = *rc::gen::container<std::vector<std::pair<usize, u8>>>(
        rc::gen::pair(rc::gen::inRange<usize>(0, blob.size()), rc::gen::arbitrary<u8>()));
    for (auto [at, value] : flips)
        blob[at] = value;
    usize keep = *rc::gen::inRange<usize>(0, blob.size() + 1);
    std::vector<u8> exact(blob.begin(), blob.begin() + long(keep));

    auto table = SymbolTable::from_bytes(view(exact));
    if (table.is_error())
        return;
    for (u64 address : *rc::gen::container<std::vector<u64>>(rc::gen::arbitrary<u64>())) {
        auto s = table.value().lookup(address);
        if (!s)
            continue;
        RC_ASSERT(s->offset <= SymbolTable::max_offset);
        RC_ASSERT(s->name.length() <= SymbolTable::max_name_length);
        auto begin = reinterpret_cast<const char*>(exact.data());
        RC_ASSERT(s->name.chars() >= begin && s->name.chars() + s->name.length() <= begin + exact.size());
    }
}

// Any sorted table round-trips: every symbol's own address finds the first name at it.
RC_GTEST_PROP(SymbolsProperty, SortedTablesFindTheirSymbols, ())
{
    auto addresses = *rc::gen::container<std::vector<u64>>(rc::gen::arbitrary<u64>());
    std::sort(addresses.begin(), addresses.end());
    std::vector<Symbol> symbols;
    for (usize i = 0; i < addresses.size(); ++i)
        symbols.push_back({ addresses[i], "s" + std::to_string(i) });
    std::vector<u8> blob = build(symbols);
    auto table = SymbolTable::from_bytes(view(blob));
    RC_ASSERT(table.is_ok());
    RC_ASSERT(table.value().size() == symbols.size());
    for (usize i = 0; i < symbols.size(); ++i) {
        auto s = table.value().lookup(symbols[i].address);
        RC_ASSERT(s.has_value());
        RC_ASSERT(s->offset == 0u);
        usize first = i;
        while (first > 0 && symbols[first - 1].address == symbols[i].address)
            --first;
        RC_ASSERT(str(s->name) == symbols[first].name);
    }
}

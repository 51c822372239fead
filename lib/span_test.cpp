// Tests for lib/span, lib/byte_order and lib/string_view: checked slicing and loads.
#include "lib/byte_order.h"
#include "lib/string_view.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace {

TEST(Span, SliceAndContains)
{
    u8 data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    lib::Bytes bytes(data);
    EXPECT_EQ(bytes.size(), 8u);
    EXPECT_EQ(bytes.slice(2, 3)[0], 3);
    EXPECT_EQ(bytes.slice(8).size(), 0u);
    EXPECT_TRUE(bytes.contains_range(0, 8));
    EXPECT_FALSE(bytes.contains_range(1, 8));
    EXPECT_FALSE(bytes.contains_range(9, 0));
    EXPECT_FALSE(bytes.contains_range(4, SIZE_MAX));
}

TEST(SpanDeathTest, OutOfRangeIsABug)
{
    u8 data[4] = {};
    lib::Bytes bytes(data);
    EXPECT_DEATH({ (void)bytes[4]; }, "VERIFY failed");
    EXPECT_DEATH({ (void)bytes.slice(2, 3); }, "VERIFY failed");
    EXPECT_DEATH({ (void)bytes.slice(3, SIZE_MAX); }, "VERIFY failed");
    EXPECT_DEATH({ (void)lib::load_be32(bytes, 1); }, "VERIFY failed");
}

TEST(ByteOrder, Loads)
{
    const u8 data[8] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 };
    lib::ReadonlyBytes b(data);
    EXPECT_EQ(lib::load_be16(b, 0), 0x1234);
    EXPECT_EQ(lib::load_le16(b, 0), 0x3412);
    EXPECT_EQ(lib::load_be32(b, 4), 0x9abcdef0u);
    EXPECT_EQ(lib::load_le32(b, 0), 0x78563412u);
    EXPECT_EQ(lib::load_le64(b, 0), 0xf0debc9a78563412ull);
    EXPECT_EQ(lib::load_be16(b, lib::Field { 2, 2 }), 0x5678);
}

RC_GTEST_PROP(ByteOrder, StoreLoadRoundTrip, (uint32_t v32, uint16_t v16, uint64_t v64))
{
    u8 data[16] = {};
    lib::Bytes b(data);
    lib::store_be32(b, 0, v32);
    lib::store_be16(b, 4, v16);
    lib::store_le64(b, 8, v64);
    RC_ASSERT(lib::load_be32(b, 0) == v32);
    RC_ASSERT(lib::load_be16(b, 4) == v16);
    RC_ASSERT(lib::load_le64(b, 8) == v64);
    lib::store_le32(b, 0, v32);
    RC_ASSERT(lib::load_le32(b, 0) == v32);
}

TEST(StringView, Basics)
{
    lib::StringView s("log=debug");
    EXPECT_EQ(s.length(), 9u);
    EXPECT_EQ(s.find('='), 3u);
    EXPECT_EQ(s.find('x'), 9u);
    EXPECT_TRUE(s.starts_with("log"));
    EXPECT_FALSE(s.starts_with("log=debug!"));
    EXPECT_TRUE(s.substring(4) == lib::StringView("debug"));
    EXPECT_FALSE(s.substring(0, 3) == lib::StringView("loh"));
}

} // namespace

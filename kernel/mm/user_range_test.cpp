// UserRange::checked: the edges of the user half, and agreement with 128-bit arithmetic.
#include "kernel/mm/user_range.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

using kernel::mm::user_limit;
using kernel::mm::UserRange;

TEST(UserRange, Edges)
{
    EXPECT_TRUE(UserRange::checked(0, 0));
    EXPECT_TRUE(UserRange::checked(0, user_limit));
    EXPECT_TRUE(UserRange::checked(user_limit, 0)); // empty, at the limit: as access_ok()
    EXPECT_TRUE(UserRange::checked(user_limit - 1, 1));
    EXPECT_FALSE(UserRange::checked(user_limit - 1, 2));
    EXPECT_FALSE(UserRange::checked(user_limit, 1));
    EXPECT_FALSE(UserRange::checked(user_limit + 1, 0));
    EXPECT_FALSE(UserRange::checked(0, user_limit + 1));
    // Wrapping sums that land below the limit.
    EXPECT_FALSE(UserRange::checked(~u64(0), 1));
    EXPECT_FALSE(UserRange::checked(0x1000, ~u64(0) - 0xfff + 0x10));
    auto range = UserRange::checked(0x400000, 0x2000);
    ASSERT_TRUE(range);
    EXPECT_EQ(range->address, 0x400000u);
    EXPECT_EQ(range->length, 0x2000u);
    EXPECT_EQ(range->end(), 0x402000u);
}

RC_GTEST_PROP(UserRange, MatchesWideArithmetic, (u64 address, u64 length))
{
    // Bias half the cases to the limit, where the answers change.
    if (*rc::gen::arbitrary<bool>()) {
        address = user_limit - (address & 0xffff);
        length &= 0x1ffff;
    }
    unsigned __int128 end = (unsigned __int128)address + length;
    auto range = UserRange::checked(address, length);
    RC_ASSERT(range.has_value() == (end <= user_limit));
    if (range)
        RC_ASSERT(range->end() == u64(end));
}

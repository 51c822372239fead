// Tests for lib/result: TRY propagation, MUST, values with non-trivial lifetimes.
#include "lib/result.h"

#include <gtest/gtest.h>
#include <memory>
#include <string>

namespace {

enum class Error : uint8_t { Negative, TooBig };

lib::Result<int, Error> check(int x)
{
    if (x < 0)
        return Error::Negative;
    if (x > 100)
        return Error::TooBig;
    return x;
}

lib::Result<int, Error> doubled(int x)
{
    int v = TRY(check(x));
    return v * 2;
}

lib::Result<void, Error> validate(int x)
{
    TRY(check(x));
    return {};
}

TEST(Result, ValueAndError)
{
    EXPECT_TRUE(check(5).is_ok());
    EXPECT_EQ(check(5).value(), 5);
    EXPECT_EQ(check(-1).error(), Error::Negative);
    EXPECT_EQ(check(101).value_or(7), 7);
}

TEST(Result, TryPropagates)
{
    EXPECT_EQ(doubled(21).value(), 42);
    EXPECT_EQ(doubled(-3).error(), Error::Negative);
    EXPECT_EQ(doubled(1000).error(), Error::TooBig);
    EXPECT_TRUE(validate(3).is_ok());
    EXPECT_EQ(validate(300).error(), Error::TooBig);
}

TEST(Result, OwnsNonTrivialValues)
{
    lib::Result<std::string, Error> r(std::string(100, 'x'));
    lib::Result<std::string, Error> copy(r);
    EXPECT_EQ(copy.value().size(), 100u);
    std::string moved = r.release_value();
    EXPECT_EQ(moved.size(), 100u);
}

TEST(ResultDeathTest, ValueOfErrorIsABug)
{
    EXPECT_DEATH({ (void)check(-1).value(); }, "VERIFY failed");
    EXPECT_DEATH({ (void)MUST(check(-1)); }, "VERIFY failed");
}

} // namespace

// Tests for the RTC's calendar arithmetic against known Unix timestamps and the C library.
#include "kernel/drivers/rtc/calendar.h"

#include <ctime>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace kernel::drivers::rtc {
namespace {

TEST(Calendar, KnownDates)
{
    EXPECT_EQ(to_unix_seconds({ 1970, 1, 1, 0, 0, 0 }), 0u);
    EXPECT_EQ(to_unix_seconds({ 2000, 3, 1, 0, 0, 0 }), 951868800u);
    EXPECT_EQ(to_unix_seconds({ 2038, 1, 19, 3, 14, 8 }), 2147483648u);
    EXPECT_EQ(to_unix_seconds({ 2026, 11, 28, 12, 0, 0 }), 1795867200u);
}

TEST(Calendar, Validity)
{
    EXPECT_TRUE(is_valid({ 2024, 2, 29, 23, 59, 59 }));
    EXPECT_FALSE(is_valid({ 2023, 2, 29, 0, 0, 0 }));
    EXPECT_FALSE(is_valid({ 1900, 2, 29, 0, 0, 0 }));
    EXPECT_FALSE(is_valid({ 2024, 13, 1, 0, 0, 0 }));
    EXPECT_FALSE(is_valid({ 2024, 0, 1, 0, 0, 0 }));
    EXPECT_FALSE(is_valid({ 2024, 4, 31, 0, 0, 0 }));
    EXPECT_FALSE(is_valid({ 2024, 1, 1, 24, 0, 0 }));
    EXPECT_FALSE(is_valid({ 1969, 12, 31, 0, 0, 0 }));
    EXPECT_TRUE(is_leap_year(2000));
    EXPECT_FALSE(is_leap_year(2100));
}

RC_GTEST_PROP(Calendar, AgreesWithTimegm, (uint32_t seconds))
{
    // Any time from 1970 to 2106: the C library's gmtime is the oracle.
    time_t t = time_t(seconds);
    struct tm tm {};
    RC_ASSERT(gmtime_r(&t, &tm) != nullptr);
    DateTime d { u32(tm.tm_year + 1900), u32(tm.tm_mon + 1), u32(tm.tm_mday), u32(tm.tm_hour), u32(tm.tm_min),
        u32(tm.tm_sec) };
    RC_ASSERT(is_valid(d));
    RC_ASSERT(to_unix_seconds(d) == u64(seconds));
}

} // namespace
} // namespace kernel::drivers::rtc

// Civil date/time <-> Unix time, proleptic Gregorian calendar (the days-from-civil algorithm
// published by Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms").
#pragma once

#include "lib/types.h"

namespace kernel::drivers::rtc {

struct DateTime {
    u32 year;  // e.g. 2026
    u32 month; // 1..12
    u32 day;   // 1..31
    u32 hour;  // 0..23
    u32 minute;
    u32 second;
};

constexpr bool is_leap_year(u32 y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr u32 days_in_month(u32 year, u32 month)
{
    constexpr u32 days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month < 1 || month > 12)
        return 0;
    return days[month - 1] + ((month == 2 && is_leap_year(year)) ? 1 : 0);
}

// True when every field is in range for a date from 1970 through 9999.
constexpr bool is_valid(const DateTime& t)
{
    return t.year >= 1970 && t.year <= 9999 && t.month >= 1 && t.month <= 12 && t.day >= 1
        && t.day <= days_in_month(t.year, t.month) && t.hour < 24 && t.minute < 60 && t.second < 60;
}

// Days since 1970-01-01. Precondition: is_valid(t).
constexpr i64 days_from_civil(u32 year, u32 month, u32 day)
{
    i64 y = i64(year) - (month <= 2 ? 1 : 0);
    i64 era = y / 400;
    i64 yoe = y - era * 400;
    i64 mp = (i64(month) + 9) % 12;
    i64 doy = (153 * mp + 2) / 5 + i64(day) - 1;
    i64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// Seconds since the Unix epoch. Precondition: is_valid(t).
constexpr u64 to_unix_seconds(const DateTime& t)
{
    return u64(days_from_civil(t.year, t.month, t.day)) * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

} // namespace kernel::drivers::rtc

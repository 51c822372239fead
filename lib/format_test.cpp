// Tests for lib/format: every spec the kernel uses, and malformed input that must not misbehave.
#include "lib/format.h"
#include "lib/number.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <string>

namespace {

template<typename... Args> std::string fmt(lib::StringView f, const Args&... args)
{
    char buffer[256];
    lib::BufferSink sink(buffer, sizeof buffer);
    lib::format(sink, f, args...);
    return std::string(sink.view().chars(), sink.view().length());
}

TEST(Format, Integers)
{
    EXPECT_EQ(fmt("{}", 0), "0");
    EXPECT_EQ(fmt("{}", 12345u), "12345");
    EXPECT_EQ(fmt("{}", -42), "-42");
    EXPECT_EQ(fmt("{}", INT64_MIN), "-9223372036854775808");
    EXPECT_EQ(fmt("{}", UINT64_MAX), "18446744073709551615");
    EXPECT_EQ(fmt("{:x}", 0xdeadbeefu), "deadbeef");
    EXPECT_EQ(fmt("{:X}", 0xbeefu), "BEEF");
    EXPECT_EQ(fmt("{:#x}", 255), "0xff");
    EXPECT_EQ(fmt("{:#018x}", 0x1000u), "0x0000000000001000");
    EXPECT_EQ(fmt("{:08b}", 5), "00000101");
    EXPECT_EQ(fmt("{:>5}", 42), "   42");
    EXPECT_EQ(fmt("{:<5}|", 42), "42   |");
    EXPECT_EQ(fmt("{:06}", -42), "-00042");
    EXPECT_EQ(fmt("{:c}", 65u), "A");
}

TEST(Format, StringsBoolsPointersEnums)
{
    enum class Color : uint8_t { Red = 2 };
    EXPECT_EQ(fmt("{} {}", "abc", lib::StringView("xyz", 2)), "abc xy");
    EXPECT_EQ(fmt("{:>6}", "ab"), "    ab");
    EXPECT_EQ(fmt("{}/{}", true, false), "true/false");
    EXPECT_EQ(fmt("{}", reinterpret_cast<const void*>(0x1234)), "0x1234");
    EXPECT_EQ(fmt("{}", Color::Red), "2");
    EXPECT_EQ(fmt("{}", static_cast<const char*>(nullptr)), "(null)");
    EXPECT_EQ(fmt("{}", 'z'), "z");
}

TEST(Format, BracesAndMalformedSpecs)
{
    EXPECT_EQ(fmt("{{}} {}", 1), "{} 1");
    EXPECT_EQ(fmt("a}b"), "a}b");
    EXPECT_EQ(fmt("{:q}", 1), "{?}");
    EXPECT_EQ(fmt("{nope}", 1), "{?}");
    EXPECT_EQ(fmt("{} {}", 1), "1 {!}");
    EXPECT_EQ(fmt("{:99999}", 1), "{?}");
    EXPECT_EQ(fmt("unterminated {", 1), "unterminated {");
}

TEST(Format, BufferSinkTruncates)
{
    char buffer[4];
    lib::BufferSink sink(buffer, sizeof buffer);
    lib::format(sink, "{}", 123456);
    EXPECT_TRUE(sink.truncated());
    EXPECT_EQ(std::string(sink.view().chars(), sink.view().length()), "1234");
}

TEST(Number, ParseU64)
{
    EXPECT_EQ(lib::parse_u64("0").value(), 0u);
    EXPECT_EQ(lib::parse_u64("18446744073709551615").value(), UINT64_MAX);
    EXPECT_FALSE(lib::parse_u64("18446744073709551616").has_value());
    EXPECT_EQ(lib::parse_u64("0xfeb00e00").value(), 0xfeb00e00u);
    EXPECT_EQ(lib::parse_u64("0XFF").value(), 0xffu);
    EXPECT_FALSE(lib::parse_u64("0x").has_value());
    EXPECT_FALSE(lib::parse_u64("").has_value());
    EXPECT_FALSE(lib::parse_u64("12a").has_value());
    EXPECT_FALSE(lib::parse_u64("0x10000000000000000").has_value());
    EXPECT_FALSE(lib::parse_u64("-1").has_value());
}

RC_GTEST_PROP(Number, DecimalRoundTrip, (uint64_t value))
{
    std::string text = std::to_string(value);
    auto parsed = lib::parse_u64(lib::StringView(text.data(), text.size()));
    RC_ASSERT(parsed.has_value());
    RC_ASSERT(parsed.value() == value);
}

RC_GTEST_PROP(Format, DecimalMatchesStdToString, (int64_t value))
{
    RC_ASSERT(fmt("{}", value) == std::to_string(value));
}

RC_GTEST_PROP(Format, ArbitraryFormatStringsStayInBounds, (std::string f, uint64_t a))
{
    // Any format string: output is bounded by the sink, and formatting terminates.
    char buffer[64];
    lib::BufferSink sink(buffer, sizeof buffer);
    lib::format(sink, lib::StringView(f.data(), f.size()), a, "s");
    RC_ASSERT(sink.view().length() <= sizeof buffer);
}

} // namespace

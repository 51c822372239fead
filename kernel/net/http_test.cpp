#include "kernel/net/http.h"

#include <cstring>
#include <gtest/gtest.h>

using namespace kernel::net_service::http;

namespace {

lib::Result<Request, HttpError> parse_text(const char* text)
{
    usize n = head_length(lib::ReadonlyBytes(reinterpret_cast<const u8*>(text), strlen(text)));
    EXPECT_NE(n, 0u);
    return parse(lib::StringView(text, n));
}

} // namespace

TEST(KernelHttp, HeadLengthWaitsForTheBlankLine)
{
    const char* partial = "GET / HTTP/1.1\r\nHost: x\r\n";
    EXPECT_EQ(head_length(lib::ReadonlyBytes(reinterpret_cast<const u8*>(partial), strlen(partial))), 0u);
    const char* pipelined = "GET / HTTP/1.1\r\n\r\nGET /";
    EXPECT_EQ(head_length(lib::ReadonlyBytes(reinterpret_cast<const u8*>(pipelined), strlen(pipelined))), 18u);
}

TEST(KernelHttp, KeepAliveFollowsVersionAndConnection)
{
    auto a = parse_text("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(a.is_ok());
    EXPECT_EQ(a.value().method, Method::Get);
    EXPECT_TRUE(a.value().target == "/");
    EXPECT_TRUE(a.value().keep_alive);
    auto b = parse_text("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
    ASSERT_TRUE(b.is_ok());
    EXPECT_TRUE(b.value().keep_alive);
    auto c = parse_text("GET / HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(c.is_ok());
    EXPECT_FALSE(c.value().keep_alive);
    auto d = parse_text("GET / HTTP/1.1\r\nconnection: foo, close\r\n\r\n");
    ASSERT_TRUE(d.is_ok());
    EXPECT_FALSE(d.value().keep_alive);
}

TEST(KernelHttp, ContentLengthAndErrors)
{
    auto a = parse_text("POST /sink HTTP/1.1\r\nContent-Length:  1048576 \r\n\r\n");
    ASSERT_TRUE(a.is_ok());
    EXPECT_EQ(a.value().method, Method::Post);
    EXPECT_EQ(a.value().content_length, 1048576u);
    auto b = parse_text("POST /sink HTTP/1.1\r\nContent-Length: 12x\r\n\r\n");
    ASSERT_TRUE(b.is_error());
    EXPECT_EQ(b.error(), HttpError::BadLength);
    auto c = parse_text("POST /sink HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    ASSERT_TRUE(c.is_error());
    EXPECT_EQ(c.error(), HttpError::Unsupported);
    for (const char* bad : { "GET\r\n\r\n", "GET / \r\n\r\n", "GET x HTTP/1.1\r\n\r\n", "GET / HTTP/2\r\n\r\n",
             "GET / HTTP/1.1\r\nNoColon\r\n\r\n", "GET / HTTP/1.1\r\n: v\r\n\r\n", " / HTTP/1.1\r\n\r\n" }) {
        auto r = parse_text(bad);
        EXPECT_TRUE(r.is_error()) << bad;
    }
}

TEST(KernelHttp, ParseDecimal)
{
    EXPECT_EQ(parse_decimal("1048576", 10).value(), 1048576u);
    EXPECT_FALSE(parse_decimal("", 10).has_value());
    EXPECT_FALSE(parse_decimal("12345678901", 10).has_value());
    EXPECT_FALSE(parse_decimal("1a", 10).has_value());
}

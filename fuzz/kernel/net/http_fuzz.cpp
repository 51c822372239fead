// Fuzz target for the kernel's HTTP request-head parser (kernel/net/http.cpp), which reads bytes
// from the network. Input: raw bytes as they would arrive on a connection.
// Oracle: head_length() finds exactly the first CRLF CRLF (or 0 when there is none); parse()
// of that head never reads outside it, its target lies inside the head, and parse_decimal()
// agrees with a plain reference implementation (which, like it, refuses max_digits above 19).
#include "fuzz/fuzz.h"
#include "kernel/net/http.h"

#include <cstdint>
#include <cstring>
#include <vector>

using namespace kernel::net_service::http;

namespace {

size_t reference_head_length(const uint8_t* p, size_t n)
{
    for (size_t i = 3; i < n; ++i) {
        if (p[i - 3] == '\r' && p[i - 2] == '\n' && p[i - 1] == '\r' && p[i] == '\n')
            return i + 1;
    }
    return 0;
}

bool reference_decimal(const char* p, size_t n, size_t max_digits, uint64_t& out)
{
    if (n == 0 || n > max_digits)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, uint64_t(p[i] - '0'), &v))
            return false;
    }
    out = v;
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    // An exact-size copy, so ASan sees any read past the end.
    std::vector<uint8_t> bytes(data, data + size);
    size_t length = head_length(lib::ReadonlyBytes(bytes.data(), bytes.size()));
    FUZZ_CHECK(length == reference_head_length(bytes.data(), bytes.size()), "head_length finds the first CRLF CRLF");
    if (length > 0) {
        std::vector<char> head(bytes.begin(), bytes.begin() + long(length));
        auto request = parse(lib::StringView(head.data(), head.size()));
        if (request.is_ok()) {
            lib::StringView target = request.value().target;
            FUZZ_CHECK(target.length() == 0
                    || (target.chars() >= head.data() && target.chars() + target.length() <= head.data() + head.size()),
                "the target lies inside the head");
        }
    }
    // parse_decimal against the reference, on a prefix of the input.
    size_t n = size < 24 ? size : 24;
    std::vector<char> text(bytes.begin(), bytes.begin() + long(n));
    for (size_t max_digits : { size_t(1), size_t(12), size_t(19), size_t(20) }) {
        uint64_t expected = 0;
        bool ok = max_digits <= 19 && reference_decimal(text.data(), text.size(), max_digits, expected);
        auto got = parse_decimal(lib::StringView(text.data(), text.size()), max_digits);
        FUZZ_CHECK(got.has_value() == ok && (!ok || got.value() == expected), "parse_decimal agrees with the reference");
    }
    return 0;
}

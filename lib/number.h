// Parsing integers from text (kernel command line, manifests): decimal or 0x-hex, with
// overflow detection. Never reads outside the view.
#pragma once

#include "lib/optional.h"
#include "lib/string_view.h"

namespace lib {

// Accepts "123", "0x7b"/"0X7B". Returns nullopt on empty input, a stray character, or a value
// that does not fit in 64 bits.
constexpr Optional<u64> parse_u64(StringView text)
{
    unsigned base = 10;
    usize i = 0;
    if (text.length() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i == text.length())
        return nullopt;
    u64 value = 0;
    for (; i < text.length(); ++i) {
        char c = text[i];
        unsigned digit = 0;
        if (c >= '0' && c <= '9')
            digit = unsigned(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = unsigned(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            digit = unsigned(c - 'A' + 10);
        else
            return nullopt;
        if (__builtin_mul_overflow(value, u64(base), &value) || __builtin_add_overflow(value, u64(digit), &value))
            return nullopt;
    }
    return value;
}

} // namespace lib

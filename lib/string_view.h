// StringView: a non-owning, not necessarily NUL-terminated view of characters.
#pragma once

#include "lib/span.h"

namespace lib {

constexpr usize c_string_length(const char* s)
{
    usize n = 0;
    while (s[n] != '\0')
        ++n;
    return n;
}

class StringView {
public:
    constexpr StringView() = default;
    constexpr StringView(const char* chars, usize length) : m_chars(chars), m_length(length) { }
    constexpr StringView(const char* c_string) : m_chars(c_string), m_length(c_string_length(c_string)) { }

    constexpr const char* chars() const { return m_chars; }
    constexpr usize length() const { return m_length; }
    constexpr bool is_empty() const { return m_length == 0; }
    constexpr const char* begin() const { return m_chars; }
    constexpr const char* end() const { return m_chars + m_length; }

    constexpr char operator[](usize i) const
    {
        VERIFY(i < m_length);
        return m_chars[i];
    }

    // Precondition: start + length <= length().
    constexpr StringView substring(usize start, usize length) const
    {
        VERIFY(start <= m_length && length <= m_length - start);
        return StringView(m_chars + start, length);
    }
    constexpr StringView substring(usize start) const
    {
        VERIFY(start <= m_length);
        return StringView(m_chars + start, m_length - start);
    }

    constexpr bool operator==(StringView other) const
    {
        if (m_length != other.m_length)
            return false;
        for (usize i = 0; i < m_length; ++i) {
            if (m_chars[i] != other.m_chars[i])
                return false;
        }
        return true;
    }
    constexpr bool starts_with(StringView prefix) const
    {
        return prefix.m_length <= m_length && substring(0, prefix.m_length) == prefix;
    }
    // Index of the first `c`, or length() when absent.
    constexpr usize find(char c) const
    {
        for (usize i = 0; i < m_length; ++i) {
            if (m_chars[i] == c)
                return i;
        }
        return m_length;
    }

private:
    const char* m_chars { "" };
    usize m_length { 0 };
};

} // namespace lib

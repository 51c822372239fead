// Type-safe formatting with a `{}` syntax: format(sink, "{} frames at {:#x}", n, addr).
// Supported spec: {:[fill][<|>][#][0][width][d|x|X|b|c|s|p]}. No allocation; the kernel's
// logger and the host tests both write through a FormatSink.
#pragma once

#include "lib/string_view.h"
#include "lib/utility.h"

namespace lib {

class FormatSink {
public:
    virtual void write(StringView text) = 0;

protected:
    ~FormatSink() = default;
};

// Writes into a fixed buffer; silently stops at capacity and records that it did.
class BufferSink final : public FormatSink {
public:
    BufferSink(char* buffer, usize capacity) : m_buffer(buffer), m_capacity(capacity) { }
    void write(StringView text) override;
    StringView view() const { return StringView(m_buffer, m_length); }
    bool truncated() const { return m_truncated; }
    void clear()
    {
        m_length = 0;
        m_truncated = false;
    }

private:
    char* m_buffer;
    usize m_capacity;
    usize m_length { 0 };
    bool m_truncated { false };
};

// One type-erased argument.
struct FormatArg {
    enum class Kind : u8 { Unsigned, Signed, Bool, Char, CString, View, Pointer };
    Kind kind { Kind::Unsigned };
    union {
        u64 u;
        i64 s;
        bool b;
        char c;
        const char* cstr;
        const void* ptr;
    };
    StringView view;

    static FormatArg make(StringView v)
    {
        FormatArg a {};
        a.kind = Kind::View;
        a.u = 0;
        a.view = v;
        return a;
    }
};

namespace detail {

template<typename T> FormatArg to_format_arg(const T& value)
{
    FormatArg a {};
    a.kind = FormatArg::Kind::Unsigned;
    a.u = 0;
    if constexpr (is_same_v<T, bool>) {
        a.kind = FormatArg::Kind::Bool;
        a.b = value;
    } else if constexpr (is_same_v<T, char>) {
        a.kind = FormatArg::Kind::Char;
        a.c = value;
    } else if constexpr (is_enum_v<T>) {
        return to_format_arg(static_cast<UnderlyingType<T>>(value));
    } else if constexpr (is_integral_v<T> && is_signed_v<T>) {
        a.kind = FormatArg::Kind::Signed;
        a.s = static_cast<i64>(value);
    } else if constexpr (is_integral_v<T>) {
        a.kind = FormatArg::Kind::Unsigned;
        a.u = static_cast<u64>(value);
    } else if constexpr (is_same_v<T, StringView>) {
        return FormatArg::make(value);
    } else if constexpr (__is_convertible_to(T, const char*)) {
        a.kind = FormatArg::Kind::CString;
        a.cstr = value;
    } else if constexpr (is_pointer_v<T>) {
        a.kind = FormatArg::Kind::Pointer;
        a.ptr = reinterpret_cast<const void*>(value);
    } else {
        static_assert(sizeof(T) == 0, "format: no formatter for this type");
    }
    return a;
}

} // namespace detail

// Formats `fmt` with a type-erased argument list. Unknown or malformed specs print as "{?}" and
// missing arguments as "{!}": formatting never fails and never reads past the argument list.
void vformat(FormatSink& sink, StringView fmt, Span<const FormatArg> args);

template<typename... Args> void format(FormatSink& sink, StringView fmt, const Args&... args)
{
    if constexpr (sizeof...(Args) == 0) {
        vformat(sink, fmt, {});
    } else {
        const FormatArg list[] = { detail::to_format_arg(args)... };
        vformat(sink, fmt, Span<const FormatArg>(list, sizeof...(Args)));
    }
}

} // namespace lib

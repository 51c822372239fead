// Implementation of the `{}` formatter (see format.h for the accepted spec syntax).
#include "lib/format.h"

namespace lib {

void BufferSink::write(StringView text)
{
    for (char c : text) {
        if (m_length == m_capacity) {
            m_truncated = true;
            return;
        }
        m_buffer[m_length++] = c;
    }
}

namespace {

struct Spec {
    char fill { ' ' };
    bool left { false };
    bool alternate { false };
    usize width { 0 };
    char type { 0 };
};

// Parses the text between ':' and '}'. Returns false on anything outside the grammar.
bool parse_spec(StringView s, Spec& spec)
{
    usize i = 0;
    auto is_align = [](char c) { return c == '<' || c == '>'; };
    if (s.length() >= 2 && is_align(s[1])) {
        spec.fill = s[0];
        spec.left = s[1] == '<';
        i = 2;
    } else if (s.length() >= 1 && is_align(s[0])) {
        spec.left = s[0] == '<';
        i = 1;
    }
    if (i < s.length() && s[i] == '#') {
        spec.alternate = true;
        ++i;
    }
    if (i < s.length() && s[i] == '0') {
        spec.fill = '0';
        ++i;
    }
    while (i < s.length() && s[i] >= '0' && s[i] <= '9') {
        spec.width = spec.width * 10 + usize(s[i] - '0');
        if (spec.width > 64)
            return false;
        ++i;
    }
    if (i < s.length()) {
        char t = s[i++];
        if (t != 'd' && t != 'x' && t != 'X' && t != 'b' && t != 'c' && t != 's' && t != 'p')
            return false;
        spec.type = t;
    }
    return i == s.length();
}

void pad(FormatSink& sink, char fill, usize count)
{
    char chunk[16];
    for (char& c : chunk)
        c = fill;
    while (count > 0) {
        usize n = min<usize>(count, sizeof chunk);
        sink.write(StringView(chunk, n));
        count -= n;
    }
}

void write_padded(FormatSink& sink, const Spec& spec, StringView prefix, StringView body)
{
    usize length = prefix.length() + body.length();
    usize padding = spec.width > length ? spec.width - length : 0;
    if (spec.fill == '0' && !spec.left) {
        // Zero padding goes between the prefix ("0x", "-") and the digits.
        sink.write(prefix);
        pad(sink, '0', padding);
        sink.write(body);
        return;
    }
    if (!spec.left)
        pad(sink, spec.fill, padding);
    sink.write(prefix);
    sink.write(body);
    if (spec.left)
        pad(sink, spec.fill, padding);
}

void write_unsigned(FormatSink& sink, const Spec& spec, u64 value, bool negative)
{
    unsigned base = 10;
    const char* digits = "0123456789abcdef";
    StringView prefix = negative ? "-" : "";
    switch (spec.type) {
    case 'x':
    case 'p':
        base = 16;
        if (spec.alternate || spec.type == 'p')
            prefix = "0x";
        break;
    case 'X':
        base = 16;
        digits = "0123456789ABCDEF";
        if (spec.alternate)
            prefix = "0x";
        break;
    case 'b':
        base = 2;
        if (spec.alternate)
            prefix = "0b";
        break;
    default:
        break;
    }
    char buffer[64];
    usize at = sizeof buffer;
    do {
        buffer[--at] = digits[value % base];
        value /= base;
    } while (value != 0);
    write_padded(sink, spec, prefix, StringView(buffer + at, sizeof buffer - at));
}

void write_arg(FormatSink& sink, const Spec& spec, const FormatArg& arg)
{
    switch (arg.kind) {
    case FormatArg::Kind::Unsigned:
        if (spec.type == 'c') {
            char c = char(arg.u);
            write_padded(sink, spec, "", StringView(&c, 1));
            return;
        }
        write_unsigned(sink, spec, arg.u, false);
        return;
    case FormatArg::Kind::Signed:
        if (arg.s < 0 && spec.type != 'x' && spec.type != 'X' && spec.type != 'b')
            write_unsigned(sink, spec, 0 - u64(arg.s), true);
        else
            write_unsigned(sink, spec, u64(arg.s), false);
        return;
    case FormatArg::Kind::Bool:
        write_padded(sink, spec, "", arg.b ? "true" : "false");
        return;
    case FormatArg::Kind::Char:
        write_padded(sink, spec, "", StringView(&arg.c, 1));
        return;
    case FormatArg::Kind::CString:
        write_padded(sink, spec, "", arg.cstr ? StringView(arg.cstr) : StringView("(null)"));
        return;
    case FormatArg::Kind::View:
        write_padded(sink, spec, "", arg.view);
        return;
    case FormatArg::Kind::Pointer: {
        Spec pointer_spec = spec;
        pointer_spec.type = 'p';
        write_unsigned(sink, pointer_spec, u64(reinterpret_cast<uptr>(arg.ptr)), false);
        return;
    }
    }
}

} // namespace

void vformat(FormatSink& sink, StringView fmt, Span<const FormatArg> args)
{
    usize next_arg = 0;
    usize i = 0;
    usize literal_start = 0;
    while (i < fmt.length()) {
        char c = fmt[i];
        if (c != '{' && c != '}') {
            ++i;
            continue;
        }
        sink.write(fmt.substring(literal_start, i - literal_start));
        // "{{" and "}}" are escaped braces.
        if (i + 1 < fmt.length() && fmt[i + 1] == c) {
            sink.write(StringView(&fmt.chars()[i], 1));
            i += 2;
            literal_start = i;
            continue;
        }
        if (c == '}') {
            sink.write("}");
            literal_start = ++i;
            continue;
        }
        usize close = fmt.substring(i).find('}');
        if (close == fmt.length() - i) {
            // Unterminated: print the rest literally.
            literal_start = i;
            break;
        }
        StringView inside = fmt.substring(i + 1, close - 1);
        Spec spec;
        bool ok = true;
        if (!inside.is_empty()) {
            ok = inside[0] == ':' && parse_spec(inside.substring(1), spec);
        }
        if (!ok)
            sink.write("{?}");
        else if (next_arg >= args.size())
            sink.write("{!}");
        else
            write_arg(sink, spec, args[next_arg]);
        if (ok)
            ++next_arg;
        i += close + 1;
        literal_start = i;
    }
    sink.write(fmt.substring(literal_start));
}

} // namespace lib

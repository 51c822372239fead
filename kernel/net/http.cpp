// Freestanding HTTP request-head parsing (see http.h).
#include "kernel/net/http.h"

namespace kernel::net_service::http {

namespace {

constexpr char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool equals_ignoring_case(lib::StringView a, lib::StringView b)
{
    if (a.length() != b.length())
        return false;
    for (usize i = 0; i < a.length(); ++i) {
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

// True when the comma-separated header value lists `token` (case-insensitively).
bool lists_token(lib::StringView value, lib::StringView token)
{
    usize start = 0;
    while (start <= value.length()) {
        usize end = start;
        while (end < value.length() && value[end] != ',')
            ++end;
        usize a = start, b = end;
        while (a < b && (value[a] == ' ' || value[a] == '\t'))
            ++a;
        while (b > a && (value[b - 1] == ' ' || value[b - 1] == '\t'))
            --b;
        if (equals_ignoring_case(value.substring(a, b - a), token))
            return true;
        start = end + 1;
    }
    return false;
}

// The line starting at `at` without its CRLF; `at` moves past the CRLF. Empty optional when the
// line has no CRLF (cannot happen for a head delimited by head_length()).
lib::Optional<lib::StringView> next_line(lib::StringView text, usize& at)
{
    for (usize i = at; i + 1 < text.length(); ++i) {
        if (text[i] == '\r' && text[i + 1] == '\n') {
            auto line = text.substring(at, i - at);
            at = i + 2;
            return line;
        }
    }
    return lib::nullopt;
}

} // namespace

usize head_length(lib::ReadonlyBytes bytes)
{
    for (usize i = 0; i + 3 < bytes.size(); ++i) {
        if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            return i + 4;
    }
    return 0;
}

lib::Optional<u64> parse_decimal(lib::StringView text, usize max_digits)
{
    if (text.is_empty() || text.length() > max_digits || max_digits > 19)
        return lib::nullopt;
    u64 value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return lib::nullopt;
        value = value * 10 + u64(c - '0');
    }
    return value;
}

lib::Result<Request, HttpError> parse(lib::StringView head)
{
    usize at = 0;
    auto request_line = next_line(head, at);
    if (!request_line.has_value())
        return HttpError::Malformed;
    lib::StringView line = request_line.value();
    usize first_space = line.find(' ');
    if (first_space == 0 || first_space >= line.length())
        return HttpError::Malformed;
    lib::StringView method = line.substring(0, first_space);
    lib::StringView rest = line.substring(first_space + 1);
    usize second_space = rest.find(' ');
    if (second_space == 0 || second_space >= rest.length())
        return HttpError::Malformed;
    lib::StringView target = rest.substring(0, second_space);
    lib::StringView version = rest.substring(second_space + 1);
    if (target[0] != '/' || !(version == "HTTP/1.1" || version == "HTTP/1.0"))
        return HttpError::Malformed;

    Request request;
    request.target = target;
    request.method = method == "GET" ? Method::Get : method == "HEAD" ? Method::Head : method == "POST" ? Method::Post : Method::Other;
    bool http11 = version == "HTTP/1.1";
    bool says_close = false, says_keep_alive = false;
    for (;;) {
        auto header = next_line(head, at);
        if (!header.has_value())
            return HttpError::Malformed;
        lib::StringView h = header.value();
        if (h.is_empty())
            break;
        usize colon = h.find(':');
        if (colon == 0 || colon >= h.length())
            return HttpError::Malformed;
        lib::StringView name = h.substring(0, colon);
        usize v = colon + 1;
        while (v < h.length() && (h[v] == ' ' || h[v] == '\t'))
            ++v;
        usize end = h.length();
        while (end > v && (h[end - 1] == ' ' || h[end - 1] == '\t'))
            --end;
        lib::StringView value = h.substring(v, end - v);
        if (equals_ignoring_case(name, "Content-Length")) {
            auto length = parse_decimal(value, 15);
            if (!length.has_value())
                return HttpError::BadLength;
            request.content_length = length.value();
        } else if (equals_ignoring_case(name, "Transfer-Encoding")) {
            return HttpError::Unsupported;
        } else if (equals_ignoring_case(name, "Connection")) {
            says_close = says_close || lists_token(value, "close");
            says_keep_alive = says_keep_alive || lists_token(value, "keep-alive");
        }
    }
    request.keep_alive = !says_close && (http11 || says_keep_alive);
    return request;
}

} // namespace kernel::net_service::http

// A small freestanding HTTP/1.x request-head parser for the kernel's test service (the host's
// net/host/http.cpp needs std::string). It looks at one complete head — request line and header
// lines up to the blank line — and extracts what the responder needs: method, target, whether
// the connection stays open, and the body length. Pure: no kernel state, unit-tested on the host.
#pragma once

#include "lib/optional.h"
#include "lib/result.h"
#include "lib/span.h"
#include "lib/string_view.h"

namespace kernel::net_service::http {

enum class Method : u8 { Get, Head, Post, Other };

enum class HttpError : u8 {
    Malformed,      // no request line "METHOD SP TARGET SP HTTP/1.x", or a bad header line
    BadLength,      // Content-Length is not a decimal number (or does not fit)
    Unsupported,    // Transfer-Encoding (chunked bodies are not supported)
};

struct Request {
    Method method { Method::Other };
    lib::StringView target;   // points into the head passed to parse()
    bool keep_alive { false }; // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "keep-alive"
    u64 content_length { 0 };
};

// Length of the head at the start of `bytes` including its terminating blank line (CRLF CRLF),
// or 0 when the blank line has not arrived yet.
usize head_length(lib::ReadonlyBytes bytes);

// Parses a complete head (as delimited by head_length()).
lib::Result<Request, HttpError> parse(lib::StringView head);

// Parses a non-empty run of decimal digits of at most `max_digits`; nullopt otherwise. A
// max_digits above 19 (where 64 bits could overflow) always gives nullopt.
lib::Optional<u64> parse_decimal(lib::StringView text, usize max_digits);

} // namespace kernel::net_service::http

// Helpers shared by the net/wire unit tests (host only).
#pragma once

#include "lib/result.h"
#include "net/wire/wire_error.h"

#include <string>
#include <vector>

namespace net::wire::test_support {

inline lib::ReadonlyBytes span(const std::vector<u8>& v) { return { v.data(), v.size() }; }

// "ok", or the name of the error: readable in EXPECT_EQ failure messages.
template<typename T> std::string outcome(const lib::Result<T, WireError>& r)
{
    if (r.is_ok())
        return "ok";
    auto name = wire_error_name(r.error());
    return std::string(name.chars(), name.length());
}

} // namespace net::wire::test_support

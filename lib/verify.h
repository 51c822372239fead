// VERIFY: a broken invariant is a bug, not an error. It stops the world with file:line and the
// condition. The kernel and the host each provide lib::verify_failed().
#pragma once

namespace lib {
[[noreturn]] void verify_failed(const char* file, int line, const char* condition);
}

#define VERIFY(cond)                                                  \
    do {                                                              \
        if (!(cond)) [[unlikely]]                                     \
            ::lib::verify_failed(__FILE__, __LINE__, #cond);          \
    } while (0)

#define VERIFY_NOT_REACHED() ::lib::verify_failed(__FILE__, __LINE__, "not reached")

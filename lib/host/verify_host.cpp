// Host side of VERIFY: print the broken invariant and abort, so tests and fuzzers see a crash.
#include "lib/verify.h"

#include <cstdio>
#include <cstdlib>

namespace lib {

[[noreturn]] void verify_failed(const char* file, int line, const char* condition)
{
    std::fprintf(stderr, "VERIFY failed at %s:%d: %s\n", file, line, condition);
    std::abort();
}

} // namespace lib

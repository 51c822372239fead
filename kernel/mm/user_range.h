// User address ranges: the one check every range of program memory passes before the kernel maps
// it or (later, in system calls) reads or writes through it.
#pragma once

#include "kernel/arch/x86_64/layout.h"
#include "lib/optional.h"
#include "lib/types.h"

namespace kernel::mm {

// The user half: canonical lower-half addresses with 4-level paging, [0, 2^47).
inline constexpr u64 user_limit = arch::user_limit;
static_assert(user_limit == u64(1) << 47);

// [address, address + length) inside the user half. Linux's access_ok() makes the same test
// (arch/x86/include/asm/uaccess_64.h: the size at most the limit and the address at most the limit
// minus the size), so an empty range at the limit itself is inside.
struct UserRange {
    u64 address;
    u64 length;

    // Cannot wrap: checked() accepted the range.
    u64 end() const { return address + length; }

    // Nullopt when the range wraps or reaches past user_limit. Written without computing
    // address + length, which can wrap.
    static lib::Optional<UserRange> checked(u64 address, u64 length);
};

} // namespace kernel::mm

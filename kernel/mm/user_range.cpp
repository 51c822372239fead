// User address ranges (see user_range.h).
#include "kernel/mm/user_range.h"

namespace kernel::mm {

lib::Optional<UserRange> UserRange::checked(u64 address, u64 length)
{
    if (length > user_limit || address > user_limit - length)
        return lib::nullopt;
    return UserRange { address, length };
}

} // namespace kernel::mm

// Harness for kernel/mm/user_range.{h,cpp} against spec/kernel/mm/user_range.smt2: every address
// and every length (no bound: the function has no loop and reads no memory).
#include "proofs/harness.h"

#include "kernel/mm/user_range.h"

using namespace kernel::mm;

BW_SPEC(bool, user_range_valid, u64 address, u64 length);

// checked() accepts exactly the ranges inside the user half, and an accepted range keeps its
// address and length, and its end neither wraps nor passes the limit.
extern "C" void harness_user_range_checked()
{
    u64 address = bw_nondet_u64(), length = bw_nondet_u64();
    auto range = UserRange::checked(address, length);
    bw_assert(range.has_value() == spec_user_range_valid(address, length), "user_range_valid");
    if (!range)
        return;
    bw_assert(range->address == address && range->length == length && range->end() >= address
                  && range->end() <= user_limit,
              "user_range_valid");
}

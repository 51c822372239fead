// A call to a spec define-fun that no spec file defines: the verifier must refuse it by name
// (tools/verifier_selftest.py).
#include "proofs/harness.h"

BW_SPEC(bool, selftest_no_such_function, u32 x);

extern "C" void harness_unknown_spec()
{
    bw_assert(spec_selftest_no_such_function(bw_nondet_u32()), "selftest_value");
}

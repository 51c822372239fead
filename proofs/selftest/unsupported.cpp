// IR the verifier does not model (a volatile load, as of device registers): it must refuse the
// module with an error naming the instruction, never report it proved (tools/verifier_selftest.py).
#include "proofs/harness.h"

namespace {
volatile u32 g_register;
}

extern "C" void harness_volatile_load()
{
    u32 x = g_register;
    bw_assume(x != 3);
}

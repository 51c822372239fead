// The verifier's own tests (tools/verifier_selftest.py, the proof.verifier-selftest test): small
// harnesses with a known verdict. Each `// expect:` line names properties and the result each
// must have; every other property of that harness must be PROVED. A verifier that stopped
// finding a kind of bug, or started flagging correct code, fails here before it can weaken a
// real proof.
#include "proofs/harness.h"

BW_SPEC(bool, selftest_is_even, u32 x);

namespace {
u8 g_buffer[16];
}

// A shift by the width or more is poison (LangRef); here it reaches a call argument, which the
// verifier treats as UB. (The value is even for every shift below 64, so nothing else fails.)
// expect: no-ub FAILED
extern "C" void harness_shift_by_width_used()
{
    u32 n = bw_nondet_u32();
    bw_assert(spec_selftest_is_even(u32(u64(2) << n)), "selftest_is_even");
}

// The same shift whose result a select discards when n >= 64: no UB.
// expect: selftest_value PROVED
extern "C" void harness_shift_by_width_discarded()
{
    u32 n = bw_nondet_u32();
    u64 mask = n >= 64 ? ~u64(0) : (u64(1) << n) - 1;
    bw_assert((n == 0) == (mask == 0), "selftest_value");
}

// One byte past the end of a 16-byte object.
// expect: memory-safety FAILED
extern "C" void harness_out_of_bounds()
{
    bw_nondet_bytes(g_buffer, sizeof g_buffer);
    u64 i = bw_nondet_u64();
    bw_assume(i <= sizeof g_buffer);
    bw_assume(g_buffer[i] != 1);
}

// The same read, kept in bounds.
// expect: selftest_value PROVED
extern "C" void harness_in_bounds()
{
    bw_nondet_bytes(g_buffer, sizeof g_buffer);
    u64 i = bw_nondet_u64();
    bw_assume(i < sizeof g_buffer);
    u8 v = g_buffer[i];
    bw_assume(v != 1);
    bw_assert(g_buffer[i] != 1, "selftest_value");
}

// A field of a 16-byte record read at a symbolic index: the offset 16 * i + 9 is 9 modulo 16
// (known low bits), so the read is an if-then-else over the four records' bytes, which must be
// exact; and one record past the end is still out of bounds.
namespace {
u8 g_records[64];
}
// expect: selftest_value PROVED
extern "C" void harness_record_field_in_bounds()
{
    bw_nondet_bytes(g_records, sizeof g_records);
    u64 i = bw_nondet_u64();
    bw_assume(i < 4);
    u8 expected = i == 0 ? g_records[9] : i == 1 ? g_records[25] : i == 2 ? g_records[41] : g_records[57];
    bw_assert(g_records[16 * i + 9] == expected, "selftest_value");
}

// expect: memory-safety FAILED
extern "C" void harness_record_field_out_of_bounds()
{
    bw_nondet_bytes(g_records, sizeof g_records);
    u64 i = bw_nondet_u64();
    bw_assume(i <= 4);
    bw_assume(g_records[16 * i + 9] != 1);
}

// expect: no-ub FAILED
extern "C" void harness_division_by_zero()
{
    u32 a = bw_nondet_u32(), b = bw_nondet_u32();
    bw_assume(a / b != 3);
}

// Signed overflow (an `nsw` multiplication).
// expect: no-ub FAILED
extern "C" void harness_signed_overflow()
{
    i32 a = i32(bw_nondet_u32());
    i32 b = a * 3;
    bw_assume(b / 2 != 5);
}

// A loop of 1000 iterations against the default bound of 80 visits of a block (clang may
// unroll it a few times; it stays far past the bound). The trip count is a constant, so it is one
// path, which stops at the bound: so no path completes either.
// expect: unwinding FAILED
// expect: assumptions-satisfiable FAILED
extern "C" void harness_loop_past_bound()
{
    bw_nondet_bytes(g_buffer, sizeof g_buffer);
    u32 sum = 0;
    for (u32 i = 0; i < 1000; ++i)
        sum += g_buffer[i % sizeof g_buffer];
    bw_assume(sum != 12345);
}

// A false property: FAILED, with a counterexample; and a true one about the same spec.
// expect: selftest_is_even FAILED
extern "C" void harness_false_property()
{
    u32 x = bw_nondet_u32();
    bw_assert(spec_selftest_is_even(x * 2 + 1), "selftest_is_even");
}

// expect: selftest_is_even PROVED
extern "C" void harness_true_property()
{
    u32 x = bw_nondet_u32();
    bw_assert(spec_selftest_is_even(x * 2), "selftest_is_even");
}

// Contradictory assumptions make every property vacuous: assumptions-satisfiable says so.
// expect: assumptions-satisfiable FAILED
extern "C" void harness_vacuous()
{
    u32 x = bw_nondet_u32();
    bw_assume(x < 5);
    bw_assume(x > 10);
    bw_assert(x == 7, "selftest_value");
}

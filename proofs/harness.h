// The harness API of the Bulwark verifier (proofs/README.md). Harnesses are compiled with the
// kernel flags to bitcode and linked with the unit under test; the verifier gives these functions
// their meaning, so they have no definitions.
#pragma once

#include "lib/types.h"

extern "C" {
// Nondeterministic inputs: any value. They are the bytes a counterexample prints.
u8 bw_nondet_u8();
u16 bw_nondet_u16();
u32 bw_nondet_u32();
u64 bw_nondet_u64();
// Fills [p, p + n) with nondeterministic bytes; `n` must be a constant.
void bw_nondet_bytes(void* p, usize n);
// Restricts the inputs. The verifier checks that some input satisfies every assumption
// (the `assumptions-satisfiable` row).
void bw_assume(bool condition);
// From here on, paths that meet at a block (same loop iteration) are merged into one state whose
// values are if-then-else terms (proofs/README.md, "The executor"). Worth it where the paths
// differ in a few values and would otherwise multiply (a walk over variable-length records);
// path-by-path is faster where each path's arithmetic folds to constants (a checksum per length).
void bw_merge_paths();
// Raises the unwinding bound (a block's visits in one frame; default 80, `--unwind`) for the
// rest of this harness to `bound`, a constant: for loops whose real maximum is larger. A loop
// that runs past it still fails the `unwinding` property.
void bw_unwind(u32 bound);
// A case split: returns `x`, on one path per value below `n` (a constant, at most 4096) that x
// can take, where the verifier knows the result as that constant, and on one path where x >= n.
// The paths are never merged. For code whose cost is a symbolic index (bitmap words and bits):
// each path then computes with constants, and together they cover every x.
u64 bw_split(u64 x, u64 n);
// A property: PROVED when `condition` holds for every input reaching it. Name it after the spec
// define-fun it checks.
void bw_assert(bool condition, const char* property);
}

// A call `spec_NAME(args...)` is evaluated by the verifier as the define-fun NAME of spec/ on its
// (bit-vector) arguments; declare the ones a harness uses with BW_SPEC. An unknown NAME is an error.
#define BW_SPEC(ret, name, ...) extern "C" ret spec_##name(__VA_ARGS__)

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
// A case split: returns `x`, on one path per value below `n` (a constant, at most 4096) that x
// can take, where the verifier knows the result as that constant, and on one path where x >= n.
// The paths are never merged. For code whose cost is a symbolic index (bitmap words and bits):
// each path then computes with constants, and together they cover every x.
u64 bw_split(u64 x, u64 n);
// A property: PROVED when `condition` holds for every input reaching it. Name it after the spec
// define-fun it checks.
void bw_assert(bool condition, const char* property);
}

// Sets the unwinding bound (visits of one block in one frame; default 80, proofs/README.md) for
// every harness of this module, for loops that legitimately run longer (a ring initialized entry
// by entry). A loop past the bound still fails `unwinding`; `--unwind` on the command line wins.
#define BW_UNWIND(n) extern "C" const unsigned bw_unwind = (n)

// Answers every solver query of this module's harnesses with one incremental solver, a scope per
// query, instead of a fresh solver each: much faster for many small queries (a state machine
// driven through several calls), slower for a few hard ones (checksums). Same answers.
#define BW_INCREMENTAL_SOLVER() extern "C" const bool bw_incremental_solver = true

// A call `spec_NAME(args...)` is evaluated by the verifier as the define-fun NAME of spec/ on its
// (bit-vector) arguments; declare the ones a harness uses with BW_SPEC. An unknown NAME is an error.
#define BW_SPEC(ret, name, ...) extern "C" ret spec_##name(__VA_ARGS__)

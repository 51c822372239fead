#!/usr/bin/env python3
"""The verifier's own tests (proofs/README.md, "Testing the verifier"): runs bulwark-verify on the
small harnesses of proofs/selftest/ and checks each verdict against the `// expect:` lines there,
that --stop-at-failure ends a run at its first FAILED row, then checks that a spec with a syntax error, an unknown spec define-fun and unsupported IR are
refused with an error that names the file, the define-fun or the instruction. Exits non-zero on
any difference."""

import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SELFTEST = os.path.join(ROOT, "proofs", "selftest")


def expectations(source):
    """{harness: {property: status}} from the `// expect: PROPERTY STATUS` lines above each harness."""
    expected, pending = {}, {}
    with open(source) as f:
        for line in f:
            m = re.match(r"\s*// expect: (\S+) (PROVED|FAILED|UNKNOWN)\s*$", line)
            if m:
                pending[m.group(1)] = m.group(2)
                continue
            m = re.match(r'extern "C" void (harness_\w+)\(', line)
            if m:
                expected[m.group(1)] = pending
                pending = {}
    return expected


def run(verifier, module, spec, harness=None, extra=()):
    command = [verifier, module, "--spec", spec, "--timeout-ms", "30000", *extra]
    if harness:
        command += ["--harness", harness]
    p = subprocess.run(command, capture_output=True, text=True, timeout=300)
    rows = [line.split("\t") for line in p.stdout.splitlines() if line.startswith("ROW\t")]
    return p.returncode, rows, p.stderr.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()
    verifier = os.path.join(args.build_dir, "proofs", "bulwark-verify")
    modules = os.path.join(args.build_dir, "proofs", "selftest")
    good_spec = os.path.join(SELFTEST, "spec")
    problems = []

    expected = expectations(os.path.join(SELFTEST, "cases.cpp"))
    print(f"{'harness':36} {'property':26} {'expected':8} {'result':8}")
    for harness, wanted in expected.items():
        code, rows, err = run(verifier, os.path.join(modules, "cases.bc"), good_spec, harness)
        if code == 2 or not rows:
            problems.append(f"{harness}: verifier error: {err}")
            continue
        seen = {}
        for _, _, prop, status, _, detail in (r + [""] * (6 - len(r)) for r in rows):
            seen[prop] = (status, detail)
        for prop in sorted(set(seen) | set(wanted)):
            want = wanted.get(prop, "PROVED")
            got, detail = seen.get(prop, ("(missing)", ""))
            mark = "" if got == want else "   <-- differs"
            print(f"{harness:36} {prop:26} {want:8} {got:8}{mark}")
            if got != want:
                problems.append(f"{harness}/{prop}: expected {want}, got {got} {detail}")
            elif got == "FAILED" and "counterexample" not in detail and prop != "assumptions-satisfiable":
                problems.append(f"{harness}/{prop}: FAILED without a counterexample: {detail}")

    # --stop-at-failure (how tools/prove.py runs mutants): the run over every harness ends at the
    # first FAILED property, exit 1, and that FAILED row (with its counterexample) is the only row.
    code, rows, err = run(verifier, os.path.join(modules, "cases.bc"), good_spec, extra=["--stop-at-failure"])
    first = rows[0] if len(rows) == 1 else None
    ok = (code == 1 and first is not None and first[3] == "FAILED" and "counterexample" in first[5]
          and expected.get("harness_" + first[1], {}).get(first[2]) == "FAILED")
    print(f"{'--stop-at-failure: one FAILED row, then the run ends':63} {'FAILED':8} "
          f"{(first[3] if first else str(len(rows)) + ' rows'):8}" + ("" if ok else "   <-- differs"))
    if not ok:
        problems.append(f"--stop-at-failure: expected exit 1 and one expected FAILED row, got exit {code}: {rows} {err}")

    # Bad input: each must be an error (exit 2) naming what is wrong, with no PROVED row.
    refusals = [
        ("spec with a syntax error", os.path.join(modules, "cases.bc"), os.path.join(SELFTEST, "bad_spec"),
         "harness_true_property", "broken.smt2"),
        ("unknown spec define-fun", os.path.join(modules, "unknown_spec.bc"), good_spec, None,
         "unknown spec define-fun 'selftest_no_such_function'"),
        ("unsupported IR (volatile load)", os.path.join(modules, "unsupported.bc"), good_spec, None, "volatile load"),
    ]
    for what, module, spec, harness, needle in refusals:
        code, rows, err = run(verifier, module, spec, harness)
        ok = code == 2 and needle in err and not any(r[3] == "PROVED" for r in rows)
        print(f"{what:63} {'ERROR':8} {'ERROR' if code == 2 else 'exit ' + str(code):8}"
              + ("" if ok else "   <-- differs"))
        print(f"    {err.splitlines()[0] if err else '(no message)'}")
        if not ok:
            problems.append(f"{what}: expected exit 2 naming '{needle}', got exit {code}: {err}")

    if problems:
        print(f"\nverifier self-test: {len(problems)} problem(s):")
        for p in problems:
            print("  " + p)
        return 1
    print("\nverifier self-test: every verdict as expected, every bad input refused by name")
    return 0


if __name__ == "__main__":
    sys.exit(main())

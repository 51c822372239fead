#!/usr/bin/env python3
"""Runs the proofs (proofs/README.md): every harness of every verified unit, then every planted
mutant of it, and prints one row per property. Exits non-zero when a harness property is not
PROVED, when a mutant survives (no property FAILED), or on any error (bad spec, unsupported IR,
a mutant that does not apply or compile)."""

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_verifier(build, module, timeout_ms, stop_at_failed=False, harness=None):
    """Runs the verifier on `module` (only `harness` when given). With stop_at_failed (mutants),
    stops it at the first FAILED row: one is all a mutant needs to be killed, and the harnesses
    after it need not run."""
    verifier = os.path.join(build, "proofs", "bulwark-verify")
    start = time.monotonic()
    command = [verifier, module, "--spec", os.path.join(ROOT, "spec"), "--timeout-ms", str(timeout_ms)]
    if harness:
        command += ["--harness", harness]
    if stop_at_failed:
        command += ["--stop-at-failure"]  # the verifier itself ends the harness at its first FAILED row
    p = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rows = []
    for line in p.stdout:
        if line.startswith("ROW\t"):
            rows.append(line.rstrip("\n").split("\t"))
            if stop_at_failed and rows[-1][3] == "FAILED":
                p.kill()
                break
    _, err = p.communicate()
    code = p.returncode if not (stop_at_failed and rows and rows[-1][3] == "FAILED") else 1
    return code, rows, err.strip(), time.monotonic() - start


def parse_mutants(path):
    """Lines NAME [@HARNESS] ==> TEXT ==> REPLACEMENT. With @HARNESS the mutant runs only that
    harness (it must kill it there): a mutant in code only one harness reaches then does not pay
    for the others."""
    mutants = []
    if not os.path.exists(path):
        return mutants
    for number, line in enumerate(open(path), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split(" ==> ")
        if len(parts) != 3:
            raise SystemExit(f"{path}:{number}: expected NAME ==> TEXT ==> REPLACEMENT")
        name, old, new = (p.replace("\\n", "\n") for p in parts)
        words = name.split()
        if not words or len(words) > 2 or (len(words) == 2 and not words[1].startswith("@")):
            raise SystemExit(f"{path}:{number}: expected NAME or NAME @HARNESS before the first ==>")
        harness = words[1][1:] if len(words) == 2 else None
        mutants.append((number, words[0], harness, old, "" if new == "(nothing)" else new))
    return mutants


def build_mutant(config, build, unit, name, old, new, where):
    source = open(os.path.join(ROOT, unit + ".cpp")).read()
    if source.count(old) != 1:
        return None, f"{where}: mutant '{name}': text found {source.count(old)} times in {unit}.cpp (need exactly 1)"
    out = os.path.join(build, "proofs", "mutants", unit, name)
    os.makedirs(out, exist_ok=True)
    cpp = os.path.join(out, os.path.basename(unit) + ".cpp")
    open(cpp, "w").write(source.replace(old, new))
    bc, linked = cpp[:-4] + ".bc", cpp[:-4] + ".linked.bc"
    flags = [f for f in config["flags"] if f not in ("-Werror",)]
    for command in ([config["cxx"], *flags, "-emit-llvm", "-c", cpp, "-o", bc],
                    [config["llvm_link"], os.path.join(build, "proofs", unit + ".harness.bc"), bc,
                     *config.get("links", {}).get(unit, []), "-o", linked]):
        r = subprocess.run(command, capture_output=True, text=True)
        if r.returncode != 0:
            return None, f"{where}: mutant '{name}' does not build:\n{r.stderr}"
    return linked, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=os.environ.get("BULWARK_BUILD_DIR", os.path.join(ROOT, "build")))
    parser.add_argument("--unit", action="append", help="e.g. net/wire/tcp (default: all verified units)")
    parser.add_argument("--timeout-ms", type=int, default=60000, help="per solver query (UNKNOWN past it)")
    parser.add_argument("--no-mutants", action="store_true", help="skip the planted mutants")
    args = parser.parse_args()
    config = json.load(open(os.path.join(args.build_dir, "proofs", "config.json")))
    units = args.unit or config["units"]
    failures = []
    print(f"{'function (harness)':34} {'property':26} {'result':8} {'seconds':>7}")
    for unit in units:
        module = os.path.join(args.build_dir, "proofs", unit + ".bc")
        code, rows, err, _ = run_verifier(args.build_dir, module, args.timeout_ms)
        for _, harness, prop, status, seconds, detail in rows:
            print(f"{harness:34} {prop:26} {status:8} {float(seconds):7.2f}")
            if status != "PROVED":
                print(f"    {detail}")
                failures.append(f"{unit}: {harness} {prop} {status}")
        if code == 2 or (code != 0 and not rows):
            print(f"    ERROR: {err}")
            failures.append(f"{unit}: {err}")
        if args.no_mutants:
            continue
        mutants_file = os.path.join(ROOT, "proofs", unit + ".mutants")
        mutants = parse_mutants(mutants_file)
        if not mutants:
            failures.append(f"{unit}: no planted mutant in proofs/{unit}.mutants (anti-vacuity)")
        for number, name, harness, old, new in mutants:
            where = f"proofs/{unit}.mutants:{number}"
            linked, problem = build_mutant(config, args.build_dir, unit, name, old, new, where)
            if problem:
                print(f"    ERROR: {problem}")
                failures.append(problem)
                continue
            code, rows, err, seconds = run_verifier(args.build_dir, linked, args.timeout_ms, stop_at_failed=True,
                                                    harness=harness)
            killed = [r for r in rows if r[3] == "FAILED"]
            if code == 2:
                print(f"{'mutant ' + name:34} {'(error)':26} {'ERROR':8} {seconds:7.2f}\n    {err}")
                failures.append(f"{where}: mutant '{name}': {err}")
            elif killed:
                r = killed[0]
                print(f"{'mutant ' + name:34} {r[1] + '/' + r[2]:26} {'FAILED':8} {seconds:7.2f}  (killed, as it must be)")
                print(f"    {r[5]}")
            else:
                print(f"{'mutant ' + name:34} {'(all)':26} {'PROVED':8} {seconds:7.2f}  SURVIVED: the proofs cannot see this bug")
                failures.append(f"{where}: mutant '{name}' survived")
    print()
    unverified = os.path.join(ROOT, "proofs", "UNVERIFIED.md")
    print("Not yet verified (proofs/UNVERIFIED.md):")
    for line in open(unverified):
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            print(f"  {cells[0]} -- {cells[2]}")
    if failures:
        print(f"\nprove: {len(failures)} problem(s):")
        for f in failures:
            print(f"  {f}")
        return 1
    print("\nprove: every property PROVED, every mutant killed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

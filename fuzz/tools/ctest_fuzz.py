#!/usr/bin/env python3
"""The ctest side of a fuzz target (cmake/fuzz.cmake registers both tests for every target).

  replay  runs every file of fuzz/corpus/<name>/ and fuzz/regressions/<name>/ once; fails if any
          crashes or trips the oracle. Empty or missing folders are fine.
  run     fuzzes for --seconds on a fresh copy of the corpus under --work (the build tree), so a
          test never writes to the repository; fails on any crash, oracle failure, leak or timeout
          and prints the command that reproduces it.
Standard library only.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

# Per-input limits: a parser that takes 10 s on one input, or 2 GiB, is a bug too.
LIMITS = ["-timeout=10", "-rss_limit_mb=2048"]
BATCH = 200  # Files per libFuzzer invocation (keeps the command line short).


def inputs(folder):
    if not os.path.isdir(folder):
        return []
    return sorted(os.path.join(folder, f) for f in os.listdir(folder)
                  if not f.startswith(".") and os.path.isfile(os.path.join(folder, f)))


def replay(args):
    files = inputs(args.corpus) + inputs(args.regressions)
    if not files:
        print(f"no inputs in {args.corpus} or {args.regressions}: nothing to replay")
        return 0
    for start in range(0, len(files), BATCH):
        batch = files[start:start + BATCH]
        result = subprocess.run([args.binary] + LIMITS + batch, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, errors="replace")
        if result.returncode != 0:
            print(result.stdout[-8000:])
            ran = re.findall(r"^Running: (.*)$", result.stdout, re.M)
            culprit = ran[-1] if ran else "(unknown)"
            print(f"FAILED: {culprit} crashes or trips the oracle (exit status {result.returncode})")
            print(f"reproduce: {args.binary} {culprit}")
            return 1
    print(f"replayed {len(files)} inputs ({len(inputs(args.corpus))} corpus, {len(inputs(args.regressions))} regressions): all pass")
    return 0


def run(args):
    shutil.rmtree(args.work, ignore_errors=True)
    corpus = os.path.join(args.work, "corpus")
    os.makedirs(corpus)
    for f in inputs(args.corpus):
        shutil.copy(f, corpus)
    command = [args.binary, f"-max_total_time={args.seconds}", "-print_final_stats=1",
               f"-artifact_prefix={args.work}/"] + LIMITS
    if os.path.isfile(args.dict):
        command.append(f"-dict={args.dict}")
    command.append(corpus)
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    log = result.stdout
    status = re.findall(r"cov: (\d+) ft: (\d+) corp: (\d+)/\S+ .*?exec/s: (\d+)", log)
    if result.returncode != 0:
        print(log[-12000:])
        artifacts = [os.path.join(args.work, f) for f in sorted(os.listdir(args.work))
                     if re.match(r"(crash|leak|timeout|oom|slow-unit)-", f)]
        print(f"FAILED: {os.path.basename(args.binary)} found a bug in {args.seconds} s (exit status {result.returncode})")
        for a in artifacts:
            print(f"reproduce: {args.binary} {a}")
        print("save it as a regression with: ./bulwark fuzz (minimizes into fuzz/regressions/)")
        return 1
    if status:
        cov, ft, corp, execs = status[-1]
        print(f"{os.path.basename(args.binary)}: {args.seconds} s, cov {cov}, ft {ft}, corpus {corp}, {execs} exec/s: no failures")
    else:
        print(log[-2000:])
    return 0


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("replay", "run"))
    parser.add_argument("--binary", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--regressions", required=True)
    parser.add_argument("--dict", default="")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--work", help="scratch folder for the run (deleted first)")
    args = parser.parse_args(argv)
    if args.mode == "run" and not args.work:
        parser.error("run needs --work")
    return replay(args) if args.mode == "replay" else run(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

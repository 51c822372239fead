#!/usr/bin/env python3
"""Boots the kernel in QEMU and checks what it printed and how it ended.

Used by ctest (label `boot`): each test names a machine, a kernel command line, the exit status
QEMU must end with, and regular expressions the console output must (or must not) contain.
The whole transcript is printed when a check fails."""

import argparse
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import qemu  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--kernel", required=True)
    p.add_argument("--machine", default="microvm", choices=qemu.MACHINES)
    p.add_argument("--machine-options", default="", help="appended to -M, e.g. acpi=off")
    p.add_argument("--qemu-arg", action="append", default=[], help="extra QEMU argument (repeatable)")
    p.add_argument("--memory", default="256M")
    p.add_argument("--append", default="")
    p.add_argument("--expect-exit", type=int, required=True, help="QEMU's exit status")
    p.add_argument("--expect", action="append", default=[], help="regex the output must contain")
    p.add_argument("--reject", action="append", default=[], help="regex the output must not contain")
    p.add_argument("--no-debug-exit", action="store_true", help="boot without isa-debug-exit")
    p.add_argument("--timeout", type=float, default=180)
    args = p.parse_args()

    accel = qemu.choose_accel("auto")
    command = qemu.command(args.kernel, machine=args.machine, memory=args.memory, accel=accel,
                           cmdline=args.append, debug_exit=not args.no_debug_exit,
                           extra=args.qemu_arg, machine_options=args.machine_options)
    start = time.monotonic()
    try:
        result = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, timeout=args.timeout)
        output = result.stdout.decode("utf-8", "replace")
        status = result.returncode
    except subprocess.TimeoutExpired as e:
        output = (e.stdout or b"").decode("utf-8", "replace")
        print(output)
        print(f"FAIL: QEMU did not exit within {args.timeout:.0f} s ({accel})")
        return 1
    elapsed = time.monotonic() - start

    problems = []
    if status != args.expect_exit:
        problems.append(f"QEMU exited with {status}, expected {args.expect_exit}")
    for pattern in args.expect:
        if not re.search(pattern, output, re.MULTILINE):
            problems.append(f"output lacks /{pattern}/")
    for pattern in args.reject:
        match = re.search(pattern, output, re.MULTILINE)
        if match:
            problems.append(f"output contains /{pattern}/: {match.group(0)!r}")
    if problems:
        print(output)
        print(f"QEMU command: {' '.join(command)}")
        for problem in problems:
            print(f"FAIL: {problem}")
        return 1
    print(f"ok: -M {args.machine} ({accel}) '{args.append}' exited {status} after {elapsed:.1f} s; "
          f"{len(args.expect)} expected patterns found")
    return 0


if __name__ == "__main__":
    sys.exit(main())

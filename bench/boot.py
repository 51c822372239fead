#!/usr/bin/env python3
"""Boot-time benchmark: boots the kernel repeatedly and reports

  guest   -- TSC at the PVH entry (first instruction of boot.S) to "ready" (boot sequence done),
             converted with the kernel's calibrated TSC frequency, as the kernel logs it;
  process -- wall time of the whole QEMU process, from spawn to exit.

The kernel is booted with poweroff=debug-exit so it leaves as soon as it is ready. Figures only:
nothing here is asserted. Accelerator: KVM when /dev/kvm is usable, else TCG (much slower)."""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import qemu  # noqa: E402

READY = re.compile(r"boot: ready in [0-9.]+ ms \(tsc entry (\d+) ready (\d+), (\d+) Hz\)")


def boot_once(kernel, machine, accel):
    command = qemu.command(kernel, machine=machine, accel=accel, cmdline="poweroff=debug-exit log=warn",
                           debug_exit=True)
    # log=warn keeps the console quiet, so serial output (a VM exit per byte) does not dominate
    # the timing; the kernel prints its "ready" line at every log level.
    start = time.monotonic()
    result = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, timeout=120)
    wall = time.monotonic() - start
    output = result.stdout.decode("utf-8", "replace")
    match = READY.search(output)
    if result.returncode != qemu.EXIT_SUCCESS or not match:
        sys.stdout.write(output)
        raise SystemExit(f"bench: boot failed on -M {machine} (exit {result.returncode})")
    entry, ready, hz = (int(g) for g in match.groups())
    return (ready - entry) / hz, wall


def summarize(values):
    return (f"median {statistics.median(values) * 1000:8.3f} ms  min {min(values) * 1000:8.3f} ms  "
            f"max {max(values) * 1000:8.3f} ms")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kernel", required=True)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--accel", default="auto")
    p.add_argument("--machines", default="microvm,q35")
    args = p.parse_args()
    accel = qemu.choose_accel(args.accel)
    print(f"bench: boot time, {args.runs} boots per machine, accelerator {accel.upper()}, "
          f"QEMU {subprocess.run([qemu.qemu_binary(), '--version'], stdout=subprocess.PIPE).stdout.decode().split()[3]}")
    results = {}
    for machine in args.machines.split(","):
        guest, wall = [], []
        for i in range(args.runs):
            g, w = boot_once(args.kernel, machine, accel)
            guest.append(g)
            wall.append(w)
            print(f"  -M {machine:<8} run {i + 1:>2}/{args.runs}: guest {g * 1000:8.3f} ms, process {w * 1000:8.1f} ms",
                  flush=True)
        results[machine] = (guest, wall)
    print()
    for machine, (guest, wall) in results.items():
        print(f"-M {machine:<8} guest PVH entry -> ready: {summarize(guest)}")
        print(f"-M {machine:<8} QEMU process start -> exit: {summarize(wall)}")
    if "microvm" in results and "q35" in results:
        ratio = statistics.median(results["microvm"][1]) / statistics.median(results["q35"][1])
        print(f"process time ratio microvm / q35 (medians): {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

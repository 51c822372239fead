"""./bulwark: build, run, test and benchmark Bulwark. See `./bulwark --help`."""

import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import fuzz  # noqa: E402
import qemu  # noqa: E402

BUILD_DIR = os.environ.get("BULWARK_BUILD_DIR", os.path.join(ROOT, "build"))
KERNEL = os.path.join(BUILD_DIR, "kernel", "kernel.elf")
TIERS = ("unit", "proof", "fuzz", "boot", "net", "app")


def say(message):
    print(f"bulwark: {message}", flush=True)


def run_checked(args, **kwargs):
    result = subprocess.run(args, **kwargs)
    if result.returncode != 0:
        say(f"command failed with exit status {result.returncode}: {' '.join(args)}")
        sys.exit(result.returncode)
    return result


def build(jobs=None):
    if not os.path.exists(os.path.join(BUILD_DIR, "build.ninja")):
        say(f"configuring {os.path.relpath(BUILD_DIR, ROOT)}/ (cmake, Ninja, clang 14)")
        run_checked(["cmake", "-G", "Ninja", "-S", ROOT, "-B", BUILD_DIR, "-DCMAKE_BUILD_TYPE=RelWithDebInfo"],
                    stdout=subprocess.DEVNULL)
    say("building host targets and the kernel")
    start = time.monotonic()
    args = ["cmake", "--build", BUILD_DIR]
    if jobs:
        args += ["-j", str(jobs)]
    run_checked(args)
    say(f"build finished in {time.monotonic() - start:.1f} s")


def cmd_build(args):
    build(args.jobs)
    say(f"kernel: {os.path.relpath(KERNEL, ROOT)}")


def cmd_run(args):
    if not args.no_build:
        build()
    accel = qemu.choose_accel(args.accel)
    if args.accel == "auto" and accel == "tcg":
        say(f"using TCG (software emulation): {qemu.kvm_status()[1]}")
    command = qemu.command(KERNEL, machine=args.machine, memory=args.memory, accel=accel,
                           cmdline=args.append, debug_exit=False, extra=args.qemu_args)
    say(f"booting on QEMU -M {args.machine} ({accel.upper()}, {args.memory}); the kernel powers the "
        f"machine off when it has nothing left to run. Ctrl-C to stop.")
    if args.verbose:
        say(" ".join(command))
    try:
        result = subprocess.run(command)
    except KeyboardInterrupt:
        return 130
    return result.returncode


def cmd_test(args):
    build(args.jobs)
    ctest = ["ctest", "--test-dir", BUILD_DIR, "--output-on-failure", "-j", str(args.jobs or 2)]
    if args.label:
        ctest += ["-L", args.label]
    if args.regex:
        ctest += ["-R", args.regex]
    usable, reason = qemu.kvm_status()
    say(f"running ctest ({'label ' + args.label if args.label else 'all tiers'}); boot tests use "
        + ("KVM" if usable else f"TCG ({reason})"))
    result = subprocess.run(ctest)
    return result.returncode


def cmd_prove(args):
    build(args.jobs)
    if not args.unit:
        # First the verifier itself: known verdicts and refused bad input (proofs/README.md).
        selftest = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "verifier_selftest.py"),
                                   "--build-dir", BUILD_DIR])
        if selftest.returncode != 0:
            return selftest.returncode
        print()
    command = [sys.executable, os.path.join(ROOT, "tools", "prove.py"), "--build-dir", BUILD_DIR]
    for unit in args.unit or []:
        command += ["--unit", unit]
    if args.no_mutants:
        command.append("--no-mutants")
    return subprocess.run(command).returncode


NET_BENCH_TARGETS = ("bulwark-netd-release", "bench-linux-http")


def build_targets(targets):
    if not os.path.exists(os.path.join(BUILD_DIR, "build.ninja")):
        build()
        return
    say(f"building {', '.join(targets)}")
    run_checked(["cmake", "--build", BUILD_DIR, "--target", *targets])


def cmd_bench(args):
    status = 0
    if args.what in ("boot", "all"):
        if not args.no_build:
            build()
        script = os.path.join(ROOT, "bench", "boot.py")
        command = [sys.executable, script, "--kernel", KERNEL, "--runs", str(args.runs or 10)]
        if args.accel:
            command += ["--accel", args.accel]
        status = subprocess.run(command).returncode
    if args.what in ("net", "all"):
        if not args.no_build:
            build_targets(NET_BENCH_TARGETS)
        script = os.path.join(ROOT, "bench", "net.py")
        # net.py finds build/net/bulwark-netd-release and build/bench/bench-linux-http itself
        # (BULWARK_BUILD_DIR as here).
        command = [sys.executable, script, "--runs", str(args.runs or 3)]
        status = subprocess.run(command).returncode or status
    return status


def main():
    parser = argparse.ArgumentParser(
        prog="bulwark",
        description="Bulwark: a small, security-focused x86-64 unikernel. Each command installs "
                    "missing Debian packages (ci/setup) and builds what it needs first.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("build", help="configure (once) and build host targets and the kernel into build/")
    p.add_argument("-j", "--jobs", type=int, help="parallel build jobs (default: ninja's choice)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("run", help="build and boot the kernel in QEMU, console on this terminal")
    p.add_argument("--machine", default="microvm", choices=qemu.MACHINES, help="QEMU machine (default microvm)")
    p.add_argument("--memory", default="256M", help="guest memory (default 256M)")
    p.add_argument("--accel", default="auto", help="auto (KVM when /dev/kvm is usable, else TCG), kvm or tcg")
    p.add_argument("--append", default="", help="kernel command line, e.g. 'log=debug' or 'test=all'")
    p.add_argument("--no-build", action="store_true", help="boot the existing build/kernel/kernel.elf")
    p.add_argument("-v", "--verbose", action="store_true", help="print the QEMU command line")
    p.add_argument("qemu_args", nargs="*", help="extra QEMU arguments, after --")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("test", help="build, then run every test tier with ctest (ends with ctest's summary)")
    p.add_argument("-L", "--label", choices=TIERS, help="run one tier only")
    p.add_argument("-R", "--regex", help="run only tests whose name matches")
    p.add_argument("-j", "--jobs", type=int, help="parallel jobs for build and ctest (default 2)")
    p.set_defaults(func=cmd_test)

    p = sub.add_parser("prove", help="build, run the verifier's self-test (without --unit), then the verifier on every "
                                     "harness (proofs/) and its planted mutants; one row per property "
                                     "(PROVED/FAILED/UNKNOWN), then proofs/UNVERIFIED.md")
    p.add_argument("--unit", action="append", help="one verified unit, e.g. net/wire/tcp (repeatable; default all)")
    p.add_argument("--no-mutants", action="store_true", help="skip the planted mutants (anti-vacuity checks)")
    p.add_argument("-j", "--jobs", type=int, help="parallel build jobs (default: ninja's choice)")
    p.set_defaults(func=cmd_prove)

    p = sub.add_parser("bench", help="benchmarks (boot time; network stack vs Linux); prints figures, asserts nothing")
    p.add_argument("what", nargs="?", default="boot", choices=("boot", "net", "all"),
                   help="boot: boot time on -M microvm and q35 (default); net: HTTP requests/s and bulk "
                        "throughput, bulwark-netd on a TAP vs the Linux stack on a veth (needs root); all: both")
    p.add_argument("--runs", type=int, help="boots to measure (default 10); for net, runs per metric (default 3)")
    p.add_argument("--accel", help="auto, kvm or tcg (default auto)")
    p.add_argument("--no-build", action="store_true", help="use the existing build")
    p.set_defaults(func=cmd_bench)

    fuzz.add_subcommand(sub)

    args = parser.parse_args()
    if not args.command:
        parser.print_help()
        return 0
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())

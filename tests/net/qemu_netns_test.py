#!/usr/bin/env python3
"""Boots the kernel's `test=net` service (virtio-net-pci on q35, static 10.77.0.2/24) on a TAP
device inside a network namespace this test creates, and runs real Linux clients against it from
inside that namespace, so no traffic leaves it:

    10.77.0.1/24 bwlin0 (TAP) <-> bulwark-linkd <-> bwvm0 (TAP) <-> QEMU virtio-net <-> kernel

bulwark-linkd owns bwlin0 and reaches bwvm0 (which QEMU holds) through a packet socket; bwvm0 has
no address, ARP or IPv6, so Linux never answers on it itself.

Checks: ping; curl of the page; `ab -n 2000 -c 100` and `ab -k` (keep-alive) with 0 failed
requests; 1 MiB of random bytes through TCP echo (port 7), compared; a /bytes/N download and a
POST /sink upload, each checked by CRC-32. With --impair the link drops, reorders and duplicates
frames: through `tc netem` on bwlin0 when the kernel has sch_netem (it shapes Linux -> kernel
only), otherwise through bulwark-linkd, both directions — the output says which.

Skips (exit 77) with a reason when not root, without network namespaces, /dev/net/tun, QEMU or
the client tools."""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
sys.path.insert(0, HERE)
import netns  # noqa: E402
import qemu  # noqa: E402
import netns_test as checks  # noqa: E402  (ping/curl/echo/ab/download/upload against 10.77.0.2)

SKIP = 77
LINUX_TAP = "bwlin0"
VM_TAP = "bwvm0"
LINUX_ADDR = checks.NS_ADDR_LINUX
KERNEL_ADDR = checks.NS_ADDR_STACK
KERNEL_MAC = "02:00:00:77:00:02"


def run(ns, *args, **kwargs):
    return checks.run(ns, *args, **kwargs)


def prerequisites():
    reason = checks.prerequisites()
    if reason:
        return reason
    if not shutil.which("qemu-system-x86_64"):
        return "qemu-system-x86_64 is not installed (run ci/setup)"
    return None


# Sends and receives at the same time: the kernel's echo stops reading while it cannot send, so a
# client that writes everything before reading stalls once both directions' windows fill.
ECHO_CLIENT = r"""
import os, socket, sys, threading, zlib
size = int(sys.argv[2])
data = os.urandom(size)
with socket.create_connection((sys.argv[1], 7), timeout=60) as s:
    def send():
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
    sender = threading.Thread(target=send)
    sender.start()
    got = bytearray()
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    sender.join()
print(len(got), "%08x" % zlib.crc32(got), "%08x" % zlib.crc32(data), int(bytes(got) == data))
"""


def check_echo(ns, size):
    """TCP echo (port 7): `size` random bytes come back byte for byte, then a clean close."""
    r = run(ns, sys.executable, "-c", ECHO_CLIENT, KERNEL_ADDR, str(size), timeout=180)
    got, crc_got, crc_sent, same = r.stdout.decode().split()
    if int(got) != size or same != "1":
        raise RuntimeError(f"echo of {size} random bytes: got {got} bytes back, CRC {crc_got}, sent CRC {crc_sent}")
    return f"echo: {size} random bytes came back intact (CRC-32 {crc_sent})"


netem_available = netns.netem_available
Process = netns.NsProcess


def wait_for(proc, pattern, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if re.search(pattern, proc.output()):
            return
        if proc.process.poll() is not None:
            raise RuntimeError(f"{what} exited early (status {proc.process.returncode}):\n{proc.output()}")
        time.sleep(0.05)
    raise RuntimeError(f"{what}: no /{pattern}/ within {seconds} s:\n{proc.output()}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kernel", required=True)
    p.add_argument("--linkd", required=True, help="path to bulwark-linkd")
    p.add_argument("--impair", default="", help="e.g. loss=5,reorder=10,duplicate=1")
    p.add_argument("--bulk", type=int, default=1 << 20, help="bytes for the echo and the bulk transfers")
    p.add_argument("--accel", default="auto", help="auto (KVM when usable, else TCG), kvm or tcg")
    args = p.parse_args()

    reason = prerequisites()
    if reason:
        print(f"SKIPPED: {reason}")
        return SKIP

    ns = f"bwqemu{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    vm = linkd = None
    started = time.monotonic()
    try:
        run(ns, "ip", "link", "set", "lo", "up")
        for dev in (LINUX_TAP, VM_TAP):
            run(ns, "ip", "tuntap", "add", "dev", dev, "mode", "tap")
        # bwvm0 is only a wire to QEMU: no address, no ARP, no IPv6 (Linux must not answer there).
        run(ns, "sysctl", "-qw", f"net.ipv6.conf.{VM_TAP}.disable_ipv6=1")
        run(ns, "ip", "link", "set", VM_TAP, "arp", "off", "up")
        run(ns, "sysctl", "-qw", f"net.ipv6.conf.{LINUX_TAP}.disable_ipv6=1")
        run(ns, "ip", "addr", "add", f"{LINUX_ADDR}/24", "dev", LINUX_TAP)
        run(ns, "ip", "link", "set", LINUX_TAP, "up")

        use_netem = bool(args.impair) and netem_available(ns, LINUX_TAP)
        accel = qemu.choose_accel(args.accel)
        extra = ["-netdev", f"tap,id=n0,ifname={VM_TAP},script=no,downscript=no",
                 "-device", f"virtio-net-pci,netdev=n0,disable-legacy=on,mac={KERNEL_MAC}",
                 "-device", "virtio-rng-pci,disable-legacy=on"]
        command = qemu.command(args.kernel, machine="q35", memory="256M", accel=accel,
                               cmdline=f"test=net ip={KERNEL_ADDR}/24 poweroff=debug-exit", extra=extra)
        vm = Process(ns, command)
        # QEMU attaches to bwvm0 before linkd starts, so linkd takes the packet-socket path there.
        wait_for(vm, r"net: test service", 60, "QEMU")
        linkd_args = [args.linkd, "--a", LINUX_TAP, "--b", VM_TAP]
        if args.impair and not use_netem:
            linkd_args += ["--impair", args.impair]
        linkd = Process(ns, linkd_args)
        wait_for(linkd, r"bulwark-linkd: .* <-> ", 10, "bulwark-linkd")
        if args.impair:
            if use_netem:
                netns.apply_netem(ns, LINUX_TAP, args.impair)
                print(f"impairment: tc netem on {LINUX_TAP}, Linux -> kernel ({args.impair})")
            else:
                print(f"impairment: tc netem unavailable (no sch_netem in this kernel); bulwark-linkd "
                      f"impairs both directions ({args.impair})")
        wait_for(vm, rf"net: address {re.escape(KERNEL_ADDR)}/24", 30, "the kernel")
        print(f"kernel up: -M q35 ({accel}), virtio-net-pci on {VM_TAP}, {time.monotonic() - started:.1f} s")
        steps = [lambda: checks.check_ping(ns), lambda: checks.check_curl(ns),
                 lambda: checks.check_ab(ns, False), lambda: checks.check_ab(ns, True),
                 lambda: check_echo(ns, args.bulk),
                 lambda: checks.check_download(ns, args.bulk), lambda: checks.check_upload(ns, args.bulk)]
        for step in steps:
            t0 = time.monotonic()
            result = step()
            print(f"ok: {result} ({time.monotonic() - t0:.1f} s)", flush=True)
        for pattern in ("PANIC", "DEVICE BROKEN", "device is broken"):
            if re.search(pattern, vm.output()):
                raise RuntimeError(f"kernel console contains /{pattern}/")
        print(f"ok: all checks in {time.monotonic() - started:.1f} s")
        return 0
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print(f"FAIL: {e}")
        if vm:
            print("--- kernel console ---")
            print(vm.stop(signal.SIGKILL)[-6000:])
            print(f"QEMU command: {' '.join(vm.args)}")
        return 1
    finally:
        if vm:
            vm.stop(signal.SIGKILL)
        if linkd:
            counts = [line for line in linkd.stop().splitlines() if "frames in" in line]
            if counts:
                print("\n".join(counts))
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Boots the kernel with `test=net` and a virtio-net device on QEMU user networking (slirp), then
talks to the kernel's test service through hostfwd on 127.0.0.1: curl must get the page (HTTP on
80) and a TCP echo (port 7) must come back intact. The guest gets its address from slirp's DHCP
(ip=dhcp, the default) unless --append says otherwise. `restrict=on` keeps the guest from reaching
anything but slirp itself; the host side is loopback only.

Used by ctest (label `boot`): --transport mmio boots -M microvm with virtio-mmio version 2,
--transport pci boots -M q35 with a modern-only virtio-net-pci."""

import argparse
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import qemu  # noqa: E402


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(proc_output, pattern, deadline):
    while time.monotonic() < deadline:
        if re.search(pattern, proc_output()):
            return True
        time.sleep(0.1)
    return False


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--kernel", required=True)
    p.add_argument("--transport", choices=("mmio", "pci"), required=True)
    p.add_argument("--append", default="")
    p.add_argument("--guest-address", default="",
                   help="where hostfwd delivers (slirp's default is its first DHCP address, 10.0.2.15)")
    p.add_argument("--expect", action="append", default=[], help="regex the console output must contain")
    p.add_argument("--timeout", type=float, default=120)
    args = p.parse_args()

    http_port, echo_port = free_port(), free_port()
    accel = qemu.choose_accel("auto")
    guest = args.guest_address
    netdev = (f"user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:{http_port}-{guest}:80,"
              f"hostfwd=tcp:127.0.0.1:{echo_port}-{guest}:7")
    if args.transport == "mmio":
        machine, options = "microvm", "acpi=off"
        extra = ["-global", "virtio-mmio.force-legacy=false", "-netdev", netdev,
                 "-device", "virtio-net-device,netdev=n0", "-device", "virtio-rng-device"]
    else:
        machine, options = "q35", ""
        extra = ["-netdev", netdev, "-device", "virtio-net-pci,netdev=n0,disable-legacy=on",
                 "-device", "virtio-rng-pci,disable-legacy=on"]
    cmdline = ("test=net " + args.append).strip()
    command = qemu.command(args.kernel, machine=machine, memory="256M", accel=accel, cmdline=cmdline,
                           extra=extra, machine_options=options)
    log_path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"bulwark-net-{os.getpid()}.log")
    log = open(log_path, "w+b")
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)

    def output():
        log.flush()
        with open(log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    problems = []
    deadline = time.monotonic() + args.timeout
    try:
        if not wait_for(output, r"net: address \d+\.\d+\.\d+\.\d+/\d+", deadline):
            problems.append("the kernel never reported a network address")
        else:
            page = ""
            while time.monotonic() < deadline:
                r = subprocess.run(["curl", "-s", "--max-time", "10", f"http://127.0.0.1:{http_port}/"],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                page = r.stdout.decode("utf-8", "replace")
                if "Bulwark" in page:
                    break
                time.sleep(0.5)
            if "Bulwark" not in page:
                problems.append(f"curl did not get the page: {page!r}")
            payload = os.urandom(20000)
            received = b""
            try:
                with socket.create_connection(("127.0.0.1", echo_port), timeout=20) as s:
                    s.sendall(payload)
                    s.shutdown(socket.SHUT_WR)
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        received += chunk
            except OSError as e:
                problems.append(f"echo: {e}")
            if received != payload:
                problems.append(f"echo returned {len(received)} bytes, not the {len(payload)} sent")
        text = output()
        for pattern in args.expect:
            if not re.search(pattern, text, re.MULTILINE):
                problems.append(f"output lacks /{pattern}/")
        for pattern in ("PANIC", "DEVICE BROKEN"):
            if re.search(pattern, text):
                problems.append(f"output contains /{pattern}/")
    finally:
        proc.kill()
        proc.wait()
    text = output()
    log.close()
    os.unlink(log_path)
    if problems:
        print(text)
        print(f"QEMU command: {' '.join(command)}")
        for problem in problems:
            print(f"FAIL: {problem}")
        return 1
    for line in text.splitlines():
        if re.search(r"virtio|entropy|net:", line):
            print(line)
    print(f"ok: -M {machine} ({accel}) virtio-{args.transport}: page and echo served")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Runs Bulwark's network stack (net/host/bulwark-netd on a TAP device) against the real Linux
stack and real clients (ping, curl, ab) inside a network namespace this test creates, so no
traffic leaves the namespace.

Checks: ping; curl of the HTTP responder; 256 KiB through TCP echo; `ab -n 2000 -c 100` with 0 failed requests; keep-alive
(`ab -k`); a bulk download and a bulk upload, each verified by CRC-32 of the bytes. With
--impair, the link drops, reorders and duplicates frames: through `tc netem` on the TAP when the
kernel has sch_netem, otherwise through netd's user-space impairment (both directions) — the
output says which. A machine without network namespaces or /dev/net/tun skips (exit 77) and says why."""

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import netns  # noqa: E402

SKIP = 77
NS_ADDR_LINUX = "10.77.0.1"
NS_ADDR_STACK = "10.77.0.2"
TAP = "bwtap0"


run = netns.run
netem_available = netns.netem_available


def prerequisites():
    return netns.prerequisites(tools=("ip", "ping", "curl", "ab"))


class Netd(netns.NsProcess):
    def __init__(self, binary, ns, impair):
        args = [binary, "--tap", TAP, "--ip", f"{NS_ADDR_STACK}/24", "--mac", "02:00:00:77:00:02"]
        if impair:
            args += ["--impair", impair]
        super().__init__(ns, args)


def wait_for_tap(ns, netd):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if netd.process.poll() is not None:
            raise RuntimeError("bulwark-netd exited early:\n" + netd.output())
        if run(ns, "ip", "link", "show", TAP, check=False).returncode == 0:
            return
        time.sleep(0.05)
    raise RuntimeError("bulwark-netd did not create its TAP device within 10 s")


def check_ping(ns):
    r = run(ns, "ping", "-c", "5", "-i", "0.2", "-W", "2", NS_ADDR_STACK, check=False)
    out = r.stdout.decode()
    m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    if not m or int(m.group(2)) == 0:
        raise RuntimeError("ping got no replies:\n" + out)
    return f"ping: {m.group(2)}/{m.group(1)} replies"


def check_curl(ns):
    r = run(ns, "curl", "-sS", "--max-time", "20", f"http://{NS_ADDR_STACK}/")
    body = r.stdout.decode(errors="replace")
    if "Bulwark" not in body:
        raise RuntimeError("unexpected page from the HTTP responder:\n" + body[:500])
    return f"curl: {len(body)} bytes"


ECHO_CLIENT = r"""
import random, socket, sys, zlib
size = int(sys.argv[2])
data = random.Random(size).randbytes(size)
with socket.create_connection((sys.argv[1], 7), timeout=60) as s:
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    got = bytearray()
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
print(len(got), "%08x" % zlib.crc32(got), "%08x" % zlib.crc32(data))
"""


def check_echo(ns, size):
    """TCP echo (port 7): what comes back is what was sent, then a clean close."""
    r = run(ns, sys.executable, "-c", ECHO_CLIENT, NS_ADDR_STACK, str(size), timeout=180)
    got, crc_got, crc_sent = r.stdout.decode().split()
    if int(got) != size or crc_got != crc_sent:
        raise RuntimeError(f"echo of {size} bytes: got {got} bytes back, CRC {crc_got}, sent CRC {crc_sent}")
    return f"echo: {size} bytes came back intact"


def check_ab(ns, keepalive):
    args = ["ab", "-q", "-n", "2000", "-c", "100", "-s", "30"]
    if keepalive:
        args.append("-k")
    r = run(ns, *args, f"http://{NS_ADDR_STACK}/", timeout=300, check=False)
    out = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
    complete = re.search(r"Complete requests:\s+(\d+)", out)
    failed = re.search(r"Failed requests:\s+(\d+)", out)
    rate = re.search(r"Requests per second:\s+([\d.]+)", out)
    if r.returncode != 0 or not complete or not failed or int(complete.group(1)) != 2000 or int(failed.group(1)) != 0:
        raise RuntimeError(f"ab{' -k' if keepalive else ''} did not complete 2000 requests without failures:\n" + out)
    return f"ab{' -k' if keepalive else ''}: 2000 requests, 0 failed, {rate.group(1) if rate else '?'} req/s"


def check_download(ns, size):
    r = run(ns, "curl", "-sS", "--max-time", "120", "-D", "-", "-o", "/dev/stdout",
            f"http://{NS_ADDR_STACK}/bytes/{size}", timeout=180)
    raw = r.stdout
    head, _, body = raw.partition(b"\r\n\r\n")
    m = re.search(rb"X-CRC32: ([0-9a-f]{8})", head)
    if len(body) != size or not m or int(m.group(1), 16) != zlib.crc32(body):
        raise RuntimeError(f"download of {size} bytes: got {len(body)} bytes, header CRC "
                           f"{m.group(1).decode() if m else 'missing'}, computed {zlib.crc32(body):08x}")
    return f"download: {size} bytes, CRC-32 {zlib.crc32(body):08x} matches"


def check_upload(ns, size):
    data = random.Random(size).randbytes(size)
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        r = run(ns, "curl", "-sS", "--max-time", "120", "--data-binary", f"@{f.name}",
                "-H", "Content-Type: application/octet-stream", f"http://{NS_ADDR_STACK}/sink", timeout=180)
    reply = r.stdout.decode(errors="replace").strip()
    expected = f"{size} {zlib.crc32(data):08x}"
    if reply != expected:
        raise RuntimeError(f"upload of {size} bytes: server saw '{reply}', expected '{expected}'")
    return f"upload: {size} bytes, CRC-32 matches on the server"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--netd", required=True, help="path to bulwark-netd")
    p.add_argument("--impair", default="", help="e.g. loss=5,reorder=10,duplicate=1")
    p.add_argument("--bulk", type=int, default=4 << 20, help="bytes for the bulk transfers")
    args = p.parse_args()

    reason = prerequisites()
    if reason:
        print(f"SKIPPED: {reason}")
        return SKIP

    ns = f"bwtest{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    netd = None
    try:
        run(ns, "ip", "link", "set", "lo", "up")
        # Decide how to impair before starting netd: netem shapes Linux -> stack on the TAP; netd's
        # own impairment covers both directions and is used when netem is missing.
        run(ns, "ip", "tuntap", "add", "dev", TAP, "mode", "tap")
        use_netem = bool(args.impair) and netem_available(ns, TAP)
        netd = Netd(args.netd, ns, "" if use_netem or not args.impair else args.impair)
        wait_for_tap(ns, netd)
        run(ns, "ip", "addr", "add", f"{NS_ADDR_LINUX}/24", "dev", TAP)
        run(ns, "ip", "link", "set", TAP, "up")
        if args.impair:
            if use_netem:
                netns.apply_netem(ns, TAP, args.impair)
                print(f"impairment: tc netem on {TAP} ({args.impair})")
            else:
                print(f"impairment: tc netem unavailable (no sch_netem in this kernel); bulwark-netd "
                      f"impairs both directions itself ({args.impair})")
        checks = [lambda: check_ping(ns), lambda: check_curl(ns), lambda: check_echo(ns, 256 << 10),
                  lambda: check_ab(ns, False), lambda: check_ab(ns, True),
                  lambda: check_download(ns, args.bulk), lambda: check_upload(ns, args.bulk)]
        for check in checks:
            print("ok: " + check(), flush=True)
        return 0
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print(f"FAIL: {e}")
        if netd:
            print("--- bulwark-netd output ---")
            print(netd.stop())
        return 1
    finally:
        if netd:
            out = netd.stop()
            counters = [l for l in out.splitlines() if "drop" in l or "counter" in l]
            if counters:
                print("bulwark-netd counters:\n  " + "\n  ".join(counters[-20:]))
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


if __name__ == "__main__":
    sys.exit(main())

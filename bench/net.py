#!/usr/bin/env python3
"""Network benchmark: Bulwark's TCP/IP stack against the Linux stack, same HTTP responder, same
clients, one invocation. Figures only: nothing here is asserted.

Bulwark side -- bulwark-netd-release (net/host/netd.cpp and the net/ stack at -O2, no
  sanitizers) on a TAP device `bwtap0` in a network namespace this script creates; the clients
  run in that namespace against 10.77.0.2 over the TAP. Every frame crosses the TAP: a read() or
  write() on /dev/net/tun and the user-space stack.
Linux side -- bench-linux-http (bench/linux_http_server.cpp: netd's responder on Linux sockets,
  epoll, one thread, -O2) in a second namespace, the clients in a third, joined by a veth pair
  (10.77.0.1 -> 10.77.0.2). That path is in-kernel end to end, veth with the kernel's default
  offloads; the TAP hop on the Bulwark side is not free, so the ratio includes its cost.

Both servers send identical bytes (checked before measuring). Metrics, each side, --runs times,
sides interleaved, median reported:
  ab -k  -- `ab -k -n N -c 100 /` (HTTP/1.0 keep-alive), requests/s
  ab     -- `ab -n N -c 100 /` (a connection per request, server closes), requests/s
  down   -- GET /bytes/SIZE with a Python socket client: MiB/s of the body, from the response
            header to the last byte (the server's CRC pre-pass over the stream, for the X-CRC32
            header, happens before the header and is left out); also request -> last byte
  up     -- POST /sink SIZE bytes: MiB/s from the first byte sent to the server's reply

Needs root, `ip netns`, /dev/net/tun, ab; otherwise prints why and exits 0 ("skipped"). All
traffic stays in the namespaces created here; they are deleted on exit."""

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import netns  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLIENT_ADDR = "10.77.0.1"
SERVER_ADDR = "10.77.0.2"
TAP = "bwtap0"
MiB = 1 << 20


# ---- client mode: run inside a namespace by the driver (`--client ...`), prints one JSON line ----

def read_head(sock, buffer):
    """Reads up to the end of a response header block; returns (head, rest of bytes already read)."""
    data = b""
    while b"\r\n\r\n" not in data:
        n = sock.recv_into(buffer)
        if n == 0:
            raise RuntimeError("connection closed before the response header ended")
        data += bytes(buffer[:n])
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def content_length(head):
    m = re.search(r"(?im)^content-length:\s*(\d+)", head)
    if not m:
        raise RuntimeError("no Content-Length in the response:\n" + head)
    return int(m.group(1))


def client_download(host, size):
    buffer = bytearray(MiB)
    view = memoryview(buffer)
    with socket.create_connection((host, 80), timeout=60) as s:
        start = time.perf_counter()
        s.sendall(f"GET /bytes/{size} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        head, rest = read_head(s, view)
        headed = time.perf_counter()
        length = content_length(head)
        got = len(rest)
        while got < length:
            n = s.recv_into(view)
            if n == 0:
                break
            got += n
        end = time.perf_counter()
    return {"bytes": got, "expected": length, "total_s": end - start, "body_s": end - headed}


def client_upload(host, size):
    data = random.Random(size).randbytes(size)
    expected = f"{size} {zlib.crc32(data):08x}"
    buffer = bytearray(64 * 1024)
    with socket.create_connection((host, 80), timeout=60) as s:
        start = time.perf_counter()
        s.sendall(f"POST /sink HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/octet-stream\r\n"
                  f"Content-Length: {size}\r\nConnection: close\r\n\r\n".encode())
        s.sendall(memoryview(data))
        head, rest = read_head(s, memoryview(buffer))
        length = content_length(head)
        while len(rest) < length:
            n = s.recv_into(buffer)
            if n == 0:
                break
            rest += bytes(buffer[:n])
        end = time.perf_counter()
    reply = rest.decode(errors="replace").strip()
    return {"bytes": size, "reply": reply, "expected": expected, "total_s": end - start}


def client_fetch(host, path, out):
    """Whole raw response (Connection: close) into a file: for the identical-bytes check."""
    with socket.create_connection((host, 80), timeout=60) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while True:
            b = s.recv(MiB)
            if not b:
                break
            chunks.append(b)
    with open(out, "wb") as f:
        f.write(b"".join(chunks))
    return {"bytes": sum(map(len, chunks))}


def client_main(argv):
    kind, host, arg = argv[0], argv[1], argv[2]
    if kind == "download":
        result = client_download(host, int(arg))
    elif kind == "upload":
        result = client_upload(host, int(arg))
    else:
        result = client_fetch(host, arg, argv[3])
    print(json.dumps(result))
    return 0


# ---- driver ----

def sh(*args, timeout=30, check=True):
    result = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {result.returncode}: "
                           + (result.stdout + result.stderr).decode(errors="replace"))
    return result


def in_ns(ns, *args, timeout=120, check=True):
    return sh("ip", "netns", "exec", ns, *args, timeout=timeout, check=check)


def prerequisites():
    return netns.prerequisites(tools=("ip", "ab"))


Server = netns.NsProcess


class Side:
    def __init__(self, name, client_ns, server):
        self.name = name
        self.client_ns = client_ns
        self.server = server

    def client(self, *args, timeout=180):
        r = in_ns(self.client_ns, sys.executable, os.path.abspath(__file__), "--client", *args,
                  timeout=timeout, check=False)
        if r.returncode != 0:
            raise RuntimeError(f"{self.name}: client {' '.join(args)} failed:\n"
                               + (r.stdout + r.stderr).decode(errors="replace")[-2000:])
        return json.loads(r.stdout.decode().strip().splitlines()[-1])

    def wait_ready(self):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.server.process.poll() is not None:
                raise RuntimeError(f"{self.name}: server exited early:\n{self.server.output()}")
            probe = ("import socket; socket.create_connection(('%s', 80), timeout=1).close()" % SERVER_ADDR)
            if in_ns(self.client_ns, sys.executable, "-c", probe, timeout=10, check=False).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name}: server not reachable at {SERVER_ADDR}:80 within 15 s")


def setup_bulwark(netd, names):
    ns = f"bwbench-b{os.getpid()}"
    sh("ip", "netns", "add", ns)
    names.append(ns)
    in_ns(ns, "ip", "link", "set", "lo", "up")
    in_ns(ns, "ip", "tuntap", "add", "dev", TAP, "mode", "tap")
    server = Server(ns, [netd, "--tap", TAP, "--ip", f"{SERVER_ADDR}/24", "--mac", "02:00:00:77:00:02"])
    in_ns(ns, "ip", "addr", "add", f"{CLIENT_ADDR}/24", "dev", TAP)
    in_ns(ns, "ip", "link", "set", TAP, "up")
    return Side("Bulwark", ns, server)


def setup_linux(binary, names):
    client, server_ns = f"bwbench-c{os.getpid()}", f"bwbench-s{os.getpid()}"
    for ns in (client, server_ns):
        sh("ip", "netns", "add", ns)
        names.append(ns)
        in_ns(ns, "ip", "link", "set", "lo", "up")
    in_ns(client, "ip", "link", "add", "bwveth0", "type", "veth", "peer", "name", "bwveth1", "netns", server_ns)
    in_ns(client, "ip", "addr", "add", f"{CLIENT_ADDR}/24", "dev", "bwveth0")
    in_ns(server_ns, "ip", "addr", "add", f"{SERVER_ADDR}/24", "dev", "bwveth1")
    in_ns(client, "ip", "link", "set", "bwveth0", "up")
    in_ns(server_ns, "ip", "link", "set", "bwveth1", "up")
    server = Server(server_ns, [binary, "--ip", SERVER_ADDR, "--port", "80"])
    return Side("Linux", client, server)


def check_identical(sides, size):
    """Both servers must send the same bytes for /, /bytes/SIZE and POST /sink."""
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in ("/", f"/bytes/{size}"):
            raw = []
            for i, side in enumerate(sides):
                out = os.path.join(tmp, f"{i}")
                side.client("fetch", SERVER_ADDR, path, out)
                with open(out, "rb") as f:
                    raw.append(f.read())
            head, _, body = raw[0].partition(b"\r\n\r\n")
            m = re.search(rb"X-CRC32: ([0-9a-f]{8})", head)
            crc_ok = m is None or int(m.group(1), 16) == zlib.crc32(body)
            same = raw[0] == raw[1]
            lines.append(f"GET {path}: {len(raw[0])} bytes, {'identical' if same else 'DIFFERENT'} on both sides"
                         + ("" if m is None else f", X-CRC32 {'matches' if crc_ok else 'does NOT match'} the body"))
            if not same or not crc_ok:
                raise RuntimeError("the two servers do not send the same response:\n" + "\n".join(lines))
        replies = [side.client("upload", SERVER_ADDR, str(size)) for side in sides]
        for side, r in zip(sides, replies):
            if r["reply"] != r["expected"]:
                raise RuntimeError(f"{side.name}: POST /sink replied '{r['reply']}', expected '{r['expected']}'")
        lines.append(f"POST /sink: {size} bytes, both replied '{replies[0]['reply']}'")
    return lines


def run_ab(side, n, concurrency, keepalive):
    args = ["ab", "-q", "-n", str(n), "-c", str(concurrency), "-s", "30"]
    if keepalive:
        args.append("-k")
    r = in_ns(side.client_ns, *args, f"http://{SERVER_ADDR}/", timeout=300, check=False)
    out = (r.stdout + r.stderr).decode(errors="replace")
    complete = re.search(r"Complete requests:\s+(\d+)", out)
    failed = re.search(r"Failed requests:\s+(\d+)", out)
    rate = re.search(r"Requests per second:\s+([\d.]+)", out)
    if r.returncode != 0 or not complete or not rate or int(complete.group(1)) != n:
        return None, f"ab{' -k' if keepalive else ''} on {side.name} failed: " + out.strip()[-300:]
    note = None
    if failed and int(failed.group(1)):
        note = f"ab{' -k' if keepalive else ''} on {side.name}: {failed.group(1)} failed requests"
    return float(rate.group(1)), note


METRICS = [
    # key, label, unit
    ("ab_k", "GET / ab -k -c {c} (keep-alive)", "req/s"),
    ("ab", "GET / ab -c {c} (conn per request)", "req/s"),
    ("down", "download {size} body", "MiB/s"),
    ("down_total", "download {size} request->last byte", "MiB/s"),
    ("up", "upload {size} POST /sink", "MiB/s"),
]


def measure(side, args, results, notes):
    def record(key, value, note=None):
        if value is not None:
            results[side.name][key].append(value)
        if note:
            notes.append(note)

    record("ab_k", *run_ab(side, args.requests, args.concurrency, True))
    record("ab", *run_ab(side, args.requests_close, args.concurrency, False))
    try:
        d = side.client("download", SERVER_ADDR, str(args.bulk))
        if d["bytes"] != d["expected"]:
            raise RuntimeError(f"{side.name}: download got {d['bytes']} of {d['expected']} bytes")
        record("down", d["bytes"] / MiB / d["body_s"])
        record("down_total", d["bytes"] / MiB / d["total_s"])
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        notes.append(f"download on {side.name} failed: {e}")
    try:
        u = side.client("upload", SERVER_ADDR, str(args.bulk))
        if u["reply"] != u["expected"]:
            raise RuntimeError(f"{side.name}: upload reply '{u['reply']}', expected '{u['expected']}'")
        record("up", u["bytes"] / MiB / u["total_s"])
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        notes.append(f"upload on {side.name} failed: {e}")


def size_text(n):
    return f"{n // MiB} MiB" if n % MiB == 0 else f"{n} B"


def table(results, args):
    rows = [("metric", "unit", "Bulwark", "Linux", "ratio B/L", "spread B | L (min-max)")]
    for key, label, unit in METRICS:
        b, l = results["Bulwark"][key], results["Linux"][key]
        mb = statistics.median(b) if b else None
        ml = statistics.median(l) if l else None
        fmt = (lambda v: f"{v:,.0f}") if unit == "req/s" else (lambda v: f"{v:,.1f}")
        ratio = f"{mb / ml:.2f}" if mb and ml else "-"
        spread = " | ".join(f"{fmt(min(v))}-{fmt(max(v))} (n={len(v)})" if v else "failed" for v in (b, l))
        rows.append((label.format(c=args.concurrency, size=size_text(args.bulk)), unit,
                     fmt(mb) if mb else "failed", fmt(ml) if ml else "failed", ratio, spread))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for i, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) if j in (0, 1, 5) else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths))))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        return client_main(sys.argv[2:])
    build = os.environ.get("BULWARK_BUILD_DIR", os.path.join(ROOT, "build"))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--netd", help="bulwark-netd binary (default: the -O2, no-sanitizer "
                   "build/net/bulwark-netd-release; build/net/bulwark-netd, with sanitizers, if that is missing)")
    p.add_argument("--linux-server", default=os.path.join(build, "bench", "bench-linux-http"))
    p.add_argument("--runs", type=int, default=3, help="repetitions of every metric per side (default 3)")
    p.add_argument("--requests", type=int, default=50000, help="ab -k requests per run (default 50000)")
    p.add_argument("--requests-close", type=int, default=10000,
                   help="ab requests per run without keep-alive (default 10000)")
    p.add_argument("--concurrency", type=int, default=100)
    p.add_argument("--bulk", type=int, default=64 * MiB, help="bytes per download and upload (default 64 MiB)")
    args = p.parse_args()

    if not args.netd:
        args.netd = os.path.join(build, "net", "bulwark-netd-release")
        if not os.access(args.netd, os.X_OK) and os.access(os.path.join(build, "net", "bulwark-netd"), os.X_OK):
            args.netd = os.path.join(build, "net", "bulwark-netd")
    reason = prerequisites()
    if reason:
        print(f"bench: network benchmark skipped: {reason}")
        return 0
    for binary in (args.netd, args.linux_server):
        if not os.access(binary, os.X_OK):
            print(f"bench: network benchmark skipped: {binary} is not built "
                  f"(cmake --build build --target bulwark-netd-release bench-linux-http)")
            return 0
    sanitized = subprocess.run(["nm", "-D", args.netd], capture_output=True).stdout.find(b"__asan_") >= 0 \
        if shutil.which("nm") else False

    started = time.monotonic()
    m = re.search(r"Version ([\d.]+)", sh("ab", "-V").stdout.decode())
    ab_version = f"ab {m.group(1) if m else '?'}"
    flavour = ", ASan+UBSan build: its figures include the sanitizer cost" if sanitized else ", -O2, no sanitizers"
    print(f"bench: network, Bulwark ({os.path.relpath(args.netd, ROOT)}{flavour}) "
          f"vs Linux {os.uname().release} ({os.path.relpath(args.linux_server, ROOT)}, -O2)")
    print(f"  {os.cpu_count()} CPUs, {ab_version}; {args.runs} runs per metric per side, sides interleaved, "
          f"median shown")
    print(f"  Bulwark: clients -> {TAP} (TAP) -> bulwark-netd user-space stack, one namespace")
    print(f"  Linux:   clients -> veth (default offloads) -> Linux stack -> bench-linux-http, two namespaces")
    print(f"  The Linux path never leaves the kernel; the Bulwark path pays the TAP hop (a syscall per frame,"
          f" no offloads, 1514-byte frames), so the ratio includes that hop's cost.")
    print(f"  Bulk figures include the responder's own per-byte work, the same code on both sides (xorshift"
          f" generation for downloads, bytewise CRC-32 for uploads) and the Python client; on the Linux"
          f" side that work, not the stack, is likely the limit.")

    names, sides = [], []
    results = {"Bulwark": {k: [] for k, _, _ in METRICS}, "Linux": {k: [] for k, _, _ in METRICS}}
    notes = []
    status = 0
    try:
        sides.append(setup_bulwark(args.netd, names))
        sides.append(setup_linux(args.linux_server, names))
        for side in sides:
            side.wait_ready()
        for line in check_identical(sides, min(args.bulk, MiB)):
            print(f"  check: {line}")
        for run in range(args.runs):
            order = sides if run % 2 == 0 else sides[::-1]
            for side in order:
                t = time.monotonic()
                measure(side, args, results, notes)
                got = {k: v[-1] for k, v in results[side.name].items() if len(v) == run + 1}
                print(f"  run {run + 1}/{args.runs} {side.name:<7} ({time.monotonic() - t:5.1f} s): "
                      + ", ".join(f"{k} {v:,.1f}" for k, v in got.items()), flush=True)
        print()
        print(table(results, args))
        for note in notes:
            print(f"note: {note}")
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print(f"bench: network benchmark failed: {e}")
        status = 1
    finally:
        for side in sides:
            out = side.server.stop()
            if side.name == "Bulwark":
                keep = [l for l in out.splitlines()
                        if l.startswith("tcp:") or (l.startswith("drop ") and not l.endswith(": 0"))]
                if keep:
                    print("bulwark-netd at exit: " + "; ".join(keep))
            if status:
                print(f"--- {side.name} server output ---\n{out[-3000:]}")
        for ns in names:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    print(f"bench: network benchmark took {time.monotonic() - started:.1f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())

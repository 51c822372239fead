#!/usr/bin/env python3
"""Whole-system network fuzzer: mutated frames against a booted kernel on a TAP device.

  python3 tools/netfuzz.py [--time SECONDS] [--batch N] [--seed S]
  python3 tools/netfuzz.py --replay fuzz/regressions/system/FILE.frames

Boots the kernel's `test=net` service (virtio-net-pci on q35, static 10.77.0.2/24) in the same
topology as tests/net/qemu_netns_test.py, inside a network namespace this tool creates, so no
frame leaves it:

    10.77.0.1/24 bwlin0 (TAP) <-> bulwark-linkd <-> bwvm0 (TAP) <-> QEMU virtio-net <-> kernel

Frames are built from the seed corpora of the net/wire fuzz targets (fuzz/corpus/{ethernet,arp,
ipv4,icmp,udp,tcp,dhcp}/): Ethernet seeds as they are, the others wrapped in Ethernet/IPv4 (and
UDP for DHCP) from bwlin0 (10.77.0.1) to the kernel (02:00:00:77:00:02, 10.77.0.2), TCP/UDP
seeds without their 8-byte pseudo-header prefix and often aimed at the listening ports 7 and 80.
Each frame is then mutated (bit flips, boundary values, truncation, extension, length-field lies,
splicing, IPv4 fragment trains, garbage TCP/IP options) and, most of the time, its checksums are
recomputed so the mutation gets past them. A packet socket on bwlin0 (a helper process inside
the namespace: this script with --inject) sends them in batches.

After every batch: an ARP request from 10.77.0.1 (so a batch that re-taught the kernel a bogus
MAC for 10.77.0.1 does not count as a failure), then up to 3 pings, an HTTP GET / with curl (two
tries, 3 s each), and a scan of the kernel console (captured to a file) for PANIC / DEVICE BROKEN.
A failing batch is written, with the batch before it as context, to
fuzz/regressions/system/<timestamp>.frames (one hex frame a line; the kernel console next to it
as <timestamp>.serial.log), the replay command is printed, and the exit status is 1.

--replay FILE boots a fresh kernel, sends FILE's frames, runs the same checks, and exits 1 when
the failure reproduces (0 when the kernel stays healthy).

Prints frames sent, batches, frames/s, per-kind counts and bulwark-linkd's frame counts. The
kernel's own drop counters are not printed by test=net, so they are not reported.

Skips (exit 77) with a reason when not root, without network namespaces, /dev/net/tun, QEMU, ping
or curl. Standard library only."""

import argparse
import errno
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD_DIR = os.environ.get("BULWARK_BUILD_DIR", os.path.join(ROOT, "build"))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
SAVE_DIR = os.path.join(ROOT, "fuzz", "regressions", "system")
SKIP = 77

# The topology and its helpers (run, Process, wait_for, the addresses) come from the net test.
sys.path.insert(0, os.path.join(ROOT, "tests", "net"))
import qemu_netns_test as topology  # noqa: E402  (also puts tools/ on the path)
import qemu  # noqa: E402

KINDS = ("ethernet", "arp", "ipv4", "icmp", "udp", "tcp", "dhcp")
# How often each kind of seed is picked: TCP and the IPv4 layers are where the state is.
WEIGHTS = {"ethernet": 2, "arp": 2, "ipv4": 3, "icmp": 2, "udp": 2, "tcp": 5, "dhcp": 1}
CONSOLE_FAILURES = ("PANIC", "DEVICE BROKEN", "device is broken")
MAX_FRAME = 1514  # bwlin0's MTU (1500) plus the Ethernet header: AF_PACKET refuses more.
MIN_FRAME = 14    # ... and less than an Ethernet header.

BROADCAST = b"\xff" * 6


def say(message):
    print(f"netfuzz: {message}", flush=True)


# ---- The injector (runs inside the namespace) -------------------------------------------------

def read_exact(stream, n):
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def inject_main(iface):
    """Sends the frames it reads on stdin (u32 count, then u16 length + bytes each, little
    endian) on `iface` through a packet socket; answers "SENT FAILED" per batch on stdout."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)  # protocol 0: never receives
    s.bind((iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    with open(f"/sys/class/net/{iface}/address") as f:
        mac = f.read().strip()
    out = sys.stdout
    out.write(f"ready {mac}\n")
    out.flush()
    stdin = sys.stdin.buffer
    while True:
        header = read_exact(stdin, 4)
        if header is None:
            return 0
        (count,) = struct.unpack("<I", header)
        sent = failed = 0
        for _ in range(count):
            (length,) = struct.unpack("<H", read_exact(stdin, 2))
            frame = read_exact(stdin, length)
            for _attempt in range(200):
                try:
                    s.send(frame)
                    sent += 1
                    break
                except OSError as e:
                    if e.errno in (errno.ENOBUFS, errno.EAGAIN):
                        time.sleep(0.001)
                        continue
                    failed += 1
                    break
            else:
                failed += 1
        out.write(f"{sent} {failed}\n")
        out.flush()


class Injector:
    def __init__(self, ns, iface):
        self.process = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__),
                                         "--inject", iface], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = self.process.stdout.readline().decode().split()
        if len(line) != 2 or line[0] != "ready":
            raise RuntimeError(f"the injector did not start (status {self.process.poll()})")
        self.mac = bytes.fromhex(line[1].replace(":", ""))

    def send(self, frames):
        data = [struct.pack("<I", len(frames))]
        for f in frames:
            data.append(struct.pack("<H", len(f)))
            data.append(bytes(f))
        self.process.stdin.write(b"".join(data))
        self.process.stdin.flush()
        reply = self.process.stdout.readline().decode().split()
        if len(reply) != 2:
            raise RuntimeError(f"the injector stopped (status {self.process.poll()})")
        return int(reply[0]), int(reply[1])

    def stop(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


# ---- Frames ----------------------------------------------------------------------------------

def checksum(data):
    if len(data) % 2:
        data = bytes(data) + b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", bytes(data)))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def ip_bytes(text):
    return socket.inet_aton(text)


def ipv4_header(proto, payload_len, src, dst, ident, flags_fragment=0x4000, ttl=64):
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, ident, flags_fragment, ttl, proto, 0, src, dst))
    struct.pack_into("!H", h, 10, checksum(h))
    return h


def ethernet(dst, src, ethertype, payload):
    return bytearray(dst + src + struct.pack("!H", ethertype)) + payload


def l3_offset(frame):
    """Offset of the IPv4 header (after an optional 802.1Q tag), or None."""
    if len(frame) < 14:
        return None
    ethertype = struct.unpack_from("!H", frame, 12)[0]
    if ethertype == 0x8100 and len(frame) >= 18:
        return 18 if struct.unpack_from("!H", frame, 16)[0] == 0x0800 else None
    return 14 if ethertype == 0x0800 else None


def fix_checksums(frame):
    """Recomputes the IPv4 header checksum and the ICMP/UDP/TCP checksum over whatever the
    (possibly lying) headers describe, clipped to the frame."""
    l3 = l3_offset(frame)
    if l3 is None or len(frame) < l3 + 20:
        return
    ihl = (frame[l3] & 0x0f) * 4
    if ihl < 20 or len(frame) < l3 + ihl:
        return
    struct.pack_into("!H", frame, l3 + 10, 0)
    struct.pack_into("!H", frame, l3 + 10, checksum(frame[l3:l3 + ihl]))
    total = struct.unpack_from("!H", frame, l3 + 2)[0]
    end = min(len(frame), l3 + max(total, ihl))
    fragment = struct.unpack_from("!H", frame, l3 + 6)[0]
    if fragment & 0x1fff:
        return  # not the first fragment: no transport header here
    proto = frame[l3 + 9]
    l4 = l3 + ihl
    field = {1: 2, 17: 6, 6: 16}.get(proto)
    if field is None or end < l4 + field + 2:
        return
    struct.pack_into("!H", frame, l4 + field, 0)
    segment = frame[l4:end]
    if proto == 1:
        value = checksum(segment)
    else:
        pseudo = bytes(frame[l3 + 12:l3 + 20]) + struct.pack("!BBH", 0, proto, len(segment))
        value = checksum(pseudo + segment)
        if proto == 17 and value == 0:
            value = 0xffff
    struct.pack_into("!H", frame, l4 + field, value)


class FrameMaker:
    """Turns seeds into mutated frames with a seeded random.Random, so --seed repeats a run."""

    def __init__(self, rng, linux_mac, vm_mac, linux_ip, vm_ip):
        self.rng = rng
        self.linux_mac = linux_mac
        self.vm_mac = vm_mac
        self.linux_ip = linux_ip
        self.vm_ip = vm_ip
        self.seeds = {}
        for kind in KINDS:
            folder = os.path.join(CORPUS, kind)
            files = sorted(f for f in os.listdir(folder) if not f.startswith(".")) if os.path.isdir(folder) else []
            seeds = []
            for name in files:
                with open(os.path.join(folder, name), "rb") as f:
                    seeds.append(f.read())
            if seeds:
                self.seeds[kind] = seeds
        if not self.seeds:
            raise SystemExit(f"netfuzz: no seeds under {CORPUS}")
        self.kinds = [k for k in KINDS if k in self.seeds]
        self.weights = [WEIGHTS[k] for k in self.kinds]
        self.ident = rng.randrange(1 << 16)

    def next_ident(self):
        self.ident = (self.ident + 1) & 0xffff
        return self.ident

    def dst_mac(self):
        x = self.rng.random()
        return self.vm_mac if x < 0.85 else BROADCAST if x < 0.95 else bytes([0x02] + [self.rng.randrange(256) for _ in range(5)])

    def src_ip(self):
        # Mostly bwlin0's address (the answers reach Linux, which resets unknown TCP); sometimes
        # another host of the subnet, whose answers go unanswered.
        return self.linux_ip if self.rng.random() < 0.85 else bytes([10, 77, 0, self.rng.choice((3, 99, 254, 255, 0))])

    def port(self, default):
        x = self.rng.random()
        return 80 if x < 0.4 else 7 if x < 0.7 else default

    def wrap_ip(self, proto, payload, dst_ip=None):
        header = ipv4_header(proto, len(payload), self.src_ip(), dst_ip or self.vm_ip, self.next_ident(),
                             flags_fragment=self.rng.choice((0x4000, 0x0000)))
        return ethernet(self.dst_mac(), self.linux_mac, 0x0800, header + payload)

    def base(self, kind):
        r = self.rng
        seed = bytearray(r.choice(self.seeds[kind]))
        if kind == "ethernet":
            frame = seed + bytearray(max(0, MIN_FRAME - len(seed)))
            if r.random() < 0.9:
                frame[0:6] = self.dst_mac()
            if r.random() < 0.9:
                frame[6:12] = self.linux_mac
            l3 = l3_offset(frame)
            if l3 is not None and len(frame) >= l3 + 20 and r.random() < 0.8:
                frame[l3 + 12:l3 + 16] = self.src_ip()
                frame[l3 + 16:l3 + 20] = self.vm_ip
            return frame
        if kind == "arp":
            if len(seed) >= 28 and r.random() < 0.8:
                seed[8:14] = self.linux_mac
                seed[14:18] = self.src_ip()
                seed[24:28] = self.vm_ip
            return ethernet(BROADCAST if r.random() < 0.5 else self.vm_mac, self.linux_mac, 0x0806, seed)
        if kind == "ipv4":
            if len(seed) >= 20 and r.random() < 0.9:
                seed[12:16] = self.src_ip()
                seed[16:20] = self.vm_ip
            return ethernet(self.dst_mac(), self.linux_mac, 0x0800, seed)
        if kind == "icmp":
            return self.wrap_ip(1, seed)
        if kind in ("udp", "tcp"):
            segment = seed[8:]
            if len(segment) >= 4:
                struct.pack_into("!H", segment, 2, self.port(struct.unpack_from("!H", segment, 2)[0]))
                if r.random() < 0.5:
                    struct.pack_into("!H", segment, 0, r.choice((r.randrange(1024, 65536), 0, 7, 80, 65535)))
            if kind == "udp" and len(segment) >= 8 and r.random() < 0.8:
                struct.pack_into("!H", segment, 4, len(segment))
            return self.wrap_ip(17 if kind == "udp" else 6, segment)
        if kind == "dhcp":
            udp = bytearray(struct.pack("!HHHH", 67, 68, 8 + len(seed), 0)) + seed
            dst = self.vm_ip if r.random() < 0.5 else BROADCAST[:4]
            return self.wrap_ip(17, udp, dst)
        raise AssertionError(kind)

    # -- mutations --

    def offset(self, frame):
        # Headers are where parsers make decisions: favour the first 64 bytes.
        if self.rng.random() < 0.7:
            return self.rng.randrange(min(len(frame), 64))
        return self.rng.randrange(len(frame))

    def lie_about_length(self, frame):
        r = self.rng
        l3 = l3_offset(frame)
        choices = []
        if l3 is not None and len(frame) >= l3 + 20:
            ihl = (frame[l3] & 0x0f) * 4
            choices += [("ip_total", l3 + 2, 2), ("ip_ihl", l3, 0), ("ip_fragment", l3 + 6, 2)]
            l4 = l3 + max(ihl, 20)
            proto = frame[l3 + 9]
            if proto == 17 and len(frame) >= l4 + 6:
                choices.append(("udp_length", l4 + 4, 2))
            if proto == 6 and len(frame) >= l4 + 13:
                choices.append(("tcp_offset", l4 + 12, 0))
        if struct.unpack_from("!H", frame, 12)[0] == 0x0806 and len(frame) >= 20:
            choices += [("arp_hlen", 18, 1), ("arp_plen", 19, 1)]
        if not choices:
            return
        what, at, width = r.choice(choices)
        if width == 0:  # a nibble: IHL (low) or TCP data offset (high)
            value = r.choice((0, 1, 4, 5, 6, 15, r.randrange(16)))
            frame[at] = (frame[at] & 0xf0) | value if what == "ip_ihl" else (frame[at] & 0x0f) | (value << 4)
        elif width == 1:
            frame[at] = r.choice((0, 1, 4, 6, 16, 255, r.randrange(256)))
        else:
            old = struct.unpack_from("!H", frame, at)[0]
            if what == "ip_fragment":
                value = r.choice((0x2000, 0x2000 | r.randrange(1, 0x2000), r.randrange(1, 0x2000), 0x1fff, 0x3fff, 0x8000))
            else:
                value = r.choice((0, 1, 7, 8, 19, 20, 0x7fff, 0x8000, 0xffff, (old + 1) & 0xffff, (old - 1) & 0xffff,
                                  len(frame), r.randrange(1 << 16)))
            struct.pack_into("!H", frame, at, value)

    def garbage_options(self, frame):
        """Turns the TCP or IPv4 header into one with (mostly malformed) options."""
        r = self.rng
        l3 = l3_offset(frame)
        if l3 is None or len(frame) < l3 + 20:
            return
        opts = bytearray()
        while len(opts) < r.choice((4, 8, 12, 20, 40)):
            kind = r.choice((0, 1, 2, 3, 4, 5, 8, 30, 34, r.randrange(256)))
            if kind in (0, 1):
                opts.append(kind)
            else:
                length = r.choice((0, 1, 2, 3, 4, 10, 40, 255, r.randrange(256)))
                opts += bytes([kind, length]) + bytes(r.randrange(256) for _ in range(r.randrange(0, 9)))
        opts = opts[:40]
        opts += bytes((-len(opts)) % 4)
        ihl = (frame[l3] & 0x0f) * 4
        if frame[l3 + 9] == 6 and ihl >= 20 and len(frame) >= l3 + ihl + 20 and r.random() < 0.7:
            l4 = l3 + ihl
            old = (frame[l4 + 12] >> 4) * 4
            head = max(20, min(old, len(frame) - l4))
            frame[l4 + 20:l4 + head] = opts
            frame[l4 + 12] = (frame[l4 + 12] & 0x0f) | (((20 + len(opts)) // 4) << 4)
        else:
            head = max(20, min(ihl, len(frame) - l3))
            frame[l3 + 20:l3 + head] = opts
            frame[l3] = 0x40 | ((20 + len(opts)) // 4)
        total = len(frame) - l3
        struct.pack_into("!H", frame, l3 + 2, min(total, 0xffff))
        del frame[MAX_FRAME:]

    def mutate(self, frame):
        r = self.rng
        op = r.choices(("bitflip", "byte", "word", "truncate", "extend", "length", "splice", "insert", "delete",
                        "options", "tcpflags"), weights=(6, 4, 3, 2, 1, 5, 2, 1, 1, 2, 2))[0]
        if op == "bitflip":
            at = self.offset(frame)
            frame[at] ^= 1 << r.randrange(8)
        elif op == "byte":
            frame[self.offset(frame)] = r.choice((0, 1, 0x7f, 0x80, 0xfe, 0xff, r.randrange(256)))
        elif op == "word" and len(frame) >= 2:
            at = min(self.offset(frame), len(frame) - 2)
            struct.pack_into("!H", frame, at, r.choice((0, 1, 0x7fff, 0x8000, 0xfffe, 0xffff, len(frame))))
        elif op == "truncate":
            del frame[r.randrange(MIN_FRAME, max(MIN_FRAME + 1, len(frame))):]
        elif op == "extend":
            frame += bytes(r.choice((0, 0xff, r.randrange(256))) for _ in range(r.randrange(1, 200)))
        elif op == "length":
            self.lie_about_length(frame)
        elif op == "splice":
            other = self.base(r.choices(self.kinds, self.weights)[0])
            cut = r.randrange(MIN_FRAME, max(MIN_FRAME + 1, len(frame)))
            frame[cut:] = other[r.randrange(len(other)):]
        elif op == "insert":
            at = self.offset(frame)
            frame[at:at] = bytes(r.randrange(256) for _ in range(r.choice((1, 2, 4, 8))))
        elif op == "delete" and len(frame) > MIN_FRAME:
            at = max(12, self.offset(frame))
            del frame[at:at + r.choice((1, 2, 4, 8))]
        elif op == "options":
            self.garbage_options(frame)
        elif op == "tcpflags":
            l3 = l3_offset(frame)
            if l3 is not None and len(frame) >= l3 + 20 and frame[l3 + 9] == 6:
                l4 = l3 + (frame[l3] & 0x0f) * 4
                if len(frame) > l4 + 13:
                    frame[l4 + 13] = r.choice((0x02, 0x12, 0x10, 0x11, 0x04, 0x14, 0x03, 0x06, 0x29, 0xff, 0x00, r.randrange(256)))
        return op

    def fragments(self, frame):
        """An IPv4 fragment train from a well-formed frame: in order or not, overlapping or not,
        sometimes missing a piece (reassembly state that must time out)."""
        r = self.rng
        l3 = l3_offset(frame)
        if l3 is None or len(frame) < l3 + 28:
            return [frame]
        ihl = max(20, (frame[l3] & 0x0f) * 4)
        header, payload = frame[:l3 + ihl], frame[l3 + ihl:]
        if len(payload) < 16:
            payload += bytes(16 - len(payload))
        ident = self.next_ident()
        pieces = []
        offset = 0
        while offset < len(payload):
            size = r.choice((8, 16, 24, 64)) if offset + 8 < len(payload) else len(payload) - offset
            start = max(0, offset - (8 if r.random() < 0.15 else 0))
            data = payload[start:offset + size]
            last = offset + size >= len(payload)
            h = bytearray(header)
            struct.pack_into("!HHH", h, l3 + 2, ihl + len(data), ident, (0 if last else 0x2000) | (start // 8))
            pieces.append(h + data)
            offset += size
        if len(pieces) > 1 and r.random() < 0.3:
            r.shuffle(pieces)
        if len(pieces) > 1 and r.random() < 0.2:
            del pieces[r.randrange(len(pieces))]
        for p in pieces:
            fix_checksums(p)
        return pieces

    def frames(self):
        """One or more frames (several for a fragment train) and the kind of seed they came from."""
        r = self.rng
        kind = r.choices(self.kinds, self.weights)[0]
        frame = self.base(kind)
        fix_checksums(frame)
        if kind not in ("ethernet", "arp") and r.random() < 0.05:
            return self.fragments(frame), kind + "+fragments"
        if r.random() < 0.9:
            for _ in range(1 + min(int(r.expovariate(0.8)), 6)):
                self.mutate(frame)
                if len(frame) < MIN_FRAME:
                    frame += bytes(MIN_FRAME - len(frame))
            if r.random() < 0.8:
                fix_checksums(frame)
        del frame[MAX_FRAME:]
        return [frame], kind

    def arp_refresh(self):
        """A well-formed ARP request from bwlin0 for the kernel's address: puts bwlin0's real MAC
        back into the kernel's ARP cache whatever the batch taught it."""
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, self.linux_mac, self.linux_ip, b"\0" * 6, self.vm_ip)
        return ethernet(BROADCAST, self.linux_mac, 0x0806, bytearray(arp))


# ---- The system under test -------------------------------------------------------------------

def prerequisites():
    if os.geteuid() != 0:
        return "needs root to create a network namespace"
    for tool in ("ip", "ping", "curl", "qemu-system-x86_64"):
        if not shutil.which(tool):
            return f"'{tool}' is not installed (run ci/setup)"
    if not os.path.exists("/dev/net/tun"):
        return "/dev/net/tun is missing"
    probe = f"bwprobe{os.getpid()}"
    r = subprocess.run(["ip", "netns", "add", probe], capture_output=True)
    if r.returncode != 0:
        return "cannot create a network namespace: " + r.stderr.decode(errors="replace").strip()
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


class ConsoleProcess(topology.Process):
    """qemu_netns_test.Process with its output in a named file (the kernel console, kept)."""

    def __init__(self, ns, args, path):
        self.log = open(path, "w+b")
        self.args = args
        self.process = subprocess.Popen(["ip", "netns", "exec", ns, *args], stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=subprocess.STDOUT)


class System:
    """The namespace, QEMU (console in a file) and bulwark-linkd, as qemu_netns_test.py sets them up."""

    def __init__(self, kernel, linkd, accel, serial_path):
        self.topo = topo = topology
        self.ns = f"bwfuzz{os.getpid()}"
        self.vm = self.linkd = self.injector = None
        self.serial_path = serial_path
        self.linkd_counts = []
        subprocess.run(["ip", "netns", "add", self.ns], check=True)
        ns = self.ns
        run = topo.run
        run(ns, "ip", "link", "set", "lo", "up")
        for dev in (topo.LINUX_TAP, topo.VM_TAP):
            run(ns, "ip", "tuntap", "add", "dev", dev, "mode", "tap")
        run(ns, "sysctl", "-qw", f"net.ipv6.conf.{topo.VM_TAP}.disable_ipv6=1")
        run(ns, "ip", "link", "set", topo.VM_TAP, "arp", "off", "up")
        run(ns, "sysctl", "-qw", f"net.ipv6.conf.{topo.LINUX_TAP}.disable_ipv6=1")
        run(ns, "ip", "addr", "add", f"{topo.LINUX_ADDR}/24", "dev", topo.LINUX_TAP)
        run(ns, "ip", "link", "set", topo.LINUX_TAP, "up")
        self.accel = qemu.choose_accel(accel)
        extra = ["-netdev", f"tap,id=n0,ifname={topo.VM_TAP},script=no,downscript=no",
                 "-device", f"virtio-net-pci,netdev=n0,disable-legacy=on,mac={topo.KERNEL_MAC}",
                 "-device", "virtio-rng-pci,disable-legacy=on"]
        command = qemu.command(kernel, machine="q35", memory="256M", accel=self.accel,
                               cmdline=f"test=net ip={topo.KERNEL_ADDR}/24 poweroff=debug-exit", extra=extra)
        self.vm = ConsoleProcess(ns, command, serial_path)
        topo.wait_for(self.vm, r"net: test service", 60, "QEMU")
        self.linkd = topo.Process(ns, [linkd, "--a", topo.LINUX_TAP, "--b", topo.VM_TAP])
        topo.wait_for(self.linkd, r"bulwark-linkd: .* <-> ", 10, "bulwark-linkd")
        topo.wait_for(self.vm, rf"net: address {re.escape(topo.KERNEL_ADDR)}/24", 30, "the kernel")
        self.injector = Injector(ns, topo.LINUX_TAP)

    def console(self):
        return self.vm.output()

    def check(self):
        """None when the kernel is healthy, else what is wrong."""
        topo, ns, addr = self.topo, self.ns, self.topo.KERNEL_ADDR

        def console_failure():
            text = self.console()
            for pattern in CONSOLE_FAILURES:
                if pattern in text:
                    return f"kernel console contains '{pattern}'"
            if self.vm.process.poll() is not None:
                return f"QEMU exited with status {self.vm.process.returncode}"
            return None

        failure = console_failure()
        if failure:
            return failure
        for _ in range(3):
            r = topo.run(ns, "ping", "-c", "1", "-W", "1", "-q", addr, check=False, timeout=10)
            if r.returncode == 0:
                break
        else:
            return console_failure() or "no answer to 3 pings"
        body = ""
        for _ in range(2):
            r = topo.run(ns, "curl", "-sS", "--max-time", "3", f"http://{addr}/", check=False, timeout=10)
            body = r.stdout.decode(errors="replace")
            if r.returncode == 0 and "Bulwark" in body:
                break
        else:
            return console_failure() or f"HTTP GET / failed twice (curl status {r.returncode}, {len(body)} bytes)"
        return console_failure()

    def close(self):
        if self.injector:
            self.injector.stop()
        if self.vm:
            self.vm.stop(signal.SIGKILL)
        if self.linkd:
            self.linkd_counts = [line for line in self.linkd.stop().splitlines() if "frames in" in line]
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)

    def tap_stats(self, dev):
        """(frames transmitted, frames dropped) on one of the namespace's TAP devices."""
        r = self.topo.run(self.ns, "cat", f"/sys/class/net/{dev}/statistics/tx_packets",
                          f"/sys/class/net/{dev}/statistics/tx_dropped", check=False)
        values = r.stdout.decode().split()
        return (int(values[0]), int(values[1])) if len(values) == 2 else None


# ---- Saved batches ---------------------------------------------------------------------------

def save_batch(folder, reason, seed, batch_number, context, batch, console):
    os.makedirs(folder, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = os.path.join(folder, f"{stamp}.frames")
    replay = f"python3 tools/netfuzz.py --replay {os.path.relpath(path, ROOT) if path.startswith(ROOT) else path}"
    with open(path, "w") as f:
        f.write("# bulwark netfuzz: a batch after which the kernel failed its checks\n")
        f.write(f"# failure: {reason}\n")
        f.write(f"# run: --seed {seed}, batch {batch_number} ({len(batch)} frames, after {len(context)} of context)\n")
        f.write(f"# replay: {replay}\n")
        f.write("# one frame a line, hex, Ethernet header first (no FCS); the replay sends them in order\n")
        if context:
            f.write(f"# context: batch {batch_number - 1}\n")
            f.writelines(bytes(fr).hex() + "\n" for fr in context)
        f.write(f"# failing: batch {batch_number}\n")
        f.writelines(bytes(fr).hex() + "\n" for fr in batch)
    with open(os.path.join(folder, f"{stamp}.serial.log"), "w") as f:
        f.write(console)
    return path, replay


def load_frames(path):
    frames = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                frames.append(bytearray.fromhex(line))
    return frames


# ---- Main ------------------------------------------------------------------------------------

def main(argv=None):
    p = argparse.ArgumentParser(prog="netfuzz", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--time", type=float, default=60, help="seconds of fuzzing after boot (default 60)")
    p.add_argument("--batch", type=int, default=200, help="frames between health checks (default 200)")
    p.add_argument("--seed", type=int, help="random seed (default: from the clock; printed)")
    p.add_argument("--replay", metavar="FILE", help="send a saved batch to a fresh kernel and check it")
    p.add_argument("--kernel", default=os.path.join(BUILD_DIR, "kernel", "kernel.elf"))
    p.add_argument("--linkd", default=os.path.join(BUILD_DIR, "net", "bulwark-linkd"), help="path to bulwark-linkd")
    p.add_argument("--accel", default="auto", help="auto (KVM when usable, else TCG), kvm or tcg")
    p.add_argument("--save-dir", default=SAVE_DIR, help="where failing batches go (default fuzz/regressions/system/)")
    p.add_argument("--inject", metavar="IFACE", help=argparse.SUPPRESS)  # the helper inside the namespace
    args = p.parse_args(argv)

    if args.inject:
        return inject_main(args.inject)

    reason = prerequisites()
    if reason:
        print(f"SKIPPED: {reason}")
        return SKIP
    for path, what in ((args.kernel, "the kernel"), (args.linkd, "bulwark-linkd")):
        if not os.path.exists(path):
            say(f"{what} is not built ({path}); run `cmake -S . -B build && ninja -C build`")
            return 2

    seed = args.seed if args.seed is not None else int(time.time() * 1000) & 0xffffffff
    work = os.path.join(BUILD_DIR, "netfuzz")
    os.makedirs(work, exist_ok=True)
    serial_path = os.path.join(work, f"serial-{os.getpid()}.log")
    system = None
    success = False
    started = time.monotonic()
    try:
        system = System(args.kernel, args.linkd, args.accel, serial_path)
        topo = system.topo
        maker = FrameMaker(random.Random(seed), system.injector.mac, bytes.fromhex(topo.KERNEL_MAC.replace(":", "")),
                           ip_bytes(topo.LINUX_ADDR), ip_bytes(topo.KERNEL_ADDR))
        say(f"kernel up in {time.monotonic() - started:.1f} s (-M q35, {system.accel}); console in {serial_path}")
        failure = system.check()
        if failure:
            say(f"the kernel fails its checks before any fuzzing: {failure}")
            return 1

        if args.replay:
            frames = load_frames(args.replay)
            sent, failed = system.injector.send(frames)
            system.injector.send([maker.arp_refresh()])
            failure = system.check()
            say(f"replayed {sent} frames from {args.replay} ({failed} refused by the socket)")
            if failure:
                say(f"FAILURE REPRODUCED: {failure}")
                print("--- kernel console (tail) ---\n" + system.console()[-4000:])
                return 1
            say("the kernel stayed healthy: ping, HTTP and console all fine")
            success = True
            return 0

        say(f"seed {seed}, batches of {args.batch} frames, {args.time:g} s")
        sent = refused = batches = 0
        inject_time = check_time = 0.0
        kinds = {}
        previous = []
        fuzz_start = last_progress = time.monotonic()
        while time.monotonic() - fuzz_start < args.time:
            batch = []
            while len(batch) < args.batch:
                frames, kind = maker.frames()
                batch += frames
                kinds[kind] = kinds.get(kind, 0) + len(frames)
            t0 = time.monotonic()
            s, f = system.injector.send(batch)
            system.injector.send([maker.arp_refresh()])
            t1 = time.monotonic()
            sent += s
            refused += f
            batches += 1
            failure = system.check()
            t2 = time.monotonic()
            inject_time += t1 - t0
            check_time += t2 - t1
            if failure:
                path, replay = save_batch(args.save_dir, failure, seed, batches, previous, batch, system.console())
                say(f"FAILURE after batch {batches}: {failure}")
                print("--- kernel console (tail) ---\n" + system.console()[-4000:])
                say(f"saved the batch (and the one before it) to {path}")
                say(f"replay: {replay}")
                return 1
            previous = batch
            if t2 - last_progress >= 10:
                last_progress = t2
                elapsed = t2 - fuzz_start
                say(f"{batches} batches, {sent} frames, {sent / elapsed:.0f} frames/s")
        elapsed = time.monotonic() - fuzz_start
        say(f"ok: {batches} batches, {sent} frames sent ({refused} refused by the socket) in {elapsed:.1f} s: "
            f"{sent / elapsed:.0f} frames/s overall, {sent / max(inject_time, 1e-9):.0f} frames/s while injecting; "
            f"checks took {check_time / max(batches, 1) * 1000:.0f} ms a batch")
        say("frames by seed kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        for dev, where in ((topo.LINUX_TAP, "the injector -> bulwark-linkd"), (topo.VM_TAP, "bulwark-linkd -> QEMU")):
            stats = system.tap_stats(dev)
            if stats:
                say(f"{dev} ({where}): {stats[0]} frames passed, {stats[1]} dropped by the TAP queue")
        say("the kernel does not print drop counters under test=net; none reported")
        success = True
        return 0
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        say(f"FAIL: {e}")
        return 1
    finally:
        if system:
            system.close()
            for line in system.linkd_counts:
                say(line)
        if success and os.path.exists(serial_path):
            os.remove(serial_path)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Writes the seed corpus of the cpio fuzz target into fuzz/corpus/cpio/ (standard library only).

Each seed is a small cpio newc archive (man 5 cpio, "New ASCII Format") as `find . | cpio -o -H
newc` writes one: "." first, names with a leading "./", a TRAILER!!! entry, and zeros up to a
512-byte block. A few are deliberately broken (a device node, "..", a truncated entry) so the
fuzzer starts next to every refusal. Seeds are named seed-<what>; files a campaign merged in
(named by their SHA-1) are left alone. Run it again after changing the format:

    python3 fuzz/tools/gen_cpio_seeds.py [--out fuzz/corpus]
"""

import argparse
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR = 0o100000, 0o040000, 0o120000, 0o020000


def entry(name, mode, data=b"", ino=1, uid=0, gid=0, nlink=1, mtime=1700000000, magic=b"070701", offset=0):
    """One newc entry starting at `offset` of the archive (padding is measured from its start)."""
    name_bytes = name.encode() + b"\0"
    fields = [ino, mode, uid, gid, nlink, mtime, len(data), 0, 0, 0, 0, len(name_bytes), 0]
    out = magic + b"".join(b"%08x" % f for f in fields) + name_bytes
    out += b"\0" * (-(offset + len(out)) % 4)
    out += data + b"\0" * (-(offset + len(out) + len(data)) % 4)
    return out


def archive(members, trailer=True, block=512):
    out = b""
    for m in members:
        out += entry(*m[:3], **(m[3] if len(m) > 3 else {}), offset=len(out))
    if trailer:
        out += entry("TRAILER!!!", 0, ino=0, mtime=0, offset=len(out))
    if block:
        out += b"\0" * (-len(out) % block)
    return out


SEEDS = {
    "empty-root": archive([(".", S_IFDIR | 0o755)]),
    "trailer-only": archive([], block=0),
    "nginx-image": archive([
        (".", S_IFDIR | 0o755),
        ("./etc", S_IFDIR | 0o755),
        ("./etc/nginx", S_IFDIR | 0o755),
        ("./etc/nginx/nginx.conf", S_IFREG | 0o644,
         b"worker_processes 1;\nevents { worker_connections 64; }\nhttp { server { listen 80; root /srv; } }\n"),
        ("./srv", S_IFDIR | 0o755),
        ("./srv/index.html", S_IFREG | 0o644, b"<!doctype html><title>bulwark</title><p>hello\n"),
        ("./bin", S_IFLNK | 0o777, b"usr/bin"),
        ("./usr", S_IFDIR | 0o755),
        ("./usr/bin", S_IFDIR | 0o755),
        ("./usr/bin/nginx", S_IFREG | 0o755, bytes(range(256)) * 2, {"uid": 0, "gid": 0, "nlink": 1}),
    ]),
    "no-dot-slash": archive([("etc", S_IFDIR | 0o755), ("etc/hosts", S_IFREG | 0o644, b"127.0.0.1 localhost\n")],
                            block=0),
    "padding-sizes": archive([("a" * n, S_IFREG | 0o600, b"d" * (n % 5)) for n in range(1, 9)], block=0),
    "setuid-and-hardlinks": archive([
        ("./sbin", S_IFDIR | 0o755),
        ("./sbin/su", S_IFREG | 0o4755, b"", {"ino": 7, "nlink": 2}),
        ("./sbin/su2", S_IFREG | 0o4755, b"\x7fELF", {"ino": 7, "nlink": 2}),
    ], block=0),
    "bad-device-node": archive([(".", S_IFDIR | 0o755), ("./dev/console", S_IFCHR | 0o600)], block=0),
    "bad-dotdot": archive([("./../etc/passwd", S_IFREG | 0o644, b"root::0:0::/:/bin/sh\n")], block=0),
    "bad-crc-magic": archive([("f", S_IFREG | 0o644, b"x", {"magic": b"070702"})], block=0),
    "bad-truncated": archive([("f", S_IFREG | 0o644, b"0123456789")], block=0)[:130],
    "bad-no-trailer": archive([("f", S_IFREG | 0o644, b"x")], trailer=False, block=0),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "fuzz", "corpus"))
    args = parser.parse_args()
    directory = os.path.join(args.out, "cpio")
    os.makedirs(directory, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(directory, "seed-" + name), "wb") as f:
            f.write(data)
    print(f"wrote {len(SEEDS)} seeds to {directory}")


if __name__ == "__main__":
    main()

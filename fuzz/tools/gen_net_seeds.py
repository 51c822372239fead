#!/usr/bin/env python3
"""Writes the seed corpora of the net/wire fuzz targets into fuzz/corpus/<target>/ (standard
library only), next to fuzz/tools/gen_seeds.py, which does the same for the kernel's targets.

Each seed is a realistic frame in the target's input format (documented at the top of
fuzz/net/wire/<unit>_fuzz.cpp), with correct checksums: ARP request/reply/probe, Linux ping echo
request/reply and ICMP errors, a DNS query and a DHCP DISCOVER over UDP, a Linux SYN with
MSS/SACK-permitted/timestamps/window scale, its SYN-ACK, data segments with timestamps and SACK,
DHCP OFFER/ACK/NAK/DISCOVER as QEMU's slirp and Linux's dhclient send them, IPv4 with options.
The udp and tcp inputs start with 8 bytes of pseudo-header addresses (src, dst). Seeds are named
seed-<what>; files a campaign merged in are left alone. Run it again after changing a format:

    python3 fuzz/tools/gen_net_seeds.py [--out fuzz/corpus]
"""

import argparse
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def be16(v):
    return struct.pack(">H", v)


def be32(v):
    return struct.pack(">I", v)


def ip(text):
    return bytes(int(x) for x in text.split("."))


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def ones_sum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f">{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def checksum(data):
    return (~ones_sum(data)) & 0xFFFF


def put_checksum(data, at, initial=b""):
    b = bytearray(data)
    b[at:at + 2] = b"\0\0"
    b[at:at + 2] = be16(checksum(initial + bytes(b)))
    return bytes(b)


GUEST_MAC, GATEWAY_MAC = mac("52:54:00:12:34:56"), mac("52:55:0a:00:02:02")
GUEST, GATEWAY, DNS = ip("10.0.2.15"), ip("10.0.2.2"), ip("10.0.2.3")


# ---- IPv4 (RFC 791) ----

def ipv4(src, dst, protocol, payload, ttl=64, ident=0x1C46, flags=0x4000, tos=0, options=b""):
    assert len(options) % 4 == 0
    header = bytes([0x45 + len(options) // 4, tos]) + be16(20 + len(options) + len(payload)) + be16(ident)
    header += be16(flags) + bytes([ttl, protocol]) + b"\0\0" + src + dst + options
    return put_checksum(header, 10) + payload


# ---- ICMP (RFC 792) ----

def icmp(type_, code, rest, payload):
    return put_checksum(bytes([type_, code]) + b"\0\0" + rest + payload, 2)


# Linux ping: 8 bytes of struct timeval, then 0x10, 0x11, ... to 56 bytes of data.
PING_DATA = struct.pack("<QQ", 0x65F1A2B3, 0x0004D2F1)[:8] + bytes(range(0x08, 0x38))
ECHO_REQUEST = icmp(8, 0, be16(0x0B7E) + be16(1), PING_DATA)
ECHO_REPLY = icmp(0, 0, be16(0x0B7E) + be16(1), PING_DATA)


# ---- UDP (RFC 768) and TCP (RFC 9293), with the pseudo-header ----

def pseudo(src, dst, protocol, length):
    return src + dst + bytes([0, protocol]) + be16(length)


def udp(src, dst, sport, dport, payload, with_checksum=True):
    d = be16(sport) + be16(dport) + be16(8 + len(payload)) + b"\0\0" + payload
    if not with_checksum:
        return d
    c = checksum(pseudo(src, dst, 17, len(d)) + d)
    return d[:6] + be16(c or 0xFFFF) + d[8:]


def tcp(src, dst, sport, dport, seq, ack, flags, window, options=b"", payload=b"", urgent=0):
    assert len(options) % 4 == 0
    h = be16(sport) + be16(dport) + be32(seq) + be32(ack) + bytes([(5 + len(options) // 4) << 4, flags])
    h += be16(window) + b"\0\0" + be16(urgent) + options
    return put_checksum(h + payload, 16, pseudo(src, dst, 6, len(h) + len(payload)))


FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20


def ts(val, ecr):
    return bytes([8, 10]) + be32(val) + be32(ecr)


def sack(*blocks):
    return bytes([5, 2 + 8 * len(blocks)]) + b"".join(be32(l) + be32(r) for l, r in blocks)


# Linux's SYN: MSS 1460, SACK-permitted + timestamps, NOP + window scale 7 (canonical layout).
LINUX_SYN_OPTIONS = bytes([2, 4]) + be16(1460) + bytes([4, 2]) + ts(0x9A3B1C2D, 0) + bytes([1, 3, 3, 7])
CLIENT, SERVER = ip("10.0.2.15"), ip("93.184.216.34")
LINUX_SYN = tcp(CLIENT, SERVER, 45678, 80, 0x1E2F3A4B, 0, SYN, 64240, LINUX_SYN_OPTIONS)
SYN_ACK = tcp(SERVER, CLIENT, 80, 45678, 0x77665544, 0x1E2F3A4C, SYN | ACK, 65160,
              bytes([2, 4]) + be16(1460) + bytes([4, 2]) + ts(0x12345678, 0x9A3B1C2D) + bytes([1, 3, 3, 9]))
HTTP_GET = b"GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n"
DATA = tcp(CLIENT, SERVER, 45678, 80, 0x1E2F3A4C, 0x77665545, PSH | ACK, 502,
           bytes([1, 1]) + ts(0x9A3B1D00, 0x12345678), HTTP_GET)
# A duplicate ACK with timestamps and two SACK blocks (Linux: NOP NOP TS, NOP NOP SACK).
SACK_ACK = tcp(CLIENT, SERVER, 45678, 80, 0x1E2F3A9A, 0x77667000, ACK, 501,
               bytes([1, 1]) + ts(0x9A3B1E00, 0x12345700) + bytes([1, 1]) + sack((0x77668000, 0x77669000), (0x7766A000, 0x7766B5B4)))


# ---- DHCP (RFC 2131/2132) ----

def dhcp(op, xid, chaddr, options, ciaddr=b"\0" * 4, yiaddr=b"\0" * 4, siaddr=b"\0" * 4, flags=0, secs=0, pad_to=300):
    m = bytes([op, 1, 6, 0]) + be32(xid) + be16(secs) + be16(flags) + ciaddr + yiaddr + siaddr + b"\0" * 4
    m += chaddr + b"\0" * 10 + b"\0" * 64 + b"\0" * 128 + be32(0x63825363) + options + b"\xff"
    return m + b"\0" * max(0, pad_to - len(m))


def opt(code, data):
    return bytes([code, len(data)]) + data


XID = 0x3903F326
SLIRP_REPLY = opt(1, ip("255.255.255.0")) + opt(3, GATEWAY) + opt(6, DNS) + opt(51, be32(86400))
DHCP_OFFER = dhcp(2, XID, GUEST_MAC, opt(53, b"\x02") + opt(54, GATEWAY) + SLIRP_REPLY, yiaddr=GUEST, siaddr=GATEWAY)
DHCP_ACK = dhcp(2, XID, GUEST_MAC, opt(53, b"\x05") + opt(54, GATEWAY) + opt(1, ip("255.255.255.0")) + opt(3, GATEWAY)
                + opt(6, DNS + ip("8.8.8.8") + ip("1.1.1.1") + ip("9.9.9.9")) + opt(51, be32(86400)) + opt(58, be32(43200))
                + opt(59, be32(75600)) + opt(15, b"example.internal"), yiaddr=GUEST, siaddr=GATEWAY)
DHCP_DISCOVER = dhcp(1, XID, GUEST_MAC, opt(53, b"\x01") + opt(61, b"\x01" + GUEST_MAC) + opt(50, GUEST)
                     + opt(12, b"bulwark") + opt(55, bytes([1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42, 121, 249, 33, 252, 42])),
                     flags=0x8000, secs=3)


# ---- The targets ----

def ethernet_seeds():
    arp_request = arp(1, GUEST_MAC, GUEST, b"\0" * 6, GATEWAY)
    frame = lambda dst, src, ethertype, payload: dst + src + be16(ethertype) + payload
    return {
        "arp-request-padded": frame(b"\xff" * 6, GUEST_MAC, 0x0806, arp_request + b"\0" * 18),
        "ipv4-ping": frame(GATEWAY_MAC, GUEST_MAC, 0x0800, ipv4(GUEST, GATEWAY, 1, ECHO_REQUEST)),
        "ipv6-multicast": frame(mac("33:33:00:00:00:01"), GATEWAY_MAC, 0x86DD, bytes(40)),
        "vlan-tagged": frame(GUEST_MAC, GATEWAY_MAC, 0x8100, be16(0x0064) + be16(0x0800) + ipv4(GATEWAY, GUEST, 1, ECHO_REPLY)),
        "group-source": frame(GUEST_MAC, mac("01:00:5e:00:00:01"), 0x0800, b""),
    }


def arp(op, sha, spa, tha, tpa):
    return be16(1) + be16(0x0800) + bytes([6, 4]) + be16(op) + sha + spa + tha + tpa


def arp_seeds():
    return {
        "request": arp(1, GUEST_MAC, GUEST, b"\0" * 6, GATEWAY),
        "reply": arp(2, GATEWAY_MAC, GATEWAY, GUEST_MAC, GUEST),
        "probe-rfc5227": arp(1, GUEST_MAC, b"\0" * 4, b"\0" * 6, GUEST),
        "gratuitous-padded": arp(1, GUEST_MAC, GUEST, b"\xff" * 6, GUEST) + b"\0" * 18,
        "rarp": be16(1) + be16(0x0800) + bytes([6, 4]) + be16(3) + GUEST_MAC + b"\0" * 4 + GUEST_MAC + b"\0" * 4,
    }


def ipv4_seeds():
    router_alert = bytes([148, 4, 0, 0])
    record_route = bytes([7, 11, 4]) + b"\0" * 8 + bytes([1])  # RR with room for 2, then NOP.
    igmp_report = put_checksum(bytes([0x16, 0, 0, 0]) + ip("224.0.0.251"), 2)
    return {
        "ping": ipv4(GUEST, GATEWAY, 1, ECHO_REQUEST),
        "tcp-syn": ipv4(CLIENT, SERVER, 6, LINUX_SYN, ident=0),
        "udp-dns-padded": ipv4(GUEST, DNS, 17, udp(GUEST, DNS, 53124, 53, DNS_QUERY)) + b"\0" * 6,
        "igmp-router-alert": ipv4(GUEST, ip("224.0.0.251"), 2, igmp_report, ttl=1, tos=0xC0, options=router_alert),
        "record-route": ipv4(GATEWAY, GUEST, 1, ECHO_REPLY, options=record_route),
        "loose-source-route": ipv4(GATEWAY, GUEST, 1, ECHO_REPLY, options=bytes([131, 7, 4]) + ip("10.0.2.1") + bytes([0])),
        "fragment": ipv4(GATEWAY, GUEST, 17, bytes(64), flags=0x2000),
    }


def icmp_seeds():
    original = ipv4(GUEST, SERVER, 17, udp(GUEST, SERVER, 53124, 33434, b""))[:28]
    return {
        "echo-request": ECHO_REQUEST,
        "echo-reply": ECHO_REPLY,
        "frag-needed": icmp(3, 4, b"\0\0" + be16(1400), ipv4(GUEST, SERVER, 6, DATA)[:28]),
        "port-unreachable": icmp(3, 3, b"\0" * 4, original),
        "time-exceeded": icmp(11, 0, b"\0" * 4, original),
    }


# A DNS query for example.com, type A, recursion desired.
DNS_QUERY = be16(0x1A2B) + be16(0x0100) + be16(1) + be16(0) + be16(0) + be16(0) + b"\x07example\x03com\x00" + be16(1) + be16(1)


def udp_seeds():
    bcast = ip("255.255.255.255")
    return {
        "dns-query": GUEST + DNS + udp(GUEST, DNS, 53124, 53, DNS_QUERY),
        "dhcp-discover": b"\0" * 4 + bcast + udp(b"\0" * 4, bcast, 68, 67, DHCP_DISCOVER),
        "no-checksum-padded": GUEST + DNS + udp(GUEST, DNS, 5000, 7, b"hello", with_checksum=False) + b"\0" * 3,
        "empty": GATEWAY + GUEST + udp(GATEWAY, GUEST, 0, 9, b""),
    }


def tcp_seeds():
    odd_order = bytes([1, 3, 3, 16]) + bytes([8, 10]) + be32(7) + be32(0) + bytes([4, 2, 2, 4]) + be16(536) + bytes([0, 0, 0, 0])
    return {
        "linux-syn": CLIENT + SERVER + LINUX_SYN,
        "syn-ack": SERVER + CLIENT + SYN_ACK,
        "data-timestamps": CLIENT + SERVER + DATA,
        "ack-sack": CLIENT + SERVER + SACK_ACK,
        "fin-ack": CLIENT + SERVER + tcp(CLIENT, SERVER, 45678, 80, 0x1E2F3A9A, 0x77667000, FIN | ACK, 501),
        "rst": SERVER + CLIENT + tcp(SERVER, CLIENT, 80, 45678, 0x77667000, 0, RST, 0),
        "syn-odd-options": CLIENT + SERVER + tcp(CLIENT, SERVER, 1025, 22, 1, 0, SYN, 1024, odd_order),
        "urgent": CLIENT + SERVER + tcp(CLIENT, SERVER, 45678, 23, 5000, 6000, ACK | PSH | URG, 512, payload=b"\xff\xf4\xff\xfd\x06", urgent=5),
    }


def dhcp_seeds():
    nak = dhcp(2, XID, GUEST_MAC, opt(53, b"\x06") + opt(54, GATEWAY) + opt(56, b"requested address not available"))
    # Option overload (52) and pads: the overload is skipped, sname/file are never read.
    overload = dhcp(2, XID, GUEST_MAC, b"\0\0" + opt(53, b"\x02") + opt(52, b"\x03") + opt(54, GATEWAY) + b"\0" + SLIRP_REPLY,
                    yiaddr=GUEST, pad_to=548)
    return {
        "offer": DHCP_OFFER,
        "ack": DHCP_ACK,
        "discover": DHCP_DISCOVER,
        "request": dhcp(1, XID, GUEST_MAC, opt(53, b"\x03") + opt(61, b"\x01" + GUEST_MAC) + opt(50, GUEST) + opt(54, GATEWAY)
                        + opt(55, bytes([1, 3, 6, 15, 51, 58, 59]))),
        "nak": nak,
        "offer-overload-pads": overload,
    }


SEEDS = {
    "ethernet": ethernet_seeds,
    "arp": arp_seeds,
    "ipv4": ipv4_seeds,
    "icmp": icmp_seeds,
    "udp": udp_seeds,
    "tcp": tcp_seeds,
    "dhcp": dhcp_seeds,
}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "fuzz", "corpus"), help="corpus root (default fuzz/corpus)")
    args = parser.parse_args(argv)
    for target, make in SEEDS.items():
        folder = os.path.join(args.out, target)
        os.makedirs(folder, exist_ok=True)
        seeds = make()
        for name, data in seeds.items():
            assert len(data) < 64 * 1024, (target, name)
            with open(os.path.join(folder, "seed-" + name), "wb") as f:
                f.write(data)
        print(f"{target}: {len(seeds)} seeds in {os.path.relpath(folder, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

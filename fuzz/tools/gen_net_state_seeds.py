#!/usr/bin/env python3
"""Writes the seed-* inputs of the network state-machine fuzz targets (receive_path,
segment_script, dhcp_client) into fuzz/corpus/<target>/. Standard library only; the formats are
documented at the top of each harness (fuzz/net/iface/*_fuzz.cpp, fuzz/net/tcp/*_fuzz.cpp)."""

import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def u8(x): return struct.pack("<B", x & 0xff)
def u16(x): return struct.pack("<H", x & 0xffff)
def i16(x): return struct.pack("<h", x)
def u32(x): return struct.pack("<I", x & 0xffffffff)
def u64(x): return struct.pack("<Q", x)


def write(target, name, data):
    folder = os.path.join(ROOT, "fuzz", "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data)


# ---- segment_script ----
def ss_header(setup, ws=7, mss=1460, iss=0x12345678, window=65535):
    return u8(setup) + u8(ws) + u16(mss) + u32(iss) + u16(window)
def ss_data(mode, seq_off, ack_off, length, window=65535):
    return u8(0) + u8(mode) + i16(seq_off) + i16(ack_off) + u16(length) + u16(window)
def ss_ack(ack_off, window=65535): return u8(1) + i16(ack_off) + u16(window)
def ss_rst(seq_off, with_ack): return u8(2) + struct.pack("<b", seq_off) + u8(with_ack)
def ss_syn(seq_off, with_ack): return u8(3) + i16(seq_off) + u8(with_ack)
def ss_tick(ms): return u8(4) + u16(ms)
def ss_send(n): return u8(5) + u16(n)
def ss_recv(n): return u8(6) + u16(n)
def ss_close(how): return u8(7) + u8(how)
def ss_ackall(window=65535): return u8(9) + u16(window)


def segment_script():
    write("segment_script", "passive-echo", ss_header(0x0e) + ss_data(3, 0, 0, 500) + ss_recv(1000) + ss_send(700)
          + ss_ackall() + ss_data(3 | 8, 0, 0, 100) + ss_recv(200) + ss_recv(10) + ss_close(1) + ss_ackall() + ss_tick(3000))
    write("segment_script", "active-bulk", ss_header(0x07) + ss_send(5000) + ss_tick(50) + ss_ackall() + ss_send(5000)
          + ss_ack(0) + ss_ack(0) + ss_ack(0) + ss_tick(1500) + ss_ackall() + ss_close(0) + ss_ackall())
    write("segment_script", "reorder-sack", ss_header(0x0f) + ss_data(2, 1000, 0, 800) + ss_data(2, 200, 0, 800)
          + ss_data(3, 0, 0, 200) + ss_recv(4000) + ss_send(3000) + ss_data(3 | 128, 0, 100, 0) + ss_tick(400) + ss_ackall())
    write("segment_script", "rst-syn-5961", ss_header(0x06) + ss_rst(5, 1) + ss_rst(-3, 0) + ss_syn(0, 1) + ss_syn(100, 0)
          + ss_data(3, 0, 0, 10) + ss_rst(0, 1) + ss_recv(100))
    write("segment_script", "zero-window-keepalive", ss_header(0x50, window=0) + ss_send(3000) + ss_tick(0x8000 | 300)
          + ss_ack(0, 0) + ss_tick(0x8000 | 400) + ss_ackall() + ss_tick(0x8000 | 200))


# ---- receive_path ----
def rp_tcp(target, port, flags, seq_off, ack_off, window, length, opts, at=0, xor=0):
    return (u8(1) + u8(target) + u16(port) + u8(flags) + i16(seq_off) + i16(ack_off) + u16(window) + u16(length)
            + u8(opts) + u16(at) + u8(xor))
def rp_udp(port, length, opts): return u8(2) + u16(port) + u16(length) + u8(opts) + u16(0) + u8(0)
def rp_icmp(t, code, length, opts): return u8(3) + u8(t) + u8(code) + u16(length) + u8(opts) + u16(0) + u8(0)
def rp_arp(op, sender, host, target, opts): return u8(4) + u16(op) + u8(sender) + u8(host) + u8(target) + u8(opts)
def rp_tick(ms): return u8(5) + u16(ms)
def rp_accept(l): return u8(6) + u8(l)
def rp_send(s, n): return u8(7) + u8(s) + u16(n)
def rp_recv(s, n): return u8(8) + u8(s) + u16(n)
def rp_close(s): return u8(9) + u8(s)
def rp_connect(port): return u8(10) + u16(port)
def rp_ipspecial(flags, proto, ttl, length): return u8(11) + u8(flags) + u8(proto) + u8(ttl) + u16(length)

ACK, PSH, FIN, SYN, RST = 0x10, 0x08, 0x01, 0x02, 0x04


def receive_path():
    write("receive_path", "data-exchange", u8(3) + rp_tcp(0, 0, ACK | PSH, 0, 0, 8192, 300, 0) + rp_recv(0, 1000)
          + rp_send(0, 2000) + rp_tcp(0, 0, ACK, 0, 0, 8192, 0, 0) + rp_tick(50) + rp_tcp(1, 0, ACK | FIN, 0, 0, 8192, 0, 0)
          + rp_recv(1, 100) + rp_close(1) + rp_tick(3000))
    write("receive_path", "listener-syns", u8(0) + rp_tcp(3, 0x8000, SYN, 0, 0, 1000, 0, 2) + rp_tcp(3, 0x8001, SYN, 0, 0, 1000, 0, 3)
          + rp_tcp(3, 0x1234, SYN, 0, 0, 1000, 0, 0) + rp_tcp(3, 0x8000, ACK, 1, 1, 1000, 0, 0) + rp_accept(0) + rp_tick(0x8000 | 200))
    write("receive_path", "arp-icmp-udp", u8(1) + rp_arp(1, 1, 9, 1, 0) + rp_arp(2, 0, 0, 0, 2) + rp_arp(1, 2, 0, 1, 4)
          + rp_arp(1, 0, 3, 20, 8) + rp_arp(1, 0, 2, 1, 16) + rp_icmp(0, 0, 56, 0) + rp_icmp(0, 0, 56, 1) + rp_udp(0x8000, 20, 0) + rp_udp(9999, 20, 0) + rp_recv(5, 100)
          + rp_send(5, 100) + rp_tick(2000))
    write("receive_path", "corrupt-and-special", u8(2) + rp_tcp(0, 0, ACK, 0, 0, 8192, 40, 32, 30, 0xff)
          + rp_udp(5353, 10, 4) + rp_ipspecial(1, 17, 64, 20) + rp_ipspecial(8, 6, 64, 40) + rp_ipspecial(16, 1, 64, 8)
          + rp_ipspecial(0, 47, 1, 30) + rp_tcp(1, 0, RST, 0, 0, 0, 0, 0) + rp_tcp(1, 0, RST, 5, 0, 0, 0, 0))
    write("receive_path", "connect-out", u8(1) + rp_connect(8080) + rp_tick(1200) + rp_tcp(3, 8080, SYN | ACK, 0, 0, 5000, 0, 2)
          + rp_tcp(3, 0x0123, ACK, 0, 0, 5000, 0, 8) + rp_tick(0x8000 | 100))


# ---- dhcp_client ----
def dc_reply(mtype, bits, yi, server, prefix, lease, t1=0, t2=0, dns=1, raw_yi=None):
    out = u8(0) + u8(mtype - 1) + u8(bits) + u8(yi) + u8(server) + u8(prefix) + u32(lease) + u32(t1) + u32(t2) + u8(dns)
    if yi == 0:
        out += u32(raw_yi or 0)
    return out
def dc_tick(secs, ms=0): return u8(2) + u16(secs) + u16(ms)
OFFER, ACK_T, NAK = 2, 5, 6


def dhcp_client():
    write("dhcp_client", "bind-renew-rebind", u64(1) + u8(0) + dc_reply(OFFER, 0, 50, 1, 24, 3600)
          + dc_reply(ACK_T, 16 | 32, 50, 1, 24, 3600) + dc_tick(1900) + dc_reply(ACK_T, 16, 50, 1, 24, 3600)
          + dc_tick(1900) + dc_tick(1400) + dc_tick(800))
    write("dhcp_client", "fallback", u64(2) + u8(1) + dc_tick(5) + dc_tick(10) + dc_tick(20) + dc_reply(OFFER, 0, 60, 1, 24, 100))
    write("dhcp_client", "nak-and-retries", u64(3) + u8(1) + dc_reply(OFFER, 0, 70, 2, 16, 600) + dc_tick(5) + dc_tick(9)
          + dc_reply(NAK, 0, 70, 2, 16, 0) + dc_reply(OFFER, 64 | 128, 71, 2, 8, 60, 20, 40)
          + dc_reply(ACK_T, 1, 71, 2, 8, 60) + dc_reply(ACK_T, 0, 71, 2, 8, 60, 20, 40) + dc_tick(21) + dc_reply(NAK, 0, 0, 2, 0, 0))
    write("dhcp_client", "short-lease-expiry", u64(4) + u8(0) + dc_reply(OFFER, 0, 80, 3, 30, 10)
          + dc_reply(ACK_T, 16 | 32, 80, 3, 30, 10, 5, 8) + dc_tick(6) + dc_tick(3) + dc_tick(2) + dc_tick(20))


if __name__ == "__main__":
    segment_script()
    receive_path()
    dhcp_client()

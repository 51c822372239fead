#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ (standard library only).

Each seed is a small, meaningful input in the target's input format (documented at the top of
fuzz/<path>/<unit>_fuzz.cpp): realistic command lines, QEMU-like PVH start_info windows and
E820 maps, QEMU 7.2 q35/microvm ACPI table sets, symbol blobs as kernel/tools/gen_symbols.py
writes them, allocator/page-table scripts, and ELF executables laid out as musl, lld and glibc
lay them out. Seeds are named seed-<what>; files a campaign
merged in (named by their SHA-1) are left alone. Run it again after changing a format:

    python3 fuzz/tools/gen_seeds.py [--out fuzz/corpus]
"""

import argparse
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def u8(v):
    return struct.pack("<B", v)


def u16(v):
    return struct.pack("<H", v)


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


# ---- cmdline: the raw command line ----

def cmdline_seeds():
    return {
        "qemu-microvm": b"earlyprintk=ttyS0 console=ttyS0 reboot=t panic=-1 test=all "
                        b"virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=512@0xfeb00c00:11",
        "selftests": b"log=debug test=frame_allocator,paging,heap,timer,page_fault poweroff=debug-exit",
        "bad-options": b"log=loud bogus=1 test=heap,nosuchtest poweroff= =x test=Bad! virtio_mmio.device=0@0x1000:5",
        "sizes-and-ids": b"virtio_mmio.device=4K@0xd0000000:5:0 virtio_mmio.device=1G@0x100000000:40:7 "
                         b"virtio_mmio.device=0x200@4096:3 log=trace poweroff=halt",
        "separators": b"\tlog=warn\r\ntest=a,b,c,d,e,f,g,h\n\ntest=i  console=hvc0 earlyprintk",
        "too-long": b"test=heap " + b"x" * 600 + b" log=error",
        "empty": b"",
    }


# ---- start_info: u32 offset of hvm_start_info, the input is physical memory [0, size) ----

START_INFO_MAGIC = 0x336EC578


def e820(entries):
    return b"".join(u64(base) + u64(length) + u32(kind) for base, length, kind in entries)


def start_info_window(version=1, memmap=None, cmdline=b"", modules=(), rsdp=0, size=0x400):
    """A window with start_info at 0x40, the memory map at 0x80, modules at 0x200, cmdline at 0x280."""
    memmap = memmap if memmap is not None else []
    w = bytearray(size)
    info = 0x40
    w[0:4] = u32(info)
    header = u32(START_INFO_MAGIC) + u32(version) + u32(0) + u32(len(modules)) + u64(0x200 if modules else 0)
    header += u64(0x280 if cmdline else 0) + u64(rsdp) + u64(0x80 if memmap else 0) + u32(len(memmap)) + u32(0)
    w[info:info + len(header)] = header
    table = e820(memmap)
    w[0x80:0x80 + len(table)] = table
    for i, (phys, length) in enumerate(modules):
        w[0x200 + 32 * i:0x200 + 32 * i + 16] = u64(phys) + u64(length)
    w[0x280:0x280 + len(cmdline) + 1] = cmdline + b"\0"
    return bytes(w)


# What QEMU 7.2 reports for 256 MiB: low RAM, the EBDA/BIOS holes, RAM from 1 MiB.
QEMU_E820 = [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xF0000, 0x10000, 2), (0x100000, 0xFF00000, 1),
             (0xFEFFC000, 0x4000, 2), (0xFFFC0000, 0x40000, 2)]
MICROVM_E820 = [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xF0000, 0x10000, 4), (0x100000, 0xFF00000, 1)]


def start_info_seeds():
    return {
        "microvm": start_info_window(memmap=MICROVM_E820, rsdp=0xF5A40,
                                     cmdline=b"console=ttyS0 virtio_mmio.device=512@0xfeb00e00:12"),
        "q35-initrd": start_info_window(memmap=QEMU_E820, cmdline=b"test=all", modules=[(0x4000000, 0x123456)]),
        "no-cmdline": start_info_window(memmap=QEMU_E820),
        "version0": start_info_window(version=0, memmap=QEMU_E820),
        "cmdline-outside-ram": start_info_window(memmap=[(0x100000, 0x1000000, 1)], cmdline=b"log=debug"),
        "module-in-reserved": start_info_window(memmap=QEMU_E820, modules=[(0xF0000, 0x1000), (0x200000, 0x1000)]),
    }


# ---- memory_map: reserve count u8, reserve records, then 20-byte E820 entries ----

def memory_map_input(entries, reserves=()):
    out = u8(len(reserves)) + b"".join(u64(base) + u64(length) for base, length in reserves)
    return out + e820(entries)


def memory_map_seeds():
    kernel = (0x200000, 0x1F3000)  # The kernel image, as kernel_main reserves it.
    return {
        "qemu-256m": memory_map_input(QEMU_E820, [(0, 0x100000), kernel, (0x4000000, 0x123456)]),
        "microvm": memory_map_input(MICROVM_E820, [(0, 0x100000), kernel]),
        "q35-8g": memory_map_input([(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xF0000, 0x10000, 2),
                                    (0x100000, 0x7FEE0000, 1), (0x7FFE0000, 0x20000, 2), (0xB0000000, 0x10000000, 2),
                                    (0xFED1C000, 0x4000, 2), (0xFEFFC000, 0x4000, 2), (0xFFFC0000, 0x40000, 2),
                                    (0x100000000, 0x180000000, 1)], [(0, 0x100000), kernel]),
        "overlaps-unsorted": memory_map_input([(0x100800, 0x800000, 1), (0x100000, 0x1000, 3), (0x400000, 0x2000, 4),
                                               (0x3FF800, 0x1000, 5), (0x0, 0x80000, 1), (0x7F000, 0x3000, 1),
                                               (0x500000, 0, 2), (0x600000, 0x1000, 17)], [(0x3000, 1)]),
        "wrap-and-limit": memory_map_input([(0xFFFFFFFFFFFFF000, 0x2000, 1), (0xFFFFFFFFF000, 0xFFFFFFFFFFFFFFFF, 1),
                                            (0x1000, 0x1800, 1), (0x10000000000000, 0x1000, 1)],
                                           [(0xFFFFFFFFFFFFFFFF, 2), (0xFFFFFFFFE000, 0x10000)]),
    }


# ---- frame_allocator: { frames u16, base_frame u32 } then opcode scripts ----

def frame_allocator_seeds():
    def header(frames, base_frame):
        return u16(frames) + u32(base_frame)

    def alloc(count, align_byte=0):
        return u8(0) + u8(count) + u8(align_byte)

    def free_live(index):
        return u8(1) + u8(index)

    def free_any(frame, misalign, count):
        return u8(2) + struct.pack("<h", frame) + u8(misalign) + u8(count)

    def reserve(offset, size):
        return u8(3) + struct.pack("<i", offset) + u32(size)

    def add_free(offset, size):
        return u8(4) + struct.pack("<i", offset) + u32(size)

    def alloc_big(count, align_shift):
        return u8(5) + u16(count) + u8(align_shift)

    boot = header(300, 0x100) + add_free(0, 300 * 4096) + reserve(0, 16 * 4096) + alloc(1) + alloc(8, 3) + alloc(1)
    boot += free_live(1) + alloc(4, 2) + alloc_big(200, 0) + alloc_big(64, 6) + free_live(0) + alloc(1)
    errors = header(70, 7) + add_free(100, 65 * 4096) + alloc(0) + alloc(3, 0x83) + alloc(3, 0x80) + alloc(2)
    errors += free_any(0, 1, 1) + free_any(-1, 0, 1) + free_any(70, 0, 1) + free_any(5, 0, 1) + free_any(1, 0, 1)
    errors += free_any(1, 0, 3) + free_any(1, 0, 2) + free_any(1, 0, 2) + reserve(-4096, 8192) + add_free(-4096, 3 * 4096)
    wrap = header(64, 0xFFFFFFFF) + add_free(0, 0xFFFFFFFF) + alloc_big(64, 0) + alloc(1) + free_live(0) + alloc(1, 5)
    return {"boot": boot, "errors": errors, "high-base": wrap, "empty": header(0, 0) + alloc(1) + add_free(0, 4096)}


# ---- page_table: opcode scripts over two 8 MiB windows ----

def page_table_seeds():
    def rng(window, first, pages):
        return u8(window) + u16(first) + u16(pages - 1)

    def map_(window, first, pages, phys_sel, attrs):
        return u8(0) + rng(window, first, pages) + u32(phys_sel) + u8(attrs)

    def unmap(window, first, pages):
        return u8(1) + rng(window, first, pages)

    def protect(window, first, pages, access):
        return u8(2) + rng(window, first, pages) + u8(access)

    def budget(n):
        return u8(3) + u8(n)

    def raw(kind, virt, size, phys, attrs):
        return u8(4) + u8(kind) + u64(virt) + u64(size) + u64(phys) + u8(attrs)

    def translate(virt):
        return u8(5) + u64(virt)

    block = lambda n: (n << 1) | 1  # A 2 MiB-aligned physical block.
    page = lambda n: n << 1
    RW, RX, RO, USER, UC, SMALL = 1, 2, 0, 4, 8, 16
    large = map_(0, 512, 1024, block(3), RW) + unmap(0, 700, 10) + protect(0, 1024, 512, RX) + translate(0x7FC00000 + 0x300000)
    large += map_(1, 0, 2048, block(8), RO) + protect(1, 100, 1, RW) + unmap(1, 0, 2048) + map_(0, 0, 1, page(77), RW | USER)
    oom = budget(2) + map_(0, 0, 600, page(5), RW) + budget(0) + map_(0, 512, 512, block(1), RX) + protect(0, 520, 4, RW)
    oom += budget(0xFF) + map_(1, 1000, 100, page(1000), RW | UC) + budget(1) + unmap(1, 1010, 3)
    refusals = raw(0, 0x7FFFFFFFF000, 0x2000, 0x1000, RW) + raw(0, 0xFFFF800000000000, 0x1000, 0x1000, RW | USER)
    refusals += raw(1, 0x1000, 0, 0, 0) + raw(2, 0x1001, 0x1000, 0, 0) + raw(0, 0x1000, 0x1000, 0xFFFFFFFFFF000, RW)
    refusals += raw(0, 0x200000, 0x400000, 0x200000, RW | SMALL) + raw(2, 0x300000, 0x1000, 0, RX) + raw(1, 0x200000, 0x400000, 0, 0)
    refusals += map_(0, 0, 4, page(1), RW) + map_(0, 2, 4, page(9), RW) + unmap(0, 3, 4) + translate(0x8000000000000000)
    return {"large-pages": large, "out-of-memory": oom, "refusals": refusals}


# ---- acpi_tables: rsdp_hint u64, then { base u64, length u16, bytes } regions ----

def checksum_fix(b, at, length):
    b[at] = 0
    b[at] = (-sum(b[:length])) & 0xFF


class Sdt:
    """An ACPI system description table as QEMU builds it (header fields, body at fixed offsets)."""

    def __init__(self, signature, revision, length):
        self.b = bytearray(length)
        self.b[0:4] = signature
        self.b[8] = revision
        self.b[10:16] = b"BOCHS "
        self.b[16:24] = b"BXPC    "
        self.b[24:28] = u32(1)
        self.b[28:32] = b"BXPC"
        self.b[32:36] = u32(1)

    def put(self, at, data):
        self.b[at:at + len(data)] = data
        return self

    def gas(self, at, space, width, address):
        return self.put(at, bytes([space, width, 0, 0]) + u64(address))

    def append(self, data):
        self.b += data
        return self

    def finish(self):
        self.b[4:8] = u32(len(self.b))
        checksum_fix(self.b, 9, len(self.b))
        return bytes(self.b)


def rsdp(revision, rsdt_address, xsdt_address=0):
    b = bytearray(36 if revision >= 2 else 20)
    b[0:8] = b"RSD PTR "
    b[9:15] = b"BOCHS "
    b[15] = revision
    b[16:20] = u32(rsdt_address)
    if revision >= 2:
        b[20:24] = u32(36)
        b[24:32] = u64(xsdt_address)
    checksum_fix(b, 8, 20)
    if revision >= 2:
        checksum_fix(b, 32, 36)
    return bytes(b)


def madt(flags, entries):
    t = Sdt(b"APIC", 1, 44).put(36, u32(0xFEE00000)).put(40, u32(flags))
    for e in entries:
        t.append(e)
    return t.finish()


def lapic(uid, apic_id, flags):
    return bytes([0, 8, uid, apic_id]) + u32(flags)


def ioapic(apic_id, address, gsi_base):
    return bytes([1, 12, apic_id, 0]) + u32(address) + u32(gsi_base)


def override(bus, source, gsi, flags):
    return bytes([2, 10, bus, source]) + u32(gsi) + u16(flags)


def dsdt(s5_elements):
    """A DSDT body with some AML around \\_S5, including a decoy "_S5_" inside a string."""
    s5 = bytes([0x08]) + b"_S5_" + bytes([0x12, 2 + len(s5_elements), 4]) + bytes(s5_elements)
    body = bytes([0x10, 0x1E]) + b"\\_SB_" + bytes([0x5B, 0x82, 0x17]) + b"PCI0" + bytes([0x08]) + b"_HID"
    body += bytes([0x0C, 0x41, 0xD0, 0x0A, 0x08, 0x08]) + b"_UID" + bytes([0x00, 0x0D]) + b"_S5_" + bytes([0x00])
    body += s5 + bytes([0x14, 0x09]) + b"_PTS" + bytes([0x01, 0x70, 0x68, 0x60])
    return Sdt(b"DSDT", 1, 36).append(body).finish()


def q35_fadt(facs, dsdt_address):
    t = Sdt(b"FACP", 3, 244).put(36, u32(facs)).put(40, u32(dsdt_address)).put(46, u16(9)).put(48, u32(0xB2))
    t.put(52, bytes([2, 3])).put(56, u32(0x600)).put(64, u32(0x604)).put(76, u32(0x608)).put(80, u32(0x620))
    t.put(88, bytes([4, 2, 0, 4, 0x10])).put(96, u16(0xFFF) + u16(0xFFF)).put(108, bytes([0x32])).put(112, u32(0x84A5))
    t.gas(116, 1, 8, 0xCF9).put(128, bytes([0x0F])).put(140, u64(dsdt_address))
    t.gas(148, 1, 32, 0x600).gas(172, 1, 16, 0x604).gas(208, 1, 32, 0x608).gas(220, 1, 128, 0x620)
    return t.finish()


def microvm_fadt(dsdt_address, sleep_base=0xFEA00200):
    t = Sdt(b"FACP", 5, 268).put(131, bytes([1])).put(112, u32((1 << 20) | (1 << 10)))
    t.gas(116, 0, 8, sleep_base + 2).put(128, bytes([0x42])).put(140, u64(dsdt_address))
    return t.gas(244, 0, 8, sleep_base).gas(256, 0, 8, sleep_base + 1).finish()


def mcfg(entries):
    t = Sdt(b"MCFG", 1, 44)
    for base, segment, start, end in entries:
        t.append(u64(base) + u16(segment) + bytes([start, end]) + u32(0))
    return t.finish()


def acpi_input(hint, regions):
    out = u64(hint)
    for base, data in regions:
        out += u64(base) + u16(len(data)) + data
    return out


TABLES = 0x7FE0000
BDA_EBDA = (0x40E, u16(0x9FC0))  # The BIOS data area word naming the EBDA segment.


def q35_tables():
    root, facp, dsdt_at, apic = TABLES + 0x2349, TABLES + 0x20F1, TABLES + 0x40, TABLES + 0x21E5
    hpet, mcfg_at, waet = TABLES + 0x2265, TABLES + 0x229D, TABLES + 0x22D9
    rsdt = Sdt(b"RSDT", 1, 36).append(b"".join(u32(a) for a in (facp, apic, hpet, mcfg_at, waet))).finish()
    q35_madt = madt(1, [lapic(0, 0, 1), ioapic(0, 0xFEC00000, 0), override(0, 0, 2, 0), override(0, 5, 5, 0xD),
                        override(0, 9, 9, 0xD), override(0, 10, 10, 0xD), override(0, 11, 11, 0xD), bytes([4, 6, 0xFF, 0, 0, 1])])
    return [BDA_EBDA, (0xF52D0, rsdp(0, root)), (root, rsdt), (facp, q35_fadt(TABLES, dsdt_at)), (dsdt_at, dsdt([0, 0, 0, 0])),
            (apic, q35_madt), (hpet, Sdt(b"HPET", 1, 56).finish()), (mcfg_at, mcfg([(0xB0000000, 0, 0, 255)])),
            (waet, Sdt(b"WAET", 1, 40).finish())]


def microvm_tables():
    root, facp, dsdt_at, apic = TABLES + 0x1A8, TABLES + 0x204, TABLES + 0x40, 0x100000010
    xsdt = Sdt(b"XSDT", 1, 36).append(u64(facp) + u64(apic)).finish()
    micro_madt = madt(0, [lapic(0, 0, 1), ioapic(0, 0xFEC00000, 0), override(0, 0, 2, 0)])
    return [(0xF5A40, rsdp(2, 0, root)), (root, xsdt), (facp, microvm_fadt(dsdt_at)),
            (dsdt_at, dsdt([0x0A, 0x05, 0, 0, 0])), (apic, micro_madt)]


def acpi_tables_seeds():
    q35 = q35_tables()
    microvm = microvm_tables()
    # -M pc with the RSDP in the EBDA, an ACPI 2.0 RSDP with both roots, a long MADT.
    pc_root = TABLES + 0x100
    many_cpus = madt(1, [lapic(i, i, 1 if i < 4 else 2) for i in range(70)] + [ioapic(i, 0xFEC00000 + 0x1000 * i, 24 * i) for i in range(9)]
                     + [override(0, i, i + 16, 0xF) for i in range(18)] + [bytes([5, 12, 0, 0]) + u64(0xFEE00000)])
    pc = [BDA_EBDA, (0x9FC00 + 0x40, rsdp(2, pc_root, TABLES + 0x200)), (pc_root, Sdt(b"RSDT", 1, 36).append(u32(TABLES + 0x300)).finish()),
          (TABLES + 0x200, Sdt(b"XSDT", 1, 36).append(u64(TABLES + 0x300) + u64(TABLES + 0x900) + u64(0)).finish()),
          (TABLES + 0x300, many_cpus),
          (TABLES + 0x900, mcfg([(0xB0000000 + (i << 28), i, 0, 255 - i) for i in range(10)] + [(0xE0000000, 0, 5, 4)]))]
    return {
        "q35-seabios": acpi_input(0, q35),
        "microvm": acpi_input(0xF5A40, microvm),
        "microvm-io-sleep": acpi_input(0xF5A40, microvm[:2] + [(TABLES + 0x204, microvm_fadt(TABLES + 0x40, 0x600))] + microvm[3:]),
        "pc-ebda-xsdt": acpi_input(0, pc),
        "rsdp-only": acpi_input(0xF5A40, [(0xF5A40, rsdp(2, 0x1000, 0x2000))]),
    }


# ---- symbols: the blob ----

def symbol_blob(symbols, padding=0):
    strings = b""
    entries = b""
    for address, name in symbols:
        encoded = name.encode()
        entries += u64(address) + u32(len(strings)) + u32(len(encoded))
        strings += encoded
    return u32(0x4D595342) + u32(len(symbols)) + entries + strings + b"\0" * padding


def symbols_seeds():
    base = 0xFFFFFFFF80200000
    kernel = [(base, "_pvh_start"), (base + 0x40, "long_mode_entry"), (base + 0x1000, "kernel_boot_entry"),
              (base + 0x1000, "kernel_boot_entry_alias"), (base + 0x1200, "kernel_main"),
              (base + 0x2000, "kernel::boot::CommandLine::parse(lib::StringView)"),
              (base + 0x2400, "kernel::mm::FrameAllocator::allocate(unsigned long, unsigned long)"),
              (base + 0x9000, "kernel::tests::crash_null_dereference()")]
    return {
        "empty": symbol_blob([]),
        "kernel": symbol_blob(kernel, padding=6),
        "one-long-name": symbol_blob([(0x1000, "f" * 127)]),
    }


# ---- elf: the executable file ----

PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE, PT_PHDR, PT_TLS = 1, 2, 3, 4, 6, 7
PT_GNU_EH_FRAME, PT_GNU_STACK, PT_GNU_RELRO, PT_GNU_PROPERTY = 0x6474E550, 0x6474E551, 0x6474E552, 0x6474E553
PF_X, PF_W, PF_R = 1, 2, 4


def elf_file(e_type, entry, headers, size):
    """An ELF64 x86-64 file of `size` bytes: the header, the program headers at 64, zeros after."""
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    header = ident + u16(e_type) + u16(62) + u32(1) + u64(entry) + u64(64) + u64(0) + u32(0)
    header += u16(64) + u16(56) + u16(len(headers)) + u16(64) + u16(0) + u16(0)
    table = b"".join(u32(t) + u32(f) + u64(off) + u64(va) + u64(va) + u64(fs) + u64(ms) + u64(al)
                     for t, f, off, va, fs, ms, al in headers)
    data = header + table
    return data + bytes(size - len(data))


def elf_seeds():
    # Layouts as the linkers write them (readelf -l of kernel/loader/testdata's programs), shrunk.
    musl_static = [(PT_LOAD, PF_R, 0, 0x400000, 0x1c8, 0x1c8, 0x1000),
                   (PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x281, 0x281, 0x1000),
                   (PT_LOAD, PF_R, 0x2000, 0x402000, 0x44, 0x44, 0x1000),
                   (PT_LOAD, PF_R | PF_W, 0x2fc0, 0x403fc0, 0x40, 0x7f8, 0x1000),
                   (PT_TLS, PF_R, 0x2fc0, 0x403fc0, 0, 4, 4),
                   (PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16),
                   (PT_GNU_RELRO, PF_R, 0x2fc0, 0x403fc0, 0x40, 0x40, 1)]
    lld_pie = [(PT_PHDR, PF_R, 0x40, 0x40, 0x1f8, 0x1f8, 8),
               (PT_LOAD, PF_R, 0, 0, 0x334, 0x334, 0x1000),
               (PT_LOAD, PF_R | PF_X, 0x340, 0x1340, 0x37b, 0x37b, 0x1000),
               (PT_LOAD, PF_R | PF_W, 0x6c0, 0x26c0, 0x100, 0x100, 0x1000),
               (PT_LOAD, PF_R | PF_W, 0x7c0, 0x37c0, 0x28, 0x7c8, 0x1000),
               (PT_DYNAMIC, PF_R | PF_W, 0x6d0, 0x26d0, 0xf0, 0xf0, 8),
               (PT_GNU_RELRO, PF_R, 0x6c0, 0x26c0, 0x100, 0x940, 1),
               (PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0)]
    glibc_pie = [(PT_LOAD, PF_R, 0, 0, 0x830, 0x830, 0x1000),
                 (PT_LOAD, PF_R | PF_X, 0x1000, 0x1000, 0x541, 0x541, 0x1000),
                 (PT_LOAD, PF_R, 0x2000, 0x2000, 0x254, 0x254, 0x1000),
                 (PT_LOAD, PF_R | PF_W, 0x2518, 0x3518, 0xd58, 0x1528, 0x1000),
                 (PT_DYNAMIC, PF_R | PF_W, 0x2d88, 0x3d88, 0x1b0, 0x1b0, 8),
                 (PT_NOTE, PF_R, 0x2e0, 0x2e0, 0x20, 0x20, 8),
                 (PT_TLS, PF_R, 0x2518, 0x3518, 0x18, 0x60, 8),
                 (PT_GNU_PROPERTY, PF_R, 0x2e0, 0x2e0, 0x20, 0x20, 8),
                 (PT_GNU_EH_FRAME, PF_R, 0x2100, 0x2100, 0x9c, 0x9c, 4),
                 (PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16),
                 (PT_GNU_RELRO, PF_R, 0x2518, 0x3518, 0xae8, 0xae8, 1)]
    interp = [(PT_PHDR, PF_R, 0x40, 0x40, 0xa8, 0xa8, 8), (PT_INTERP, PF_R, 0xe8, 0xe8, 0x19, 0x19, 1)] + lld_pie[1:3]
    exec_stack = musl_static[:4] + [(PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0, 16)]
    return {
        "musl-static": elf_file(2, 0x401047, musl_static, 0x3000),
        "lld-static-pie": elf_file(3, 0x1340, lld_pie, 0x800),
        "glibc-static-pie": elf_file(3, 0x1100, glibc_pie, 0x3270),
        "refused-interp": elf_file(3, 0x1340, interp, 0x800),
        "refused-exec-stack": elf_file(2, 0x401047, exec_stack, 0x3000),
    }


SEEDS = {
    "cmdline": cmdline_seeds,
    "start_info": start_info_seeds,
    "memory_map": memory_map_seeds,
    "frame_allocator": frame_allocator_seeds,
    "page_table": page_table_seeds,
    "acpi_tables": acpi_tables_seeds,
    "symbols": symbols_seeds,
    "elf": elf_seeds,
}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "fuzz", "corpus"), help="corpus root (default fuzz/corpus)")
    args = parser.parse_args(argv)
    for target, make in SEEDS.items():
        folder = os.path.join(args.out, target)
        os.makedirs(folder, exist_ok=True)
        for name, data in make().items():
            assert len(data) < 64 * 1024, (target, name)
            with open(os.path.join(folder, "seed-" + name), "wb") as f:
                f.write(data)
        print(f"{target}: {len(make())} seeds in {os.path.relpath(folder, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

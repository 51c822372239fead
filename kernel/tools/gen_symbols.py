#!/usr/bin/env python3
# Writes the kernel's embedded symbol table (blob layout: kernel/lib/symbols.h) as an assembly
# file, and checks that embedding it moved no code or data between the two links (cmake/kernel.cmake).
"""Kernel symbol table generator.

  gen_symbols.py --empty --out FILE.S
      An empty table, for the first link.
  gen_symbols.py --nm NM --elf KERNEL.elf --out FILE.S
      The text symbols of KERNEL.elf (demangled by NM -C), for the second link.
  gen_symbols.py --nm NM --check PASS1.elf FINAL.elf
      Exit 1 unless every symbol outside .ksymtab has the same address in both links.

Standard library only. NM is llvm-nm (GNU nm works too): its System V output format gives each
symbol's section, which both modes need.
"""

import argparse
import struct
import subprocess
import sys

MAGIC = 0x4D595342  # "BSYM" as little-endian bytes; SymbolTable::magic.
MAX_NAME_BYTES = 127  # SymbolTable::max_name_length.
ELLIPSIS = "\u2026"
TABLE_SECTION = ".ksymtab"
START_LABEL = "__bulwark_symbols_start"
END_LABEL = "__bulwark_symbols_end"

# ELF64 constants (System V gABI, "Sections").
SHF_ALLOC = 0x2
SHF_EXECINSTR = 0x4
SHT_NOBITS = 8


class Symbol:
    def __init__(self, name, address, kind, elf_type, section):
        self.name = name
        self.address = address
        self.kind = kind  # nm's one-letter class: T, t, W, D, ...
        self.elf_type = elf_type  # FUNC, OBJECT, NOTYPE, ...
        self.section = section


def fail(message):
    sys.stderr.write("gen_symbols.py: error: %s\n" % message)
    sys.exit(1)


def run_nm(nm, elf, demangle):
    """All defined symbols of `elf`, via nm's System V format ("name|value|class|type|size|line|section")."""
    command = [nm, "-n", "--defined-only", "--format=sysv"]
    if demangle:
        command.append("-C")
    command.append(elf)
    try:
        output = subprocess.run(command, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        detail = e.stderr.decode(errors="replace").strip() if hasattr(e, "stderr") and e.stderr else str(e)
        fail("%s failed on %s: %s" % (nm, elf, detail))
    symbols = []
    for raw in output.decode("utf-8", errors="replace").splitlines():
        # A demangled name can contain '|' (operator||), so split the six fixed fields off the right.
        fields = raw.rsplit("|", 6)
        if len(fields) != 7:
            continue
        name, value, kind, elf_type, _size, _line, section = (f.strip() for f in fields)
        try:
            address = int(value, 16)
        except ValueError:
            continue  # The column header line.
        if name:
            symbols.append(Symbol(name, address, kind, elf_type, section))
    return symbols


def executable_sections(elf):
    """{name: (address, size)} for each allocated, executable section of an ELF64 little-endian file."""
    try:
        with open(elf, "rb") as f:
            data = f.read()
    except OSError as e:
        fail("cannot read %s: %s" % (elf, e))
    if data[:4] != b"\x7fELF" or len(data) < 64 or data[4] != 2 or data[5] != 1:
        fail("%s is not a little-endian ELF64 file" % elf)
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    if shentsize != 64 or shoff + shnum * shentsize > len(data) or shstrndx >= shnum:
        fail("%s has a malformed section header table" % elf)

    def header(index):
        return struct.unpack_from("<IIQQQQIIQQ", data, shoff + index * shentsize)

    names_offset = header(shstrndx)[4]
    sections = {}
    for index in range(shnum):
        name_index, sh_type, flags, address, _offset, size = header(index)[:6]
        end = data.find(b"\0", names_offset + name_index)
        name = data[names_offset + name_index:end].decode(errors="replace")
        if flags & SHF_ALLOC and flags & SHF_EXECINSTR and sh_type != SHT_NOBITS:
            sections[name] = (address, size)
    return sections


def truncate(name):
    """The name as UTF-8, at most MAX_NAME_BYTES long; a cut name ends with an ellipsis."""
    encoded = name.encode("utf-8")
    if len(encoded) <= MAX_NAME_BYTES:
        return encoded
    budget = MAX_NAME_BYTES - len(ELLIPSIS.encode("utf-8"))
    while len(name.encode("utf-8")) > budget:
        name = name[:-1]
    return (name + ELLIPSIS).encode("utf-8")


def text_symbols(nm, elf):
    """One (address, name) per code address, sorted by address.

    A symbol counts as code when nm calls it text (t/T, or w/W for weak) and its address lies
    inside the executable section it belongs to; linker-script markers such as __text_end sit on
    section boundaries and are dropped. Where several names share an address, a function
    (STT_FUNC) beats an assembly label, a global beats a local, then the shorter name wins.
    """
    sections = executable_sections(elf)
    best = {}
    for s in run_nm(nm, elf, demangle=True):
        if s.kind not in ("t", "T", "w", "W") or s.section not in sections:
            continue
        start, size = sections[s.section]
        if not start <= s.address < start + size:
            continue
        rank = (s.elf_type != "FUNC", s.kind.islower(), len(s.name), s.name)
        if s.address not in best or rank < best[s.address][0]:
            best[s.address] = (rank, s.name)
    return sorted((address, name) for address, (_rank, name) in best.items())


def write_table(out, symbols):
    """Writes FILE.S: the blob of kernel/lib/symbols.h between the two global labels."""
    strings = bytearray()
    entries = []
    for address, name in symbols:
        encoded = truncate(name)
        entries.append((address, len(strings), len(encoded)))
        strings += encoded
    lines = [
        "/* Generated by kernel/tools/gen_symbols.py: the kernel symbol table (kernel/lib/symbols.h). */",
        '\t.section %s, "a", @progbits' % TABLE_SECTION,
        "\t.balign 8",
        "\t.globl %s" % START_LABEL,
        "%s:" % START_LABEL,
        "\t.long 0x%08x, %d" % (MAGIC, len(entries)),
    ]
    for address, offset, length in entries:
        lines.append("\t.quad 0x%016x\n\t.long %d, %d" % (address, offset, length))
    for i in range(0, len(strings), 16):
        lines.append("\t.byte " + ", ".join("0x%02x" % b for b in strings[i:i + 16]))
    lines += [
        "\t.globl %s" % END_LABEL,
        "%s:" % END_LABEL,
        '\t.section .note.GNU-stack, "", @progbits',
        "",
    ]
    try:
        with open(out, "w") as f:
            f.write("\n".join(lines))
    except OSError as e:
        fail("cannot write %s: %s" % (out, e))


def addresses_by_name(nm, elf):
    """{mangled name: sorted addresses} for every symbol outside the table, and the table's start."""
    table_start = None
    by_name = {}
    for s in run_nm(nm, elf, demangle=False):
        if s.name == START_LABEL:
            table_start = s.address
        if s.name in (START_LABEL, END_LABEL) or s.section == TABLE_SECTION:
            continue
        by_name.setdefault(s.name, []).append(s.address)
    if table_start is None:
        fail("%s has no %s: the symbol table object was not linked in" % (elf, START_LABEL))
    return table_start, {name: sorted(addresses) for name, addresses in by_name.items()}


def check(nm, pass1, final):
    """Every symbol that is not in .ksymtab must be where the first link put it.

    Symbols in .ksymtab include, besides the table, what the linker script defines after it
    (__kernel_end and the like): those move with the table's size, by design.
    """
    start1, first = addresses_by_name(nm, pass1)
    start2, second = addresses_by_name(nm, final)
    problems = []
    if start1 != start2:
        problems.append("%s moved: %#x -> %#x" % (START_LABEL, start1, start2))
    for name in sorted(set(first) | set(second)):
        a, b = first.get(name), second.get(name)
        if a is None or b is None:
            problems.append("%s is only in %s" % (name, pass1 if b is None else final))
        elif a != b:
            problems.append("%s moved: %s -> %s" % (name, ", ".join("%#x" % x for x in a),
                                                   ", ".join("%#x" % x for x in b)))
    if problems:
        sys.stderr.write("gen_symbols.py: error: the symbol table moved code or data between the links,\n"
                         "so the embedded addresses would be wrong (%s must be the last section):\n" % TABLE_SECTION)
        for p in problems[:20]:
            sys.stderr.write("  %s\n" % p)
        if len(problems) > 20:
            sys.stderr.write("  ... and %d more\n" % (len(problems) - 20))
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--empty", action="store_true", help="write an empty table")
    parser.add_argument("--nm", help="the nm program (llvm-nm-14)")
    parser.add_argument("--elf", help="the first link's kernel ELF")
    parser.add_argument("--out", help="the assembly file to write")
    parser.add_argument("--check", nargs=2, metavar=("PASS1.elf", "FINAL.elf"),
                        help="verify that no symbol outside .ksymtab moved between the links")
    args = parser.parse_args()

    if args.empty and args.out and not (args.elf or args.check):
        write_table(args.out, [])
    elif args.nm and args.elf and args.out and not (args.empty or args.check):
        write_table(args.out, text_symbols(args.nm, args.elf))
    elif args.nm and args.check and not (args.empty or args.elf or args.out):
        check(args.nm, args.check[0], args.check[1])
    else:
        parser.error("use one of: --empty --out F | --nm NM --elf E --out F | --nm NM --check P1 P2")


if __name__ == "__main__":
    main()

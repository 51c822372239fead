"""Builds QEMU command lines for Bulwark images: one place that knows the machines, the
accelerator choice (KVM when /dev/kvm is usable, else TCG) and the devices tests rely on.
Used by ./bulwark run, the boot tests and bench/."""

import json
import os
import shutil
import subprocess

MACHINES = ("microvm", "q35", "pc")

# isa-debug-exit: the kernel writes a status to port 0xf4 and QEMU exits with (status << 1) | 1.
EXIT_SUCCESS = (0x10 << 1) | 1   # 33
EXIT_FAILURE = (0x11 << 1) | 1   # 35
EXIT_PANIC = (0x12 << 1) | 1     # 37


KVM_CPU = "host"
_kvm_status = None


def kvm_status():
    """(usable, reason). KVM is usable when /dev/kvm opens read-write *and* QEMU can create and run
    a vCPU with the CPU model we use (-cpu host): some nested-virtualization hosts expose /dev/kvm
    but fail there (e.g. "failed to set MSR 0x10a", an assertion that aborts QEMU). The probe asks
    QEMU itself over QMP: it starts paused, and the QMP greeting comes only once the machine is
    built and reset (the vCPU registers, MSRs included, written); then `cont` lets the vCPU run
    and `query-status` must answer "running". A QEMU that dies on the way is a no, whatever the
    load: an earlier probe that took "still alive after one second" for a yes said yes on a
    loaded machine, where QEMU had not yet reached the failing MSR write."""
    global _kvm_status
    if _kvm_status is not None:
        return _kvm_status
    path = "/dev/kvm"
    if not os.path.exists(path):
        _kvm_status = (False, "no /dev/kvm")
        return _kvm_status
    if not os.access(path, os.R_OK | os.W_OK):
        _kvm_status = (False, "/dev/kvm is not readable and writable by this user")
        return _kvm_status
    requests = "".join(json.dumps({"execute": c}) + "\n" for c in ("qmp_capabilities", "cont", "query-status", "quit"))
    try:
        probe = subprocess.run(
            [qemu_binary(), "-M", "microvm", "-accel", "kvm", "-cpu", KVM_CPU, "-m", "16M", "-S",
             "-nodefaults", "-no-user-config", "-display", "none", "-serial", "none", "-qmp", "stdio"],
            input=requests, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        _kvm_status = (False, f"QEMU with -accel kvm -cpu {KVM_CPU} did not answer QMP within 60 s")
        return _kvm_status
    running = any('"running": true' in line for line in probe.stdout.splitlines())
    if running:
        _kvm_status = (True, "KVM")
    else:
        first = probe.stderr.strip().splitlines()
        _kvm_status = (False, f"QEMU cannot run a KVM vCPU with -cpu {KVM_CPU}: "
                              f"{first[0] if first else 'exit status %d' % probe.returncode}")
    return _kvm_status


def kvm_usable():
    return kvm_status()[0]


def choose_accel(requested="auto"):
    if requested == "auto":
        return "kvm" if kvm_usable() else "tcg"
    if requested == "kvm" and not kvm_usable():
        raise SystemExit(f"bulwark: --accel kvm requested, but {kvm_status()[1]}")
    if requested not in ("kvm", "tcg"):
        raise SystemExit(f"bulwark: unknown accelerator '{requested}' (expected auto, kvm or tcg)")
    return requested


def qemu_binary():
    path = shutil.which("qemu-system-x86_64")
    if not path:
        raise SystemExit("bulwark: qemu-system-x86_64 not found; run ci/setup")
    return path


def command(kernel, machine="microvm", memory="256M", accel="tcg", cmdline="", debug_exit=True,
            extra=(), machine_options=""):
    """The QEMU command line. `machine_options` is appended to -M (e.g. "acpi=off")."""
    if machine not in MACHINES:
        raise SystemExit(f"bulwark: unknown machine '{machine}' (expected one of {', '.join(MACHINES)})")
    cpu = KVM_CPU if accel == "kvm" else "max"
    args = [qemu_binary(),
            "-M", machine + ("," + machine_options if machine_options else ""), "-accel", accel, "-cpu", cpu, "-m", memory, "-smp", "1",
            "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
            "-serial", "stdio", "-monitor", "none",
            "-kernel", kernel]
    if cmdline:
        args += ["-append", cmdline]
    if debug_exit:
        args += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    args += list(extra)
    return args

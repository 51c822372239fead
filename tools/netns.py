"""Network-namespace helpers shared by the net tests (tests/net/), the network benchmark (bench/)
and the whole-system fuzzer (tools/netfuzz.py): running commands and programs inside a namespace,
checking that this machine can create one, and `tc netem` when the kernel has it. All traffic the
callers make stays inside namespaces they create."""

import os
import shutil
import signal
import subprocess
import tempfile


def run(ns, *args, timeout=120, check=True, capture=True):
    """Runs a command inside namespace `ns`; raises RuntimeError with its output on failure."""
    command = ["ip", "netns", "exec", ns, *args]
    result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=capture, timeout=timeout)
    if check and result.returncode != 0:
        out = (result.stdout or b"").decode(errors="replace") + (result.stderr or b"").decode(errors="replace")
        raise RuntimeError(f"{' '.join(args)} exited {result.returncode}:\n{out}")
    return result


def prerequisites(tools=("ip",)):
    """None when namespaces with TAP devices can be made here, else the reason they cannot."""
    if os.geteuid() != 0:
        return "needs root to create a network namespace"
    for tool in tools:
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


def netem_available(ns, dev):
    """True when the kernel has sch_netem (this is asked by trying it on `dev`)."""
    r = run(ns, "tc", "qdisc", "add", "dev", dev, "root", "netem", "delay", "0ms", check=False)
    if r.returncode == 0:
        run(ns, "tc", "qdisc", "del", "dev", dev, "root", check=False)
        return True
    return False


def apply_netem(ns, dev, impair):
    """Shapes `dev`'s transmit side with netem from "loss=5,reorder=10,duplicate=1" (percentages)."""
    spec = dict(kv.split("=") for kv in impair.split(","))
    netem = ["tc", "qdisc", "add", "dev", dev, "root", "netem", "delay", "1ms"]
    for key in ("loss", "reorder", "duplicate"):
        if key in spec:
            netem += [key, spec[key] + "%"]
    run(ns, *netem)


class NsProcess:
    """A program started inside a namespace, its output kept in a temporary file."""

    def __init__(self, ns, args):
        self.args = args
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(["ip", "netns", "exec", ns, *args], stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=subprocess.STDOUT)

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self, sig=signal.SIGTERM):
        """Signals the program (SIGTERM: programs print their counters), waits, returns its output."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.output()

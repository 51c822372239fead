"""./bulwark fuzz: fuzzing campaigns over the targets of cmake/fuzz.cmake (see fuzz/README.md).

  ./bulwark fuzz [TARGET...] [--time SECONDS] [--engine libfuzzer|afl] [--jobs N] [--coverage]

For each target (default: all), fuzz for --time seconds (default 60), merge inputs that reach new
coverage into fuzz/corpus/<target>/ (libFuzzer -merge=1), minimize every crash into
fuzz/regressions/<target>/ and print the command that reproduces it, then print execs/s, edges
covered, new corpus entries and crashes per target. Exit status 1 when any crash was found. A
crash does not end a target's campaign: libFuzzer starts again until the time is spent.

--engine afl builds the same targets with afl-clang-fast++ and AFL++'s libFuzzer driver into
build/fuzz-afl/ and runs afl-fuzz; merging and minimizing still use the libFuzzer build.
--coverage builds with clang source-based coverage into build/fuzz-coverage/, replays the corpus
and the regressions, writes llvm-cov reports (HTML and text) there, and prints line, region and
branch coverage per target, plus branch coverage of its parser functions (parse, checked, next...).

Standard library only. Wired into tools/bulwark.py by add_subcommand(); also runs alone:
python3 tools/fuzz.py --help.
"""

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD_DIR = os.environ.get("BULWARK_BUILD_DIR", os.path.join(ROOT, "build"))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
REGRESSIONS = os.path.join(ROOT, "fuzz", "regressions")
DICTS = os.path.join(ROOT, "fuzz", "dict")
LLVM_COV = "llvm-cov-14"
LLVM_PROFDATA = "llvm-profdata-14"
# Per-input limits, as in the ctest tier (fuzz/tools/ctest_fuzz.py).
LIMITS = ["-timeout=10", "-rss_limit_mb=2048"]
MAX_RESTARTS = 20  # libFuzzer runs per campaign when crashes keep stopping it


def say(message):
    print(f"fuzz: {message}", flush=True)


def rel(path):
    return os.path.relpath(path, os.getcwd()) if path.startswith(ROOT) else path


def run_quiet(args, what, **kwargs):
    result = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", **kwargs)
    if result.returncode != 0:
        print(result.stdout[-6000:])
        say(f"{what} failed (exit status {result.returncode}): {' '.join(args)}")
        sys.exit(result.returncode or 1)
    return result.stdout


def files_in(folder):
    if not os.path.isdir(folder):
        return []
    return sorted(os.path.join(folder, f) for f in os.listdir(folder)
                  if not f.startswith(".") and os.path.isfile(os.path.join(folder, f)))


# ---- Builds ----

class Target:
    def __init__(self, name, binary, harness, sources):
        self.name = name
        self.binary = binary
        self.harness = harness
        self.sources = sources  # The code under test, relative to ROOT.

    @property
    def corpus(self):
        return os.path.join(CORPUS, self.name)

    @property
    def regressions(self):
        return os.path.join(REGRESSIONS, self.name)

    @property
    def dict(self):
        path = os.path.join(DICTS, self.name + ".dict")
        return path if os.path.isfile(path) else None


def read_manifest(build_dir):
    """The targets cmake/fuzz.cmake registered, from <build>/fuzz/targets.tsv."""
    targets = []
    with open(os.path.join(build_dir, "fuzz", "targets.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, binary, harness, sources = line.rstrip("\n").split("\t")
            targets.append(Target(name, binary, harness, [s for s in sources.split(";") if s]))
    return targets


def configure(build_dir, source_dir, extra):
    if os.path.exists(os.path.join(build_dir, "build.ninja")):
        return
    say(f"configuring {rel(build_dir)}/ ...")
    os.makedirs(build_dir, exist_ok=True)
    run_quiet(["cmake", "-G", "Ninja", "-S", source_dir, "-B", build_dir] + extra, "cmake configure")


def build(build_dir, names, jobs=None):
    """Builds the fuzz targets `names` (CMake targets <name>_fuzz) in `build_dir`."""
    say(f"building {len(names)} fuzz target(s) in {rel(build_dir)}/ ...")
    start = time.monotonic()
    args = ["cmake", "--build", build_dir, "--target"] + [n + "_fuzz" for n in names]
    if jobs:
        args += ["-j", str(jobs)]
    run_quiet(args, "build")
    say(f"built in {time.monotonic() - start:.1f} s")


def libfuzzer_targets(wanted, jobs=None):
    """Configures the main build when needed, builds the wanted libFuzzer targets."""
    configure(BUILD_DIR, ROOT, ["-DCMAKE_BUILD_TYPE=RelWithDebInfo"])
    # Re-run cmake's configure step cheaply so a target added to cmake/fuzz.cmake shows up.
    run_quiet(["cmake", BUILD_DIR], "cmake re-configure")
    targets = read_manifest(BUILD_DIR)
    names = [t.name for t in targets]
    unknown = [w for w in wanted if w not in names]
    if unknown:
        say(f"unknown target(s) {', '.join(unknown)}; targets: {', '.join(names)}")
        sys.exit(2)
    chosen = [t for t in targets if not wanted or t.name in wanted]
    build(BUILD_DIR, [t.name for t in chosen], jobs)
    return chosen


def flavour_targets(flavour, build_dir, chosen, jobs=None, compiler=None):
    """Builds `chosen` again in build_dir with another engine (afl, coverage): same sources."""
    extra = [f"-DBULWARK_FUZZ_ENGINE={flavour}", "-DCMAKE_BUILD_TYPE=", f"-DCMAKE_CXX_COMPILER={compiler or 'clang++-14'}"]
    configure(build_dir, os.path.join(ROOT, "fuzz"), extra)
    run_quiet(["cmake", build_dir], "cmake re-configure")
    build(build_dir, [t.name for t in chosen], jobs)
    by_name = {t.name: t for t in read_manifest(build_dir)}
    return [by_name[t.name] for t in chosen]


# ---- Crashes and corpus ----

def failing_inputs(binary, files):
    """The files among `files` that crash `binary` (each run on its own)."""
    failing = []
    for f in files:
        result = subprocess.run([binary] + LIMITS + [f], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if result.returncode != 0:
            failing.append(f)
    return failing


def first_problem(log):
    """One line saying what went wrong, from a libFuzzer/sanitizer log."""
    for pattern in (r"ORACLE FAILED.*", r"VERIFY failed.*", r"ERROR: AddressSanitizer: [^\n]*", r"runtime error: [^\n]*",
                    r"ERROR: libFuzzer: [^\n]*", r"==\d+==ERROR: [^\n]*", r"SUMMARY: [^\n]*"):
        m = re.search(pattern, log)
        if m:
            return m.group(0).strip()
    return "crash (see the log)"


def save_regression(target, artifact, fuzzer):
    """Minimizes `artifact` with the libFuzzer build into fuzz/regressions/<target>/; returns its path."""
    os.makedirs(target.regressions, exist_ok=True)
    with open(artifact, "rb") as f:
        data = f.read()
    kind = os.path.basename(artifact).split("-")[0] if "-" in os.path.basename(artifact) else "crash"
    if kind.startswith("id:"):
        kind = "crash"  # An AFL++ crash file.
    minimized = artifact + ".min"
    say(f"{target.name}: minimizing {os.path.basename(artifact)} ({len(data)} bytes) ...")
    subprocess.run([fuzzer, "-minimize_crash=1", "-runs=20000", "-max_total_time=60", f"-exact_artifact_path={minimized}"]
                   + LIMITS + [artifact], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if os.path.isfile(minimized) and failing_inputs(fuzzer, [minimized]):
        with open(minimized, "rb") as f:
            data = f.read()
    dest = os.path.join(target.regressions, f"{kind}-{hashlib.sha1(data).hexdigest()[:16]}")
    with open(dest, "wb") as f:
        f.write(data)
    log = subprocess.run([fuzzer] + LIMITS + [dest], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         errors="replace").stdout
    say(f"{target.name}: {first_problem(log)}")
    say(f"{target.name}: saved {rel(dest)} ({len(data)} bytes); reproduce: {rel(fuzzer)} {rel(dest)}")
    return dest


def seed_folders(target, fuzzer):
    """The corpus, and the regressions that no longer crash (a crashing seed would stop the run)."""
    regressions = files_in(target.regressions)
    still_failing = failing_inputs(fuzzer, regressions) if regressions else []
    for f in still_failing:
        say(f"{target.name}: regression {rel(f)} still fails; not used as a seed (reproduce: {rel(fuzzer)} {rel(f)})")
    return [target.corpus], [f for f in regressions if f not in still_failing]


def merge_into_corpus(target, fuzzer, new_folder):
    """libFuzzer -merge=1: inputs of new_folder that add coverage go into fuzz/corpus/<target>/."""
    os.makedirs(target.corpus, exist_ok=True)
    before = len(files_in(target.corpus))
    if files_in(new_folder):
        say(f"{target.name}: merging {len(files_in(new_folder))} new inputs into {rel(target.corpus)}/ ...")
        subprocess.run([fuzzer, "-merge=1"] + LIMITS + [target.corpus, new_folder], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return len(files_in(target.corpus)) - before


# ---- libFuzzer campaign ----

STATUS = re.compile(r"#(\d+)\s*:?\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/\S+ .*?exec/s: (\d+)")


def parse_libfuzzer(log):
    stats = {"cov": 0, "ft": 0, "execs_per_s": 0, "execs": 0}
    status = STATUS.findall(log)
    if status:
        execs, cov, ft, _corp, rate = status[-1]
        stats.update(cov=int(cov), ft=int(ft), execs=int(execs), execs_per_s=int(rate))
    fork = re.findall(r"#(\d+): cov: (\d+) ft: (\d+) corp: \d+ exec/s:? (\d+)", log)
    if fork:
        execs, cov, ft, rate = fork[-1]
        stats.update(cov=int(cov), ft=int(ft), execs=int(execs), execs_per_s=int(rate))
    final = dict(re.findall(r"stat::(\w+):\s+(\d+)", log))
    if "number_of_executed_units" in final:
        stats["execs"] = int(final["number_of_executed_units"])
        stats["execs_per_s"] = int(final.get("average_exec_per_sec", stats["execs_per_s"]))
    return stats


def watch(process, log_path, name, seconds, parse):
    """Waits for the campaign, printing progress every 15 s."""
    start = time.monotonic()
    next_report = start + 15
    while process.poll() is None:
        time.sleep(0.5)
        if time.monotonic() >= next_report and seconds > 20:
            next_report += 15
            with open(log_path, errors="replace") as f:
                s = parse(f.read())
            say(f"{name}: {time.monotonic() - start:4.0f}/{seconds} s  cov {s['cov']}  {s['execs_per_s']} exec/s")
    return process.returncode


def campaign_libfuzzer(target, seconds, jobs):
    work = os.path.join(BUILD_DIR, "fuzz", "campaign", target.name)
    shutil.rmtree(work, ignore_errors=True)
    new, artifacts = os.path.join(work, "new"), os.path.join(work, "artifacts")
    os.makedirs(new)
    os.makedirs(artifacts)
    corpus_folders, regression_seeds = seed_folders(target, target.binary)
    fixed = os.path.join(work, "fixed-regressions")
    os.makedirs(fixed)
    for f in regression_seeds:
        shutil.copy(f, fixed)
    base = [target.binary, "-print_final_stats=1", f"-artifact_prefix={artifacts}/"] + LIMITS
    if target.dict:
        base.append(f"-dict={target.dict}")
    if jobs > 1:
        base += [f"-fork={jobs}", "-ignore_crashes=1", "-ignore_timeouts=1", "-ignore_ooms=1"]
    # New inputs land in the first folder (the scratch `new`), never straight in the repository.
    folders = [new] + [c for c in corpus_folders if os.path.isdir(c)] + [fixed]
    say(f"{target.name}: fuzzing for {seconds} s with libFuzzer{f' ({jobs} jobs)' if jobs > 1 else ''} ...")
    log_path = os.path.join(work, "libfuzzer.log")
    # A single libFuzzer process stops at its first crash; start it again (from the corpus it has
    # grown) until the time is spent, so one finding does not end the campaign.
    start, execs, runs, log_text = time.monotonic(), 0, 0, ""
    while True:
        remaining = int(seconds - (time.monotonic() - start))
        if runs > 0 and (remaining < 5 or runs >= MAX_RESTARTS or jobs > 1):
            break
        runs += 1
        with open(log_path, "w") as log:
            process = subprocess.Popen(base + [f"-max_total_time={max(1, remaining)}"] + folders, stdout=log,
                                       stderr=subprocess.STDOUT, cwd=work)
            code = watch(process, log_path, target.name, seconds, parse_libfuzzer)
        with open(log_path, errors="replace") as f:
            text = f.read()
        log_text += text
        execs += parse_libfuzzer(text).get("execs", 0)
        if code == 0:
            break
        say(f"{target.name}: libFuzzer stopped (exit status {code}) after {time.monotonic() - start:.0f} s; continuing")
    with open(log_path, "w") as f:
        f.write(log_text)
    stats = parse_libfuzzer(text)
    stats["execs"] = execs
    stats["execs_per_s"] = int(execs / max(1.0, time.monotonic() - start))
    crashes = [a for a in files_in(artifacts) if re.match(r"(crash|leak|timeout|oom|slow-unit)-", os.path.basename(a))]
    saved = [save_regression(target, a, target.binary) for a in crashes]
    stats["new"] = merge_into_corpus(target, target.binary, new)
    stats["crashes"] = len(saved)
    stats["log"] = log_path
    return stats


# ---- AFL++ campaign ----

def afl_stats(out):
    path = os.path.join(out, "default", "fuzzer_stats")
    if not os.path.isfile(path):
        return {}
    with open(path) as f:
        pairs = (line.split(":", 1) for line in f if ":" in line)
        return {key.strip(): value.strip() for key, value in pairs}


def campaign_afl(target, afl_target, seconds):
    work = os.path.join(BUILD_DIR, "fuzz-afl", "campaign", target.name)
    shutil.rmtree(work, ignore_errors=True)
    seeds, out = os.path.join(work, "in"), os.path.join(work, "out")
    os.makedirs(seeds)
    _corpus, regression_seeds = seed_folders(target, target.binary)
    for f in files_in(target.corpus) + regression_seeds:
        shutil.copy(f, seeds)
    if not files_in(seeds):
        with open(os.path.join(seeds, "empty"), "wb") as f:
            f.write(b"\0")
    env = dict(os.environ, AFL_SKIP_CPUFREQ="1", AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES="1", AFL_NO_UI="1",
               AFL_NO_AFFINITY="1", AFL_SKIP_CRASHES="1",
               ASAN_OPTIONS="abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1",
               UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:symbolize=0")
    command = ["afl-fuzz", "-i", seeds, "-o", out, "-V", str(seconds), "-t", "10000", "-m", "none"]
    if target.dict:
        command += ["-x", target.dict]
    command += ["--", afl_target.binary]
    say(f"{target.name}: fuzzing for {seconds} s with AFL++ ...")
    log_path = os.path.join(work, "afl-fuzz.log")

    def parse(_log):
        s = afl_stats(out)
        return {"cov": int(s.get("edges_found", 0)), "execs_per_s": int(float(s.get("execs_per_sec", 0)))}

    with open(log_path, "w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work)
        code = watch(process, log_path, target.name, seconds, parse)
    s = afl_stats(out)
    if code != 0 or not s:
        with open(log_path, errors="replace") as f:
            print(f.read()[-4000:])
        say(f"{target.name}: afl-fuzz failed (exit status {code}); log: {rel(log_path)}")
        return {"cov": 0, "execs_per_s": 0, "execs": 0, "new": 0, "crashes": 0, "failed": True, "log": log_path}
    execs = int(s.get("execs_done", 0))
    run_time = max(1, int(s.get("run_time", seconds)))
    crashes = [c for c in files_in(os.path.join(out, "default", "crashes")) if os.path.basename(c).startswith("id:")]
    saved = [save_regression(target, c, target.binary) for c in crashes]
    queue = os.path.join(out, "default", "queue")
    stats = {"cov": int(s.get("edges_found", 0)), "total_edges": s.get("total_edges", "?"), "execs": execs,
             "execs_per_s": execs // run_time, "crashes": len(saved), "log": log_path}
    stats["new"] = merge_into_corpus(target, target.binary, queue)
    return stats


# ---- Coverage ----

def coverage(chosen, jobs):
    cov_dir = os.path.join(BUILD_DIR, "fuzz-coverage")
    cov_targets = flavour_targets("coverage", cov_dir, chosen, jobs)
    rows = []
    summary = []
    for target, cov_target in zip(chosen, cov_targets):
        profiles = os.path.join(cov_dir, "profiles", target.name)
        shutil.rmtree(profiles, ignore_errors=True)
        os.makedirs(profiles)
        _corpus, regression_seeds = seed_folders(target, target.binary)
        inputs = files_in(target.corpus) + regression_seeds
        say(f"{target.name}: replaying {len(inputs)} inputs for coverage ...")
        env = dict(os.environ, LLVM_PROFILE_FILE=os.path.join(profiles, "%p-%m.profraw"))
        for start in range(0, len(inputs), 200):
            subprocess.run([cov_target.binary, "-runs=0"] + LIMITS + inputs[start:start + 200], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        raw = [os.path.join(profiles, f) for f in os.listdir(profiles) if f.endswith(".profraw")]
        if not raw:
            say(f"{target.name}: no profile written")
            continue
        profdata = os.path.join(profiles, target.name + ".profdata")
        run_quiet([LLVM_PROFDATA, "merge", "-sparse", "-o", profdata] + raw, "llvm-profdata merge")
        sources = [os.path.join(ROOT, s) for s in target.sources]
        common = [cov_target.binary, f"-instr-profile={profdata}"]
        report = run_quiet([LLVM_COV, "report"] + common + sources, "llvm-cov report")
        html = os.path.join(cov_dir, "html", target.name)
        run_quiet([LLVM_COV, "show", "-format=html", f"-output-dir={html}", "-show-line-counts-or-regions"] + common + sources, "llvm-cov show")
        with open(os.path.join(cov_dir, target.name + ".txt"), "w") as f:
            f.write(report)
        total = [l for l in report.splitlines() if l.startswith("TOTAL")]
        fields = total[0].split() if total else []
        # TOTAL regions missed cover functions missed executed lines missed cover branches missed cover
        if len(fields) >= 13:
            region_cover, line_cover, branch_cover = fields[3], fields[9], fields[12]
            parsers = parser_branch_cover(common, sources)
            rows.append((target.name, line_cover, region_cover, branch_cover, parsers, len(inputs)))
        summary.append(f"== {target.name} ==\n{report}")
    with open(os.path.join(cov_dir, "report.txt"), "w") as f:
        f.write("\n".join(summary))
    print()
    print(f"{'target':<18} {'lines':>8} {'regions':>8} {'branches':>8} {'parsers':>8} {'inputs':>7}"
          "   (code under test only; parsers: branches of its parse/checked/next/... functions)")
    for name, lines, regions, branches, parsers, inputs in rows:
        print(f"{name:<18} {lines:>8} {regions:>8} {branches:>8} {parsers:>8} {inputs:>7}")
    say(f"report: {rel(os.path.join(cov_dir, 'report.txt'))}, HTML: {rel(os.path.join(cov_dir, 'html'))}/<target>/index.html")
    return 0


# Functions that take untrusted input apart, by the names this code base gives them.
PARSER_NAME = re.compile(r"(parse|checked|next|from_bytes|discover|find_rsdp|find_s5|head_length|process|receive|on_segment|pop)", re.I)


def parser_branch_cover(common, sources):
    """Branch coverage over the parser functions of `sources` (llvm-cov -show-functions)."""
    report = subprocess.run([LLVM_COV, "report", "-show-functions"] + common + sources, capture_output=True,
                            text=True).stdout
    covered = total = 0
    for line in report.splitlines():
        fields = line.split()
        if len(fields) < 10 or not PARSER_NAME.search(fields[0]) or not fields[-3].isdigit():
            continue
        total += int(fields[-3])
        covered += int(fields[-3]) - int(fields[-2])
    return f"{100.0 * covered / total:.2f}%" if total else "-"


# ---- Entry points ----

def fuzz(args):
    wanted = args.targets or []
    chosen = libfuzzer_targets(wanted, args.jobs)
    if args.coverage:
        return coverage(chosen, args.jobs)
    afl = {}
    if args.engine == "afl":
        if not shutil.which("afl-fuzz") or not shutil.which("afl-clang-fast++"):
            say("AFL++ is not installed (Debian package afl++; ci/setup installs it)")
            return 2
        afl = {t.name: t for t in flavour_targets("afl", os.path.join(BUILD_DIR, "fuzz-afl"), chosen, args.jobs,
                                                  compiler="afl-clang-fast++")}
    results = []
    for target in chosen:
        if args.engine == "afl":
            stats = campaign_afl(target, afl[target.name], args.time)
        else:
            stats = campaign_libfuzzer(target, args.time, args.jobs or 1)
        results.append((target.name, stats))
        say(f"{target.name}: done: {stats['execs_per_s']} exec/s, cov {stats['cov']}, {stats['new']} new corpus "
            f"entries, {stats['crashes']} crash(es)")

    print()
    print(f"{'target':<18} {'exec/s':>9} {'cov':>7} {'new':>5} {'crashes':>8}   ({args.engine}, {args.time} s each)")
    for name, s in results:
        cov = f"{s['cov']}" if args.engine == "libfuzzer" else f"{s['cov']}/{s.get('total_edges', '?')}"
        print(f"{name:<18} {s['execs_per_s']:>9} {cov:>7} {s['new']:>5} {s['crashes']:>8}")
    crashed = [name for name, s in results if s["crashes"]]
    failed = [name for name, s in results if s.get("failed")]
    if crashed:
        say(f"crashes in {', '.join(crashed)}: minimized reproducers are in fuzz/regressions/ (commit them with the fix)")
    if failed:
        say(f"the engine failed for {', '.join(failed)}")
    return 1 if crashed or failed else 0


def add_arguments(parser):
    parser.add_argument("targets", nargs="*", metavar="TARGET", help="targets to fuzz (default: all; see --list)")
    parser.add_argument("--time", type=int, default=60, metavar="SECONDS", help="seconds per target (default 60)")
    parser.add_argument("--engine", choices=("libfuzzer", "afl"), default="libfuzzer", help="fuzzing engine (default libfuzzer)")
    parser.add_argument("-j", "--jobs", type=int, default=None,
                        help="parallel build jobs, and libFuzzer -fork=N worker processes per campaign")
    parser.add_argument("--coverage", action="store_true",
                        help="no fuzzing: replay the corpus under source-based coverage, report into build/fuzz-coverage/")
    parser.add_argument("--list", action="store_true", help="list the targets and exit")


def run_args(args):
    if args.list:
        configure(BUILD_DIR, ROOT, ["-DCMAKE_BUILD_TYPE=RelWithDebInfo"])
        run_quiet(["cmake", BUILD_DIR], "cmake re-configure")
        for t in read_manifest(BUILD_DIR):
            print(t.name)
        return 0
    if args.time < 1:
        say("--time must be at least 1 second")
        return 2
    return fuzz(args)


def add_subcommand(subparsers):
    """Adds `fuzz` to ./bulwark's subcommands (tools/bulwark.py)."""
    p = subparsers.add_parser("fuzz", help="fuzzing campaigns: grow fuzz/corpus/, save crashes to fuzz/regressions/")
    add_arguments(p)
    p.set_defaults(func=run_args)
    return p


def main(argv):
    parser = argparse.ArgumentParser(prog="bulwark fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return run_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

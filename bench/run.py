#!/usr/bin/env python3
"""Benchmark linkblog against Hugo 0.111 (like-for-like peer) on generated link-blog corpora.

One run generates corpora (gen_corpus.py, seed 1) for each size and measures, through the
CLI, linkblog's cold, no-change, edit and add builds and Hugo's cold and no-change builds
(median of --repeat runs, peak memory of each), both outputs' files and bytes, a cold
`--jobs 1` stage breakdown, rebuilds inside one process (inprocess.py) and save-to-reload
latency of `serve --watch` (serve_latency.py), then writes bench/RESULTS.md. Stdlib only.
See bench/README.md.

Usage: python bench/run.py --linkblog VENV/bin/linkblog [--sizes 1000] [--huge]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import edits
import measure
import report
import serve_latency
from results import Findings, Result, SizeResult, stages_of

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
GEN_CORPUS = BENCH / "gen_corpus.py"
HUGO_PEER = BENCH / "peers" / "hugo"
SEED = 1
HUGE = 100000
INTERACTIVE_MAX = 10000  # in-process and serve runs: the sizes the targets name
EXAMPLE_PARTS = ("config.yaml", "posts", "templates", "static")


class Runner:
    """Runs measured commands and remembers each distinct command and problem."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.commands: dict[str, None] = {}
        self.problems: dict[str, None] = {}
        self.failures = 0

    def log(self, line: str, cwd: Path | None = None) -> None:
        """Remember a command line (run in cwd), once, with $WORK for the workdir."""
        line = line if cwd is None else f"cd {cwd} && {line}"
        self.commands[line.replace(str(self.work), "$WORK").replace(str(BENCH), "bench")] = None

    def run(self, cmd: list[str], cwd: Path, label: str) -> measure.Sample:
        """Run cmd in cwd under the memory wrapper, log it and report progress."""
        self.log(shlex.join(cmd), cwd)
        sample = measure.run(cmd, cwd)
        self.check(sample, cmd, label)
        say(f"  {label}: {sample.seconds:.3f} s, {sample.tree_kib / 1024:.0f} MiB"
            + ("" if sample.returncode == 0 else f" (exit {sample.returncode})"))
        return sample

    def check(self, sample: measure.Sample, cmd: list[str], label: str) -> None:
        """Record a non-zero exit, or output printed under --quiet."""
        if sample.returncode != 0:
            self.fail(f"{label}: `{shlex.join(cmd)}` exited {sample.returncode}: "
                      f"{tail(sample.stderr or sample.stdout)}")
        elif "--quiet" in cmd:
            printed = quiet_output(sample)
            if printed:
                self.note(f"{label}: `{shlex.join(cmd)}` printed under --quiet: {printed}")

    def fail(self, problem: str) -> None:
        """Remember a problem that makes the results invalid."""
        self.failures += 1
        self.note(problem)

    def note(self, problem: str) -> None:
        """Remember a problem once, by its text without the run number."""
        self.problems[re.sub(r" run \d+/\d+", "", problem)] = None


def say(line: str) -> None:
    """A progress line on stderr."""
    print(line, file=sys.stderr, flush=True)


def tail(text: str, lines: int = 3) -> str:
    """The last few non-blank lines of text, joined with ' | '."""
    kept = [line for line in text.splitlines() if line.strip()][-lines:]
    return " | ".join(kept) or "(no output)"


def quiet_output(sample: measure.Sample) -> str:
    """What a --quiet run printed, less a final `timings:` line."""
    err = sample.stderr.splitlines()
    if err and err[-1].startswith("timings: "):
        err = err[:-1]
    text = sample.stdout + "\n" + "\n".join(err)
    return tail(text) if text.strip() else ""


def resolve_command(text: str) -> list[str] | None:
    """The --linkblog command as argv with an absolute program, None if not found."""
    argv = shlex.split(text)
    program = argv[0] if "/" in argv[0] else shutil.which(argv[0])
    if program is None or not os.path.exists(program):
        return None
    return [os.path.abspath(program), *argv[1:]]


def generate(n: int, fmt: str, dest: Path, runner: Runner) -> None:
    """Write a fresh corpus of n posts in fmt at dest."""
    shutil.rmtree(dest, ignore_errors=True)
    cmd = [sys.executable, str(GEN_CORPUS), "--n", str(n), "--out", str(dest),
           "--format", fmt, "--seed", str(SEED)]
    runner.log(shlex.join(cmd))
    subprocess.run(cmd, check=True)


def peer_module(name: str):
    """One of the peer kit's helper scripts (inventory.py), loaded as a module."""
    spec = importlib.util.spec_from_file_location(f"hugo_peer_{name}", HUGO_PEER / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prepare_hugo(root: Path, runner: Runner) -> None:
    """Turn a hugo-format corpus into the like-for-like peer's site (prepare.py)."""
    cmd = [sys.executable, str(HUGO_PEER / "prepare.py"), str(root)]
    runner.log(shlex.join(cmd))
    subprocess.run(cmd, check=True)


def set_aside(site_root: Path, names: tuple[str, ...], trash: Path) -> str:
    """Move output and cache directories into trash (emptied after the runs); return the shell equivalent.

    Deleting them here would slow the next build: ext4 without a journal (as on the benchmark's VMs) will
    not reuse an inode freed in the last one to six minutes, and scans past every such inode each time
    it allocates one, so a build right after `rm -rf` of 13,500 files paid seconds of kernel time that
    depended on how long ago the deletion was."""
    trash.mkdir(parents=True, exist_ok=True)
    for name in names:
        if (site_root / name).exists():
            (site_root / name).rename(tempfile.mkdtemp(prefix=f"{name.strip('.')}-", dir=trash))
    return f"mv {' '.join(names)} $WORK/trash/  # emptied after the runs"


def cold(site: edits.Site) -> str:
    """Set linkblog's output and cache aside; return the shell equivalent."""
    return set_aside(site.root, ("build", ".cache"), trash_of(site.root))


def trash_of(site_root: Path) -> Path:
    """Where a corpus's set-aside output goes: the work folder's trash (a corpus is WORK/N/tool)."""
    return site_root.parent.parent / "trash"


SCENARIOS = {
    "cold": cold,
    "no-change": lambda site: "true  # no change",
    "edit-body": edits.edit_body,
    "edit-tags": edits.edit_tags,
    "add-post": edits.add_post,
}


def bench_linkblog(site: edits.Site, cmd: list[str], runner: Runner, repeat: int, n: int) -> dict[str, Result]:
    """Time every scenario repeat times, each from the base state and a warm cache."""
    build = [*cmd, "build", "--quiet", "--timings"]
    out = site.root / "build"
    results = {}
    for name, apply in SCENARIOS.items():
        result = results[name] = Result()
        for i in range(repeat):
            runner.log(edits.restore(site), site.root)
            if name != "cold":
                runner.run(build, site.root, f"[{n}] linkblog warm-up before {name}")
            runner.log(apply(site), site.root)
            label = f"[{n}] linkblog {name} run {i + 1}/{repeat}"
            result.samples.append(runner.run(build, site.root, label))
            missing = edits.stale(site, name, out) if result.samples[-1].returncode == 0 else None
            if missing:
                runner.fail(f"[{n}] linkblog {name}: stale output: {missing}")
        edits.restore(site)
        runner.run(build, site.root, f"[{n}] linkblog reset after {name}")
        kept = edits.leftover(site, out)
        if kept:
            runner.fail(f"[{n}] linkblog reset after {name}: stale output: {kept}")
    return results


def bench_hugo(root: Path, hugo: str, runner: Runner, repeat: int, n: int) -> dict[str, Result]:
    """Time Hugo's cold and no-change builds, repeat times each."""
    build = [hugo, "--quiet"]
    results = {"cold": Result(), "no-change": Result()}
    for i in range(repeat):
        runner.log(set_aside(root, ("public", "resources"), trash_of(root)), root)
        results["cold"].samples.append(runner.run(build, root, f"[{n}] hugo cold run {i + 1}/{repeat}"))
    for i in range(repeat):
        results["no-change"].samples.append(runner.run(build, root, f"[{n}] hugo no-change run {i + 1}/{repeat}"))
    return results


def compare_outputs(build: Path, public: Path, runner: Runner) -> str:
    """compare.py's summary line (same posts on the same pages?) and the first problem of each kind it lists."""
    cmd = [sys.executable, str(HUGO_PEER / "compare.py"), str(build), str(public)]
    runner.log(shlex.join(cmd))
    done = subprocess.run(cmd, capture_output=True, text=True)
    lines = [line.strip() for line in done.stdout.strip().splitlines()]
    firsts: dict[str, str] = {}
    for line in lines[1:]:
        firsts.setdefault(line.split(":")[0], line)
    text = (lines[0] if lines else tail(done.stderr)) + (
        f" (first listed of each kind: {'; '.join(firsts.values())})" if firsts else "")
    return text.replace(str(runner.work), "$WORK")


def ordered(kinds: dict[str, tuple[int, int]], order: list[str]) -> dict[str, tuple[int, int]]:
    """An inventory in the peer kit's order of page kinds, then the others by name."""
    rank = {kind: i for i, kind in enumerate(order)}
    return dict(sorted(kinds.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def timings(site: edits.Site, cmd: list[str], runner: Runner, n: int) -> dict | str:
    """Stage timings of one cold single-process build (each stage's CPU cost), or why there are none."""
    runner.log(cold(site), site.root)
    sample = runner.run([*cmd, "build", "--quiet", "--timings", "--jobs", "1"], site.root,
                        f"[{n}] linkblog cold --timings --jobs 1")
    stages = stages_of(sample) if sample.returncode == 0 else None
    if stages is None:
        return f"no `timings:` line (exit {sample.returncode}): {tail(sample.stderr)}"
    return {"wall": sample.seconds, "stages": stages}


def inprocess(site: edits.Site, args: argparse.Namespace, runner: Runner, n: int) -> dict | None:
    """inprocess.py's figures for one corpus, run with linkblog's Python."""
    out = runner.work / f"inprocess-{n}.json"
    cmd = [args.python, str(BENCH / "inprocess.py"), "--site", str(site.root), "--runs", str(args.edits),
           "--json", str(out)]
    runner.log(shlex.join(cmd))
    say(f"  [{n}] in-process rebuilds ({args.edits} per scenario)")
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if not out.is_file():
        runner.fail(f"[{n}] inprocess.py exited {done.returncode}: {tail(done.stderr)}")
        return None
    data = json.loads(out.read_text(encoding="utf-8"))
    for problem in data.get("problems", []):
        runner.fail(f"[{n}] in-process: {problem}")
    return data


def serve(root: Path, args: argparse.Namespace, runner: Runner, label: str) -> dict:
    """serve_latency.py's figures for one site."""
    runner.log(shlex.join([sys.executable, str(BENCH / "serve_latency.py"), "--linkblog",
                           shlex.join(args.linkblog_cmd), "--site", str(root), "--edits", str(args.edits)]))
    say(f"  [{label}] serve --watch: save-to-reload latency ({args.edits} edits)")
    data = serve_latency.measure_site(args.linkblog_cmd, root, args.edits, serve_latency.SETTLE_SECONDS,
                                      serve_latency.START_TIMEOUT)
    for problem in data["problems"]:
        runner.fail(f"[{label}] serve --watch: {problem}")
    return data


def example_site(dest: Path, source: Path, runner: Runner) -> Path:
    """A copy of the example site (config.yaml, posts/, templates/, static/)."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for part in EXAMPLE_PARTS:
        path = source / part
        if path.is_dir():
            shutil.copytree(path, dest / part)
        elif path.is_file():
            shutil.copy2(path, dest / part)
    runner.log(f"cp -r {' '.join(EXAMPLE_PARTS)} {dest}/", source)
    return dest


def bench_size(n: int, args: argparse.Namespace, runner: Runner, findings: Findings) -> SizeResult:
    """Generate both corpora of n posts and measure linkblog and Hugo on them."""
    say(f"== {n} posts")
    repeat = 1 if n >= HUGE else args.repeat
    result = SizeResult(n)
    root = runner.work / str(n) / "linkblog"
    generate(n, "linkblog", root, runner)
    site = edits.open_site(root)
    kit = peer_module("inventory")
    order = [kind for kind, _ in kit.KINDS]
    if args.hugo_path:
        hugo_root = runner.work / str(n) / "hugo"
        generate(n, "hugo", hugo_root, runner)
        prepare_hugo(hugo_root, runner)
        result.hugo = bench_hugo(hugo_root, args.hugo_path, runner, repeat, n)
    result.linkblog = bench_linkblog(site, args.linkblog_cmd, runner, repeat, n)
    result.inventory["linkblog build/"] = ordered(kit.inventory(str(root / "build")), order)
    if args.hugo_path:
        result.inventory["Hugo public/"] = ordered(kit.inventory(str(hugo_root / "public")), order)
        result.compare = compare_outputs(root / "build", hugo_root / "public", runner)
    if n == timing_size(args.sizes):
        findings.cold_jobs1 = (n, timings(site, args.linkblog_cmd, runner, n))
    if n <= INTERACTIVE_MAX:
        result.inprocess = inprocess(site, args, runner, n)
        result.serve = serve(root, args, runner, f"{n}")
    return result


def sizes_arg(text: str) -> list[int]:
    """Parse `1000` or `1000,10000` into a list of sizes."""
    return [int(part) for part in text.split(",") if part]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--linkblog", default="linkblog", help="command to run (default: linkblog)")
    ap.add_argument("--python", default=None,
                    help="linkblog's Python, for inprocess.py (default: the --linkblog script's #! interpreter)")
    ap.add_argument("--hugo", default="/usr/bin/hugo", help="Hugo binary (default: /usr/bin/hugo)")
    ap.add_argument("--sizes", type=sizes_arg, nargs="+", default=None,
                    help="post counts to run (default: 1000 10000)")
    ap.add_argument("--huge", action="store_true", help="also run 100,000 posts (one run of each)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per CLI scenario (median; default 3)")
    ap.add_argument("--edits", type=int, default=10, help="timed in-process builds and served edits (default 10)")
    ap.add_argument("--example", type=Path, default=REPO, help="where the example site is (default: the repo root)")
    ap.add_argument("--workdir", type=Path, default=None, help="where corpora go (kept)")
    ap.add_argument("--keep", action="store_true", help="keep the default temporary workdir")
    ap.add_argument("--out", type=Path, default=BENCH / "RESULTS.md", help="results file")
    ap.add_argument("--note", default="", help="a line shown at the top of the results (e.g. 'Trial run')")
    args = ap.parse_args(argv)
    sizes = {n for group in args.sizes or [[1000, 10000]] for n in group}
    args.sizes = sorted(sizes | {HUGE} if args.huge else sizes)
    if args.repeat < 1 or args.edits < 1:
        ap.error("--repeat and --edits must be at least 1")
    args.linkblog_cmd = resolve_command(args.linkblog)
    if args.linkblog_cmd is None:
        ap.error(f"linkblog command not found: {args.linkblog}")
    args.python = args.python or report.interpreter(args.linkblog_cmd)
    if not args.python:
        ap.error("cannot tell linkblog's Python from the command; give --python")
    args.hugo_path = args.hugo if os.access(args.hugo, os.X_OK) else None
    args.argv = [sys.executable, *sys.argv] if argv is None else argv
    return args


def timing_size(sizes: list[int]) -> int:
    """The size whose cold build gets a --jobs 1 breakdown: 10,000 if run."""
    return 10000 if 10000 in sizes else max((n for n in sizes if n < HUGE), default=max(sizes))


def run_all(args: argparse.Namespace, work: Path) -> int:
    """Measure every size, then write and print the report."""
    runner = Runner(work)
    machine = report.machine_info(args.linkblog_cmd, args.hugo_path, args.python)
    if not args.hugo_path:
        say(f"note: no Hugo at {args.hugo}; skipping the Hugo columns")
    findings = Findings([], cores=len(os.sched_getaffinity(0)))
    findings.startup = Result([runner.run([*args.linkblog_cmd, "--version"], work, "linkblog --version")
                               for _ in range(max(args.repeat, 5))])
    findings.example = serve(example_site(work / "example", args.example, runner), args, runner, "example")
    try:
        for n in args.sizes:
            findings.sizes.append(bench_size(n, args, runner, findings))
            print(report.size_table(findings.sizes[-1]), flush=True)
    finally:  # only now: a deletion slows the builds of the next minutes (set_aside)
        shutil.rmtree(work / "trash", ignore_errors=True)
    text = report.document(args, machine, runner, findings)
    print(text[text.index("## Targets"):])
    args.out.write_text(text, encoding="utf-8")
    say(f"wrote {args.out}")
    return 1 if runner.failures else 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: set up the work directory and run the benchmark."""
    args = parse_args(argv)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        return run_all(args, args.workdir.resolve())
    work = Path(tempfile.mkdtemp(prefix="linkblog-bench-", dir="/tmp"))
    try:
        return run_all(args, work)
    finally:
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Benchmark `linkblog build` against Hugo 0.111 on generated link-blog corpora.

One run generates corpora (gen_corpus.py, seed 1) for each size, times linkblog's
cold, no-change, edit and add builds and Hugo's cold and no-change builds (median
of --repeat runs, peak memory of each), a --timings breakdown of a cold linkblog
build, and writes bench/RESULTS.md. Stdlib only. See bench/README.md.

Usage: python bench/run.py --linkblog .venv/bin/linkblog [--sizes 1000] [--huge]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import measure
import report

BENCH = Path(__file__).resolve().parent
GEN_CORPUS = BENCH / "gen_corpus.py"
HUGO_PEER = BENCH / "peers" / "hugo"
SEED = 1
SENTENCE = "One more sentence, appended by the benchmark to edit this post."
APPENDED = f"\n{SENTENCE}\n"
EXTRA_TAGS = ("support", "management", "work", "software")
ADDED_SLUG = "benchmark-added-post"


@dataclass
class Site:
    """A linkblog corpus and the one post the edit scenarios change."""

    root: Path
    target: Path
    original: bytes
    newest: str

    @property
    def added(self) -> Path:
        """The file the add scenario writes."""
        return self.root / "posts" / f"{ADDED_SLUG}.md"

    @property
    def title(self) -> str:
        """The target post's title."""
        text = self.original.decode("utf-8")
        return json.loads(re.search(r"^title: (.+)$", text, re.M).group(1))

    def page(self, date: str, slug: str) -> Path:
        """A post's output page under the corpus permalink /{year}/{month}/{slug}/."""
        return self.root / "build" / date[:4] / date[5:7] / slug / "index.html"


@dataclass
class SizeResult:
    """Everything measured for one corpus size."""

    n: int
    linkblog: dict[str, report.Result] = field(default_factory=dict)
    hugo: dict[str, report.Result] | None = None
    outputs: dict[str, str] = field(default_factory=dict)


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
        self.commands[line.replace(str(self.work), "$WORK")] = None

    def run(self, cmd: list[str], cwd: Path, label: str) -> measure.Sample:
        """Run cmd in cwd under the memory wrapper, log it and report progress."""
        self.log(shlex.join(cmd), cwd)
        sample = measure.run(cmd, cwd)
        self.check(sample, cmd, label)
        print(f"  {label}: {sample.seconds:.3f} s, {sample.tree_kib / 1024:.0f} MiB"
              + ("" if sample.returncode == 0 else f" (exit {sample.returncode})"),
              file=sys.stderr, flush=True)
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


def newest_post(posts: Path) -> tuple[Path, str]:
    """The newest post file by its `date:` line, and that date."""
    best, best_date = None, ""
    for path in sorted(posts.glob("*.md")):
        match = re.search(r"^date: (.+)$", path.read_text(encoding="utf-8"), re.M)
        if match and match.group(1) > best_date:
            best, best_date = path, match.group(1)
    if best is None:
        raise SystemExit(f"no post with a date line in {posts}")
    return best, best_date


def open_site(root: Path) -> Site:
    """The Site for a generated linkblog corpus; the newest post is the edit target."""
    target, date = newest_post(root / "posts")
    return Site(root, target, target.read_bytes(), date)


def restore(site: Site) -> str:
    """Put the corpus back in its base state; return the shell equivalent."""
    if site.target.read_bytes() != site.original:
        site.target.write_bytes(site.original)
    site.added.unlink(missing_ok=True)
    return (f"rm -f posts/{site.added.name}  # and posts/{site.target.name} "
            "back to its generated bytes")


def clear_output(site_root: Path, names: tuple[str, ...]) -> None:
    """Delete output and cache directories (rm -rf)."""
    for name in names:
        shutil.rmtree(site_root / name, ignore_errors=True)


def edit_body(site: Site) -> str:
    """Append one sentence to the target post; return the shell equivalent."""
    site.target.write_bytes(site.original + APPENDED.encode())
    return f"printf '\\n%s\\n' {shlex.quote(SENTENCE)} >> posts/{site.target.name}"


def original_tags(site: Site) -> list[str]:
    """The tags on the target post's `tags:` line."""
    text = site.original.decode("utf-8")
    return re.search(r"^tags: \[(.*)\]$", text, re.M).group(1).split(", ")


def added_tag(site: Site) -> str:
    """The existing tag the tags scenario adds to the target post."""
    return next(tag for tag in EXTRA_TAGS if tag not in original_tags(site))


def edit_tags(site: Site) -> str:
    """Add one existing tag to the target post's `tags:` line; return the shell equivalent."""
    text = site.original.decode("utf-8")
    new_line = "tags: [" + ", ".join([*original_tags(site), added_tag(site)]) + "]"
    site.target.write_text(re.sub(r"^tags: .*$", new_line, text, count=1, flags=re.M),
                           encoding="utf-8")
    return f"sed -i '0,/^tags: .*/s//{new_line}/' posts/{site.target.name}"


def add_post(site: Site) -> str:
    """Write a new link post one minute newer than the newest one; describe it."""
    newest = dt.datetime.strptime(site.newest, "%Y-%m-%d %H:%M")
    date = f"{newest + dt.timedelta(minutes=1):%Y-%m-%d %H:%M}"
    site.added.write_text(
        f'---\ntitle: "Benchmark Added Post"\ndate: {date}\ntags: [support, work]\n'
        "link: https://example.com/benchmark-added-post/\nsource: \"Bench Source\"\n---\n"
        "> A quoted excerpt from the linked article, as a link post has.\n\n"
        "Some commentary on it, with *emphasis* and a [link](https://example.org/).\n",
        encoding="utf-8")
    return f"cat > posts/{site.added.name}  # a link post dated {date}, tags [support, work]"


def cold(site: Site) -> str:
    """Delete linkblog's output and cache; return the shell equivalent."""
    clear_output(site.root, ("build", ".cache"))
    return "rm -rf build .cache"


def contains(path: Path, text: str) -> bool:
    """True if the file at path exists and holds text."""
    return path.is_file() and text in path.read_text(encoding="utf-8", errors="replace")


def stale(site: Site, scenario: str) -> str | None:
    """What the build output is missing after a scenario's build, if anything."""
    home = site.root / "build" / "index.html"
    post = site.page(site.newest, site.target.stem)
    checks = {
        "edit-body": (post, SENTENCE),
        "edit-tags": (site.root / "build" / "tag" / added_tag(site) / "index.html",
                      site.title),
        "add-post": (home, "Benchmark Added Post"),
    }
    path, text = checks.get(scenario, (home, site.title))
    if contains(path, text):
        return None
    return f"after {scenario}, {path.relative_to(site.root)} lacks {text!r}"


def leftover(site: Site) -> str | None:
    """What the output still shows of an edit after the corpus was restored."""
    home = site.root / "build" / "index.html"
    post = site.page(site.newest, site.target.stem)
    for path, text in ((post, SENTENCE), (home, "Benchmark Added Post")):
        if contains(path, text):
            return f"after restoring, {path.relative_to(site.root)} still has {text!r}"
    return None


SCENARIOS = {
    "cold": cold,
    "no-change": lambda site: "true  # no change",
    "edit-body": edit_body,
    "edit-tags": edit_tags,
    "add-post": add_post,
}


def bench_linkblog(site: Site, cmd: list[str], runner: Runner, repeat: int,
                   n: int) -> dict[str, report.Result]:
    """Time every scenario repeat times, each from the base state and a warm cache."""
    build = [*cmd, "build", "--quiet"]
    results = {}
    for name, apply in SCENARIOS.items():
        result = results[name] = report.Result()
        for i in range(repeat):
            runner.log(restore(site), site.root)
            if name != "cold":
                runner.run(build, site.root, f"[{n}] linkblog warm-up before {name}")
            runner.log(apply(site), site.root)
            label = f"[{n}] linkblog {name} run {i + 1}/{repeat}"
            result.samples.append(runner.run(build, site.root, label))
            missing = stale(site, name) if result.samples[-1].returncode == 0 else None
            if missing:
                runner.fail(f"[{n}] linkblog {name}: stale output: {missing}")
        restore(site)
        runner.run(build, site.root, f"[{n}] linkblog reset after {name}")
        kept = leftover(site)
        if kept:
            runner.fail(f"[{n}] linkblog reset after {name}: stale output: {kept}")
    return results


def bench_hugo(root: Path, hugo: str, runner: Runner, repeat: int,
               n: int) -> dict[str, report.Result]:
    """Time Hugo's cold and no-change builds, repeat times each."""
    build = [hugo, "--quiet"]
    results = {"cold": report.Result(), "no-change": report.Result()}
    for i in range(repeat):
        clear_output(root, ("public", "resources"))
        runner.log("rm -rf public resources", root)
        results["cold"].samples.append(
            runner.run(build, root, f"[{n}] hugo cold run {i + 1}/{repeat}"))
    for i in range(repeat):
        results["no-change"].samples.append(
            runner.run(build, root, f"[{n}] hugo no-change run {i + 1}/{repeat}"))
    return results


def prepare_hugo(root: Path) -> str:
    """Copy the tuned Hugo config and layouts over a hugo-format corpus; say how."""
    shutil.copy2(HUGO_PEER / "config.yaml", root / "config.yaml")
    shutil.copytree(HUGO_PEER / "layouts", root / "layouts", dirs_exist_ok=True)
    return f"cp -r {HUGO_PEER}/config.yaml {HUGO_PEER}/layouts {root}/"


def timings(site: Site, cmd: list[str], runner: Runner, n: int) -> dict | str:
    """Stage timings of one cold single-process build (each stage's CPU cost), or why there are none."""
    runner.log(cold(site), site.root)
    sample = runner.run([*cmd, "build", "--quiet", "--timings", "--jobs", "1"], site.root,
                        f"[{n}] linkblog cold --timings --jobs 1")
    lines = sample.stderr.strip().splitlines()
    if sample.returncode != 0 or not lines or not lines[-1].startswith("timings: "):
        return f"no `timings:` line (exit {sample.returncode}): {tail(sample.stderr)}"
    try:
        stages = json.loads(lines[-1][len("timings: "):])
    except json.JSONDecodeError as error:
        return f"`timings:` line is not JSON ({error}): {lines[-1][:200]}"
    return {"wall": sample.seconds, "stages": stages}


def output_summary(root: Path) -> str:
    """How many files and HTML files a build left under root."""
    files = [name for _, _, names in os.walk(root) for name in names]
    html = sum(name.endswith(".html") for name in files)
    return f"{len(files)} files ({html} HTML)" if files else "nothing"


def bench_size(n: int, args: argparse.Namespace, runner: Runner) -> SizeResult:
    """Generate both corpora of n posts and measure linkblog and Hugo on them."""
    print(f"== {n} posts", file=sys.stderr, flush=True)
    result = SizeResult(n)
    generate(n, "linkblog", runner.work / str(n) / "linkblog", runner)
    site = open_site(runner.work / str(n) / "linkblog")
    if args.hugo_path:
        hugo_root = runner.work / str(n) / "hugo"
        generate(n, "hugo", hugo_root, runner)
        runner.log(prepare_hugo(hugo_root))
        result.hugo = bench_hugo(hugo_root, args.hugo_path, runner, args.repeat, n)
        result.outputs["Hugo public/"] = output_summary(hugo_root / "public")
    result.linkblog = bench_linkblog(site, args.linkblog_cmd, runner, args.repeat, n)
    result.outputs["linkblog build/"] = output_summary(site.root / "build")
    return result


def sizes_arg(text: str) -> list[int]:
    """Parse `1000` or `1000,10000` into a list of sizes."""
    return [int(part) for part in text.split(",") if part]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--linkblog", default="linkblog", help="command to run (default: linkblog)")
    ap.add_argument("--hugo", default="/usr/bin/hugo", help="Hugo binary (default: /usr/bin/hugo)")
    ap.add_argument("--sizes", type=sizes_arg, nargs="+", default=None,
                    help="post counts to run (default: 1000 10000)")
    ap.add_argument("--huge", action="store_true", help="also run 100,000 posts")
    ap.add_argument("--repeat", type=int, default=3, help="runs per scenario (median)")
    ap.add_argument("--workdir", type=Path, default=None, help="where corpora go (kept)")
    ap.add_argument("--keep", action="store_true", help="keep the default temporary workdir")
    ap.add_argument("--out", type=Path, default=BENCH / "RESULTS.md", help="results file")
    args = ap.parse_args(argv)
    args.sizes = sorted({n for group in args.sizes or [[1000, 10000]] for n in group})
    if args.huge and 100000 not in args.sizes:
        args.sizes.append(100000)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    args.linkblog_cmd = resolve_command(args.linkblog)
    if args.linkblog_cmd is None:
        ap.error(f"linkblog command not found: {args.linkblog}")
    args.hugo_path = args.hugo if os.access(args.hugo, os.X_OK) else None
    args.argv = [sys.executable, *sys.argv] if argv is None else argv
    return args


def timing_size(sizes: list[int]) -> int:
    """The size whose cold build gets a --timings breakdown: 10,000 if run."""
    return 10000 if 10000 in sizes else max(sizes)


def run_all(args: argparse.Namespace, work: Path) -> int:
    """Measure every size, then write and print the report."""
    runner = Runner(work)
    machine = report.machine_info(args.linkblog_cmd, args.hugo_path)
    if not args.hugo_path:
        print(f"note: no Hugo at {args.hugo}; skipping the Hugo columns", file=sys.stderr)
    results, stage_times = [], None
    for n in args.sizes:
        results.append(bench_size(n, args, runner))
        if n == timing_size(args.sizes):
            site = open_site(work / str(n) / "linkblog")
            stage_times = (n, timings(site, args.linkblog_cmd, runner, n))
        print(report.size_table(results[-1]), flush=True)
    print(report.summary(runner, results, stage_times))
    args.out.write_text(report.document(args, machine, runner, results, stage_times),
                        encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
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
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

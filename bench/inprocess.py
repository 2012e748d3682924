#!/usr/bin/env python3
"""Time rebuilds inside one long-running process, as `linkblog serve --watch` runs them.

Run it with the python of linkblog's venv. It builds a corpus once with
`linkblog.build.Builder(config, {"output_dir": TMP}, BuildOptions(), persist=False)`, then
times `builder.build(changed=[path])` after each of --runs body edits (a sentence appended
to the newest post), tag edits (an existing tag added) and added posts, checking each
build's output. The corpus is put back as it was. Prints one JSON document.

Usage: VENV/bin/python bench/inprocess.py --site CORPUS [--runs 10] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from linkblog.build import Builder, BuildOptions, BuildResult

import edits


def timed(builder: Builder, changed: list[Path] | None) -> tuple[float, BuildResult]:
    """One build and its wall seconds."""
    started = time.perf_counter()
    result = builder.build(changed=changed)
    return time.perf_counter() - started, result


def failed(result: BuildResult) -> list[str]:
    """The errors of a build, one line each."""
    return [str(p) for p in result.problems if not p.warning]


class Bench:
    """One builder over one corpus, and what its timed builds measured."""

    def __init__(self, site: edits.Site, out: Path, jobs: int) -> None:
        self.site, self.out = site, out
        self.builder = Builder(site.root / "config.yaml", {"output_dir": str(out)},
                               BuildOptions(jobs=jobs), persist=False)
        self.problems: list[str] = []

    def build(self, changed: list[Path] | None, label: str) -> tuple[float, BuildResult]:
        """A build whose errors are remembered under label."""
        seconds, result = timed(self.builder, changed)
        self.problems += [f"{label}: {line}" for line in failed(result)]
        return seconds, result

    def scenario(self, name: str, runs: int, edit: Callable[[int], Path],
                 undo: Callable[[], Path] | None) -> dict:
        """Time `runs` builds after edit(i); undo (untimed) after each when given."""
        record: dict[str, list] = {"seconds": [], "stages": [], "rendered": [], "written": []}
        for i in range(runs):
            path = edit(i)
            seconds, result = self.build([path], f"{name} run {i + 1}")
            for key, value in (("seconds", seconds), ("stages", result.timings),
                               ("rendered", result.rendered), ("written", len(result.written))):
                record[key].append(value)
            missing = edits.stale(self.site, name, self.out, sentence_of(i))
            if result.ok and missing:
                self.problems.append(f"{name} run {i + 1}: stale output: {missing}")
            if undo:
                self.build([undo()], f"{name} undo {i + 1}")
            print(f"  in-process {name} {i + 1}/{runs}: {seconds * 1000:.1f} ms, "
                  f"{result.rendered} pages rendered", file=sys.stderr, flush=True)
        return record

    def reset(self) -> Path:
        """The corpus back in its base state; the path that changed."""
        edits.restore(self.site)
        return self.site.target


def sentence_of(run: int) -> str:
    """The sentence body edit number `run` appends: each one differs from the last."""
    return f"{edits.SENTENCE} Edit {run + 1}."


def measure(site: edits.Site, out: Path, runs: int, jobs: int) -> dict:
    """The first build, then each scenario, timed inside this one process."""
    bench = Bench(site, out, jobs)
    seconds, result = bench.build(None, "first build")
    print(f"  in-process first build: {seconds:.2f} s, {result.posts} posts", file=sys.stderr, flush=True)
    report = {"posts": result.posts, "first": {"seconds": seconds, "stages": result.timings}, "runs": runs}
    if not result.ok:
        return {**report, "problems": bench.problems}

    def body(i: int) -> Path:
        edits.edit_body(site, sentence_of(i))
        return site.target

    def tags(_: int) -> Path:
        edits.edit_tags(site)
        return site.target

    def add(_: int) -> Path:
        edits.add_post(site)
        return site.added

    def unadd() -> Path:
        site.added.unlink(missing_ok=True)
        return site.added

    report["edit-body"] = bench.scenario("edit-body", runs, body, None)
    bench.build([bench.reset()], "restore after edit-body")
    report["edit-tags"] = bench.scenario("edit-tags", runs, tags, bench.reset)
    report["add-post"] = bench.scenario("add-post", runs, add, unadd)
    leftover = edits.leftover(site, out)
    if leftover:
        bench.problems.append(f"after the runs: stale output: {leftover}")
    return {**report, "problems": bench.problems}


def debounce_seconds() -> float | None:
    """The file watcher's debounce, which save-to-reload latency includes."""
    try:
        from linkblog.watch import DEBOUNCE_SECONDS
    except ImportError:
        return None
    return DEBOUNCE_SECONDS


def main(argv: list[str] | None = None) -> int:
    """Measure, print the JSON, restore the corpus; exit 1 if a build failed or was stale."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, required=True, help="a linkblog corpus (its posts are edited, then restored)")
    ap.add_argument("--runs", type=int, default=10, help="timed builds per scenario (default 10)")
    ap.add_argument("--jobs", type=int, default=0, help="BuildOptions(jobs=...) (default 0: one per core)")
    ap.add_argument("--json", type=Path, default=None, help="write the JSON here instead of stdout")
    args = ap.parse_args(argv)
    site = edits.open_site(args.site.resolve())
    out = Path(tempfile.mkdtemp(prefix="linkblog-inprocess-"))
    try:
        report = measure(site, out / "site", args.runs, args.jobs)
    finally:
        edits.restore(site)
        shutil.rmtree(out, ignore_errors=True)
    report["max_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report["debounce_seconds"] = debounce_seconds()
    text = json.dumps(report, indent=1)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())

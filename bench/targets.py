"""The targets of the build-engine and serve issues, each measured, and what bounds those not met."""
from __future__ import annotations

import statistics
from dataclasses import dataclass

from results import LABELS, Findings, SizeResult, fmt, hugo_ref, ratio, totals

TARGET_SIZE = 10000
CLI_LIMITS = {"cold": 0.5, "no-change": 0.05, "edit-body": 0.05, "edit-tags": 0.05, "add-post": 0.15}
MEMORY_LIMIT = 0.5
INPROCESS_MS = 50.0
RELOAD_EXAMPLE_MS = 100.0
RELOAD_MS = 150.0
SERVER_MIB = 300.0


@dataclass
class Target:
    """One target: what was measured, how it reads, its limit and, when missed, what bounds it."""

    what: str
    at: str
    measured: float | None
    shown: str
    limit: float
    limit_text: str
    worst: float | None = None  # for targets judged on a median
    bound: str = ""

    @property
    def met(self) -> bool | None:
        """Whether the (median) measurement is within the limit; None if not measured."""
        return None if self.measured is None else self.measured <= self.limit

    @property
    def verdict(self) -> str:
        if self.met is None:
            return "not measured"
        if not self.met:
            return "**not met**"
        return "met" if self.worst is None or self.worst <= self.limit else "met (median; the worst is over)"


def judged_size(sizes: list[int]) -> int | None:
    """The size the targets are judged at: 10,000 posts, else the largest size up to it that was run."""
    if TARGET_SIZE in sizes:
        return TARGET_SIZE
    return max([n for n in sizes if n <= TARGET_SIZE] or sizes, default=None)


def median_stages(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each stage's median over runs."""
    names = dict.fromkeys(name for run in runs for name in run)
    return {name: statistics.median(run.get(name, 0.0) for run in runs) for name in names}


def stage_text(stages: dict[str, float], unit: str = "s", top: int = 4) -> str:
    """The largest stages, as `render 0.42 s, read 0.12 s`."""
    scale, spec = (1000, ".1f") if unit == "ms" else (1, ".3f")
    ordered = sorted(stages.items(), key=lambda kv: -kv[1])[:top]
    return ", ".join(f"{name} {value * scale:{spec}} {unit}" for name, value in ordered) or "no stages"


def cold_bound(findings: Findings, size: SizeResult, hugo_s: float | None) -> str:
    """What a cold build's time is made of: the CPU of its stages against the cores, and the bytes it writes."""
    lb = size.linkblog.get("cold")
    parts = [f"The parallel cold build took {fmt(lb.median if lb else None)} s; its stages, timed in the "
             f"building process: {stage_text((lb.stages if lb else None) or {})}."]
    if findings.cold_jobs1 and findings.cold_jobs1[0] == size.n and isinstance(findings.cold_jobs1[1], dict):
        stages = findings.cold_jobs1[1]["stages"]
        total = sum(stages.values())
        floor = total / findings.cores
        parts.append(f"A cold `--jobs 1` build spends {total:.2f} s in its stages ({stage_text(stages)}); spread "
                     f"perfectly over {findings.cores} cores that is {floor:.2f} s, {fmt(ratio(floor, hugo_s))} of "
                     "Hugo's cold build, so "
                     + ("the work itself is over the target before any cost of spreading it."
                        if (ratio(floor, hugo_s) or 0) > CLI_LIMITS["cold"] else
                        "the work would fit: the rest is lost spreading it over the cores or waiting."))
    if len(size.inventory) == 2:
        (lb_files, lb_bytes), (h_files, h_bytes) = (totals(k) for k in size.inventory.values())
        parts.append(f"It writes {lb_files:,} files and {lb_bytes / 1e6:.0f} MB, Hugo {h_files:,} files and "
                     f"{h_bytes / 1e6:.0f} MB (see Output, like for like).")
    return " ".join(parts)


def cli_bound(size: SizeResult, scenario: str, startup: float | None, allowed_s: float | None) -> str:
    """What one CLI build's whole-process time is made of: start-up, stages, the rest."""
    lb = size.linkblog.get(scenario)
    if lb is None or lb.median is None:
        return "The build failed: see Problems seen."
    stages = lb.stages or {}
    total = sum(stages.values())
    text = f"The median run took {lb.median:.3f} s, {total:.3f} s of it in stages ({stage_text(stages)})"
    if startup is not None:
        text += (f"; start-up (`linkblog --version`) takes {startup:.3f} s, which leaves "
                 f"{lb.median - total - startup:.3f} s outside both")
    text += f". The target allows {fmt(allowed_s)} s"
    if startup is not None and allowed_s is not None and startup > allowed_s:
        text += ": start-up alone is over it"
    return text + "."


def cli_targets(findings: Findings, size: SizeResult) -> list[Target]:
    """The ratio targets of the CLI scenarios against Hugo."""
    startup = findings.startup.median if findings.startup else None
    found = []
    for scenario, limit in CLI_LIMITS.items():
        lb, ref = size.linkblog.get(scenario), (size.hugo or {}).get(hugo_ref(scenario))
        lb_s, hugo_s = (lb.median if lb else None), (ref.median if ref else None)
        value = ratio(lb_s, hugo_s)
        target = Target(f"{LABELS[scenario]}: CLI, linkblog / Hugo {hugo_ref(scenario)}", f"{size.n:,} posts",
                        value, f"{fmt(value)} ({fmt(lb_s)} s / {fmt(hugo_s, '.2f')} s)", limit, f"≤ {limit}")
        target.bound = (cold_bound(findings, size, hugo_s) if scenario == "cold"
                        else cli_bound(size, scenario, startup, limit * hugo_s if hugo_s else None))
        found.append(target)
    return found


def memory_target(size: SizeResult) -> Target:
    """Peak memory of linkblog's process tree against Hugo's, worst run of each."""
    lb = max(size.linkblog.items(), key=lambda kv: kv[1].tree_mib or 0, default=None)
    hugo = max(((size.hugo or {}).values()), key=lambda r: r.tree_mib or 0, default=None)
    lb_mib, hugo_mib = (lb[1].tree_mib if lb else None), (hugo.tree_mib if hugo else None)
    value = ratio(lb_mib, hugo_mib)
    target = Target("peak memory, whole process tree (worst run), linkblog / Hugo", f"{size.n:,} posts", value,
                    f"{fmt(value, '.2f')} ({fmt(lb_mib, '.0f')} MiB / {fmt(hugo_mib, '.0f')} MiB)",
                    MEMORY_LIMIT, f"≤ {MEMORY_LIMIT}")
    if lb:
        name, run = lb
        others = run.tree_mib - run.largest_mib
        target.bound = (f"linkblog's worst run is {LABELS[name]}: {run.tree_mib:.0f} MiB over its process tree, "
                        f"{run.largest_mib:.0f} MiB of it in its largest process "
                        f"({fmt(ratio(run.largest_mib, hugo_mib), '.2f')} of Hugo's peak)"
                        + (f" and {others:.0f} MiB in the others (the fork server and its workers)."
                           if others >= 1 else "."))
    return target


def ms_of(seconds: list[float]) -> list[float]:
    return [s * 1000 for s in seconds]


def inprocess_target(size: SizeResult) -> Target:
    """A body edit rebuilt inside one process, median of the runs."""
    data = (size.inprocess or {}).get("edit-body") or {}
    ms = ms_of(data.get("seconds", []))
    median = statistics.median(ms) if ms else None
    target = Target("one post's body edited, rebuilt inside a long-running process", f"{size.n:,} posts", median,
                    f"{fmt(median, '.1f')} ms (worst {fmt(max(ms, default=None), '.1f')} ms)", INPROCESS_MS,
                    f"≤ {INPROCESS_MS:.0f} ms", max(ms, default=None))
    if ms:
        target.bound = (f"The median build took {median:.1f} ms; its stages (median of each): "
                        f"{stage_text(median_stages(data['stages']), 'ms')}; it rendered "
                        f"{statistics.median(data['rendered']):.0f} pages and wrote "
                        f"{statistics.median(data['written']):.0f} files.")
    return target


def reload_target(where: str, data: dict | None, limit: float, debounce: float | None) -> Target:
    """Save-to-reload latency of one site, median of the edits."""
    edits = (data or {}).get("edits", [])
    latency = [e["latency_ms"] for e in edits if "latency_ms" in e]
    builds = [e["build_ms"] for e in edits if e.get("build_ms") is not None]
    median = statistics.median(latency) if latency else None
    target = Target("save to reload (file written -> build event), `serve --watch`", where, median,
                    f"{fmt(median, '.1f')} ms (worst {fmt(max(latency, default=None), '.1f')} ms)", limit,
                    f"under {limit:.0f} ms", max(latency, default=None))
    if latency and builds:
        build = statistics.median(builds)
        wait = f" ({debounce * 1000:.0f} ms in `linkblog.watch`)" if debounce else ""
        printed = next((e["printed"] for e in edits if e.get("printed")), "")
        target.bound = (f"Of the median {median:.0f} ms, the server's own rebuild took {build:.0f} ms (as it "
                        f"printed it{f', e.g. `{printed}`' if printed else ''}); the other {median - build:.0f} ms "
                        f"hold the watcher's debounce{wait}, the file-system event and the message's delivery.")
    return target


def server_memory_target(size: SizeResult) -> Target:
    """Peak RSS of the `serve --watch` process at one size."""
    data = size.serve or {}
    mib = {k: data[k] / 1024 if data.get(k) else None for k in ("hwm_kib", "rss_after_start_kib", "rss_end_kib",
                                                               "tree_peak_kib")}
    target = Target("peak memory of the server process (VmHWM)", f"{size.n:,} posts", mib["hwm_kib"],
                    f"{fmt(mib['hwm_kib'], '.0f')} MiB", SERVER_MIB, f"under {SERVER_MIB:.0f} MiB")
    target.bound = (f"The server process peaked at {fmt(mib['hwm_kib'], '.0f')} MiB; it held "
                    f"{fmt(mib['rss_after_start_kib'], '.0f')} MiB once serving and "
                    f"{fmt(mib['rss_end_kib'], '.0f')} MiB after the edits; with the fork server and the workers "
                    f"of its first build its process tree peaked at {fmt(mib['tree_peak_kib'], '.0f')} MiB.")
    return target


def collect(findings: Findings, n: int) -> list[Target]:
    """Every target, measured at size n (the example site for the first reload target)."""
    size = next(r for r in findings.sizes if r.n == n)
    debounce = next((r.inprocess.get("debounce_seconds") for r in findings.sizes if r.inprocess), None)
    return [*cli_targets(findings, size), memory_target(size), inprocess_target(size),
            reload_target("example site", findings.example, RELOAD_EXAMPLE_MS, debounce),
            reload_target(f"{n:,} posts", size.serve, RELOAD_MS, debounce), server_memory_target(size)]


def targets_table(found: list[Target]) -> str:
    rows = ["| target | at | measured | limit | result |", "| --- | --- | ---: | --- | --- |"]
    rows += [f"| {t.what} | {t.at} | {t.shown} | {t.limit_text} | {t.verdict} |" for t in found]
    return "\n".join(rows) + "\n"


def stage_columns(findings: Findings, size: SizeResult) -> dict[str, tuple[dict[str, float], float | None]]:
    """Per column of the breakdown: stage seconds and the whole time they are part of."""
    columns: dict[str, tuple[dict[str, float], float | None]] = {}
    if findings.cold_jobs1 and findings.cold_jobs1[0] == size.n and isinstance(findings.cold_jobs1[1], dict):
        columns["cold, `--jobs 1`"] = (findings.cold_jobs1[1]["stages"], findings.cold_jobs1[1]["wall"])
    for name, result in size.linkblog.items():
        if result.stages is not None:
            columns[LABELS[name]] = (result.stages, result.median)
    for name in ("edit-body", "edit-tags"):
        data = (size.inprocess or {}).get(name)
        if data and data.get("stages"):
            columns[f"in-process: {LABELS[name]}"] = (median_stages(data["stages"]),
                                                      statistics.median(data["seconds"]))
    return columns


def breakdown(findings: Findings, size: SizeResult) -> str:
    """Seconds per `--timings` stage of each kind of build at one size."""
    columns = stage_columns(findings, size)
    if not columns:
        return "No `--timings` stages were measured.\n"
    names = list(dict.fromkeys(name for stages, _ in columns.values() for name in stages))
    rows = ["| stage | " + " | ".join(columns) + " |", "| --- |" + " ---: |" * len(columns)]
    rows += [f"| {name} | " + " | ".join(fmt(stages.get(name)) for stages, _ in columns.values()) + " |"
             for name in names]
    rows.append("| **sum of stages** | " + " | ".join(f"{sum(s.values()):.3f}" for s, _ in columns.values()) + " |")
    rows.append("| **whole build** | " + " | ".join(fmt(whole) for _, whole in columns.values()) + " |")
    startup = findings.startup.median if findings.startup else None
    return (f"Seconds per stage of `linkblog build --timings` at {size.n:,} posts: the median run of each CLI "
            "scenario (the whole build is the process's wall time), a cold build in one process (`--jobs 1`: each "
            "stage's whole CPU cost; a normal build spreads parse and render over the cores), and the median of "
            "each stage inside a long-running process (the whole build is the `build()` call). "
            f"Start-up (`linkblog --version`, median): {fmt(startup)} s.\n\n" + "\n".join(rows) + "\n")


def bound_line(target: Target) -> str:
    """A missed target, its measurement and what bounds it."""
    return f"- **{target.what}, {target.at}**: {target.shown}, {target.limit_text}. {target.bound}"


def sections(findings: Findings, n: int | None) -> str:
    """The targets, the stage breakdown and the bounds of the targets not met."""
    if n is None:
        return "## Targets\n\nNo size was run.\n"
    found = collect(findings, n)
    note = "" if n == TARGET_SIZE else (f"The targets are set at {TARGET_SIZE:,} posts; this run did not include "
                                        f"that size, so they are judged at {n:,}.\n\n")
    missed: list[Target] = [t for t in found if t.met is False or (t.worst or 0) > t.limit]
    size = next(r for r in findings.sizes if r.n == n)
    return "\n".join([
        "## Targets", "", note + targets_table(found),
        "## Where linkblog's time goes", "", breakdown(findings, size),
        "## What bounds the targets not met", "",
        "\n".join(bound_line(t) for t in missed) or "Every target was met.", ""])

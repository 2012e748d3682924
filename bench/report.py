"""Markdown report for bench/run.py: machine facts, method, tables per size and per measurement."""
from __future__ import annotations

import datetime as dt
import os
import platform
import shlex
import subprocess
from pathlib import Path

import targets
from results import LABELS, Findings, Result, SizeResult, fmt, hugo_ref, ratio, summary_of, totals

ALIAS_KIND = "Hugo page/1 alias"  # inventory.py's name for the redirects Hugo 0.111 always writes
METHOD = """\
- Corpora: `gen_corpus.py --seed 1`, the same posts for both tools. Hugo's corpus is
  turned into the like-for-like peer by `bench/peers/hugo/prepare.py` (its config,
  layouts and static files, plus the year, month and archive stubs Hugo needs): the
  same pages with the same content as linkblog's default output (full posts on the
  paginated home, tag, year, month and source lists, RSS, Atom, tag feeds, sitemap,
  archive). Files and bytes per page kind come from `peers/hugo/inventory.py`, and
  `peers/hugo/compare.py` checks that both trees hold the same posts on the same pages.
- linkblog, run in the corpus directory as `LINKBLOG build --quiet --timings`:
  - **cold**: `build/` and `.cache/` moved aside first (into `$WORK/trash/`, deleted after
    all runs: on a file system without a journal, a build right after deleting 13,500
    files pays seconds of kernel time for it, a cost that depends on when it ran);
  - **no-change**: nothing changed since the last build;
  - **one post's body edited**: a sentence appended to the newest post's file;
  - **one post's tags edited**: one existing tag added to its `tags:` line;
  - **one post added**: a new link post, newer than all others, written to `posts/`.
  Before every timed run of a warm scenario the corpus is put back in its base
  state and rebuilt untimed, so each measured build starts from a warm cache;
  after each scenario the corpus is restored and rebuilt once more. Each build's
  output must show its change, and no longer show it once restored.
- Hugo: **cold** is `public/` and `resources/` moved aside, then `hugo --quiet`; **no-change**
  is `hugo --quiet` again over the existing output. Hugo's CLI has no incremental
  build, so linkblog's edit and add builds are compared with Hugo's no-change build.
- Start-up: `LINKBLOG --version`, the interpreter and imports every CLI build pays.
- Times are wall-clock seconds of the whole process, median of the repeats.
- Peak memory: "largest" is the max RSS of the largest process (`os.wait4`
  rusage; it includes the ~16 MiB the harness's forked child had before `exec`);
  "tree" is the largest sum of VmRSS over the process tree, polled every 20 ms
  from `/proc/<pid>/task/*/children` (never less than "largest"). Ratios use "tree".
- In a long-running process: `bench/inprocess.py`, run with linkblog's Python, builds
  the corpus once with `Builder(config, {"output_dir": TMP}, BuildOptions(), persist=False)`
  (what `serve` uses) and times `builder.build(changed=[path])` after each edit.
- Save-to-reload: `bench/serve_latency.py` starts `LINKBLOG serve --watch --port 0`,
  connects to `GET /__linkblog/events` as an open page does, writes a sentence into the
  newest post and times from the write's return to the `event: build` message; the
  event must name pages, one of which shows the sentence. Server memory: VmHWM of the
  server process (its peak RSS, from /proc) and the polled peak of its process tree.
- Absolute figures move 10-25 % from run to run on these machines: the ratios,
  measured in one run on one machine, are what count."""


def first_line(cmd: list[str]) -> str:
    """First output line of cmd, with its exit code if not 0."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except OSError as error:
        return f"unavailable ({error})"
    lines = (done.stdout + done.stderr).strip().splitlines()
    text = lines[0] if lines else "(no output)"
    return text if done.returncode == 0 else f"{text} (exit {done.returncode})"


def proc_field(path: str, key: str) -> str:
    """The value of the first `key: value` line in a /proc file."""
    for line in Path(path).read_text().splitlines():
        if line.split(":")[0].strip() == key:
            return line.split(":", 1)[1].strip()
    return "unknown"


def interpreter(cmd: list[str]) -> str | None:
    """The interpreter named on the command's #! line, if it is a script."""
    try:
        with open(cmd[0], "rb") as script:
            head = script.readline().decode("utf-8", "replace")
    except OSError:
        return None
    words = head[2:].split() if head.startswith("#!") else []
    if words[:1] and os.path.basename(words[0]) == "env":
        words = words[1:]
    return words[0] if words else None


def git_version(repo: Path) -> str:
    """`git describe --always --dirty` of the repo, or why there is none."""
    done = subprocess.run(["git", "-C", str(repo), "describe", "--always", "--dirty"],
                          capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else "no git commit yet"


def machine_info(linkblog: list[str], hugo: str | None, python: str | None) -> dict[str, str]:
    """Facts about the machine and the tools under test."""
    mem_kb = int(proc_field("/proc/meminfo", "MemTotal").split()[0])
    repo = Path(__file__).resolve().parent.parent
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(len(os.sched_getaffinity(0))),
        "load average at the start": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB (MemTotal {mem_kb} kB)",
        "CPU": proc_field("/proc/cpuinfo", "model name"),
        "Python (harness)": f"{platform.python_version()} ({platform.python_implementation()})",
        "Python (linkblog)": first_line([python, "--version"]) if python else "n/a",
        "Hugo": first_line([hugo, "version"]) if hugo else "not installed: Hugo skipped",
        "linkblog": first_line([*linkblog, "--version"]),
        "linkblog package": first_line([python, "-c", "import linkblog; print(linkblog.__file__)"]) if python
        else "n/a",
        "bench/ source": git_version(repo),
    }


def scenario_row(scenario: str, lb: Result, hugo: dict[str, Result] | None) -> str:
    """One markdown table row comparing a linkblog scenario with Hugo."""
    ref = hugo.get(hugo_ref(scenario)) if hugo else None
    time_ratio = ratio(lb.median, ref.median if ref else None)
    mem_ratio = ratio(lb.tree_mib, ref.tree_mib if ref else None)
    hugo_s = "n/a" if ref is None else fmt(ref.median) + (
        "" if scenario == hugo_ref(scenario) else " (no-change)")
    lb_s = fmt(lb.median) if lb.ok else "FAILED"
    return (f"| {LABELS[scenario]} | {lb_s} | {hugo_s} | {fmt(time_ratio)} "
            f"| {fmt(lb.largest_mib, '.0f')} / {fmt(lb.tree_mib, '.0f')} "
            f"| {fmt(ref.tree_mib if ref else None, '.0f')} | {fmt(mem_ratio, '.2f')} |")


def output_line(result: SizeResult) -> str:
    """Both tools' file counts and output bytes (inventory totals), and compare.py's verdict."""
    parts = []
    for tool, kinds in result.inventory.items():
        files, size = totals(kinds)
        aliases = kinds.get(ALIAS_KIND, (0, 0))[0]
        extra = f", {aliases:,} of them page/1 redirects" if aliases else ""
        parts.append(f"{tool} {files:,} files{extra}, {size:,} bytes")
    if len(result.inventory) == 2:
        (lb_files, lb_bytes), (h_files, h_bytes) = (totals(k) for k in result.inventory.values())
        parts.append(f"linkblog / Hugo: files {fmt(ratio(lb_files, h_files), '.2f')}, "
                     f"bytes {fmt(ratio(lb_bytes, h_bytes), '.2f')}")
    line = "Output after the runs: " + "; ".join(parts) + "."
    return line + (f" `compare.py`: {result.compare}." if result.compare else "")


def size_table(result: SizeResult) -> str:
    """The markdown section for one corpus size."""
    rows = [f"### {result.n:,} posts", "",
            "| scenario | linkblog median (s) | Hugo median (s) | linkblog / Hugo "
            "| linkblog peak MiB (largest / tree) | Hugo peak MiB | memory linkblog / Hugo |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    rows += [scenario_row(name, lb, result.hugo) for name, lb in result.linkblog.items()]
    return "\n".join([*rows, "", output_line(result)]) + "\n"


def inventory_section(result: SizeResult | None) -> str:
    """Files and bytes per page kind of both tools at one size."""
    if result is None or len(result.inventory) < 2:
        return "Not measured (no Hugo run).\n"
    (lb_name, lb), (h_name, hugo) = result.inventory.items()
    kinds = [*dict.fromkeys([*lb, *hugo])]
    rows = [f"At {result.n:,} posts, by `peers/hugo/inventory.py`'s page kinds:", "",
            f"| kind | {lb_name} files | {lb_name} bytes | {h_name} files | {h_name} bytes | files | bytes |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for kind in [*kinds, "total"]:
        (a, ab), (b, bb) = (totals(lb), totals(hugo)) if kind == "total" else (
            lb.get(kind, (0, 0)), hugo.get(kind, (0, 0)))
        rows.append(f"| {kind} | {a:,} | {ab:,} | {b:,} | {bb:,} | {fmt(ratio(a, b), '.2f')} "
                    f"| {fmt(ratio(ab, bb), '.2f')} |")
    return "\n".join(rows) + ("\n\nRatios are linkblog / Hugo. A kind only one tool writes is work the other "
                              "did not do.\n")


def inprocess_section(sizes: list[SizeResult]) -> str:
    """Rebuild times inside one process, per size."""
    rows = ["| posts | first build (s) | body edit ms (median / worst) | tag edit ms | add ms "
            "| pages rendered (body / tags / add) | peak RSS MiB |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for result in sizes:
        data = result.inprocess
        if not data:
            continue
        ms = {name: [s * 1000 for s in data.get(name, {}).get("seconds", [])]
              for name in ("edit-body", "edit-tags", "add-post")}
        pages = " / ".join(str(max(data.get(n, {}).get("rendered", [0]) or [0])) for n in ms)
        rows.append(f"| {result.n:,} | {fmt(data.get('first', {}).get('seconds'), '.2f')} "
                    + "".join(f"| {summary_of(v)} " for v in ms.values())
                    + f"| {pages} | {fmt(data.get('max_rss_kib', 0) / 1024, '.0f')} |")
    if len(rows) == 2:
        return "Not measured.\n"
    runs = next((r.inprocess.get("runs") for r in sizes if r.inprocess), "?")
    return (f"`{runs}` timed builds per scenario, each `builder.build(changed=[path])` right after "
            "the edit. Times are of the build call only.\n\n" + "\n".join(rows) + "\n")


def serve_rows(name: str, data: dict | None) -> list[str]:
    """The save-to-reload row of one site."""
    if not data:
        return []
    edits = data.get("edits", [])
    latency = [e["latency_ms"] for e in edits if "latency_ms" in e]
    builds = [e["build_ms"] for e in edits if e.get("build_ms") is not None]
    mib = {k: fmt(data[k] / 1024, ".0f") if data.get(k) else "n/a"
           for k in ("hwm_kib", "rss_end_kib", "tree_peak_kib")}
    return [f"| {name} | {fmt(data.get('startup_seconds'), '.1f')} | {len(latency)} | {summary_of(latency)} "
            f"| {summary_of(builds)} | {mib['hwm_kib']} / {mib['rss_end_kib']} | {mib['tree_peak_kib']} |"]


def serve_section(findings: Findings) -> str:
    """Save-to-reload latency on the example site and on each generated size measured."""
    rows = serve_rows("example site", findings.example)
    for result in findings.sizes:
        rows += serve_rows(f"{result.n:,} posts", result.serve)
    if not rows:
        return "Not measured.\n"
    head = ["| site | start-up (s) | edits | file written -> build event, ms (median / worst) "
            "| build, as the server printed it, ms (median / worst) | server process MiB (peak / at the end) "
            "| process tree peak MiB |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    return "\n".join([*head, *rows]) + "\n"


def document(args, machine: dict[str, str], runner, findings: Findings) -> str:
    """The whole RESULTS.md text."""
    shown = [("…" if args.note and arg == args.note else arg) for arg in args.argv]
    invocation = shlex.join(shown).replace(str(Path.cwd()) + "/", "")
    by_size = {r.n: r for r in findings.sizes}
    judged = targets.judged_size(list(by_size))
    note = [f"> **{args.note}**", ""] if args.note else []
    huge = " (1 at 100,000 posts)" if any(n >= 100000 for n in by_size) else ""
    return "\n".join([
        "# linkblog benchmark results", "", *note,
        f"Generated by `{invocation}` on {machine['date']}, "
        f"{args.repeat} run(s) per CLI scenario{huge}, {args.edits} in-process builds per scenario and "
        f"{args.edits} served edits per site. `$WORK` is the corpus directory.", "",
        "## Machine and tools", "",
        *[f"- {key}: {value}" for key, value in machine.items() if key != "date"], "",
        "## Method", "", METHOD.replace("LINKBLOG", shlex.join(args.linkblog_cmd)), "",
        "## Commands run", "", "```", *runner.commands, "```", "",
        "## Results through the CLI", "", *[size_table(r) for r in findings.sizes],
        "## Output, like for like", "", inventory_section(by_size.get(judged)),
        "## Inside a long-running process", "", inprocess_section(findings.sizes),
        "## Save-to-reload latency of `linkblog serve --watch`", "", serve_section(findings),
        targets.sections(findings, judged),
        "## Problems seen", "", "\n".join(f"- {p}" for p in runner.problems) or (
            "None: every command exited 0, printed nothing under `--quiet`, "
            "and each build's output showed its change."), "",
    ])

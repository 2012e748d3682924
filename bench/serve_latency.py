#!/usr/bin/env python3
"""Save-to-reload latency of `linkblog serve --watch`: file written -> `build` event received.

Starts the real command (`LINKBLOG serve --watch --port 0`) in a site folder, connects to
its Server-Sent Events endpoint (GET /__linkblog/events) as an open page does, then --edits
times writes a sentence into the newest post and measures from the moment the write
returned to the moment the `event: build` message arrived. Each event must name changed
pages, carry no problems, and one of those pages must show the sentence. An event naming
only the search page is the search index that follows a build (`search: true`): it is
counted (`index_events`), not taken for an edit's build. Also records the
server's peak memory (VmHWM of the server process, and the summed RSS of its process tree)
and stops it with SIGINT. Stdlib only. Prints one JSON document.

Usage: serve_latency.py --linkblog CMD --site DIR [--edits 10] [--json FILE]
"""
from __future__ import annotations

import argparse
import http.client
import json
import queue
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import edits
import measure

EVENTS = "/__linkblog/events"
SERVING = re.compile(r"^Serving (http://\S+?)(?: and watching| \(|$)")
BUILD_MS = re.compile(r" in (\d+) ms$")
EVENT_TIMEOUT = 60.0
SETTLE_SECONDS = 0.3  # after each event: time for a second, unwanted event to show up
START_TIMEOUT = 1800.0  # the first build of a large site runs before the server answers


class Lines(threading.Thread):
    """One of the server's output streams, line by line, each with the moment it arrived."""

    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.lines: queue.Queue[tuple[float, str] | None] = queue.Queue()
        self.seen: list[str] = []

    def run(self) -> None:
        for line in self.stream:
            self.seen.append(line.rstrip("\n"))
            self.lines.put((time.perf_counter(), line.rstrip("\n")))
        self.lines.put(None)

    def next(self, timeout: float) -> str | None:
        """The next line, or None when the server closed its output or timeout passed."""
        try:
            item = self.lines.get(timeout=timeout)
        except queue.Empty:
            return None
        return None if item is None else item[1]


class Events(threading.Thread):
    """One SSE connection; each `build` event queued with its arrival time and data."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection(host, port, timeout=None)
        self.builds: queue.Queue[tuple[float, dict]] = queue.Queue()
        self.indexes: queue.Queue[float] = queue.Queue()  # events of the search index that follows a build
        self.ready = threading.Event()

    def run(self) -> None:
        self.connection.request("GET", EVENTS, headers={"Accept": "text/event-stream"})
        response = self.connection.getresponse()
        event, data = "", []
        while line := response.readline():
            now = time.perf_counter()
            self.ready.set()  # the server's first line (`retry:`) says the stream is live
            text = line.decode("utf-8").rstrip("\r\n")
            if text.startswith("event:"):
                event = text[6:].strip()
            elif text.startswith("data:"):
                data.append(text[5:].strip())
            elif not text:
                if event == "build":
                    message = json.loads("\n".join(data))
                    if index_only(message):
                        self.indexes.put(now)
                    else:
                        self.builds.put((now, message))
                event, data = "", []

    def next(self, timeout: float) -> tuple[float, dict] | None:
        """The next build event, or None after timeout seconds."""
        try:
            return self.builds.get(timeout=timeout)
        except queue.Empty:
            return None

    def drain(self, waiting: queue.Queue | None = None) -> int:
        """How many build (or other) events are waiting; forgets them."""
        waiting = self.builds if waiting is None else waiting
        count = 0
        while not waiting.empty():
            waiting.get()
            count += 1
        return count


def index_only(message: dict) -> bool:
    """True for the event of a search index that followed a build: it names the search page alone."""
    pages = message.get("pages", [])
    return bool(pages) and all(page.endswith("/search/") for page in pages) and not message.get("everything")


def fetch(host: str, port: int, path: str) -> bytes:
    """The body of GET path from the preview (no proxy, as a browser on loopback)."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("GET", path)
        return connection.getresponse().read()
    finally:
        connection.close()


def shows(host: str, port: int, pages: list[str], text: str) -> bool:
    """True if one of the (first few HTML) pages named holds text."""
    html = [p for p in pages if p.endswith(("/", ".html"))][:8]
    return any(text.encode() in fetch(host, port, page) for page in html)


def wait_for_url(lines: Lines, timeout: float) -> tuple[str | None, list[str]]:
    """The URL the server prints once it serves, and the lines before it."""
    deadline, before = time.monotonic() + timeout, []
    while (line := lines.next(max(0.0, deadline - time.monotonic()))) is not None:
        match = SERVING.match(line)
        if match:
            return match.group(1), before
        before.append(line)
    return None, before


def build_line(lines: Lines, timeout: float) -> tuple[float | None, str]:
    """The line the server printed for its next rebuild, and the build time it gives (`... in N ms`)."""
    while (line := lines.next(timeout)) is not None:
        match = BUILD_MS.search(line)
        if match:
            return float(match.group(1)), line
    return None, ""


def status_kib(pid: int, key: str) -> int | None:
    """A `VmRSS`/`VmHWM` figure of a live process, in KiB."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{key}:\s+(\d+) kB", text, re.M)
    return int(match.group(1)) if match else None


class Session:
    """A running `linkblog serve --watch --port 0` and a page connected to it."""

    def __init__(self, cmd: list[str], site: Path, start_timeout: float) -> None:
        started = time.perf_counter()
        self.proc = subprocess.Popen([*cmd, "serve", "--watch", "--port", "0"], cwd=site,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        self.poller = measure.TreePoller(self.proc.pid)
        self.poller.start()
        self.lines, self.errors = Lines(self.proc.stdout), Lines(self.proc.stderr)
        self.lines.start()
        self.errors.start()
        url, self.before = wait_for_url(self.lines, start_timeout)
        self.startup = time.perf_counter() - started
        self.url = urlsplit(url) if url else None
        self.events: Events | None = None

    def connect(self) -> bool:
        """Open the event stream; True once the server has written to it."""
        assert self.url is not None
        self.events = Events(self.url.hostname, self.url.port)
        self.events.start()
        return self.events.ready.wait(30)

    def stop(self) -> tuple[int | None, str]:
        """SIGINT, then the exit code and what the server wrote to stderr."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = None
        self.poller.stop()
        self.errors.join(timeout=10)
        return code, "\n".join(self.errors.seen)


def edit_once(session: Session, site: edits.Site, run: int, settle: float) -> tuple[dict, list[str]]:
    """Write one edit, wait for its build event; the timings and any problem."""
    sentence = f"{edits.SENTENCE} Served edit {run + 1}."
    data = site.original + f"\n{sentence}\n".encode()
    while session.lines.next(0) is not None:  # forget lines printed before the write
        pass
    site.target.write_bytes(data)
    written = time.perf_counter()
    event = session.events.next(EVENT_TIMEOUT)
    if event is None:
        return {}, [f"edit {run + 1}: no build event within {EVENT_TIMEOUT:.0f} s"]
    arrived, message = event
    build_ms, line = build_line(session.lines, 10)
    record = {"latency_ms": (arrived - written) * 1000, "build_ms": build_ms, "printed": line,
              "pages": len(message.get("pages", []))}
    problems = [f"edit {run + 1}: the build reported: {p}" for p in message.get("problems", [])]
    host, port = session.url.hostname, session.url.port
    if not problems and not shows(host, port, message.get("pages", []), sentence):
        problems.append(f"edit {run + 1}: no page named in the event shows the new sentence")
    time.sleep(settle)
    record["extra_events"] = session.events.drain()
    record["index_events"] = session.events.drain(session.events.indexes)
    return record, problems


def measure_site(cmd: list[str], root: Path, runs: int, settle: float, start_timeout: float) -> dict:
    """Start the server on root, time `runs` edits, restore the post, stop the server."""
    site = edits.open_site(root)
    session = Session(cmd, root, start_timeout)
    report: dict = {"command": shlex.join([*cmd, "serve", "--watch", "--port", "0"]),
                    "startup_seconds": session.startup, "edits": [], "problems": []}
    try:
        if session.url is None:
            report["problems"].append("the server printed no `Serving URL` line: "
                                      + " | ".join(session.before[-3:]))
        elif not session.connect():
            report["problems"].append(f"no answer on {EVENTS}")
        else:
            report["rss_after_start_kib"] = status_kib(session.proc.pid, "VmRSS")
            for run in range(runs):
                record, problems = edit_once(session, site, run, settle)
                report["edits"].append(record)
                report["problems"] += problems
                print(f"  serve edit {run + 1}/{runs}: {record.get('latency_ms', float('nan')):.1f} ms",
                      file=sys.stderr, flush=True)
            edits.restore(site)
            if session.events.next(EVENT_TIMEOUT) is None:
                report["problems"].append("no build event after the post was restored")
            report["rss_end_kib"] = status_kib(session.proc.pid, "VmRSS")
            report["hwm_kib"] = status_kib(session.proc.pid, "VmHWM")
    finally:
        edits.restore(site)
        code, stderr = session.stop()
    report["tree_peak_kib"] = session.poller.peak_kib
    report["exit"] = code
    if code != 0 or "Traceback" in stderr:
        report["problems"].append(f"the server exited {code} on SIGINT: {stderr.strip()[-300:]}")
    return report


def main(argv: list[str] | None = None) -> int:
    """Measure one site; print the JSON; exit 1 on any problem."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--linkblog", default="linkblog", help="the linkblog command (default: linkblog)")
    ap.add_argument("--site", type=Path, required=True, help="a site folder (its newest post is edited, then restored)")
    ap.add_argument("--edits", type=int, default=10, help="timed edits (default 10)")
    ap.add_argument("--settle", type=float, default=SETTLE_SECONDS, help="seconds to wait after each event")
    ap.add_argument("--start-timeout", type=float, default=START_TIMEOUT, help="seconds to wait for the first build")
    ap.add_argument("--json", type=Path, default=None, help="write the JSON here instead of stdout")
    args = ap.parse_args(argv)
    report = measure_site(shlex.split(args.linkblog), args.site.resolve(), args.edits, args.settle,
                          args.start_timeout)
    text = json.dumps(report, indent=1)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Run one command and report its wall time and peak memory (stdlib only, Linux).

Two memory figures, both in KiB:
  largest  max RSS of the largest process in the tree, from os.wait4's rusage
           (the child and every descendant it waited for);
  tree     the largest sum of VmRSS over the whole process tree, polled every
           20 ms through /proc/<pid>/task/*/children (counts a worker pool);
           never less than largest, which polling can miss between samples.

Usage: measure.py [--cwd DIR] -- CMD [ARG...]   (prints one JSON line)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

POLL_SECONDS = 0.02


@dataclass(frozen=True)
class Sample:
    """One run of one command: exit code, wall seconds, peak memory, output."""

    returncode: int
    seconds: float
    largest_kib: int
    tree_kib: int
    stdout: str
    stderr: str


def children(pid: int) -> list[int]:
    """Direct children of pid, over all of its threads."""
    pids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            pids += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return pids


def tree(pid: int) -> list[int]:
    """pid and all of its descendants."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo += children(current)
    return pids


def rss_kib(pid: int) -> int:
    """VmRSS of pid in KiB, 0 if it is gone or a zombie."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class TreePoller(threading.Thread):
    """Polls a process tree's summed RSS until stopped; keeps the maximum."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self.done = threading.Event()

    def run(self) -> None:
        """Sample every POLL_SECONDS until stop() is called."""
        while not self.done.is_set():
            self.sample()
            self.done.wait(POLL_SECONDS)

    def sample(self) -> None:
        """Add up the tree's RSS once."""
        total = sum(rss_kib(pid) for pid in tree(self.pid))
        self.peak_kib = max(self.peak_kib, total)

    def stop(self) -> int:
        """Stop polling and return the peak sum in KiB."""
        self.done.set()
        self.join()
        return self.peak_kib


def run(cmd: list[str], cwd: str | Path | None = None) -> Sample:
    """Run cmd to completion, measuring wall time and peak memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        poller = TreePoller(proc.pid)
        poller.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        tree_kib = poller.stop()
        return Sample(proc.returncode, seconds, usage.ru_maxrss, max(tree_kib, usage.ru_maxrss),
                      read_back(out), read_back(err))


def read_back(handle) -> str:
    """The whole content of a temporary file written by a child."""
    handle.seek(0)
    return handle.read().decode("utf-8", "replace")


def main(argv: list[str] | None = None) -> int:
    """Command-line wrapper: run CMD and print a JSON line without its output."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cwd", default=None)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        ap.error("no command given")
    sample = run(cmd, args.cwd)
    fields = {k: v for k, v in asdict(sample).items() if k not in ("stdout", "stderr")}
    print(json.dumps(fields))
    sys.stderr.write(sample.stderr)
    return sample.returncode


if __name__ == "__main__":
    sys.exit(main())

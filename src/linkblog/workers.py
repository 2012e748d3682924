"""Work spread over processes, safe inside a process that runs threads.

A process running only its main thread forks its workers, which so inherit the task's state
(no copy of it is pickled). A process running other threads (a preview's HTTP server, a file
watcher) never forks itself: its workers come from a fork server, a fresh single-threaded
interpreter started once, and the state travels to them pickled, once per worker. Either way
the state reaches a worker explicitly, through the pool's initializer.

The items are cut into chunks that this process takes from the front while the workers take
them from the back, each claiming a chunk before it starts: whoever is done first takes more,
so no process idles while another still has a slow part of the batch.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
# Below this many items, starting workers costs more than it saves.
MIN_ITEMS = 256
# Chunks per process: enough that the last one taken leaves no process waiting long.
CHUNKS_PER_JOB = 32
SETTLE_TRIES = 50  # milliseconds to wait for threads that are ending before forking
# What workers from the fork server import before forking, so each starts warm.
PRELOAD = ["linkblog.content", "linkblog.render", "linkblog.feeds", "linkblog.build"]
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
_received: list[Any] = []  # in a worker: its state, the chunks and their claim flags, from its initializer


def _receive(handed: Any, claims: Any, forked: bool, parent: int | None) -> None:
    # Ctrl-C is the parent's to handle: it ends the pool, whose SIGTERM then stops each worker quietly (a
    # parent's handler, inherited, would have it raise KeyboardInterrupt and print a traceback).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)
    state, chunks = handed if forked else pickle.loads(handed)
    _received[:] = [state, chunks, claims]


def die_with_parent(parent: int | None) -> None:
    """On Linux, have the kernel end this worker when the process that started it dies (kill -9, a crash; the fork
    server's ends with the build's): orphaned, it would finish its chunk and print a broken pipe's traceback.
    `parent`: that process, when known (a fork server's workers were started by it, not by the build)."""
    if sys.platform != "linux":
        return
    import ctypes

    parent = parent or os.getppid()
    if ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) == 0 and os.getppid() != parent:
        os._exit(0)  # the parent died before the call


def claim(claims: Any, index: int) -> bool:
    """Take chunk `index` unless another process has: True when this one is to do it."""
    with claims.get_lock():
        if claims[index]:
            return False
        claims[index] = 1
        return True


def _run_claimed(job: tuple[Callable[[Any, Any], Any], int]) -> tuple[int, list[Any] | None]:
    func, index = job
    state, chunks, claims = _received
    if not claim(claims, index):
        return index, None  # this process took it from the front
    return index, [func(state, item) for item in chunks[index]]


def run_here(func: Callable[[Any, T], R], state: Any, items: Sequence[T],
             progress: Callable[[int], None] | None = None) -> list[R]:
    """func(state, item) for every item, in this process."""
    results = []
    for item in items:
        results.append(func(state, item))
        if progress:
            progress(1)
    return results


def only_thread() -> bool:
    """True when this process runs no thread but its main one (C libraries' threads included, on Linux)."""
    if threading.active_count() != 1:
        return False
    for _ in range(SETTLE_TRIES):
        try:
            if len(os.listdir("/proc/self/task")) == 1:
                return True
        except OSError:
            return True  # no /proc: Python's own count is all there is to go by
        time.sleep(0.001)  # a thread just joined (the last pool's) can take a moment to leave the list
    return False


def forks() -> bool:
    """True when map_items forks its workers, which so inherit the task's state as it is (none is pickled)."""
    return sys.platform == "linux" and only_thread()


def map_items(
    func: Callable[[Any, T], R], state: Any, items: Sequence[T], jobs: int,
    progress: Callable[[int], None] | None = None, least: int = MIN_ITEMS,
) -> list[R]:
    """func(state, item) for every item, in order: this process and jobs - 1 workers share the items.

    `func` must be a module-level function and `state` picklable; results come back pickled. Fewer
    than `least` items stay in this process.
    """
    if jobs <= 1 or len(items) < least:
        return run_here(func, state, items, progress)
    size = max(1, -(-len(items) // (jobs * CHUNKS_PER_JOB)))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    if progress:
        progress(0)  # where a caller may stop the batch before any worker starts
    import multiprocessing  # only a batch worth spreading pays for loading it

    forking = forks()
    context = multiprocessing.get_context("fork" if forking else "forkserver")
    if not forking:
        context.set_forkserver_preload(PRELOAD)
    claims = context.Array("b", len(chunks))
    # The last jobs - 1 chunks are left to the workers: a spread batch always uses them (and tests can tell).
    reserved = max(0, len(chunks) - (jobs - 1))
    # The chunks go with the state, so a task is only its chunk's number: nothing more to pickle per chunk.
    handed = (state, chunks) if forking else pickle.dumps((state, chunks), pickle.HIGHEST_PROTOCOL)
    done: dict[int, list[R]] = {}
    with context.Pool(jobs - 1, _receive, (handed, claims, forking, os.getpid() if forking else None)) as pool:
        pending = pool.imap_unordered(_run_claimed, [(func, i) for i in reversed(range(len(chunks)))])
        for index in range(reserved):
            if not claim(claims, index):
                break  # the workers, coming from the back, have taken the rest
            done[index] = run_here(func, state, chunks[index], progress)
        for index, results in pending:
            if results is not None:
                done[index] = results
                if progress:
                    progress(len(results))
    return [result for i in range(len(chunks)) for result in done[i]]

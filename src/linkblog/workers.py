"""Work spread over processes, safe inside a process that runs threads.

Workers come from a fork server: a fresh single-threaded interpreter started once, which
forks each worker from itself. So a build run beside an HTTP server's or a file watcher's
threads never forks a threaded process. A task's shared state travels explicitly, pickled
once per worker by this process (it is our own data, never read from a site folder).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
# Below this many items, starting workers costs more than it saves.
MIN_ITEMS = 256
# What workers import before forking, so each starts warm.
PRELOAD = ["linkblog.content", "linkblog.render", "linkblog.feeds", "linkblog.build"]
_received: list[Any] = []  # in a worker: the state its initializer unpickled


def _receive(state: bytes) -> None:
    _received.append(pickle.loads(state))


def _run_chunk(job: tuple[Callable[[Any, Any], Any], Sequence[Any]]) -> list[Any]:
    func, chunk = job
    return [func(_received[0], item) for item in chunk]


def run_here(func: Callable[[Any, T], R], state: Any, items: Sequence[T],
             progress: Callable[[int], None] | None = None) -> list[R]:
    """func(state, item) for every item, in this process."""
    results = []
    for item in items:
        results.append(func(state, item))
        if progress:
            progress(1)
    return results


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
    size = max(1, -(-len(items) // (jobs * 8)))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    # Every jobs-th chunk stays here, so this process works while the workers do.
    mine = range(0, len(chunks), jobs)
    theirs = [i for i in range(len(chunks)) if i % jobs]
    import multiprocessing  # only a batch worth spreading pays for loading it

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    with context.Pool(jobs - 1, _receive, (pickle.dumps(state, pickle.HIGHEST_PROTOCOL),)) as pool:
        pending = pool.imap(_run_chunk, [(func, chunks[i]) for i in theirs])
        done = {i: run_here(func, state, chunks[i], progress) for i in mine}
        for i, results in zip(theirs, pending, strict=True):
            done[i] = results
            if progress:
                progress(len(results))
    return [result for i in range(len(chunks)) for result in done[i]]

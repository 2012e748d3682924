"""Spread work over processes when there is enough of it to pay for forking."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
MIN_ITEMS = 256
_state: Any = None  # inherited by forked workers, so it is never pickled


def _run_chunk(job: tuple[Callable[[Any, Any], Any], Sequence[Any]]) -> list[Any]:
    func, chunk = job
    gc.enable()  # templates make cycles; the frozen objects inherited from the parent are not scanned
    return [func(_state, item) for item in chunk]


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
    progress: Callable[[int], None] | None = None,
) -> list[R]:
    """func(state, item) for every item, in order: this process and jobs - 1 forked workers share it."""
    if jobs <= 1 or len(items) < MIN_ITEMS:
        return run_here(func, state, items, progress)
    global _state
    _state = state
    gc.freeze()  # workers share the parent's objects until something writes to them, as a collector would
    size = max(1, -(-len(items) // (jobs * 8)))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    # Every jobs-th chunk stays here: one process fewer holds a copy of the site.
    mine = range(0, len(chunks), jobs)
    theirs = [i for i in range(len(chunks)) if i % jobs]
    try:
        with multiprocessing.get_context("fork").Pool(jobs - 1) as pool:
            pending = pool.imap(_run_chunk, [(func, chunks[i]) for i in theirs])
            done = {i: run_here(func, state, chunks[i], progress) for i in mine}
            for i, results in zip(theirs, pending, strict=True):
                done[i] = results
                if progress:
                    progress(len(results))
        return [result for i in range(len(chunks)) for result in done[i]]
    finally:
        _state = None
        gc.unfreeze()

"""Spread work over processes when there is enough of it to pay for the pool."""

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


def map_items(
    func: Callable[[Any, T], R], state: Any, items: Sequence[T], jobs: int,
    progress: Callable[[int], None] | None = None,
) -> list[R]:
    """func(state, item) for every item, in order; forked workers when jobs > 1 and it pays."""
    if jobs <= 1 or len(items) < MIN_ITEMS:
        results = []
        for item in items:
            results.append(func(state, item))
            if progress:
                progress(1)
        return results
    global _state
    _state = state
    gc.freeze()  # workers share the parent's objects until something writes to them, as a collector would
    size = max(1, -(-len(items) // (jobs * 8)))
    chunks = [(func, items[i:i + size]) for i in range(0, len(items), size)]
    try:
        results = []
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for chunk in pool.imap(_run_chunk, chunks):
                results += chunk
                if progress:
                    progress(len(chunk))
        return results
    finally:
        _state = None
        gc.unfreeze()

"""workers: work spread over processes that are never forked from a threaded one."""

from __future__ import annotations

import os
import threading

from linkblog.workers import MIN_ITEMS, map_items


def parent_and_item(offset: int, item: int) -> tuple[int, int]:
    return os.getppid(), item + offset


def test_results_come_back_in_order_from_every_process() -> None:
    items = list(range(MIN_ITEMS * 2))
    results = map_items(parent_and_item, 1, items, jobs=2)
    assert [value for _, value in results] == [i + 1 for i in items]
    parents = {parent for parent, _ in results}
    assert os.getppid() in parents  # this process took its share
    assert len(parents) == 2


def test_workers_beside_live_threads_are_not_forked_from_this_process() -> None:
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait, daemon=True)
    busy.start()  # as a preview server's threads would be
    try:
        results = map_items(parent_and_item, 0, list(range(MIN_ITEMS * 2)), jobs=2)
    finally:
        stop.set()
    workers = {parent for parent, _ in results} - {os.getppid()}
    assert workers and os.getpid() not in workers  # they come from the fork server, not from us


def test_small_batches_stay_in_this_process() -> None:
    assert {parent for parent, _ in map_items(parent_and_item, 0, list(range(10)), jobs=4)} == {os.getppid()}


def test_batches_below_the_callers_threshold_stay_in_this_process() -> None:
    items = list(range(MIN_ITEMS * 2))
    assert {parent for parent, _ in map_items(parent_and_item, 0, items, jobs=2, least=len(items) + 1)} \
        == {os.getppid()}

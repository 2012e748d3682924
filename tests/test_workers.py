"""workers: work spread over processes that are never forked from a threaded one."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

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


def test_a_process_without_threads_forks_its_workers_and_hands_them_its_state_unpickled() -> None:
    script = textwrap.dedent("""
        import os, signal, threading
        from linkblog.workers import MIN_ITEMS, map_items

        def parent_and_item(offset, item):
            return os.getppid(), item + offset()

        def interrupt(number, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, interrupt)  # as `linkblog serve` has it; workers must still stop quietly
        assert threading.active_count() == 1
        for _ in range(3):
            results = map_items(parent_and_item, lambda: 1, list(range(MIN_ITEMS * 2)), jobs=3)  # a lambda: no pickle
            assert [value for _, value in results] == list(range(1, MIN_ITEMS * 2 + 1))
            print(set({parent for parent, _ in results} - {os.getppid()}) == {os.getpid()})
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.split(), done.stderr) == (0, ["True"] * 3, "")


def pid_after(pause: float, item: int) -> int:
    if item == 0:  # the first item, which this process takes, is slow
        time.sleep(pause)
    return os.getpid()


def test_whoever_is_free_takes_the_next_items() -> None:
    items = list(range(MIN_ITEMS * 2))
    pids = map_items(pid_after, 3.0, items, jobs=2)
    assert pids[0] == os.getpid()
    # While this process sleeps on its first item, the worker takes everything left but this process's chunk.
    assert pids.count(os.getpid()) < len(items) // 4


def test_small_batches_stay_in_this_process() -> None:
    assert {parent for parent, _ in map_items(parent_and_item, 0, list(range(10)), jobs=4)} == {os.getppid()}


def test_batches_below_the_callers_threshold_stay_in_this_process() -> None:
    items = list(range(MIN_ITEMS * 2))
    assert {parent for parent, _ in map_items(parent_and_item, 0, items, jobs=2, least=len(items) + 1)} \
        == {os.getppid()}


class Halted(Exception):
    """What a caller's progress callback raises to stop a batch."""


def test_a_batch_a_caller_stops_before_it_starts_starts_no_worker() -> None:
    told: list[int] = []

    def stop(count: int) -> None:
        told.append(count)
        raise Halted

    with pytest.raises(Halted):
        map_items(parent_and_item, 0, list(range(MIN_ITEMS * 4)), 2, stop)
    assert told == [0]  # asked before any item was done, or any worker started


def test_workers_end_with_a_parent_killed_mid_batch(tmp_path) -> None:
    pids = tmp_path / "pids"
    script = textwrap.dedent(f"""
        import os, time
        from linkblog.workers import MIN_ITEMS, map_items

        def slow(pids, item):
            with open(pids, "a") as out:
                out.write(f"{{os.getpid()}}\\n")
            time.sleep(0.5)

        map_items(slow, {str(pids)!r}, list(range(MIN_ITEMS)), jobs=2)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and {os.getpid(), process.pid} >= {*written_pids(pids), os.getpid()}:
        time.sleep(0.01)  # until a worker has started an item
    worker = next(pid for pid in written_pids(pids) if pid != process.pid)
    process.kill()
    process.wait()
    while time.monotonic() < deadline and alive(worker):
        time.sleep(0.01)
    assert not alive(worker), "a worker went on after its parent died"
    assert "Traceback" not in process.stderr.read()


def written_pids(path) -> set[int]:
    return {int(line) for line in path.read_text().split()} if path.exists() else set()


def alive(pid: int) -> bool:
    """True while a process runs (a zombie, dead but not yet reaped by whoever adopted it, is not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False

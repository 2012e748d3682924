"""Outbound links checked over HTTP: concurrently, a few at a time per host, with a cache of results.

Each link gets a HEAD request, and a GET where HEAD is refused, both within one timeout; every request,
redirects included, waits for its host's turn. Results are kept in a JSON file under .cache/linkblog/ (data
only) so that a second run asks again only about old ones; a network failure is never cached, it is tried
again next time. A dead link is looked up in the Wayback Machine's availability API, and its answer cached too.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from linkblog import __version__
from linkblog.cache import CACHE_DIR
from linkblog.output import write_file
from linkblog.problems import Problem
from linkblog.urls import as_uri
from linkblog.web import Deadline, DeadlineHTTPHandler, DeadlineHTTPSHandler, LeavesTheWeb, WebOnlyRedirects

LINKS_FILE = CACHE_DIR / "links.json"
FORMAT = 1
MAX_AGE = 7 * 24 * 3600  # a result younger than a week is trusted
WAYBACK_API = "https://archive.org/wayback/available"
USER_AGENT = f"linkblog/{__version__} (link checker)"
# Statuses that say "not for robots" more often than "gone": reported, but not as dead.
REFUSED = {401, 403, 429}
LOOPS_OR_LEAVES = "its redirects loop or leave http(s)"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class LinkStatus:
    """What one URL answered: its status and where redirects ended, or why it could not be asked."""

    url: str
    checked: float
    status: int | None = None
    final: str | None = None
    error: str | None = None
    archive: str | None = None  # a Wayback snapshot; "" once looked up without finding one

    @property
    def dead(self) -> bool:
        return self.status is not None and self.status >= 400 and self.status not in REFUSED


@dataclass(frozen=True)
class Checker:
    """How to ask: seconds per link (its HEAD, GET and redirects together), threads, requests at once per host,
    the archive to consult."""

    timeout: float = 10.0
    workers: int = 16
    per_host: int = 2
    archive_api: str = WAYBACK_API


def check_links(urls: list[str], root: Path, checker: Checker, now: float | None = None,
                progress: Progress | None = None) -> tuple[dict[str, LinkStatus], list[Problem]]:
    """The status of every URL, from the cache where it is recent, else from the network."""
    now = time.time() if now is None else now
    progress = progress or (lambda stage, done, total: None)
    cached, problems = load_results(root)
    cached = {url: status for url, status in cached.items() if now - status.checked < MAX_AGE}
    results = {url: cached[url] for url in urls if url in cached}
    todo = spread_hosts([url for url in urls if url not in results])
    hosts = Hosts(checker.per_host)
    try:
        in_parallel(todo, lambda url, turn: ask(url, turn, checker.timeout, now), checker, hosts, "links", progress,
                    results)
        unarchived = [url for url, status in results.items() if status.dead and status.archive is None]
        in_parallel(unarchived, lambda url, turn: with_archive(results[url], turn, checker), checker, hosts, "archive",
                    progress, results, host=lambda url: host_of(checker.archive_api))
    finally:  # on Ctrl-C too: the answers had by then are kept
        problems += save_results(root, {**cached, **results})
    return results, problems


def spread_hosts(urls: list[str]) -> list[str]:
    """URLs ordered round-robin by host, so that threads are not all kept waiting for one host."""
    turn: dict[str, int] = defaultdict(int)
    keyed = []
    for url in sorted(set(urls)):
        host = host_of(url)
        keyed.append((turn[host], host, url))
        turn[host] += 1
    return [url for _, _, url in sorted(keyed)]


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class Stopped(Exception):
    """The run was stopped (Ctrl-C, or a failure elsewhere): no request is to start."""


class Hosts:
    """What the threads of a run share: at most `per_host` requests at once to any one host, redirect hops
    included, and a stop that lets no request start and cuts those under way."""

    def __init__(self, per_host: int):
        self.per_host = per_host
        self.lock = threading.Lock()
        self.slots: dict[str, threading.BoundedSemaphore] = {}
        self.deadlines: set[Deadline] = set()
        self.stopped = threading.Event()

    def slot(self, host: str) -> threading.BoundedSemaphore:
        with self.lock:  # redirects lead to hosts not known beforehand
            return self.slots.setdefault(host, threading.BoundedSemaphore(self.per_host))

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[Deadline]:
        """A Deadline for one link's requests, cut at once if the run stops."""
        with Deadline(seconds) as deadline:
            with self.lock:
                self.deadlines.add(deadline)
            try:
                yield deadline
            finally:
                with self.lock:
                    self.deadlines.discard(deadline)

    def stop(self) -> None:
        with self.lock:
            self.stopped.set()
            under_way = list(self.deadlines)
        for deadline in under_way:
            deadline.expire()


class Turn:
    """One link's hold on the slot of the host it is asking now: one slot at a time, so that two links never
    wait for each other's."""

    def __init__(self, hosts: Hosts):
        self.hosts = hosts
        self.held: str | None = None

    def __enter__(self) -> Turn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def take(self, host: str, wait: float | None = None) -> None:
        """Hold `host`'s slot (letting go of the one held); TimeoutError if it is not free within `wait`
        seconds, Stopped once the run is stopped."""
        if host != self.held:
            self.release()
            if not self.hosts.slot(host).acquire(timeout=None if wait is None else max(0.0, wait)):
                raise TimeoutError("timed out waiting for its turn")
            self.held = host
        if self.hosts.stopped.is_set():
            raise Stopped

    def release(self) -> None:
        if self.held is not None:
            self.hosts.slot(self.held).release()
            self.held = None


def in_parallel(urls: list[str], task: Callable[[str, Turn], LinkStatus], checker: Checker, hosts: Hosts,
                stage: str, progress: Progress, into: dict[str, LinkStatus],
                host: Callable[[str], str] = host_of) -> None:
    """`task` run for every URL, its result put `into` as it comes, each URL's first request waiting for its
    host's turn (outside its deadline)."""
    done = [0]
    lock = threading.Lock()

    def one(url: str) -> None:
        with Turn(hosts) as turn:
            turn.take(host(url))
            status = task(url, turn)
        with lock:
            into[url] = status
            done[0] += 1
            progress(stage, done[0], len(urls))

    with ThreadPoolExecutor(max_workers=max(1, min(checker.workers, len(urls)))) as pool:
        try:
            for _ in pool.map(one, urls):
                pass
        except BaseException:
            # Ctrl-C: no request starts any more, those under way are cut, and threads waiting for a turn
            # give up when they get it, rather than each asking its link first.
            hosts.stop()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def ask(url: str, turn: Turn, timeout: float, now: float) -> LinkStatus:
    """HEAD, then GET where the server refuses HEAD or answers it with an error: both, and their redirects,
    within `timeout` seconds in all; no body is read."""
    with turn.hosts.deadline(timeout) as deadline:
        opener = turn_opener(turn, deadline, timeout)
        status = answer(url, "HEAD", opener, timeout, now)
        # A timeout or an unreachable host would only fail again; a refusal of HEAD may not.
        refused = status.error.startswith("protocol error") if status.error else (status.status or 0) >= 400
        if refused and not deadline.expired:
            status = answer(url, "GET", opener, timeout, now)
    # Cut short, a connection can look like a whole answer (headers ended by the cut): never trusted.
    return LinkStatus(url, now, error="timed out") if deadline.expired else status


def answer(url: str, method: str, opener: urllib.request.OpenerDirector, timeout: float,
           now: float) -> LinkStatus:
    """What one request answered, or why it failed."""
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    try:
        sent = as_uri(without_userinfo(url))
        with opener.open(urllib.request.Request(sent, headers=headers, method=method), timeout=timeout) as response:
            return LinkStatus(url, now, response.status, moved(sent, response.geturl()))
    except urllib.error.HTTPError as exc:
        with exc:  # an error answer holds its connection open too
            if 300 <= exc.code < 400:
                return LinkStatus(url, now, error=unfollowed(exc))
            return LinkStatus(url, now, exc.code, moved(sent, exc.geturl()))
    except LeavesTheWeb:
        return LinkStatus(url, now, error=LOOPS_OR_LEAVES)
    except urllib.error.URLError as exc:
        return LinkStatus(url, now, error=failure(exc.reason))
    except http.client.HTTPException as exc:
        return LinkStatus(url, now, error=f"protocol error ({type(exc).__name__})")
    except (OSError, ValueError) as exc:
        return LinkStatus(url, now, error=failure(exc))


def without_userinfo(url: str) -> str:
    """The URL without a `user:password@` (urllib would take it for part of the host): the page is asked for
    as anyone would see it, and no password written in a post is ever sent."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2])) if "@" in parts.netloc else url


def unfollowed(exc: urllib.error.HTTPError) -> str:
    """Why urllib stopped at a redirect: it names no address, or it loops or leads to a scheme but http(s)
    and ftp (ftp is LeavesTheWeb's)."""
    if exc.headers.get("Location") is None and exc.headers.get("URI") is None:
        return "it redirects without saying where"
    return LOOPS_OR_LEAVES


def moved(url: str, final: str | None) -> str | None:
    return final if final and final != url else None


def failure(reason: object) -> str:
    """A network failure in a few words."""
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__


class TakesTurns:
    """A handler whose every request, each redirect hop included, waits for its host's turn, within the time
    its link has left."""

    def __init__(self, turn: Turn, deadline: Deadline, ends: float):
        super().__init__(deadline)  # type: ignore[call-arg]
        self.turn = turn
        self.ends = ends

    def do_open(self, http_class: Any, req: urllib.request.Request, **kwargs: Any) -> Any:
        self.turn.take(host_of(req.full_url), self.ends - time.monotonic())
        # A connection is the Deadline's to cut only once made: its making (a host that drops the packets) gets
        # the time the link has left, where urllib would give each redirect hop the whole timeout again.
        req.timeout = max(0.001, self.ends - time.monotonic())
        return super().do_open(http_class, req, **kwargs)  # type: ignore[misc]


class TurnHTTPHandler(TakesTurns, DeadlineHTTPHandler):
    """http:// in turn, under a Deadline."""


class TurnHTTPSHandler(TakesTurns, DeadlineHTTPSHandler):
    """https:// in turn, under a Deadline."""


def turn_opener(turn: Turn, deadline: Deadline, seconds: float) -> urllib.request.OpenerDirector:
    """An opener that follows redirects to http(s) URLs only, each request waiting for its host's turn."""
    ends = time.monotonic() + seconds
    return urllib.request.build_opener(WebOnlyRedirects, TurnHTTPHandler(turn, deadline, ends),
                                       TurnHTTPSHandler(turn, deadline, ends))


def with_archive(status: LinkStatus, turn: Turn, checker: Checker) -> LinkStatus:
    """The dead link with its closest Wayback snapshot, if the archive answers within the timeout; unchanged if
    it does not."""
    query = f"{checker.archive_api}?url={quote(status.url, safe='')}"
    try:
        with turn.hosts.deadline(checker.timeout) as deadline, turn_opener(turn, deadline, checker.timeout).open(
                urllib.request.Request(query, headers={"User-Agent": USER_AGENT}), timeout=checker.timeout) as response:
            found = json.loads(response.read(1_000_000))
    except (OSError, ValueError, http.client.HTTPException):
        return status  # asked again next time
    return replace(status, archive=snapshot(found))


def snapshot(answer: object) -> str:
    """The snapshot URL in an availability answer, or "" when there is none."""
    closest = answer.get("archived_snapshots", {}).get("closest") if isinstance(answer, dict) else None
    if isinstance(closest, dict) and closest.get("available") and isinstance(closest.get("url"), str):
        url = closest["url"]
        return url if urlsplit(url).scheme in ("http", "https") else ""
    return ""


def load_results(root: Path) -> tuple[dict[str, LinkStatus], list[Problem]]:
    """The cached results; a damaged file is ignored with a warning."""
    path = root / LINKS_FILE
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}, []
    except (OSError, ValueError) as exc:
        return {}, [Problem(str(LINKS_FILE), f"ignoring the link cache ({exc})", warning=True)]
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("links"), dict):
        return {}, [Problem(str(LINKS_FILE), "ignoring the link cache (not one this version wrote)", warning=True)]
    results = {url: status for url, entry in data["links"].items() if (status := parse_entry(url, entry))}
    return results, []


def parse_entry(url: str, entry: object) -> LinkStatus | None:
    """One cached result, if every field has the type it should."""
    if not isinstance(entry, dict):
        return None
    checked, status = entry.get("checked"), entry.get("status")
    final, archive = entry.get("final"), entry.get("archive")
    if not isinstance(checked, int | float) or not isinstance(status, int) or isinstance(status, bool):
        return None
    if not all(value is None or isinstance(value, str) for value in (final, archive)):
        return None
    return LinkStatus(url, float(checked), status, final, None, archive)


def save_results(root: Path, results: dict[str, LinkStatus]) -> list[Problem]:
    """Write the answers worth keeping (never network failures) for the next run."""
    kept = {url: {k: v for k, v in asdict(s).items() if k not in ("url", "error")}
            for url, s in sorted(results.items()) if s.error is None}
    data = json.dumps({"format": FORMAT, "links": kept}, indent=1, sort_keys=True).encode()
    try:
        write_file(root / LINKS_FILE, data)
    except OSError as exc:
        return [Problem(str(LINKS_FILE), f"cannot save the link cache ({exc.strerror})", warning=True)]
    return []

"""Outbound links checked over HTTP: concurrently, a few at a time per host, with a cache of results.

Each link gets a HEAD request, and a GET where HEAD is refused. Results are kept in a JSON
file under .cache/linkblog/ (data only) so that a second run asks again only about old ones;
a network failure is never cached, it is tried again next time. A dead link is looked up
in the Wayback Machine's availability API, and its answer cached too.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from urllib.parse import quote, urlsplit

from linkblog import __version__
from linkblog.cache import CACHE_DIR
from linkblog.output import write_file
from linkblog.problems import Problem
from linkblog.urls import as_uri
from linkblog.web import Deadline, LeavesTheWeb, web_opener

LINKS_FILE = CACHE_DIR / "links.json"
FORMAT = 1
MAX_AGE = 7 * 24 * 3600  # a result younger than a week is trusted
WAYBACK_API = "https://archive.org/wayback/available"
USER_AGENT = f"linkblog/{__version__} (link checker)"
# Statuses that say "not for robots" more often than "gone": reported, but not as dead.
REFUSED = {401, 403, 429}

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
    """How to ask: per-request timeout, threads, requests at once per host, the archive to consult."""

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
    fresh = {url: cached[url] for url in urls if url in cached}
    todo = spread_hosts([url for url in urls if url not in fresh])
    results = {**fresh, **in_parallel(todo, lambda url: ask(url, checker.timeout, now), checker, "links", progress)}
    unarchived = [url for url, status in results.items() if status.dead and status.archive is None]
    results |= in_parallel(unarchived, lambda url: with_archive(results[url], checker), checker, "archive",
                           progress, host=lambda url: host_of(checker.archive_api))
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


def in_parallel(urls: list[str], task: Callable[[str], LinkStatus], checker: Checker, stage: str,
                progress: Progress, host: Callable[[str], str] = host_of) -> dict[str, LinkStatus]:
    """`task` run for every URL, with at most `per_host` requests at a time to any one host."""
    limits = {name: threading.BoundedSemaphore(checker.per_host) for name in map(host, urls)}
    done = [0]
    lock = threading.Lock()

    def one(url: str) -> LinkStatus:
        with limits[host(url)]:
            status = task(url)
        with lock:
            done[0] += 1
            progress(stage, done[0], len(urls))
        return status

    with ThreadPoolExecutor(max_workers=max(1, min(checker.workers, len(urls)))) as pool:
        return dict(zip(urls, pool.map(one, urls), strict=True))


def ask(url: str, timeout: float, now: float) -> LinkStatus:
    """HEAD, then GET where the server refuses HEAD or answers it with an error."""
    status = request(url, "HEAD", timeout, now)
    # A timeout or an unreachable host would only fail again; a refusal of HEAD may not.
    refused = status.error.startswith("protocol error") if status.error else (status.status or 0) >= 400
    return request(url, "GET", timeout, now) if refused else status


def request(url: str, method: str, timeout: float, now: float) -> LinkStatus:
    """One request, redirects followed, within `timeout` seconds in all; the body is never read."""
    with Deadline(timeout) as deadline:
        status = answer(url, method, timeout, now, deadline)
    # Cut short, a connection can look like a whole answer (headers ended by the cut): never trusted.
    return LinkStatus(url, now, error="timed out") if deadline.expired else status


def answer(url: str, method: str, timeout: float, now: float, deadline: Deadline) -> LinkStatus:
    """What one request (its connections cut when `deadline` expires) answered, or why it failed."""
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    sent = as_uri(url)
    try:
        with web_opener(deadline).open(urllib.request.Request(sent, headers=headers, method=method),
                                       timeout=timeout) as response:
            return LinkStatus(url, now, response.status, moved(sent, response.geturl()))
    except urllib.error.HTTPError as exc:
        with exc:  # an error answer holds its connection open too
            # urllib gives up on a redirect loop, one to a scheme but http(s) and ftp (ftp is LeavesTheWeb's), or
            # one that names no Location: none of them leads to the page.
            if 300 <= exc.code < 400:
                return LinkStatus(url, now, error="its redirects loop or leave http(s)")
            return LinkStatus(url, now, exc.code, moved(sent, exc.geturl()))
    except LeavesTheWeb:
        return LinkStatus(url, now, error="its redirects loop or leave http(s)")
    except urllib.error.URLError as exc:
        return LinkStatus(url, now, error=failure(exc.reason))
    except http.client.HTTPException as exc:
        return LinkStatus(url, now, error=f"protocol error ({type(exc).__name__})")
    except (OSError, ValueError) as exc:
        return LinkStatus(url, now, error=failure(exc))


def moved(url: str, final: str | None) -> str | None:
    return final if final and final != url else None


def failure(reason: object) -> str:
    """A network failure in a few words."""
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__


def with_archive(status: LinkStatus, checker: Checker) -> LinkStatus:
    """The dead link with its closest Wayback snapshot, if the archive answers; unchanged if it does not."""
    query = f"{checker.archive_api}?url={quote(status.url, safe='')}"
    try:
        with Deadline(checker.timeout) as deadline, web_opener(deadline).open(
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

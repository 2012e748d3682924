"""links_external: outbound links asked over HTTP (a local server stands in for the web), and the cache of answers."""

from __future__ import annotations

import errno
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import WebStandIn, make_site, post_text

from linkblog.links_external import (
    Checker,
    Hosts,
    LinkStatus,
    Turn,
    ask,
    check_links,
    failure,
    host_of,
    in_parallel,
    load_results,
    save_results,
    snapshot,
    spread_hosts,
    with_archive,
)

SNAPSHOT = "http://web.archive.org/web/20150101000000/"
WEEK = 7 * 24 * 3600
NOW = 1_700_000_000.0


class Handler(WebStandIn):
    """Pages that answer in every way the checker must understand, and a stand-in for the Wayback Machine."""

    def answer(self, path: str) -> None:
        server = self.server
        head = self.command == "HEAD"
        with server.lock:
            server.agents.add(self.headers.get("User-Agent", ""))
            server.credentials += [self.headers["Authorization"]] if "Authorization" in self.headers else []
        if path.startswith("/busy/"):
            return self.busy(path)
        if path == "/wayback/available":
            return self.wayback()
        if path == "/hang-up-on-head" and self.command == "HEAD":
            self.close_connection = True  # no answer at all
            return None
        if path == "/garbage":
            self.wfile.write(b"this is not HTTP\r\n\r\n")
            self.close_connection = True
            return None
        if path == "/wait":
            server.release.wait(5)
        if path in server.redirects:  # a while in coming, then elsewhere
            server.release.wait(server.slow)
            self.send_response(302)
            self.send_header("Location", server.redirects[path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if path.startswith("/slow"):  # each request a while in coming: HEAD refused, GET answered
            server.release.wait(server.slow)
            self.send_response(405 if head else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        codes = {"/gone": 410, "/error": 500, "/forbidden": 403, "/too-many": 429, "/moved": 301,
                 "/head-404": 404 if head else 200, "/redirect-to-file": 302, "/redirect-to-ftp": 302,
                 "/redirect-nowhere": 302}
        self.send_response(codes.get(path, 200))
        if path == "/moved":
            self.send_header("Location", "/ok")
        if path == "/redirect-to-file":
            self.send_header("Location", "file:///etc/hostname")
        if path == "/redirect-to-ftp":
            self.send_header("Location", f"ftp://127.0.0.1:{server.ftp_port}/file.html")
        self.send_header("Content-Length", "0")
        self.end_headers()
        return None

    def busy(self, path: str) -> None:
        """A while in answering, counting the requests at once to each host name; `/busy/away/N` redirects to
        `/busy/N` at `server.away`, another name of this server."""
        server, name = self.server, self.headers["Host"].rpartition(":")[0]
        with server.lock:
            server.now[name] += 1
            server.most[name] = max(server.most[name], server.now[name])
        server.release.wait(0.2)
        with server.lock:  # before the answer goes: the client may ask again the moment it has it
            server.now[name] -= 1
        away = path.startswith("/busy/away/")
        self.send_response(302 if away else 200)
        if away:
            self.send_header("Location", f"{server.away}/busy/{path.rpartition('/')[2]}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def wayback(self) -> None:
        asked = parse_qs(urlsplit(self.path).query)["url"][0]
        self.server.archive_asked.append(asked)
        mode = self.server.archive
        if mode == "down":
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        closest = {"available": True, "url": SNAPSHOT + asked, "timestamp": "20150101000000", "status": "200"}
        answers = {"snapshot": {"archived_snapshots": {"closest": closest}}, "none": {"archived_snapshots": {}}}
        self.send_json(b"<html>not JSON</html>" if mode == "junk" else json.dumps(answers[mode]).encode())


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.seen, httpd.agents, httpd.lock = [], set(), threading.Lock()
    httpd.credentials, httpd.slow, httpd.now, httpd.most = [], 0.5, Counter(), Counter()
    httpd.redirects = {}
    httpd.archive, httpd.archive_asked, httpd.release = "snapshot", [], threading.Event()
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.away = f"http://localhost:{httpd.server_address[1]}"  # the same server by another name
    # A short poll keeps shutdown quick: the default would add half a second to every test.
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield httpd
    httpd.release.set()  # a handler still waiting ends now, not after its 5 s
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def closed_port() -> int:
    """A port that nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def checker(server: ThreadingHTTPServer, timeout: float = 2) -> Checker:
    return Checker(timeout=timeout, archive_api=f"{server.base}/wayback/available")


def asked(url: str, timeout: float = 2) -> LinkStatus:
    """What `url` answers, asked alone."""
    with Turn(Hosts(per_host=2)) as turn:
        return ask(url, turn, timeout, NOW)


def archived(status: LinkStatus, checker: Checker) -> LinkStatus:
    with Turn(Hosts(per_host=2)) as turn:
        return with_archive(status, turn, checker)


def cache_file(root: Path) -> Path:
    return root / ".cache" / "linkblog" / "links.json"


def write_cache(root: Path, data: object) -> None:
    cache_file(root).parent.mkdir(parents=True, exist_ok=True)
    cache_file(root).write_text(json.dumps(data), "utf-8")


def entry(checked: object, status: object = 200, final: object = None, archive: object = None) -> dict:
    return {"checked": checked, "status": status, "final": final, "archive": archive}


@pytest.mark.parametrize(("status", "dead"), [
    (200, False), (301, False), (399, False), (400, True), (404, True), (410, True), (500, True), (503, True),
    (401, False), (403, False), (429, False),  # more often "no robots" than gone
    (None, False),
])
def test_which_statuses_are_dead(status: int | None, dead: bool) -> None:
    assert LinkStatus("https://example.com/", NOW, status).dead is dead


def test_hosts_are_taken_in_turn_and_each_url_once() -> None:
    urls = ["https://b.example/2", "https://a.example/1", "https://b.example/1", "https://A.example/2",
            "https://b.example/1", "https://b.example/3"]
    assert spread_hosts(urls) == ["https://A.example/2", "https://b.example/1", "https://a.example/1",
                                  "https://b.example/2", "https://b.example/3"]


@pytest.mark.parametrize(("url", "host"), [
    ("https://User@News.Example.COM:8080/a?b#c", "news.example.com"),
    ("http://127.0.0.1:8000/", "127.0.0.1"),
    ("/just/a/path", ""),
    ("", ""),
])
def test_host_of(url: str, host: str) -> None:
    assert host_of(url) == host


@pytest.mark.parametrize(("reason", "said"), [
    (TimeoutError(), "timed out"),
    ("_ssl.c:980: The handshake operation timed out", "timed out"),
    (OSError(errno.ECONNREFUSED, "Connection Refused"), "connection refused"),
    (ValueError("unknown url type"), "unknown url type"),
    (EOFError(), "EOFError"),  # no message: at least say what went wrong
])
def test_a_failure_in_a_few_words(reason: object, said: str) -> None:
    assert failure(reason) == said


@pytest.mark.parametrize(("answer", "found"), [
    ({"archived_snapshots": {"closest": {"available": True, "url": SNAPSHOT + "x"}}}, SNAPSHOT + "x"),
    ({"archived_snapshots": {"closest": {"available": True, "url": "https://web.archive.org/web/2/x"}}},
     "https://web.archive.org/web/2/x"),
    ({"archived_snapshots": {}}, ""),
    ({"archived_snapshots": {"closest": {"available": False, "url": SNAPSHOT + "x"}}}, ""),
    ({"archived_snapshots": {"closest": {"available": True}}}, ""),
    ({"archived_snapshots": {"closest": {"available": True, "url": 42}}}, ""),
    ({"archived_snapshots": {"closest": {"available": True, "url": "javascript:alert(1)"}}}, ""),
    ({"archived_snapshots": {"closest": "yes"}}, ""),
    ({}, ""),
    (["not", "a", "mapping"], ""),
    (None, ""),
])
def test_a_snapshot_is_taken_only_from_a_sound_answer(answer: object, found: str) -> None:
    assert snapshot(answer) == found


def test_an_answer_gives_its_status_and_where_redirects_end(server: ThreadingHTTPServer) -> None:
    base = server.base
    assert asked(f"{base}/ok") == LinkStatus(f"{base}/ok", NOW, 200)
    assert asked(f"{base}/moved") == LinkStatus(f"{base}/moved", NOW, 200, f"{base}/ok")
    assert asked(f"{base}/gone") == LinkStatus(f"{base}/gone", NOW, 410)
    # How urllib follows the redirect (HEAD or GET) is its own affair; only the first request is ours.
    assert [seen for seen in server.seen if seen[1] != "/ok"] == [("HEAD", "/moved"), ("HEAD", "/gone"),
                                                                  ("GET", "/gone")]
    assert server.seen[0] == ("HEAD", "/ok")
    assert all(agent.startswith("linkblog/") for agent in server.agents)


@pytest.mark.parametrize(("path", "status", "methods"), [
    ("/ok", 200, ["HEAD"]),
    ("/error", 500, ["HEAD", "GET"]),
    ("/forbidden", 403, ["HEAD", "GET"]),
    ("/too-many", 429, ["HEAD", "GET"]),
    ("/head-404", 200, ["HEAD", "GET"]),  # some servers answer HEAD wrongly but GET well
    ("/hang-up-on-head", 200, ["HEAD", "GET"]),
])
def test_get_is_tried_where_head_is_refused(server: ThreadingHTTPServer, path: str, status: int,
                                           methods: list[str]) -> None:
    result = asked(server.base + path)
    assert (result.status, result.error) == (status, None)
    assert server.seen == [(method, path) for method in methods]


def test_a_server_that_does_not_speak_http_is_a_protocol_error(server: ThreadingHTTPServer) -> None:
    result = asked(f"{server.base}/garbage")
    assert result.status is None and result.error.startswith("protocol error")
    assert server.seen == [("HEAD", "/garbage"), ("GET", "/garbage")]


def test_a_timeout_is_not_asked_again_with_get(server: ThreadingHTTPServer) -> None:
    started = time.monotonic()
    result = asked(f"{server.base}/wait", 0.3)
    assert (result.status, result.error) == (None, "timed out")
    assert time.monotonic() - started < 2
    assert server.seen == [("HEAD", "/wait")]


def test_a_server_that_trickles_its_answer_times_out_within_the_timeout(trickle: str) -> None:
    assert asked(trickle, 1) == LinkStatus(trickle, NOW, error="timed out")


def test_a_redirect_out_of_http_is_a_failure(server: ThreadingHTTPServer) -> None:
    result = asked(f"{server.base}/redirect-to-file")
    assert result.status is None and result.error
    assert server.seen == [("HEAD", "/redirect-to-file")]


def test_a_redirect_to_ftp_is_a_failure_and_never_followed(server: ThreadingHTTPServer) -> None:
    """urllib would follow it, opening a connection to wherever a page points."""
    with socket.socket() as ftp:
        ftp.bind(("127.0.0.1", 0))
        ftp.listen()
        ftp.settimeout(0.5)
        server.ftp_port = ftp.getsockname()[1]
        result = asked(f"{server.base}/redirect-to-ftp")
        with pytest.raises(TimeoutError):
            ftp.accept()
    assert result.status is None and result.error == "its redirects loop or leave http(s)"


def test_a_link_written_as_a_browser_shows_it_is_asked_percent_encoded(server: ThreadingHTTPServer) -> None:
    url = f"{server.base}/wiki/Straße?q=café"
    assert asked(url) == LinkStatus(url, NOW, 200)  # not "moved" to its encoded self
    assert server.seen == [("HEAD", "/wiki/Stra%C3%9Fe")]


@pytest.mark.parametrize("url", ["not a url", "http://[::1", "http://127.0.0.1:99999/", "http://127.0.0.1:{closed}/"])
def test_a_url_that_cannot_be_asked_is_a_failure_not_an_exception(url: str) -> None:
    url = url.format(closed=closed_port())
    result = asked(url, 0.5)
    assert (result.url, result.status) == (url, None) and result.error


def test_the_archive_is_asked_for_the_exact_dead_url(server: ThreadingHTTPServer) -> None:
    dead = LinkStatus(f"{server.base}/gone?a=1&b=two words#part", NOW, 410)
    assert archived(dead, checker(server)).archive == SNAPSHOT + dead.url
    assert server.archive_asked == [dead.url]


@pytest.mark.parametrize(("mode", "archive"), [
    ("none", ""),  # looked up, nothing there: not asked again
    ("down", None),  # to be asked again next time
    ("junk", None),
])
def test_what_the_archive_says_or_fails_to_say(server: ThreadingHTTPServer, mode: str, archive: str | None) -> None:
    server.archive = mode
    dead = LinkStatus(f"{server.base}/gone", NOW, 410)
    assert archived(dead, checker(server)) == LinkStatus(dead.url, NOW, 410, archive=archive)


def test_an_unreachable_archive_leaves_the_status_as_it_was() -> None:
    dead = LinkStatus("https://example.com/gone", NOW, 404)
    assert archived(dead, Checker(timeout=0.5, archive_api=f"http://127.0.0.1:{closed_port()}/available")) is dead


def test_no_host_gets_more_than_its_share_of_requests_at_once() -> None:
    """Two hosts at once, at most two requests to each: the task waits for company, so a missing limit shows."""
    lock = threading.Condition()
    inflight = {"a.example": 0, "b.example": 0}
    most = {"a.example": 0, "b.example": 0, "all": 0}

    def task(url: str, turn: Turn) -> LinkStatus:
        host = host_of(url)
        with lock:
            inflight[host] += 1
            most[host] = max(most[host], inflight[host])
            most["all"] = max(most["all"], sum(inflight.values()))
            lock.notify_all()
            lock.wait_for(lambda: sum(inflight.values()) >= 4, timeout=1)
        time.sleep(0.02)
        with lock:
            inflight[host] -= 1
        return LinkStatus(url, NOW, 200)

    urls = spread_hosts([f"https://{host}/{n}" for host in ("a.example", "b.example") for n in range(6)])
    results: dict[str, LinkStatus] = {}
    in_parallel(urls, task, Checker(workers=8), Hosts(per_host=2), "links", lambda *args: None, results)
    assert sorted(results) == sorted(urls) and all(results[url].url == url for url in urls)
    assert most == {"a.example": 2, "b.example": 2, "all": 4}


def test_a_stage_with_one_host_for_every_url_asks_it_per_host_at_a_time() -> None:
    lock = threading.Condition()
    state = {"now": 0, "most": 0}
    done: list[tuple[str, int, int]] = []

    def task(url: str, turn: Turn) -> LinkStatus:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
            lock.notify_all()
            lock.wait_for(lambda: state["now"] >= 2, timeout=1)
        time.sleep(0.02)
        with lock:
            state["now"] -= 1
        return LinkStatus(url, NOW, 404)

    urls = [f"https://site{n}.example/" for n in range(6)]
    in_parallel(urls, task, Checker(workers=6), Hosts(per_host=2), "archive", lambda *args: done.append(args), {},
                host=lambda url: "archive.example")
    assert state["most"] == 2
    assert sorted(done) == [("archive", n, 6) for n in range(1, 7)]


def test_results_are_saved_and_read_back_without_network_failures(tmp_path: Path) -> None:
    results = {
        "https://a.example/": LinkStatus("https://a.example/", NOW, 200),
        "https://b.example/": LinkStatus("https://b.example/", NOW - 5, 404, None, None, SNAPSHOT + "b"),
        "https://c.example/": LinkStatus("https://c.example/", NOW, 301, "https://c.example/new", None, None),
        "https://d.example/": LinkStatus("https://d.example/", NOW, error="timed out"),
    }
    assert save_results(tmp_path, results) == []
    loaded, problems = load_results(tmp_path)
    assert problems == []
    assert loaded == {url: status for url, status in results.items() if url != "https://d.example/"}
    assert "https://d.example/" not in cache_file(tmp_path).read_text("utf-8")


def test_a_cache_entry_of_the_wrong_shape_is_dropped_alone(tmp_path: Path) -> None:
    links = {
        "https://ok.example/": entry(NOW, 200, "https://ok.example/new", ""),
        "https://whole-number-time.example/": {"checked": 1_700_000_000, "status": 404},
        "https://not-a-mapping.example/": [NOW, 200],
        "https://text-status.example/": entry(NOW, "200"),
        "https://bool-status.example/": entry(NOW, True),
        "https://no-status.example/": {"checked": NOW},
        "https://text-time.example/": entry("yesterday"),
        "https://number-final.example/": entry(NOW, 301, 5),
        "https://list-archive.example/": entry(NOW, 404, None, []),
    }
    write_cache(tmp_path, {"format": 1, "links": links})
    assert load_results(tmp_path) == ({
        "https://ok.example/": LinkStatus("https://ok.example/", NOW, 200, "https://ok.example/new", None, ""),
        "https://whole-number-time.example/": LinkStatus("https://whole-number-time.example/", NOW, 404),
    }, [])


def test_no_cache_is_no_problem(tmp_path: Path) -> None:
    assert load_results(tmp_path) == ({}, [])


@pytest.mark.parametrize("data", [
    b"{not json",
    b"\xff\xfe\x00garbage",
    b"",
    b"[1, 2]",
    b'{"format": 2, "links": {}}',
    b'{"links": {}}',
    b'{"format": 1, "links": ["https://example.com/"]}',
])
def test_a_damaged_cache_is_ignored_with_a_warning(tmp_path: Path, data: bytes) -> None:
    cache_file(tmp_path).parent.mkdir(parents=True)
    cache_file(tmp_path).write_bytes(data)
    results, problems = load_results(tmp_path)
    assert results == {}
    [problem] = problems
    assert (problem.path, problem.line, problem.warning) == (".cache/linkblog/links.json", None, True)
    assert "link cache" in problem.message


def test_a_cache_that_cannot_be_saved_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "linkblog").write_text("a file where the folder should be", "utf-8")
    [problem] = save_results(tmp_path, {"https://a.example/": LinkStatus("https://a.example/", NOW, 200)})
    assert (problem.path, problem.warning) == (".cache/linkblog/links.json", True)


def test_checking_nothing_asks_nothing(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    assert check_links([], tmp_path, checker(server), now=NOW) == ({}, [])
    assert server.seen == []


def test_each_url_is_asked_once_and_progress_is_told(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    base = server.base
    told: list[tuple[str, int, int]] = []
    urls = [f"{base}/ok", f"{base}/gone", f"{base}/ok", f"{base}/moved"]
    results, problems = check_links(urls, tmp_path, checker(server), now=NOW,
                                    progress=lambda *args: told.append(args))
    assert problems == []
    assert results == {
        f"{base}/ok": LinkStatus(f"{base}/ok", NOW, 200),
        f"{base}/gone": LinkStatus(f"{base}/gone", NOW, 410, archive=f"{SNAPSHOT}{base}/gone"),
        f"{base}/moved": LinkStatus(f"{base}/moved", NOW, 200, f"{base}/ok"),
    }
    assert sorted(seen for seen in server.seen if seen[1] != "/ok") == [
        ("GET", "/gone"), ("GET", "/wayback/available"), ("HEAD", "/gone"), ("HEAD", "/moved")]
    # Once for itself, once at the end of /moved's redirect (which urllib follows with a method of its choosing).
    assert [path for _, path in server.seen].count("/ok") == 2 and ("HEAD", "/ok") in server.seen
    assert told == [("links", 1, 3), ("links", 2, 3), ("links", 3, 3), ("archive", 1, 1)]


def test_a_result_is_trusted_for_less_than_a_week(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    fresh, stale = f"{server.base}/fresh", f"{server.base}/stale"
    # Both cached as 404 with no copy in the archive; the server now answers 200 for either.
    write_cache(tmp_path, {"format": 1, "links": {fresh: entry(NOW - WEEK + 1, 404, archive=""),
                                                  stale: entry(NOW - WEEK, 404, archive="")}})
    results, problems = check_links([fresh, stale], tmp_path, checker(server), now=NOW)
    assert problems == []
    assert results == {fresh: LinkStatus(fresh, NOW - WEEK + 1, 404, archive=""), stale: LinkStatus(stale, NOW, 200)}
    assert server.seen == [("HEAD", "/stale")]


def test_a_dead_link_whose_archive_was_not_answered_is_looked_up_again(server: ThreadingHTTPServer,
                                                                      tmp_path: Path) -> None:
    url = f"{server.base}/gone"
    server.archive = "down"
    first, _ = check_links([url], tmp_path, checker(server), now=NOW)
    assert first[url] == LinkStatus(url, NOW, 410)
    server.archive, server.seen[:] = "snapshot", []
    again, _ = check_links([url], tmp_path, checker(server), now=NOW + 60)
    assert again[url] == LinkStatus(url, NOW, 410, archive=SNAPSHOT + url)  # the link itself from the cache
    assert server.seen == [("GET", "/wayback/available")]
    server.seen.clear()
    check_links([url], tmp_path, checker(server), now=NOW + 120)
    assert server.seen == []


def test_the_cache_keeps_other_recent_results_and_drops_old_ones(server: ThreadingHTTPServer,
                                                                tmp_path: Path) -> None:
    write_cache(tmp_path, {"format": 1, "links": {"https://recent.example/": entry(NOW - 60),
                                                  "https://old.example/": entry(NOW - WEEK - 60)}})
    results, _ = check_links([f"{server.base}/ok"], tmp_path, checker(server), now=NOW)
    assert list(results) == [f"{server.base}/ok"]
    assert set(load_results(tmp_path)[0]) == {"https://recent.example/", f"{server.base}/ok"}


def test_a_damaged_cache_is_replaced_by_a_sound_one(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    url = f"{server.base}/ok"
    cache_file(tmp_path).parent.mkdir(parents=True)
    cache_file(tmp_path).write_bytes(b'{"format": 1, "links": {')
    results, problems = check_links([url], tmp_path, checker(server), now=NOW)
    assert results == {url: LinkStatus(url, NOW, 200)}
    assert [(p.path, p.warning) for p in problems] == [(".cache/linkblog/links.json", True)]
    assert load_results(tmp_path) == ({url: LinkStatus(url, NOW, 200)}, [])


def test_a_cache_that_can_be_neither_read_nor_written_only_warns(server: ThreadingHTTPServer,
                                                                 tmp_path: Path) -> None:
    cache_file(tmp_path).mkdir(parents=True)  # a folder where the file should be
    url = f"{server.base}/ok"
    results, problems = check_links([url], tmp_path, checker(server), now=NOW)
    assert results == {url: LinkStatus(url, NOW, 200)}
    assert [(p.path, p.warning) for p in problems] == [(".cache/linkblog/links.json", True)] * 2


def test_head_and_get_share_one_timeout(server: ThreadingHTTPServer) -> None:
    """A server slow to refuse HEAD and slow to answer GET: the link waits one timeout in all, not one each."""
    server.slow = 0.9
    started = time.monotonic()
    result = asked(f"{server.base}/slow", 1)
    assert time.monotonic() - started < 1.5
    assert (result.status, result.error) == (None, "timed out")
    assert server.seen == [("HEAD", "/slow"), ("GET", "/slow")]


def test_a_redirect_to_a_host_that_never_lets_it_connect_waits_only_what_the_link_has_left(
        server: ThreadingHTTPServer) -> None:
    """Slow to redirect, then to a port that drops every connection attempt: one timeout in all."""
    hanging = socket.socket()  # listening with a full queue and never accepting: a connect there hangs
    hanging.bind(("127.0.0.1", 0))
    hanging.listen(0)
    queued = [socket.socket() for _ in range(3)]
    for sock in queued:
        sock.setblocking(False)
        sock.connect_ex(hanging.getsockname())
    server.slow = 0.6
    server.redirects["/slow-away"] = f"http://127.0.0.1:{hanging.getsockname()[1]}/x"
    try:
        started = time.monotonic()
        result = asked(f"{server.base}/slow-away", 1)
        assert time.monotonic() - started < 1.5
        assert result.status is None and result.error
    finally:
        for sock in (*queued, hanging):
            sock.close()


def test_redirects_count_against_the_host_they_lead_to(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    """Links to one host that redirect to another add no more to the other's two at a time than direct links."""
    urls = [f"{server.base}/busy/away/{n}" for n in range(6)] + [f"{server.away}/busy/{n}" for n in range(6)]
    results, _ = check_links(urls, tmp_path, Checker(timeout=5, archive_api=f"{server.base}/wayback/available"),
                             now=NOW)
    assert [status.status for status in results.values()] == [200] * len(urls)
    # never more than two at once (on a busy machine the requests may also come one at a time)
    assert sorted(server.most) == ["127.0.0.1", "localhost"] and max(server.most.values()) <= 2


def test_a_link_with_a_user_and_password_is_asked_without_them(server: ThreadingHTTPServer) -> None:
    url = f"http://someone:secret@127.0.0.1:{server.server_address[1]}/ok"
    assert asked(url) == LinkStatus(url, NOW, 200)
    assert server.seen == [("HEAD", "/ok")] and server.credentials == []


def test_a_redirect_that_names_no_address_is_reported_as_such(server: ThreadingHTTPServer) -> None:
    result = asked(f"{server.base}/redirect-nowhere")
    assert (result.status, result.error) == (None, "it redirects without saying where")


def test_ctrl_c_starts_no_request_after_it_and_keeps_the_answers_had(server: ThreadingHTTPServer,
                                                                     tmp_path: Path) -> None:
    """`check --external` stopped while slow links are under way: it ends at once, exit 130, with no request
    started after Ctrl-C, and the links answered before it are kept in the cache."""
    server.slow = 30  # released when the test ends
    quick = [f"{server.away}/fine/{n}" for n in range(3)]
    slow = [f"{server.base}/slow/{n}" for n in range(12)]
    body = " ".join(f"[link {n}]({url})" for n, url in enumerate(quick + slow))
    site = make_site(tmp_path / "site", {"2016-01-01-many.md": post_text("Many", "2016-01-01", body, tags="[x]")})
    check = subprocess.Popen([sys.executable, "-m", "linkblog", "check", "--external", "--timeout", "20", "--jobs",
                              "1"], cwd=site, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        asked_by = time.monotonic() + 60
        while (len(slow_requests(server)) < 2 or len([seen for seen in server.seen if seen[1].startswith("/fine/")])
               < len(quick)) and time.monotonic() < asked_by:
            time.sleep(0.05)
        time.sleep(0.5)  # the quick answers reach the checker; the slow ones are far from done
        before = len(slow_requests(server))
        check.send_signal(signal.SIGINT)
        stopped = time.monotonic()
        _, err = check.communicate(timeout=10)
        took = time.monotonic() - stopped
    finally:
        check.kill()
        check.communicate()
    assert (check.returncode, err.strip().splitlines()[-1:]) == (130, ["interrupted"])
    assert took < 3
    assert len(slow_requests(server)) == before == 2  # one host's two at a time: none started after Ctrl-C
    assert set(load_results(site)[0]) == set(quick)


def slow_requests(server: ThreadingHTTPServer) -> list[tuple[str, str]]:
    with server.lock:
        return [seen for seen in server.seen if seen[1].startswith("/slow/")]

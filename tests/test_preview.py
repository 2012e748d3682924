"""preview.py: a `linkblog serve` session run in this process, its private folder, and the lines it tells.

The request handler itself (paths, content types, HEAD, the events stream) is serve.py's, tested in
test_serve.py; here it is reached only through what a session serves from its own folder.
"""

from __future__ import annotations

import errno
import fcntl
import http.client
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from bs4 import BeautifulSoup
from conftest import CONFIG, SAMPLE_POSTS, make_site, post_text

import linkblog.preview
from linkblog.build import BuildResult
from linkblog.preview import (
    ServeOptions,
    Session,
    is_loopback,
    port_problem,
    private_folder,
    remove_if_stale,
    served_url,
    shown,
    what_changed,
)
from linkblog.problems import Problem
from linkblog.search import Reindex, SearchError
from linkblog.serve import Build, Preview, PreviewServer

NOTES = CONFIG.replace("url: https://example.org/", "url: https://example.org/notes/") + "# config-marker\n"
FIRST, SECOND = "2015-06-01-work-vs-progress.md", "2015-04-09-some-customers-suck.md"
FIRST_URL, SECOND_URL = "/notes/2015/06/work-vs-progress/", "/notes/2015/04/some-customers-suck/"
DRAFT = post_text("A draft", "2016-12-01 08:00", "Draft words.", draft="true")
LATER = post_text("Later", "2999-01-01 08:00", "Not yet.")
BROKEN = "---\ntitle: [broken\ndate: 2016-02-02 08:00\n---\nWords.\n"  # the '[' on line 2 is never closed
WAIT = 30.0  # seconds a build may take on a slow machine; a passing run waits far less


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    """Two posts at https://example.org/notes/, a draft and a post dated far in the future."""
    posts = {FIRST: SAMPLE_POSTS[FIRST], SECOND: SAMPLE_POSTS[SECOND],
             "2016-12-01-a-draft.md": DRAFT, "2999-01-01-later.md": LATER}
    return make_site(tmp_path / "site", posts, config=NOTES)


class Told:
    """What a session says (its one-line reports) and the problems it reports, from any of its threads."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.reports: list[list[Problem]] = []
        self.changed = threading.Condition()

    def say(self, line: str) -> None:
        with self.changed:
            self.lines.append(line)
            self.changed.notify_all()

    def report(self, problems: list[Problem]) -> None:
        self.reports.append(list(problems))

    def wait_lines(self, count: int) -> list[str]:
        """The lines said, once there are `count` (a build is told to pages before it is said)."""
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.lines) >= count, WAIT), self.lines
            return list(self.lines)


@pytest.fixture
def told() -> Told:
    return Told()


@pytest.fixture
def started(told: Told) -> Iterator[Callable[..., tuple[Session, str]]]:
    """Start sessions on a free loopback port: each with the URL it gives to open; each stopped after the test."""
    sessions: list[Session] = []

    def start(site: Path, **options: object) -> tuple[Session, str]:
        session = Session(site / "config.yaml", ServeOptions(port=0, jobs=1, **options), told.say, told.report)
        sessions.append(session)
        url, problems = session.start()
        assert url is not None, problems
        return session, url
    yield start
    for session in sessions:
        session.stop()


@pytest.fixture
def idle(notes: Path, told: Told) -> Iterator[Session]:
    """A session that is not serving: a server bound but never run, for the session's own methods.

    Its server never runs serve_forever, so stop() (which waits for that loop to end) is not used:
    any rebuild loop a test spawned is ended by the None that stop() would send."""
    session = Session(notes / "config.yaml", ServeOptions(port=0, jobs=1), told.say, told.report)
    session.server = PreviewServer(("127.0.0.1", 0), Preview(session.output, "/notes/"))
    session.version = 0  # as its server's broadcast starts: the builds these tests wait for are 1, 2...
    yield session
    session.changes.put(None)
    for thread in session.threads:
        thread.join(timeout=WAIT)
    session.server.server_close()
    session.close()


def port_of(session: Session) -> int:
    assert session.server is not None
    return session.server.server_address[1]


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def injected_problems(body: bytes) -> list[str]:
    [script] = BeautifulSoup(body, "html.parser").find_all("script", attrs={"data-linkblog": True})
    return json.loads(script["data-linkblog"])["problems"]


def next_build(session: Session, seen: int) -> Build:
    assert session.server is not None
    build = session.server.preview.broadcast.wait(seen, WAIT)
    assert build is not None, f"no build after version {seen}"
    return build


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# Options and addresses.

def test_by_default_a_preview_listens_on_this_machine_only_and_shows_everything() -> None:
    options = ServeOptions()
    assert (options.host, options.port, options.drafts, options.future, options.watch) == \
        ("127.0.0.1", 8000, True, True, False)
    assert is_loopback(options.host)


@pytest.mark.parametrize(("host", "loopback"), [
    ("localhost", True), ("LocalHost", True), ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True),
    ("::ffff:127.0.0.1", True), ("::ffff:192.168.1.20", False),
    ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("10.0.0.1", False), ("fe80::1", False),
    ("example.org", False), ("", False),
])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_session_numbers_its_builds_past_those_of_any_session_started_before(notes: Path, told: Told) -> None:
    first = Session(notes / "config.yaml", ServeOptions(port=0, jobs=1), told.say, told.report)
    time.sleep(0.002)
    second = Session(notes / "config.yaml", ServeOptions(port=0, jobs=1), told.say, told.report)
    try:
        assert second.version > first.version + 1  # a page of the first, reconnecting, reloads
    finally:
        first.close()
        second.close()


def test_served_url_is_the_host_and_port_then_the_base_path() -> None:
    server = PreviewServer(("127.0.0.1", 0), Preview(Path("unused"), "/notes/"))
    try:
        port = server.server_address[1]
        assert served_url(server, "/notes/") == f"http://127.0.0.1:{port}/notes/"
        assert served_url(server, "/") == f"http://127.0.0.1:{port}/"
        assert served_url(server, "/café notes/") == f"http://127.0.0.1:{port}/caf%C3%A9%20notes/"
    finally:
        server.server_close()


def test_served_url_puts_an_ipv6_address_in_brackets() -> None:
    # Only the address is read: no IPv6 socket is opened for this.
    server = cast(PreviewServer, SimpleNamespace(server_address=("::1", 8123, 0, 0)))
    assert served_url(server, "/blog/") == "http://[::1]:8123/blog/"


def test_a_port_in_use_is_one_problem_naming_it_and_advising_port_0() -> None:
    problem = port_problem(ServeOptions(port=8000), OSError(errno.EADDRINUSE, "Address already in use"))
    assert problem.path == "127.0.0.1:8000" and not problem.warning
    assert "8000" in problem.message and "--port 0" in problem.message
    assert "\n" not in str(problem)


def test_a_port_in_use_on_an_ipv6_address_is_named_as_a_url_names_it() -> None:
    problem = port_problem(ServeOptions(host="::1", port=8000), OSError(errno.EADDRINUSE, "Address already in use"))
    assert problem.path == "[::1]:8000"


def test_another_reason_a_port_cannot_be_opened_is_named_without_the_in_use_advice() -> None:
    problem = port_problem(ServeOptions(host="127.0.0.1", port=80), OSError(errno.EACCES, "Permission denied"))
    assert problem.path == "127.0.0.1:80" and not problem.warning
    assert "80" in problem.message and "Permission denied" in problem.message
    assert "--port 0" not in problem.message


@pytest.mark.parametrize("exc", [socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
                                 OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address")])
def test_a_host_that_cannot_be_listened_on_is_named_not_the_port(exc: OSError) -> None:
    problem = port_problem(ServeOptions(host="nosuch.invalid", port=0), exc)
    assert problem.path == "nosuch.invalid:0" and not problem.warning
    assert "--host nosuch.invalid" in problem.message and "port" not in problem.message


# What a rebuild line names.

@pytest.mark.parametrize(("names", "expected"), [
    (["posts/b.md"], "posts/b.md"),
    (["posts/b.md", "config.yaml"], "config.yaml, posts/b.md"),  # sorted, not in the order seen
    (["posts/c.md", "posts/a.md", "posts/b.md"], "posts/a.md, posts/b.md, posts/c.md"),
    (["posts/e.md", "posts/d.md", "posts/c.md", "posts/b.md", "posts/a.md"],
     "posts/a.md, posts/b.md, posts/c.md and 2 more"),
    ([], ""),
])
def test_what_changed_names_a_few_paths_relative_to_the_site(tmp_path: Path, names: list[str],
                                                            expected: str) -> None:
    assert what_changed({tmp_path / name for name in names}, tmp_path) == expected


def test_what_changed_can_name_more_or_fewer(tmp_path: Path) -> None:
    paths = {tmp_path / name for name in ("a", "b", "c")}
    assert what_changed(paths, tmp_path, most=1) == "a and 2 more"
    assert what_changed(paths, tmp_path, most=5) == "a, b, c"


def test_shown_is_relative_to_the_site_inside_it_and_absolute_outside(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = (tmp_path / "site").resolve()
    (root / "posts").mkdir(parents=True)
    assert shown(root / "posts" / "a.md", root) == "posts/a.md"
    assert shown(root / "posts" / ".." / "config.yaml", root) == "config.yaml"
    assert shown(tmp_path / "elsewhere.md", root) == str(tmp_path.resolve() / "elsewhere.md")
    monkeypatch.chdir(root / "posts")  # a relative path is one from where the process runs
    assert shown(Path("a.md"), root) == "posts/a.md"


def test_shown_names_a_post_that_is_a_link_where_the_link_is(tmp_path: Path) -> None:
    root = (tmp_path / "site").resolve()
    (root / "posts" / "notes").mkdir(parents=True)
    (tmp_path / "elsewhere.md").write_text("x")
    (root / "posts" / "linked.md").symlink_to(tmp_path / "elsewhere.md")
    (root / "posts" / "kept").symlink_to(tmp_path, target_is_directory=True)
    assert shown(root / "posts" / "linked.md", root) == "posts/linked.md"
    assert shown(root / "posts" / "kept" / "elsewhere.md", root) == "posts/kept/elsewhere.md"


# The private folder.

def test_private_folder_is_new_locked_and_in_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "site" / ".cache" / "linkblog"  # made if missing
    folder, lock = private_folder(cache)
    other, other_lock = private_folder(cache)
    try:
        assert folder.parent == cache and folder.name.startswith("preview-") and folder.is_dir()
        assert other != folder and other.parent == cache  # two servers on one site never share a folder
        with (folder / ".lock").open("a") as probe, pytest.raises(BlockingIOError):
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as another server finds it in use
    finally:
        lock.close()
        other_lock.close()


def test_a_new_private_folder_removes_only_the_stale_ones(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    killed = make_site(cache / "preview-killed", files={".lock": "", "site/index.html": "old"})
    unlocked = make_site(cache / "preview-unlocked", files={"site/index.html": "old"})  # killed before its lock
    live = make_site(cache / "preview-live", files={".lock": "", "site/index.html": "in use"})
    other = make_site(cache / "entries", files={"x.json": "{}"})  # the cache's own files are not previews
    with (live / ".lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        folder, lock = private_folder(cache)
        lock.close()
    assert not killed.exists() and not unlocked.exists()
    assert (live / "site" / "index.html").read_text() == "in use"
    assert (other / "x.json").read_text() == "{}"
    assert folder.is_dir()


def test_remove_if_stale_keeps_a_folder_another_server_holds(tmp_path: Path) -> None:
    live = make_site(tmp_path / "preview-live", files={".lock": "", "site/index.html": "in use"})
    with (live / ".lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        remove_if_stale(live)
    assert (live / "site" / "index.html").read_text() == "in use"
    remove_if_stale(live)  # the lock released: the server that held it is gone
    assert not live.exists()


def test_remove_if_stale_never_empties_a_folder_a_stale_name_links_to(tmp_path: Path) -> None:
    precious = make_site(tmp_path / "precious", files={"notes.txt": "keep me"})
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "preview-link").symlink_to(precious, target_is_directory=True)
    remove_if_stale(tmp_path / "cache" / "preview-link")
    assert (precious / "notes.txt").read_text() == "keep me"
    assert (precious / "config.yaml").is_file()
    assert not (precious / ".lock").exists()  # nothing written through the link either
    assert not (tmp_path / "cache" / "preview-link").is_symlink()


def test_remove_if_stale_removes_a_file_of_a_previews_name(tmp_path: Path) -> None:
    (tmp_path / "preview-file").write_text("not a folder")
    remove_if_stale(tmp_path / "preview-file")
    assert list(tmp_path.iterdir()) == []


def test_remove_if_stale_of_nothing_there_is_quiet(tmp_path: Path) -> None:
    remove_if_stale(tmp_path / "preview-gone")
    assert list(tmp_path.iterdir()) == []


# A session, start to stop.

def test_a_session_serves_its_own_build_at_the_base_path_and_leaves_nothing(
        started: Callable[..., tuple[Session, str]], notes: Path, told: Told) -> None:
    session, url = started(notes)
    port = port_of(session)
    assert url == f"http://127.0.0.1:{port}/notes/"
    assert session.folder.parent == notes.resolve() / ".cache" / "linkblog"
    assert session.folder.name.startswith("preview-")
    assert (session.folder / "site" / "index.html").is_file()
    assert get(port, "/notes/")[0] == 200
    status, _, body = get(port, FIRST_URL)
    assert status == 200 and b"Work vs. Progress" in body
    assert get(port, "/2015/06/work-vs-progress/")[0] == 404  # the site is under /notes/ only
    line = r"built: \d+ pages rendered \(\d+ changed\), \d+ other files written in \d+ ms"
    assert [re.fullmatch(line, each) is not None for each in told.lines] == [True]
    assert told.reports == [[]]
    assert not (notes / "build").exists()  # the output folder of `build` and `deploy` is never written

    session.stop()
    assert not session.folder.exists()
    assert list((notes / ".cache" / "linkblog").glob("preview-*")) == []
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_drafts_and_scheduled_posts_are_shown_unless_told_not_to(started: Callable[..., tuple[Session, str]],
                                                                 notes: Path) -> None:
    shown_all = port_of(started(notes)[0])
    assert b"Draft words." in get(shown_all, "/notes/2016/12/a-draft/")[2]
    assert b"Not yet." in get(shown_all, "/notes/2999/01/later/")[2]
    published = port_of(started(notes, drafts=False, future=False)[0])
    assert get(published, "/notes/2016/12/a-draft/")[0] == 404
    assert get(published, "/notes/2999/01/later/")[0] == 404
    assert get(published, FIRST_URL)[0] == 200


def test_a_session_never_serves_its_lock_or_the_site_beside_it(started: Callable[..., tuple[Session, str]],
                                                               notes: Path) -> None:
    # From the served folder (.cache/linkblog/preview-X/site), the lock is one step up and the site four.
    port = port_of(started(notes)[0])
    for path in ("/notes/../config.yaml", "/notes/%2e%2e/.lock", "/notes/%2e%2e/%2e%2e/%2e%2e/%2e%2e/config.yaml",
                 "/notes/..%2f..%2f..%2f..%2fconfig.yaml", "/config.yaml", "/.lock", "/notes/.lock",
                 "/notes/%2e%2e/%2e%2e/%2e%2e/%2e%2e/posts/" + FIRST):
        status, _, body = get(port, path)
        assert status in (400, 404), path
        assert b"config-marker" not in body and b"Busy is not progress" not in body, path


def test_a_first_build_that_fails_still_serves_a_page_showing_why(started: Callable[..., tuple[Session, str]],
                                                                  notes: Path, told: Told) -> None:
    (notes / "posts" / "2016-02-02-broken.md").write_text(BROKEN)
    session, _ = started(notes)
    [[problem]] = told.reports
    assert (problem.path, problem.line, problem.warning) == ("posts/2016-02-02-broken.md", 2, False)
    [line] = told.lines
    assert line.startswith("built: build failed with 1 error;")
    status, headers, body = get(port_of(session), "/notes/")
    assert status == 404 and headers["content-type"].startswith("text/html")
    [shown_problem] = injected_problems(body)
    assert shown_problem.startswith("posts/2016-02-02-broken.md:2: ")
    assert "last good build" not in line  # there is none
    [script] = BeautifulSoup(body, "html.parser").find_all("script", attrs={"data-linkblog": True})
    assert json.loads(script["data-linkblog"])["built"] is False  # the overlay calls it no last good page


def test_a_file_gone_during_the_first_build_is_a_problem_and_the_preview_serves(
        notes: Path, told: Told, monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(notes / "config.yaml", ServeOptions(port=0, jobs=1), told.say, told.report)

    def vanished(**_: object) -> BuildResult:
        raise FileNotFoundError(2, "No such file or directory", str(notes / "posts" / "gone.md"))

    monkeypatch.setattr(session.builder, "build", vanished)
    url, problems = session.start()
    try:
        assert url is not None and problems == []
        [[problem]] = told.reports
        assert problem.path == "posts/gone.md" and not problem.warning
        status, _, body = get(port_of(session), "/notes/")
        assert status == 404 and injected_problems(body)[0].startswith("posts/gone.md: ")
    finally:
        port = port_of(session)
        session.stop()
    with pytest.raises(OSError):  # stopped: nothing listens there any more
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_a_ctrl_c_noted_during_the_first_build_stops_it_and_nothing_is_served(notes: Path, told: Told) -> None:
    asked: list[int] = []
    session = Session(notes / "config.yaml", ServeOptions(port=0, jobs=1), told.say, told.report, lambda: bool(asked))
    build = session.builder.build

    def interrupted(**options: Any) -> BuildResult:
        asked.append(2)  # as the signal handler notes it, once the build is under way
        return build(**options)

    session.builder.build = interrupted  # type: ignore[method-assign]
    url, problems = session.start()
    assert (url, problems) == (None, [])
    assert told.lines == [] and told.reports == []  # no "build failed": it was stopped
    assert not (session.output / "index.html").exists() and session.server is None
    session.stop()
    assert not session.folder.exists()


def test_a_build_failing_once_a_stop_was_asked_is_a_stopped_build(notes: Path, told: Told) -> None:
    asked: list[int] = []
    session = Session(notes / "config.yaml", ServeOptions(port=0, jobs=1), told.say, told.report, lambda: bool(asked))

    def workers_gone(**_: Any) -> BuildResult:
        asked.append(2)  # the Ctrl-C that ended the build's workers too
        raise EOFError("the fork server's pipe closed")

    session.builder.build = workers_gone  # type: ignore[method-assign]
    assert session.start() == (None, [])
    session.stop()
    assert not session.folder.exists()


def test_a_config_that_cannot_be_read_stops_the_start_and_removes_the_folder(notes: Path, told: Told) -> None:
    (notes / "config.yaml").write_text("title: [never closed\n")
    session = Session(notes / "config.yaml", ServeOptions(port=0, jobs=1), told.say, told.report)
    url, problems = session.start()
    assert url is None
    assert [(p.path, p.line) for p in problems] == [("config.yaml", 1)]
    assert not session.folder.exists() and session.server is None
    session.stop()  # as the command does whatever start() returned: nothing left to stop, no error


def test_a_port_in_use_stops_the_start_and_names_the_port(notes: Path, told: Told) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        session = Session(notes / "config.yaml", ServeOptions(port=port, jobs=1), told.say, told.report)
        url, problems = session.start()
    assert url is None
    [problem] = problems
    assert problem.path == f"127.0.0.1:{port}" and "--port 0" in problem.message
    assert not session.folder.exists() and told.lines == []  # told at once, before any build


# The rebuild loop.

def test_a_burst_of_changes_is_one_build_naming_every_changed_page(idle: Session, notes: Path,
                                                                  told: Told) -> None:
    assert idle.builder.build().ok  # as start() does
    edit(notes / "posts" / FIRST, "My note.", "My first edit.")
    edit(notes / "posts" / SECOND, "Agreed.", "Agreed, edited.")
    idle.changes.put({notes / "posts" / FIRST})
    idle.changes.put({notes / "posts" / SECOND})  # queued while the last build ran
    idle.spawn(idle.rebuild_loop)
    build = next_build(idle, 0)
    assert build.version == 1 and build.problems == [] and not build.everything
    assert {FIRST_URL, SECOND_URL} <= set(build.pages)
    [line] = told.wait_lines(1)
    assert line.startswith(f"posts/{SECOND}, posts/{FIRST}: ")  # both, sorted, in one line
    assert b"My first edit." in (idle.output / "2015" / "06" / "work-vs-progress" / "index.html").read_bytes()

    edit(notes / "posts" / FIRST, "My first edit.", "My second edit.")
    idle.changes.put({notes / "posts" / FIRST})
    assert next_build(idle, 1).version == 2
    assert len(told.wait_lines(2)) == 2


def test_the_loop_ends_at_none_even_with_changes_queued_before_it(idle: Session, notes: Path,
                                                                  told: Told) -> None:
    idle.changes.put({notes / "posts" / FIRST})
    idle.changes.put(None)  # Ctrl-C during a burst: nothing more is built
    idle.spawn(idle.rebuild_loop)
    idle.threads[-1].join(timeout=WAIT)
    assert not idle.threads[-1].is_alive()
    assert idle.version == 0 and told.lines == []


def test_a_new_url_moves_the_preview_only_once_a_build_succeeds(idle: Session, notes: Path,
                                                                told: Told) -> None:
    assert idle.builder.build().ok
    assert idle.server is not None
    preview = idle.server.preview
    edit(notes / "config.yaml", "https://example.org/notes/", "https://example.org/blog/")
    (notes / "posts" / "2016-02-02-broken.md").write_text(BROKEN)
    idle.changes.put({notes / "config.yaml", notes / "posts" / "2016-02-02-broken.md"})
    idle.spawn(idle.rebuild_loop)
    failed = next_build(idle, 0)
    [problem] = failed.problems
    assert problem.startswith("posts/2016-02-02-broken.md:2: ") and not failed.everything
    # The pages served are still the last good build's, which link /notes/.
    assert (preview.base_path, preview.former) == ("/notes/", [])

    (notes / "posts" / "2016-02-02-broken.md").unlink()
    idle.changes.put({notes / "posts" / "2016-02-02-broken.md"})
    moved = next_build(idle, 1)
    assert moved.problems == [] and moved.everything  # every open page is at its old address
    assert (preview.base_path, preview.former) == ("/blog/", ["/notes/"])
    port = idle.server.server_address[1]
    assert f"Serving http://127.0.0.1:{port}/blog/ (the url in the config changed)" in told.wait_lines(3)


def test_a_build_failing_on_a_bug_is_a_failed_build_and_the_next_save_builds_again(
        idle: Session, notes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert idle.builder.build().ok
    run = idle.builder.run

    def failing_once(*args: object) -> object:
        idle.builder.run = run  # type: ignore[method-assign]
        raise RuntimeError("a bug")
    idle.builder.run = failing_once  # type: ignore[method-assign]
    idle.changes.put({notes / "posts" / FIRST})
    idle.spawn(idle.rebuild_loop)
    [problem] = next_build(idle, 0).problems
    assert "bug" in problem and "RuntimeError" in capsys.readouterr().err
    edit(notes / "posts" / FIRST, "My note.", "My edited note.")
    idle.changes.put({notes / "posts" / FIRST})
    assert next_build(idle, 1).problems == []  # the loop goes on
    assert "My edited note." in (idle.output / FIRST_URL.removeprefix("/notes/") / "index.html").read_text()


def test_follow_url_is_true_only_when_the_base_path_changed(idle: Session, notes: Path, told: Told) -> None:
    assert idle.server is not None
    preview = idle.server.preview
    assert not idle.follow_url(preview)  # nothing built yet: nowhere else to go
    assert idle.builder.build().ok
    assert not idle.follow_url(preview)
    edit(notes / "config.yaml", "https://example.org/notes/", "https://example.org/")
    assert idle.rebuild({notes / "config.yaml"}).ok
    assert idle.follow_url(preview)
    assert (preview.base_path, preview.former) == ("/", ["/notes/"])
    assert not idle.follow_url(preview)  # told once
    assert len([line for line in told.lines if line.startswith("Serving ")]) == 1


def test_a_file_that_cannot_be_read_mid_build_is_a_problem_not_the_end(idle: Session, notes: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # A file gone between the scan and its reading cannot be timed from a test: the builder raises as it would.
    def vanished(**_: object) -> BuildResult:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(notes / "posts" / "gone.md"))
    monkeypatch.setattr(idle.builder, "build", vanished)
    pending = idle.later.pending = Reindex(idle.output, ("2015/06/work-vs-progress/index.html",))
    result = idle.rebuild({notes / "posts" / "gone.md"})
    [problem] = result.problems
    assert not result.ok and problem.path == "posts/gone.md" and not problem.warning
    assert idle.later.pending is pending  # the output is as it was: so is the index it still needs


def test_an_error_without_a_file_name_is_a_problem_of_the_site(idle: Session, monkeypatch: pytest.MonkeyPatch,
                                                               notes: Path) -> None:
    def failing(**_: object) -> BuildResult:
        raise OSError(errno.EIO, "Input/output error")
    monkeypatch.setattr(idle.builder, "build", failing)
    [problem] = idle.rebuild({notes / "posts" / FIRST}).problems
    assert problem.path == "." and not problem.warning


# The search index a rebuild left for later.

def test_a_search_index_done_tells_the_search_page_only(idle: Session) -> None:
    assert idle.server is not None
    (idle.output / "pagefind").mkdir(parents=True)
    (idle.output / "index.html").write_text("<html><body><p>No posts yet.</p></body></html>")
    idle.later.pending = Reindex(idle.output, ())  # no post page: the home page is indexed, as a build does
    idle.index_search()
    build = idle.server.preview.broadcast.latest
    assert (build.version, build.pages, build.styles, build.everything, build.problems) == \
        (1, ["/notes/search/"], [], False, [])
    assert idle.later.pending is None and (idle.output / "pagefind" / "pagefind-ui.js").is_file()


def test_a_failed_search_index_is_reported_and_shown_with_the_builds_problems(
        idle: Session, told: Told, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(job: Reindex, interrupted: Callable[[], bool]) -> bool:
        raise SearchError(Problem("search", "Pagefind failed"))
    monkeypatch.setattr(linkblog.preview, "reindex", failing)
    assert idle.server is not None
    broadcast = idle.server.preview.broadcast
    broadcast.publish(Build(3, problems=["posts/a.md:2: bad"]))
    idle.version = 3
    idle.later.pending = Reindex(idle.output, ("a/index.html",))
    idle.index_search()
    assert (broadcast.latest.version, broadcast.latest.pages) == (4, ["/notes/search/"])
    assert broadcast.latest.problems == ["posts/a.md:2: bad", "search: Pagefind failed"]  # a failed build's stay
    assert told.reports == [[Problem("search", "Pagefind failed")]]
    [line] = told.lines
    assert line.startswith("search: ")
    assert idle.later.pending is None  # not tried again until a build leaves another


def test_an_index_that_cannot_be_written_is_a_search_problem(idle: Session, told: Told,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def unwritable(job: Reindex, interrupted: Callable[[], bool]) -> bool:
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(linkblog.preview, "reindex", unwritable)
    idle.later.pending = Reindex(idle.output, ("a/index.html",))
    idle.index_search()
    [[problem]] = told.reports
    assert problem.path == "search" and not problem.warning
    assert idle.later.pending is None


def test_a_save_during_the_index_stops_it_and_the_index_stays_to_do(idle: Session, notes: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[bool] = []

    def interruptible(job: Reindex, interrupted: Callable[[], bool]) -> bool:
        asked.append(interrupted())
        return not asked[-1]
    monkeypatch.setattr(linkblog.preview, "reindex", interruptible)
    assert idle.server is not None
    job = idle.later.pending = Reindex(idle.output, ("a/index.html",))
    idle.changes.put({notes / "posts" / FIRST})  # a save came
    idle.index_search()
    assert asked == [True]
    assert idle.later.pending is job and idle.server.preview.broadcast.latest.version == 0


def test_an_index_left_by_a_newer_build_meanwhile_stays_to_do(idle: Session,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    newer = Reindex(idle.output, ("b/index.html",))

    def overtaken(job: Reindex, interrupted: Callable[[], bool]) -> bool:
        idle.later.pending = newer
        return True
    monkeypatch.setattr(linkblog.preview, "reindex", overtaken)
    idle.later.pending = Reindex(idle.output, ("a/index.html",))
    idle.index_search()
    assert idle.later.pending is newer


def test_the_loop_indexes_once_no_change_is_waiting(idle: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    ran = threading.Event()

    def done(job: Reindex, interrupted: Callable[[], bool]) -> bool:
        ran.set()
        return True
    monkeypatch.setattr(linkblog.preview, "reindex", done)
    idle.later.pending = Reindex(idle.output, ("a/index.html",))
    idle.spawn(idle.rebuild_loop)
    assert ran.wait(WAIT)
    assert next_build(idle, 0).pages == ["/notes/search/"]


# One line per build.

def test_a_good_build_is_one_line_with_pages_changes_and_time(idle: Session, told: Told) -> None:
    idle.tell(BuildResult(rendered=1, pages=["/notes/"], seconds=0.0123), "posts/a.md")
    idle.tell(BuildResult(rendered=12, pages=["/notes/", "/notes/a/"], seconds=1.5), "config.yaml")
    assert told.lines == ["posts/a.md: 1 page rendered (1 changed) in 12 ms",
                          "config.yaml: 12 pages rendered (2 changed) in 1500 ms"]
    assert told.reports == [[], []]


def test_a_static_file_written_is_said_beside_the_pages(idle: Session, told: Told) -> None:
    idle.tell(BuildResult(written=["style.css"], seconds=0.004), "static/style.css")
    assert told.lines == ["static/style.css: 0 pages rendered (0 changed), 1 other file written in 4 ms"]


def test_a_failed_build_line_counts_its_errors_not_its_warnings(idle: Session, told: Told) -> None:
    one = [Problem("posts/a.md", "bad", 2), Problem("posts/b.md", "odd", warning=True)]
    two = [Problem("posts/a.md", "bad", 2), Problem("posts/c.md", "worse", 5)]
    idle.tell(BuildResult(one), "posts/a.md")
    idle.tell(BuildResult(two), "posts/c.md")
    assert told.lines[0].startswith("posts/a.md: build failed with 1 error;")
    assert told.lines[1].startswith("posts/c.md: build failed with 2 errors;")
    assert told.reports == [one, two]  # warnings are reported too, with the errors

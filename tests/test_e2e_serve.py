"""`linkblog serve --watch` for real: the command in a subprocess on a free port, its site edited on disk."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from conftest import CONFIG, SAMPLE_POSTS, make_site, post_text, run_cli, tree_bytes

SUB_PATH = CONFIG.replace("url: https://example.org/", "url: https://example.org/notes/")
POST = "posts/2015-06-01-work-vs-progress.md"
POST_URL = "/notes/2015/06/work-vs-progress/"
UNRELATED_URL = "/notes/2016/01/stop-apologising/"  # shares neither a list page of 2 nor a neighbour
DRAFT = post_text("A draft", "2016-12-01 08:00", "Draft words.", draft="true")
STATIC = {"static/style.css": "body { color: rgb(1, 2, 3) }\n", "static/fonts/body.woff2": b"wOF2\x00font",
          "static/images/logo.png": b"\x89PNG\r\n\x1a\n\x00image", "static/notes.txt": "plain words\n"}


class Lines:
    """The lines a stream gives, read by a thread as they come, to wait for."""

    def __init__(self, stream: object):
        self.lines: list[str] = []
        self.changed = threading.Condition()
        threading.Thread(target=self.read, args=(stream,), daemon=True).start()

    def read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()

    def wait_for(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        """The first line matching pattern, waiting for it to come."""
        found: list[re.Match[str]] = []

        def search() -> bool:
            found.extend(m for m in map(re.compile(pattern).search, self.lines) if m)
            return bool(found)
        with self.changed:
            assert self.changed.wait_for(search, timeout), f"no line matching {pattern!r} in:\n{self.text()}"
        return found[0]

    def text(self) -> str:
        return "\n".join(self.lines)


def waited(process: subprocess.Popen, out: Lines, err: Lines, timeout: float) -> int:
    """A stopped server's exit code; if it never exits, a failure showing where each of its threads is stuck
    (faulthandler's tracebacks, asked for with SIGABRT)."""
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        process.wait(timeout=15)
        time.sleep(0.5)  # the reading threads reach the end of both streams
        stuck = "\n".join(line for line in err.lines if not line.startswith("import time:"))
        raise AssertionError(f"the server did not stop: {out.text()[-500:]}\n{stuck[-6000:]}") from None


class Serve:
    """`linkblog serve` running in a site folder, with `temp` as its TMPDIR (which it must leave alone)."""

    def __init__(self, site: Path, temp: Path, *args: str, env: dict[str, str] | None = None,
                 preexec: Callable[[], None] | None = None):
        temp.mkdir(exist_ok=True)
        self.site, self.temp = site, temp
        self.process = subprocess.Popen(
            [sys.executable, "-m", "linkblog", "serve", "--port", "0", *args], cwd=site, text=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=preexec,
            env={**os.environ, "TMPDIR": str(temp), "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1", **(env or {})})
        self.out, self.err = Lines(self.process.stdout), Lines(self.process.stderr)
        self.url = self.out.wait_for(r"^Serving (http://\S+)", timeout=60)[1]
        self.port = urlsplit(self.url).port

    def get(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path)
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def page(self, path: str, status: int = 200) -> BeautifulSoup:
        got, headers, body = self.get(path)
        assert got == status, path
        assert headers["content-type"].startswith("text/html")
        return BeautifulSoup(body, "html.parser")

    def preview_folder(self) -> Path:
        """The private folder the preview is built into (the only preview-* in the site's cache)."""
        [folder] = self.site.glob(".cache/linkblog/preview-*")
        return folder

    def stop(self, number: signal.Signals = signal.SIGINT) -> int:
        self.process.send_signal(number)
        code = waited(self.process, self.out, self.err, 15)
        self.out.wait_for("^Stopped", timeout=5) if code == 0 else None
        return code


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Serve]]:
    """Start `linkblog serve` on a site; every one started is stopped after the test."""
    started: list[Serve] = []

    def start(site: Path, *args: str, env: dict[str, str] | None = None) -> Serve:
        started.append(Serve(site, tmp_path / f"temp{len(started)}", *args, env=env))
        return started[-1]
    yield start
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=10)


class Events:
    """A page's connection to the events endpoint, read over a raw socket by a thread."""

    def __init__(self, port: int | None, path: str = "/__linkblog/events"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
        self.file = self.sock.makefile("rb")
        self.events: queue.Queue[dict] = queue.Queue()
        assert self.block()[0].startswith("HTTP/1.1 200")
        assert self.block() == ["retry: 500"]  # the stream is ready: the next build will be told
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def block(self) -> list[str]:
        lines: list[str] = []
        while (line := self.file.readline().decode()) and (line.strip() or not lines):
            if line.strip():
                lines.append(line.strip())
        return lines

    def read(self) -> None:
        try:
            while block := self.block():
                fields = dict(line.split(": ", 1) for line in block if not line.startswith(":"))
                if fields.get("event") == "build":
                    self.events.put(json.loads(fields["data"]))
        except OSError:
            return

    def until(self, wanted: Callable[[dict], bool], timeout: float = 30) -> dict:
        """The first build event that is wanted, waiting for it; the others are skipped."""
        deadline, seen = time.monotonic() + timeout, []
        while (left := deadline - time.monotonic()) > 0:
            try:
                seen.append(self.events.get(timeout=left))
            except queue.Empty:
                break
            if wanted(seen[-1]):
                return seen[-1]
        raise AssertionError(f"no such build event; saw {seen}")

    def close(self) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)
        self.thread.join(timeout=10)
        self.file.close()
        self.sock.close()


def naming(url: str) -> Callable[[dict], bool]:
    return lambda event: url in event["pages"]


def injected(soup: BeautifulSoup) -> dict:
    [script] = soup.find_all("script", attrs={"data-linkblog": True})
    return json.loads(script["data-linkblog"])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The five-post site of conftest, at https://example.org/notes/, with static files of its own."""
    return make_site(tmp_path / "site", SAMPLE_POSTS, config=SUB_PATH, files=STATIC)


def test_pages_under_a_sub_path(serve: Callable[..., Serve], site: Path):
    server = serve(site, "--watch")
    assert server.url.endswith("/notes/")
    status, headers, _ = server.get("/")
    assert status in (301, 302, 307, 308) and headers["location"] == "/notes/"
    home = server.page("/notes/")
    assert home.find("a", href="/notes/2016/08/graceful-degradation/") is not None  # the newest, per_page 2
    assert all(a["href"].startswith(("/notes/", "http", "#")) for a in home.find_all("a", href=True))
    assert server.page(POST_URL).find("h1").get_text(strip=True) == "Work vs. Progress"
    status, headers, _ = server.get(POST_URL.rstrip("/"))
    assert status == 301 and headers["location"] == POST_URL
    assert server.page("/notes/2015/").find("h1").get_text(strip=True) == "Year: 2015"


@pytest.mark.parametrize(("path", "kind"), [
    ("/notes/style.css", "text/css"), ("/notes/feed.xml", "xml"), ("/notes/atom.xml", "xml"),
    ("/notes/sitemap.xml", "xml"), ("/notes/feed.json", "json"), ("/notes/notes.txt", "text/plain"),
    ("/notes/robots.txt", "text/plain"), ("/notes/fonts/body.woff2", "font/woff2"),
    ("/notes/images/logo.png", "image/png"),
])
def test_content_types(serve: Callable[..., Serve], site: Path, path: str, kind: str):
    server = serve(site)
    status, headers, body = server.get(path)
    assert status == 200 and kind in headers["content-type"] and headers["cache-control"] == "no-store"
    assert int(headers["content-length"]) == len(body)
    head_status, head_headers, head_body = server.get(path, method="HEAD")
    assert (head_status, head_body, head_headers["content-length"]) == (200, b"", headers["content-length"])
    if path.endswith(("feed.xml", "atom.xml")):
        assert [e.title for e in feedparser.parse(body).entries][:2] == ["Graceful degradation", "Stop apologising"]
    static = STATIC.get("static/" + path.removeprefix("/notes/"))
    if static is not None:
        assert body == (static.encode() if isinstance(static, str) else static)


def test_missing_pages_get_the_404_page_with_status_404(serve: Callable[..., Serve], site: Path):
    server = serve(site)
    for path in ("/notes/no/such/page/", "/nowhere", "/notes/2015/06/work-vs-progress/nothing.html",
                 "/notes/style.css/", "/notes/tag//"):
        status, headers, body = server.get(path)
        assert status == 404 and headers["content-type"].startswith("text/html"), path
        assert headers["cache-control"] == "no-store"
        assert injected(BeautifulSoup(body, "html.parser"))["problems"] == []
        assert injected(BeautifulSoup(body, "html.parser"))["shows"] == "/notes/404.html"
    assert server.get("/notes/no/such/page/", method="HEAD")[2] == b""


def test_pages_at_the_root(serve: Callable[..., Serve], tmp_path: Path):
    site = make_site(tmp_path / "site", SAMPLE_POSTS)
    server = serve(site)
    assert server.url.endswith(":" + str(server.port) + "/")
    home = server.page("/")
    assert home.find("a", href="/2016/08/graceful-degradation/") is not None
    assert server.page("/2015/06/work-vs-progress/").find("h1").get_text(strip=True) == "Work vs. Progress"
    assert server.get("/notes/")[0] == 404


def test_the_script_is_served_but_never_written(serve: Callable[..., Serve], site: Path):
    server = serve(site)
    script = injected(server.page(POST_URL))
    assert script["problems"] == [] and re.fullmatch(r"/__linkblog/events\?since=\d+", script["events"])
    built = server.preview_folder().rglob("*.html")
    assert all(b"data-linkblog" not in page.read_bytes() for page in built)


def test_a_page_of_a_server_since_restarted_reloads_when_it_reconnects(serve: Callable[..., Serve], site: Path):
    first = serve(site, "--watch")
    events = injected(first.page(POST_URL))["events"]  # what the page asks when it reconnects
    assert first.stop() == 0
    second = serve(site, "--watch")
    reconnected = Events(second.port, events)
    assert reconnected.until(lambda event: event["everything"], timeout=10)
    reconnected.close()


def test_editing_a_post_serves_the_new_text_and_tells_the_pages_it_changed(serve: Callable[..., Serve],
                                                                           site: Path):
    server = serve(site, "--watch")
    events = Events(server.port)
    edit(site / POST, "My note.", "My edited note.")
    event = events.until(naming(POST_URL))
    assert UNRELATED_URL not in event["pages"] and event["problems"] == [] and event["styles"] == []
    assert "My edited note." in server.page(POST_URL).get_text()
    assert "My edited note." in server.page("/notes/2015/06/").get_text()
    line = server.out.wait_for(rf"^{POST}: (\d+) pages? rendered \((\d+) changed\) in \d+ ms$")
    assert 0 < int(line[2]) <= int(line[1])
    events.close()


def test_a_site_moved_while_served_is_never_built_where_it_was(serve: Callable[..., Serve], site: Path):
    server = serve(site, "--watch")
    moved = site.with_name("moved")
    site.rename(moved)
    edit(moved / POST, "My note.", "My edited note.")
    server.err.wait_for("moved or removed while the preview ran")
    # its preview folder went with it: what is served now is no last good build
    assert "preview shows what is wrong" in server.out.wait_for("build failed").string
    assert not site.exists()  # no folder of it made again at its old place
    assert server.stop() == 0
    assert not site.exists()


def test_what_a_save_leaves_out_is_said_and_warnings_are_not_said_again(serve: Callable[..., Serve], site: Path):
    for day in ("10", "11"):  # two posts linking one article: a warning
        (site / "posts" / f"2016-11-{day}-same-{day}.md").write_text(post_text(f"Same {day}", f"2016-11-{day} 10:00",
                                                                          link="https://example.com/same/"))
    server = serve(site, "--watch", "--no-drafts")
    server.err.wait_for("same-11.md: warning: ")
    (site / "posts" / "2016-12-02-shouting.txt").write_text(post_text("Shouting", "2016-12-02 10:00", tags="[x]"))
    server.out.wait_for(r"^1 file in posts/ left out, not \.md or \.markdown: posts/2016-12-02-shouting\.txt$")
    (site / "posts" / "2016-12-01-a-draft.md").write_text(DRAFT)
    server.out.wait_for(r"^1 post left out: 1 draft \(use --drafts\)$")
    edit(site / POST, "My note.", "My edited note.")
    server.out.wait_for(rf"^{POST}: \d+ pages? rendered")
    assert len([line for line in server.err.lines if "same-11.md: warning: " in line]) == 1
    assert len([line for line in server.out.lines if line.startswith("1 post left out")]) == 1
    assert server.stop() == 0


def test_a_post_saved_with_a_capital_suffix_is_previewed(serve: Callable[..., Serve], site: Path):
    server = serve(site, "--watch")
    (site / "posts" / "2016-12-02-shouting.MD").write_text(post_text("Shouting", "2016-12-02 10:00"))
    server.out.wait_for(r"^posts/2016-12-02-shouting\.MD: \d+ pages? rendered")
    assert "Shouting" in server.page("/notes/2016/12/shouting/").get_text()
    assert server.stop() == 0


def test_a_new_url_in_the_config_moves_the_preview_with_its_links(serve: Callable[..., Serve], site: Path):
    server = serve(site, "--watch")
    events = Events(server.port)
    edit(site / "config.yaml", "url: https://example.org/notes/", "url: https://example.org/blog/")
    assert events.until(lambda event: event["everything"])  # every open page reloads
    events.close()
    line = server.out.wait_for(r"^Serving (http://\S+) \(the url in the config changed\)$")
    assert line[1].endswith("/blog/")
    home = server.page("/blog/")
    assert home.find("a", href="/blog/2016/08/graceful-degradation/") is not None
    assert server.get("/blog/style.css")[0] == 200
    status, headers, _ = server.get("/notes/2015/")  # a tab still open at the old address is sent on
    assert status == 302 and headers["location"] == "/blog/2015/"


def test_adding_and_deleting_a_post(serve: Callable[..., Serve], site: Path):
    server = serve(site, "--watch")
    events = Events(server.port)
    new = site / "posts" / "2017-03-01-a-new-one.md"
    new.write_text(post_text("A new one", "2017-03-01 08:00", "Brand new words.", tags="[fresh]"))
    event = events.until(naming("/notes/2017/03/a-new-one/"))
    assert "/notes/" in event["pages"] and "/notes/tag/fresh/" in event["pages"]
    assert "Brand new words." in server.page("/notes/2017/03/a-new-one/").get_text()
    assert server.page("/notes/").find("a", href="/notes/2017/03/a-new-one/") is not None
    new.unlink()
    events.until(naming("/notes/2017/03/a-new-one/"))
    assert server.get("/notes/2017/03/a-new-one/")[0] == 404
    assert server.get("/notes/tag/fresh/")[0] == 404
    assert server.page("/notes/").find("a", href="/notes/2017/03/a-new-one/") is None
    events.close()


def test_changing_a_template_rerenders_the_pages_that_use_it(serve: Callable[..., Serve], tmp_path: Path):
    theme_post = (Path(__file__).parents[1] / "templates" / "post.html").read_text(encoding="utf-8")
    site = make_site(tmp_path / "site", SAMPLE_POSTS, config=SUB_PATH,
                     files={"templates/post.html": theme_post})
    server = serve(site, "--watch")
    events = Events(server.port)
    edit(site / "templates" / "post.html", '{{ entry(page.post, "h1") }}',
         '{{ entry(page.post, "h1") }}<p class="edited">Edited template</p>')
    event = events.until(naming(POST_URL))
    assert UNRELATED_URL in event["pages"]  # every post page uses it
    assert "/notes/" not in event["pages"] and "/notes/feed.xml" not in event["pages"]  # lists do not
    assert server.page(POST_URL).find("p", class_="edited").get_text() == "Edited template"
    assert server.page("/notes/").find("p", class_="edited") is None
    events.close()


def test_changing_a_stylesheet_swaps_it_without_naming_a_page(serve: Callable[..., Serve], site: Path):
    server = serve(site, "--watch")
    events = Events(server.port)
    (site / "static" / "style.css").write_text("body { color: rgb(4, 5, 6) }\n")
    event = events.until(lambda e: e["styles"])
    assert event == {"pages": [], "styles": ["/notes/style.css"], "everything": False, "problems": []}
    assert server.get("/notes/style.css")[2] == b"body { color: rgb(4, 5, 6) }\n"
    events.close()


def test_a_broken_post_keeps_the_server_up_and_shows_the_problem_until_fixed(serve: Callable[..., Serve],
                                                                             site: Path):
    server = serve(site, "--watch")
    events = Events(server.port)
    good = (site / POST).read_text(encoding="utf-8")
    (site / POST).write_text(good.replace("tags: [management, work]", "tags: [management, work"))
    event = events.until(lambda e: e["problems"])
    [problem] = event["problems"]
    assert re.fullmatch(rf"{POST}:4: .+", problem)
    assert event["pages"] == []
    assert problem in server.err.wait_for("^" + re.escape(problem) + "$")[0]
    page = server.page(POST_URL)  # the last good page, with the problem to show over it
    assert page.find("h1").get_text(strip=True) == "Work vs. Progress"
    assert injected(page)["problems"] == [problem]
    assert injected(server.page("/notes/no/such/", status=404))["problems"] == [problem]

    (site / POST).write_text(good.replace("My note.", "My fixed note."))
    event = events.until(lambda e: not e["problems"])
    assert POST_URL in event["pages"]
    page = server.page(POST_URL)
    assert "My fixed note." in page.get_text() and injected(page)["problems"] == []
    assert server.process.poll() is None
    events.close()


def test_problems_are_escaped_in_the_page(serve: Callable[..., Serve], site: Path):
    server = serve(site, "--watch")
    events = Events(server.port)
    name = 'posts/<img src=x onerror=alert(1)>&"q".md'
    (site / name).write_text("---\ntitle: [broken\n---\nWords.\n")
    [problem] = events.until(lambda e: e["problems"])["problems"]
    assert problem.startswith(name + ":2: ")
    page = server.page(POST_URL)
    assert injected(page)["problems"] == [problem]
    assert page.find("img") is None and len(page.find_all("script")) == 1
    events.close()


def traversals(secret: Path) -> list[str]:
    return ["/notes/../secret.txt", "/notes/../../secret.txt", "/notes/%2e%2e/secret.txt",
            "/notes/%2e%2e/%2e%2e/secret.txt", "/notes/%252e%252e/secret.txt", "/notes/..%2fsecret.txt",
            "/notes/%2e%2e%2f%2e%2e%2fsecret.txt", "/notes/%252e%252e%252fsecret.txt",
            "/notes/..\\secret.txt", "/notes/..%5c..%5csecret.txt", f"/notes/{secret}", f"/notes//{secret}",
            "/notes/%2f" + str(secret).lstrip("/").replace("/", "%2f"), "/notes/index.html%00.txt",
            "/notes/%00../secret.txt", "/notes/out/secret.txt", "/notes/leak.txt", "/../secret.txt", str(secret)]


def raw_get(port: int | None, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode("latin-1"))
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return reply


def test_no_traversal_form_serves_a_file_outside_the_preview(serve: Callable[..., Serve], site: Path):
    server = serve(site)
    preview = server.preview_folder()
    [built] = {p.parent for p in preview.rglob(".nojekyll")}
    for place in (site, site.parent, preview, built.parent, server.temp):
        (place / "secret.txt").write_bytes(b"TOP SECRET")
    (built / "out").symlink_to(server.temp, target_is_directory=True)
    (built / "leak.txt").symlink_to(server.temp / "secret.txt")
    for path in traversals(server.temp / "secret.txt"):
        reply = raw_get(server.port, path)
        assert reply.split(b" ", 2)[1] in (b"400", b"404"), path
        assert b"TOP SECRET" not in reply, path


def test_sigint_stops_it_even_when_the_shell_that_started_it_left_sigint_ignored(site: Path, tmp_path: Path):
    # A non-interactive shell starts a background job (`linkblog serve &`) with SIGINT ignored.
    server = Serve(site, tmp_path / "temp", "--watch", preexec=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        assert server.stop(signal.SIGINT) == 0
    finally:
        if server.process.poll() is None:
            server.process.kill()


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_it_cleanly_and_the_output_folder_is_never_touched(serve: Callable[..., Serve],
                                                                          site: Path, number: signal.Signals):
    (site / "posts" / "2016-12-01-a-draft.md").write_text(DRAFT)
    assert run_cli(site, "build").code == 0
    before = tree_bytes(site / "build")
    server = serve(site, "--watch")
    assert "Draft words." in server.page("/notes/2016/12/a-draft/").get_text()
    events = Events(server.port)  # a page left open must not hold the server up
    edit(site / POST, "My note.", "My edited note.")
    events.until(naming(POST_URL))
    assert server.stop(number) == 0
    assert "Traceback" not in server.err.text() + server.out.text()
    assert list(server.temp.iterdir()) == []
    assert list(site.glob(".cache/linkblog/preview-*")) == []
    assert tree_bytes(site / "build") == before
    events.close()


def test_a_stop_during_a_long_rebuild_ends_it_and_removes_the_preview(serve: Callable[..., Serve], site: Path):
    for day in range(1, 29):
        (site / "posts" / f"2017-02-{day:02d}-day-{day}.md").write_text(post_text(f"Day {day}", f"2017-02-{day:02d}"))
    server = serve(site, "--watch", "--jobs", "1")
    assert "build failed" not in server.out.text()
    theme = Path(__file__).parents[1] / "templates" / "post.html"
    # Each post page now takes a good part of a second: a rebuild of them all, far longer than any stop may.
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / "post.html").write_text(theme.read_text() + "{% for i in range(40000000) %}{% endfor %}\n")
    server.out.wait_for("^built: ")
    time.sleep(1.5)  # the rebuild is under way
    asked = time.monotonic()
    assert server.stop() == 0
    assert time.monotonic() - asked < 8  # a page or two more, not the rest of the build (nor a 10 s wait)
    assert list(site.glob(".cache/linkblog/preview-*")) == []
    assert "Traceback" not in server.err.text()


def started_and_interrupted(site: Path, temp: Path, started: Callable[[str], bool]) -> tuple[int, str, str]:
    """`linkblog serve --watch`, sent SIGINT as soon as `started` says so of a line of its -X importtime
    output (each import it finished) or of "" (every few ms): its exit code, stdout and stderr."""
    temp.mkdir()
    # Ctrl-C in a terminal: a test run started in the background (SIGINT ignored) must not hand that on.
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(
            [sys.executable, "-X", "importtime", "-m", "linkblog", "serve", "--watch", "--port", "0"], cwd=site,
            text=True, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, "TMPDIR": str(temp), "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"})
    finally:
        signal.signal(signal.SIGINT, handler)
    out, err = Lines(process.stdout), Lines(process.stderr)
    try:
        deadline = time.monotonic() + 60
        while not (any(map(started, err.lines)) or started("")) and time.monotonic() < deadline:
            time.sleep(0.002)
        process.send_signal(signal.SIGINT)
        code = waited(process, out, err, 30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    time.sleep(0.2)  # the reading threads reach the end of both streams
    return code, out.text(), "\n".join(line for line in err.lines if not line.startswith("import time:"))


@pytest.mark.parametrize("moment", ["importing", "building"])
def test_a_ctrl_c_during_start_up_stops_it_quietly(site: Path, tmp_path: Path, moment: str):
    def started(line: str) -> bool:
        if moment == "importing":  # linkblog.cli imported: main() runs, and imports what serve needs
            return line.startswith("import time:") and line.rsplit("|", 1)[-1].strip() == "linkblog.cli"
        return any(site.glob(".cache/linkblog/preview-*"))  # the session is starting: its first build to do
    code, out, err = started_and_interrupted(site, tmp_path / "temp", started)
    assert "Serving" not in out  # it was stopped before it served
    assert code in (0, 130), err
    assert "Traceback" not in err and "Traceback" not in out, err
    assert list(site.glob(".cache/linkblog/preview-*")) == []
    assert list((tmp_path / "temp").iterdir()) == []


@pytest.mark.parametrize("signals", [[signal.SIGINT, signal.SIGINT], [signal.SIGTERM]],
                         ids=["a-second-ctrl-c", "one-sigterm-in-a-few-seconds"])
def test_a_first_build_stuck_in_a_template_is_stopped(site: Path, tmp_path: Path, signals: list[signal.Signals]):
    theme = Path(__file__).parents[1] / "templates" / "post.html"
    (site / "templates").mkdir(exist_ok=True)
    endless = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n"  # the sandbox's most
    (site / "templates" / "post.html").write_text(theme.read_text() + endless)
    temp = tmp_path / "temp"
    temp.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "linkblog", "serve", "--watch", "--port", "0"], cwd=site, text=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(temp), "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"})
    out, err = Lines(process.stdout), Lines(process.stderr)
    try:
        deadline = time.monotonic() + 60
        while not any(site.glob(".cache/linkblog/preview-*")) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(2)  # in the post template, which never ends: the first signal waits for a page that never comes
        for number in signals:
            process.send_signal(number)
            time.sleep(0.5)
        assert waited(process, out, err, 30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    time.sleep(0.2)  # the reading threads reach the end of both streams
    assert "Traceback" not in err.text() and "Serving" not in out.text()
    assert out.text().rstrip().endswith("Stopped.")
    assert list(site.glob(".cache/linkblog/preview-*")) == []
    assert list(temp.iterdir()) == []


def test_more_signals_while_it_stops_and_after_it_stopped_change_nothing(serve: Callable[..., Serve], site: Path):
    server = serve(site, "--watch")
    server.process.send_signal(signal.SIGINT)
    time.sleep(0.25)  # stopping: the server shuts down
    server.process.send_signal(signal.SIGINT)
    server.out.wait_for("^Stopped", timeout=15)
    server.process.send_signal(signal.SIGTERM)  # while the interpreter ends
    assert waited(server.process, server.out, server.err, 15) == 0
    time.sleep(0.2)
    assert "interrupted" not in server.err.text() and "Traceback" not in server.err.text()
    assert list(site.glob(".cache/linkblog/preview-*")) == []
    assert list(server.temp.iterdir()) == []


def test_without_a_build_the_preview_never_creates_the_output_folder(serve: Callable[..., Serve], site: Path):
    server = serve(site, "--watch")
    events = Events(server.port)
    edit(site / POST, "My note.", "My edited note.")
    events.until(naming(POST_URL))
    assert server.stop(signal.SIGTERM) == 0
    assert not (site / "build").exists()
    events.close()


def test_the_preview_lives_in_the_cache_and_leaves_only_the_cache_behind(serve: Callable[..., Serve],
                                                                          site: Path):
    assert run_cli(site, "build").code == 0
    built, before = tree_bytes(site / "build"), set(site.rglob("*"))
    server = serve(site, "--watch")
    preview = server.preview_folder()
    assert preview.parent == site / ".cache" / "linkblog"
    assert (preview / "site" / "index.html").is_file()
    events = Events(server.port)
    for word in ("first", "second"):  # each save is one rebuild: the preview's own writes start none
        edit(site / POST, "My note.", f"My {word} note.")
        events.until(naming(POST_URL))
        edit(site / POST, f"My {word} note.", "My note.")
        events.until(naming(POST_URL))
    assert server.stop() == 0
    events.close()
    rebuilds = [line for line in server.out.lines if line.startswith(f"{POST}: ")]
    assert len(rebuilds) == 4, server.out.text()
    left = set(site.rglob("*")) - before
    assert all(path.is_relative_to(site / ".cache") for path in left), left
    assert list(site.glob(".cache/linkblog/preview-*")) == []
    assert tree_bytes(site / "build") == built


def test_a_preview_folder_left_by_a_killed_server_is_removed_at_the_next_start(serve: Callable[..., Serve],
                                                                               site: Path):
    import fcntl

    cache = site / ".cache" / "linkblog"
    killed = serve(site)
    left = killed.preview_folder()
    killed.process.kill()  # no chance to clean up
    killed.process.wait(timeout=10)
    unlocked = make_site(cache / "preview-unlocked", files={"site/index.html": "old", ".lock": ""})
    live = make_site(cache / "preview-live", files={"site/index.html": "in use", ".lock": ""})
    with (live / ".lock").open("a") as lock:  # as another server previewing the same site holds it
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        server = serve(site)
        [own] = set(cache.glob("preview-*")) - {live}
        assert (own / "site" / "index.html").is_file() and not left.exists() and not unlocked.exists()
        assert server.stop() == 0
    assert set(cache.glob("preview-*")) == {live}


def test_open_opens_the_printed_url_in_the_browser(serve: Callable[..., Serve], site: Path, tmp_path: Path):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "record-url"  # webbrowser runs $BROWSER with the URL as its last argument
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" > "{opened}.part" && mv "{opened}.part" "{opened}"\n')
    browser.chmod(0o755)
    server = serve(site, "--open", env={"BROWSER": str(browser)})
    deadline = time.monotonic() + 30
    while not opened.exists() and time.monotonic() < deadline:  # the server opens it after printing the URL
        time.sleep(0.05)
    assert opened.read_text() == server.url + "\n"
    assert server.stop() == 0


def test_a_port_in_use_is_one_line_naming_it(site: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = run_cli(site, "serve", "--port", str(port), timeout=60)
    assert run.code == 1
    [line] = run.err.strip().splitlines()
    assert str(port) in line and "Traceback" not in run.err


def test_listening_beyond_this_machine_warns(serve: Callable[..., Serve], site: Path):
    server = serve(site, "--host", "0.0.0.0")
    warning = server.err.wait_for("^warning: .*")[0]
    assert "network" in warning and "drafts" in warning
    assert server.stop() == 0
    published_only = serve(site, "--host", "0.0.0.0", "--no-drafts", "--no-future")
    warning = published_only.err.wait_for("^warning: .*")[0]
    assert "network" in warning and "drafts" not in warning and "future" not in warning
    assert published_only.stop() == 0


def test_drafts_are_shown_unless_told_not_to(serve: Callable[..., Serve], site: Path):
    (site / "posts" / "2016-12-01-a-draft.md").write_text(DRAFT)
    (site / "posts" / "2999-01-01-later.md").write_text(post_text("Later", "2999-01-01 08:00", "Not yet."))
    server = serve(site)
    draft, later = server.page("/notes/2016/12/a-draft/"), server.page("/notes/2999/01/later/")
    assert "Draft words." in draft.get_text() and "Not yet." in later.get_text()
    assert [m.get_text() for m in draft.select(".mark")] == ["draft"]  # visibly not published
    assert [m.get_text() for m in later.select(".mark")] == ["scheduled"]
    home = server.page("/notes/").select("article.h-entry")
    assert [m.get_text() for m in home[0].select(".mark")] == ["scheduled"]
    hidden = serve(site, "--no-drafts")
    assert hidden.get("/notes/2016/12/a-draft/")[0] == 404
    assert "Not yet." in hidden.page("/notes/2999/01/later/").get_text()


def test_search_works_in_the_preview_and_the_index_follows_an_edit_telling_only_the_search_page(
        serve: Callable[..., Serve], tmp_path: Path):
    site = make_site(tmp_path / "site", SAMPLE_POSTS, config=SUB_PATH + "search: true\n")
    server = serve(site, "--watch")
    assert server.page("/notes/search/").find("script", src="/notes/pagefind/pagefind-ui.js") is not None
    status, headers, _ = server.get("/notes/pagefind/pagefind-ui.js")
    assert status == 200 and "javascript" in headers["content-type"]
    events = Events(server.port)
    edit(site / POST, "My note.", "My note from Zanzibar.")
    event = events.until(naming(POST_URL))  # told before the site is indexed again
    assert "/notes/search/" not in event["pages"]
    event = events.until(naming("/notes/search/"))
    assert event["pages"] == ["/notes/search/"] and not event["everything"]  # no other open page reloads
    assert event["problems"] == [] and events.events.empty()
    fragments = (server.preview_folder() / "site" / "pagefind" / "fragment").glob("*.pf_fragment")
    assert any(b"Zanzibar" in gzip.decompress(path.read_bytes()) for path in fragments)
    assert server.get("/notes/pagefind/pagefind-entry.json")[0] == 200
    assert [p.name for p in server.preview_folder().iterdir() if p.name.startswith(".")] == [".lock"]
    # The index put in place is the preview's own doing: the next save still rebuilds only what it touches.
    edit(site / POST, "My note from Zanzibar.", "My note from Zanzibar, again.")
    event = events.until(naming(POST_URL))
    assert not event["everything"] and UNRELATED_URL not in event["pages"], event
    events.close()

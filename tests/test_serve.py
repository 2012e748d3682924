"""serve.py: safe paths, the injected script, what a build tells open pages, and the handler itself."""

from __future__ import annotations

import http.client
import json
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from linkblog.problems import Problem
from linkblog.serve import Build, Preview, PreviewServer, build_of, inject, reload_script, resolve

SECRET = b"the secret outside the site"
FILES = {
    "index.html": b"<!DOCTYPE html><html><body><p>Home</p></body></html>",
    "404.html": b"<!DOCTYPE html><html><body><p>No such page</p></body></html>",
    "2015/06/a-post/index.html": b"<!DOCTYPE html><html><body><p>A post</p></body></html>",
    "style.css": b"body { color: red }",
    "feed.xml": b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>",
    "atom.xml": b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'/>",
    "feed.json": b'{"version": "https://jsonfeed.org/version/1.1"}',
    "robots.txt": b"User-agent: *\n",
    "fonts/body.woff2": b"wOF2\x00binary",
    "images/logo.png": b"\x89PNG\r\n\x1a\n\x00binary",
    "favicon.ico": b"\x00\x00\x01\x00",
}
TRAVERSALS = [
    "/notes/../secret.txt",
    "/notes/%2e%2e/secret.txt",
    "/notes/%2E%2E/secret.txt",
    "/notes/.%2e/secret.txt",
    "/notes/%252e%252e/secret.txt",
    "/notes/..%2fsecret.txt",
    "/notes/%2e%2e%2fsecret.txt",
    "/notes/%252e%252e%252fsecret.txt",
    "/notes/..\\secret.txt",
    "/notes/..%5csecret.txt",
    "/notes/%5c..%5csecret.txt",
    "/notes//SECRET",
    "/notes/%2fSECRET",
    "/notes/index.html%00",
    "/notes/%00/../secret.txt",
    "/notes/out/secret.txt",
    "/notes/leak.txt",
]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A built site's folder (written by hand: serving never renders), a secret beside it, links out."""
    site = tmp_path / "site"
    for rel, data in FILES.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (site / "out").symlink_to(tmp_path, target_is_directory=True)
    (site / "leak.txt").symlink_to(tmp_path / "secret.txt")
    return site


def served(root: Path, request_path: str) -> bytes | None:
    """The bytes the handler would answer with for this path, if any file."""
    target = resolve(root, "/notes/", request_path.replace("SECRET", str(root.parent / "secret.txt")))
    if target is not None and target.is_dir():
        target = target / "index.html"
    return target.read_bytes() if target is not None and target.is_file() else None


def test_resolve_finds_files_and_folders_under_the_base_path(root: Path):
    assert resolve(root, "/notes/", "/notes/") == root.resolve()
    assert resolve(root, "/notes/", "/notes/style.css") == (root / "style.css").resolve()
    assert resolve(root, "/notes/", "/notes/2015/06/a-post") == (root / "2015/06/a-post").resolve()
    assert resolve(root, "/", "/2015/06/a-post/") == (root / "2015/06/a-post").resolve()
    assert resolve(root, "/notes/", "/other/style.css") is None
    assert resolve(root, "/notes/", "/style.css") is None


def test_resolve_finds_nothing_where_github_pages_serves_nothing(root: Path):
    assert resolve(root, "/notes/", "/notes/style.css/") is None  # a file asked for as a folder
    assert resolve(root, "/notes/", "/notes/2015//06/a-post/") is None  # an empty part
    assert resolve(root, "/notes/", "/notes/2015/06/a-post/") == (root / "2015/06/a-post").resolve()


def test_resolve_decodes_percent_escapes_once(root: Path):
    (root / "tag" / "café").mkdir(parents=True)
    assert resolve(root, "/notes/", "/notes/tag/caf%C3%A9/") == (root / "tag" / "café").resolve()
    assert resolve(root, "/notes/", "/notes/%252e%252e/") in (None, (root / "%2e%2e").resolve())


@pytest.mark.parametrize("request_path", TRAVERSALS)
def test_no_traversal_form_reaches_a_file_outside(root: Path, request_path: str):
    assert served(root, request_path) is None
    target = resolve(root, "/notes/", request_path)
    assert target is None or target.is_relative_to(root.resolve())


def test_a_symlink_inside_pointing_inside_is_followed(root: Path):
    (root / "same.css").symlink_to(root / "style.css")
    assert served(root, "/notes/same.css") == FILES["style.css"]


def test_inject_puts_the_script_before_the_last_closing_body():
    html = b"<html><body><pre>&lt;/body&gt;</pre></BODY>\n</html>"
    expected = b"<html><body><pre>&lt;/body&gt;</pre><script>x</script></BODY>\n</html>"
    assert inject(html, b"<script>x</script>") == expected
    assert inject(b"<p>no body", b"<script>x</script>") == b"<p>no body<script>x</script>"


def test_the_script_carries_the_problems_escaped_and_the_build_the_page_shows():
    problems = ['posts/x.md:3: bad "quote" </script><b>bold</b> & more', "templates/t.html: <!--"]
    page = inject(b"<!DOCTYPE html><html><body><p>Page</p></body></html>", reload_script(Build(7, problems=problems)))
    soup = BeautifulSoup(page, "html.parser")
    scripts = soup.find_all("script")
    assert len(scripts) == 1
    assert json.loads(scripts[0]["data-linkblog"]) == {"events": "/__linkblog/events?since=7", "problems": problems,
                                                       "built": True}
    assert soup.find("b") is None
    assert [p.get_text() for p in soup.find_all("p")] == ["Page"]


def test_the_404_page_says_it_is_the_404_page_so_that_a_change_to_it_reloads_it():
    page = inject(b"<body></body>", reload_script(Build(7), shows="/notes/404.html"))
    config = json.loads(BeautifulSoup(page, "html.parser").script["data-linkblog"])
    assert config["shows"] == "/notes/404.html"
    assert "/notes/404.html" in build_of(8, "/notes/", ["404.html"], [], []).pages


def test_build_of_names_changed_pages_and_stylesheets_under_the_base_path():
    written = ["2015/06/a-post/index.html", "index.html", "feed.xml", "style.css", "tag/café/index.html"]
    build = build_of(3, "/notes/", written, ["2015/06/gone/index.html"], [])
    assert build.version == 3
    assert sorted(build.pages) == ["/notes/", "/notes/2015/06/a-post/", "/notes/2015/06/gone/",
                                   "/notes/feed.xml", "/notes/tag/café/"]
    assert build.styles == ["/notes/style.css"]
    assert not build.everything and build.problems == []


def test_build_of_at_the_root_and_for_other_files():
    build = build_of(1, "/", ["index.html", "archive/index.html", "images/logo.png"], [], [])
    assert sorted(build.pages) == ["/", "/archive/"]
    assert build.everything


def test_build_of_a_failed_build_lists_its_errors_not_its_warnings():
    problems = [Problem("posts/x.md", "front matter is not valid YAML", 3),
                Problem("posts/y.md", "odd tag", warning=True)]
    build = build_of(2, "/", [], [], problems)
    assert build.problems == ["posts/x.md:3: front matter is not valid YAML"]
    assert json.loads(build.message()) == {"pages": [], "styles": [], "everything": False,
                                           "problems": ["posts/x.md:3: front matter is not valid YAML"]}


# The handler, through a real server on a free loopback port.

class Served(PreviewServer):
    """The preview server, telling the test when it is done with each connection."""

    def __init__(self, root: Path):
        super().__init__(("127.0.0.1", 0), Preview(root, "/notes/"))
        self.port = self.server_address[1]
        self.closed = threading.Semaphore(0)

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        super().shutdown_request(request)
        self.closed.release()


@pytest.fixture
def preview(root: Path) -> Iterator[Served]:
    server = Served(root)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.stop()
    thread.join(timeout=5)


def fetch(port: int, path: str, method: str = "GET",
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def raw_status(port: int, path: str) -> int:
    """The status for a request line sent as it is, unnormalised by any client library."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode("latin-1"))
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert SECRET not in reply
    return int(reply.split(b" ", 2)[1])


@pytest.mark.parametrize(("path", "kind"), [
    ("/notes/", "text/html"), ("/notes/style.css", "text/css"), ("/notes/feed.xml", "xml"),
    ("/notes/atom.xml", "xml"), ("/notes/feed.json", "application/json"), ("/notes/robots.txt", "text/plain"),
    ("/notes/fonts/body.woff2", "font/woff2"), ("/notes/images/logo.png", "image/png"),
    ("/notes/favicon.ico", "image/"),
])
def test_content_types_and_no_store(preview: Served, path: str, kind: str):
    status, headers, body = fetch(preview.port, path)
    assert status == 200
    assert kind in headers["content-type"]
    assert headers["cache-control"] == "no-store"
    assert int(headers["content-length"]) == len(body)
    if kind != "text/html":
        assert body == FILES[path.removeprefix("/notes/")]


def test_html_gets_the_script_and_files_on_disk_do_not(preview: Served, root: Path):
    _, _, body = fetch(preview.port, "/notes/2015/06/a-post/")
    soup = BeautifulSoup(body, "html.parser")
    assert soup.find("p").get_text() == "A post"
    assert soup.find("script", attrs={"data-linkblog": True}) is not None
    assert (root / "2015/06/a-post/index.html").read_bytes() == FILES["2015/06/a-post/index.html"]


def test_a_page_read_as_a_build_lands_tells_the_build_before_so_it_reloads(preview: Served,
                                                                          monkeypatch: pytest.MonkeyPatch):
    read = Path.read_bytes

    def landing(path: Path) -> bytes:
        data = read(path)
        preview.preview.broadcast.publish(Build(3))  # a rebuild done just after the old page was read
        return data

    monkeypatch.setattr(Path, "read_bytes", landing)
    _, _, body = fetch(preview.port, "/notes/2015/06/a-post/")
    script = BeautifulSoup(body, "html.parser").find("script", attrs={"data-linkblog": True})
    assert json.loads(script["data-linkblog"])["events"].endswith("?since=0")


def test_root_redirects_to_the_base_path_and_folders_get_their_slash(preview: Served):
    status, headers, _ = fetch(preview.port, "/")
    assert status in (301, 302, 307, 308) and headers["location"] == "/notes/"
    status, headers, _ = fetch(preview.port, "/notes/2015/06/a-post")
    assert status == 301 and headers["location"] == "/notes/2015/06/a-post/"
    status, headers, _ = fetch(preview.port, "/notes")
    assert status == 301 and headers["location"] == "/notes/"


def test_missing_pages_get_404_html_with_status_404(preview: Served):
    for path in ("/notes/no/such/page/", "/elsewhere/", "/notes/2015/06/"):
        status, headers, body = fetch(preview.port, path)
        assert status == 404, path
        assert headers["cache-control"] == "no-store"
        assert BeautifulSoup(body, "html.parser").find("p").get_text() == "No such page"


def test_head_sends_the_headers_of_get_without_a_body(preview: Served):
    for path in ("/notes/", "/notes/style.css", "/notes/missing/"):
        get_status, get_headers, get_body = fetch(preview.port, path)
        status, headers, body = fetch(preview.port, path, method="HEAD")
        assert (status, body) == (get_status, b"")
        assert headers["content-length"] == get_headers["content-length"] == str(len(get_body))
        assert headers["content-type"] == get_headers["content-type"]


@pytest.mark.parametrize("request_path", [*TRAVERSALS, "/notes/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                                          "/notes/../../../../etc/passwd", "//etc/passwd",
                                          "/notes/..%5c..%5c..%5cetc%5cpasswd", "/notes/%c0%ae%c0%ae/secret.txt"])
def test_the_handler_never_serves_a_file_outside(preview: Served, root: Path, request_path: str):
    path = request_path.replace("SECRET", str(root.parent / "secret.txt"))
    assert raw_status(preview.port, path) in (400, 404)


class EventReader:
    """A client of the events endpoint over a raw socket, reading one event at a time."""

    def __init__(self, port: int, last_id: str | None = None, since: int | None = None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        extra = f"Last-Event-ID: {last_id}\r\n" if last_id else ""
        query = f"?since={since}" if since is not None else ""
        self.sock.sendall(f"GET /__linkblog/events{query} HTTP/1.1\r\nHost: x\r\n{extra}\r\n".encode())
        self.file = self.sock.makefile("rb")
        head = self.block()
        assert head[0].startswith("HTTP/1.1 200") and "content-type: text/event-stream" in map(str.lower, head)
        assert self.block() == ["retry: 500"]  # sent once the stream has taken note of the latest build

    def block(self) -> list[str]:
        lines = []
        while (line := self.file.readline().decode().rstrip("\r\n")) or not lines:
            if line:
                lines.append(line)
        return lines

    def event(self) -> tuple[str, dict]:
        fields = dict(line.split(": ", 1) for line in self.block() if not line.startswith(":"))
        assert fields["event"] == "build"
        return fields["id"], json.loads(fields["data"])

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def test_events_tell_each_client_of_each_build(preview: Served):
    broadcast = preview.preview.broadcast
    readers = [EventReader(preview.port), EventReader(preview.port)]
    broadcast.publish(Build(1, pages=["/notes/2015/06/a-post/"]))
    broadcast.publish(Build(2, styles=["/notes/style.css"], problems=["posts/x.md:2: bad"]))
    for reader in readers:
        seen = [reader.event()]
        if seen[0][0] == "1":
            seen.append(reader.event())
        # Told of build 1 first, it learns what build 2 changed; told only of 2, that every page may have.
        told_of_each = len(seen) == 2
        assert seen[-1] == ("2", {"pages": [], "styles": ["/notes/style.css"] if told_of_each else [],
                                  "everything": not told_of_each, "problems": ["posts/x.md:2: bad"]})
        reader.close()


def test_a_page_told_of_a_build_after_one_it_missed_reloads_whatever_changed(preview: Served):
    broadcast = preview.preview.broadcast
    reader = EventReader(preview.port, since=0)
    broadcast.publish(Build(1, pages=["/notes/2015/06/a-post/"]))
    assert reader.event() == ("1", {"pages": ["/notes/2015/06/a-post/"], "styles": [], "everything": False,
                                    "problems": []})
    with broadcast.changed:  # two builds before the page's thread wakes: it sees only the second
        broadcast.latest = Build(2, pages=["/notes/"])
        broadcast.latest = Build(3, pages=["/notes/style.css"])
        broadcast.changed.notify_all()
    assert reader.event() == ("3", {"pages": [], "styles": [], "everything": True, "problems": []})
    reader.close()


def test_a_page_reconnecting_after_missed_builds_is_told_to_reload(preview: Served):
    broadcast = preview.preview.broadcast
    broadcast.publish(Build(4, pages=["/notes/"]))
    reader = EventReader(preview.port, last_id="2")
    assert reader.event() == ("4", {"pages": [], "styles": [], "everything": True, "problems": []})
    reader.close()


def test_a_page_whose_events_open_after_a_later_build_is_told_to_reload(preview: Served):
    """A save while the page loaded: its events open after the build it does not show, and say so at once."""
    broadcast = preview.preview.broadcast
    broadcast.publish(Build(3))
    status, _, page = fetch(preview.port, "/notes/")
    events = json.loads(BeautifulSoup(page, "html.parser").find("script")["data-linkblog"])["events"]
    assert status == 200 and events.endswith("?since=3")
    broadcast.publish(Build(4, pages=["/notes/2015/"]))
    stale = EventReader(preview.port, since=3)
    assert stale.event() == ("4", {"pages": [], "styles": [], "everything": True, "problems": []})
    current = EventReader(preview.port, since=4)  # one showing the latest build waits for the next
    broadcast.publish(Build(5, pages=["/notes/2015/"]))
    assert current.event() == ("5", {"pages": ["/notes/2015/"], "styles": [], "everything": False, "problems": []})
    stale.close()
    current.close()


def test_a_path_too_long_for_the_file_system_is_not_found(preview: Served, capsys: pytest.CaptureFixture[str]):
    for path in ("/notes/" + "a" * 300, "/notes/" + "a/" * 3000):
        assert fetch(preview.port, path)[0] == 404
    assert "Traceback" not in capsys.readouterr().err


def test_a_base_path_beyond_ascii_is_served_and_sent_to_encoded(root: Path):
    server = Served(root)
    server.preview.base_path = "/café/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert fetch(server.port, "/caf%C3%A9/style.css")[0] == 200
        status, headers, _ = fetch(server.port, "/")
        assert status == 302 and headers["location"] == "/caf%C3%A9/"
        status, headers, _ = fetch(server.port, "/caf%C3%A9/2015?x=1")
        assert status == 301 and headers["location"] == "/caf%C3%A9/2015/?x=1"
    finally:
        server.stop()
        thread.join(timeout=5)


def test_a_page_from_an_earlier_server_reconnecting_is_told_to_reload(preview: Served):
    reader = EventReader(preview.port, last_id="9")  # this server has had no build 9: it was restarted
    assert reader.event()[1]["everything"]
    reader.close()


def test_events_do_not_block_page_requests(preview: Served):
    readers = [EventReader(preview.port) for _ in range(8)]
    assert fetch(preview.port, "/notes/")[0] == 200
    for reader in readers:
        reader.close()


def test_a_client_that_goes_away_mid_answer_is_not_an_error(preview: Served, root: Path,
                                                           capsys: pytest.CaptureFixture[str]):
    (root / "big.bin").write_bytes(b"x" * 32_000_000)
    for request in (b"GET /notes/big.bin HTTP/1.1\r\nHost: x\r\n\r\n", b"GET /notes/"):
        with socket.create_connection(("127.0.0.1", preview.port), timeout=10) as sock:
            sock.sendall(request)
            if request.endswith(b"\n\n"):
                assert sock.recv(100).startswith(b"HTTP/1.1 200")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
        assert preview.closed.acquire(timeout=10)
    assert fetch(preview.port, "/notes/")[0] == 200
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(("former", "base", "asked", "sent_to"), [
    ("/notes/", "/blog/", "/notes/2015/", "/blog/2015/"),
    ("/notes/", "/", "/notes/2015/", "/2015/"),  # to the root: the old path is no page of the new site
    ("/", "/notes/", "/2015/", "/notes/2015/"),
])
def test_a_page_open_at_the_old_base_path_is_sent_to_the_new_one(preview: Served, former: str, base: str,
                                                                   asked: str, sent_to: str):
    preview.preview.former.append(former)
    preview.preview.base_path = base
    status, headers, _ = fetch(preview.port, asked)
    assert status == 302 and headers["location"] == sent_to


@pytest.mark.parametrize(("former", "base", "asked", "sent_to"), [
    (["/notes/", "/blog/", "/"], "/notes/", "/blog/2015/", "/notes/2015/"),  # the longest old base, not the last
    (["/notes/"], "/", "/notes//evil.example/x", "/evil.example/x"),  # a path on this site, never //host
    (["/notes/"], "/blog/", "/notes", "/blog/"),  # the old base without its slash
])
def test_old_base_paths_send_on_to_a_path_of_the_new_one(preview: Served, former: list[str], base: str,
                                                          asked: str, sent_to: str):
    preview.preview.former += former
    preview.preview.base_path = base
    status, headers, _ = fetch(preview.port, asked)
    assert status == 302 and headers["location"] == sent_to


def test_a_url_changed_back_serves_its_pages_again(preview: Served):
    preview.preview.former += ["/notes/", "/blog/"]  # /notes/ -> /blog/ -> /notes/
    assert fetch(preview.port, "/notes/")[0] == 200
    status, headers, _ = fetch(preview.port, "/blog/2015/")
    assert status == 302 and headers["location"] == "/notes/2015/"

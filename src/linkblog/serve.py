"""The preview server: the built site at its base path, live reload over Server-Sent Events.

It serves a private output folder, never the one `build` and `deploy` use, and never a file
outside it. Each rebuild tells connected pages what changed: a page reloads only when it
changed, a stylesheet is swapped in place, and a failed build shows its problems over the
last good page until a build succeeds. Rendering is the builder's; this module only serves.
"""

from __future__ import annotations

import html
import json
import mimetypes
import socket
import sys
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from linkblog.plan import SEARCH_PAGE
from linkblog.problems import Problem
from linkblog.search import FOLDER as SEARCH_INDEX

EVENTS = "/__linkblog/events"
KEEPALIVE_SECONDS = 15.0
_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".xml": "application/xml",
          ".json": "application/json", ".txt": "text/plain; charset=utf-8", ".js": "text/javascript",
          ".svg": "image/svg+xml", ".ico": "image/x-icon", ".woff": "font/woff", ".woff2": "font/woff2",
          ".webmanifest": "application/manifest+json"}
_NOTHING_YET = b"<!DOCTYPE html>\n<title>Not built yet</title>\n<body><p>Nothing has been built yet.</p></body>\n"
# Pages and the feeds a preview shows change with every edit: the browser must ask again each time.
_NO_STORE = (".html", ".xml", ".json", ".txt", ".css", ".js")


@dataclass
class Build:
    """What one rebuild changed, as connected pages need to know it."""

    version: int
    pages: list[str] = field(default_factory=list)  # URL paths of pages that changed or went
    styles: list[str] = field(default_factory=list)  # URL paths of stylesheets that changed
    everything: bool = False  # something every page may use changed (an image, a script)
    problems: list[str] = field(default_factory=list)  # the failed build's problems, one line each

    def message(self) -> str:
        return json.dumps({"pages": self.pages, "styles": self.styles, "everything": self.everything,
                           "problems": self.problems})


class Broadcast:
    """The latest build, and a way for reload connections to wait for the next one."""

    def __init__(self) -> None:
        self.latest = Build(0)
        self.changed = threading.Condition()
        self.closing = False

    def publish(self, build: Build) -> None:
        with self.changed:
            self.latest = build
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float) -> Build | None:
        """The build after version `seen`, or None after `timeout` seconds (or when closing)."""
        with self.changed:
            self.changed.wait_for(lambda: self.latest.version > seen or self.closing, timeout)
            return self.latest if self.latest.version > seen and not self.closing else None

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()


def build_of(version: int, base_path: str, written: list[str], deleted: list[str],
             problems: list[Problem]) -> Build:
    """What a rebuild that wrote and deleted these output files means for open pages."""
    build = Build(version, problems=[str(p) for p in problems if not p.warning])
    for rel in [*written, *deleted]:
        url = base_path + (rel.removesuffix("index.html") if rel == "index.html" or rel.endswith("/index.html")
                           else rel)
        if rel.startswith(SEARCH_INDEX):  # only the search page reads the index: other pages stay as they are
            build.pages.append(base_path + SEARCH_PAGE.lstrip("/"))
        elif rel.endswith(".css"):
            build.styles.append(url)
        elif rel.endswith((".html", ".xml", ".json", ".txt")) or rel in (".nojekyll", "CNAME"):
            build.pages.append(url)
        else:
            build.everything = True
    build.pages = list(dict.fromkeys(build.pages))  # the search page once, however many index files changed
    return build


def reload_script(build: Build, built: bool = True, shows: str | None = None) -> bytes:
    """The script injected into every HTML response, carrying the build it shows: its problems, and its version,
    so that a page whose events open after a later build (a save while it loaded) is told of it; `built`
    False for the page shown before any build succeeded, which is no last good page; `shows`, the page it is
    when that is not the one at its address (the 404 page)."""
    events = f"{EVENTS}?since={build.version}"
    settings = {"events": events, "problems": build.problems, "built": built} | ({"shows": shows} if shows else {})
    config = html.escape(json.dumps(settings), quote=True)
    source = files("linkblog").joinpath("livereload.js").read_text(encoding="utf-8")
    return f'<script data-linkblog="{config}">\n{source}</script>\n'.encode()


def inject(page: bytes, script: bytes) -> bytes:
    """The page with the script before its last </body>, or at its end."""
    at = page.lower().rfind(b"</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]


def resolve(root: Path, base_path: str, request_path: str) -> Path | None:
    """The file or folder a (percent-encoded) request path names inside root (at `base_path`, decoded), or None
    for anything outside it, malformed, or that names nothing (a name too long for the file system, say)."""
    if "\\" in request_path or "\x00" in request_path:
        return None
    decoded = unquote(request_path)
    if not decoded.startswith(base_path):
        return None
    rel = decoded[len(base_path):]
    parts = rel.split("/")
    if "\\" in rel or "\x00" in rel or any(part in ("..", ".") for part in parts) or "" in parts[:-1]:
        return None  # an empty part too (a//b): GitHub Pages serves nothing there
    try:
        target = (root / rel).resolve()
        target.stat()
    except OSError:
        return None
    if rel.endswith("/") and not target.is_dir():  # style.css/ is no file on GitHub Pages either
        return None
    return target if target.is_relative_to(root.resolve()) else None  # else a symlink leading out


class Handler(BaseHTTPRequestHandler):
    """Serves the preview; one instance per request, in its own thread."""

    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def do_HEAD(self) -> None:  # noqa: N802 - the name http.server calls
        self.respond(head=True)

    def do_GET(self) -> None:  # noqa: N802
        if urlsplit(self.path).path == EVENTS:
            self.stream_events()
        else:
            self.respond(head=False)

    def respond(self, head: bool) -> None:
        preview = self.server.preview
        path = urlsplit(self.path).path
        base, decoded = preview.base_path, unquote(path)  # the base as the config spells it: café, not caf%C3%A9
        if base != "/" and decoded in ("/", base[:-1]):  # the site lives a folder down
            status = HTTPStatus.FOUND if path == "/" else HTTPStatus.MOVED_PERMANENTLY
            return self.redirect(status, base, head)
        moved = moved_to(decoded, base, preview.former)  # a tab open from before `url` changed
        if moved is not None:
            return self.redirect(HTTPStatus.FOUND, moved, head)
        target = resolve(preview.root, base, path)
        if target is not None and target.is_dir():
            if not path.endswith("/"):  # as GitHub Pages does, so relative links resolve alike
                return self.redirect(HTTPStatus.MOVED_PERMANENTLY, decoded + "/", head)
            target = target / "index.html"
        status, shows = HTTPStatus.OK, None
        if target is None or not target.is_file():
            status, target, shows = HTTPStatus.NOT_FOUND, preview.root / "404.html", base + "404.html"
        # Taken before the file is read: a build landing between the two leaves the page telling an older build,
        # so it reloads once more, never a newer one, whose reload it would then never be sent.
        latest, built = preview.broadcast.latest, True
        try:
            data = target.read_bytes()
        except OSError:  # nothing built yet (the first build failed): a page to show its problems on
            data, target, built = _NOTHING_YET, Path("404.html"), False
        kind = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/html"):
            data = inject(data, reload_script(latest, built, shows))
        self.send_bytes(status, data, kind, head)

    def redirect(self, status: HTTPStatus, location: str, head: bool) -> None:
        """Send the browser on to a (decoded) path, percent-encoded as a Location header must be."""
        query = urlsplit(self.path).query
        self.send_bytes(status, b"", "text/plain", head, {"Location": quote(location, safe="/") +
                                                          (f"?{query}" if query else "")})

    def send_bytes(self, status: HTTPStatus, data: bytes, kind: str, head: bool,
                   headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def stream_events(self) -> None:
        """Server-Sent Events: one `build` event per rebuild, until the page or the server goes."""
        broadcast = self.server.preview.broadcast
        # Before the headers: a page sees its stream open only once every later build will be told to it.
        # A page that lost its connection and comes back learns that something may have changed.
        # A page opening its events for the first time says which build it shows (`since`): a build after it,
        # published while the page loaded, is told to it at once.
        since = parse_qs(urlsplit(self.path).query).get("since", [""])[0]
        seen = self.headers.get("Last-Event-ID", "") or since
        seen_version = int(seen) if seen.isdigit() else broadcast.latest.version
        if seen_version != broadcast.latest.version:  # missed builds, or those of a server since restarted
            seen_version = -1
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(b"retry: 500\n\n")
            self.wfile.flush()
            while not broadcast.closing:
                build = broadcast.wait(seen_version, KEEPALIVE_SECONDS)
                if build is None:
                    self.wfile.write(b": keepalive\n\n")
                else:
                    # A build after one this page missed (two came while it was being told of another): what
                    # the missed one changed is not in this one's pages, so every page reloads.
                    caught_up = seen_version >= 0 and build.version == seen_version + 1
                    message = build.message() if caught_up else Build(build.version, everything=True,
                                                                      problems=build.problems).message()
                    self.wfile.write(f"id: {build.version}\nevent: build\ndata: {message}\n\n".encode())
                    seen_version = build.version
                self.wfile.flush()
        except OSError:  # the page went away
            return

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        return  # a preview's requests are not news


def moved_to(path: str, base: str, former: list[str]) -> str | None:
    """Where a (decoded) path under a base path a changed `url` left now is: under the longest such base."""
    olds = [old for old in former if (path.startswith(old) or path == old[:-1]) and old != base
            and not (path.startswith(base) and len(base) >= len(old))]
    if not olds:
        return None
    old = max(olds, key=len)
    return base + path[len(old):].lstrip("/")  # never //host: a path, not another site


@dataclass
class Preview:
    """What the request handlers share: the folder served, its base path, the latest build."""

    root: Path
    base_path: str
    broadcast: Broadcast = field(default_factory=Broadcast)
    former: list[str] = field(default_factory=list)  # base paths a changed `url` left: sent on to the new one


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], preview: Preview):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
        self.preview = preview

    def handle_error(self, request: object, client_address: object) -> None:
        # A page reloaded or closed mid-answer is how browsing goes, not a fault worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    def stop(self) -> None:
        self.preview.broadcast.close()
        self.shutdown()
        self.server_close()

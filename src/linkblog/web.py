"""Requests to the web: http(s) only, redirects included, each within a deadline for the whole of it."""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.error
import urllib.request
import zlib
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")
# An hour is more than any page needs; far larger waits overflow the socket's timer.
MAX_TIMEOUT = 3600.0


class LeavesTheWeb(urllib.error.URLError):
    """A redirect to anything but an http(s) URL."""


class WebOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http(s) only: urllib would also follow one to ftp, a request linkblog never means
    to make (to a host a page chose)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        parts = urlsplit(newurl)
        if parts.scheme.lower() not in WEB_SCHEMES:
            raise LeavesTheWeb(f"redirects to '{newurl}', which is not an http(s) page")
        try:
            parts.port  # noqa: B018 - raises ValueError for one beyond 65535, which the socket would wrap round
        except ValueError:
            raise LeavesTheWeb(f"redirects to '{newurl}', whose port is not a number from 0 to 65535") from None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def http_failure(exc: urllib.error.HTTPError) -> str:
    """What an error answer says: its status, or that redirects went round or on too long (urllib gives up on
    both with the last redirect's status, calling either a loop)."""
    handler = urllib.request.HTTPRedirectHandler
    if 300 <= exc.code < 400 and str(exc.reason).startswith(handler.inf_msg):
        return f"more than {handler.max_redirections} redirects, or redirects that loop"
    return f"the server answered {exc.code} {exc.reason}"


class Deadline:
    """Cuts every connection of one request (its redirects too) once its seconds have passed.

    urllib's timeout bounds each read of a socket, so a server sending its headers a byte a second never
    runs it out: a request would wait for hours. Used as a context manager around the request."""

    def __init__(self, seconds: float):
        self.lock = threading.Lock()
        self.connections: list[http.client.HTTPConnection] = []
        self.expired = False
        self.timer = threading.Timer(seconds, self.expire)
        self.timer.daemon = True

    def __enter__(self) -> Deadline:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()

    def watch(self, connection: http.client.HTTPConnection) -> None:
        with self.lock:
            self.connections.append(connection)
            if self.expired:
                cut(connection)

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            for connection in self.connections:
                cut(connection)


def cut(connection: http.client.HTTPConnection) -> None:
    """Shut a connection's socket: a read waiting on it in another thread returns at once."""
    if connection.sock is not None:
        with suppress(OSError):
            connection.sock.shutdown(socket.SHUT_RDWR)


class Watched:
    """A connection that, once connected, is watched by the request's Deadline, which can then cut it."""

    def __init__(self, *args: Any, deadline: Deadline, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.deadline.watch(self)  # type: ignore[arg-type]


class WatchedHTTPConnection(Watched, http.client.HTTPConnection):
    """An HTTP connection a Deadline can cut."""


class WatchedHTTPSConnection(Watched, http.client.HTTPSConnection):
    """An HTTPS connection a Deadline can cut."""


_WATCHED = {http.client.HTTPConnection: WatchedHTTPConnection, http.client.HTTPSConnection: WatchedHTTPSConnection}


class OpensWatched:
    """A handler whose connections its Deadline watches."""

    def __init__(self, deadline: Deadline):
        super().__init__()
        self.deadline = deadline

    def do_open(self, http_class: Any, req: urllib.request.Request, **kwargs: Any) -> Any:
        return super().do_open(_WATCHED[http_class], req, deadline=self.deadline, **kwargs)  # type: ignore[misc]


class DeadlineHTTPHandler(OpensWatched, urllib.request.HTTPHandler):
    """http:// under a Deadline."""


class DeadlineHTTPSHandler(OpensWatched, urllib.request.HTTPSHandler):
    """https:// under a Deadline."""


def web_opener(deadline: Deadline | None = None) -> urllib.request.OpenerDirector:
    """An opener that follows redirects to http(s) URLs only, its connections cut when `deadline` expires."""
    handlers: list[Any] = [WebOnlyRedirects]
    if deadline is not None:
        handlers += [DeadlineHTTPHandler(deadline), DeadlineHTTPSHandler(deadline)]
    return urllib.request.build_opener(*handlers)


def inflated(body: bytes, encoding: str, limit: int) -> bytes:
    """A body as its Content-Encoding sent it: inflated when gzip or deflate (some servers compress what was never
    asked compressed), else as it is. ValueError when it cannot be read, or holds more than `limit` bytes."""
    if encoding.strip().lower() not in ("gzip", "x-gzip", "deflate"):
        return body
    for wbits in (zlib.MAX_WBITS | 32, -zlib.MAX_WBITS):  # gzip or zlib by its header, else raw deflate
        try:
            data = zlib.decompressobj(wbits).decompress(body, limit + 1)
        except zlib.error:
            continue
        if len(data) > limit:
            raise ValueError(f"larger than {limit / 1024 / 1024:g} MB once inflated")
        return data
    raise ValueError(f"sent {encoding.strip()}-compressed, and that cannot be read")

"""Shared fixtures: small sites written into tmp_path, and the real CLI run on them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CONFIG = """\
title: Test Notes
url: https://example.org/
author: Test Author
description: A test link blog
language: en
timezone: UTC
per_page: 2
output_dir: build
permalink: /{year}/{month}/{slug}/
feed: {items: 20, full_content: true}
"""


def post_text(title: str, date: str, body: str = "Some words.", **fields: str) -> str:
    """A post file's text with the given front matter fields."""
    lines = ["---", f"title: {title}", f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "\n".join(lines) + "\n---\n" + body + "\n"


def make_site(root: Path, posts: dict[str, str] | None = None, config: str = CONFIG,
              files: dict[str, str | bytes] | None = None) -> Path:
    """Write a site: config.yaml, posts/<name> for each post, and any other files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
    (root / "posts").mkdir(exist_ok=True)
    for name, text in (posts or {}).items():
        path = root / "posts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, data in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data), encoding="utf-8")
    return root


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(site: Path, *args: str, timeout: float = 120, env: dict[str, str] | None = None) -> Run:
    """Run `python -m linkblog ARGS` in a site folder, as a user would (with `env` added to the environment)."""
    done = subprocess.run([sys.executable, "-m", "linkblog", *args], cwd=site, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    return Run(done.returncode, done.stdout, done.stderr)


def clean_build(site: Path, out: Path, now: datetime | None = None) -> dict[str, bytes]:
    """The output of a one-process build that neither reads nor writes the site's cache."""
    from linkblog.build import Builder, BuildOptions

    shutil.rmtree(out, ignore_errors=True)
    options = BuildOptions(jobs=1, now=now)
    result = Builder(site / "config.yaml", {"output_dir": str(out)}, options, persist=False).build()
    assert result.ok, result.problems
    return tree_bytes(out)


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root, by relative path, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


SAMPLE_POSTS = {
    "2015-06-01-work-vs-progress.md": post_text(
        "Work vs. Progress", "2015-06-01 09:30", "> Busy is not progress.\n\nMy note.",
        tags="[management, work]", link="https://scottberkun.com/2015/work-vs-progress/",
        source="Scott Berkun"),
    "2015-04-09-some-customers-suck.md": post_text(
        "Some Customers Suck", "2015-04-09 21:40", "> Step away from bad customers.\n\nAgreed.",
        tags="[support]", link="https://nickbradbury.com/some-customers-suck/",
        source="Nick Bradbury", via="Sheri"),
    "2015-09-21-customer-success.md": post_text(
        "Customer success", "2015-09-21 20:00", "Support is a career.", tags="[support, customer-success]"),
    "2016-01-14-stop-apologising.md": post_text(
        "Stop apologising", "2016-01-14 10:20", "> Lead your customers.\n\nYes.", tags="[support]",
        link="https://www.helpscout.com/blog/stop-apologising/", source="Mathew Patterson"),
    "2016-08-16-graceful-degradation.md": post_text(
        "Graceful degradation", "2016-08-16 13:00", "> Fail well.\n\nSure.", tags="[support, business]",
        link="https://seths.blog/2016/08/graceful-degradation/", source="Seth Godin"),
}


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Templates compiled by a test's builds go to a folder of its own, not the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("user-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A five-post site in tmp_path."""
    return make_site(tmp_path / "site", SAMPLE_POSTS)


def age(root: Path, seconds: float = 3600) -> None:
    """Date every file under root an hour back, so builds may trust stat (nothing is racy); the output folder
    build/ is left as it is, as a build left it (a folder changed since is written whole)."""
    import os
    import time

    past = time.time() - seconds
    for path in root.rglob("*"):
        if "build" not in path.relative_to(root).parts[:1]:
            os.utime(path, (past, past))


class WebStandIn(BaseHTTPRequestHandler):
    """A local stand-in for the web: HEAD and GET both answered by answer(path), each request noted in
    `server.seen` (under `server.lock`) as (method, path)."""

    def do_HEAD(self) -> None:  # noqa: N802 - the http.server API
        self.answer(self.noted())

    def do_GET(self) -> None:  # noqa: N802
        self.answer(self.noted())

    def noted(self) -> str:
        path = urlsplit(self.path).path
        with self.server.lock:  # type: ignore[attr-defined]
            self.server.seen.append((self.command, path))  # type: ignore[attr-defined]
        return path

    def answer(self, path: str) -> None:
        raise NotImplementedError

    def send_json(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def trickle() -> Iterator[str]:
    """A server that starts an answer, then sends its headers a byte every 0.2 s for 30 s: each read is quick,
    so a timeout that bounds each read never runs out."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                try:
                    conn.recv(4096)
                    conn.sendall(b"HTTP/1.1 200 OK\r\n")
                    for _ in range(150):
                        if stop.wait(0.2):
                            break
                        conn.sendall(b"X")
                except OSError:
                    continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/trickle"
    stop.set()
    listener.close()

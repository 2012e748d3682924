"""A preview session: build into a private folder, serve it, and with --watch rebuild on each save.

The session never writes the output folder that `build` and `deploy` use, so drafts and
scheduled posts shown in a preview cannot be published by accident. Its folder is
`.cache/linkblog/preview-XXXX/` in the site, removed on exit; one left by a killed server
(no process holds its lock any more) is removed by the next server to start.

With `search: true`, a rebuild's pages are told to open pages before the site is indexed
again: the index follows (and the search page is told) unless another save comes first,
which is built first and stops the indexing under way.
"""

from __future__ import annotations

import errno
import fcntl
import ipaddress
import queue
import shutil
import socket
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from linkblog.build import Builder, BuildOptions, BuildResult, in_site
from linkblog.cache import CACHE_DIR
from linkblog.config import PREVIEW_PREFIX, load_config
from linkblog.plan import SEARCH_PAGE
from linkblog.problems import Problem, errors, plural
from linkblog.scan import HIDDEN, PRIVATE, STATIC_SKIPPED
from linkblog.search import Later, SearchError, reindex
from linkblog.serve import Build, Preview, PreviewServer, build_of
from linkblog.sources import FILE as SOURCES_FILE
from linkblog.theme import static_dirs, template_dirs
from linkblog.urls import Urls
from linkblog.watch import Watcher


@dataclass(frozen=True)
class ServeOptions:
    """How to preview: where to listen, what to show, whether to watch."""

    host: str = "127.0.0.1"
    port: int = 8000
    drafts: bool = True
    future: bool = True
    watch: bool = False
    jobs: int = 0


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach."""
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 is 127.0.0.1
    return address.is_loopback or bool(mapped and mapped.is_loopback)


class Session:
    """One `linkblog serve`: a builder, a server thread, and (with --watch) a watcher and a build thread."""

    def __init__(self, config_path: Path, options: ServeOptions, say: Callable[[str], None],
                 report: Callable[[list[Problem]], None], asked_to_stop: Callable[[], bool] = lambda: False):
        """`asked_to_stop`: True once Ctrl-C came, which the first build, and any rebuild, stops at."""
        self.config_path, self.options, self.say, self.report = config_path, options, say, report
        self.asked_to_stop = asked_to_stop
        self.site = config_path.resolve().parent  # where the builds read and write, whatever the working folder
        self.folder, self.lock = private_folder(self.site / CACHE_DIR)
        self.output = self.folder / "site"
        self.builder = Builder(config_path, {"output_dir": str(self.output)},
                               BuildOptions(drafts=options.drafts, future=options.future, jobs=options.jobs),
                               persist=False)
        self.server: PreviewServer | None = None
        self.watcher: Watcher | None = None
        self.changes: queue.Queue[set[Path] | None] = queue.Queue()
        self.threads: list[threading.Thread] = []
        # Builds are numbered from the clock's milliseconds: a page that reconnects to a server started since
        # (Ctrl-C, serve again) says a number this one never published, and so reloads.
        self.version = time.time_ns() // 1_000_000
        self.built_once = False  # a failed build shows the last good one, if there was one
        self.later = Later()  # the search index a rebuild left for after its pages are told
        self.warned: set[Problem] = set()  # the last build's warnings, and what it said it left out
        self.noted: list[str] = []
        self.stopping = threading.Event()  # set by stop(): a build under way gives up at its next page

    def start(self) -> tuple[str | None, list[Problem]]:
        """Build, then serve; the URL to open, or the problems that stop the preview from starting (none when
        it was asked to stop)."""
        config, problems = load_config(self.config_path)
        if config is None or errors(problems):
            self.close()
            return None, problems
        base_path = served_path(config.url)
        try:  # before the first build, which may take a while, so a port in use is told at once
            server = PreviewServer((self.options.host, self.options.port), Preview(self.output, base_path))
        except OSError as exc:
            self.close()
            return None, [port_problem(self.options, exc)]
        if self.options.watch:  # before the first build too: a save made during it is not missed
            self.watch(config.root, config.output_path)
        result = self.built(None)
        if self.asked_to_stop():  # during the first build: never serve
            server.server_close()
            return None, []
        server.preview.broadcast.publish(build_of(self.version, base_path, [], [], result.problems))
        self.tell(result, "built")
        self.spawn(server.serve_forever)
        self.server = server  # only now may stop() wait for it to shut down
        if self.options.watch:
            self.spawn(self.rebuild_loop)
        return served_url(server, base_path), []

    def watch(self, root: Path, output: Path) -> None:
        # The site's own templates/ and static/ even before it has them: made later, they override the theme.
        templates, static = [root / "templates", *template_dirs(root)], [root / "static", *static_dirs(root)]
        # What the build leaves unread in each: no change there starts a rebuild, no link there is followed.
        skipped = {root / "posts": PRIVATE, **dict.fromkeys(templates, HIDDEN), **dict.fromkeys(static, STATIC_SKIPPED)}
        files = [self.config_path, root / SOURCES_FILE]
        # The cache holds the preview's own folder: its writes must never start a rebuild.
        self.watcher = Watcher(list(skipped), files, [output, root / CACHE_DIR], self.changes.put, skipped=skipped)
        self.watcher.start()

    def spawn(self, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        self.threads.append(thread)

    def rebuild_loop(self) -> None:
        """One build per burst of changes, each told to connected pages; the search index when idle."""
        while True:
            if self.later.pending is not None and self.changes.empty():
                self.index_search()
                continue
            changed = self.changes.get()
            while changed is not None and not self.changes.empty():  # saves made during the last build
                more = self.changes.get()
                changed = None if more is None else changed | more
            if changed is None:
                return
            result = self.rebuild(changed)
            if self.stopping.is_set() or self.asked_to_stop():  # cut short: nothing to tell
                return
            self.version += 1
            assert self.server is not None
            preview = self.server.preview
            # After a good build only: a failed one's pages are the last good build's, linking where it put them.
            moved = result.ok and self.follow_url(preview)
            build = build_of(self.version, preview.base_path, result.written, result.deleted, result.problems)
            build.everything |= moved  # every open page is at its old address: each reloads, and is sent on
            preview.broadcast.publish(build)
            self.tell(result, what_changed(changed, self.config_path.resolve().parent))

    def follow_url(self, preview: Preview) -> bool:
        """Serve the site where its `url` now puts it (config.yaml edited), as its pages link; True if it moved."""
        engine = self.builder.engine
        if engine is None or served_path(engine.config.url) == preview.base_path:
            return False
        preview.former.append(preview.base_path)
        preview.base_path = served_path(engine.config.url)
        assert self.server is not None
        self.say(f"Serving {served_url(self.server, preview.base_path)} (the url in the config changed)")
        return True

    def rebuild(self, changed: set[Path]) -> BuildResult:
        """The build of what changed; a file gone mid-scan is a problem to show, not the end of watching."""
        if not self.site.is_dir():  # moved or removed: a build would make its folders again where it was
            self.built_once = False  # its preview folder went with it: nothing built is served now
            return BuildResult([Problem(str(self.site), "moved or removed while the preview ran: nothing more is "
                                                        "built; stop the preview and start it again where it is now")])
        pending = self.later.pending
        with self.later.builds():
            result = self.built(changed)
        if not result.ok:  # the output is as it was: so is the index it still needs
            self.later.pending = pending
        return result

    def built(self, changed: set[Path] | None) -> BuildResult:
        """A build (of everything when `changed` is None); a file gone mid-scan is a problem to show, not the
        end of the preview."""
        try:
            result = self.builder.build(progress=self.going_on, changed=changed)
        except Exception as exc:
            # Stopped, or failing once a stop was asked (its workers ended by the same Ctrl-C): its stage is
            # discarded, the output is as it was.
            if isinstance(exc, Stopped) or self.stopping.is_set() or self.asked_to_stop():
                return BuildResult([Problem("serve", "stopped before the build ended")])
            if not isinstance(exc, OSError):
                # A bug, not bad input: the traceback is what to report; the next save builds afresh (the builder
                # dropped its state), so the preview goes on.
                traceback.print_exc()
                return BuildResult([Problem("serve", f"this build failed on a bug in linkblog ({type(exc).__name__}"
                                                     "): please report it with the traceback above")])
            where = shown(Path(exc.filename), self.config_path.resolve().parent) if exc.filename else "."
            return BuildResult([Problem(where, f"cannot be read ({exc.strerror or exc})")])
        self.built_once |= result.ok
        return result

    def going_on(self, stage: str, done: int, total: int) -> None:
        """A build's progress: it stops here once the session is stopping, which can take no build's time."""
        if self.stopping.is_set() or self.asked_to_stop():
            raise Stopped()

    def index_search(self) -> None:
        """Run the search index the last build left; tell the search page, or show why it failed."""
        job = self.later.pending
        assert job is not None and self.server is not None
        problems: list[Problem] = []
        try:
            if not reindex(job, interrupted=lambda: not self.changes.empty()):
                return  # a save came: it is built first, and the index stays to do
            self.builder.output_is_own()
        except SearchError as exc:
            problems = [exc.problem]
        except OSError as exc:
            problems = [Problem("search", f"the index could not be written ({exc.strerror or exc})")]
        if self.later.pending is job:
            self.later.pending = None
        preview = self.server.preview
        self.version += 1
        shown_problems = preview.broadcast.latest.problems + [str(p) for p in problems]  # a failed build's stay
        preview.broadcast.publish(Build(self.version, pages=[preview.base_path + SEARCH_PAGE.lstrip("/")],
                                        problems=shown_problems))
        if problems:
            self.report(problems)
            self.say("search: the index could not be updated; the preview searches the last one")

    def tell(self, result: BuildResult, what: str) -> None:
        """One line per build: what changed, how many pages were rendered, how long it took; its errors, and the
        warnings and what it left out when the build before did not say the same (each save would repeat them)."""
        warnings = {p for p in result.problems if p.warning}
        self.report([p for p in result.problems if not p.warning or p not in self.warned])
        self.warned = warnings
        if result.ok:
            others = len(result.written) - len(result.pages)  # static files, .nojekyll, the search index...
            also = f", {plural(others, 'other file')} written" if others > 0 else ""
            self.say(f"{what}: {plural(result.rendered, 'page')} rendered ({len(result.pages)} changed){also} "
                     f"in {result.seconds * 1000:.0f} ms")
            if result.notes() != self.noted:
                self.noted = result.notes()
                for note in self.noted:
                    self.say(note)
        else:
            count = len(errors(result.problems))
            shows = "the last good build" if self.built_once else "what is wrong"
            self.say(f"{what}: build failed with {count} error{'s' if count > 1 else ''}; the preview shows {shows}")

    def stop(self) -> None:
        """Stop watching, serving and building; remove the private folder."""
        self.stopping.set()
        if self.watcher is not None:
            self.watcher.stop()
        self.changes.put(None)
        if self.server is not None:
            self.server.stop()
        deadline = time.monotonic() + JOIN_SECONDS
        for thread in self.threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        self.close()

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.lock.close()  # after the removal, so no other server takes the folder for stale meanwhile


class Stopped(Exception):
    """The session stops: the build under way ends at once, its output discarded."""


LOCK = ".lock"
# Seconds stop() waits for a rebuild to reach its next page: one stuck in a template is left to end with the process.
JOIN_SECONDS = 3


def private_folder(cache: Path) -> tuple[Path, TextIO]:
    """A new preview folder in the cache, and the open lock file that marks it as in use.

    A lock (flock) is held as long as the process lives, so it tells a live preview from a
    killed one without trusting process ids, which the system reuses.
    """
    cache.mkdir(parents=True, exist_ok=True)
    for stale in cache.glob(PREVIEW_PREFIX + "*"):
        remove_if_stale(stale)
    folder = Path(tempfile.mkdtemp(prefix=PREVIEW_PREFIX, dir=cache))
    lock = (folder / LOCK).open("w")
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return folder, lock


def remove_if_stale(folder: Path) -> None:
    """Remove a preview folder no running server holds the lock of; anything else of its name (a file, a link)."""
    if folder.is_symlink() or not folder.is_dir():  # never a preview's: a lock taken through a link lands elsewhere
        with suppress(OSError):
            folder.unlink()
        return
    try:
        with (folder / LOCK).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            shutil.rmtree(folder, ignore_errors=True)
    except BlockingIOError:  # another server is previewing this site right now
        return
    except OSError:  # no lock file: a server killed before it took one
        with suppress(OSError):
            shutil.rmtree(folder)


def port_problem(options: ServeOptions, exc: OSError) -> Problem:
    """Why the preview cannot listen where it was asked to, in one line naming the port, or the host when it is
    the host that cannot be used (no such name, an address not of this machine)."""
    host = f"[{options.host}]" if ":" in options.host else options.host  # as an IPv6 address is written in a URL
    why = f"({exc.strerror or exc})"
    if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
        return Problem(f"{host}:{options.port}", f"--host {options.host} cannot be listened on {why}")
    reason = "is in use; choose another or use --port 0" if exc.errno == errno.EADDRINUSE else f"cannot be opened {why}"
    return Problem(f"{host}:{options.port}", f"port {options.port} {reason}")


def what_changed(paths: set[Path], root: Path, most: int = 3) -> str:
    """The changed paths for a one-line report: a few by name, then how many more."""
    names = sorted(shown(p, root) for p in paths)
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")


def shown(path: Path, root: Path) -> str:
    """A changed path as the writer knows it: relative to the site (a post that is a link, where the link is)."""
    path = in_site(path, root)
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def served_path(url: str) -> str:
    """The base path a site's `url` puts it at, as requests name it once decoded: /café/ for caf%C3%A9."""
    return Urls(url).base_path  # decoded already


def served_url(server: PreviewServer, base_path: str) -> str:
    """The address to open: the server's host and port, then the site's base path (percent-encoded, so that a
    terminal's link and a browser take it whole)."""
    host, port = server.server_address[:2]
    return f"http://{f'[{host}]' if ':' in str(host) else host}:{port}{quote(base_path, safe='/')}"

"""Watching a site's inputs: watchdog's native observer, editor noise dropped, bursts debounced.

One save in an editor is often several events (a swap file, a backup, a rename over the
original); they arrive within milliseconds and give one call with every path that changed.
A file written in place and closed is a save that is over: its call comes after a much
shorter quiet moment, so the reload is not held up by a wait meant for renames.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from linkblog.scan import is_temporary

# Long enough to gather one save's events, short enough that nobody waits for it.
DEBOUNCE_SECONDS = 0.05
# After the last event of a burst that ended with a file that was there before it written and closed.
SAVED_SECONDS = 0.01
# While a file written to is not closed yet (a writer pausing mid-file), the longest quiet moment waited for its close.
WRITING_SECONDS = 1.0
_CHANGES = {"created", "modified", "deleted", "moved", "closed"}  # not "opened": builds read files too


class Debouncer:
    """Collects paths and calls `deliver` once with all of them after a quiet moment.

    The moment is `delay` after most events, and the shorter `saved` after one that closes a
    file written in place (not one made during the burst: that may be a temporary file about
    to be renamed over the real one, which would make a second call); while a file written to
    is not closed yet, the longer `writing`.
    """

    def __init__(self, deliver: Callable[[set[Path]], None], delay: float = DEBOUNCE_SECONDS,
                 saved: float = SAVED_SECONDS, writing: float = 0.0):
        """`writing`: how long to wait for the close of a file written to, where closes are told (inotify's)."""
        self.deliver, self.delay, self.saved, self.writing = deliver, delay, min(saved, delay), max(writing, delay)
        self.paths: set[Path] = set()
        self.born: set[Path] = set()  # created during this burst; gone again by its end, they changed nothing
        self.open: set[Path] = set()  # written to and not closed yet: a writer may be halfway
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None

    def add(self, paths: Iterable[Path], created: bool = False, closed: bool = False, modified: bool = False,
            gone: bool = False) -> None:
        """Paths an event named: made, closed after writing, written to, or deleted or moved away."""
        with self.lock:
            paths = set(paths)
            if created:
                self.born |= paths - self.paths
            self.paths |= paths
            # A file deleted or moved away is no longer written where it was read: its close is not waited for.
            self.open = self.open - paths if closed or gone else self.open | paths if modified else self.open
            if self.timer is not None:
                self.timer.cancel()
            done = closed and not paths & self.born  # a file that was there before, saved in place
            wait = self.saved if done and not self.open else self.writing if self.open else self.delay
            self.timer = threading.Timer(wait, self.flush)
            self.timer.daemon = True
            self.timer.start()

    def flush(self) -> None:
        with self.lock:
            paths, born = self.paths, self.born
            self.paths, self.born, self.open, self.timer = set(), set(), set(), None
        paths = {p for p in paths if p not in born or p.exists()}  # an editor's temporary file, renamed away
        if paths:
            self.deliver(paths)

    def cancel(self) -> None:
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            self.paths.clear()
            self.born.clear()
            self.open.clear()


def is_empty_file(path: Path) -> bool:
    """True for a regular file of no bytes (not a link to one); False for anything else, or nothing there."""
    try:
        found = path.lstat()
    except OSError:
        return False
    return stat.S_ISREG(found.st_mode) and found.st_size == 0


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        # A folder is "modified" whenever a file in it is: the file's own event says what changed.
        if event.event_type not in _CHANGES or (event.is_directory and event.event_type == "modified"):
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        self.watcher.saw([Path(p if isinstance(p, str) else p.decode()) for p in paths if p],
                         created=event.event_type == "created", closed=event.event_type == "closed",
                         modified=event.event_type == "modified", gone=event.event_type in ("deleted", "moved"),
                         folder=event.is_directory)


class Watcher:
    """Watches folders (recursively, also once made again or made later), single files, and what links in the folders
    lead to; calls `on_change` with each burst's paths, a burst ending after `delay` seconds without an event."""

    def __init__(self, folders: list[Path], files: list[Path], ignored: list[Path],
                 on_change: Callable[[set[Path]], None], delay: float = DEBOUNCE_SECONDS,
                 skipped: dict[Path, tuple[str, ...]] | None = None):
        self.folders = list(dict.fromkeys(f.resolve() for f in folders))
        self.files = {f.resolve() for f in files}
        self.ignored = [i.resolve() for i in ignored]
        # For a folder, how the names start that no build reads in it: posts/_drafts/, templates/.x, static/.git
        self.skipped = {folder.resolve(): names for folder, names in (skipped or {}).items()}
        self.observer = Observer()
        # Only inotify tells when a file written to is closed: elsewhere, no close is waited for.
        closes = type(self.observer).__name__ == "InotifyObserver"
        self.debouncer = Debouncer(on_change, delay, writing=WRITING_SECONDS if closes else 0.0)
        self.handler = _Handler(self)
        self.watches: dict[Path, ObservedWatch] = {}
        self.followed: dict[Path, Path] = {}  # a link in a watched folder -> the folder elsewhere it leads to
        self.linked: dict[Path, Path] = {}  # a link to a file in a watched folder -> the file it leads to
        self.singles: dict[Path, ObservedWatch] = {}  # a folder watched alone, not its subfolders, for files in it

    def start(self) -> None:
        for folder in self.folders:
            if folder.is_dir():
                self.watch(folder)
        self.watch_single_folders()
        self.observer.start()

    def watch(self, folder: Path) -> None:
        """Watch a folder anew (a deleted folder's watch ends with it, and one made again needs its own), and what
        links in it lead to."""
        self.schedule(folder)
        for link in links_in(folder, self.skipped_in(folder)):
            self.follow(link)

    def schedule(self, folder: Path) -> None:
        self.unschedule(self.watches.pop(folder, None))
        self.watches[folder] = self.observer.schedule(self.handler, str(folder), recursive=True)

    def unschedule(self, watch: ObservedWatch | None) -> None:
        """End a watch, if there is one."""
        if watch is not None:
            with contextlib.suppress(KeyError):  # already gone with its folder
                self.observer.unschedule(watch)

    def follow(self, link: Path) -> None:
        """Watch what a link leads to, as the build reads it through the link: a file (through its folder, see
        single_folders) or a folder. A folder that overlaps a watched one (an alias, or a loop back up) is left to
        that one's watch: no folder is watched twice, and no loop is walked."""
        try:
            target = link.resolve(strict=True)
        except (OSError, RuntimeError):  # dangling, or a loop of links (RuntimeError before Python 3.13)
            return
        if target.is_file():
            self.linked[link] = target
            return
        others = [*self.folders, *(t for other, t in self.followed.items() if other != link)]
        if not target.is_dir() or any(target.is_relative_to(o) or o.is_relative_to(target) for o in others):
            return
        self.unfollow(link)
        self.schedule(target)
        self.followed[link] = target
        for inner in links_in(target, self.skipped_in(link)):  # as the build reads them too: through this link
            self.follow(link / inner.relative_to(target))

    def unfollow(self, link: Path) -> None:
        """Stop following a link, and the links in the folder it led to."""
        for followed in [f for f in self.followed if f.is_relative_to(link)]:
            self.unschedule(self.watches.pop(self.followed.pop(followed), None))
        for linked in [f for f in self.linked if f.is_relative_to(link)]:
            del self.linked[linked]

    def relink(self, path: Path) -> None:
        """Follow the links a change made, moved or removed in a watched folder, as they now lead."""
        links = {**self.followed, **self.linked}
        stale = [link for link, target in links.items() if link.is_relative_to(path) and leads(link) != target]
        for link in stale:
            self.unfollow(link)
        if stale:  # a link left out as overlapping the one that went may be the one to follow now
            for folder in self.folders:
                for link in links_in(folder, self.skipped_in(folder)):
                    self.follow(link)
        elif path.is_symlink() and self.folder_of(path) is not None and not self.unread(path):
            self.follow(path)

    def single_folders(self) -> set[Path]:
        """The folders of the single files and of the files links lead to, but those a folder's watch sees."""
        recursive = [*self.folders, *self.followed.values()]
        parents = {f.parent for f in [*self.files, *self.linked.values()]}
        return {p for p in parents if not any(p.is_relative_to(r) for r in recursive)}

    def watch_single_folders(self) -> None:
        """Watch each single folder, alone and once however many files in it are wanted, and no other. The site's
        (the config file's) also sees posts/ come and go."""
        wanted = self.single_folders()
        for folder in self.singles.keys() - wanted:
            self.unschedule(self.singles.pop(folder))
        for folder in wanted - self.singles.keys():
            self.singles[folder] = self.observer.schedule(self.handler, str(folder), recursive=False)

    def links_to(self, path: Path) -> list[Path]:
        """The links that lead to a file, where the build reads it."""
        return [link for link, target in self.linked.items() if target == path]

    def through_link(self, path: Path) -> Path:
        """A path in a followed folder as the build reads it: through the link."""
        for link, target in self.followed.items():
            if path.is_relative_to(target):
                return link / path.relative_to(target)
        return path

    def saw(self, paths: list[Path], created: bool = False, closed: bool = False, modified: bool = False,
            gone: bool = False, folder: bool = False) -> None:
        read = [self.through_link(p) for p in paths]
        for path in read:
            # An error here (gone again, no inotify watch left) would end watchdog's thread, and all watching.
            with contextlib.suppress(OSError, RuntimeError):
                if path in self.folders and path.is_dir():  # made, moved in, or made again (a checkout)
                    self.watch(path)
                elif path.is_symlink() or any(f.is_relative_to(path) for f in [*self.followed, *self.linked]):
                    self.relink(path)
                else:
                    continue
                self.watch_single_folders()  # a file a link now leads to may need its folder watched, or no more
        # A file changed is changed where the build reads it through a link too (and only there when it is elsewhere).
        read += [link for p in paths for link in self.links_to(p)]
        wanted = [p for p in read if self.wanted(p, folder)]
        if wanted:
            # A file just made and still empty is open for writing (its close is waited for): a writer may not have
            # written yet. One moved in, or a link made, holds what it holds: no close will come.
            opened = created and not folder and all(map(is_empty_file, wanted))
            self.debouncer.add(wanted, created, closed, modified or opened, gone)

    def folder_of(self, path: Path) -> Path | None:
        """The watched folder a path is in, if any."""
        return next((f for f in self.folders if path.is_relative_to(f)), None)

    def wanted(self, path: Path, folder: bool = False) -> bool:
        """True for a change that can change the site: never the output, the cache or editor noise (a file's name
        only: a folder named like one, static/v1.part/, is read as the scans read it)."""
        if not folder and is_temporary(path.name) or any(path.is_relative_to(i) for i in self.ignored):
            return False
        if self.unread(path):
            return False  # posts/_ideas/, an editor's .x.md.kate-swp: never a post
        return path in self.files or self.folder_of(path) is not None

    def skipped_in(self, path: Path) -> tuple[str, ...]:
        """How the names start that no build reads under a path, as the folder it is in says."""
        return next((names for folder, names in self.skipped.items() if path.is_relative_to(folder)), ())

    def unread(self, path: Path) -> bool:
        """True for a path that no build reads: under a name its folder's build skips."""
        return any(path.is_relative_to(folder) and
                   any(part.startswith(names) for part in path.relative_to(folder).parts)
                   for folder, names in self.skipped.items())

    def stop(self) -> None:
        self.debouncer.cancel()
        self.observer.stop()
        if self.observer.is_alive():  # not when a Ctrl-C came before it started: joining it would raise
            self.observer.join(timeout=5)


def links_in(folder: Path, skipped: tuple[str, ...]) -> list[Path]:
    """The links found in a folder (to folders, files or nothing), not looked through, neither named nor in a
    folder named starting with `skipped`."""
    links = []
    for root, dirs, files in os.walk(folder):  # a link to a folder is listed among the folders, never entered
        dirs[:] = [name for name in dirs if not name.startswith(skipped)]
        names = [*dirs, *(name for name in files if not name.startswith(skipped))]
        links += [Path(root, name) for name in names if os.path.islink(os.path.join(root, name))]
    return links


def leads(link: Path) -> Path | None:
    """What a link leads to now, if anything."""
    try:
        return link.resolve(strict=True)
    except (OSError, RuntimeError):
        return None

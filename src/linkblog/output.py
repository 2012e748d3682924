"""The only module that writes or deletes output: staged, journaled, swapped in.

Every build writes into a stage folder beside the output. A full build then swaps the
staged tree in; an incremental one stages its files flat (no folder made to be deleted a moment
later) and moves each into place. A journal written
before anything in the output is touched lets the next build finish an interrupted apply;
a stage without a journal is an unfinished build and is thrown away.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from linkblog.digest import digest_bytes, digest_file
from linkblog.scan import Found

JOURNAL = "journal.json"
# A checkout kept in the output folder (`git clone -b gh-pages URL build`, as Hugo users keep one), with what it
# has not pushed: never the build's to write, move, delete or count, so an output holding one is never swapped.
GIT = ".git"


def stage_dir(out: Path) -> Path:
    """The stage folder for an output folder: a hidden sibling on the same filesystem."""
    return out.parent / f".{out.name}.linkblog-stage"


def old_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.linkblog-old"


@dataclass
class Stage:
    """Files staged for one build, and the output files it will delete."""

    out: Path
    full: bool  # swapped in whole: every file is written into a tree that replaces the output folder
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    # Files of the output that no manifest lists (it was unknown, or had a checkout kept in it, so is not swapped):
    # each one this build does not write is deleted, but the checkout's.
    unlisted: bool = False

    @property
    def root(self) -> Path:
        return stage_dir(self.out)

    @property
    def tree(self) -> Path:
        return self.root / "tree"

    def open(self) -> Stage:
        """Start with an empty stage (an unfinished one from a killed build is discarded)."""
        if self.root.is_symlink():  # a link (a cloned repository's) would stage the build wherever it points
            self.root.unlink()
        shutil.rmtree(self.root, ignore_errors=True)
        self.tree.mkdir(parents=True)
        return self

    def write(self, rel: str, data: bytes) -> None:
        """Stage one output file and record it."""
        self.put(rel, data)
        self.written.append(rel)

    def put(self, rel: str, data: bytes) -> None:
        """Stage one output file from any process; the parent records what was staged."""
        self.target(rel).write_bytes(data)  # the stage is private until commit, so no temp-and-rename

    def copy(self, rel: str, source: Path) -> None:
        """Stage a copy of a static file."""
        shutil.copyfile(source, self.target(rel))
        self.written.append(rel)

    def staged(self, rel: str) -> Path:
        """Where an output file is staged."""
        return self.tree / rel if self.full else self.tree / staged_name(rel)

    def target(self, rel: str) -> Path:
        """Where an output file is staged, its folder made."""
        target = self.staged(rel)
        if self.full:
            target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def commit(self, durable: bool = True) -> None:
        """Make the staged build the output, via a journal the next build can replay.

        `durable=False` writes no journal, for an output nothing keeps (a preview): its next process
        builds it whole.
        """
        if (self.full or self.unlisted) and self.out.is_dir():  # what no manifest may have listed
            taken = {name for name in names_under(self.out) - set(self.written) if name.split("/", 1)[0] != GIT}
            self.deleted = sorted(set(self.deleted) | taken)
        journal = {"mode": "swap", "inode": self.tree.stat().st_ino} if self.full else {
            "mode": "apply", "write": sorted(set(self.written)), "delete": sorted(set(self.deleted))}
        if durable:
            write_file(self.root / JOURNAL, json.dumps(journal).encode(), sync=True)
        replay(self.out, journal)


def names_under(folder: Path) -> set[str]:
    """Each file under a folder by its path there, a link (to a folder too) as one file: only names, no stat."""
    names = set()
    for root, dirs, files in os.walk(folder):  # a link to a folder is listed among the folders, never entered
        rel = PurePosixPath(Path(root).relative_to(folder).as_posix())
        names.update(str(rel / name) for name in [*files, *(d for d in dirs if os.path.islink(os.path.join(root, d)))])
    return names


def held_files(out: Path) -> dict[str, str]:
    """Each file the output folder holds (a kept checkout's aside) with the digest of its bytes: the manifest of a
    folder the cache describes no more, so that a build writes only the files whose bytes differ."""
    return {rel: held_digest(out / rel) for rel in names_under(out) if rel.split("/", 1)[0] != GIT}


def held_digest(path: Path) -> str:
    """The digest of an output file's bytes; "" for what no build writes (a link, a pipe) or cannot be read, which
    a build so replaces or removes."""
    try:  # never through a link, nor waiting on a pipe's writer
        with open(path, "rb", opener=lambda name, flags: os.open(name, flags | os.O_NOFOLLOW | os.O_NONBLOCK)) as file:
            return digest_file(file) if stat.S_ISREG(os.fstat(file.fileno()).st_mode) else ""
    except OSError:
        return ""


def staged_name(rel: str) -> str:
    """The flat name an incremental build stages an output file under."""
    return digest_bytes(rel.encode("utf-8", "surrogateescape"))


STATIC_KEY = "static:"  # how the manifest keys a static file: by its stat, not its bytes


def stage_changes(stage: Stage, outputs: dict[str, str], rendered: list[tuple[str, str, bool]],
                  pages: set[str] | None, static: dict[str, Found], hosting: dict[str, bytes],
                  racy: Collection[str] = ()) -> dict[str, str]:
    """Stage changed static and hosting files and the deletions; return the new output manifest.

    `pages` are the files of every page; None when they are the manifest's (no page came or went). `racy` are the
    static files whose stat is too recent to trust: kept under a key no later stat makes, so that the next build
    compares their bytes (an edit in the same second, of the same size, changes no stat a coarse clock keeps)."""
    old_static = {rel for rel, key in outputs.items() if key.startswith(STATIC_KEY)} if pages is None else set()
    outputs = dict(outputs)
    static = {rel: found for rel, found in static.items() if rel not in hosting}  # .nojekyll and CNAME are ours
    outputs.update((rel, digest) for rel, digest, _ in rendered)
    stage.written += [rel for rel, _, changed in rendered if changed]
    for rel, found in static.items():
        key = f"{STATIC_KEY}{found.path}:{found.size}:{found.changed_ns}"
        key += f":racy:{time.time_ns()}" if rel in racy else ""
        if stage.full or outputs.get(rel) != key:
            # Touched, or saved as it was: the output's copy keeps its bytes and mtime.
            if stage.full or rel not in outputs or not same_bytes(Path(found.path), stage.out / rel):
                stage.copy(rel, Path(found.path))
            outputs[rel] = key
    for rel, data in hosting.items():
        key = digest_bytes(data)
        if stage.full or outputs.get(rel) != key:
            stage.write(rel, data)
            outputs[rel] = key
    gone = old_static - static.keys() if pages is None else set(outputs) - pages - static.keys() - hosting.keys()
    stage.deleted = sorted(gone)
    for rel in stage.deleted:
        del outputs[rel]
    return outputs


def same_bytes(source: Path, copy: Path) -> bool:
    """True when a static file and its copy in the output hold the same bytes (False if either is unreadable)."""
    # Not filecmp.cmp: it keeps its answers for the process by size and mtime, and a same-size edit whose mtime was
    # put back (touch -r) would be "the same" to a long preview.
    try:
        with open(source, "rb") as one, open(copy, "rb") as other:
            while True:
                block = one.read(1 << 16)
                if block != other.read(1 << 16):
                    return False
                if not block:
                    return True
    except OSError:
        return False


def hosting_files(cname: str | None) -> dict[str, bytes]:
    """What GitHub Pages needs beside the site: .nojekyll, and CNAME for a custom domain."""
    return {".nojekyll": b"", **({"CNAME": cname.encode() + b"\n"} if cname else {})}


def write_file(path: Path, data: bytes, sync: bool = False) -> None:
    """Write a file whole: to a temporary name, then renamed over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".linkblog-tmp")
    with open(temp, "wb") as handle:
        handle.write(data)
        if sync:
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(temp, path)


def missing_files(out: Path, rels: Iterable[str]) -> set[str]:
    """The files of `rels` the output folder lacks (removed by hand since the build that wrote them, or made
    something else than a file)."""
    try:
        fd = os.open(out, os.O_RDONLY) if os.stat in os.supports_dir_fd else None
    except OSError:
        return set(rels)
    try:
        gone = set()
        for rel in rels:
            try:  # a stat relative to the folder's handle: a third cheaper than through its path
                if not stat.S_ISREG(os.stat(rel if fd is not None else out / rel, dir_fd=fd,
                                            follow_symlinks=False).st_mode):
                    gone.add(rel)
            except OSError:
                gone.add(rel)
        return gone
    finally:
        if fd is not None:
            os.close(fd)


def foreign(out: Path) -> bool:
    """True for an output folder that a build would wipe but did not write: every build leaves .nojekyll (a git
    checkout alone, a clone of the branch to publish to, is kept)."""
    try:
        return out.is_dir() and not (out / ".nojekyll").exists() and any(p.name != GIT for p in out.iterdir())
    except OSError:
        return False


@contextmanager
def locked(out: Path, waiting: Callable[[str], None]) -> Iterator[None]:
    """Hold the lock of an output folder (on the folder it is in, which outlives every swap of it) while a build
    changes it; tell `waiting` before waiting for another build to finish."""
    try:
        import fcntl

        out.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(out.parent, os.O_RDONLY)
    except (ImportError, OSError):  # Windows, or a folder only writable: the build reports what it cannot do
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting(str(out))
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:  # a file system without locks (some NFS mounts): builds are not kept apart there
            pass
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def recover(out: Path) -> str | None:
    """Finish or discard what a killed build left behind; say what was done, if anything."""
    root = stage_dir(out)
    if root.is_symlink():  # never a stage a build made: a journal read through it could name any files
        root.unlink()
        return "discarded an unfinished build"
    if not root.exists():
        return None
    journal_path = root / JOURNAL
    try:
        journal = json.loads(journal_path.read_bytes())
    except (OSError, ValueError):
        shutil.rmtree(root, ignore_errors=True)
        return "discarded an unfinished build"
    try:
        replay(out, journal)
    except (OSError, KeyError, TypeError) as exc:
        # The build that wrote the journal marked its cache dirty, so the next one rebuilds whole.
        shutil.rmtree(root, ignore_errors=True)
        return f"could not finish an interrupted build ({exc}); it was discarded"
    return "finished applying an interrupted build"


def replay(out: Path, journal: dict) -> None:
    """Apply a journal; safe to run again after an interruption at any point."""
    tree = stage_dir(out) / "tree"
    if tree.is_symlink():  # swapped in, the output would become a link to another folder
        raise OSError(f"{tree} is a link, which no build stages")
    if journal["mode"] == "swap":
        if not (out.exists() and out.stat().st_ino == journal["inode"]):
            swap_in(out, tree)
        shutil.rmtree(old_dir(out), ignore_errors=True)
    else:
        apply(out, journal)
    shutil.rmtree(stage_dir(out), ignore_errors=True)


def apply(out: Path, journal: dict) -> None:
    """Move the files an incremental build deletes or replaces aside and the staged ones in; on an error
    (a full disk, a file where a folder must be) put back what this call changed, and raise it."""
    tree, aside = stage_dir(out) / "tree", stage_dir(out) / "aside"
    aside.mkdir(exist_ok=True)
    undo: list[tuple[str, bool]] = []  # (file, whether its former bytes wait aside), in the order done
    linked = Links(out)
    try:
        # Deletions first, so a file may become a folder of the same name and back.
        for rel in linked.unlinked(filter(is_relative, journal["delete"])):
            if set_aside(out / rel, aside / staged_name(rel), keep=False):
                remove_file(out, rel)
                undo.append((rel, True))
        for rel in linked.unlinked(filter(is_relative, journal["write"])):
            target = out / rel
            kept = set_aside(target, aside / staged_name(rel), keep=True)
            if move_in(tree / staged_name(rel), target):
                undo.append((rel, kept))
    except OSError:
        put_back(out, aside, undo)
        raise


class Links:
    """The folders of the output an incremental build found to be no symbolic links, each looked at once."""

    def __init__(self, out: Path) -> None:
        self.out, self.checked = out, {"."}

    def unlinked(self, rels: Iterable[str]) -> Iterator[str]:
        """Each path once no folder on its way is a link (put in the output by hand, or by a cloned repository),
        through which the build would change files outside its output: an OSError names the first one."""
        for rel in rels:
            for folder in reversed(PurePosixPath(rel).parents):
                if str(folder) not in self.checked:
                    if os.path.islink(self.out / folder) or folder.parts[0] == GIT:
                        raise OSError(f"{self.out / folder} is a link to another folder (or a checkout kept there), "
                                      "which a build never writes through; remove it")
                    self.checked.add(str(folder))
            yield rel


def set_aside(target: Path, aside: Path, keep: bool) -> bool:
    """Move an output file aside (`keep`: link it, so that readers never miss it); False if it is not there.

    A replay after an interruption finds the file set aside already, and leaves it as it is."""
    try:
        if not keep and target.is_dir() and not target.is_symlink():  # a replay after the file became a folder
            return aside.exists()
        os.link(target, aside) if keep else os.replace(target, aside)
    except (FileNotFoundError, NotADirectoryError):  # (a folder of it became a file): gone already
        return aside.exists()
    except FileExistsError:
        return True
    except OSError:  # a file system without hard links
        if not keep:
            raise
        shutil.copyfile(target, aside)
    return True


def put_back(out: Path, aside: Path, undo: list[tuple[str, bool]]) -> None:
    """Undo moves, newest first: former files return, files that were new go."""
    for rel, kept in reversed(undo):
        target = out / rel
        with suppress(OSError):  # as much as can be restored is; the build is reported failed either way
            if kept:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(aside / staged_name(rel), target)
            else:
                remove_file(out, rel)


def move_in(staged: Path, target: Path) -> bool:
    """Move a staged file into place; one rename when its folder exists (most do). False if moved before."""
    try:
        os.replace(staged, target)
    except FileNotFoundError:
        if not staged.exists():  # a replay after an interruption: this one was moved already
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
    return True


def is_relative(rel: str) -> bool:
    """True for a path that stays inside the output folder, whatever a damaged journal says."""
    path = PurePosixPath(rel)
    return bool(rel) and not path.is_absolute() and ".." not in path.parts


def swap_in(out: Path, tree: Path) -> None:
    """Replace the output folder with the staged tree, in one step where the OS allows."""
    if out.exists() and not out.is_dir():  # put there since the build began: the swap would throw it away
        raise NotADirectoryError(errno.ENOTDIR, "not a folder: something else was put there during the build",
                                 str(out))
    if out.exists() and exchange(tree, out):
        return  # the old output now sits in the stage, which the caller removes
    old = old_dir(out)
    if tree.exists():
        if out.exists() and not old.exists():
            os.replace(out, old)
        shutil.rmtree(out, ignore_errors=True)
        os.replace(tree, out)
    shutil.rmtree(old, ignore_errors=True)


def remove_file(out: Path, rel: str) -> None:
    """Delete an output file and any folders it leaves empty."""
    path = out / rel
    path.unlink(missing_ok=True)
    parent = path.parent
    while parent != out and parent.is_relative_to(out):
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux renameat2; False where that is not available."""
    import ctypes.util  # only a full build swaps; the rest never pays for loading ctypes

    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0

"""What is on disk: every input file with its stat key, found with os.scandir (fast)."""

from __future__ import annotations

import os
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Found:
    """One input file: its path relative to the folder scanned, and its stat key."""

    rel: str
    path: str
    changed_ns: int
    size: int


HIDDEN = (".", "#")
PRIVATE = (".", "#", "_")
# Files editors, browsers and systems write beside the real ones: backups, vim swap files, emacs autosaves and locks,
# JetBrains and GNOME temporary names, half-done downloads, Finder's notes. Never an input in any folder, so never
# published, and a change to one never rebuilds a preview (watch). Files only: a folder may be named so. (vim's
# 4913 probe is not one: it comes and goes within one save, and a page of a WordPress site may be 4913.)
# Told by their ends and starts, not a regular expression: every scan asks it of every file.
_TEMPORARY_ENDS = ("~", ".swp", ".tmp", "___jb_tmp___", "___jb_old___", ".crdownload", ".part")
_TEMPORARY_STARTS = (".#", ".goutputstream-", "._")  # ._x: macOS's AppleDouble notes beside each file it copies
_SWAP_LETTERS = frozenset("abcdefghijklmnopx")  # vim's .x.swp, then .x.swo, ... .x.swa, and .x.swx


def is_temporary(name: str) -> bool:
    """True for the name of an editor's or system's temporary file."""
    if name.endswith(_TEMPORARY_ENDS) or name.startswith(_TEMPORARY_STARTS) or name == ".DS_Store":
        return True
    if name.startswith("#"):  # emacs's #x.md#
        return len(name) > 1 and name.endswith("#")
    return name.startswith(".") and len(name) > 5 and name[-4:-1] == ".sw" and name[-1] in _SWAP_LETTERS


def untracked(path: str, skipped: tuple[str, ...] = HIDDEN) -> bool:
    """True for a file a scan skips, by its path under the folder scanned (`./x.html` is x.html): a file or folder
    on its way whose name starts with `skipped`, or a temporary file's name."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    return any(part.startswith(skipped) for part in parts) or bool(parts) and is_temporary(parts[-1])


Unusable = list[tuple[str, str]]  # (path relative to the folder scanned, why it was left out)


LOOP = "a link to a folder it is in"


def scan(folder: Path, suffix: str = "", skipped: tuple[str, ...] = HIDDEN,
         unusable: Unusable | None = None, temporary: bool = True,
         output: Path | None = None, passed: list[str] | None = None) -> list[Found]:
    """Files under folder (ending in suffix), sorted, skipping editor temp files and names starting with `skipped`
    (the files among those go to `passed`, if given: the folders are never walked).

    What cannot be read as a file (a link to nothing, a pipe, a link to a folder it is in or to the `output`
    folder, which would be copied into itself) goes to `unusable`; so does the folder itself (as "") when it is no
    folder: a file, or (as callers ask only for a folder that is there in some form) a link to nothing."""
    found: list[Found] = []
    if folder.is_dir():
        # The folder and every folder above it, as named and as linked to (the site's own holds static/ too).
        refused = {identity: LOOP for above in {folder, *Path(os.path.abspath(folder)).parents,
                                                *folder.resolve().parents} if (identity := _stat_identity(above))}
        if output is not None and output.is_dir():
            refused.setdefault(_identity(os.stat(output)), "a link to the output folder, which would copy itself")
        _walk(str(folder), "", suffix, (skipped, temporary), found, [] if unusable is None else unusable, refused,
              passed)
    elif unusable is not None:
        unusable.append(("", "a file, not a folder" if folder.exists() else "a link to nothing"))
    return sorted(found, key=lambda f: f.rel)


def every_file(folder: Path, unusable: Unusable | None = None) -> list[Found]:
    """Every file under a folder a build wrote, hidden or named like a temporary file (a page's slug may be)."""
    return scan(folder, skipped=(), unusable=unusable, temporary=False)


def _walk(folder: str, prefix: str, suffix: str, skipped: tuple[tuple[str, ...], bool],
          found: list[Found], unusable: Unusable, refused: dict[tuple[int, int], str],
          passed: list[str] | None = None) -> None:
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError as exc:
        unusable.append((prefix.rstrip("/"), f"cannot be read ({exc.strerror or exc})"))
        return
    for entry in entries:
        if entry.name.startswith(skipped[0]):
            if passed is not None and not is_temporary(entry.name):
                with suppress(OSError):  # a link that leads to itself is no file either
                    if entry.is_file():
                        passed.append(prefix + entry.name)
            continue
        rel = prefix + entry.name
        try:
            is_dir = entry.is_dir()
        except OSError as exc:  # a link that leads to itself (ELOOP) is neither file nor folder
            unusable.append((rel, f"cannot be read ({exc.strerror or exc})"))
            continue
        if not entry.name.isascii() and not utf8(entry.name):  # no URL, page or cache row can spell it
            unusable.append((rel, "its name is not valid UTF-8 (rename it)"))
        elif is_dir:
            identity = _identity(entry.stat())
            if identity in refused:  # a link back up the tree would be walked until the OS refused
                unusable.append((rel, refused[identity]))
            else:
                _walk(entry.path, rel + "/", suffix, skipped, found, unusable, refused | {identity: LOOP}, passed)
        elif not entry.name.endswith(suffix) or skipped[1] and is_temporary(entry.name):
            continue
        elif entry.is_file():
            stat = entry.stat()
            found.append(Found(rel, entry.path, changed_stamp(stat), stat.st_size))
        else:
            dangling = entry.is_symlink() and not os.path.exists(entry.path)
            unusable.append((rel, "a link to nothing" if dangling else "not a regular file"))


def changed_stamp(stat: os.stat_result) -> int:
    """When a file last changed, as far as stat tells: its ctime, which every write, rename and mtime change sets
    to now. A tool can set the mtime back (`touch -d`, `cp -p`, `rsync -a`) to what it was before an edit of the
    same size; the ctime, never. Windows gives the file's birth as its ctime: there the mtime is all it has."""
    return stat.st_mtime_ns if os.name == "nt" else stat.st_ctime_ns


def utf8(name: str) -> bool:
    """False for a file name the OS gave with bytes that are not UTF-8 (decoded as lone surrogates)."""
    try:
        name.encode()
    except UnicodeEncodeError:
        return False
    return True


def _identity(stat: os.stat_result) -> tuple[int, int]:
    return stat.st_dev, stat.st_ino


def _stat_identity(path: Path) -> tuple[int, int] | None:
    try:
        return _identity(os.stat(path))
    except OSError:  # a folder above that cannot be stat'ed cannot be walked into either
        return None


POST_SUFFIXES = (".md", ".markdown")  # as Jekyll and Hugo read them
STATIC_SKIPPED = (".DS_Store", ".git")


@dataclass
class Inputs:
    """Every input file of a build, found by one scan."""

    posts: dict[str, Found]  # by site-relative path, posts/...
    ignored: list[str]  # other files under posts/, which are not posts
    templates: list[Found]
    static: dict[str, Found]  # by output path
    config: Found
    started_ns: int
    sources: Found | None = None  # sources.yaml, when the site has one
    # A rescan's post files stat'ed again (added, changed or gone), and the scan it updated: only they can differ.
    restated: frozenset[str] | None = None
    base: dict[str, Found] | None = None
    unusable: Unusable = field(default_factory=list)  # by site-relative path: files no build can read

    def files(self) -> list[Found]:
        return [*self.posts.values(), *self.templates, *self.static.values(), self.config,
                *([self.sources] if self.sources else [])]


def is_post_name(rel: str) -> bool:
    """True for a file posts/ reads as a post: .md or .markdown, in any case (NOTE.MD, as Jekyll reads it)."""
    return rel.lower().endswith(POST_SUFFIXES)


def is_private(rel: str, starts: tuple[str, ...] = PRIVATE) -> bool:
    """True for a path under posts/ that a name beginning with one of `starts` keeps out of the site."""
    for start in starts:  # noqa: SIM110 - asked of every post of every scan: no split, no generator
        if rel[:1] == start or "/" + start in rel:
            return True
    return False


def scan_posts(folder: Path, unusable: Unusable | None = None) -> tuple[dict[str, Found], list[str]]:
    """The post files under posts/, and every other file there a build leaves out: one not named as a post, and
    a post kept private (`_ideas/x.md`, `_x.md`: a Jekyll site's `_posts/` copied in would vanish unsaid)."""
    posts, ignored, left, hidden = {}, [], [], []
    for found in scan(folder, "", HIDDEN, left, passed=hidden):
        private = is_private(found.rel, ("_",))  # the scan walks no folder starting with . or #
        if is_post_name(found.rel) and not private:
            posts["posts/" + found.rel] = found
        elif is_post_name(found.rel) or not private:  # a private folder's other files: its own
            ignored.append("posts/" + found.rel)
    ignored += ["posts/" + rel for rel in sorted(hidden) if is_post_name(rel)]  # `#1 lesson.md`, `.later.md`
    if unusable is not None:
        unusable += named("posts", [(rel, why) for rel, why in left if rel and not is_private(rel)])
        if not folder.is_dir():  # a site with no posts yet still has the folder: `init` makes it
            unusable.append(("posts", "a file, not the folder of posts" if folder.exists() else
                             "no such folder, so the site has no posts"))
    return posts, ignored


def scan_static(folders: list[Path], unusable: Unusable | None = None, output: Path | None = None) -> dict[str, Found]:
    """Static files by output path; a later folder's file replaces an earlier one's."""
    files = {}
    for folder in folders:
        left: Unusable = []
        files.update((f.rel, f) for f in scan(folder, skipped=STATIC_SKIPPED, unusable=left, output=output))
        if unusable is not None:  # as the site names it: static/ may be a link to a folder named otherwise
            unusable += named("static", left)
    return files


def named(folder: str, unusable: Unusable) -> Unusable:
    """Unusable files named from the site: posts/x.md rather than x.md."""
    return [(f"{folder}/{rel}".rstrip("/"), why) for rel, why in unusable]


def stat_file(path: Path, rel: str) -> Found | None:
    """One file's stat key, or None when it is not a file (any more)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return Found(rel, str(path), changed_stamp(stat), stat.st_size) if path.is_file() else None

"""The build cache: parsed posts by file, page fingerprints, and the output manifest.

It lives in memory for a long-running process. Between `build` runs it is kept under
.cache/linkblog/: the index as one pickle of plain tuples (fast to load), and post
bodies in SQLite, fetched only for the pages that are rendered again. Anything damaged,
truncated or from another version is dropped with a warning, never trusted.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from linkblog import __version__
from linkblog.model import Post, Via
from linkblog.output import write_file
from linkblog.problems import Problem

FORMAT = 2
CACHE_DIR = Path(".cache") / "linkblog"
INDEX_FILE = CACHE_DIR / "index.pickle"
BODIES_FILE = CACHE_DIR / "bodies.sqlite"
INPUTS_FILE = CACHE_DIR / "inputs.json"
# A file changed within this long of the cache being written may share its mtime with
# the version we parsed (coarse filesystem clocks), so its bytes are checked instead.
RACY_NS = 2_000_000_000


class CacheError(Exception):
    """The cache on disk cannot be trusted."""


@dataclass(slots=True)
class ParsedFile:
    """A post file as last parsed: its stat key, content digest and result."""

    mtime_ns: int
    size: int
    digest: str
    post: Post | None
    problems: list[Problem]


@dataclass
class BuildCache:
    """Everything one build leaves for the next."""

    parse_key: str = ""
    render_key: str = ""
    files: dict[str, ParsedFile] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    out: str = ""
    saved_ns: int = 0

    def fresh(self, rel: str, mtime_ns: int, size: int) -> ParsedFile | None:
        """The cached parse of a file whose stat is unchanged and not racy."""
        entry = self.files.get(rel)
        if entry and (entry.mtime_ns, entry.size) == (mtime_ns, size) and mtime_ns < self.saved_ns - RACY_NS:
            return entry
        return None


_POST_FIELDS = ("path", "title", "slug", "excerpt", "digest", "tags", "link", "source", "draft", "summary", "extra")


def pack(entry: ParsedFile) -> tuple:
    """A cache entry as plain tuples, without the post body (kept in SQLite)."""
    post = entry.post
    packed_post = None
    if post is not None:
        via = (post.via.name, post.via.url) if post.via else None
        packed_post = (*(getattr(post, name) for name in _POST_FIELDS), post.date.isoformat(), via)
    problems = [(p.path, p.message, p.line, p.warning) for p in entry.problems]
    return entry.mtime_ns, entry.size, entry.digest, packed_post, problems


def unpack(packed: tuple) -> ParsedFile:
    """The inverse of pack; the post's html stays None until fetched."""
    mtime_ns, size, digest, packed_post, problems = packed
    post = None
    if packed_post is not None:
        *values, date, via = packed_post
        fields: dict[str, Any] = dict(zip(_POST_FIELDS, values, strict=True))
        post = Post(date=datetime.fromisoformat(date), html=None, via=Via(*via) if via else None, **fields)
    return ParsedFile(mtime_ns, size, digest, post, [Problem(*p) for p in problems])


def load_cache(root: Path) -> tuple[BuildCache, list[Problem]]:
    """The cache saved by the last build, or an empty one (with a warning if it was unusable)."""
    path = root / INDEX_FILE
    if not path.exists():
        return BuildCache(), []
    try:
        with open(path, "rb") as handle:
            data = pickle.load(handle)
        if not isinstance(data, dict) or data.get("format") != (FORMAT, __version__):
            raise CacheError("made by another version of linkblog")
        files = {rel: unpack(packed) for rel, packed in data["files"].items()}
        cache = BuildCache(data["parse_key"], data["render_key"], files, data["pages"], data["outputs"],
                           data["out"], data["saved_ns"])
        return cache, []
    except Exception as exc:  # noqa: BLE001 - whatever is wrong with it, it is not to be trusted
        return BuildCache(), [cache_warning(exc)]


def cache_warning(exc: Exception) -> Problem:
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return Problem(str(CACHE_DIR), f"ignoring the build cache ({reason}); rebuilding everything", warning=True)


def save_cache(root: Path, cache: BuildCache) -> list[Problem]:
    """Store new post bodies, then the index that refers to them; a failure only costs speed."""
    try:
        store(root, cache)
    except (sqlite3.Error, OSError) as exc:
        for name in (INDEX_FILE, BODIES_FILE):
            (root / name).unlink(missing_ok=True)
        return [cache_warning(exc)]
    return []


def store(root: Path, cache: BuildCache) -> None:
    with bodies(root) as db:
        db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?)",
                       [(e.digest, e.post.html) for e in cache.files.values() if e.post and e.post.html is not None])
        count = db.execute("SELECT count(*) FROM bodies").fetchone()[0]
        if count > 2 * len(cache.files) + 100:  # prune bodies no file uses any more
            keep = [(e.digest,) for e in cache.files.values()]
            db.execute("CREATE TEMP TABLE keep (digest TEXT PRIMARY KEY)")
            db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", keep)
            db.execute("DELETE FROM bodies WHERE digest NOT IN (SELECT digest FROM keep)")
    data = {"format": (FORMAT, __version__), "parse_key": cache.parse_key, "render_key": cache.render_key,
            "files": {rel: pack(e) for rel, e in cache.files.items()}, "pages": cache.pages,
            "outputs": cache.outputs, "out": cache.out, "saved_ns": cache.saved_ns}
    write_file(root / INDEX_FILE, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


def fill_bodies(root: Path, posts: list[Post]) -> None:
    """Give each post loaded from the cache its html again, from SQLite."""
    missing = {p.digest for p in posts if p.html is None}
    if not missing:
        return
    found: dict[str, str] = {}
    try:
        with bodies(root) as db:
            wanted = sorted(missing)
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(db.execute(f"SELECT digest, html FROM bodies WHERE digest IN ({marks})", chunk))
    except sqlite3.Error as exc:
        raise CacheError(f"post bodies unreadable: {exc}") from None
    if missing - found.keys():
        raise CacheError("post bodies missing")
    for post in posts:
        if post.html is None:
            post.html = found[post.digest]


class bodies:  # noqa: N801 - used as a context manager, like open()
    """A transaction on the SQLite store of post bodies, closed afterwards."""

    def __init__(self, root: Path):
        (root / CACHE_DIR).mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(root / BODIES_FILE)

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("CREATE TABLE IF NOT EXISTS bodies (digest TEXT PRIMARY KEY, html TEXT NOT NULL)")
        return self.db

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:
            self.db.commit()
        self.db.close()


@dataclass(frozen=True, slots=True)
class InputState:
    """The input key of the last good build, so a build with nothing to do can stop early."""

    key: str
    stamp_ns: int
    release: float | None
    posts: int
    pages: int

    def unchanged(self, key: str, newest_ns: int, now: datetime) -> bool:
        """True when no input changed (and none too recently to tell) and no post came due."""
        due = self.release is not None and now.timestamp() >= self.release
        return key == self.key and newest_ns < self.stamp_ns - RACY_NS and not due


def load_inputs(root: Path) -> InputState | None:
    """The last good build's input state, if it can be read."""
    try:
        return InputState(**json.loads((root / INPUTS_FILE).read_bytes()))
    except (OSError, ValueError, TypeError):
        return None


def save_inputs(root: Path, state: InputState) -> None:
    data = {name: getattr(state, name) for name in InputState.__slots__}
    write_file(root / INPUTS_FILE, json.dumps(data).encode())

"""The build cache: parsed posts by file, page fingerprints, and the output manifest.

It lives in memory for a long-running process. Between `build` runs it is kept in one
SQLite database under .cache/linkblog/, and each build writes only the rows that changed,
in one transaction. Post bodies are fetched only for the pages rendered again. Anything
damaged, truncated or from another version is dropped with a warning, never trusted.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from linkblog import __version__
from linkblog.model import Post, Via
from linkblog.output import write_file
from linkblog.problems import Problem

FORMAT = f"3:{__version__}"
CACHE_DIR = Path(".cache") / "linkblog"
DATABASE = CACHE_DIR / "cache.sqlite"
INPUTS_FILE = CACHE_DIR / "inputs.json"
# A file changed within this long of the cache being written may share its mtime with
# the version we parsed (coarse filesystem clocks), so its bytes are checked instead.
RACY_NS = 2_000_000_000
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (rel TEXT PRIMARY KEY, packed BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS bodies (digest TEXT PRIMARY KEY, html TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, fingerprint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outputs (rel TEXT PRIMARY KEY, digest TEXT NOT NULL);
"""


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
    """Everything one build leaves for the next, and what was last stored, to save only changes."""

    parse_key: str = ""
    render_key: str = ""
    files: dict[str, ParsedFile] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    out: str = ""
    saved_ns: int = 0
    stored: dict[str, dict[str, Any]] = field(default_factory=lambda: {"files": {}, "pages": {}, "outputs": {}})

    def fresh(self, rel: str, mtime_ns: int, size: int) -> ParsedFile | None:
        """The cached parse of a file whose stat is unchanged and not racy."""
        entry = self.files.get(rel)
        if entry and (entry.mtime_ns, entry.size) == (mtime_ns, size) and mtime_ns < self.saved_ns - RACY_NS:
            return entry
        return None


_POST_FIELDS = ("path", "title", "slug", "excerpt", "digest", "tags", "link", "source", "draft", "summary", "extra")


def pack(entry: ParsedFile) -> tuple:
    """A cache entry as plain tuples, without the post body (kept in its own table)."""
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


def connect(root: Path) -> sqlite3.Connection:
    (root / CACHE_DIR).mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(root / DATABASE)
    db.executescript(SCHEMA)
    return db


def load_cache(root: Path) -> tuple[BuildCache, list[Problem]]:
    """The cache saved by the last build, or an empty one (with a warning if it was unusable)."""
    if not (root / DATABASE).exists():
        return BuildCache(), []
    try:
        db = connect(root)
        try:
            return read_cache(db), []
        finally:
            db.close()
    except Exception as exc:  # noqa: BLE001 - whatever is wrong with it, it is not to be trusted
        (root / DATABASE).unlink(missing_ok=True)
        return BuildCache(), [cache_warning(exc)]


def read_cache(db: sqlite3.Connection) -> BuildCache:
    meta = dict(db.execute("SELECT key, value FROM meta"))
    if meta.get("format") != FORMAT:
        raise CacheError("made by another version of linkblog")
    packed = {rel: pickle.loads(blob) for rel, blob in db.execute("SELECT rel, packed FROM files")}
    cache = BuildCache(meta["parse_key"], meta["render_key"], {rel: unpack(p) for rel, p in packed.items()},
                       dict(db.execute("SELECT url, fingerprint FROM pages")),
                       dict(db.execute("SELECT rel, digest FROM outputs")), meta["out"], int(meta["saved_ns"]))
    cache.stored = {"files": dict(cache.files), "pages": dict(cache.pages), "outputs": dict(cache.outputs)}
    if meta.get("dirty") == "1":  # killed while changing the output: rebuild it whole
        cache.pages, cache.outputs = {}, {}
    return cache


def cache_warning(exc: Exception) -> Problem:
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return Problem(str(CACHE_DIR), f"ignoring the build cache ({reason}); rebuilding everything", warning=True)


def forget_cache(root: Path) -> None:
    (root / DATABASE).unlink(missing_ok=True)
    (root / INPUTS_FILE).unlink(missing_ok=True)


def save_cache(root: Path, cache: BuildCache) -> list[Problem]:
    """Store what changed since the cache was loaded; a failure only costs speed next time."""
    try:
        db = connect(root)
        try:
            with db:
                store(db, cache)
        finally:
            db.close()
    except (sqlite3.Error, OSError) as exc:
        forget_cache(root)
        return [cache_warning(exc)]
    cache.stored = {"files": dict(cache.files), "pages": dict(cache.pages), "outputs": dict(cache.outputs)}
    return []


def store(db: sqlite3.Connection, cache: BuildCache) -> None:
    """Write the changed rows; runs inside one transaction."""
    meta = {"format": FORMAT, "parse_key": cache.parse_key, "render_key": cache.render_key, "out": cache.out,
            "saved_ns": str(cache.saved_ns), "dirty": "0"}
    db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
    stored = cache.stored
    changed = {rel: e for rel, e in cache.files.items() if stored["files"].get(rel) is not e}
    db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?)",
                   [(rel, pickle.dumps(pack(e), protocol=pickle.HIGHEST_PROTOCOL)) for rel, e in changed.items()])
    db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?)",
                   [(e.digest, e.post.html) for e in changed.values() if e.post and e.post.html is not None])
    db.executemany("DELETE FROM files WHERE rel = ?", [(rel,) for rel in stored["files"].keys() - cache.files.keys()])
    for table, key, current in (("pages", "url", cache.pages), ("outputs", "rel", cache.outputs)):
        old = stored[table]
        db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)",
                       [(k, v) for k, v in current.items() if old.get(k) != v])
        db.executemany(f"DELETE FROM {table} WHERE {key} = ?", [(k,) for k in old.keys() - current.keys()])
    if db.execute("SELECT count(*) FROM bodies").fetchone()[0] > 2 * len(cache.files) + 100:
        db.execute("DELETE FROM bodies WHERE digest NOT IN (SELECT value FROM json_each(?))",
                   (json.dumps([e.digest for e in cache.files.values()]),))


def fill_bodies(root: Path, posts: list[Post]) -> None:
    """Give each post loaded from the cache its html again."""
    missing = {p.digest for p in posts if p.html is None}
    if not missing:
        return
    found: dict[str, str] = {}
    try:
        db = connect(root)
        try:
            wanted = sorted(missing)
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(db.execute(f"SELECT digest, html FROM bodies WHERE digest IN ({marks})", chunk))
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise CacheError(f"post bodies unreadable: {exc}") from None
    if missing - found.keys():
        raise CacheError("post bodies missing")
    for post in posts:
        if post.html is None:
            post.html = found[post.digest]


@dataclass(frozen=True, slots=True)
class InputState:
    """The input key of the last good build, so a build with nothing to do can stop early."""

    key: str
    stamp_ns: int
    release: float | None
    posts: int
    files: int
    output: int
    warnings: list[list[Any]]

    def unchanged(self, key: str, newest_ns: int, now: datetime, output: int) -> bool:
        """True when no input changed (nor too recently to tell), no post came due and the output is ours."""
        due = self.release is not None and now.timestamp() >= self.release
        return key == self.key and newest_ns < self.stamp_ns - RACY_NS and not due and output == self.output


def load_inputs(root: Path) -> InputState | None:
    """The last good build's input state, if it can be read."""
    try:
        return InputState(**json.loads((root / INPUTS_FILE).read_bytes()))
    except (OSError, ValueError, TypeError):
        return None


def mark_dirty(root: Path) -> None:
    """Record, before the output changes, that the stored manifest may no longer describe it."""
    (root / INPUTS_FILE).unlink(missing_ok=True)
    if (root / DATABASE).exists():
        try:
            with closing(connect(root)) as db, db:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('dirty', '1')")
        except sqlite3.Error:
            forget_cache(root)


def save_inputs(root: Path, state: InputState) -> None:
    data = {name: getattr(state, name) for name in InputState.__slots__}
    write_file(root / INPUTS_FILE, json.dumps(data).encode())

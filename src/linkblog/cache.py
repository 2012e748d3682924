"""The build state on disk: one SQLite database of plain columns and JSON, never code.

Nothing read from a site folder may run code, and a cache can be handed around with a blog's
repository: every row is text, numbers or JSON with dates spelled out, checked as it is read.
Each build writes only the rows that changed, in one transaction. A cache that is damaged,
from other code, or holds a value of the wrong shape is dropped with a warning and rebuilt.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterable, Iterator
from contextlib import closing, suppress
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, TypeVar

from linkblog.incremental import FileState, State
from linkblog.model import Parsed, Via, assembled
from linkblog.problems import Problem
from linkblog.yamlload import bounded_bytes

CACHE_DIR = Path(".cache") / "linkblog"
DATABASE = CACHE_DIR / "cache.sqlite"
INPUTS_FILE = CACHE_DIR / "inputs.json"
# Which posts each output folder was last built with, so `deploy --no-build` never publishes drafts.
BUILT_FILE = CACHE_DIR / "built.json"
# The most a JSON record above is read to: inputs.json, the larger, holds each warning and the path and digest of
# each post changed during the scan, a few hundred bytes a post even if every one of 100,000 posts has them.
MAX_RECORD_BYTES = 64 * 2**20
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (rel TEXT PRIMARY KEY, changed_ns INTEGER NOT NULL, size INTEGER NOT NULL,
                                  digest TEXT NOT NULL, problems TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS posts (rel TEXT PRIMARY KEY, title TEXT, date TEXT, slug TEXT, excerpt TEXT,
                                  digest TEXT, tags TEXT, link TEXT, source TEXT, via_name TEXT, via_url TEXT,
                                  draft INTEGER, summary TEXT, extra TEXT, article TEXT);
CREATE TABLE IF NOT EXISTS bodies (rel TEXT PRIMARY KEY, digest TEXT NOT NULL, html TEXT NOT NULL,
                                   quote_end INTEGER);
CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, fingerprint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outputs (rel TEXT PRIMARY KEY, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS templates (name TEXT PRIMARY KEY, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (rel TEXT NOT NULL, use TEXT NOT NULL, key TEXT NOT NULL, html TEXT NOT NULL,
                                    PRIMARY KEY (rel, use));
"""
_META = ("code", "parse_key", "render_key", "out", "saved_ns", "template_key")
# Every column of a stored post, with the SQLite types it may hold: anything else is refused at once.
_POST_COLUMNS = {"title": "text", "date": "text", "slug": "text", "excerpt": "text", "digest": "text",
                 "tags": "text", "link": "text null", "source": "text null", "via_name": "text null",
                 "via_url": "text null", "draft": "integer", "summary": "text null", "extra": "text null",
                 "article": "text null"}
_SQL_TYPES = {"text": str, "integer": int, "null": type(None)}
_POST_TYPES = ((str,), *(tuple(_SQL_TYPES[t] for t in types.split()) for types in _POST_COLUMNS.values()))
# A post's body (its HTML, where the quote it opens with ends) has a table of its own: most of the cache's bytes,
# read only for the posts the pages a build renders show (load_bodies), unless the site's templates may show
# any post's body anywhere. Each is stored with its post's digest, so that a body is never another version's.
_BODY_TYPES = ((str,), (str,), (int, type(None)))
_FILE_TYPES = ((str,), (int,), (int,), (str,), (str,))
_ENTRY_TYPES = ((str,), (str,), (str,))
_JSON = json.JSONDecoder()
P = TypeVar("P", bound=Parsed)
Body = tuple[str, int | None]  # a post's HTML and where the quote it opens with ends


class CacheError(Exception):
    """The cache on disk cannot be trusted."""


class OutOfDate(Exception):
    """The cache was made by other code."""


def encode(value: Any) -> Any:
    """Front-matter data as JSON, with dates and non-text keys spelled out."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"$map": [[encode(k), encode(v)] for k, v in value.items()]}
    return value


def decode(value: Any) -> Any:
    """The inverse of encode; anything else than what encode writes is a CacheError."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        if value is None or isinstance(value, (str, int, float)):
            return value
        raise CacheError(f"unexpected value {value!r}")
    tagged = next(iter(value), None) if len(value) == 1 else None
    readers = {"$datetime": datetime.fromisoformat, "$date": date.fromisoformat,
               "$map": lambda v: {decode(k): decode(x) for k, x in v}}
    if tagged in readers:
        return readers[tagged](value[tagged])
    if any(k.startswith("$") for k in value):
        raise CacheError("unexpected tag in front-matter data")
    return {k: decode(v) for k, v in value.items()}


def post_row(parsed: Parsed) -> tuple:
    """A parsed post as the columns of its row, after its path: all but its body (body_row)."""
    return (parsed.title, parsed.date.isoformat(), parsed.slug, parsed.excerpt, parsed.digest,
            json.dumps(list(parsed.tags), ensure_ascii=False), parsed.link, parsed.source,
            parsed.via.name if parsed.via else None, parsed.via.url if parsed.via else None, int(parsed.draft),
            parsed.summary, json.dumps(encode(parsed.extra), ensure_ascii=False) if parsed.extra else None,
            parsed.article)


def body_row(parsed: Parsed) -> tuple[str, str, int | None]:
    """A parsed post's body, as its row holds it after its path: its digest, HTML and quote's end."""
    return parsed.digest, parsed.html, parsed._quoted[1] if parsed._quoted else None


def row_post(rel: str, row: tuple, tz: tzinfo, body: Body = ("", None)) -> Parsed:
    """A parsed post from its row, whose column types read_state has checked, and its body.

    Read without its body, its HTML is empty until with_body gives it the body load_bodies reads."""
    title, date_text, slug, excerpt, digest, tags, link, source, via_name, via_url, draft, summary, extra, \
        article = row
    moment = datetime.fromisoformat(date_text)
    if moment.tzinfo is None:
        raise CacheError("a date without its offset")
    names = tuple(json_list(tags)) if tags != "[]" else ()
    try:
        "".join(names)  # refuses anything but text, at C speed (JSON makes no subclass of str)
    except TypeError:
        raise CacheError("unexpected tag") from None
    via = Via(via_name, via_url) if via_name is not None else None
    extras = expect(decode(json.loads(extra)), dict) if extra is not None else {}
    if link and article is None:  # not as this code saves a link: its own __init__ compares it again
        return Parsed(path=rel, title=title, date=moment.astimezone(tz), slug=slug, html=body[0], excerpt=excerpt,
                      digest=digest, tags=names, link=link, source=source, via=via, draft=bool(draft),
                      summary=summary, extra=extras, _quoted=body)
    # In field order; the body's HTML is `html` itself, and the link compared is this link's.
    return assembled(Parsed, rel, title, moment.astimezone(tz), slug, body[0], excerpt, digest, names, link, source,
                     via, bool(draft), summary, extras, (link, article) if link else None, body)


def with_body(post: P, body: Body) -> P:
    """A post read from its row, with its body."""
    html, quote_end = body
    return replace(post, html=html, _quoted=(html, quote_end))


def json_list(text: str) -> list:
    """A JSON list, read without json.loads' per-call overhead (10,000 posts each have one)."""
    value, end = _JSON.raw_decode(text)
    if end != len(text) or type(value) is not list:
        raise CacheError("unexpected tag list")
    return value


def expect(value: Any, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(value, kind):
        raise CacheError(f"unexpected {type(value).__name__} in a post")
    return value


def pack_problems(problems: list[Problem]) -> str:
    return json.dumps([[p.path, p.message, p.line, p.warning] for p in problems], ensure_ascii=False)


def unpack_problems(packed: str) -> list[Problem]:
    problems = []
    for path, message, line, warning in json.loads(packed):
        if not (isinstance(path, str) and isinstance(message, str) and isinstance(line, (int, type(None)))
                and isinstance(warning, bool)):
            raise CacheError("unexpected problem row")
        problems.append(Problem(path, message, line, warning))
    return problems


def connect(root: Path) -> sqlite3.Connection:
    (root / CACHE_DIR).mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(database_file(root))
    db.executescript(SCHEMA)
    return db


def database_file(root: Path) -> Path:
    """The database's path, while a regular file or nothing is there: a CacheError for anything else, so that no
    database is opened through a link (SQLite follows it, and would write its tables into another database)."""
    path = root / DATABASE
    with suppress(FileNotFoundError):
        if not stat.S_ISREG(path.lstat().st_mode):
            raise CacheError(f"{DATABASE} is not a regular file")
    return path


def has_database(root: Path) -> bool:
    """True when something is where the database goes, be it a link to nothing."""
    return os.path.lexists(root / DATABASE)


def load_state(root: Path, code: str, tz: tzinfo, bodies: bool,
               read_only: bool = False) -> tuple[State, Saved | None, list[Problem]]:
    """The state the last build saved and the rows it was read from, or an empty one and no rows (with a
    warning if the saved one was unusable); with every post's body, or (`bodies` False) none.

    `read_only`: the database is opened for reading only and, unusable, left as it is and not told of: the
    build reading it (a check's) parses the posts instead and keeps no cache."""
    if not has_database(root):
        return State(), None, []
    try:
        with closing(open_read_only(root) if read_only else connect(root)) as db:
            return *read_state(db, code, tz, bodies), []
    except OutOfDate:  # another linkblog version or other code: a rebuild, not a problem
        if not read_only:
            forget_cache(root)
        return State(), None, []
    except Exception as exc:  # noqa: BLE001 - whatever is wrong with it, it is not to be trusted
        if read_only:
            return State(), None, []
        forget_cache(root)
        return State(), None, [cache_warning(exc)]


def open_read_only(root: Path) -> sqlite3.Connection:
    """The database, opened so that nothing (not even its schema) can be written to it, nor one made where it
    is gone."""
    return sqlite3.connect(f"{database_file(root).absolute().as_uri()}?mode=ro", uri=True)


def read_state(db: sqlite3.Connection, code: str, tz: tzinfo, bodies: bool) -> tuple[State, Saved]:
    meta = dict(db.execute("SELECT key, value FROM meta"))
    if meta.get("code") != code:
        raise OutOfDate()
    state = State(code, meta["parse_key"], meta["render_key"], meta["out"], int(meta["saved_ns"]),
                  meta["template_key"])
    if bodies:
        query = f"SELECT rel, {', '.join(f'posts.{c}' for c in _POST_COLUMNS)}, bodies.digest, html, quote_end " \
                "FROM posts LEFT JOIN bodies USING (rel)"
        posts = {}
        for row in typed(db.execute(query), _POST_TYPES + _BODY_TYPES):
            if row[-3] != row[5]:  # the body of another version of the post, or none
                raise CacheError("a post without its body")
            posts[row[0]] = row_post(row[0], row[1:-3], tz, row[-2:])
    else:
        posts = {row[0]: row_post(row[0], row[1:], tz)
                 for row in typed(db.execute(f"SELECT rel, {', '.join(_POST_COLUMNS)} FROM posts"), _POST_TYPES)}
        state.unread = dict(posts)
    for rel, changed_ns, size, digest, problems in typed(db.execute("SELECT * FROM files"), _FILE_TYPES):
        parsed = posts.get(rel)
        if parsed is None and problems == "[]":  # a file that is no post says why
            raise CacheError("a post file without its post")
        state.files[rel] = FileState(changed_ns, size, digest, parsed,
                                     unpack_problems(problems) if problems != "[]" else [])
    pages = dict(db.execute("SELECT url, fingerprint FROM pages"))
    outputs = dict(db.execute("SELECT rel, digest FROM outputs"))
    state.templates = dict(db.execute("SELECT name, digest FROM templates"))
    # What the database holds, whatever the build then discards (as here, or for a new config or output
    # folder): the next save deletes every row the build no longer has.
    saved = Saved(dict(state.files), pages, outputs, dict(state.templates))
    if meta.get("dirty") != "1":  # else killed while changing the output: rebuild it whole
        state.pages, state.outputs = dict(pages), dict(outputs)
    return state, saved


def output_files(root: Path, out: Path) -> dict[str, str]:
    """The files the last build recorded writing into `out`, each with its digest (or its static file's key);
    none when the cache cannot tell (it describes another folder, or a build that died while changing it)."""
    if not has_database(root):
        return {}
    try:
        with closing(open_read_only(root)) as db:
            meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('out', 'dirty')"))
            if meta.get("out") != str(out) or meta.get("dirty") == "1":
                return {}
            return dict(typed(db.execute("SELECT rel, digest FROM outputs"), ((str,), (str,))))
    except (sqlite3.Error, CacheError):
        return {}


def load_bodies(root: Path, posts: dict[str, Parsed]) -> dict[str, Body] | Problem:
    """The bodies the cache holds of these versions of posts (by path); a warning when it cannot be trusted."""
    if not has_database(root):  # removed since: the posts' files have them
        return {}
    query = "SELECT rel, digest, html, quote_end FROM bodies WHERE rel IN (SELECT value FROM json_each(?))"
    try:
        with closing(open_read_only(root)) as db:
            rows = typed(db.execute(query, (json.dumps(sorted(posts), ensure_ascii=False),)),
                         ((str,), *_BODY_TYPES))
            return {rel: (html, quote_end) for rel, digest, html, quote_end in rows if digest == posts[rel].digest}
    except (sqlite3.Error, CacheError) as exc:
        return cache_warning(exc, "the bodies of the posts shown are read from their files, and the cache is "
                                  "written afresh")


def load_entries(root: Path, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """The entries kept for these (use, post path) pairs: (key, HTML); none when the cache cannot give them."""
    if not wanted or not has_database(root):
        return {}
    # One parameter however many posts: json_each spares SQLite's limit on them, and asking only for
    # the posts shown reads a few rows where a pass over the table would read every entry's HTML.
    query = "SELECT rel, key, html FROM entries WHERE use = ? AND rel IN (SELECT value FROM json_each(?))"
    found = {}
    try:
        with closing(open_read_only(root)) as db:
            for use in sorted({use for use, _ in wanted}):
                rels = sorted(rel for each, rel in wanted if each == use)
                rows = typed(db.execute(query, (use, json.dumps(rels, ensure_ascii=False))), _ENTRY_TYPES)
                found |= {(use, rel): (key, html) for rel, key, html in rows}
    except (sqlite3.Error, CacheError):  # only speed is lost: the entries are rendered again
        return {}
    return found


def typed(rows: Iterable[tuple], allowed: tuple[tuple[type, ...], ...]) -> Iterator[tuple]:
    """The rows, each checked to hold only the Python types its columns allow."""
    seen: set[tuple[type, ...]] = set()  # rows come in few shapes: each is checked once
    for row in rows:
        shape = tuple(map(type, row))
        if shape not in seen:
            if len(shape) != len(allowed) or any(t not in ok for t, ok in zip(shape, allowed, strict=True)):
                raise CacheError("a row holds a value of the wrong type")
            seen.add(shape)
        yield row


@dataclass
class Saved:
    """What was last written to (or read from) the database, to write only the rows that changed."""

    files: dict[str, FileState]
    pages: dict[str, str]
    outputs: dict[str, str]
    templates: dict[str, str]

    @classmethod
    def of(cls, state: State) -> Saved:
        return cls(*(dict(getattr(state, f.name)) for f in fields(cls)))


def save_state(root: Path, state: State, saved: Saved | None) -> tuple[Saved | None, list[Problem]]:
    """Store what changed since `saved` (everything when None); a failure only costs speed next time."""
    made = not has_database(root)  # since read, removed (by hand, or as damaged): its rows are all to write
    try:
        with closing(connect(root)) as db, db:
            if saved is None or made:  # written afresh, in tables as this code makes them (`--clean` reads no older)
                tables = ("files", "posts", "bodies", "pages", "outputs", "templates", "entries")
                db.executescript("".join(f"DROP TABLE IF EXISTS {table};" for table in tables) + SCHEMA)
                saved = Saved({}, {}, {}, {})
            missing = bodiless(state, saved)
            store(db, state, saved, missing)
    except (sqlite3.Error, OSError, CacheError) as exc:
        forget_cache(root)
        return None, [cache_warning(exc)]
    written = Saved.of(state)
    for rel in missing:  # still to write: never, while this process holds it without its body
        del written.files[rel]
    return written, []


def bodiless(state: State, saved: Saved) -> set[str]:
    """The post files whose rows are to be written but whose post this process holds without its body (from a
    database since written afresh): left out, each is parsed again by the next process."""
    return {rel for rel, e in state.files.items()
            if e.parsed is not None and state.unread.get(rel) is e.parsed
            and (saved.files.get(rel) is None or saved.files[rel].parsed is not e.parsed)}


def store(db: sqlite3.Connection, state: State, saved: Saved, missing: set[str]) -> None:
    """Write the changed rows, but for the `missing` posts'; runs inside one transaction."""
    meta = {name: str(getattr(state, name)) for name in _META} | {"dirty": "0"}
    db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
    changed = [(rel, e) for rel, e in state.files.items() if saved.files.get(rel) is not e and rel not in missing]
    db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                   [(rel, e.changed_ns, e.size, e.digest, pack_problems(e.problems)) for rel, e in changed])
    reparsed = [(rel, e.parsed) for rel, e in changed if saved.files.get(rel) is None
                or saved.files[rel].parsed is not e.parsed]
    for table in ("posts", "bodies"):
        db.executemany(f"DELETE FROM {table} WHERE rel = ?", [(rel,) for rel, parsed in reparsed if parsed is None])
    db.executemany(f"INSERT OR REPLACE INTO posts VALUES ({', '.join('?' * (1 + len(_POST_COLUMNS)))})",
                   [(rel, *post_row(parsed)) for rel, parsed in reparsed if parsed is not None])
    db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?, ?)",
                   [(rel, *body_row(parsed)) for rel, parsed in reparsed if parsed is not None])
    gone = [(rel,) for rel in saved.files.keys() - state.files.keys()]
    db.executemany("DELETE FROM files WHERE rel = ?", gone)
    db.executemany("DELETE FROM posts WHERE rel = ?", gone)
    db.executemany("DELETE FROM bodies WHERE rel = ?", gone)
    db.executemany("DELETE FROM entries WHERE rel = ?", gone)
    db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)",
                   [(rel, use, key, html) for (use, rel), (key, html) in state.entries.items()])
    state.entries = {}  # kept now: the next save writes only what is rendered after it
    for table, key, current, old in (("pages", "url", state.pages, saved.pages),
                                     ("outputs", "rel", state.outputs, saved.outputs),
                                     ("templates", "name", state.templates, saved.templates)):
        db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)",
                       [(k, v) for k, v in current.items() if old.get(k) != v])
        db.executemany(f"DELETE FROM {table} WHERE {key} = ?", [(k,) for k in old.keys() - current.keys()])


def cache_warning(exc: Exception, instead: str = "rebuilding everything") -> Problem:
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return Problem(str(CACHE_DIR), f"ignoring the build cache ({reason}); {instead}", warning=True)


def forget_cache(root: Path) -> None:
    """Remove what the next build would read, as far as it can be (a file where .cache/ goes holds nothing): the
    database with SQLite's files beside it (a journal it cannot open, a link, would fail every database made anew)."""
    for path in (*(root / DATABASE.with_name(DATABASE.name + end) for end in ("", "-journal", "-wal", "-shm")),
                 root / INPUTS_FILE):
        with suppress(OSError):
            path.unlink(missing_ok=True)


def mark_dirty(root: Path, output: Path) -> list[Problem]:
    """Record, before the output changes, that the stored manifest and selection may no longer describe it;
    a warning when the cache cannot be told (it is then removed, as far as it can be)."""
    try:
        (root / INPUTS_FILE).unlink(missing_ok=True)
        if has_database(root):
            with closing(connect(root)) as db, db:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('dirty', '1')")
    except (sqlite3.Error, OSError, CacheError) as exc:
        forget_cache(root)
        return [cache_warning(exc, "the next build starts afresh"), *save_built(root, output, None)]
    return save_built(root, output, None)


@dataclass(frozen=True, slots=True)
class InputState:
    """The inputs of the last good build, so that a build with nothing to do can stop after one scan.

    `racy` holds the digests of files changed too close to that scan for their stat to be trusted:
    they are read again, one by one, instead of forcing a full build.
    """

    key: str
    stamp_ns: int
    racy: dict[str, str]
    release: float | None
    posts: int
    files: int  # in the output folder, as that build left it
    output: str  # build.output_identity
    warnings: list[list[Any]]
    left_out: list[str]  # why each unpublished post was left out, told again by a build that stops early
    ignored: list[str]


def load_inputs(root: Path) -> InputState | None:
    """The last good build's input state, if it can be read and has the right shape."""
    try:
        state = InputState(**read_record(root / INPUTS_FILE))
    except (OSError, ValueError, TypeError):
        return None
    shapes = (isinstance(state.key, str) and all(isinstance(n, int) for n in (state.stamp_ns, state.posts,
                                                                                 state.files))
              and isinstance(state.output, str)
              and isinstance(state.release, (int, float, type(None))) and isinstance(state.racy, dict)
              and all(isinstance(v, str) for v in state.racy.values())
              and isinstance(state.warnings, list) and all(is_warning(w) for w in state.warnings)
              and isinstance(state.left_out, list) and isinstance(state.ignored, list)
              and all(isinstance(t, str) for t in [*state.left_out, *state.ignored]))
    return state if shapes else None


def is_warning(row: Any) -> bool:
    """True for a stored warning of the shape Problem takes: [path, message, line or null]."""
    return (isinstance(row, list) and len(row) == 3 and isinstance(row[0], str) and isinstance(row[1], str)
            and isinstance(row[2], (int, type(None))))


def save_inputs(root: Path, state: InputState) -> list[Problem]:
    """Store the input state; a warning when it cannot be (the next build then scans and compares as usual)."""
    data = {name: getattr(state, name) for name in InputState.__slots__}
    return cache_written(root / INPUTS_FILE, json.dumps(data).encode())


def read_record(path: Path) -> Any:
    """One of the cache's JSON records, never read through a link; an OSError or ValueError when it cannot be."""
    data = bounded_bytes(path, MAX_RECORD_BYTES, os.O_NOFOLLOW)
    try:
        return json.loads(data)
    except RecursionError:  # nested deeper than anything this module writes
        raise ValueError("nested too deeply") from None


def cache_written(path: Path, data: bytes) -> list[Problem]:
    """Write one of the cache's files whole, never through a link; a warning when it cannot be, since only speed
    depends on it."""
    temp = path.with_name(path.name + ".linkblog-tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.unlink(missing_ok=True)  # a killed build's, or a link planted in its place: never written through
        with open(temp, "xb") as file:  # O_EXCL: a name made since is refused, not followed
            file.write(data)
        os.replace(temp, path)  # the name replaced, be it a link: its target is left as it is
    except OSError as exc:
        return [cache_warning(exc, "the next build starts afresh")]
    return []


@dataclass(frozen=True, slots=True)
class Built:
    """What the last good build of an output folder let in, the address it was built for, and the folder it left
    (build.output_identity)."""

    drafts: bool
    future: bool
    identity: str
    url: str | None = None  # unknown in a record an older linkblog wrote


def read_built(root: Path) -> dict[str, Any]:
    try:
        records = read_record(root / BUILT_FILE)
    except (OSError, ValueError):
        return {}
    return records if isinstance(records, dict) else {}


def load_built(root: Path, output: Path) -> Built | None:
    """The selection the output folder was built with; None when no record of the right shape says."""
    record = read_built(root).get(str(output))
    try:
        built = Built(**record)
    except TypeError:
        return None
    shapes = isinstance(built.drafts, bool) and isinstance(built.future, bool) and isinstance(built.identity, str) \
        and isinstance(built.url, (str, type(None)))
    return built if shapes else None


def save_built(root: Path, output: Path, built: Built | None) -> list[Problem]:
    """Record (or, with None, forget) how the output folder was built; other folders' records are kept."""
    records = read_built(root)
    if built is None and str(output) not in records:
        return []
    if built is None:
        del records[str(output)]
    else:
        records[str(output)] = {"drafts": built.drafts, "future": built.future, "identity": built.identity,
                                "url": built.url}
    return cache_written(root / BUILT_FILE, json.dumps(records, sort_keys=True).encode())

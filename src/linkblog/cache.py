"""The build cache: parsed posts by file, page fingerprints, and the output manifest.

It lives in memory for a long-running process and is pickled under .cache/linkblog/
between `build` runs. Anything damaged, truncated or from another version is dropped.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path

from linkblog import __version__
from linkblog.model import Post
from linkblog.output import write_file
from linkblog.problems import Problem

FORMAT = 1
CACHE_FILE = Path(".cache") / "linkblog" / "build.pickle"
# A file changed within this long of the cache being written may share its mtime with
# the version we parsed (coarse filesystem clocks), so its bytes are checked instead.
RACY_NS = 2_000_000_000


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
    format: int = FORMAT
    version: str = __version__

    def fresh(self, rel: str, mtime_ns: int, size: int) -> ParsedFile | None:
        """The cached parse of a file whose stat is unchanged and not racy."""
        entry = self.files.get(rel)
        if entry and entry.mtime_ns == mtime_ns and entry.size == size and mtime_ns < self.saved_ns - RACY_NS:
            return entry
        return None


def load_cache(root: Path) -> tuple[BuildCache, list[Problem]]:
    """The cache saved by the last build, or an empty one (with a warning if it was unusable)."""
    path = root / CACHE_FILE
    if not path.exists():
        return BuildCache(), []
    try:
        with open(path, "rb") as handle:
            cache = pickle.load(handle)
        if not isinstance(cache, BuildCache) or (cache.format, cache.version) != (FORMAT, __version__):
            raise ValueError("made by another version of linkblog")
        return cache, []
    except Exception as exc:  # noqa: BLE001 - any failure to unpickle means "do not trust it"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return BuildCache(), [Problem(str(CACHE_FILE), f"ignoring the build cache ({reason}); "
                                      "rebuilding everything", warning=True)]


def save_cache(root: Path, cache: BuildCache) -> None:
    """Write the cache atomically."""
    write_file(root / CACHE_FILE, pickle.dumps(cache, protocol=pickle.HIGHEST_PROTOCOL))

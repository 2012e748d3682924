"""The plain records every importer returns: posts read from another blog, and what was left out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from linkblog.model import Via
from linkblog.problems import Problem


@dataclass(frozen=True, slots=True)
class ImportedPost:
    """One post as another blog had it, its body already Markdown; `date` is timezone-aware."""

    origin: str
    title: str
    date: datetime
    body: str
    tags: tuple[str, ...] = ()
    slug: str | None = None
    link: str | None = None
    source: str | None = None
    via: Via | None = None
    draft: bool = False
    summary: str | None = None
    author: str | None = None
    # Where the post lived on the old blog; a `link` equal to it is no article link (feeds set both).
    origin_url: str | None = None
    # Markdown written after the body (a feed's enclosures), so that the body still ends where its author ended it.
    attached: str = ""
    # The post's addresses on the old blog, each a path from that blog's root (`/2015/06/01/x/`), percent-decoded,
    # and that blog's own address (its base URL) when known: the writer keeps them as `aliases:`.
    aliases: tuple[str, ...] = ()
    old_site: str | None = None


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What every reader needs: the zone for times given without one, and whether drafts come too."""

    tz: ZoneInfo
    drafts: bool = False


@dataclass
class Harvest:
    """What a reader found: posts in the source's order, what it skipped and why, and warnings."""

    posts: list[ImportedPost] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    skipped_names: dict[str, list[str]] = field(default_factory=dict)  # reason -> each item left out for it
    warnings: list[Problem] = field(default_factory=list)
    # The old blog's address: a link there does not "link out", so it names no article.
    home: str | None = None

    def skip(self, reason: str, name: str) -> None:
        """Leave an item out, counted and named under its reason."""
        self.skipped[reason] += 1
        self.skipped_names.setdefault(reason, []).append(name)

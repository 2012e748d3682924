"""The content model: plain dataclasses, no I/O."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import unquote

from linkblog.yamlload import one_line


class PageKind(StrEnum):
    """What a page is; list kinds share one template, feeds are XML."""

    HOME = "home"
    POST = "post"
    TAG = "tag"
    YEAR = "year"
    MONTH = "month"
    SOURCE = "source"
    ARCHIVE = "archive"
    STATS = "stats"
    TAGS = "tags"
    SOURCES = "sources"
    VIA = "via"
    RSS = "rss"
    ATOM = "atom"
    JSON = "json"
    SITEMAP = "sitemap"
    NOT_FOUND = "404"
    ROBOTS = "robots"
    SEARCH = "search"
    REDIRECT = "redirect"  # an old address of a post, sending readers on to it


@dataclass(frozen=True, slots=True)
class Via:
    """Who pointed the author at a link."""

    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Ref:
    """A named thing with a page: a tag or a source as a post shows it."""

    name: str
    slug: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Parsed:
    """One post file as parsed: everything it says, its date in the site's timezone, its HTML."""

    path: str
    title: str
    date: datetime
    slug: str
    html: str
    excerpt: str
    digest: str
    tags: tuple[str, ...] = ()
    link: str | None = None
    source: str | None = None
    via: Via | None = None
    draft: bool = False
    summary: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # (link, the link as readers compare it), kept with the post, since normalising 10,000 links is slow;
    # trusted only while it is of this link, so a dataclasses.replace() of `link` cannot leave it stale.
    _compared: tuple[str, str] | None = None
    # (html, where the quote it opens with ends: quotes.quote_end), kept with the post like `_compared`, and
    # trusted only while it is of this html, so a dataclasses.replace() of `html` cannot leave it stale.
    _quoted: tuple[str, int | None] | None = None

    def __post_init__(self) -> None:
        if self.link and (self._compared is None or self._compared[0] != self.link):
            from linkblog.urls import normalised_link

            object.__setattr__(self, "_compared", (self.link, normalised_link(self.link)))
        if self._quoted is None or self._quoted[0] != self.html:  # the same string: no character compared
            from linkblog.quotes import quote_end

            object.__setattr__(self, "_quoted", (self.html, quote_end(self.html)))

    @property
    def article(self) -> str | None:
        """The article a post links, as readers compare links: without scheme, www., tracking and so on."""
        return self._compared[1] if self.link and self._compared else None

    def opening_quote(self) -> tuple[str, str] | None:
        """The quote the body opens with (what it holds) and the HTML after it; None when it opens otherwise."""
        from linkblog.quotes import split_quote

        return split_quote(self.html, self._quoted[1] if self._quoted else None)

    @property
    def description(self) -> str:
        return self.summary or self.excerpt

    @property
    def author(self) -> str:
        """Who wrote the post, when its `author:` names someone; empty for the site's author."""
        return author_name(self.extra.get("author")) or ""

    @property
    def relinked(self) -> bool:
        """True when the author links an article again on purpose (`relinked: true`): no warning."""
        return self.extra.get("relinked") is True


@dataclass(frozen=True, slots=True, kw_only=True)
class Post(Parsed):
    """A published post: its file's content, placed at its URL with its names as the site shows them."""

    url: str
    permalink: str
    tag_refs: tuple[Ref, ...] = ()
    source_ref: Ref | None = None
    via_ref: Ref | None = None  # who sent the link, spelled as the page of people shows them
    scheduled: bool = False  # dated after the build's `now`: only a build with --future (a preview) shows it


def author_name(value: Any) -> str | None:
    """Who an `author:` names, on one line: text, a mapping's `name` (jekyll-seo-tag's), or a list's names joined;
    None when it names no one."""
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, list):
        names = [author_name(item) for item in value if not isinstance(item, list)]
        value = ", ".join(name for name in names if name) if all(names) else None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return one_line(str(value)) or None


# The keys that give a post's old addresses: Hugo's, and Jekyll's (jekyll-redirect-from's).
ALIAS_KEYS = ("aliases", "redirect_from")
_PAGE_FILE = re.compile(r"\.html?\Z", re.IGNORECASE)


def alias_paths(extra: dict[str, Any]) -> tuple[str, ...]:
    """The site paths a post's `aliases:` or `redirect_from:` names (`/old/`, `/2015/06/01/old.html`), as written;
    raises ValueError naming the first that is none."""
    paths: list[str] = []
    for key in ALIAS_KEYS:
        value = extra.get(key)
        for alias in [value] if isinstance(value, str) else value if isinstance(value, list) else [] if value is None \
                else [value]:
            paths.append(alias_path(alias, key))
    return tuple(dict.fromkeys(paths))


def alias_path(alias: Any, key: str) -> str:
    """One old address as a site path: an .html file's (`/old.html`), else a folder's, as Hugo writes them (`/old`,
    `/python-3.8`, `/old/index.html` are the folders `/old/`...)."""
    if not isinstance(alias, str) or not alias.strip():
        raise ValueError(f"'{key}' lists old addresses of the post, each a path such as /2015/06/old-name/, "
                         f"not {alias!r}")
    written = alias.strip()
    if not written.startswith("/") or written.startswith("//"):
        raise ValueError(f"'{key}': {written} is no path on this site: write it from the site's root, "
                         f"such as /2015/06/old-name/")
    if "?" in written or "#" in written:  # as written: an encoded %3F is a name's own character
        raise ValueError(f"'{key}': {written} has a query or fragment, which a static site cannot serve a page at")
    parts = [unquote(part) for part in written.split("/")[1:]]
    if any(part in (".", "..") or "/" in part or "\\" in part or not part and at < len(parts) - 1
           or any(ord(char) < 32 or char == "\x7f" for char in part) for at, part in enumerate(parts)):
        raise ValueError(f"'{key}': {written} is no path a page can be written at")
    if parts[-1].lower() == "index.html":  # the folder's own page
        parts[-1] = ""
    elif parts[-1] and not _PAGE_FILE.search(parts[-1]):
        parts.append("")
    return "/" + "/".join(parts)


R = TypeVar("R", Parsed, Post)


def assembler(kind: type[R]) -> Callable[..., R]:
    """A function making a record of this kind from the value of each of its fields, in field order, each set
    straight into its slot (a frozen record's own __setattr__ refuses).

    Generated as dataclasses generate __init__, from the class's own field names: straight-line code makes a
    record in half the time a loop over the slots' setters takes."""
    names = [f.name for f in fields(kind)]
    values = ", ".join(f"v{at}" for at in range(len(names)))
    lines = "".join(f"    set{at}(record, v{at})\n" for at in range(len(names)))
    namespace: dict[str, Any] = {"new": object.__new__, "kind": kind,
                                 **{f"set{at}": getattr(kind, name).__set__ for at, name in enumerate(names)}}
    exec(f"def assemble({values}):\n    record = new(kind)\n{lines}    return record\n", namespace)
    return namespace["assemble"]


_ASSEMBLERS = {kind: assembler(kind) for kind in (Parsed, Post)}


def assembled(kind: type[R], *values: Any) -> R:
    """A record from the value of each of its fields, in field order (a TypeError for more or fewer).

    Only for values that already hold together (a cache row, another record's fields): __init__ and
    __post_init__ are skipped, which makes 10,000 posts in 60 ms fewer than their generated __init__."""
    return _ASSEMBLERS[kind](*values)


@dataclass(frozen=True, slots=True)
class Listing:
    """A post as a list of titles shows it: on the index of people who sent links."""

    title: str
    url: str
    date: datetime


@dataclass(frozen=True, slots=True)
class Tally:
    """A label with a count and the page listing what it counts (none when nothing does): a bar of a chart."""

    label: str
    count: int
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Count:
    """One row of an index page (a tag, source or person): its page, how many posts, first and last dates."""

    name: str
    slug: str
    url: str
    count: int
    first: datetime
    last: datetime
    feed: str | None = None
    home: str | None = None  # a source's own site, a person's link
    posts: tuple[Listing, ...] = ()


@dataclass(frozen=True, slots=True)
class Group:
    """Posts gathered under one name (a tag, source, year or month, or the whole site), newest first."""

    kind: PageKind
    name: str
    slug: str
    url: str
    posts: Any  # a Sequence[Post]; the index places only the posts a slice asks for


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a paginated list page sits among its siblings."""

    number: int
    count: int
    url: str
    prev_url: str | None
    next_url: str | None
    first_url: str


@dataclass(slots=True)
class PageSpec:
    """One output file to render: its URL, template and what it shows."""

    url: str
    template: str
    title: str
    kind: PageKind
    posts: list[Post] = field(default_factory=list)
    pager: Pager | None = None
    description: str = ""
    group: Group | None = None
    post: Post | None = None
    older: Post | None = None
    newer: Post | None = None
    related: list[Post] = field(default_factory=list)  # other posts linking the same article, newest first
    related_newer: int = 0  # how many of `related` come after `post` in the site's order (same-day ties too)
    source_older: Post | None = None  # the previous and next post quoting the same source
    source_newer: Post | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def linked_again(self) -> list[Post]:
        """The posts linking the same article published after this one, newest first."""
        return self.related[: self.related_newer]

    @property
    def linked_before(self) -> list[Post]:
        """The posts linking the same article published before this one, newest first."""
        return self.related[self.related_newer:]

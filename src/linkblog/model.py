"""The content model: plain dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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


@dataclass(frozen=True, slots=True)
class Listing:
    """What a list of titles shows of a post (archive, previous/next links): never its body."""

    title: str
    url: str
    date: datetime
    link: str | None
    source_ref: Ref | None
    fingerprint: str


@dataclass(slots=True)
class Post:
    """One post as parsed from its file; the index fills in the placed fields."""

    path: str
    title: str
    date: datetime
    slug: str
    # None only while a post loaded from the disk cache waits for its body (see cache.py).
    html: str | None
    excerpt: str
    digest: str
    tags: tuple[str, ...] = ()
    link: str | None = None
    source: str | None = None
    via: Via | None = None
    draft: bool = False
    summary: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Placed by the index: where the post lives and how its names are shown.
    url: str = ""
    permalink: str = ""
    tag_refs: tuple[Ref, ...] = ()
    source_ref: Ref | None = None
    fingerprint: str = ""
    listing: Listing | None = None

    @property
    def description(self) -> str:
        return self.summary or self.excerpt


@dataclass(slots=True)
class Group:
    """Posts gathered under one name: a tag, a source, a year or a month."""

    name: str
    slug: str
    url: str
    posts: list[Post] = field(default_factory=list)


@dataclass(slots=True)
class Site:
    """Every published post, newest first, and the groups built from them."""

    posts: list[Post]
    tags: list[Group]
    sources: list[Group]
    years: list[Group]
    months: list[Group]
    older: dict[str, Listing | None]
    newer: dict[str, Listing | None]


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
    kind: str
    posts: list[Post] | list[Listing] = field(default_factory=list)
    pager: Pager | None = None
    description: str = ""
    group: Group | None = None
    post: Post | None = None
    older: Listing | None = None
    newer: Listing | None = None
    extra: dict[str, Any] = field(default_factory=dict)

"""Parsed posts -> a Site: what is published, in what order, grouped by tag, source and date.

A Site is patched one post at a time (`put`, `drop`), so an edit touches only the groups the
post leaves and joins. Posts are placed (URL, shown names) only when a page asks for them.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import overload

from linkblog.config import Config
from linkblog.model import Group, PageKind, Parsed, Post, Ref
from linkblog.problems import Problem
from linkblog.urls import Urls, permalink_path, slugify

SortKey = tuple[float, str, str]  # (timestamp, slug, path), oldest first
GroupKey = tuple[PageKind, str]  # (kind, slug)
HOME: GroupKey = (PageKind.HOME, "")
GROUP_PATHS = {PageKind.HOME: "/", PageKind.TAG: "/tag/{}/", PageKind.SOURCE: "/source/{}/",
               PageKind.YEAR: "/{}/", PageKind.MONTH: "/{}/"}
NAMED = (PageKind.TAG, PageKind.SOURCE)  # groups named by their posts, in the most used spelling
_PARSED_FIELDS = tuple(f.name for f in fields(Parsed))


@dataclass(frozen=True, slots=True)
class Selection:
    """Which parsed posts a build publishes."""

    drafts: bool = False
    future: bool = False

    def includes(self, parsed: Parsed, now: datetime) -> bool:
        return (self.drafts or not parsed.draft) and (self.future or parsed.date <= now)


def sort_key(parsed: Parsed) -> SortKey:
    return parsed.date.timestamp(), parsed.slug, parsed.path


def group_keys(parsed: Parsed) -> list[GroupKey]:
    """Every group a post belongs to: the whole site, its year and month, its tags and source."""
    keys = [HOME, (PageKind.YEAR, f"{parsed.date.year:04d}"), (PageKind.MONTH, f"{parsed.date:%Y/%m}")]
    keys += [(PageKind.TAG, slug) for slug in dict.fromkeys(slugify(t) for t in parsed.tags)]
    if parsed.source:
        keys.append((PageKind.SOURCE, slugify(parsed.source)))
    return keys


def named_keys(parsed: Parsed) -> list[tuple[GroupKey, str]]:
    """Each tag and source name as the post spells it, with the group it names."""
    names = [((PageKind.TAG, slugify(t)), t) for t in parsed.tags]
    return names + ([((PageKind.SOURCE, slugify(parsed.source)), parsed.source)] if parsed.source else [])


class PostSequence(Sequence[Post]):
    """A group's posts newest first, placed only when a page asks for them."""

    def __init__(self, site: Site, keys: list[SortKey]):
        self.site, self.keys = site, keys

    def __len__(self) -> int:
        return len(self.keys)

    @overload
    def __getitem__(self, index: int) -> Post: ...
    @overload
    def __getitem__(self, index: slice) -> list[Post]: ...

    def __getitem__(self, index: int | slice) -> Post | list[Post]:
        if isinstance(index, slice):
            return [self.site.post(path) for path in self.paths(index)]
        return self.site.post(self.keys[self.newest_first[index]][2])

    def __iter__(self) -> Iterator[Post]:
        return (self.site.post(key[2]) for key in reversed(self.keys))

    @property
    def newest_first(self) -> range:
        """Indices into the oldest-first keys, newest first; slicing a range costs nothing."""
        return range(len(self.keys) - 1, -1, -1)

    def paths(self, window: slice = slice(None)) -> list[str]:
        """The paths of the posts in a window of the newest-first order, without placing them."""
        return [self.keys[i][2] for i in self.newest_first[window]]


class Site:
    """Every published post, newest first, and the groups built from them."""

    def __init__(self, config: Config, urls: Urls, selection: Selection, now: datetime):
        self.config, self.urls, self.selection, self.now = config, urls, selection, now
        self.records: dict[str, Parsed] = {}  # every parsed post, published or not
        self.keys: dict[str, SortKey] = {}  # the published ones
        self.lists: dict[GroupKey, list[SortKey]] = {}
        self.spellings: dict[GroupKey, Counter[str]] = {}
        self.names: dict[GroupKey, str] = {}  # the most used spelling of each tag and source
        self.placed: dict[str, Post] = {}
        self.refs: dict[GroupKey, Ref] = {}
        self.post_urls: dict[str, str] = {}  # path -> URL, for every published post
        self.by_url: dict[str, list[str]] = {}  # URL -> paths: more than one is a collision

    def load(self, records: Iterable[Parsed]) -> None:
        """Fill an empty site at once: one sort per group instead of an insertion per post."""
        for parsed in records:
            self.records[parsed.path] = parsed
            if self.selection.includes(parsed, self.now):
                self.keys[parsed.path] = key = sort_key(parsed)
                self.locate(parsed)
                for group in group_keys(parsed):
                    self.lists.setdefault(group, []).append(key)
                for group, name in named_keys(parsed):
                    self.spellings.setdefault(group, Counter())[name] += 1
        for keys in self.lists.values():
            keys.sort()
        self.names = {group: most_used(counts) for group, counts in self.spellings.items()}

    def put(self, parsed: Parsed) -> set[GroupKey]:
        """Add or replace a post; the groups whose shown name changed with it."""
        renamed = self.drop(parsed.path)
        self.records[parsed.path] = parsed
        if self.selection.includes(parsed, self.now):
            renamed |= self.join(parsed)
        return renamed

    def drop(self, path: str) -> set[GroupKey]:
        """Remove a post; the groups whose shown name changed without it."""
        old = self.records.pop(path, None)
        key = self.keys.pop(path, None)
        self.placed.pop(path, None)
        if old is None or key is None:
            return set()
        url = self.post_urls.pop(path)
        self.by_url[url].remove(path)
        if not self.by_url[url]:
            del self.by_url[url]
        for group in group_keys(old):
            keys = self.lists[group]
            del keys[bisect_left(keys, key)]
            if not keys:
                del self.lists[group]
        return self.respell(old, -1)

    def join(self, parsed: Parsed) -> set[GroupKey]:
        self.keys[parsed.path] = key = sort_key(parsed)
        self.locate(parsed)
        for group in group_keys(parsed):
            insort(self.lists.setdefault(group, []), key)
        return self.respell(parsed, 1)

    def locate(self, parsed: Parsed) -> None:
        url = self.post_urls[parsed.path] = self.urls.path(self.site_path(parsed))
        self.by_url.setdefault(url, []).append(parsed.path)

    def respell(self, parsed: Parsed, delta: int) -> set[GroupKey]:
        """Count a post's spellings in or out; the groups whose most used spelling changed."""
        renamed = set()
        for group, name in named_keys(parsed):
            counts = self.spellings.setdefault(group, Counter())
            counts[name] += delta
            if counts[name] <= 0:
                del counts[name]
            if not counts:
                del self.spellings[group]
                self.names.pop(group, None)
                continue
            before, self.names[group] = self.names.get(group), most_used(counts)
            if before is not None and self.names[group] != before:
                renamed.add(group)
        for group in renamed:
            self.refs.pop(group, None)
            for key in self.lists.get(group, []):
                self.placed.pop(key[2], None)
        return renamed

    def shown(self, group: GroupKey) -> str | None:
        """A tag's or source's shown name: its most used spelling."""
        return self.names.get(group)

    def due(self, now: datetime) -> list[str]:
        """The posts held back for their date that `now` would publish."""
        return [p.path for p in self.records.values() if p.path not in self.keys
                and not self.selection.includes(p, self.now) and self.selection.includes(p, now)]

    def next_release(self) -> datetime | None:
        """When the earliest post held back for its future date comes due."""
        waiting = [p.date for p in self.records.values()
                   if p.date > self.now and not self.selection.future and (self.selection.drafts or not p.draft)]
        return min(waiting, default=None)

    def post(self, path: str) -> Post:
        """A published post placed at its URL, with its tags and source as the site shows them."""
        post = self.placed.get(path)
        if post is None:
            parsed = self.records[path]
            site_path = self.site_path(parsed)
            post = self.placed[path] = Post(
                **{name: getattr(parsed, name) for name in _PARSED_FIELDS},
                url=self.post_urls[path], permalink=self.urls.absolute(site_path),
                tag_refs=tuple(dict.fromkeys(self.ref((PageKind.TAG, slugify(t))) for t in parsed.tags)),
                source_ref=self.ref((PageKind.SOURCE, slugify(parsed.source))) if parsed.source else None)
        return post

    def site_path(self, parsed: Parsed) -> str:
        return permalink_path(self.config.permalink, parsed.date, parsed.slug)

    def ref(self, group: GroupKey) -> Ref:
        ref = self.refs.get(group)
        if ref is None:
            ref = self.refs[group] = Ref(self.shown(group) or group[1], group[1], self.group_url(group))
        return ref

    def group_url(self, group: GroupKey) -> str:
        return self.urls.path(GROUP_PATHS[group[0]].format(group[1]))

    def group(self, key: GroupKey) -> Group:
        kind, slug = key
        if kind in NAMED:
            name = self.shown(key) or slug
        elif kind is PageKind.MONTH:
            name = f"{datetime.strptime(slug, '%Y/%m'):%B %Y}"
        else:
            name = slug
        return Group(kind, name, slug, self.group_url(key), PostSequence(self, self.lists.get(key, [])))

    def groups(self, kind: PageKind) -> list[Group]:
        """Every group of a kind, sorted by slug."""
        return [self.group(key) for key in sorted(k for k in self.lists if k[0] is kind)]

    @property
    def posts(self) -> PostSequence:
        """Every published post, newest first."""
        return PostSequence(self, self.lists.get(HOME, []))

    def position(self, path: str, group: GroupKey = HOME) -> int | None:
        """Where a published post sits in a group, newest first."""
        key = self.keys.get(path)
        keys = self.lists.get(group, [])
        at = bisect_left(keys, key) if key is not None else len(keys)
        return len(keys) - 1 - at if at < len(keys) and keys[at] == key else None

    def neighbours(self, path: str) -> tuple[str | None, str | None]:
        """The paths of the next older and next newer published posts."""
        keys = self.lists.get(HOME, [])
        at = bisect_left(keys, self.keys[path])
        return (keys[at - 1][2] if at > 0 else None), (keys[at + 1][2] if at + 1 < len(keys) else None)

    def warnings(self) -> list[Problem]:
        """A warning for each tag or source a post spells otherwise than the site shows it."""
        what = {PageKind.TAG: "tag", PageKind.SOURCE: "source"}
        problems = []
        for group, counts in self.spellings.items():
            if len(counts) > 1:
                shown = self.names[group]
                for key in self.lists.get(group, []):
                    problems += [Problem(key[2], f"{what[group[0]]} '{name}' is shown as '{shown}', its most used "
                                         "spelling", warning=True)
                                 for member, name in named_keys(self.records[key[2]])
                                 if member == group and name != shown]
        return problems


def most_used(counts: Counter[str]) -> str:
    """The most used spelling; ties go to the first in sort order."""
    return min(counts, key=lambda s: (-counts[s], s))


def index_site(records: Iterable[Parsed], config: Config, urls: Urls, now: datetime,
               selection: Selection = Selection()) -> Site:
    """A site holding these posts."""
    site = Site(config, urls, selection, now)
    site.load(records)
    return site

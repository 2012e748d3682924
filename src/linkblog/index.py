"""Parsed posts -> a Site: what is published, in what order, grouped by tag, source and date.

A Site is patched one post at a time (`put`, `drop`), so an edit touches only the groups the
post leaves and joins. Posts are placed (URL, shown names) only when a page asks for them.
Sources fold by sources.yaml; posts linking the same article (after `normalised_link`) are
kept together as they are patched, so no build compares every link with every other.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from functools import lru_cache
from operator import attrgetter
from typing import overload
from urllib.parse import quote

from linkblog.config import Config
from linkblog.model import Group, PageKind, Parsed, Post, Ref, assembled
from linkblog.problems import Problem
from linkblog.sources import NO_SOURCES, Sources
from linkblog.urls import Urls, permalink_path, slugify

SortKey = tuple[float, str, str]  # (timestamp, slug, path), oldest first
GroupKey = tuple[PageKind, str]  # (kind, slug)
HOME: GroupKey = (PageKind.HOME, "")
GROUP_PATHS = {PageKind.HOME: "/", PageKind.TAG: "/tag/{}/", PageKind.SOURCE: "/source/{}/",
               PageKind.YEAR: "/{}/", PageKind.MONTH: "/{}/"}
NAMED = (PageKind.TAG, PageKind.SOURCE, PageKind.VIA)  # groups named by their posts, in the most used spelling
_WHAT = {PageKind.TAG: "tag", PageKind.SOURCE: "source", PageKind.VIA: "via"}
_parsed_values = attrgetter(*(f.name for f in fields(Parsed)))  # every field of a Parsed: a Post is placed from them


@dataclass(frozen=True, slots=True)
class Selection:
    """Which parsed posts a build publishes."""

    drafts: bool = False
    future: bool = False

    def includes(self, parsed: Parsed, now: datetime) -> bool:
        return (self.drafts or not parsed.draft) and (self.future or parsed.date <= now)


def sort_key(parsed: Parsed) -> SortKey:
    return parsed.date.timestamp(), parsed.slug, parsed.path


def group_keys(parsed: Parsed, sources: Sources = NO_SOURCES) -> list[GroupKey]:
    """Every group a post belongs to: the whole site, its year and month, its tags, source and via."""
    return groups_named(parsed, named_keys(parsed, sources))


def groups_named(parsed: Parsed, named: list[tuple[GroupKey, str]]) -> list[GroupKey]:
    """The groups of a post whose named groups (named_keys) are known: each once."""
    return [*date_groups(parsed.date.year, parsed.date.month), *dict.fromkeys(group for group, _ in named)]


@lru_cache(maxsize=4096)
def date_groups(year: int, month: int) -> tuple[GroupKey, GroupKey, GroupKey]:
    """The whole site, a year and a month: the groups every post dated then is in."""
    return HOME, (PageKind.YEAR, f"{year:04d}"), (PageKind.MONTH, f"{year:04d}/{month:02d}")


def named_keys(parsed: Parsed, sources: Sources = NO_SOURCES) -> list[tuple[GroupKey, str]]:
    """Each tag, source and via name as the post spells it, with the group it names."""
    names = [((PageKind.TAG, slugify(t)), t) for t in parsed.tags]
    if parsed.source:
        names.append(((PageKind.SOURCE, sources.slug(parsed.source)), parsed.source))
    if parsed.via:
        names.append(((PageKind.VIA, slugify(parsed.via.name)), parsed.via.name))
    return names


def composed(name: str) -> str:
    """A name in NFC: "Café" typed on one machine and saved decomposed on another is one spelling, not two."""
    # Counted apart, the two would warn of a spelling that prints the same, and split the count of the most used.
    return unicodedata.normalize("NFC", name)


# What the typographer can change (its quotes, its replacements, line ends and NUL): other text is left as it is.
_TYPOGRAPHIC = re.compile(r"['\"\n\r\0]|\+-|\.\.\.|--|\((?:c|tm|r)\)", re.IGNORECASE)


@lru_cache(maxsize=65536)
def typographic(text: str) -> str:
    """Plain text with the body's typographic quotes and dashes: "Manager's" -> "Manager’s", "--" -> "–"."""
    if not _TYPOGRAPHIC.search(text):  # most titles: no inline parse (a tenth of a millisecond each)
        return text
    from linkblog.markdown import typesetter  # only a build with pages to place needs Markdown

    return "".join(token.content for token in typesetter().parseInline(text)[0].children or [])


class PostSequence(Sequence[Post]):
    """A group's posts newest first, placed only when a page asks for them."""

    def __init__(self, site: Site, keys: list[SortKey]):
        # Private: templates read this sequence, and the sandbox keeps them from names starting with '_'.
        self._site, self._keys = site, keys

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> Post: ...
    @overload
    def __getitem__(self, index: slice) -> list[Post]: ...

    def __getitem__(self, index: int | slice) -> Post | list[Post]:
        if isinstance(index, slice):
            return [self._site.post(path) for path in self.paths(index)]
        return self._site.post(self._keys[self.newest_first[index]][2])

    def __iter__(self) -> Iterator[Post]:
        return (self._site.post(key[2]) for key in reversed(self._keys))

    @property
    def newest_first(self) -> range:
        """Indices into the oldest-first keys, newest first; slicing a range costs nothing."""
        return range(len(self._keys) - 1, -1, -1)

    def paths(self, window: slice = slice(None)) -> list[str]:
        """The paths of the posts in a window of the newest-first order, without placing them."""
        return [self._keys[i][2] for i in self.newest_first[window]]


class Site:
    """Every published post, newest first, and the groups built from them."""

    def __init__(self, config: Config, urls: Urls, selection: Selection, now: datetime,
                 sources: Sources = NO_SOURCES):
        self.config, self.urls, self.selection, self.now, self.sources = config, urls, selection, now, sources
        self.records: dict[str, Parsed] = {}  # every parsed post, published or not
        self.keys: dict[str, SortKey] = {}  # the published ones
        self.lists: dict[GroupKey, list[SortKey]] = {}
        self.spellings: dict[GroupKey, Counter[str]] = {}
        self.names: dict[GroupKey, str] = {}  # the most used spelling of each tag and source
        self.placed: dict[str, Post] = {}
        self.refs: dict[GroupKey, Ref] = {}
        self.post_urls: dict[str, str] = {}  # path -> URL, for every published post
        self.by_url: dict[str, list[str]] = {}  # URL -> paths: more than one is a collision
        self.links: dict[str, list[SortKey]] = {}  # normalised article link -> the posts linking it, oldest first
        self.shared: set[str] = set()  # the links more than one post has
        # Kept as posts come and go, so a rebuild after one edit never walks every post to find these.
        self.held: set[str] = set()  # the posts not published: drafts, and those dated after `now`
        self.later: set[str] = set()  # the posts dated after `now`, published (as scheduled) or not

    def load(self, records: Iterable[Parsed]) -> None:
        """Fill an empty site at once: one sort per group instead of an insertion per post."""
        now, sources, (drafts, future) = self.now, self.sources, (self.selection.drafts, self.selection.future)
        # Bound once: this loop runs for every post of the site.
        lists, spellings, links, held, placed_at = self.lists, self.spellings, self.links, self.held, self.place
        for parsed in records:
            path, moment = parsed.path, parsed.date
            self.records[path] = parsed
            if moment > now:
                self.later.add(path)
                if not future:
                    held.add(path)
                    continue
            if parsed.draft and not drafts:
                held.add(path)
                continue
            self.keys[path] = key = (moment.timestamp(), parsed.slug, path)
            placed_at(path, moment, parsed.slug)
            named = named_keys(parsed, sources)
            for group in (*date_groups(moment.year, moment.month), *dict.fromkeys(group for group, _ in named)):
                keys = lists.get(group)
                if keys is None:
                    lists[group] = [key]
                else:
                    keys.append(key)
            for group, name in named:
                counts = spellings.get(group)
                if counts is None:
                    spellings[group] = Counter({name: 1})
                else:
                    counts[name] = counts.get(name, 0) + 1
            link = parsed.article
            if link:
                keys = links.get(link)
                if keys is None:
                    links[link] = [key]
                else:
                    keys.append(key)
        for keys in lists.values():
            keys.sort()
        self.shared = {link for link, keys in links.items() if len(keys) > 1}
        for link in self.shared:  # most articles are linked once: nothing to sort
            links[link].sort()
        self.names = {group: self.name_for(group, counts) for group, counts in spellings.items()}

    def put(self, parsed: Parsed) -> set[GroupKey]:
        """Add or replace a post; the groups whose shown name changed with it."""
        renamed = self.drop(parsed.path)
        self.records[parsed.path] = parsed
        if parsed.date > self.now:
            self.later.add(parsed.path)
        if self.selection.includes(parsed, self.now):
            renamed |= self.join(parsed)
        else:
            self.held.add(parsed.path)
        return renamed

    def drop(self, path: str) -> set[GroupKey]:
        """Remove a post; the groups whose shown name changed without it."""
        old = self.records.pop(path, None)
        key = self.keys.pop(path, None)
        self.placed.pop(path, None)
        self.held.discard(path)
        self.later.discard(path)
        if old is None or key is None:
            return set()
        url = self.post_urls.pop(path)
        self.by_url[url].remove(path)
        if not self.by_url[url]:
            del self.by_url[url]
        for group in group_keys(old, self.sources):
            keys = self.lists[group]
            del keys[bisect_left(keys, key)]
            if not keys:
                del self.lists[group]
        link = old.article
        if link:
            keys = self.links[link]
            del keys[bisect_left(keys, key)]
            if len(keys) < 2:
                self.shared.discard(link)
            if not keys:
                del self.links[link]
        return self.respell(old, -1)

    def join(self, parsed: Parsed) -> set[GroupKey]:
        self.keys[parsed.path] = key = sort_key(parsed)
        self.place(parsed.path, parsed.date, parsed.slug)
        for group in group_keys(parsed, self.sources):
            insort(self.lists.setdefault(group, []), key)
        link = parsed.article
        if link:
            insort(self.links.setdefault(link, []), key)
            if len(self.links[link]) > 1:
                self.shared.add(link)
        return self.respell(parsed, 1)

    def place(self, path: str, moment: datetime, slug: str) -> None:
        """Give a published post its URL."""
        url = self.post_urls[path] = self.urls.path(permalink_path(self.config.permalink, moment, slug))
        self.by_url.setdefault(url, []).append(path)

    def respell(self, parsed: Parsed, delta: int) -> set[GroupKey]:
        """Count a post's spellings in or out; the groups whose most used spelling changed."""
        renamed = set()
        for group, name in named_keys(parsed, self.sources):
            counts = self.spellings.setdefault(group, Counter())
            counts[name] += delta
            if counts[name] <= 0:
                del counts[name]
            if not counts:
                del self.spellings[group]
                self.names.pop(group, None)
                self.refs.pop(group, None)
                continue
            before, self.names[group] = self.names.get(group), self.name_for(group, counts)
            if before is not None and self.names[group] != before:
                renamed.add(group)
        self.forget(renamed)
        return renamed

    def renamed_since(self, names: dict[GroupKey, str | None]) -> set[GroupKey]:
        """The groups shown otherwise than `names` (what shown() said before a batch of changes) showed them:
        also those a change emptied and another filled again in another spelling ("Foo" gone, "foo" come)."""
        renamed = {group for group, name in names.items() if name is not None and self.shown(group) not in (None, name)}
        self.forget(renamed)
        return renamed

    def forget(self, renamed: set[GroupKey]) -> None:
        """Drop what shows renamed groups' old names: their refs, and the posts placed with those."""
        for group in renamed:
            self.refs.pop(group, None)
            for key in self.lists.get(group, []):
                self.placed.pop(key[2], None)

    def shown(self, group: GroupKey) -> str | None:
        """A tag's, source's or person's shown name: sources.yaml's, else its most used spelling."""
        return self.names.get(group)

    def name_for(self, group: GroupKey, counts: Counter[str]) -> str:
        entry = self.sources.entry(group[1]) if group[0] is PageKind.SOURCE else None
        return entry.name if entry else most_used(counts)

    def due(self, now: datetime) -> list[str]:
        """The posts whose date `now` passes: held back until then, or (with future posts shown) marked
        scheduled until then."""
        return sorted(path for path in self.later
                      if self.records[path].date <= now and self.selection.includes(self.records[path], now))

    def advance(self, now: datetime) -> None:
        """Move the site's clock on (after the posts `due` names are put again)."""
        self.now = now
        self.later = {path for path in self.later if self.records[path].date > now}

    def next_release(self) -> datetime | None:
        """When the earliest post dated after `now` comes due: it is published, or loses its scheduled marker."""
        waiting = [self.records[path].date for path in self.later
                   if self.selection.drafts or not self.records[path].draft]
        return min(waiting, default=None)

    def post(self, path: str) -> Post:
        """A published post placed at its URL, with its tags, source and via as the site shows them."""
        post = self.placed.get(path)
        if post is None:
            parsed = self.records[path]
            url = self.post_urls[path]
            _, title, *rest = _parsed_values(parsed)  # the parsed post's fields, its title made typographic
            post = self.placed[path] = assembled(
                Post, path, typographic(title), *rest, url, self.urls.origin + url,  # as Urls.absolute() makes it
                tuple(dict.fromkeys(self.ref((PageKind.TAG, slugify(t))) for t in parsed.tags)),
                self.ref((PageKind.SOURCE, self.sources.slug(parsed.source))) if parsed.source else None,
                self.ref((PageKind.VIA, slugify(parsed.via.name))) if parsed.via else None,
                parsed.date > self.now)
        return post

    def ref(self, group: GroupKey) -> Ref:
        ref = self.refs.get(group)
        if ref is None:
            ref = self.refs[group] = Ref(self.shown(group) or group[1], group[1], self.group_url(group))
        return ref

    def group_url(self, group: GroupKey) -> str:
        if group[0] is PageKind.VIA:  # people who sent links share one page, each under their own id
            return f"{self.urls.path('/via/')}#{quote(group[1])}"
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

    def neighbours(self, path: str, group: GroupKey = HOME) -> tuple[str | None, str | None]:
        """The paths of the next older and next newer published posts (in a group the post is in)."""
        keys = self.lists.get(group, [])
        at = bisect_left(keys, self.keys[path])
        return (keys[at - 1][2] if at > 0 else None), (keys[at + 1][2] if at + 1 < len(keys) else None)

    def source_key(self, path: str) -> GroupKey | None:
        source = self.records[path].source
        return (PageKind.SOURCE, self.sources.slug(source)) if source else None

    def source_neighbours(self, path: str) -> tuple[str | None, str | None]:
        """The paths of the previous and next published posts quoting the same source."""
        group = self.source_key(path)
        return self.neighbours(path, group) if group else (None, None)

    def related(self, path: str) -> list[str]:
        """The other published posts linking the same article, newest first."""
        link = self.records[path].article
        return [key[2] for key in reversed(self.links.get(link, [])) if key[2] != path] if link else []

    def adjacent(self, group: GroupKey) -> tuple[str | None, str | None]:
        """The slugs of the groups of its kind just before and after a group, which need not exist: a year's
        neighbouring years with posts."""
        slugs = sorted(key[1] for key in self.lists if key[0] is group[0])
        at = bisect_left(slugs, group[1])
        later = at + 1 if at < len(slugs) and slugs[at] == group[1] else at
        return (slugs[at - 1] if at > 0 else None), (slugs[later] if later < len(slugs) else None)

    def months(self, year: str) -> list[GroupKey]:
        """The months of a year that have posts, January first."""
        keys = [(PageKind.MONTH, f"{year}/{month:02d}") for month in range(1, 13)]
        return [key for key in keys if key in self.lists]

    def span(self, group: GroupKey) -> tuple[datetime, datetime]:
        """The dates of a group's first and last posts."""
        keys = self.lists[group]
        return self.records[keys[0][2]].date, self.records[keys[-1][2]].date

    def warnings(self) -> list[Problem]:
        """Warnings for names a post spells otherwise than the site shows them, and for articles linked twice."""
        problems = []
        for group, counts in self.spellings.items():
            # A source sources.yaml lists is spelled many ways on purpose: its aliases.
            if len(counts) > 1 and not (group[0] is PageKind.SOURCE and self.sources.entry(group[1])):
                shown = self.names[group]
                for key in self.lists.get(group, []):
                    problems += [Problem(key[2], f"{_WHAT[group[0]]} '{name}' is shown as '{shown}', its most used "
                                         "spelling", warning=True)
                                 for member, name in named_keys(self.records[key[2]], self.sources)
                                 if member == group and composed(name) != composed(shown)]
        return problems + self.relink_warnings()

    def relink_warnings(self) -> list[Problem]:
        """One warning per pair of posts linking the same article, at the later one, unless either is `relinked`."""
        problems = []
        for link in sorted(self.shared):
            posts = [self.records[key[2]] for key in self.links[link]]
            problems += [Problem(later.path, f"links the same article as {earlier.path} ({earlier.date:%Y-%m-%d})",
                                 warning=True)
                         for at, later in enumerate(posts) for earlier in posts[:at]
                         if not (earlier.relinked or later.relinked)]
        return problems


def most_used(counts: Counter[str]) -> str:
    """The most used spelling, spellings alike in NFC counted as one; ties go to the first in sort order."""
    if len(counts) == 1:
        return next(iter(counts))
    totals: Counter[str] = Counter()
    for spelling, count in counts.items():
        totals[composed(spelling)] += count
    form = first_of(totals)
    # Shown as most posts write it: NFC changes a few characters on their own (U+F900 豈 is U+8C48 豈 in NFC).
    return first_of(Counter({spelling: n for spelling, n in counts.items() if composed(spelling) == form}))


def first_of(counts: Counter[str]) -> str:
    """The most counted; ties go to the first in sort order."""
    return min(counts, key=lambda s: (-counts[s], s))


def index_site(records: Iterable[Parsed], config: Config, urls: Urls, now: datetime,
               selection: Selection = Selection(), sources: Sources = NO_SOURCES) -> Site:
    """A site holding these posts, its sources folded as sources.yaml lists them."""
    site = Site(config, urls, selection, now, sources)
    site.load(records)
    return site

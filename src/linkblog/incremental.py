"""What a build must redo, and the state kept between builds to know it.

This module alone owns input keys, fingerprints and the rules for what an edit touches; the
stages (content, index, plan, render, output) know nothing of caching. A post's change
patches the Site, and `touched` says which pages it moved: the post's own page and its
neighbours' (in the site and in its source), those of the posts linking the same article, the
pages of the lists it leaves and joins (all of a list's pages from the change on when its
pagination shifts; all of a source's, whose every page shows its count and dates), the feeds it
is in, the index of the tags, sources or people it joins or leaves, the archive, the sitemap, and the
stats page when what it counts of the post (date, tags, source, link) changed; every page of a year it
joins or leaves (each shows the year's months), and of the years beside a year that comes or goes.
Every planned page is then fingerprinted from what it shows; only a changed fingerprint is
rendered again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

from linkblog import __version__
from linkblog.config import Config
from linkblog.digest import digest_bytes, key_of
from linkblog.index import HOME, GroupKey, Site, group_keys
from linkblog.model import Group, PageKind, PageSpec, Parsed, Post, Ref
from linkblog.plan import (
    GROUP_FEEDS,
    INDEX_KINDS,
    LIST_KINDS,
    TEMPLATES,
    group_feed,
    group_pages,
    index_pages,
    page_count,
    plan_pages,
    post_aliases,
    post_page,
    redirect_pages,
    site_feeds,
    special_page,
    specials,
)
from linkblog.problems import Problem
from linkblog.scan import Found, Inputs

# The page counting each kind of group, redone when a post joins or leaves one.
INDEX_OF = {PageKind.TAG: PageKind.TAGS, PageKind.SOURCE: PageKind.SOURCES}
# The groups the stats page counts a post in (besides its date); it shows them by name.
COUNTED = (PageKind.TAG, PageKind.SOURCE)
# Lists each of whose pages shows the group's counts: a source's posts and dates, a year's months.
COUNTING_LISTS = (PageKind.SOURCE, PageKind.YEAR)
# A file changed within this long of the last scan may share its stamp with the version we
# read (coarse file-system clocks): its bytes are compared instead, as git does.
RACY_NS = 2_000_000_000
_LIBRARIES = ("markdown_it", "mdit_py_plugins", "jinja2", "markupsafe", "feedgen", "lxml", "yaml", "frontmatter",
              "idna")


@dataclass(slots=True)
class FileState:
    """A post file as last read: its stat key, content digest and what it parsed to."""

    changed_ns: int
    size: int
    digest: str
    parsed: Parsed | None
    problems: list[Problem]


UNUSED = "unused"  # no digest: what State.templates holds for a template no page uses
# What State.templates holds, under the warning itself, for a block no template shows: told by every build while no
# template changes, as an unused template is.
HIDDEN_BLOCK = "hidden block"


@dataclass
class State:
    """What one build leaves for the next: parses, page fingerprints, the output manifest."""

    code: str = ""
    parse_key: str = ""
    render_key: str = ""
    out: str = ""
    saved_ns: int = 0
    template_key: str = ""  # the template files' bytes `templates` was worked out from
    files: dict[str, FileState] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)  # URL -> fingerprint of what was rendered
    outputs: dict[str, str] = field(default_factory=dict)  # output file -> digest of its bytes
    # page template -> digest of all it pulls in; a template of the site's own that no page uses -> UNUSED; a
    # warning of a block no template shows (engine.warning_key) -> HIDDEN_BLOCK
    templates: dict[str, str] = field(default_factory=dict)
    # post path -> its parse as the cache gave it, without its body (read for the pages that show it)
    unread: dict[str, Parsed] = field(default_factory=dict)
    # (use, post path) -> (key, HTML): the list and feed entries rendered since the last save
    entries: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


def code_digest() -> str:
    """A digest of linkblog's own code and the libraries that shape its output: no key is bumped by hand."""
    package = Path(__file__).parent
    sources = [digest_bytes(path.read_bytes()) for path in sorted(package.glob("*.py"))]
    return key_of(__version__, *library_stamps(), *sources)


def library_stamps() -> list[str]:
    """Where each library lives and when it was installed: an upgrade changes them, without importing any."""
    stamps = []
    for name in _LIBRARIES:
        spec = find_spec(name)
        origin = Path(spec.origin) if spec and spec.origin else None
        stat = origin.stat() if origin and origin.exists() else None
        stamps.append(f"{name}:{origin}:{stat.st_mtime_ns if stat else 0}:{stat.st_size if stat else 0}")
    return stamps


def is_racy(changed_ns: int, scanned_ns: int) -> bool:
    """True when a file's change stamp is too close to the last scan for its stat to be trusted."""
    return changed_ns >= scanned_ns - RACY_NS


def fitted(state: State, code: str, config: Config, selection: tuple[str, ...]) -> State:
    """The state, emptied of what this code, config and selection make stale; keys are derived, never bumped."""
    parse_key = key_of(code, config.timezone)
    render_key = key_of(parse_key, repr(config), *selection)
    out = str(config.output_path)
    if state.code != code or state.parse_key != parse_key:
        state.files, state.unread = {}, {}
    if state.code != code or state.render_key != render_key or state.out != out:
        state.pages, state.templates = {}, {}
    if state.out != out:
        state.outputs = {}
    state.code, state.parse_key, state.render_key, state.out = code, parse_key, render_key, out
    return state


def input_key(code: str, settings: tuple[str, ...], inputs: Inputs) -> str:
    """A key of everything a build reads (its code, settings and every input's stat): the same when nothing changed."""
    stats = [f"{f.changed_ns}/{f.size}/{f.path}" for f in inputs.files()]  # numbers first: no NUL, one reading
    return key_of(code, *settings, *inputs.ignored, *(f"{rel}:{why}" for rel, why in inputs.unusable), *stats)


def racy_digests(inputs: Inputs) -> dict[str, str]:
    """The digests of the input files too recent for their stat to be trusted."""
    return {f.path: file_digest(f.path) for f in inputs.files() if is_racy(f.changed_ns, inputs.started_ns)}


def template_key(templates: list[Found]) -> str:
    """A key of every template file's bytes: the page templates' digests hold while it is the same."""
    return key_of(*(f"{file_digest(f.path)}/{f.path}" for f in templates))


def file_digest(path: str) -> str:
    try:
        return digest_bytes(Path(path).read_bytes())
    except OSError:
        return ""


def reusable(state: State, rel: str, found: Found,
             digest_of: Callable[[str, bytes], str]) -> tuple[FileState | None, bytes | None]:
    """The last parse of a post if its bytes are unchanged; else the bytes read to tell (if any).

    `digest_of(rel, data)` is the content digest; a file read before whose stat is unchanged and not racy is
    trusted without reading it.
    """
    old = state.files.get(rel)
    if old is None or not old.digest:  # new, or unreadable when last tried (a chmod leaves its stat as it was)
        return None, None  # the worker that parses it reads it
    if (old.changed_ns, old.size) == (found.changed_ns, found.size) and not is_racy(found.changed_ns, state.saved_ns):
        return old, None
    try:
        data = Path(found.path).read_bytes()
    except OSError:
        return None, None
    if old.digest != digest_of(rel, data):
        return None, data
    return FileState(found.changed_ns, found.size, old.digest, old.parsed, old.problems), None


class Fingerprints:
    """Each placed post's fingerprint, worked out once per Post object: a post is on several pages, and
    the index keeps a post's object until what it shows changes.

    `wide`: the site has templates of its own, which may show anything of every post a page reaches (its
    neighbours, the archive's posts, a list's whole group), where the theme's show titles and links."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[Post, str]] = {}
        self.wide = False
        self.groups: dict[tuple[PageKind, str], str] = {}  # of this build's site: emptied by `widen`

    def __call__(self, post: Post) -> str:
        known = self.known.get(post.path)
        if known is None or known[0] is not post:
            known = self.known[post.path] = (post, post_fingerprint(post))
        return known[1]

    def widen(self, wide: bool) -> None:
        """Start a build's fingerprints: as wide as its templates may look."""
        self.wide, self.groups = wide, {}

    def listing(self, post: Post) -> str:
        """What a page that lists a post (the archive, previous/next links) can show of it."""
        return self(post) if self.wide else listing_fingerprint(post)

    def group(self, group: Group) -> str:
        """What a list page can show of its whole group (`page.group.posts`): its posts, under wide templates."""
        if not self.wide:
            return ""
        key = (group.kind, group.slug)
        if key not in self.groups:
            self.groups[key] = key_of(*(self(post) for post in group.posts))
        return self.groups[key]

    def alias(self, post: Post, like: Post) -> None:
        """`post` shows what `like` shows (it is `like` with the body the cache kept apart): the same fingerprint."""
        self.known[post.path] = (post, self(like))


@dataclass
class EntryStore:
    """List and feed entries kept between builds: each holds while its post's fingerprint and the salt (the
    render key and every template's bytes) are what they were when it was rendered."""

    salt: str
    found: dict[tuple[str, str], tuple[str, str]]  # (use, post path) -> (key, HTML) as the cache had them
    fingerprint: Callable[[Post], str]  # a Fingerprints, shared with the pages' fingerprints
    made: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # rendered by this build, to keep

    def key(self, post: Post) -> str:
        return self.salt + self.fingerprint(post)  # two digests side by side: no third to work out per post

    def get(self, post: Post, use: str) -> str | None:
        hit = self.found.get((use, post.path))
        return hit[1] if hit is not None and hit[0] == self.key(post) else None

    def put(self, post: Post, use: str, html: str) -> None:
        self.made[(use, post.path)] = (self.key(post), html)


def post_fingerprint(post: Post) -> str:
    """Everything about a placed post that a page showing it in full can depend on."""
    refs = [*post.tag_refs, post.source_ref, post.via_ref]
    shown = [post.digest, post.url, post.date.isoformat(), *(ref_part(r) if r else "" for r in refs),
             repr(post.scheduled)]
    return key_of(*shown)


def ref_part(ref: Ref) -> str:
    """A tag, source or via as one part of a key: its URL (which holds no space) first, then the name it shows."""
    return f"{ref.url} {ref.name}"


def listing_fingerprint(post: Post) -> str:
    """What a list of titles shows of a post (the archive, previous/next links): never its body."""
    source = ref_part(post.source_ref) if post.source_ref else ""
    via = (post.via.url or "") if post.via else ""  # the page of people links each one's newest link
    marks = repr((post.draft, post.scheduled))
    return key_of(post.title, post.url, post.date.isoformat(), post.link or "", source, via, marks)


def page_fingerprint(page: PageSpec, template_digest: str, fingerprints: Fingerprints) -> str:
    """A digest of everything a page shows, so an unchanged page is never rendered again."""
    parts = [page.kind, page.template, template_digest, page.url, page.title, page.description, repr(page.pager),
             page.group.name if page.group else "", fingerprints.group(page.group) if page.group else "",
             repr(sorted(page.extra.items()))]
    shown = fingerprints.listing if page.kind is PageKind.ARCHIVE else fingerprints
    parts += [shown(post) for post in page.posts]
    parts += [fingerprints.listing(p) if p else "" for p in (page.older, page.newer, page.source_older,
                                                              page.source_newer)]
    parts += ["related", str(page.related_newer), *(fingerprints.listing(p) for p in page.related)]
    return key_of(*parts)


@dataclass(frozen=True, slots=True)
class Spot:
    """Where a published post sat: its sort key, its place in each group, its listing, and the posts whose
    pages show it (its neighbours in the site and in its source, the others linking its article)."""

    key: tuple
    positions: dict[GroupKey, int]
    neighbours: tuple[str | None, ...]
    listing: str
    counted: tuple  # what the stats page counts of it: its date, tags and source, and whether it links
    redirects: tuple[str, ...] = ()  # with old addresses: its URL and title and them, what redirect pages show


def spot(site: Site, path: str, wide: bool = False) -> Spot | None:
    """Where a post sits in the site now, or None when it is not published; its listing is all of it under
    wide templates (Fingerprints.wide)."""
    key = site.keys.get(path)
    if key is None:
        return None
    parsed = site.records[path]
    positions = {g: site.position(path, g) for g in group_keys(parsed, site.sources)}
    shown_on = (*site.neighbours(path), *site.source_neighbours(path), *site.related(path))
    counted = (parsed.date.isoformat(), *sorted(g for g in positions if g[0] in COUNTED), bool(parsed.link))
    listing = (post_fingerprint if wide else listing_fingerprint)(site.post(path))
    old = post_aliases(site, path)
    return Spot(key, positions, shown_on, listing, counted,  # type: ignore[arg-type]
                (site.post_urls[path], parsed.title, *old) if old else ())


@dataclass
class Dirty:
    """The pages a change may have moved; `everything` when nothing can be assumed."""

    everything: bool = False
    posts: set[str] = field(default_factory=set)
    lists: dict[GroupKey, set[int] | None] = field(default_factory=dict)  # None: every page of the list
    feeds: set[GroupKey] = field(default_factory=set)  # HOME for the site's feeds, tags for theirs
    specials: set[PageKind] = field(default_factory=set)
    kinds: set[PageKind] = field(default_factory=set)  # every page of these kinds (a template changed)

    def merge(self, other: Dirty) -> None:
        self.everything |= other.everything
        self.posts |= other.posts
        for group, numbers in other.lists.items():
            self.add_pages(group, numbers)
        self.feeds |= other.feeds
        self.specials |= other.specials
        self.kinds |= other.kinds

    def add_pages(self, group: GroupKey, numbers: set[int] | None) -> None:
        if group in self.lists and self.lists[group] is None:
            return
        if numbers is None or group not in self.lists:
            self.lists[group] = None if numbers is None else set(numbers)
        else:
            self.lists[group] |= numbers  # type: ignore[operator]


def sizes(site: Site, groups: set[GroupKey]) -> dict[GroupKey, int]:
    return {g: len(site.lists.get(g, ())) for g in groups}


def touched(site: Site, before: dict[str, Spot | None], sizes_before: dict[GroupKey, int],
            renamed: set[GroupKey], wide: bool = False) -> Dirty:
    """The pages that changing the posts in `before` (their spots before the change) may have moved; under
    wide templates (Fingerprints.wide) every page of each group they are in, which each may show whole."""
    dirty = Dirty()
    per_page, items = site.config.per_page, site.config.feed.items
    after = {path: spot(site, path, wide) for path in before}
    moved: dict[GroupKey, list[int]] = {}
    changed: dict[GroupKey, list[int]] = {}
    relisted: set[GroupKey] = set()  # the groups of posts whose title, URL, date or links changed
    for path, old in before.items():
        new = after[path]
        for place in (old, new):
            if place is not None:
                dirty.posts.update(p for p in place.neighbours if p)
        if new is not None:
            dirty.posts.add(path)
        shifted = old is None or new is None or old.key != new.key
        if shifted or old.listing != new.listing:  # type: ignore[union-attr]
            dirty.specials.add(PageKind.ARCHIVE)
            relisted.update(g for place in (old, new) if place for g in place.positions)
        if shifted:
            dirty.specials.add(PageKind.SITEMAP)
        if (old.counted if old else None) != (new.counted if new else None):
            dirty.specials.add(PageKind.STATS)
        if (old.redirects if old else ()) != (new.redirects if new else ()):  # redirect pages come, go or move
            dirty.kinds.add(PageKind.REDIRECT)
        for place in (old, new):
            for group, at in (place.positions if place else {}).items():
                # A post joining or leaving a list shifts it as much as a new date does.
                stays = old is not None and new is not None and group in old.positions and group in new.positions
                (changed if stays and not shifted else moved).setdefault(group, []).append(at)
    for group in {*moved, *changed, *renamed}:
        if group[0] is PageKind.VIA:  # one page lists every person who sent a link, with their posts' titles
            if group in moved or group in renamed or group in relisted:
                dirty.specials.add(PageKind.VIA)
            continue
        if group[0] in INDEX_OF and (group in moved or group in renamed):  # a count, date or name it shows
            dirty.specials.add(INDEX_OF[group[0]])
        positions = moved.get(group, []) + changed.get(group, [])
        count_before = page_count(sizes_before.get(group, 0), per_page)
        count_after = page_count(len(site.lists.get(group, ())), per_page)
        if not sizes_before.get(group) or group not in site.lists:  # a list (and its pages) came or went
            dirty.specials.add(PageKind.SITEMAP)
            if group[0] is PageKind.YEAR:  # the years beside it link it, or linked it
                for year in site.adjacent(group):
                    if year:
                        dirty.add_pages((PageKind.YEAR, year), None)
        if group in renamed or count_before != count_after or (group[0] in COUNTING_LISTS and group in moved) \
                or (wide and group != HOME):
            dirty.add_pages(group, None)
            dirty.specials.add(PageKind.SITEMAP)
        elif group in moved:
            last = max(positions) if sizes_before.get(group) == len(site.lists.get(group, ())) else None
            stop = count_after if last is None else last // per_page + 1
            dirty.add_pages(group, set(range(min(positions) // per_page + 1, stop + 1)))
        else:
            dirty.add_pages(group, {at // per_page + 1 for at in positions})
        if has_feed(group) and (group in renamed or min(positions, default=0) < items):
            dirty.feeds.add(group)
    for group in renamed:
        dirty.merge(renamed_posts(site, group, wide))
        if group[0] in COUNTED:  # the stats page shows tags and sources by name
            dirty.specials.add(PageKind.STATS)
    return dirty


def urls_moved(dirty: Dirty) -> bool:
    """True when the change may add, drop or move a page: the sitemap, which lists them all, is dirty then."""
    return dirty.everything or bool(dirty.kinds) or PageKind.SITEMAP in dirty.specials


def has_feed(group: GroupKey) -> bool:
    return group == HOME or group[0] in GROUP_FEEDS


def renamed_posts(site: Site, group: GroupKey, wide: bool = False) -> Dirty:
    """A group took another shown name: each of its posts shows it, on its page and in its lists; under wide
    templates, on every page that reaches the post too (its neighbours', every page of its lists, the archive)."""
    specials = {PageKind.ARCHIVE} if group[0] is PageKind.SOURCE or wide else set()
    dirty = Dirty(specials=specials | {PageKind.VIA} if group[0] is PageKind.VIA else specials)
    per_page = site.config.per_page
    for key in site.lists.get(group, []):
        path = key[2]
        dirty.posts.add(path)
        if wide:
            shown_on = (*site.neighbours(path), *site.source_neighbours(path), *site.related(path))
            dirty.posts.update(other for other in shown_on if other)
        for member in group_keys(site.records[path], site.sources):
            if member[0] is PageKind.VIA:
                continue
            at = site.position(path, member)
            dirty.add_pages(member, None if wide else {at // per_page + 1})  # type: ignore[operator]
            if has_feed(member):
                dirty.feeds.add(member)
    return dirty


def templates_touched(old: dict[str, str], new: dict[str, str]) -> set[PageKind]:
    """The kinds of page whose template (or anything it pulls in) changed."""
    changed = {name for name in new if old.get(name) != new[name]}
    return {kind for kind, name in TEMPLATES.items() if name in changed}


def to_render(state: State, pages: list[PageSpec], fingerprints: dict[str, str],
              file_for: Callable[[str], str]) -> list[PageSpec]:
    """The planned pages whose fingerprint changed, or whose file the output lacks."""
    return [page for page in pages if state.pages.get(page.url) != fingerprints[page.url]
            or file_for(page.url) not in state.outputs]


def planned(site: Site, dirty: Dirty) -> list[PageSpec]:
    """The pages to fingerprint: every page, or those the change may have moved."""
    if dirty.everything:
        return plan_pages(site)[0]
    pages = [page for kind in sorted(dirty.kinds) for page in pages_of_kind(site, kind)]
    pages += [post_page(site, path) for path in sorted(dirty.posts) if path in site.keys]
    for group, numbers in sorted(dirty.lists.items(), key=lambda item: item[0]):
        if group in site.lists or group == HOME:  # the home page stays when its last post goes
            count = page_count(len(site.lists.get(group, ())), site.config.per_page)
            wanted = None if numbers is None else sorted(n for n in numbers if 1 <= n <= count)
            pages += group_pages(site, site.group(group), wanted)
    for group in sorted(dirty.feeds):
        if group == HOME:
            pages += site_feeds(site)
        elif group in site.lists:
            pages.append(group_feed(site, site.group(group)))
    pages += [page for kind in sorted(dirty.specials) for page in single_pages(site, kind)]
    return list({page.url: page for page in pages}.values())


def single_pages(site: Site, kind: PageKind) -> list[PageSpec]:
    """The pages of a kind that is no list of posts: the archive, the sitemap, the index of tags, ..."""
    return index_pages(site, kind) if kind in INDEX_KINDS else [special_page(site, kind)]


def pages_of_kind(site: Site, kind: PageKind) -> list[PageSpec]:
    """Every page of one kind."""
    if kind is PageKind.POST:
        return [post_page(site, path) for path in site.posts.paths()]
    if kind is PageKind.HOME:
        return group_pages(site, site.group(HOME))
    if kind in LIST_KINDS:
        return [page for group in site.groups(kind) for page in group_pages(site, group)]
    if kind is PageKind.REDIRECT:
        return redirect_pages(site)
    if kind in (PageKind.RSS, PageKind.ATOM, PageKind.JSON):  # one template for every feed
        return site_feeds(site) + [group_feed(site, group) for kind in GROUP_FEEDS for group in site.groups(kind)]
    return single_pages(site, kind) if kind in (*specials(site).values(), *INDEX_KINDS) else []

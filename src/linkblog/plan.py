"""A Site -> the pages to write (PageSpecs), with URL collisions found before rendering.

Every page can be planned on its own (one post page, some pages of one group), so an
incremental build plans only the pages an edit touches.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from linkblog.index import HOME, GroupKey, Site
from linkblog.model import Group, PageKind, Pager, PageSpec
from linkblog.problems import Problem
from linkblog.scan import Found

FEED_FILES = {PageKind.RSS: "/feed.xml", PageKind.ATOM: "/atom.xml"}
TAG_FEED = "/tag/{}/feed.xml"
# Feeds are XML from feedgen; each entry's HTML comes from this template.
FEED_TEMPLATE = "feed_entry.html"
LIST_KINDS = (PageKind.TAG, PageKind.YEAR, PageKind.MONTH, PageKind.SOURCE)
TEMPLATES = {PageKind.HOME: "index.html", PageKind.POST: "post.html", PageKind.ARCHIVE: "archive.html",
             PageKind.RSS: FEED_TEMPLATE, PageKind.ATOM: FEED_TEMPLATE, PageKind.SITEMAP: "sitemap.xml",
             PageKind.NOT_FOUND: "404.html", PageKind.ROBOTS: "robots.txt",
             **{kind: "list.html" for kind in LIST_KINDS}}
_TITLES = {PageKind.TAG: "Tag: {}", PageKind.YEAR: "Year: {}", PageKind.MONTH: "Month: {}",
           PageKind.SOURCE: "Source: {}"}
_DESCRIPTIONS = {PageKind.TAG: "Posts tagged “{}”", PageKind.YEAR: "Posts from {}", PageKind.MONTH: "Posts from {}",
                 PageKind.SOURCE: "Posts quoting {}"}
SPECIAL = {"/archive/": PageKind.ARCHIVE, "/404.html": PageKind.NOT_FOUND, "/robots.txt": PageKind.ROBOTS,
           "/sitemap.xml": PageKind.SITEMAP}


def plan_pages(site: Site) -> tuple[list[PageSpec], list[Problem]]:
    """Every page of the site, in a stable order, and a Problem for each URL written twice."""
    pages = group_pages(site, site.group(HOME)) + [post_page(site, path) for path in site.posts.paths()]
    for kind in LIST_KINDS:
        for group in site.groups(kind):
            pages += group_pages(site, group)
    pages += site_feeds(site) + [tag_feed(site, tag) for tag in site.groups(PageKind.TAG)]
    pages += [special_page(site, kind) for kind in SPECIAL.values()]
    return pages, collisions(site, generated_urls(site))


def page_count(posts: int, per_page: int) -> int:
    """How many pages a list of this many posts takes (an empty list still has its first page)."""
    return max(1, -(-posts // per_page))


def page_url(first_url: str, number: int) -> str:
    """The URL of page `number` of a list whose first page is `first_url`."""
    return first_url if number == 1 else f"{first_url}page/{number}/"


def pager(first_url: str, number: int, count: int) -> Pager:
    return Pager(number=number, count=count, url=page_url(first_url, number),
                 prev_url=page_url(first_url, number - 1) if number > 1 else None,
                 next_url=page_url(first_url, number + 1) if number < count else None, first_url=first_url)


def group_pages(site: Site, group: Group, numbers: Iterable[int] | None = None) -> list[PageSpec]:
    """The pages of a paginated list (the home page or a group's), all of them or those numbered."""
    per_page = site.config.per_page
    count = page_count(len(group.posts), per_page)
    home = group.kind is PageKind.HOME
    title = site.config.title if home else _TITLES[group.kind].format(group.name)
    description = site.config.description if home else _DESCRIPTIONS[group.kind].format(group.name)
    return [PageSpec(url=page_url(group.url, n), template=TEMPLATES[group.kind], title=title, kind=group.kind,
                     posts=group.posts[(n - 1) * per_page: n * per_page], pager=pager(group.url, n, count),
                     description=description, group=None if home else group)
            for n in (range(1, count + 1) if numbers is None else numbers)]


def post_page(site: Site, path: str) -> PageSpec:
    post = site.post(path)
    older, newer = site.neighbours(path)
    return PageSpec(url=post.url, template=TEMPLATES[PageKind.POST], title=post.title, kind=PageKind.POST,
                    posts=[post], post=post, description=post.description,
                    older=site.post(older) if older else None, newer=site.post(newer) if newer else None)


def site_feeds(site: Site) -> list[PageSpec]:
    """The site's RSS and Atom feeds."""
    newest = site.posts[: site.config.feed.items]
    return [PageSpec(url=site.urls.path(file), template=FEED_TEMPLATE, title=site.config.title, kind=kind,
                     posts=newest, extra={"self": site.urls.absolute(file), "home": site.urls.absolute("/")})
            for kind, file in FEED_FILES.items()]


def tag_feed(site: Site, tag: Group) -> PageSpec:
    """The RSS feed of one tag."""
    file = TAG_FEED.format(tag.slug)
    return PageSpec(url=site.urls.path(file), template=FEED_TEMPLATE, title=f"{site.config.title}: {tag.name}",
                    kind=PageKind.RSS, posts=tag.posts[: site.config.feed.items], group=tag,
                    extra={"self": site.urls.absolute(file), "home": site.urls.absolute(f"/tag/{tag.slug}/")})


def special_page(site: Site, kind: PageKind) -> PageSpec:
    """The archive, the 404 page, robots.txt or the sitemap."""
    urls = site.urls
    if kind is PageKind.ARCHIVE:
        return PageSpec(url=urls.path("/archive/"), template=TEMPLATES[kind], title="Archive", kind=kind,
                        posts=list(site.posts), description="Every post, by year",
                        extra={"years": {y.name: y.url for y in site.groups(PageKind.YEAR)}})
    if kind is PageKind.NOT_FOUND:
        return PageSpec(url=urls.path("/404.html"), template=TEMPLATES[kind], title="Page not found", kind=kind)
    if kind is PageKind.ROBOTS:
        return PageSpec(url=urls.path("/robots.txt"), template=TEMPLATES[kind], title="robots.txt", kind=kind,
                        extra={"sitemap": urls.absolute("/sitemap.xml")})
    return PageSpec(url=urls.path("/sitemap.xml"), template=TEMPLATES[kind], title="sitemap", kind=kind,
                    extra={"entries": sitemap_entries(site)})


def group_urls(site: Site, group: GroupKey) -> list[str]:
    """The URLs of every page of a group's list."""
    first = site.group_url(group)
    return [page_url(first, n) for n in range(1, page_count(len(site.lists.get(group, [])), site.config.per_page) + 1)]


def generated_urls(site: Site) -> dict[str, PageKind]:
    """The URL and kind of every page but the posts', without planning the pages."""
    urls = site.urls
    found = dict.fromkeys(group_urls(site, HOME), PageKind.HOME)
    for group in sorted(k for k in site.lists if k[0] is not PageKind.HOME):
        found.update(dict.fromkeys(group_urls(site, group), group[0]))
        if group[0] is PageKind.TAG:
            found[urls.path(TAG_FEED.format(group[1]))] = PageKind.RSS
    found.update({urls.path(file): kind for kind, file in FEED_FILES.items()})
    found.update({urls.path(path): kind for path, kind in SPECIAL.items()})
    return found


def page_urls(site: Site, generated: dict[str, PageKind]) -> dict[str, PageKind]:
    """Every page's URL and kind: the home pages, the posts newest first, then the rest."""
    home = {url: kind for url, kind in generated.items() if kind is PageKind.HOME}
    posts = dict.fromkeys((site.post_urls[path] for path in site.posts.paths()), PageKind.POST)
    return {**home, **posts, **{url: kind for url, kind in generated.items() if kind is not PageKind.HOME}}


def sitemap_entries(site: Site) -> list[tuple[str, str | None]]:
    """Every HTML page but the 404 page, with the date of each post page."""
    origin = site.urls.origin
    dates = {site.post_urls[path]: site.records[path].date.date().isoformat() for path in site.posts.paths()}
    return [(origin + url, dates.get(url) if kind is PageKind.POST else None)
            for url, kind in page_urls(site, generated_urls(site)).items() if url.endswith("/")]


def collisions(site: Site, generated: dict[str, PageKind]) -> list[Problem]:
    """A Problem for each URL that two pages would write, naming every file involved."""
    problems = []
    for url, paths in site.by_url.items():
        first, *rest = sorted(paths) + ([f"the {generated[url]} page"] if url in generated else [])
        if rest:
            problems.append(Problem(first, f"writes the same URL {url} as {' and '.join(rest)}"))
    return problems


def static_collisions(site: Site, urls: Iterable[str], static: dict[str, Found]) -> list[Problem]:
    """A Problem for each static file that would replace a generated page, or the folder one sits in."""
    generated = {site.urls.file_for(url) for url in urls}
    folders = {str(parent) for rel in generated for parent in PurePosixPath(rel).parents}
    root = site.config.root
    return [Problem(shown_path(found.path, root), f"would replace generated pages at /{rel}; rename or remove it")
            for rel, found in static.items()
            if rel in generated or rel in folders or any(str(p) in generated for p in PurePosixPath(rel).parents)]


def shown_path(path: str, root: Path) -> str:
    """A path as the user knows it: relative to the site when it is inside it."""
    return str(Path(path).relative_to(root)) if Path(path).is_relative_to(root) else path

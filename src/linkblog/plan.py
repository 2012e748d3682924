"""A Site -> every page to write (PageSpec), with URL collisions found before rendering."""

from __future__ import annotations

from collections import defaultdict

from linkblog.config import Config
from linkblog.digest import key_of
from linkblog.model import Group, Pager, PageSpec, Post, Site
from linkblog.problems import Problem
from linkblog.urls import Urls

FEED_FILES = {"rss": "feed.xml", "atom": "atom.xml"}
# Feeds are XML from feedgen; each entry's HTML comes from this template.
FEED_TEMPLATE = "feed_entry.html"
PAGE_TEMPLATES = {"index.html", "post.html", "list.html", "archive.html", "404.html", "sitemap.xml", "robots.txt",
                  FEED_TEMPLATE}


def plan_pages(site: Site, config: Config) -> tuple[list[PageSpec], list[Problem]]:
    """Every page of the site, in a stable order, and a Problem for each URL written twice."""
    urls = Urls(config.url)
    pages = home_pages(site, config, urls) + [post_page(site, post) for post in site.posts]
    for kind, title, groups in (("tag", "Tag: {}", site.tags), ("year", "Year: {}", site.years),
                                ("month", "Month: {}", site.months),
                                ("source", "Source: {}", site.sources)):
        for group in groups:
            pages += group_pages(group, kind, title.format(group.name), config.per_page, urls)
    pages += feed_pages(site, config, urls) + special_pages(site, urls)
    pages.append(sitemap_page(pages, urls))
    return pages, collisions(pages)


def paginate(posts: list[Post], per_page: int, first_url: str) -> list[tuple[list[Post], Pager]]:
    """Slices of `posts` with the pager that links each to its neighbours."""
    count = max(1, -(-len(posts) // per_page))
    return [
        (posts[(n - 1) * per_page: n * per_page],
         Pager(number=n, count=count, url=page_url(first_url, n),
               prev_url=page_url(first_url, n - 1) if n > 1 else None,
               next_url=page_url(first_url, n + 1) if n < count else None, first_url=first_url))
        for n in range(1, count + 1)
    ]


def page_url(first_url: str, number: int) -> str:
    """The URL of page `number` of a list whose first page is `first_url`."""
    return first_url if number == 1 else f"{first_url}page/{number}/"


def home_pages(site: Site, config: Config, urls: Urls) -> list[PageSpec]:
    return [
        PageSpec(url=pager.url, template="index.html", title=config.title, kind="home", posts=chunk,
                 pager=pager, description=config.description)
        for chunk, pager in paginate(site.posts, config.per_page, urls.path("/"))
    ]


def post_page(site: Site, post: Post) -> PageSpec:
    return PageSpec(url=post.url, template="post.html", title=post.title, kind="post",
                    posts=[post], post=post, description=post.description,
                    older=site.older[post.url], newer=site.newer[post.url])


def group_pages(group: Group, kind: str, title: str, per_page: int, urls: Urls) -> list[PageSpec]:
    descriptions = {"tag": f"Posts tagged “{group.name}”", "year": f"Posts from {group.name}",
                    "month": f"Posts from {group.name}", "source": f"Posts quoting {group.name}"}
    return [
        PageSpec(url=pager.url, template="list.html",
                 title=title, kind=kind, posts=chunk, pager=pager, group=group,
                 description=descriptions[kind])
        for chunk, pager in paginate(group.posts, per_page, group.url)
    ]


def feed_pages(site: Site, config: Config, urls: Urls) -> list[PageSpec]:
    """The site's RSS and Atom feeds and one RSS feed per tag."""
    newest = site.posts[: config.feed.items]
    pages = [PageSpec(url=urls.path(file), template=FEED_TEMPLATE, title=config.title, kind=kind,
                      posts=newest, extra={"self": urls.absolute(file), "home": urls.absolute("/")})
             for kind, file in FEED_FILES.items()]
    for tag in site.tags:
        site_path = f"/tag/{tag.slug}/feed.xml"
        pages.append(PageSpec(url=urls.path(site_path), template=FEED_TEMPLATE, title=f"{config.title}: {tag.name}",
                              kind="rss", posts=tag.posts[: config.feed.items], group=tag,
                              extra={"self": urls.absolute(site_path),
                                     "home": urls.absolute(f"/tag/{tag.slug}/")}))
    return pages


def special_pages(site: Site, urls: Urls) -> list[PageSpec]:
    """The archive, 404 page and robots.txt."""
    return [
        PageSpec(url=urls.path("/archive/"), template="archive.html", title="Archive", kind="archive",
                 posts=[p.listing for p in site.posts if p.listing], description="Every post, by year",
                 extra={"years": {y.name: y.url for y in site.years}}),
        PageSpec(url=urls.path("/404.html"), template="404.html", title="Page not found", kind="404"),
        PageSpec(url=urls.path("/robots.txt"), template="robots.txt", title="robots.txt", kind="robots",
                 extra={"sitemap": urls.absolute("/sitemap.xml")}),
    ]


def sitemap_page(pages: list[PageSpec], urls: Urls) -> PageSpec:
    """A sitemap listing every HTML page except the 404 page."""
    origin = urls.origin
    entries = [(origin + p.url, p.post.date.date().isoformat() if p.post else None)
               for p in pages if p.url.endswith("/")]
    return PageSpec(url=urls.path("/sitemap.xml"), template="sitemap.xml", title="sitemap",
                    kind="sitemap", extra={"entries": entries})


def collisions(pages: list[PageSpec]) -> list[Problem]:
    """A Problem for each URL that two pages would write, naming every file involved."""
    writers: dict[str, list[PageSpec]] = defaultdict(list)
    for page in pages:
        writers[page.url].append(page)
    problems = []
    for url, clashing in writers.items():
        if len(clashing) > 1:
            files = sorted(p.post.path for p in clashing if p.post)
            others = sorted(f"the {p.kind} page '{p.title}'" for p in clashing if not p.post)
            first, *rest = files + others
            problems.append(Problem(first, f"writes the same URL {url} as {' and '.join(rest)}"))
    return problems


def page_inputs(page: PageSpec) -> str:
    """A digest of everything a page shows, so an unchanged page is never re-rendered."""
    parts = [page.kind, page.template, page.url, page.title, page.description, repr(page.pager),
             page.group.name if page.group else "", repr(sorted(page.extra.items()))]
    parts += [p.fingerprint if p else "" for p in (page.older, page.newer)]
    parts += [p.fingerprint for p in page.posts]
    return key_of(*parts)

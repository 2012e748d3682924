"""A Site -> the pages to write (PageSpecs), with URL collisions found before rendering.

Every page can be planned on its own (one post page, some pages of one group), so an
incremental build plans only the pages an edit touches.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from linkblog.config import Config
from linkblog.index import HOME, GroupKey, Site
from linkblog.model import Count, Group, Listing, PageKind, Pager, PageSpec, Post, Tally, alias_paths
from linkblog.problems import Problem
from linkblog.scan import Found
from linkblog.search import FOLDER as SEARCH_INDEX
from linkblog.stats import charts
from linkblog.urls import name_order

FEED_FILES = {PageKind.RSS: "/feed.xml", PageKind.ATOM: "/atom.xml", PageKind.JSON: "/feed.json"}
GROUP_FEEDS = {PageKind.TAG: "/tag/{}/feed.xml", PageKind.SOURCE: "/source/{}/feed.xml"}  # RSS, one per group
# Feeds are XML from feedgen (JSON Feed from json); each entry's HTML comes from this template.
FEED_TEMPLATE = "feed_entry.html"
LIST_KINDS = (PageKind.TAG, PageKind.YEAR, PageKind.MONTH, PageKind.SOURCE)
# The pages that list every tag, source or person who sent a link; sources in three orders.
SOURCE_ORDERS = {"/sources/": "most quoted", "/sources/by-name/": "by name", "/sources/recent/": "most recent"}
INDEX_PAGES = {"/tag/": PageKind.TAGS, **dict.fromkeys(SOURCE_ORDERS, PageKind.SOURCES), "/via/": PageKind.VIA}
# The kinds of page planned together, as index_pages() gives them: the index of tags, the sources in three orders,
# the people, and the sitemap (on a large site, an index of the sitemap files listing its pages).
INDEX_KINDS = (PageKind.TAGS, PageKind.SOURCES, PageKind.VIA, PageKind.SITEMAP)
TEMPLATES = {PageKind.HOME: "index.html", PageKind.POST: "post.html", PageKind.ARCHIVE: "archive.html",
             PageKind.RSS: FEED_TEMPLATE, PageKind.ATOM: FEED_TEMPLATE, PageKind.JSON: FEED_TEMPLATE,
             PageKind.SITEMAP: "sitemap.xml", PageKind.NOT_FOUND: "404.html", PageKind.ROBOTS: "robots.txt",
             PageKind.TAGS: "tags.html", PageKind.SOURCES: "sources.html", PageKind.VIA: "via.html",
             PageKind.STATS: "stats.html", PageKind.SEARCH: "search.html", PageKind.REDIRECT: "redirect.html",
             **{kind: "list.html" for kind in LIST_KINDS}}
_TITLES = {PageKind.TAG: "Tag: {}", PageKind.YEAR: "Year: {}", PageKind.MONTH: "Month: {}",
           PageKind.SOURCE: "Source: {}"}
_DESCRIPTIONS = {PageKind.TAG: "Posts tagged “{}”", PageKind.YEAR: "Posts from {}", PageKind.MONTH: "Posts from {}",
                 PageKind.SOURCE: "Posts quoting {}"}
SITEMAP = "/sitemap.xml"
SPECIAL = {"/archive/": PageKind.ARCHIVE, "/404.html": PageKind.NOT_FOUND, "/robots.txt": PageKind.ROBOTS,
           SITEMAP: PageKind.SITEMAP, "/stats/": PageKind.STATS}
# sitemaps.org's limit of URLs in one sitemap file; a site with more lists them in several, which SITEMAP lists.
SITEMAP_MAX_URLS = 50_000
SITEMAP_PART = "/sitemap-{}.xml"
SEARCH_PAGE = "/search/"


def plan_pages(site: Site) -> tuple[list[PageSpec], list[Problem]]:
    """Every page of the site, in a stable order, and a Problem for each URL written twice."""
    pages = group_pages(site, site.group(HOME)) + [post_page(site, path) for path in site.posts.paths()]
    for kind in LIST_KINDS:
        for group in site.groups(kind):
            pages += group_pages(site, group)
    pages += site_feeds(site) + [group_feed(site, group) for kind in GROUP_FEEDS for group in site.groups(kind)]
    pages += [page for kind in INDEX_KINDS for page in index_pages(site, kind)]
    pages += [special_page(site, kind) for kind in specials(site).values() if kind not in INDEX_KINDS]
    return pages + redirect_pages(site), collisions(site, generated_urls(site))


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
    extra = {} if home else group_extra(site, group)
    description = extra.get("about") or description
    return [PageSpec(url=page_url(group.url, n), template=TEMPLATES[group.kind], title=title, kind=group.kind,
                     posts=group.posts[(n - 1) * per_page: n * per_page], pager=pager(group.url, n, count),
                     description=description, group=None if home else group, extra=extra)
            for n in (range(1, count + 1) if numbers is None else numbers)]


def group_extra(site: Site, group: Group) -> dict[str, object]:
    """What a list shows besides its posts: a tag's or source's feed, a source's site, count and dates, a year's
    months and neighbouring years, a month's year."""
    if group.kind is PageKind.YEAR:
        return year_extra(site, group.slug)
    if group.kind is PageKind.MONTH:
        return {"year": site.ref((PageKind.YEAR, group.slug.split("/")[0]))}
    if group.kind not in GROUP_FEEDS:
        return {}
    extra: dict[str, object] = {"feed": site.urls.path(GROUP_FEEDS[group.kind].format(group.slug))}
    if group.kind is PageKind.SOURCE:
        entry = site.sources.entry(group.slug)
        first, last = site.span((group.kind, group.slug))
        extra |= {"count": len(group.posts), "first": first, "last": last,
                  "home": entry.url if entry else None, "about": entry.description if entry else None}
    return extra


def year_extra(site: Site, year: str) -> dict[str, object]:
    """A year's months with their counts, and the years with posts before and after it."""
    earlier, later = site.adjacent((PageKind.YEAR, year))
    months = [Tally(f"{datetime.strptime(key[1], '%Y/%m'):%B}", len(site.lists[key]), site.group_url(key))
              for key in site.months(year)]
    return {"months": months, "previous_year": site.ref((PageKind.YEAR, earlier)) if earlier else None,
            "next_year": site.ref((PageKind.YEAR, later)) if later else None}


def post_page(site: Site, path: str) -> PageSpec:
    """A post's page: the post, its neighbours, the posts linking the same article, its source's neighbours."""
    post = site.post(path)
    older, newer = site.neighbours(path)
    source_older, source_newer = site.source_neighbours(path)
    # Described by its title when it has no words of its own, as its feed entries and og: tags are.
    return PageSpec(url=post.url, template=TEMPLATES[PageKind.POST], title=post.title, kind=PageKind.POST,
                    posts=[post], post=post, description=post.description or post.title,
                    older=placed(site, older), newer=placed(site, newer),
                    related=[site.post(other) for other in site.related(path)],
                    related_newer=sum(site.keys[other] > site.keys[path] for other in site.related(path)),
                    source_older=placed(site, source_older), source_newer=placed(site, source_newer))


def redirect_pages(site: Site) -> list[PageSpec]:
    """A page at each old address a post names (`aliases:`), sending readers on to the post."""
    pages = []
    for path, urls in redirects(site).items():
        post = site.post(path)
        pages += [PageSpec(url=url, template=TEMPLATES[PageKind.REDIRECT], title=post.title, kind=PageKind.REDIRECT,
                           extra={"target": post.url, "permalink": post.permalink}) for url in urls]
    return pages


def redirects(site: Site) -> dict[str, list[str]]:
    """The URLs of the old addresses each published post with any names, by the post's path."""
    found = {}
    for path in site.posts.paths():
        old = post_aliases(site, path)
        if old:
            found[path] = old
    return found


def post_aliases(site: Site, path: str) -> list[str]:
    """The URLs of a post's old addresses; none while they are wrong (the build fails, naming them)."""
    extra = site.records[path].extra
    if not extra or ("aliases" not in extra and "redirect_from" not in extra):  # most posts: nothing to read
        return []
    try:
        return [site.urls.path(alias) for alias in alias_paths(extra)]
    except ValueError:
        return []


def placed(site: Site, path: str | None) -> Post | None:
    return site.post(path) if path else None


def site_feeds(site: Site) -> list[PageSpec]:
    """The site's RSS, Atom and JSON feeds."""
    newest = site.posts[: site.config.feed.items]
    return [PageSpec(url=site.urls.path(file), template=FEED_TEMPLATE, title=site.config.title, kind=kind,
                     posts=newest, extra={"self": site.urls.absolute(file), "home": site.urls.absolute("/")})
            for kind, file in FEED_FILES.items()]


def group_feed(site: Site, group: Group) -> PageSpec:
    """The RSS feed of one tag or source."""
    file = GROUP_FEEDS[group.kind].format(group.slug)
    return PageSpec(url=site.urls.path(file), template=FEED_TEMPLATE, title=f"{site.config.title}: {group.name}",
                    kind=PageKind.RSS, posts=group.posts[: site.config.feed.items], group=group,
                    extra={"self": site.urls.absolute(file), "home": site.urls.origin + group.url})


def index_pages(site: Site, kind: PageKind) -> list[PageSpec]:
    """The page of every tag or of every person who sent a link, the three orders of every source, or the
    sitemap's files."""
    if kind is PageKind.SITEMAP:
        return sitemap_pages(site)
    if kind is PageKind.TAGS:
        rows = sorted(counts(site, PageKind.TAG), key=by_name)
        return [index_page(site, "/tag/", kind, "Tags", "Every tag, with how many posts have it", rows)]
    if kind is PageKind.VIA:
        rows = sorted(counts(site, PageKind.VIA), key=by_count)
        return [index_page(site, "/via/", kind, "Thanks", "The people who sent the links quoted here", rows)]
    rows = counts(site, PageKind.SOURCE)
    orders = tuple((label, site.urls.path(path)) for path, label in SOURCE_ORDERS.items())
    keys = (by_count, by_name, by_recent)
    return [index_page(site, path, kind, "Sources", f"Every source quoted, {label}", sorted(rows, key=key),
                       {"orders": orders, "order": label})
            for (path, label), key in zip(SOURCE_ORDERS.items(), keys, strict=True)]


def index_page(site: Site, path: str, kind: PageKind, title: str, description: str, rows: list[Count],
               extra: dict[str, object] | None = None) -> PageSpec:
    return PageSpec(url=site.urls.path(path), template=TEMPLATES[kind], title=title, kind=kind,
                    description=description, extra={"rows": rows, **(extra or {})})


def counts(site: Site, kind: PageKind) -> list[Count]:
    """A row for each group of a kind: its name, page, count, first and last dates (and a person's posts)."""
    rows = []
    for group in site.groups(kind):
        key = (kind, group.slug)
        first, last = site.span(key)
        entry = site.sources.entry(group.slug) if kind is PageKind.SOURCE else None
        feed = GROUP_FEEDS.get(kind)
        rows.append(Count(group.name, group.slug, group.url, len(group.posts), first, last,
                          feed=site.urls.path(feed.format(group.slug)) if feed else None,
                          home=entry.url if entry else via_url(group) if kind is PageKind.VIA else None,
                          posts=tuple(Listing(p.title, p.url, p.date) for p in group.posts)
                          if kind is PageKind.VIA else ()))
    return rows


def via_url(group: Group) -> str | None:
    """A person's link: the newest one a post gives them."""
    return next((post.via.url for post in group.posts if post.via and post.via.url), None)


def by_name(row: Count) -> tuple:
    return *name_order(row.name), row.url


def by_count(row: Count) -> tuple:
    return -row.count, *by_name(row)


def by_recent(row: Count) -> tuple:
    return -row.last.timestamp(), *by_name(row)


# Site paths whose pages depend on the posts: a year's or month's list, a pager, a tag's or source's list.
_LISTED = re.compile(r"/\d{4}/(?:\d{2}/)?|/(?:(?:tag|source)/[^/]+/)?page/\d+/|/(?:tag|source)/[^/]+/(?:feed\.xml)?"
                     r"|/sitemap-\d+\.xml/?")


def reserved(path: str) -> bool:
    """True for a site path a page of the site's own may take (or one inside a file it writes, /feed.xml/, or in
    the search index's folder): no post is given it by `new` or `import`, whose build would fail on it."""
    fixed = {"/", *FEED_FILES.values(), *INDEX_PAGES, *SPECIAL, SEARCH_PAGE}
    return path in fixed or path.rstrip("/") in fixed or _LISTED.fullmatch(path) is not None or \
        in_search_index(path.lstrip("/"))


def in_search_index(rel: str) -> bool:
    """True for an output path (or a site path without its leading /) in the search index's folder, or the folder
    itself, which a build with `search: true` gives over to Pagefind whole."""
    return rel == SEARCH_INDEX.rstrip("/") or rel.startswith(SEARCH_INDEX)


def specials(site: Site) -> dict[str, PageKind]:
    """The single pages every site has (SPECIAL), and the search page when search is on."""
    return {**SPECIAL, SEARCH_PAGE: PageKind.SEARCH} if site.config.search else SPECIAL


def special_page(site: Site, kind: PageKind) -> PageSpec:
    """The archive, the stats page, the 404 page, robots.txt, /sitemap.xml or the search page."""
    urls = site.urls
    if kind is PageKind.SEARCH:
        return PageSpec(url=urls.path(SEARCH_PAGE), template=TEMPLATES[kind], title="Search", kind=kind,
                        description="Search every post")
    if kind is PageKind.ARCHIVE:
        years = {y.name: y.url for y in site.groups(PageKind.YEAR)}
        return PageSpec(url=urls.path("/archive/"), template=TEMPLATES[kind], title="Archive", kind=kind,
                        posts=list(site.posts), description="Every post, by year",
                        extra={"years": years, "year_spans": year_spans(site, years)})
    if kind is PageKind.STATS:
        return stats_page(site)
    if kind is PageKind.NOT_FOUND:
        return PageSpec(url=urls.path("/404.html"), template=TEMPLATES[kind], title="Page not found", kind=kind)
    if kind is PageKind.ROBOTS:
        return PageSpec(url=urls.path("/robots.txt"), template=TEMPLATES[kind], title="robots.txt", kind=kind,
                        extra={"sitemap": urls.absolute(SITEMAP)})
    return sitemap_pages(site)[0]  # the sitemap's files are planned together, by index_pages()


def sitemap_pages(site: Site) -> list[PageSpec]:
    """/sitemap.xml listing every page; on a site of more pages than a sitemap file may list, the index of the
    files that list them, /sitemap-1.xml, /sitemap-2.xml..."""
    entries = sitemap_entries(site)
    parts = sitemap_parts(len(entries))
    if not parts:
        return [sitemap_page(site, SITEMAP, {"entries": entries})]
    index = sitemap_page(site, SITEMAP, {"sitemaps": [site.urls.absolute(part) for part in parts]})
    return [index] + [sitemap_page(site, part, {"entries": entries[n * SITEMAP_MAX_URLS:(n + 1) * SITEMAP_MAX_URLS]})
                      for n, part in enumerate(parts)]


def sitemap_page(site: Site, path: str, extra: dict[str, object]) -> PageSpec:
    return PageSpec(url=site.urls.path(path), template=TEMPLATES[PageKind.SITEMAP], title="sitemap",
                    kind=PageKind.SITEMAP, extra=extra)


def sitemap_parts(count: int) -> list[str]:
    """The sitemap files listing this many pages, when one /sitemap.xml cannot."""
    if count <= SITEMAP_MAX_URLS:
        return []
    return [SITEMAP_PART.format(n) for n in range(1, page_count(count, SITEMAP_MAX_URLS) + 1)]


def year_spans(site: Site, years: dict[str, str]) -> list[tuple[str, str, int, int]]:
    """Each year newest first, with its page's path and where its posts start and end in the site's posts:
    the archive groups 10,000 posts without sorting them again."""
    spans, start = [], 0
    for year in sorted(years, reverse=True):
        end = start + len(site.lists[(PageKind.YEAR, year)])
        spans.append((year, years[year], start, end))
        start = end
    return spans


def stats_page(site: Site) -> PageSpec:
    """/stats/: charts of every post by year, month, tag, source and kind, with how many and since when."""
    extra: dict[str, object] = {"charts": charts(site), "count": len(site.posts)}
    if site.lists.get(HOME):
        extra["first"], extra["last"] = site.span(HOME)
    return PageSpec(url=site.urls.path("/stats/"), template=TEMPLATES[PageKind.STATS], title="Stats",
                    kind=PageKind.STATS, description="Posts by year, month, tag and source, in charts", extra=extra)


def group_urls(site: Site, group: GroupKey) -> list[str]:
    """The URLs of every page of a group's list."""
    first = site.group_url(group)
    return [page_url(first, n) for n in range(1, page_count(len(site.lists.get(group, [])), site.config.per_page) + 1)]


def generated_urls(site: Site) -> dict[str, PageKind]:
    """The URL and kind of every page but the posts', without planning the pages."""
    urls = site.urls
    # The old addresses first: a page of the site's own on one of them takes it (alias_collisions says so).
    found = {url: PageKind.REDIRECT for old in redirects(site).values() for url in old}
    found.update(dict.fromkeys(group_urls(site, HOME), PageKind.HOME))
    for group in sorted(k for k in site.lists if k[0] in LIST_KINDS):
        found.update(dict.fromkeys(group_urls(site, group), group[0]))
        if group[0] in GROUP_FEEDS:
            found[urls.path(GROUP_FEEDS[group[0]].format(group[1]))] = PageKind.RSS
    found.update({urls.path(file): kind for kind, file in FEED_FILES.items()})
    found.update({urls.path(path): kind for path, kind in {**INDEX_PAGES, **specials(site)}.items()})
    if len(found) + len(site.post_urls) > SITEMAP_MAX_URLS:  # only then may the pages need several sitemap files
        parts = sitemap_parts(len(sitemap_paths(site, found)))
        found.update({urls.path(part): PageKind.SITEMAP for part in parts})
    return found


def page_urls(site: Site, generated: dict[str, PageKind]) -> dict[str, PageKind]:
    """Every page's URL and kind: the home pages, the posts newest first, then the rest."""
    home = {url: kind for url, kind in generated.items() if kind is PageKind.HOME}
    posts = dict.fromkeys((site.post_urls[path] for path in site.posts.paths()), PageKind.POST)
    return {**home, **posts, **{url: kind for url, kind in generated.items() if kind is not PageKind.HOME}}


def sitemap_entries(site: Site) -> list[tuple[str, str | None]]:
    """Every HTML page but the 404 and search pages (no content of their own), with each post page's date."""
    origin = site.urls.origin
    dates = {site.post_urls[path]: site.records[path].date.date().isoformat() for path in site.posts.paths()}
    return [(origin + url, dates.get(url) if kind is PageKind.POST else None)
            for url, kind in sitemap_paths(site, generated_urls(site))]


def sitemap_paths(site: Site, generated: dict[str, PageKind]) -> list[tuple[str, PageKind]]:
    """The path and kind of each page a sitemap lists, in its order."""
    return [(url, kind) for url, kind in page_urls(site, generated).items()
            if url.endswith("/") and kind not in (PageKind.SEARCH, PageKind.REDIRECT)]


def collisions(site: Site, generated: dict[str, PageKind]) -> list[Problem]:
    """A Problem for each URL that two pages would write, naming every file involved."""
    problems = []
    made = {url: kind for url, kind in generated.items() if kind is not PageKind.REDIRECT}  # (alias_collisions)
    for url, paths in site.by_url.items():
        if len(paths) == 1 and url not in made:
            continue
        first, *rest = sorted(paths) + ([f"the {made[url]} page"] if url in made else [])
        if rest:
            # Names that print alike (café written by a Mac, NFD, and by Linux, NFC) are told apart.
            alike = len({unicodedata.normalize("NFC", path) for path in paths}) < len(paths)
            problems.append(Problem(first, f"writes the same URL {url} as {' and '.join(rest)}"
                                    + (" (the same name in two Unicode forms: rename one)" if alike else "")))
    return problems + nested_collisions(site, generated) + search_index_collisions(site) \
        + alias_collisions(site, generated)


def alias_collisions(site: Site, generated: dict[str, PageKind]) -> list[Problem]:
    """A Problem for each old address a post names that is another page's (a post's, its own too, a page the site
    makes, another post's old address) or lies inside a file the output holds (/feed.xml/, /.nojekyll/), or, with
    `search: true`, in the search index's folder, which each index replaces whole."""
    problems, named = [], {}
    files = {site.urls.file_for(url) for url in generated if not url.endswith("/")} | hosting_files(site.config)
    index = site.urls.path("/" + SEARCH_INDEX) if site.config.search else None
    for path, urls in redirects(site).items():
        for url in urls:
            other = site.by_url.get(url)
            parts = site.urls.file_for(url).split("/")
            inside = next((file for at in range(1, len(parts)) if (file := "/".join(parts[:at])) in files), None)
            if other:
                whose = "this post's own address" if path in other else f"the address of {sorted(other)[0]}"
            elif generated.get(url, PageKind.REDIRECT) is not PageKind.REDIRECT:
                whose = f"the address of the {generated[url]} page"
            elif named.setdefault(url, path) != path:
                whose = f"also an old address of {named[url]}"
            elif inside is not None:
                whose = f"inside {inside}, a file the output holds"
            elif index is not None and url.startswith(index):
                whose = f"inside the search index's folder {index}"
            else:
                continue
            problems.append(Problem(path, f"old address {url} is {whose}: only one page can be there"))
    return problems


def hosting_files(config: Config) -> set[str]:
    """The files GitHub Pages reads that a build puts at the output's top: .nojekyll, and CNAME with `cname`."""
    return {".nojekyll", *(["CNAME"] if config.cname else [])}


def search_index_collisions(site: Site) -> list[Problem]:
    """With `search: true`, a Problem for each post whose page would be written in the search index's folder,
    which each index replaces whole."""
    if not site.config.search:
        return []
    folder = site.urls.path("/" + SEARCH_INDEX)  # a post's URL ends in /: at the folder or below it
    return [Problem(path, f"writes {url}, inside the search index's folder {folder}")
            for url, paths in site.by_url.items() if url.startswith(folder) for path in sorted(paths)]


def nested_collisions(site: Site, generated: dict[str, PageKind]) -> list[Problem]:
    """A Problem for each post whose page would be written inside a folder that a generated file is: a post at
    /feed.xml/ (the file feed.xml/index.html) beside the feed at /feed.xml. (A post's URL, ending in /, is
    never a file itself.)"""
    files = {url for url in generated if not url.endswith("/")}  # the feeds, the sitemap, robots.txt...
    problems = []
    for url, paths in site.by_url.items():
        if "." not in url:  # every generated file's name has a dot: most URLs are cleared at once
            continue
        inside = next((url[:at] for at, char in enumerate(url) if char == "/" and url[:at] in files), None)
        if inside is not None:
            problems.append(Problem(" and ".join(sorted(paths)), f"writes {url}, a folder where the "
                                                                 f"{generated[inside]} page writes the file {inside}"))
    return problems


def static_collisions(site: Site, urls: Iterable[str], static: dict[str, Found]) -> list[Problem]:
    """A Problem for each static file that would replace a generated page, the folder one sits in or (with
    `search: true`) the search index: at the site's own file, or, for a file of the default theme's, at the posts
    that take its place."""
    links = sorted(unquote(url) for url in urls)  # where a static file would be served from, as a link
    base = site.urls.base_path
    problems = []
    for rel, found in static.items():
        if site.config.search and in_search_index(rel):
            problems.append(replacing(site, found, "the search index", rel))
            continue
        parents = [parent for parent in PurePosixPath(rel).parents if str(parent) != "."]
        # A folder is where a page's file is: an index.html folder is where the page above it writes its file.
        served = {base + str(parent) for parent in parents} | \
            {base + str(parent).removesuffix("index.html") for parent in parents if parent.name == "index.html"}
        page = base + rel.removesuffix("index.html") if rel == "index.html" or rel.endswith("/index.html") \
            else base + rel
        folder = base + rel + "/"

        def clashes(link: str) -> bool:
            return link == page or link.startswith(folder) or link in served  # noqa: B023 - used at once

        inside = links[bisect_left(links, folder):][:1]
        if not (page in links or (inside and clashes(inside[0])) or any(p in links for p in served)):
            continue
        posts = sorted(path for url, paths in site.by_url.items() if clashes(unquote(url)) for path in paths)
        if posts and not Path(found.path).is_relative_to(site.config.root / "static"):  # the theme's file stays
            problems += [Problem(post, f"its URL is where the theme's file /{rel} goes; give the post another slug")
                         for post in posts]
            continue
        replaced = f"the page of {', '.join(posts)}" if posts else "generated pages"
        problems.append(replacing(site, found, replaced, rel))
    return problems


def replacing(site: Site, found: Found, replaced: str, rel: str) -> Problem:
    """The Problem of a static file that would replace what the build writes at /rel."""
    return Problem(shown_path(found.path, site.config.root), f"would replace {replaced} at /{rel}; rename or remove it")


def hosting_collisions(site: Site, static: dict[str, Found]) -> list[Problem]:
    """A Problem for each post page or static file in a folder where a file GitHub Pages reads goes (.nojekyll,
    and CNAME with `cname`); a warning for a static CNAME that the config's `cname` replaces."""
    config = site.config
    names = hosting_files(config)
    # Neither name is ever percent-encoded in a URL: only a URL holding one can clash (file_for costs more).
    problems = [Problem(path, f"writes {url}, a folder where the output's {top} file goes (GitHub Pages reads it)")
                for url, paths in site.by_url.items() if any(name in url for name in names)
                and (top := site.urls.file_for(url).split("/", 1)[0]) in names for path in sorted(paths)]
    problems += [Problem(shown_path(found.path, config.root), f"is in a folder where the output's {top} file goes "
                                                              "(GitHub Pages reads it)")
                 for rel, found in static.items() if "/" in rel and (top := rel.split("/", 1)[0]) in names]
    found = static.get("CNAME")
    if config.cname and found is not None:
        problems.append(Problem(shown_path(found.path, config.root), "left out: the output's CNAME is config.yaml's "
                                                                     f"cname, {config.cname}", warning=True))
    return problems


def shown_path(path: str, root: Path) -> str:
    """A path as the user knows it: relative to the site when it is inside it."""
    return str(Path(path).relative_to(root)) if Path(path).is_relative_to(root) else path

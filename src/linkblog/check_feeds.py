"""Feeds and the sitemap of a built site: well-formed, holding what RSS 2.0, Atom and sitemaps.org require,
and linking only to files the site has."""

from __future__ import annotations

import re
import xml.sax
from datetime import datetime

import defusedxml.ElementTree as SafeET
import feedparser
from defusedxml import DefusedXmlException

from linkblog.load import Loaded
from linkblog.model import PageSpec
from linkblog.problems import Problem
from linkblog.site_links import Output, link_problem, resolve
from linkblog.urls import Urls
from linkblog.workers import map_items

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# The sitemaps.org limits for one file.
SITEMAP_MAX_URLS = 50_000
SITEMAP_MAX_BYTES = 50 * 1024 * 1024
# What each format requires, as feedparser names it: RSS 2.0 <channel>, Atom <feed> and <entry>.
RSS_CHANNEL = {"title": "title", "link": "link", "description": "subtitle"}
ATOM_REQUIRED = {"id": "id", "title": "title", "updated": "updated"}
VERSIONS = {"rss": ("rss20", "RSS 2.0"), "atom": ("atom10", "Atom 1.0")}
# W3C Datetime, as sitemaps.org asks of <lastmod>: a year, a month, a day, or a time to the minute or finer
# with its zone.
_W3C_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?)?)?")


def planned(loaded: Loaded, kinds: tuple[str, ...]) -> list[tuple[PageSpec, str]]:
    """The pages of these kinds that the build writes, with the file each is written to."""
    urls = Urls(loaded.config.url)
    return [(page, urls.file_for(page.url)) for page in loaded.pages if page.kind in kinds]


def read(out: Output, rel: str) -> bytes | None:
    return (out.root / rel).read_bytes() if rel in out.files else None


def check_feeds(out: Output, loaded: Loaded, jobs: int = 1) -> list[Problem]:
    """Each RSS and Atom feed parsed with feedparser, checked for required elements and broken links; a site's
    hundreds of feeds (one per tag and source) are spread over `jobs` processes."""
    feeds = [(page.url, page.kind, rel) for page, rel in planned(loaded, ("rss", "atom"))]
    return [problem for problems in map_items(feed_problems, out, feeds, jobs) for problem in problems]


def feed_problems(out: Output, feed: tuple[str, str, str]) -> list[Problem]:
    """What is wrong with one feed (its URL, kind and output file); runs in a worker."""
    url, kind, rel = feed
    data = read(out, rel)
    if data is None:
        return [Problem(url, "the feed is missing from the output")]
    # Entry content is the pages' HTML, checked there; cleaning it up would only cost time.
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    broken = malformed(parsed)
    if broken:
        return [Problem(url, *broken)]
    links = [internal(out, href) for href in feed_links(parsed)]
    return [Problem(url, message) for message in feed_errors(parsed, kind, data) + links if message]


def malformed(parsed: feedparser.FeedParserDict) -> tuple[str, int | None] | None:
    """Why feedparser could not read a feed as XML, and the line; None when it could."""
    exc = parsed.get("bozo_exception")
    if not parsed.get("bozo") or exc is None:
        return None
    if isinstance(exc, xml.sax.SAXParseException):
        return f"is not well-formed XML ({exc.getMessage()})", exc.getLineNumber()
    return f"is not a well-formed feed ({exc})", None


def feed_errors(parsed: feedparser.FeedParserDict, kind: str, data: bytes) -> list[str]:
    """The elements missing that the feed's format requires (`parsed` from `data` by feedparser)."""
    version, name = VERSIONS[kind]
    if parsed.get("version") != version:
        return [f"is not an {name} feed"]
    feed, entries = parsed.feed, parsed.entries
    if kind == "rss":
        missing = [f"the channel has no <{e}>" for e, key in RSS_CHANNEL.items() if not feed.get(key)]
        return missing + [f"item {n} has neither <title> nor <description>" for n in items_without_text(data)]
    missing = [f"the feed has no <{e}>" for e, key in ATOM_REQUIRED.items() if lacks(feed, key)]
    for n, entry in enumerate(entries, 1):
        missing += [f"entry {n} has no <{e}>" for e, key in ATOM_REQUIRED.items() if lacks(entry, key)]
    if not feed.get("author") and not all(entry.get("author") for entry in entries):
        missing.append("has no <author>, for the feed or for every entry")
    return missing


def items_without_text(data: bytes) -> list[int]:
    """The RSS items (by number, from 1) with neither a <title> nor a <description> of any text.

    Read from the XML itself: feedparser gives an item holding only <content:encoded> that as its summary."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException):  # feedparser read it; what it holds is beyond this check
        return []
    return [n for n, item in enumerate(root.iter("item"), 1)
            if not (item.findtext("title") or "").strip() and not (item.findtext("description") or "").strip()]


def lacks(element: feedparser.FeedParserDict, key: str) -> bool:
    """True when feedparser found no such element (its get() gives an entry's <published> for <updated>)."""
    return key not in element or not element[key]


def feed_links(parsed: feedparser.FeedParserDict) -> list[str]:
    """The feed's own links, each entry's links, and entry ids that are URLs (permalinks)."""
    hrefs = [link.get("href", "") for link in parsed.feed.get("links", [])]
    for entry in parsed.entries:
        hrefs += [link.get("href", "") for link in entry.get("links", [])]
        if entry.get("id", "").startswith(("http://", "https://")):
            hrefs.append(entry.id)
    return sorted(set(hrefs))


def internal(out: Output, url: str) -> str | None:
    """What is wrong with a link when it points into the site or, from the root, out of its base path; None
    otherwise."""
    target = resolve(url, out.base, out.base)
    return link_problem(out, url, "a", target) if target.kind in ("internal", "malformed", "outside") else None


def check_sitemap(out: Output, loaded: Loaded) -> list[Problem]:
    """The sitemap parsed (defusedxml), within the sitemaps.org limits, every <loc> a page of the site."""
    problems = []
    for page, rel in planned(loaded, ("sitemap",)):
        data = read(out, rel)
        if data is None:
            problems.append(Problem(page.url, "the sitemap is missing from the output"))
            continue
        problems += [Problem(page.url, message, line) for message, line in sitemap_errors(out, data)]
    return problems


SITEMAP_ROOTS = {SITEMAP + "urlset": ("url", "URLs"), SITEMAP + "sitemapindex": ("sitemap", "sitemaps")}


def sitemap_errors(out: Output, data: bytes) -> list[tuple[str, int | None]]:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except SafeET.ParseError as exc:
        return [(f"is not well-formed XML ({exc})", exc.position[0])]
    except DefusedXmlException:
        return [("holds a DTD or entities, which a sitemap may not", None)]
    if root.tag not in SITEMAP_ROOTS:
        return [("is not a sitemap: its root is not <urlset> or <sitemapindex> in the sitemaps.org namespace", None)]
    child, counted = SITEMAP_ROOTS[root.tag]  # a sitemap lists pages; an index of sitemaps (a large site's) them
    entries = root.findall(SITEMAP + child)
    errors = []
    if len(entries) > SITEMAP_MAX_URLS or len(data) > SITEMAP_MAX_BYTES:
        errors.append((f"is over the limit of {SITEMAP_MAX_URLS} {counted} or 50 MB for one file", None))
    for n, entry in enumerate(entries, 1):
        message = entry_error(out, (entry.findtext(SITEMAP + "loc") or "").strip(), entry.findtext(SITEMAP + "lastmod"))
        if message:
            errors.append((f"entry {n}: {message}", None))
    return errors


def entry_error(out: Output, loc: str, lastmod: str | None) -> str | None:
    """What is wrong with one <url> of the sitemap, if anything."""
    if not loc:
        return "no <loc>"
    if not loc.startswith(out.base):
        return f"{loc} is not under the site's URL {out.base}"
    if lastmod is not None and not is_w3c_date(lastmod.strip()):
        return f"<lastmod> {lastmod.strip()!r} is not a W3C date"
    return internal(out, loc)


def is_w3c_date(text: str) -> bool:
    """True for a W3C Datetime that names a real moment (no 2016-02-30)."""
    if not _W3C_DATE.fullmatch(text):
        return False
    try:  # a year or a month as its first day
        datetime.fromisoformat({4: text + "-01-01", 7: text + "-01"}.get(len(text), text))
    except ValueError:
        return False
    return True

"""RSS 2.0 and Atom feeds through feedgen, and JSON Feed 1.1 through json, byte-for-byte reproducible.

`feed.link_posts` says what a link post's entry links first: the article it quotes (the
linked-list convention, with a ★ permalink in the entry) or the post itself. JSON Feed fixes
those roles (`url` is the permalink, `external_url` the article), so there the setting only
shapes the entry's HTML, as it does in the other two.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from typing import Any
from urllib.parse import urljoin

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator

from linkblog import __version__
from linkblog.config import Config
from linkblog.model import PageSpec, Post
from linkblog.render import in_whole_minutes
from linkblog.urls import as_uri

# An empty feed still needs a date, and the build time would break reproducibility.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
ATOM_LINK = "{http://www.w3.org/2005/Atom}link"


class LinkRelations(BaseEntryExtension):
    """Puts back the rel of each Atom entry link: feedgen 1.0 reads it from the element it has just made, so
    every link comes out without one (and counts as rel=alternate)."""

    def __init__(self) -> None:
        self.rels: list[str] = []

    def extend_atom(self, entry: Any) -> Any:
        for element, rel in zip(entry.iterchildren("link", ATOM_LINK), self.rels, strict=True):
            element.set("rel", rel)
        return entry


class FourDigitYears(BaseEntryExtension):
    """Writes an RSS date before the year 1000 with four digits, as RFC 2822 spells years: feedgen's strftime
    writes 999 as '999', which readers take for 2899 (and 50 for 2050)."""

    def __init__(self) -> None:
        self.moment: datetime | None = None

    def extend_rss(self, element: Any) -> Any:
        if self.moment is not None and self.moment.year < 1000:
            element.find("pubDate" if element.tag == "item" else "channel/lastBuildDate").text = \
                format_datetime(self.moment)
        return element


def feed_bytes(page: PageSpec, config: Config, contents: list[str], origin: str) -> bytes:
    """An RSS or Atom document for a feed page; `contents` is each post's rendered HTML, `origin` the site's."""
    fg = feed_head(page, config)
    for post, html in zip(page.posts, contents, strict=True):
        add_entry(fg, post, html if config.feed.full_content else None, config, origin)
    return fg.atom_str(pretty=True) if page.kind == "atom" else fg.rss_str(pretty=True)


def author_name(config: Config) -> str:
    """Who wrote the posts; a site without an author is credited to its title (Atom requires one)."""
    return config.author or config.title


def feed_head(page: PageSpec, config: Config) -> FeedGenerator:
    """A feed with its title, links and dates set; its date is the newest post's, never the build time."""
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)  # RSS names an author only by email; dc:creator by name
    fg.register_extension("relations", BaseExtension, LinkRelations, atom=True, rss=False)
    fg.register_extension("years", FourDigitYears, FourDigitYears, atom=False, rss=True)
    fg.id(page.extra["home"])
    fg.title(page.title)
    fg.link(href=page.extra["self"], rel="self")
    fg.link(href=page.extra["home"], rel="alternate")
    fg.description(config.description or config.title)
    fg.language(config.language)
    fg.author({"name": author_name(config)})
    fg.generator("linkblog", __version__)
    newest = in_whole_minutes(page.posts[0].date) if page.posts else EPOCH
    fg.lastBuildDate(newest)
    fg.years.moment = newest
    fg.updated(newest)
    return fg


def main_link(post: Post, config: Config) -> str:
    """What an entry links first: the quoted article (feed.link_posts: article) or the post itself."""
    return as_uri(post.link) if post.link and config.feed.link_posts == "article" else post.permalink


def add_entry(fg: FeedGenerator, post: Post, html: str | None, config: Config, origin: str) -> None:
    """Append one post: identified by its permalink, linking both it and the article, with tags and author."""
    entry = fg.add_entry(order="append")
    entry.id(post.permalink)
    entry.guid(post.permalink, permalink=True)
    entry.title(post.title)
    first = main_link(post, config)
    entry.link(href=first, rel="alternate")
    entry.relations.rels = ["alternate"]
    if post.link:  # Atom keeps both: the other one is related
        entry.link(href=post.permalink if first != post.permalink else as_uri(post.link), rel="related")
        entry.relations.rels.append("related")
    moment = in_whole_minutes(post.date)
    entry.published(moment)
    entry.years.moment = moment
    entry.updated(moment)
    entry.author({"name": post.author or author_name(config)})
    entry.dc.dc_creator(post.author or author_name(config))
    for tag in post.tag_refs:
        entry.category(term=tag.name, scheme=origin + tag.url, label=tag.name)
    if html is not None:
        entry.content(html, type="html")
    # The summary is plain text, and RSS's description HTML: escaped once for it, and so marked for Atom.
    # summary() leaves the Atom content alone, and sets the RSS description too (none is set before it).
    summary = escape(post.description or post.title, quote=False)
    if html is None:  # the summary is all the entry shows
        lines = [f'<p>{escape(before, quote=False)}<a href="{escape(url)}">{escape(text, quote=False)}</a>'
                 f'{escape(after, quote=False)}</p>' for before, text, url, after in credits(post, config)]
        summary = "\n".join([f"<p>{summary}</p>", *lines]) if lines else summary
    entry.summary(summary, type="html")


def credits(post: Post, config: Config) -> list[tuple[str, str, str, str]]:
    """What a summary-only entry of a post quoting someone ends with, so that the quoted words are never taken
    for the author's: (text before the link, link text, URL, text after it) lines; none for a post of one's own."""
    if post.link:  # whose words the summary quotes
        lines = [("", post.title, as_uri(post.link), f" – {post.source_ref.name}" if post.source_ref else "")]
    elif post.source_ref:  # words with no link to them (a book's): the source's page on the site
        lines = [("– ", post.source_ref.name, urljoin(post.permalink, post.source_ref.url), "")]
    else:
        return []
    if post.link and config.feed.link_posts == "article":  # the entry links the article first: the post is here
        lines.append(("", "★ Permalink", post.permalink, ""))
    return lines


def json_feed_bytes(page: PageSpec, config: Config, contents: list[str]) -> bytes:
    """A JSON Feed 1.1 document for a feed page; `contents` is each post's rendered HTML."""
    feed: dict[str, Any] = {"version": JSON_FEED_VERSION, "title": page.title, "home_page_url": page.extra["home"],
                            "feed_url": page.extra["self"], "description": config.description or config.title,
                            "language": config.language, "authors": [{"name": author_name(config)}],
                            "items": [json_item(post, html, config) for post, html in
                                      zip(page.posts, contents, strict=True)]}
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def json_item(post: Post, html: str, config: Config) -> dict[str, Any]:
    item: dict[str, Any] = {"id": post.permalink, "url": post.permalink}
    if post.link:
        item["external_url"] = as_uri(post.link)
    item["title"] = post.title
    if config.feed.full_content:
        item["content_html"] = html
    else:
        item["content_text"] = post.description or post.title
        item["content_text"] += "".join(f"\n\n{before}{text}{after}: {url}"
                                        for before, text, url, after in credits(post, config))
    item |= {"summary": post.description or post.title, "date_published": in_whole_minutes(post.date).isoformat(),
             "authors": [{"name": post.author or author_name(config)}]}
    if post.tag_refs:
        item["tags"] = [tag.name for tag in post.tag_refs]
    return item

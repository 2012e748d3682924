"""RSS 2.0 and Atom feeds through feedgen, byte-for-byte reproducible."""

from __future__ import annotations

from datetime import UTC, datetime

from feedgen.feed import FeedGenerator

from linkblog import __version__
from linkblog.config import Config
from linkblog.model import PageSpec, Post

# An empty feed still needs a date, and the build time would break reproducibility.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def feed_bytes(page: PageSpec, config: Config, contents: list[str]) -> bytes:
    """An RSS or Atom document for a feed page; `contents` is each post's rendered HTML."""
    fg = feed_head(page, config)
    for post, html in zip(page.posts, contents, strict=True):
        add_entry(fg, post, html if config.feed.full_content else None)
    return fg.atom_str(pretty=True) if page.kind == "atom" else fg.rss_str(pretty=True)


def feed_head(page: PageSpec, config: Config) -> FeedGenerator:
    """A feed with its title, links and dates set; its date is the newest post's, never the build time."""
    fg = FeedGenerator()
    fg.id(page.extra["home"])
    fg.title(page.title)
    fg.link(href=page.extra["self"], rel="self")
    fg.link(href=page.extra["home"], rel="alternate")
    fg.description(config.description or config.title)
    fg.language(config.language)
    # Atom requires an author; a site without one is credited to its title.
    fg.author({"name": config.author or config.title})
    fg.generator("linkblog", __version__)
    newest = page.posts[0].date if page.posts else EPOCH
    fg.lastBuildDate(newest)
    fg.updated(newest)
    return fg


def add_entry(fg: FeedGenerator, post: Post, html: str | None) -> None:
    """Append one post; a link post's entry links to the article and is identified by its permalink."""
    entry = fg.add_entry(order="append")
    entry.id(post.permalink)
    entry.guid(post.permalink, permalink=True)
    entry.title(post.title)
    # The linked-list convention: a link post's entry points at the article itself.
    entry.link(href=post.link or post.permalink)
    entry.published(post.date)
    entry.updated(post.date)
    if html is not None:
        entry.content(html, type="html")
    # isSummary keeps feedgen from replacing the Atom content with the excerpt.
    entry.description(post.description or post.title, isSummary=True)

"""The pure load: config -> posts -> Site -> PageSpecs, with every problem found. Writes nothing."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import frontmatter

from linkblog.config import Config, load_config
from linkblog.content import decode, parse_post, read_fields, split_front_matter
from linkblog.index import Selection, Site, index_site
from linkblog.model import PageSpec, Parsed
from linkblog.plan import plan_pages
from linkblog.problems import Problem, errors, sorted_problems
from linkblog.scan import scan_posts
from linkblog.sources import load_sources
from linkblog.urls import Urls, permalink_path, slugify, worded_slug


@dataclass
class Loaded:
    """A site as a build would see it: its settings, every parsed post, the index and the pages."""

    config: Config
    posts: list[Parsed]
    site: Site
    pages: list[PageSpec]
    problems: list[Problem]


def load_site(config_path: Path, overrides: dict[str, Any] | None = None, drafts: bool = False,
              future: bool = False, now: datetime | None = None) -> tuple[Loaded | None, list[Problem]]:
    """Load and index a site without writing anything; None (and the problems) when it has no usable config."""
    config, problems = load_config(config_path, overrides)
    if config is None or errors(problems):
        return None, problems
    posts, post_problems = read_posts(config)
    sources, source_problems = load_sources(config.root)
    site = index_site(posts, config, Urls(config.url), now or datetime.now(UTC), Selection(drafts, future), sources)
    pages, plan_problems = plan_pages(site)
    problems = sorted_problems(problems + post_problems + source_problems + site.warnings() + plan_problems)
    return Loaded(config, posts, site, pages, problems), problems


def read_posts(config: Config, wanted: Callable[[str, bytes], bool] | None = None) -> tuple[list[Parsed],
                                                                                         list[Problem]]:
    """Every post file under posts/ parsed (only those `wanted` picks by path and bytes), and the problems of
    those that could not be."""
    posts, problems = [], []
    for rel, found in scan_posts(config.posts_path)[0].items():
        try:
            data = Path(found.path).read_bytes()
        except OSError as exc:
            problems.append(Problem(rel, f"cannot be read ({exc.strerror or exc})"))
            continue
        if wanted and not wanted(rel, data):
            continue
        post, post_problems = parse_post(rel, data, config.tz)
        problems += post_problems
        if post is not None:
            posts.append(post)
    return posts, problems


def posts_near(config: Config, link: str | None, slug: str) -> list[Parsed]:
    """The posts a new one may link the same article as, or share a URL with, parsed: only those whose file
    names the link's host, and those named for the slug or giving one of their own, so that `linkblog new`
    parses a handful of posts, not every one (normalised_link and the permalink tell which really do)."""
    host = (urlsplit(link.strip()).hostname or "").removeprefix("www.") if link else ""
    # A host that is not plain ASCII could be spelled in other cases than bytes.lower() knows: read every post.
    holding = host.encode() if host.isascii() else b""

    def wanted(rel: str, data: bytes) -> bool:
        return (link is not None and holding in data.lower()) or slug in slugify(PurePosixPath(rel).stem) \
            or b"slug:" in data or titled(data, slug)

    return read_posts(config, wanted)[0]


_TITLE_LINE = re.compile(rb"^title[ \t]*:[ \t]*(.*)$", re.MULTILINE)
# The fence python-frontmatter reads front matter between (---, or more dashes), as bytes: a `title:` line after the
# closing one is the body's (YAML in a code block).
_FENCE = re.compile(frontmatter.YAMLHandler.FM_BOUNDARY.pattern.encode(), re.MULTILINE)
# A title YAML reads otherwise than its line's text: quoted (escapes such as \u00e9, '' for '), an anchor, alias,
# tag, flow or block scalar, or cut at a comment.
_NOT_PLAIN = re.compile(r"^[\"'&*!|>\[{%@`]|\s#")
_CUT = re.compile(r"-[0-9a-f]{8}$")  # the digest ending a slug cut to fit a file name (or maybe a word)


def titled(data: bytes, slug: str) -> bool:
    """True when a post file's title line may give it `slug` (or the title is not that line's text alone, or no
    line reads as its title: a quoted key, old-Mac line ends)."""
    opening = _FENCE.match(data)
    closing = _FENCE.search(data, opening.end()) if opening else None
    found = _TITLE_LINE.search(data, 0, closing.start() if closing else len(data))
    line = found.group(1).decode("utf-8", "replace") if found else ""
    made = "" if _NOT_PLAIN.search(line) else worded_slug(line)
    # A long title may go on in the lines below (YAML folds them into one): its first line starts the slug, but
    # for a slug cut short and given a digest, where both only start alike.
    start = _CUT.sub("", made)[:len(_CUT.sub("", slug))]
    return found is None or not made or slug in made or slug.startswith(start)


def published_urls(config: Config) -> dict[str, set[str]]:
    """The URL path each post file under posts/ gives itself (its date and slug, read without its body), with the
    files (absolute paths) that give it; drafts and posts dated later included, which a build may publish."""
    urls: dict[str, set[str]] = {}
    for rel, found in scan_posts(config.posts_path)[0].items():
        try:
            text = decode(rel, Path(found.path).read_bytes())[0]
        except OSError:
            continue
        meta = split_front_matter(rel, text)[0] if text is not None else None
        fields, problems = read_fields(rel, meta, config.tz) if meta is not None else ({}, [])
        if meta is not None and not errors(problems):  # a warning (a key misspelt) publishes it all the same
            url = permalink_path(config.permalink, fields["date"].astimezone(config.tz), fields["slug"])
            urls.setdefault(url, set()).add(os.path.abspath(found.path))
    return urls

"""Start a site (`linkblog init`) and start a post (`linkblog new`), never overwriting a file."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import yaml

from linkblog.content import FieldError, parse_post, pasted_url, read_text, read_title, read_url
from linkblog.markdown import parser
from linkblog.plan import reserved
from linkblog.problems import Problem
from linkblog.theme import theme_dir
from linkblog.urls import normalised_link, permalink_path, slugify

if TYPE_CHECKING:
    from linkblog.capture import Captured
    from linkblog.config import Config
    from linkblog.model import Parsed

CONFIG = """\
title: My Link Blog
url: https://example.github.io/
author: Your Name
description: Links worth reading, with a few words of my own
language: en
timezone: UTC
per_page: 20
output_dir: build
permalink: /{year}/{month}/{slug}/
feed: {items: 20, full_content: true}
"""

SAMPLE_POST = """\
---
title: Work vs. Progress
date: 2015-06-01 09:30
tags: [management, work]
link: https://scottberkun.com/2015/work-vs-progress/
source: Scott Berkun
---
> Busy is not the same as moving forward: effort that nobody points in a useful
> direction can look like progress for a long time.

This is a link post: a quote, where it came from, and a few lines of your own.
Edit or delete it, then start the next one from the article's address with
`linkblog new --from-url URL`.
"""


def init_site(target: Path) -> Problem | None:
    """Create a site with config, a sample post and the default theme, in an empty folder; one that cannot be
    filled (a full disk) is left as it was, and the file that failed named."""
    if target.exists() and not target.is_dir():
        return Problem(str(target), "is a file; `linkblog init` makes a site in a new or empty folder")
    if target.exists() and any(target.iterdir()):
        return Problem(str(target), "not empty; `linkblog init` only fills a new or empty folder")
    made, failed = highest_missing(target), target
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name, content in site_files(theme_dir()):
            failed = target / name
            write_site_file(failed, content)
    except OSError as exc:
        # Half a site would be refused by the retry as "not empty": what was made goes.
        remove_made(target, made)
        return cannot_write(str(failed), exc)
    return None


def highest_missing(path: Path) -> Path | None:
    """The outermost of path and its parents that does not exist yet (what `mkdir -p path` makes), or None."""
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    return missing[-1] if missing else None


def site_files(theme: Path) -> list[tuple[str, Path | str]]:
    """Every file of a new site by its path in the site: a file to copy, or the text to write."""
    copied: list[tuple[str, Path | str]] = [
        (file.relative_to(theme).as_posix(), file)
        for folder in ("templates", "static") for file in sorted((theme / folder).rglob("*")) if file.is_file()]
    return [*copied, ("config.yaml", CONFIG), ("posts/2015-06-01-work-vs-progress.md", SAMPLE_POST),
            (".gitignore", "/build/\n.cache/\n"),
            # Publishing with GitHub Pages, ready to switch on; the workflow ships inside the package.
            (".github/workflows/pages.yml", Path(__file__).with_name("pages.yml"))]


def write_site_file(path: Path, content: Path | str) -> None:
    """Write a copy of the file, or the text, at path, making its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, Path):
        shutil.copy2(content, path)
    else:
        path.write_text(content, encoding="utf-8")


def remove_made(target: Path, made: Path | None) -> None:
    """Take back what `init` made: the folders it made, or what it put in the empty folder it was given."""
    for path in [made] if made else list(target.iterdir()):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def cannot_write(name: str, exc: OSError) -> Problem:
    return Problem(name, f"cannot be written ({exc.strerror or exc})")


@dataclass(frozen=True)
class NewPost:
    """What `linkblog new` was told: the front matter to write, and the quote (Markdown) that opens the body."""

    title: str | None
    link: str | None = None
    source: str | None = None
    via: str | None = None
    via_url: str | None = None
    tags: tuple[str, ...] = ()
    quote: str | None = None
    draft: bool = False


ALREADY_EXISTS = "already exists; choose another title or edit that file"

# Characters that start Markdown or HTML inside a line; a page's description is plain text.
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>&~|])")
# The character to escape where a line would be a heading, list item, rule or setext underline: its first.
_LINE_START = re.compile(r"^(?:([#+=-])|(\d{1,9})([.)]))")
# A line Markdown reads as text, and nothing but text.
_PARAGRAPH = ["paragraph_open", "inline", "paragraph_close"]
# Line ends as a post file's are read (content.decode); str.splitlines would also split at U+2028 and the like.
_LINE_END = re.compile(r"\r\n?|\n")


def new_post(config: Config, existing: Iterable[Parsed], new: NewPost,
             now: datetime) -> tuple[str | None, list[Problem]]:
    """Write posts/YYYY-MM-DD-slug.md, never over a file: the path as printed (None if refused) and the problems."""
    problems = refused_options(new)
    if config.posts_path.exists() and not config.posts_path.is_dir():
        problems.append(Problem("posts", "is a file; linkblog new writes each post into the folder posts/"))
    if not new.title:
        problems.append(Problem("--from-url", "the page has no title; give one: linkblog new \"Title\" --from-url URL"))
    if problems:
        return None, problems
    existing, base = list(existing), slugify(new.title)
    # The same title twice in a day is most likely one post started twice: its file is refused, not numbered.
    slug, taken = (base, None) if post_path(config, now, base).exists() else free_slug(config, existing, base, now)
    path = post_path(config, now, slug)
    rel = path.relative_to(config.root).as_posix() if path.is_relative_to(config.root) else str(path)
    if path.exists():
        return None, [Problem(rel, ALREADY_EXISTS)]
    text = post_file_text(new, now)
    parsed, refused = parse_post(rel, text.encode(), config.tz)  # what a build would refuse is not written
    if parsed is None:
        return None, [replace(problem, message=f"not written: {problem.message}") for problem in refused]
    url = permalink_path(config.permalink, now, base)
    warnings = [Problem(rel, f"slug {slug}: {url} is already the URL of {taken}", warning=True)] if taken else []
    warnings += already_linked(existing, new.link, rel)
    try:
        write_post(path, text)
    except FileExistsError:  # made since it was looked for
        return None, [Problem(rel, ALREADY_EXISTS)]
    except OSError as exc:
        return None, [cannot_write(rel, exc)]
    return rel, warnings


def write_post(path: Path, text: str) -> None:
    """Write a file that must not exist yet; a part of one written (a full disk) is removed, since it would fail
    every build and refuse the post started again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "x", encoding="utf-8")  # noqa: SIM115 - closed below, where a full disk may fail too
    try:
        with handle:
            handle.write(text)
    except OSError:
        path.unlink(missing_ok=True)
        raise


def post_path(config: Config, now: datetime, slug: str) -> Path:
    return config.posts_path / f"{now:%Y-%m-%d}-{slug}.md"


def free_slug(config: Config, existing: list[Parsed], base: str, now: datetime) -> tuple[str, str | None]:
    """The title's slug, or (when another post is published at its URL, as a weekly post's title can be)
    the first of slug-2, slug-3... whose URL is free; and the post whose URL the slug would have shared."""
    taken = {permalink_path(config.permalink, post.date, post.slug): post.path for post in existing}
    url = permalink_path(config.permalink, now, base)
    first = taken.get(url) or ("a page of the site's own" if reserved(url) else None)
    if first is None:
        return base, None
    # A numbered file of today holding this title is this post started again: its slug, refused as the base's is.
    # A file there holding another post ("Reading list 2") is passed over like any URL taken.
    again = {config.root / post.path for post in existing if slugify(post.title) == base}

    def usable(slug: str) -> bool:
        path, free = post_path(config, now, slug), permalink_path(config.permalink, now, slug)
        return path in again or (not path.exists() and free not in taken and not reserved(free))

    return next(slug for number in count(2) if usable(slug := f"{base}-{number}")), first


def refused_options(new: NewPost) -> list[Problem]:
    """The `TITLE`, `--link`, `--via-url`, `--source` and `--via` checked exactly as a build checks them; a `--tag`
    with no name. Each is named as given, never by the file it would have made."""
    problems = blank_tags(new)
    try:
        if new.title is not None:  # None until the page gives it, with --from-url
            read_title(new.title)
    except FieldError as exc:
        problems.append(Problem("TITLE", str(exc)))
    for option, key, value in (("--link", "link", new.link), ("--via-url", "via.url", new.via_url)):
        try:
            read_url(value, key)
        except FieldError as exc:
            problems.append(Problem(option, str(exc)))
    for option, key, value in (("--source", "source", new.source), ("--via", "via", new.via)):
        try:
            read_text(value, key)
        except FieldError as exc:
            problems.append(Problem(option, str(exc)))
    return problems


def blank_tags(new: NewPost) -> list[Problem]:
    """One problem when a `--tag` has no name (empty or only spaces), which a build would drop without a word."""
    blank = [tag for tag in new.tags if not tag.strip()]
    return [Problem("--tag", f"{blank[0]!r} is not a tag; give each tag a name")] if blank else []


def already_linked(existing: Iterable[Parsed], link: str | None, rel: str) -> list[Problem]:
    """A warning for each post that already links the same article."""
    if not link:
        return []
    wanted = normalised_link(link)
    same = [post for post in existing if post.link and normalised_link(post.link) == wanted]
    return [Problem(rel, f"already linked on {post.date:%Y-%m-%d} in {post.path}", warning=True)
            for post in sorted(same, key=lambda p: (p.date, p.path))]


def post_file_text(new: NewPost, now: datetime) -> str:
    """Front matter, then the quote as a blockquote; no placeholder a build would publish."""
    meta = {"title": new.title, "date": written_date(now), "tags": list(new.tags)}
    link, via_url = (pasted_url(url) if url else None for url in (new.link, new.via_url))  # on one line, as read
    via = {"name": new.via, "url": via_url} if via_url else new.via
    meta.update({k: v for k, v in (("link", link), ("source", new.source), ("via", via)) if v})
    if new.draft:
        meta["draft"] = True
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None)
    return f"---\n{front}---\n{blockquote(new.quote) if new.quote else ''}"


def written_date(now: datetime) -> datetime:
    """`now` to the second as the site's wall time (YAML writes it unquoted: 2026-12-07 15:05:23), with its offset
    only in the hour the clocks turn back, whose wall times happen twice and would be read as the first."""
    # To the second, so that posts started one after the other are listed in that order.
    wall = now.replace(microsecond=0)
    twice = wall.replace(fold=0).utcoffset() != wall.replace(fold=1).utcoffset()
    return wall if twice else wall.replace(tzinfo=None)


def blockquote(markdown: str) -> str:
    """Markdown quoted line by line as written (a hard break's spaces, a code block's indent), without the blank
    lines around it, and a blank line after it for the commentary."""
    lines = _LINE_END.split(markdown)
    written = [number for number, line in enumerate(lines) if line.strip()]
    kept = lines[written[0]:written[-1] + 1] if written else []
    return "".join(f"> {line}\n" if line.strip() else ">\n" for line in kept) + "\n"


def prefilled(new: NewPost, captured: Captured) -> NewPost:
    """The options given, with what the page says filling those left out."""
    quote = new.quote or (markdown_literal(captured.description) if captured.description else None)
    link = new.link or captured.link
    return replace(new, title=new.title or captured.title, link=link,
                   source=new.source or captured.source or host_name(link), quote=quote)


def host_name(link: str) -> str | None:
    """The link's host name without `www.`: the source of a page that names none."""
    return (urlsplit(pasted_url(link)).hostname or "").removeprefix("www.") or None


def markdown_literal(text: str) -> str:
    """One line of plain text as Markdown that shows it as written: no markup, no raw HTML."""
    escaped = _INLINE_MARKUP.sub(r"\\\1", text)
    if not starts_a_block(escaped):  # "-- so it goes" keeps its dashes whole, to be set as an en dash
        return escaped
    return _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped)


def starts_a_block(line: str) -> bool:
    """Whether Markdown reads the line as more than text: alone (a heading, list item or rule), or under a line of
    text (a list item, or the underline making that line a heading)."""
    return any([token.type for token in parser().parse(text)] != _PARAGRAPH for text in (line, f"text\n{line}"))

"""Attribution recovery (#16): a post that ends "Title – Author. via X", or that is one quote and a
link, or that its blog marked as a link post, becomes a link post with `link`, `source` and `via` set."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from linkblog.importers.records import ImportedPost
from linkblog.model import Via

# What follows the linked title: a dash, the author, and optionally "via X" (in parentheses or not).
_ATTRIBUTION = re.compile(r"\s+[-–—]{1,2}\s+|\s*[–—]\s*")
_REST = re.compile(r"(?P<source>[^.!?]+?)\.?(?:,?\s+\(?via\s+(?P<via>[^()]+?)\)?)?[.\s]*", re.IGNORECASE)
_CITE = re.compile(r"^(?:—|–|--|~)\s*(?P<name>.+?)\s*$")
_MAX_SOURCE_WORDS = 8
# Inline tokens a reader sees the text of (an image its alt text); a link's URL is not among them.
_SHOWN = {"text", "code_inline", "image"}


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of a line's visible text, and the link it is when it is one."""

    text: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Block:
    """A top-level Markdown block: its kind, its lines [start, end), its visible text and inline tokens."""

    kind: str
    start: int
    end: int
    text: str
    inline: tuple[Token, ...] = ()


@dataclass(frozen=True, slots=True)
class LinkFormatPost(ImportedPost):
    """A post its blog marked as a link post without storing the article's URL (WordPress's Link format)."""


@cache
def parser() -> MarkdownIt:
    """Plain CommonMark: the text must stay as written (no typographic quotes or dashes)."""
    return MarkdownIt("commonmark")


def recover(post: ImportedPost, home: str | None) -> ImportedPost | None:
    """The post as a link post when its body names the article it quotes; None when it does not."""
    if post.link not in (None, post.origin_url):
        return None
    blocks = top_blocks(post.body)
    found = by_attribution_line(post, blocks, home) or by_lone_quote(post, blocks, home)
    if found is None and isinstance(post, LinkFormatPost):
        return by_first_link(post, home)
    return found


def by_first_link(post: ImportedPost, home: str | None) -> ImportedPost | None:
    """A link-format post's first link that goes out: the article, as WordPress's get_url_in_content takes it (but
    never a link to the old blog itself, which WordPress's would take); the body stays as it is."""
    link = next((href for token in parser().parse(post.body) for child in token.children or []
                 if child.type == "link_open" and links_out(href := str(child.attrs.get("href", "")), home)), None)
    return replace(post, link=link) if link else None


def by_attribution_line(post: ImportedPost, blocks: list[Block], home: str | None) -> ImportedPost | None:
    """A body whose last line is "[Title](url) – Author." (optionally "via X"): that line goes."""
    if not blocks or blocks[-1].kind != "paragraph":
        return None
    last = blocks[-1]
    lines = split_lines(last.inline)
    found = attribution(segments(lines[-1]), home)
    if found is None:
        return None
    link, source, via = found
    body = drop_lines(post.body, last.end - 1, last.end)
    return replace(post, body=body, link=link, source=source, via=via)


def by_lone_quote(post: ImportedPost, blocks: list[Block], home: str | None) -> ImportedPost | None:
    """A body that is mostly one blockquote plus one outbound link: the link's own paragraph goes."""
    quotes = [b for b in blocks if b.kind == "blockquote"]
    others = [b for b in blocks if b.kind != "blockquote"]
    if len(quotes) != 1 or any(b.kind != "paragraph" for b in others):
        return None
    hrefs = {s.href for b in others for s in segments(b.inline) if links_out(s.href, home)}
    if len(hrefs) != 1 or sum(len(b.text) for b in others) > len(quotes[0].text):
        return None
    link = hrefs.pop()
    holder = next(b for b in others if link in {s.href for s in segments(b.inline)})
    runs = segments(holder.inline)
    found = attribution(runs, home)
    if found:
        return replace(post, body=drop_lines(post.body, holder.start, holder.end), link=link, source=found[1],
                       via=found[2])
    source = cited_name(post.body, quotes[0])
    if "".join(run.text for run in runs if run.href != link).strip(" .:–—-"):
        return replace(post, link=link, source=source)  # the link sits in a sentence: the body keeps it
    return replace(post, body=drop_lines(post.body, holder.start, holder.end), link=link,
                   source=source or site_name(runs, link, post.title))


def top_blocks(body: str) -> list[Block]:
    """The body's top-level blocks in order."""
    tokens = parser().parse(body)
    blocks: list[Block] = []
    for index, token in enumerate(tokens):
        if token.level != 0 or token.nesting == -1 or token.map is None:
            continue
        kind = token.type.removesuffix("_open")
        inline = tokens[index + 1].children or [] if kind == "paragraph" else []
        blocks.append(Block(kind, token.map[0], token.map[1], block_text(tokens, index), tuple(inline)))
    return blocks


def block_text(tokens: list[Token], index: int) -> str:
    """The visible text inside the block opened at tokens[index]: a link's text, not its URL."""
    opening = tokens[index]
    if opening.nesting == 0:
        return opening.content
    parts = []
    for token in tokens[index + 1:]:
        if token.level == opening.level and token.nesting == -1:
            break
        if token.type == "inline":
            parts.append(shown_text(token.children or []))
    return " ".join(parts)


def shown_text(inline: list[Token]) -> str:
    """What a reader sees of inline tokens: text, code, an image's alt text; never a link's URL."""
    return "".join(token.content if token.type in _SHOWN else " " if token.type.endswith("break") else ""
                   for token in inline)


def split_lines(inline: tuple[Token, ...]) -> list[list[Token]]:
    """A paragraph's inline tokens, one list per source line."""
    lines: list[list[Token]] = [[]]
    for token in inline:
        if token.type in ("softbreak", "hardbreak"):
            lines.append([])
        else:
            lines[-1].append(token)
    return lines


def segments(inline: list[Token] | tuple[Token, ...]) -> list[Segment]:
    """Inline tokens as text runs, each link one run with its href (emphasis inside it kept as text)."""
    runs: list[Segment] = []
    href: str | None = None
    parts: list[str] = []
    for token in inline:
        if token.type == "link_open":
            href, parts = str(token.attrs.get("href", "")), []
        elif token.type == "link_close":
            runs.append(Segment("".join(parts), href))
            href = None
        elif token.type in ("text", "code_inline"):
            parts.append(token.content) if href is not None else runs.append(Segment(token.content))
    return runs


def attribution(runs: list[Segment], home: str | None) -> tuple[str, str, Via | None] | None:
    """(link, source, via) from runs that read "[Title](url) – Author. via X", or None."""
    if not runs or not links_out(runs[0].href, home):
        return None
    rest = "".join(run.text for run in runs[1:])
    dash = _ATTRIBUTION.match(rest)
    found = _REST.fullmatch(rest[dash.end():]) if dash else None
    if found is None or len(found["source"].split()) > _MAX_SOURCE_WORDS:
        return None
    via = None
    if found["via"]:
        name = found["via"].strip()
        via = Via(name, next((r.href for r in runs[1:] if r.href and r.text.strip() == name), None))
    return str(runs[0].href), found["source"].strip(), via


def site_name(runs: list[Segment], link: str, title: str) -> str | None:
    """A lone link's text as the source ("nickbradbury.com"), unless it is the URL or the post's title."""
    text = " ".join(" ".join(run.text for run in runs if run.href == link).split())
    if not text or text in (link, title) or text.casefold() == title.casefold():
        return None
    return text if len(text.split()) <= _MAX_SOURCE_WORDS else None


def cited_name(body: str, quote: Block) -> str | None:
    """The name a quote ends with on a line of its own ("— Scott Berkun"), if it has one."""
    last = body.split("\n")[quote.end - 1].lstrip(" >")
    found = _CITE.match(last)
    return found["name"] if found else None


def links_out(href: str | None, home: str | None) -> bool:
    """True for an absolute http(s) link to another site than the old blog's."""
    if not href:
        return False
    try:
        parts = urlsplit(href)
    except ValueError:  # `http://[x/`: no address at all
        return False
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    return home is None or host(href) != host(home)


def host(url: str) -> str:
    """A URL's host without `www.`; empty for none, or for a URL that is no address (`http://[x/`)."""
    try:
        return (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:
        return ""


def drop_lines(body: str, start: int, end: int) -> str:
    """The body without lines [start, end); a hard break left dangling at the new end goes too."""
    lines = body.split("\n")
    kept = "\n".join(lines[:start]).rstrip().removesuffix("\\").rstrip()
    after = "\n".join(lines[end:]).strip()
    return "\n\n".join(part for part in (kept, after) if part) + "\n"

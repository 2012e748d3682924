"""Markdown to HTML with markdown-it-py: CommonMark, tables, footnotes, typography."""

from __future__ import annotations

import time
from functools import cache
from importlib.metadata import version

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

EXCERPT_LENGTH = 200
# Bump when content.py or this module changes what a file parses to, so cached parses are dropped.
PARSE_REVISION = "2"
# Seconds spent in Markdown in this process, for `build --timings`.
seconds_spent = [0.0]


@cache
def parser() -> MarkdownIt:
    """The one configured parser; raw HTML passes through because the author is trusted."""
    md = MarkdownIt("commonmark", {"typographer": True, "html": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    return md.use(footnote_plugin)


@cache
def settings_digest() -> str:
    """Names everything that changes rendered HTML, for the parse cache key."""
    return "|".join([
        "commonmark+table+strikethrough+footnote+typographer+html", PARSE_REVISION,
        version("markdown-it-py"), version("mdit-py-plugins"),
    ])


def render(text: str, doc_id: str) -> tuple[str, str]:
    """HTML for a post body and a plain-text excerpt of its first paragraph."""
    started = time.perf_counter()
    md = parser()
    # docId keeps footnote anchors unique when several posts share a page.
    env = {"docId": doc_id}
    tokens = md.parse(text, env)
    html, short = md.renderer.render(tokens, md.options, env), excerpt(tokens)
    seconds_spent[0] += time.perf_counter() - started
    return html, short


def excerpt(tokens: list[Token]) -> str:
    """The first paragraph as plain text, shortened on a word boundary."""
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 1 < len(tokens):
            text = plain_text(tokens[index + 1])
            if text:
                return shorten(text, EXCERPT_LENGTH)
    return ""


def plain_text(inline: Token) -> str:
    """The visible text of an inline token."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def shorten(text: str, limit: int) -> str:
    """Text cut to at most `limit` characters at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.–—-")
    return cut + "…"

"""Markdown to HTML with markdown-it-py: CommonMark, tables, footnotes, typography."""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

EXCERPT_LENGTH = 200
_TAG = re.compile(r"<(/?)([a-z][a-z0-9-]*)", re.IGNORECASE)
# Elements whose text a browser never shows.
HIDDEN = frozenset({"script", "style", "template"})
# Elements a browser starts on a line of their own (and <br>): a word ends at either side of them.
BREAKING = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul"})


@cache
def parser() -> MarkdownIt:
    """The one configured parser; raw HTML passes through because the author is trusted."""
    md = MarkdownIt("commonmark", {"typographer": True, "html": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    return md.use(footnote_plugin)


def render(text: str, doc_id: str) -> tuple[str, str]:
    """HTML for a post body and a plain-text excerpt of its first paragraph."""
    md = parser()
    # docId keeps footnote anchors unique when several posts share a page.
    env = {"docId": doc_id}
    tokens = md.parse(text, env)
    return md.renderer.render(tokens, md.options, env), excerpt(tokens)


def excerpt(tokens: list[Token]) -> str:
    """The first paragraph as plain text, shortened on a word boundary."""
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 1 < len(tokens):
            text = plain_text(tokens[index + 1])
            if text:
                return shorten(text, EXCERPT_LENGTH)
    return ""


def plain_text(inline: Token) -> str:
    """The visible text of an inline token: never a script's or style's, and words parted where raw HTML
    breaks the line."""
    parts = []
    hidden = ""  # the element (a script, a style) whose text is being left out, until it closes
    for child in inline.children or []:
        closing, name = raw_tag(child)
        if hidden:
            hidden = "" if closing and name == hidden else hidden
        elif name in HIDDEN and not closing:
            hidden = name
        elif name in BREAKING or child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
    return " ".join("".join(parts).split())


def raw_tag(token: Token) -> tuple[bool, str]:
    """Whether an inline token is a closing tag of raw HTML, and the tag's name in lowercase ('' if no tag)."""
    found = _TAG.match(token.content) if token.type == "html_inline" else None
    return (found[1] == "/", found[2].lower()) if found else (False, "")


def shorten(text: str, limit: int) -> str:
    """Text cut to at most `limit` characters at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.–—-")
    return cut + "…"

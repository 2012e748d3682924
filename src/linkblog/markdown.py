"""Markdown to HTML with markdown-it-py: CommonMark, tables, footnotes, typography."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

EXCERPT_LENGTH = 200


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

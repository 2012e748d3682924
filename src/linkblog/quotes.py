"""A body's opening quote: what a link post quotes of its article, set apart from the author's words.

Where the quote ends takes an HTML parse of the body, so it is found once, when a post is
made; each list, page and feed showing the post only slices its body there.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Markdown's `>` quote, opening a body.
QUOTE_OPEN, QUOTE_CLOSE = "<blockquote>", "</blockquote>"


class _Closed(Exception):
    """The opening quote is closed: nothing after it needs parsing."""


class _QuoteEnd(HTMLParser):
    """Finds where the blockquote that a body opens with is closed."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=False)
        self.starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.depth, self.end = 0, None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.depth += tag == "blockquote"

    def handle_endtag(self, tag: str) -> None:
        if tag == "blockquote":
            self.depth -= 1
            if self.depth == 0:
                line, column = self.getpos()
                self.end = self.starts[line - 1] + column
                raise _Closed


def quote_end(html: str) -> int | None:
    """Where the blockquote a body opens with is closed; None when the body opens otherwise."""
    if not html.startswith(QUOTE_OPEN):
        return None
    parser = _QuoteEnd(html)
    try:
        parser.feed(html)
        parser.close()
    except _Closed:
        pass
    return parser.end


def split_quote(html: str, end: int | None) -> tuple[str, str] | None:
    """A body's opening quote (what it holds) and the HTML after it, given where the quote ends (quote_end)."""
    if end is None:
        return None
    return html[len(QUOTE_OPEN):end].strip("\n"), html[end + len(QUOTE_CLOSE):].lstrip("\n")

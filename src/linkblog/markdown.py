"""Markdown to HTML with markdown-it-py: CommonMark, tables, footnotes, typography."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from html import unescape
from typing import NamedTuple
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.replacements import (
    EM_DASH_RE,
    EN_DASH_INDENT_RE,
    EN_DASH_RE,
    PLUS_MINUS_RE,
    SCOPED_ABBR_RE,
    replace_scoped,
)
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.anchors.index import slugify, unique_slug
from mdit_py_plugins.footnote import footnote_plugin

from linkblog.digest import digest_bytes

EXCERPT_LENGTH = 200
# Raw HTML elements whose text is code or a program, never prose: typography leaves it as written (as SmartyPants).
VERBATIM = frozenset({"code", "kbd", "math", "pre", "samp", "script", "style", "tt", "var"})
# Whose text a browser reads as it is, no entity in it decoded: written out unescaped. Markdown still reads it first
# (a \' loses its backslash, *a* is emphasis): a script is best on lines of its own, an HTML block kept whole.
RAW_TEXT = frozenset({"script", "style"})
KEPT = "text_kept"  # a text token typography skips (it changes only "text" tokens)
_BARE_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>]+", re.IGNORECASE)
# A paragraph holding neither (most: a link's address follows its "](") has nothing to walk.
_MAYBE_VERBATIM = re.compile(rf"<(?:{'|'.join(sorted(VERBATIM))})\b|(?<!\]\()(?<!<)\b(?:https?://|www\.)",
                             re.IGNORECASE)
_AFTER_URL = frozenset(".,;:!?'\"…’”")
# Three dots, not two or four: markdown-it's own rule makes "1..2" and "...." an ellipsis, and drops the
# writer's characters from "Wow!!!!!" (!!!), "Why????" (???), ",," and "?...." (?..).
_ELLIPSIS = re.compile(r"(?<!\.)\.\.\.(?!\.)")
_REPLACED = re.compile(r"\+-|\.\.\.|--")
# What opens or closes the raw HTML a browser reads to its end when left open: a comment, a script, a style, a
# textarea (whose text is all theirs).
_HTML_START = re.compile(r"<!--|<(?P<raw>script|style|textarea)(?=[\s/>]|$)|<[a-zA-Z/!?]", re.IGNORECASE)
_COMMENT_REST = re.compile(r">|->|[\s\S]*?--!?>")
_TAG_REST = re.compile(r"""(?:[^>"']|"[^"]*"|'[^']*')*>""")
_CLOSERS = {"<!--": "-->\n", "script": "</script>\n", "style": "</style>\n", "textarea": "</textarea>\n"}
_ZWJ = "\u200d"
# What joins the character before it: a joiner, variation selectors, skin tones, an emoji tag sequence's parts.
_JOINING = frozenset({_ZWJ, "\ufe0e", "\ufe0f", *map(chr, range(0x1F3FB, 0x1F400)), *map(chr, range(0xE0020, 0xE0080))})
_REGIONAL = "".join(map(chr, range(0x1F1E6, 0x1F200)))
_TAG = re.compile(r"<(/?)([a-z][a-z0-9-]*)", re.IGNORECASE)
# Elements whose text a browser never shows.
HIDDEN = frozenset({"script", "style", "template"})
# Elements a browser starts on a line of their own (and <br>): a word ends at either side of them.
BREAKING = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul"})
# The ids the theme gives elements of a page a post is on: a heading never takes one (`## Search` on the search page).
THEME_IDS = frozenset({"main_content", "search"})
_HEADING_ID = re.compile(r'(<h[1-6]\b[^>]*?\sid=")([^"]+)"', re.IGNORECASE)
# A link to a place on its page, its address quoted either way or not at all, as raw HTML may write it.
_FRAGMENT_HREF = re.compile(r"""(\shref\s*=\s*)(?:"#([^"]*)"|'#([^']*)'|#([^\s"'=<>`]+))""", re.IGNORECASE)
_RAW_ID = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)


@cache
def parser() -> MarkdownIt:
    """The one configured parser; raw HTML passes through because the author is trusted."""
    md = set_typographically(MarkdownIt("commonmark", {"typographer": True, "html": True}))
    md.enable(["table", "strikethrough"])
    md.core.ruler.before("replacements", "keep_verbatim", keep_verbatim)
    md.core.ruler.after("smartquotes", "give_back_kept", give_back_kept)
    # Every heading gets an id, as on GitHub and in Hugo and Jekyll: `[setup](#setup)` leads to `## Setup`.
    md.use(footnote_plugin).use(anchors_plugin, min_level=1, max_level=6, slug_func=heading_id)
    md.core.ruler.after("anchor", "raw_ids_first", raw_ids_first)
    return md


def raw_ids_first(state: StateCore) -> None:
    """Give a heading whose id the body's raw HTML already gives an element (`<div id="notes">`) another: links
    written for that element keep leading to it, and no page holds one id twice."""
    raw = {found for token in state.tokens for text in raw_texts(token) if " id" in text.lower()
           for found in (next(g for g in match.groups() if g is not None) for match in _RAW_ID.finditer(text))}
    if not raw:
        return
    taken = raw | {str(token.attrGet("id")) for token in state.tokens if token.type == "heading_open"}
    for token in state.tokens:
        if token.type == "heading_open" and token.attrGet("id") in raw:
            token.attrSet("id", unique_slug(str(token.attrGet("id")), taken))


def raw_texts(token: Token) -> list[str]:
    """The raw HTML a block token holds, itself or in its inline children."""
    if token.type == "html_block":
        return [token.content]
    if token.type == "inline" and "<" in token.content:
        return [child.content for child in token.children or [] if child.type == "html_inline"]
    return []


def heading_id(title: str) -> str:
    """A heading's id as GitHub and Hugo make it ("Don't panic" is `dont-panic`); `section` for one without a word
    in it, and never an id the theme gives."""
    made = slugify(title) or "section"
    return f"{made}-1" if made in THEME_IDS else made


def doc_id(rel: str, slug: str) -> str:
    """A prefix of ids unique to this file, even among posts that share a slug on one page."""
    return f"{slug}-{digest_bytes(rel.encode('utf-8', 'surrogateescape'))[:6]}"


def heading_ids(html: str) -> set[str]:
    """The ids of the headings in a post's HTML."""
    return {found[2] for found in _HEADING_ID.finditer(html)} if ' id="' in html else set()


def ids_apart(html: str, prefix: str, ids: set[str], shown: set[str], page: str) -> str:
    """Part of a post's HTML as a list page shows it among other posts. Of its headings' `ids`, those `shown` on the
    list start with `prefix` (its doc_id), and so do its links to them, so that two posts with a `## Notes` each
    lead to their own; a link to a heading the list leaves out leads to it on the post's `page`."""
    if not ids:
        return html

    def relinked(found: re.Match) -> str:
        written = next(group for group in found.groups()[1:] if group is not None)
        target = unquote(unescape(written))
        if target not in ids:
            return found[0]
        return f'{found[1]}"#{prefix}-{written}"' if target in shown else f'{found[1]}"{page}#{written}"'

    return _FRAGMENT_HREF.sub(relinked, _HEADING_ID.sub(lambda found: f'{found[1]}{prefix}-{found[2]}"', html))


@cache
def typesetter() -> MarkdownIt:
    """A parser of plain text (a title) that only sets it as the body is set: quotes, dashes, …, ©."""
    return set_typographically(MarkdownIt("zero", {"typographer": True}))


def set_typographically(md: MarkdownIt) -> MarkdownIt:
    """A parser with smart quotes and the replacements of `typography` in place of markdown-it's own."""
    md.enable("smartquotes").disable("replacements", ignoreInvalid=True)
    md.core.ruler.after("replacements", "typography", typography)
    return md


def typography(state: StateCore) -> None:
    """markdown-it's replacements but those that drop what the writer typed: (c) ©, (r) ®, (tm) ™, +- ±,
    -- and --- dashes, ... an ellipsis."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        if SCOPED_ABBR_RE.search(block.content):
            replace_scoped(block.children)
        if _REPLACED.search(block.content):
            replace_kept(block.children)


def replace_kept(children: list[Token]) -> None:
    in_autolink = False  # an address is never set
    for token in children:
        if token.type == "text" and not in_autolink and _REPLACED.search(token.content):
            text = _ELLIPSIS.sub("…", PLUS_MINUS_RE.sub("±", token.content))
            text = EN_DASH_RE.sub("\\1\u2013", EM_DASH_RE.sub("\\1\u2014", text))
            token.content = EN_DASH_INDENT_RE.sub("\\1\u2013", text)
        elif token.info == "auto" and token.type in ("link_open", "link_close"):
            in_autolink = token.type == "link_open"


def keep_verbatim(state: StateCore) -> None:
    """Hide from typography (smart quotes, dashes, ellipses) the text that is not prose: inside raw <code>, <kbd>,
    <script> and the like (as a `code span` is), and a bare URL (as an autolink is); give_back_kept restores it."""
    for block in state.tokens:
        if block.type != "inline" or not block.children or not maybe_verbatim(block.content):
            continue
        children: list[Token] = []
        inside: list[str] = []  # the verbatim elements open here, innermost last
        for child in block.children:
            closing, name = raw_tag(child)
            if inside and inside[-1] in RAW_TEXT and not (closing and name == inside[-1]):
                name = ""  # in a script, as a browser reads it, no tag but its own end is one
            if name in VERBATIM and closing and name in inside:
                del inside[len(inside) - 1 - inside[::-1].index(name)]
            elif name in VERBATIM and not closing and not child.content.endswith("/>"):
                inside.append(name)
            if child.type == "text" and inside:
                child.type = KEPT
                child.meta["raw"] = inside[-1] in RAW_TEXT
            children += urls_kept(child) if child.type == "text" else [child]
        block.children = children
        state.env["kept"] = True  # for give_back_kept, which has nothing to do in most posts


def maybe_verbatim(text: str) -> bool:
    """False for a paragraph with no raw code element and no bare URL (most): nothing to walk."""
    return ("<" in text or "://" in text or "www." in text) and _MAYBE_VERBATIM.search(text) is not None


def urls_kept(text: Token) -> list[Token]:
    """A text token as text tokens (at its level, which smart quotes pair by), the bare URLs in it marked KEPT."""
    parts, last = [], 0
    for found in _BARE_URL.finditer(text.content):
        end = found.start() + len(url_only(found.group()))
        parts += [Token("text", "", 0, content=text.content[last:found.start()], level=text.level),
                  Token(KEPT, "", 0, content=text.content[found.start():end], level=text.level)]
        last = end
    return [*parts, Token("text", "", 0, content=text.content[last:], level=text.level)] if parts else [text]


def url_only(found: str) -> str:
    """A bare URL without what ends the sentence around it: stops, quotes, a ) it did not open (as linkify)."""
    while found and (found[-1] in _AFTER_URL or found[-1] == ")" and found.count("(") < found.count(")")):
        found = found[:-1]
    return found


def give_back_kept(state: StateCore) -> None:
    """Make the text keep_verbatim hid from typography text again, for the renderer and plain_text; a script's or
    style's written out as it is, escaped in none of it."""
    if not state.env.pop("kept", False):
        return
    for block in state.tokens:
        for child in block.children or [] if block.type == "inline" else []:
            if child.type == KEPT:
                child.type = "html_inline" if child.meta.get("raw") else "text"  # a script's "" stay quotes


class Body(NamedTuple):
    """A post body rendered: its HTML, a plain-text excerpt of its first paragraph, and the raw HTML it leaves open
    (closed at its end) as (its line in the body, counted from 0, what was opened)."""

    html: str
    excerpt: str
    unclosed: tuple[tuple[int, str], ...] = ()


def render(text: str, doc_id: str) -> Body:
    """The HTML, excerpt and anything left open of a post body."""
    md = parser()
    # docId keeps footnote anchors unique when several posts share a page.
    env = {"docId": doc_id}
    tokens = md.parse(text, env)
    unclosed = left_open(tokens)
    if unclosed:
        tokens.append(Token("html_block", "", 0, content=_CLOSERS[unclosed[1]]))
    return Body(md.renderer.render(tokens, md.options, env), excerpt(tokens), (unclosed,) if unclosed else ())


def left_open(tokens: list[Token]) -> tuple[int, str] | None:
    """The comment, script, style or textarea the body's raw HTML opens and never closes, with its line: a browser
    would hide all that follows in it, the other posts of a list page too."""
    raw, starts = raw_html(tokens)
    at = 0
    while found := _HTML_START.search(raw, at):
        if found.group() == "<!--":
            end = _COMMENT_REST.match(raw, found.end())  # `<!-->` and `<!--->` end where they start, as in HTML
            if end is None:
                return line_in(raw, starts, found.start()), "<!--"
            at = end.end()
            continue
        tag = _TAG_REST.match(raw, found.end())  # its attributes, quoted: `title="<!--"` opens nothing
        name = (found.group("raw") or "").lower()
        if tag is None or name and not (close := re.compile(rf"</{name}(?=[\s/>]|$)", re.I).search(raw, tag.end())):
            if name:
                return line_in(raw, starts, found.start()), name
            at = found.end()
            continue
        at = close.end() if name else tag.end()
    return None


def raw_html(tokens: list[Token]) -> tuple[str, list[tuple[int, int]]]:
    """The raw HTML of a body, block and inline, in its order and joined; and where each piece starts in it, with
    the body line it is on."""
    pieces = [(text, token.map[0] if token.map else 0) for token in tokens for text in raw_texts(token)]
    starts, at = [], 0
    for text, line in pieces:
        starts.append((at, line))
        at += len(text) + 1
    return "\n".join(text for text, _ in pieces), starts


def line_in(raw: str, starts: list[tuple[int, int]], at: int) -> int:
    """The body line (from 0) of a place in the joined raw HTML."""
    start, line = next(piece for piece in reversed(starts) if piece[0] <= at)
    return line + raw.count("\n", start, at)


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
    """Text cut to at most `limit` characters at a word boundary (or, in text of no spaces such as Chinese, between
    whole characters), with an ellipsis."""
    if len(text) <= limit:
        return text
    space = text.rfind(" ", 0, limit - 1)
    cut = text[:space] if space > 0 else text[:whole_characters(text, limit - 1)]
    return cut.rstrip(",;:.–—-") + "…"


def whole_characters(text: str, at: int) -> int:
    """`at`, moved back to where no character a reader sees is cut: not before an accent or a joined part of an
    emoji (👩‍👧), nor between the two letters of a flag."""
    while 0 < at < len(text) and (unicodedata.combining(text[at]) or text[at] in _JOINING
                                  or text[at - 1] == _ZWJ or unicodedata.category(text[at]) in ("Mn", "Me", "Mc")):
        at -= 1
    flags = len(text[:at]) - len(text[:at].rstrip(_REGIONAL))  # a flag is two of them
    return at - flags % 2 if at < len(text) and text[at] in _REGIONAL else at

"""PageSpecs -> bytes through Jinja2. Reads templates only, never content, never writes."""

from __future__ import annotations

import inspect
import math
import re
import traceback
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache, cached_property, partial, wraps
from html import escape
from pathlib import Path
from string import Formatter
from typing import Any, Protocol
from urllib.parse import urljoin

import jinja2
from jinja2 import nodes
from jinja2.environment import TemplateModule
from jinja2.runtime import BlockReference, LoopContext, Macro, TemplateReference
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Cycler, Joiner, Namespace
from markupsafe import Markup

from linkblog.config import Config
from linkblog.digest import key_of
from linkblog.index import PostSequence
from linkblog.markdown import doc_id, heading_ids, ids_apart, whole_characters
from linkblog.model import Count, Group, Listing, PageKind, Pager, PageSpec, Post, Ref, Tally, Via
from linkblog.plan import FEED_TEMPLATE, SEARCH_PAGE
from linkblog.problems import Problem, sorted_problems
from linkblog.scan import untracked
from linkblog.urls import Urls, as_uri, srcset_candidates
from linkblog.yamlload import CONTROL_CHARACTERS

# Lists show many posts, and each post is on several lists: render each entry once.
ENTRY_TEMPLATE = "_entry.html"
LIST_HEADING = "h2"  # how a list shows each entry; a post's own page shows it as its h1
# A template naming entry() may call it, directly or as a variable it is given to ({% set show = entry %}).
_CALLS_ENTRY = re.compile(r"\bentry\b")
# The files of a site's templates/ that are templates (not its README or notes): only these are told unused.
TEMPLATE_SUFFIXES = (".html", ".htm", ".xml", ".j2", ".jinja", ".jinja2")
# An excerpt keeps whole sentences up to about this many characters of text.
CLIP_LENGTH = 280
# Chinese and Japanese end a sentence with a full-width mark and no space after it.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s|$)|[。！？][」』”’）]*")
_LAST_WORD = re.compile(r"[\w.]+\Z")
# Abbreviations a full stop ends without ending the sentence: titles before a name and Latin ones, never words or
# units that often end one too ("etc.", "St." of a street, "30 ms.", "a fig.").
ABBREVIATIONS = frozenset({"mr", "mrs", "dr", "prof", "vs", "e.g", "i.e", "cf", "jr", "sr", "gen", "col", "lt", "sgt",
                           "capt", "rev", "gov", "sen"})


# What no UTF-8 file can hold: a lone surrogate, which a template can spell ("\udc80", "%c"|format(0xdc80)).
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Line breaks as Jinja counts them, for the line of a bad byte or character.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class RenderError(Exception):
    """A template failed; carries the Problem that names the template file and line."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class MissingValue(jinja2.StrictUndefined):
    """A variable that does not exist: an error wherever it is shown, also as an item of a list or mapping shown
    (`{{ [site.titel] }}`), which Python writes with repr."""

    __slots__ = ()
    __repr__ = jinja2.StrictUndefined.__str__  # which fails naming the variable


SURROGATE_TEXT = "a lone surrogate, which no UTF-8 file can hold"


def holdable(value: Any) -> Any:
    """A value to show, refused if it holds text no file can hold (the checking environment's finalize)."""
    if isinstance(value, str) and (found := _SURROGATE.search(value)):
        raise ValueError(f"U+{ord(found.group()):04X} is {SURROGATE_TEXT}")
    return value


def line_at(text: str, at: int) -> int:
    """The line of text holding offset `at`, its lines broken as Jinja breaks them (\\r\\n, \\r or \\n)."""
    return len(_LINE_BREAK.findall(text, 0, at)) + 1


@dataclass(frozen=True, slots=True)
class SiteView:
    """What every template may know about the site, with URLs precomputed."""

    title: str
    description: str
    author: str
    language: str
    direction: str  # "rtl" or "ltr", the language's: <html dir>, so the theme's layout mirrors for Arabic or Hebrew
    url: str
    home: str
    archive: str
    stats: str
    feed: str
    atom: str
    json_feed: str
    tags: str
    sources: str
    via: str
    stylesheet: str
    link_posts: str  # what a feed entry links first: "article" (then it holds a ★ permalink) or "permalink"
    search: str | None  # the search page, when `search: true`


def site_view(config: Config, urls: Urls) -> SiteView:
    return SiteView(title=config.title, description=config.description, author=config.author,
                    language=config.language, direction=text_direction(config.language),
                    url=urls.absolute("/"), home=urls.path("/"),
                    archive=urls.path("/archive/"), stats=urls.path("/stats/"),
                    feed=urls.path("/feed.xml"), atom=urls.path("/atom.xml"),
                    json_feed=urls.path("/feed.json"), tags=urls.path("/tag/"), sources=urls.path("/sources/"),
                    via=urls.path("/via/"), stylesheet=urls.path("/style.css"), link_posts=config.feed.link_posts,
                    search=urls.path(SEARCH_PAGE) if config.search else None)


# Scripts written right to left (ISO 15924 codes): a tag's script subtag decides, az-Arab and pa-Arab as ar does.
RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg", "mand", "samr"})
# Languages whose usual script runs right to left, when the tag names none (CLDR's likely scripts): ku is Latin
# (Kurmanji) but ckb (Sorani) Arabic; iw and ji are Hebrew's and Yiddish's old tags.
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "nqo", "pnb", "prs", "ps", "sd",
                           "syr", "ug", "ur", "yi"})


def text_direction(language: str) -> str:
    """Which way a BCP 47 tag's text runs, "rtl" or "ltr": by its script subtag, else its language's usual script."""
    primary, *rest = language.lower().split("-")
    # A script subtag is the first of four letters after the language and its three-letter extended subtags.
    script = next((part for part in rest if len(part) != 3 or not part.isalpha()), "")
    if len(script) == 4 and script.isalpha():
        return "rtl" if script in RTL_SCRIPTS else "ltr"
    return "rtl" if primary in RTL_LANGUAGES else "ltr"


@dataclass(frozen=True, slots=True)
class Shown:
    """What an entry shows of a post: its opening quote (captioned by the attribution), the rest, and
    whether the post holds more than that."""

    quote: Markup | None
    rest: Markup
    more: bool = False
    excerpt: bool = False  # a list page's excerpt (p-summary), not the post in full (e-content)


def clip(html: str, limit: int = CLIP_LENGTH) -> tuple[str, bool]:
    """HTML cut after its last sentence ending within `limit` characters of text, every tag closed; whether it
    was cut. Footnotes go, and the references to them: an excerpt is no place for them."""
    root = parsed_fragment(html)
    notes = [e for name in ("footnote-ref", "footnotes-sep", "footnotes") for e in root.find_class(name)]
    for element in notes:
        element.drop_tree()
    text = root.text_content()
    at, suffix = cut_point(text, limit)
    if at >= len(text.rstrip()):  # all of its text, but not its footnotes: "Read more" leads to them
        return (inner_html(root) if notes else html), bool(notes)
    truncate(root, at, suffix)
    return inner_html(root), True


def cut_at_more(quote: str | None, rest: str) -> tuple[Markup | None, Markup] | None:
    """A post's opening quote and rest as a list shows them when it holds `<!--more-->`: up to it; None without."""
    if quote is not None and (cut := before_more(quote)) is not None:
        return Markup(cut), Markup("")
    cut = before_more(rest)
    return None if cut is None else (Markup(quote) if quote is not None else None, Markup(cut))


def before_more(html: str) -> str | None:
    """The HTML before the `<!--more-->` comment in it (not in a script, an attribute or the footnotes), every tag
    closed and no footnote mark left (its note is below the cut); None without one, or with nothing after it."""
    if "<!--" not in html or not _MORE.search(html):  # most posts
        return None
    from lxml import etree

    root = parsed_fragment(html)
    mark = next((comment for comment in root.iter(etree.Comment) if _MORE_TEXT.fullmatch(comment.text or "")
                 and not comment.xpath("boolean(ancestor::*[contains(concat(' ', @class, ' '), ' footnotes ')])")),
                None)
    if mark is None or not any(isinstance(node, str) and node.strip() or not isinstance(node, str)
                               for node in mark.xpath("following::node()")):
        return None
    drop_following(mark, root)
    mark.getparent().remove(mark)  # and the text after it, its tail
    for footnote in root.find_class("footnote-ref"):
        footnote.drop_tree()
    return inner_html(root)


def notes_referenced(html: str) -> str:
    """HTML without the footnotes (and their back-links) that none of its references point to: those the quote
    an excerpt leaves out referred to."""
    if "footnote-item" not in html:
        return html
    root = parsed_fragment(html)
    refs = {"#" + ref for ref in root.xpath('.//sup[@class="footnote-ref"]/a/@id')}
    for back in root.find_class("footnote-backref"):
        if back.get("href") not in refs:
            back.drop_tree()
    items = root.find_class("footnote-item")
    for number, item in enumerate(items, 1):
        if not item.find_class("footnote-backref"):
            item.drop_tree()
        elif len(items) > 1:
            item.set("value", str(number))  # numbered as its references are, whatever went before it
    if not root.find_class("footnote-item"):
        for element in [*root.find_class("footnotes-sep"), *root.find_class("footnotes")]:
            element.drop_tree()
    return inner_html(root)


def cut_point(text: str, limit: int) -> tuple[int, str]:
    """Where to cut text: after the last sentence ending within `limit`, else after the first one if it ends
    soon, else at a word (with an ellipsis)."""
    if len(text.rstrip()) <= limit:
        return len(text), ""
    ends = sentence_ends(text)
    within = [end for end in ends if end <= limit]
    if within:
        return within[-1], ""
    if ends and ends[0] <= 2 * limit:
        return ends[0], ""
    space = text.rfind(" ", 0, limit)
    return (space if space > 0 else whole_characters(text, limit)), "…"


def sentence_ends(text: str) -> list[int]:
    """Where the text's sentences end: after a full stop, but not one ending an abbreviation (Dr., e.g.) or an
    initial (J. R. R. Tolkien); after ! ? … and 。！？."""
    ends = []
    for found in _SENTENCE_END.finditer(text):
        if text[found.start()] == ".":
            word = _LAST_WORD.search(text, max(0, found.start() - 12), found.start())  # no abbreviation is longer
            shortened = word[0].lower() if word else ""
            if shortened in ABBREVIATIONS or (len(shortened) == 1 and word[0].isupper()):  # type: ignore[index]
                continue
        ends.append(found.end())
    return ends


def truncate(root: Any, at: int, suffix: str) -> None:
    """Keep the first `at` characters of an element's text, and the elements they are in; drop the rest."""
    seen = 0
    for node in root.xpath("descendant-or-self::text()"):
        if seen + len(node) >= at:
            kept = str(node)[: at - seen].rstrip() + suffix
            element = node.getparent()
            if node.is_tail:
                element.tail = kept
            else:
                element.text = kept
                for child in list(element):
                    element.remove(child)
                if element is not root:
                    element.tail = None
            drop_following(element, root)
            return
        seen += len(node)


def drop_following(element: Any, root: Any) -> None:
    """Remove everything after an element, up to the end of root (lxml removes an element's tail with it)."""
    while element is not root:
        parent = element.getparent()
        for sibling in list(element.itersiblings()):
            parent.remove(sibling)
        element = parent
        if element is not root:
            element.tail = None


# Elements HTML5 made void, which libxml2's HTML 4 parser takes for containers: it nests what follows in them
# (<source><img></source>) and writes an end tag no HTML may hold.
NEW_VOID = ("source", "track", "wbr")
_NEW_VOID_END = re.compile(r"</(?:source|track|wbr)>")


# Where Hugo, Jekyll and WordPress end what a list shows of a post; WordPress's may name its link (<!--more Read on-->).
_MORE = re.compile(r"<!--(?:\s*more\s*|more\s[^>]*)-->", re.IGNORECASE)
_MORE_TEXT = re.compile(r"\s*more\s*|more\s.*", re.IGNORECASE | re.DOTALL)  # the comment's text


def parsed_fragment(html: str) -> Any:
    """An HTML fragment parsed by lxml (feedgen's own dependency) into a <div>, void elements left empty."""
    from lxml import html as lxml_html

    root = lxml_html.fragment_fromstring(html, create_parent="div")
    for element in list(root.iter(*NEW_VOID)):
        emptied(element)
    return root


def emptied(element: Any) -> None:
    """Move what the parser nested in a void element to after it, where a browser puts it."""
    text, tail, children = element.text, element.tail, list(element)
    element.text, element.tail = None, text
    parent, at = element.getparent(), element.getparent().index(element)
    for offset, child in enumerate(children, 1):
        parent.insert(at + offset, child)
    last = children[-1] if children else element
    last.tail = (last.tail or "") + (tail or "") or None


def inner_html(root: Any) -> str:
    """The HTML inside a parsed fragment, without the end tags lxml gives the void elements it does not know."""
    from lxml import html as lxml_html

    written = escape(root.text or "") + "".join(lxml_html.tostring(child, encoding="unicode") for child in root)
    return _NEW_VOID_END.sub("", written)


def absolute_links(fragment: str, base: str) -> str:
    """HTML with every relative link resolved against `base`, as a feed needs."""
    root = parsed_fragment(fragment)
    finders = link_finders()
    if finders.special(root):  # CSS, <object>, <param>, <meta> refreshes, <base>: lxml's own walk knows them all
        kept = own_references(root, base)
        root.make_links_absolute(base, resolve_base_href=False, handle_failures="ignore")
        for (element, attribute), value in kept.items():  # lxml rewrites them all: put these back
            if attribute is None:
                element.text = value
            else:
                element.set(attribute, value)
        links = [*finders.links(root), *finders.posters(root)]  # absolute now, yet to be URIs; posters lxml skips
    else:  # the usual entry: one XPath finds its links, where lxml's walk visits every element in Python
        links = finders.links(root)
    for link in links:
        make_absolute(link, base)
    for candidates in finders.srcsets(root):  # lxml knows no srcset: each of its URLs, its descriptor kept
        candidates.getparent().set(candidates.attrname, absolute_srcset(candidates, base))
    return inner_html(root)


def own_references(root: Any, base: str) -> dict[tuple[Any, str | None], str]:
    """The attributes (or <style> texts) in an SVG that refer to its own parts (`#dot`, `url(#blur)`), as they
    must read once lxml has made every link absolute: those references as written (another page's parts would
    not be drawn), the other links of the same attribute absolute, as lxml makes them."""
    found: dict[tuple[Any, str | None], list[tuple[str, int]]] = {}
    for element, attribute, link, at in root.iterlinks():
        found.setdefault((element, attribute), []).append((link, at))
    kept = {}
    for (element, attribute), links in found.items():
        if not any(link.startswith("#") for link, _ in links) or not element.xpath("boolean(ancestor-or-self::svg)"):
            continue
        value = element.text if attribute is None else element.get(attribute)
        for link, at in sorted(links, key=lambda found: found[1], reverse=True):  # from the end: offsets hold
            if not link.startswith("#"):
                with suppress(ValueError):  # as lxml leaves a link it cannot join
                    value = value[:at] + urljoin(base, link.strip()) + value[at + len(link):]
        kept[(element, attribute)] = value
    return kept


def xml_text(html: str) -> str:
    """HTML without the characters XML 1.0 cannot hold, which a post's entities (&#12;) can spell: a page
    shows nothing for them, and a feed holding one would not be XML."""
    return CONTROL_CHARACTERS.sub("", html)


def absolute_srcset(value: str, base: str) -> str:
    """A srcset ("a.png 1x, /b.png 2x") with each URL resolved against `base`, its descriptors kept."""
    candidates = []
    for url, descriptors in srcset_candidates(value):
        if not _PLAIN_ABSOLUTE.match(url):
            with suppress(ValueError):  # an unparsable URL is left as the author wrote it
                url = urljoin(base, url)
        url = as_uri(url)
        candidates.append(f"{url} {descriptors}" if descriptors else url)
    return ", ".join(candidates)


def make_absolute(link: Any, base: str) -> None:
    """Resolve one link attribute (as an lxml XPath gives it) against `base`, as lxml's rewrite_links does, and
    spell it as a URI: a feed reader may not know a host beyond ASCII, which lxml would percent-encode."""
    if link.startswith("#") and link.getparent().xpath("boolean(ancestor-or-self::svg)"):
        return  # an SVG's reference to its own parts (<use href="#icon">): another page's would not be drawn
    try:
        joined = link if _PLAIN_ABSOLUTE.match(link) else urljoin(base, link.strip())
    except ValueError:  # an unparsable link is left as the author wrote it
        return
    joined = as_uri(joined)
    if joined != link:
        link.getparent().set(link.attrname, joined)


@dataclass(frozen=True, slots=True)
class LinkFinders:
    """Compiled XPaths: is there markup holding links besides link attributes; every link attribute; posters;
    srcsets."""

    special: Any
    links: Any
    posters: Any
    srcsets: Any


@cache
def link_finders() -> LinkFinders:
    from lxml import etree
    from lxml.html import defs

    names = " or ".join(f"name()='{name}'" for name in sorted({*defs.link_attrs, "poster"}))
    return LinkFinders(
        etree.XPath("boolean(descendant-or-self::*[self::object or self::param or self::meta or self::style "
                    "or self::base or @style])"),
        etree.XPath(f"descendant-or-self::*/@*[{names}]"),
        etree.XPath("descendant-or-self::*/@poster"),
        etree.XPath("descendant-or-self::*/@srcset | descendant-or-self::*/@imagesrcset"))


# A URL urljoin returns unchanged: an http(s) scheme in lower case, a host, and no empty query, fragment or
# parameters and no white space for urllib to normalise.
_PLAIN_ABSOLUTE = re.compile(
    r"https?://[^\s\x00-\x1f/?#;]+(?:/[^\s\x00-\x1f?#;]*)?(?:\?[^\s\x00-\x1f#]+)?(?:#[^\s\x00-\x1f]+)?\Z")


def format_date(moment: datetime | date, style: str = "long") -> str:
    """A date as people read it: 'June 1, 2015'; 2015-06-01 with style='iso'; with 'moment', the date and
    time with its offset, as <time datetime> takes it (a filter costs less than a method call in Jinja).
    A front matter's plain date (`updated: 2016-06-01`) is a day in every style."""
    if style == "iso":
        return moment.isoformat()[:10]  # a datetime's date part, or the date; an undefined value names itself
    if style == "moment":  # HTML takes at most three digits of a second's fraction
        if not isinstance(moment, datetime):
            return moment.isoformat()
        moment = in_whole_minutes(moment)
        return moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
    if style != "long":
        raise ValueError(f"date() takes \"iso\" or \"moment\", or nothing for the long date, not {style!r}")
    return f"{moment.strftime('%B')} {moment.day}, {moment.year}"


def in_whole_minutes(moment: datetime) -> datetime:
    """The same instant at an offset of whole minutes, which RFC 3339 and RFC 822 zones are: in UTC when its
    own has seconds (local mean time, as Europe/Amsterdam's +00:19:32 before 1937)."""
    offset = moment.utcoffset()
    return moment.astimezone(UTC) if offset is not None and offset % timedelta(minutes=1) else moment


# The entries an earlier build may have kept: a post as a list shows it, and as a feed does.
LIST_ENTRY, FEED_ENTRY = "list", "feed"


class KeptEntries(Protocol):
    """Entries rendered by an earlier build (LIST_ENTRY, FEED_ENTRY), offered again while what they show holds."""

    def get(self, post: Post, use: str) -> str | None: ...

    def put(self, post: Post, use: str, html: str) -> None: ...


class TrackedLoader(jinja2.FileSystemLoader):
    """Loads only the templates a build tracks: a hidden or editor's file (scan.untracked) is not one, since an
    edit of it would leave the pages that include it as they were."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        if not tracked(template):
            raise jinja2.TemplateNotFound(template)
        source, filename, uptodate = super().get_source(environment, template)
        bad = CONTROL_CHARACTERS.search(source)  # copied into every page, where no post may hold one
        if bad:
            raise jinja2.TemplateSyntaxError(f"control character U+{ord(bad.group()):04X} is not allowed",
                                             line_at(source, bad.start()), template, filename)
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return [name for name in super().list_templates() if tracked(name)]


def tracked(name: str) -> bool:
    """True for a template name no part of which the scan skips (`./x.html` is x.html, as Jinja reads it)."""
    return not untracked(name)


class TemplateSandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox: a site's templates (a blog cloned, a pull request built) run no code of their own. No name
    starting with `_`, no format string reaching into objects, no method but of the values pages are given, no
    change to any list or mapping, and no operation making a result far larger than what it is given.

    Reading a plain value, what templates nearly always do, skips the sandbox's checks (a quarter of the time
    templates took): such a value is only data, and whatever is read from it is checked in turn."""

    # The operators that can make a huge result of small operands ('a' * 10**10, 9 ** 9 ** 9, '%0999999999d' % 1);
    # only these go through call_binop (the theme uses none of them), and Jinja no longer folds them when compiling.
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, size in _FILTER_SIZES.items():
            # A filter with an async variant (join, slice, sum) is called as its plain function in a sandbox that
            # never runs async, so it is bounded with that function's own arguments.
            plain = getattr(self.filters[name], "__wrapped__", self.filters[name])
            self.filters[name] = bounded(plain, size)
        self.globals["lipsum"] = bounded(self.globals["lipsum"], lorem_size)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            refuse_beyond(power_digits(left, right), MAX_DIGITS, "digits")
        elif operator == "*":
            refuse_product(left, right)
        elif operator == "+":  # a chain of them, each bounded, stays bounded
            sequences = all(isinstance(side, (str, list, tuple)) for side in (left, right))
            refuse_beyond(weight(left) + weight(right) if sequences else 0)
        elif isinstance(left, str):  # "%" formats text; of numbers it is the remainder
            refuse_beyond(format_width(percent_specs(left), right.values() if isinstance(right, dict) else
                                       right if isinstance(right, tuple) else (right,)))
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., Any] | None:
        # The sandbox asks this of every attribute it hands a template: a text's format, center, join... and a
        # number's to_bytes come back bounded.
        formatted = super().wrap_str_format(value)
        if formatted is not None:
            return bounded_format(formatted, value.__self__)
        return sized_method(value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        value = getattr(obj, attribute, _MISSING)
        if type(value) in _PLAIN_VALUES and attribute[:1] != "_":
            return value
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Beyond Jinja's rules, an allowlist of what may lend its attributes and methods: the values pages are given
        # and what Jinja makes of them. Whatever else a template reaches by accident (a Path, the site's index) is
        # only printed, never used.
        # No bytes either (a text's encode): nothing a page shows, and one more kind of value to bound.
        return isinstance(obj, _READABLE) and attr not in _CHANGING and attr != "encode" \
            and super().is_safe_attribute(obj, attr, value)


_MISSING = object()
# A set's method that changes it, which Jinja's list of them lacks (a front matter's `!!set` is a set).
_CHANGING = frozenset({"intersection_update"})
_PLAIN_VALUES = frozenset({str, Markup, int, float, bool, type(None), tuple, list, dict, datetime, date, PageKind,
                           SiteView, Shown, Post, Ref, Via, PageSpec, Pager, Group, Listing, Tally, Count})


_READABLE = (str, int, float, tuple, list, dict, set, frozenset, range, date, timedelta, tzinfo, *_PLAIN_VALUES,
             PostSequence, LoopContext, Macro, Namespace, Cycler, Joiner, TemplateReference, BlockReference,
             TemplateModule, jinja2.Undefined)


# The most characters or items one operation of a template may make, and the most digits of a number: far more
# than any page shows, far less than a tiny template could ask for ('a' * 10**10 is 10 GB, 9 ** 9 ** 9 takes hours).
MAX_SIZE = 10_000_000
MAX_DIGITS = 10_000
_DIGITS_PER_BIT = math.log10(2)
_NUMBERS = re.compile(r"\d+")
# A %-format's conversion: its flags, width and precision (`%(name)-*.3f`); `%%` is none.
_PERCENT_SPEC = re.compile(r"%(?:%|(?:\([^)]*\))?([-#0 +*.\d]*))")


def reason(exc: BaseException) -> str:
    """What an exception says went wrong, never empty: a MemoryError (or one raised bare) says nothing itself."""
    return str(exc) or ("out of memory" if isinstance(exc, MemoryError) else type(exc).__name__)


def refuse_beyond(size: float, limit: int = MAX_SIZE, unit: str = "characters or items") -> None:
    """Raise a template error when an operation would make more than `limit` of `unit`."""
    if size > limit:
        raise SecurityError(f"the result would be too large (more than {limit:,} {unit})")


def power_digits(base: Any, exponent: Any) -> float:
    """How many digits base ** exponent would have, for integers; 0 for what is small or a float (which overflows
    at once)."""
    if not (isinstance(base, int) and isinstance(exponent, int)) or exponent <= 0 or abs(base) < 2:
        return 0
    return math.log10(abs(base)) * min(exponent, 4 * MAX_DIGITS)  # past that, any base of 2 or more is too large


def refuse_product(left: Any, right: Any) -> None:
    """Refuse a multiplication making a number of too many digits, or a text, list or tuple too long."""
    if isinstance(left, int) and isinstance(right, int):
        refuse_beyond((left.bit_length() + right.bit_length()) * _DIGITS_PER_BIT, MAX_DIGITS, "digits")
        return
    sequence, times = (left, right) if isinstance(right, int) else (right, left)
    if isinstance(times, int) and times > 1 and isinstance(sequence, (str, list, tuple)):
        refuse_beyond(weight(sequence) * times)


def weight(sequence: str | list[Any] | tuple[Any, ...]) -> int:
    """A text's length; a list's items and the texts and lists they are (what joining it would make)."""
    if isinstance(sequence, str):
        return len(sequence)
    return len(sequence) + sum(len(item) for item in sequence if isinstance(item, (str, list, tuple)))


def format_width(specs: list[str], values: Iterable[Any]) -> float:
    """The most characters format specs may pad to: each spec's width or precision as written, added up; a spec
    taking it from the values (`*`, `{}`) may set their digits side by side (`{:{}{}}`), so counts as 10 to the
    power of all the digits the values hold."""
    # int() would refuse a number of thousands of digits with a message of its own.
    written = sum(max((int(number) if len(number.lstrip("0")) < 12 else math.inf
                       for number in _NUMBERS.findall(spec)), default=0) for spec in specs)
    nested = sum(1 for spec in specs if "*" in spec or "{" in spec)
    if not nested:
        return written
    digits = sum(len(str(value).lstrip("-")) for value in values if type(value) is int  # noqa: E721 - no bool
                 or isinstance(value, str) and value.isdigit())
    return written + nested * 10.0 ** min(digits, 30)


def percent_specs(text: str) -> list[str]:
    """The flags, widths and precisions of a %-format's conversions."""
    return [found[1] for found in _PERCENT_SPEC.finditer(text) if found[1]]


def format_specs(text: str) -> list[str]:
    """The format specs of a str.format text's fields (`{:>20}`), nested fields unresolved."""
    return [spec for _, field, spec, _ in Formatter().parse(text) if field is not None and spec]


def bounded_format(formatted: Callable[..., str], text: str) -> Callable[..., str]:
    """A text's format or format_map, as the sandbox made it, refusing a width or precision too large."""
    def checked(*args: Any, **kwargs: Any) -> str:
        mapping = args[0].values() if args and isinstance(args[0], dict) else ()  # format_map's
        refuse_beyond(format_width(format_specs(text), [*args, *kwargs.values(), *mapping]))
        return formatted(*args, **kwargs)

    return checked


def bounded(function: Callable[..., Any], size: Callable[[dict[str, Any]], float],
            signature: inspect.Signature | None = None) -> Callable[..., Any]:
    """`function` (a filter, keeping what Jinja passes it), refusing a call whose result `size` says would be too
    large, given the call's arguments by name (`signature` when the function's own has none)."""
    signature = signature or inspect.signature(function)

    @wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        refuse_beyond(size(bound.arguments))
        return function(*bound.args, **bound.kwargs)

    return checked


def sized_method(value: Any) -> Callable[..., Any] | None:
    """A text's or number's method that can make much from little (center, join, to_bytes...), bounded; None for
    any other value."""
    owner = getattr(value, "__self__", None) if callable(value) else None
    sizes = _STR_SIZES if isinstance(owner, str) else _INT_SIZES if isinstance(owner, int) else {}
    name = getattr(value, "__name__", "")
    if name not in sizes:
        return None
    size, signature = sizes[name]
    # The owner's own method (Markup's escapes), its arguments bound as str's or int's are.
    return partial(bounded(getattr(type(owner), name), size, signature), owner)


def number(value: Any) -> int:
    """An argument as a count or width; 0 when it is none (the call itself says what is wrong with it)."""
    return value if isinstance(value, int) else 0


def length(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple, dict)) else 0


def replaced_size(text: Any, old: Any, new: Any, count: Any) -> int:
    """The length of a text with `old` replaced by `new` (`count` times at most, when it is not negative)."""
    text, old = str(text), str(old)
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * length(str(new))


def joined_size(arguments: dict[str, Any], items: str, separator: str) -> int:
    """The length of the items (given by name) joined by the separator; an iterator is read into a list first,
    which the call then gets."""
    values = arguments[items] = list(arguments[items])
    return len(values) * length(str(arguments[separator])) + sum(map(length, values))


def indented_size(arguments: dict[str, Any]) -> int:
    width = arguments["width"]
    return (str(arguments["s"]).count("\n") + 1) * (len(width) if isinstance(width, str) else number(width))


def wrapped_size(arguments: dict[str, Any]) -> int:
    """What wordwrap makes: a line break per line; and, cutting a word too long for a line, it copies the rest of
    the word at each line, which takes as long as making 1 character per 1,000 copied."""
    text = str(arguments["s"])
    lines = len(text) // max(number(arguments["width"]), 1) + text.count("\n") + 1
    return lines * (length(arguments["wrapstring"] or "\n") + len(text) // 1000)


def lorem_size(arguments: dict[str, Any]) -> int:
    """lipsum's characters: `n` paragraphs of up to `max` words of about 8 characters (min may exceed max)."""
    return number(arguments["n"]) * max(number(arguments["min"]), number(arguments["max"])) * 8


def urlized_size(arguments: dict[str, Any]) -> int:
    """urlize's text with a target and rel written into each link, a link at most every 4 characters."""
    text = str(arguments["value"])
    return len(text) + (len(text) // 4 + 1) * (length(arguments["target"]) + length(arguments["rel"]))


def json_indent_size(arguments: dict[str, Any]) -> int:
    """tojson's indent, counted so that one wider than 100 is refused: it repeats on every line at every depth,
    and no one means one so wide."""
    indent = arguments["indent"]
    return (len(indent) if isinstance(indent, str) else number(indent)) * (MAX_SIZE // 100)


def summed_size(arguments: dict[str, Any]) -> int:
    """What sum copies adding up lists (start=[]): the list so far, again for each one added; an iterator is read
    into a list first, which the call then gets."""
    if not isinstance(arguments["start"], (list, tuple)):
        return 0
    values = arguments["iterable"] = list(arguments["iterable"])
    return sum(map(length, values)) * len(values) // 2


def translated_size(arguments: dict[str, Any]) -> int:
    table = arguments["table"]
    longest = max(map(length, table.values()), default=1) if isinstance(table, dict) else 1
    return len(arguments["self"]) * longest


# The filters that can make much from little, each with the size of what it would make, by argument name.
_FILTER_SIZES: dict[str, Callable[[dict[str, Any]], float]] = {
    "center": lambda a: number(a["width"]),
    "indent": indented_size,
    "wordwrap": wrapped_size,
    "replace": lambda a: replaced_size(a["s"], a["old"], a["new"], a["count"]),
    "join": lambda a: joined_size(a, "value", "d"),
    "urlize": urlized_size,
    "tojson": json_indent_size,
    "sum": summed_size,
    "batch": lambda a: number(a["linecount"]) if a["fill_with"] is not None else 0,
    "slice": lambda a: number(a["slices"]) * 8,  # a list each, empty ones as large as 8 items
    "format": lambda a: format_width(percent_specs(str(a["value"])), a["kwargs"].values() or a["args"]),
}


def _method_sizes(owner: type, sizes: dict[str, Callable[[dict[str, Any]], float]]) -> dict[str, Any]:
    """Each method's size function with the builtin's signature (self first), for binding its arguments."""
    return {name: (size, inspect.signature(getattr(owner, name))) for name, size in sizes.items()}


_STR_SIZES = _method_sizes(str, {
    **dict.fromkeys(("center", "ljust", "rjust", "zfill"), lambda a: number(a["width"])),
    "expandtabs": lambda a: len(a["self"]) + a["self"].count("\t") * number(a["tabsize"]),
    "replace": lambda a: replaced_size(a["self"], a["old"], a["new"], a["count"]),
    "join": lambda a: joined_size(a, "iterable", "self"),
    "translate": translated_size,
})
_INT_SIZES = _method_sizes(int, {"to_bytes": lambda a: number(a["length"])})


class Renderer:
    """Renders pages with the site's templates first, then the default theme's."""

    def __init__(self, config: Config, template_dirs: list[Path], urls: Urls | None = None,
                 compiled: jinja2.BytecodeCache | None = None):
        self.config = config
        self.template_dirs = template_dirs
        self.compiled = compiled  # where compiled templates are kept between builds, if anywhere
        self.urls = urls or Urls(config.url)  # the build's own, when it passes one
        self.site = site_view(config, self.urls)
        # The index makes a new Post whenever what a post shows changes, so the same object is the same
        # entry: each is rendered once while this renderer (and so every template) stays.
        self.entries: dict[tuple[str, str], tuple[Post, str]] = {}
        self.kept: KeptEntries | None = None  # entries of earlier builds (a post is on several lists and feeds)
        self.closures: dict[str, dict[str, bool]] = {}  # the templates do not change while this renderer lives
        self.shapes: dict[str, Shape] = {}  # the blocks of each template the closures parsed, by name

    @cached_property
    def env(self) -> jinja2.Environment:
        return self.environment(self.compiled)

    @cached_property
    def checking_env(self) -> jinja2.Environment:
        """The templates again, refusing any value shown that holds text no file can hold: used only to find the line
        that made such text. Compiled apart: finalize changes the code, and the compiled-template cache cannot tell."""
        return self.environment(None, finalize=holdable)

    def environment(self, compiled: jinja2.BytecodeCache | None, **options: Any) -> jinja2.Environment:
        """A sandbox over the site's templates, then the theme's, keeping compiled ones in `compiled`."""
        # utf-8-sig: a byte-order mark an editor wrote at a template's start is not copied into every page.
        loaders: list[jinja2.BaseLoader] = [TrackedLoader(str(d), encoding="utf-8-sig") for d in self.template_dirs]
        # theme/base.html reaches the default theme even when the site overrides base.html, and first: a site's
        # own templates/theme/ folder must not stand in for it.
        loaders.insert(0, jinja2.PrefixLoader({"theme": loaders[-1]}))
        env = TemplateSandbox(
            loader=jinja2.ChoiceLoader(loaders),
            # Every template escapes (a partial may be _meta.jinja or .j2), but the plain text of robots.txt.
            autoescape=jinja2.select_autoescape(enabled_extensions=(), disabled_extensions=("txt",), default=True),
            undefined=MissingValue,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
            auto_reload=False,  # a template edit makes a new Renderer: no stat of a template per page rendered
            bytecode_cache=compiled,
            **options,
        )
        env.filters["date"] = format_date
        env.globals.update(site=self.site, static=self.urls.link, entry=self.entry, shown=self.shown)
        return env

    def render_page(self, page: PageSpec) -> bytes:
        """The bytes of one page: templated, or a JSON Feed of its posts' entries."""
        if page.kind is PageKind.JSON:
            from linkblog.feeds import json_feed_bytes

            return json_feed_bytes(page, self.config, [self.render_entry(p) for p in page.posts])
        context: dict[str, Any] = {"page": page, "posts": page.posts,
                                   "canonical": self.urls.origin + page.url}
        try:  # encoding finds a lone surrogate at no cost to the pages without one
            return self.render(page.template, context).encode("utf-8")
        except UnicodeEncodeError:
            raise RenderError(self.unholdable(page.template, context)) from None

    def entry(self, post: Post, heading: str = LIST_HEADING) -> Markup:
        """A post as an h-entry (_entry.html sees only `post` and `heading`)."""
        # Its own key per heading, apart from the feed entry's (`entry(post, "feed")` is a heading too).
        return Markup(self.once(post, f"entry {heading}", lambda: self.made_entry(post, heading)))

    def made_entry(self, post: Post, heading: str) -> str:
        """A list entry from an earlier build, if one is kept, else rendered (and offered to keep)."""
        def make() -> str:
            return self.render_text(ENTRY_TEMPLATE, {"post": post, "heading": heading})

        if heading != LIST_HEADING:  # a post's own page renders its entry once
            return make()
        return self.kept_or_made(post, LIST_ENTRY, make)

    def kept_or_made(self, post: Post, use: str, make: Callable[[], str]) -> str:
        """The entry an earlier build kept for this use of the post, else make()'s (offered to keep)."""
        kept = self.kept
        html = kept.get(post, use) if kept else None
        if html is None:
            html = make()
            if kept:
                kept.put(post, use, html)
        return html

    def once(self, post: Post, use: str, make: Callable[[], str]) -> str:
        """What make() returns for this Post object and use, made the first time only."""
        cached = self.entries.get((post.path, use))
        if cached is None or cached[0] is not post:
            cached = self.entries[(post.path, use)] = (post, make())
        return cached[1]

    def shown(self, post: Post, full: bool = True) -> Shown:
        """What an entry shows of a post: all of it (its own page, feeds, `excerpt: full`), or the excerpt."""
        shown = self.shown_of(post, "full" if full else self.config.excerpt, full)
        ids = set() if full else heading_ids(post.html)
        if not ids:  # on its own page, or a post without headings
            return shown
        prefix, kept = doc_id(post.path, post.slug), heading_ids(shown.rest) | heading_ids(shown.quote or "")
        quote, rest = (Markup(ids_apart(part, prefix, ids, kept, post.url)) if part is not None else None
                       for part in (shown.quote, shown.rest))
        return Shown(quote, rest, shown.more, shown.excerpt)  # type: ignore[arg-type]

    def shown_of(self, post: Post, mode: str, full: bool) -> Shown:
        """What an entry shows of a post in an excerpt style (`full` on its own page and in feeds)."""
        parts = post.opening_quote() if post.link else None
        quote, rest = parts or (None, post.html)
        if post.summary and mode != "full":
            return Shown(None, Markup("<p>{}</p>").format(post.summary), True, True)
        if not full and (cut := cut_at_more(quote, rest)) is not None:  # the writer's own cut beats the setting's
            return Shown(*cut, True, True)
        if mode == "full":
            return Shown(Markup(quote) if quote is not None else None, Markup(rest))
        if mode == "commentary" and (quote is None or rest.strip()):
            return Shown(None, Markup(notes_referenced(rest) if quote is not None else rest), quote is not None, True)
        text, cut = clip(quote if quote is not None else rest)
        if quote is None:
            return Shown(None, Markup(text), cut, True)
        return Shown(Markup(text), Markup(""), cut or bool(rest.strip()), True)

    def render_entry(self, post: Post) -> str:
        """A post's body as a feed shows it, attribution included, every link absolute."""
        # Readers resolve relative links against the entry's link, the quoted article for a link post.
        return self.once(post, "feed", lambda: self.kept_or_made(post, FEED_ENTRY, lambda: xml_text(
            absolute_links(self.render_text(FEED_TEMPLATE, {"post": post}), post.permalink))))

    def render(self, name: str, context: dict[str, Any]) -> str:
        try:
            return self.env.get_template(name).render(context)
        except RenderError:
            raise  # from an entry() inside this template, already located
        except Exception as exc:  # noqa: BLE001 - any failure in a template is the template's problem
            raise RenderError(self.template_problem(exc, name)) from None

    def render_text(self, name: str, context: dict[str, Any]) -> str:
        """A partial rendered once per post (an entry): refused, at the line that made it, if it holds text no file
        can hold, which the page showing it would be blamed for, and a feed's parser would cut the entry at."""
        text = self.render(name, context)
        try:
            text.encode("utf-8")  # four times a search's speed: a lone surrogate is all that fails it
        except UnicodeEncodeError:
            raise RenderError(self.unholdable(name, context)) from None
        return text

    def unholdable(self, name: str, context: dict[str, Any]) -> Problem:
        """Where a template made text no file can hold: found by rendering it again, every value shown checked."""
        try:
            self.checking_env.get_template(name).render(context)
        except Exception as exc:  # noqa: BLE001 - the check's own error, at its line, or any the template raises
            return self.template_problem(exc, name)
        return Problem(f"templates/{name}", f"template error: {SURROGATE_TEXT}")  # none shown: a value not printed

    def template_problem(self, exc: Exception, name: str) -> Problem:
        """A Problem at the template file and line where Jinja failed."""
        if isinstance(exc, jinja2.TemplateSyntaxError):
            return Problem(self.shown_path(exc.filename, exc.name or name),
                           f"template error: {exc.message}", exc.lineno)
        missing = isinstance(exc, jinja2.TemplateNotFound)
        names = ", ".join(exc.templates) if isinstance(exc, jinja2.TemplatesNotFound) else getattr(exc, "name", "")
        message = f"template not found: {names}" if missing else f"template error: {reason(exc)}"
        for frame, line in reversed(list(traceback.walk_tb(exc.__traceback__))):
            filename = frame.f_code.co_filename
            if any(filename.startswith(str(d)) for d in self.template_dirs):  # an include or extends of its own
                return Problem(self.shown_path(filename, name), message, line)
        return Problem(f"templates/{name}", message)

    def shown_path(self, filename: str | None, name: str) -> str:
        if not filename:
            return f"templates/{name}"
        path = Path(filename)
        return str(path.relative_to(self.config.root)) if path.is_relative_to(self.config.root) else str(path)

    def template_digests(self, names: set[str]) -> tuple[dict[str, str], list[Problem]]:
        """For each template, a digest of it and everything it extends, includes, imports or calls."""
        digests, problems = {}, []
        for name in sorted(names):
            try:
                used = self.reach(name)
                # An absent `ignore missing` include counts as empty: the page changes once it is written.
                digests[name] = key_of(*(self.source(n) if used[n] else "" for n in sorted(used)))
            except RenderError as exc:
                problems.append(exc.problem)
            except (jinja2.TemplateError, UnicodeDecodeError, RecursionError) as exc:  # an expression nested too deep
                problems.append(self.template_problem(exc, name))
        return digests, problems

    @cached_property  # every page template calls entry(): its templates are found once per renderer
    def entry_closure(self) -> dict[str, bool]:
        """The entry template and what it pulls in; nothing for a theme without one."""
        try:
            return self.closure(ENTRY_TEMPLATE)
        except jinja2.TemplateNotFound:  # only the entry template itself: a missing include is a RenderError
            return {}

    def reach(self, name: str) -> dict[str, bool]:
        """The closure of a page template, with the entry template's when it calls entry()."""
        used = self.closure(name)
        if any(_CALLS_ENTRY.search(self.source(n)) for n in used if used[n]):  # entry() renders it
            used = used | self.entry_closure  # not |=: the closure is kept
        return used

    def unused_templates(self, pages: set[str], own: list[str]) -> list[str]:
        """Of the site's `own` templates (as the scan found them), those that none of these page templates pulls
        in and that have none of the theme's names: a slip (posts.html for post.html) that renders nothing. The
        pages' closures must have been walked without a problem (template_digests)."""
        theme = set(self.theme_templates())
        own = [name for name in own if name.endswith(TEMPLATE_SUFFIXES) and name not in theme]
        if not own:
            return []
        reached = {as_loaded(name) for page in pages for name, found in self.reach(page).items() if found}
        # theme/base.html is always the theme's: templates/theme/base.html never renders.
        return [name for name in own if name not in reached or name.startswith("theme/") and name[6:] in theme]

    def unused_warnings(self, names: list[str]) -> list[Problem]:
        """A warning for each template no page uses, with the theme's name it may be a slip for."""
        if not names:
            return []
        import difflib  # only a site with an unused template gets here

        theme = self.theme_templates()
        stems = {Path(name).stem: name for name in theme}
        problems = []
        for name in names:
            close = difflib.get_close_matches(Path(name).stem, list(stems), n=1, cutoff=0.75)
            why = "theme/ names the default theme's own templates (move it up into templates/)" \
                if name.startswith("theme/") and name[6:] in theme else f"did you mean {stems[close[0]]}?" \
                if close else "it has none of the theme's names, and no template a page uses includes, imports or " \
                "extends it"
            problems.append(Problem(self.shown_path(str(self.template_dirs[0] / name), name),
                                    f"no page uses this template; {why}", warning=True))
        return problems

    def theme_templates(self) -> list[str]:
        return TrackedLoader(str(self.template_dirs[-1])).list_templates()

    def closure(self, name: str) -> dict[str, bool]:
        """The template and every template it can pull in, each with whether it exists (an include marked
        `ignore missing` may name one that does not); a missing one is a problem where it is named."""
        if name in self.closures:
            return self.closures[name]
        seen: dict[str, bool] = {}
        todo: list[tuple[str, tuple[str, int] | None, bool]] = [(name, None, False)]  # name, where named, optional
        while todo:
            current, named_at, optional = todo.pop()
            if seen.get(current):
                continue
            try:
                source, filename, _ = self.env.loader.get_source(self.env, current)  # type: ignore[union-attr]
            except UnicodeDecodeError as exc:
                raise RenderError(self.undecodable(current, exc)) from None
            except jinja2.TemplateNotFound:
                if optional:
                    seen.setdefault(current, False)
                    continue
                if named_at is None:
                    raise
                raise RenderError(Problem(named_at[0], f"template not found: {current}", named_at[1])) from None
            seen[current] = True
            tree = self.env.parse(source, current, filename)
            where = self.shown_path(filename, current)
            self.shapes[current] = template_shape(tree, where)
            for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
                names = template_names(node.template)
                if names is None:  # a computed name could be any template
                    todo.extend((n, None, True) for n in self.env.list_templates())
                    continue
                # A list names templates to try in turn, so any one of them may be absent.
                optional = getattr(node, "ignore_missing", False) or len(names) > 1 or \
                    not isinstance(node.template, nodes.Const)
                todo.extend((n, (where, node.lineno), optional) for n in names)
        self.closures[name] = seen
        return seen

    def hidden_blocks(self) -> list[Problem]:
        """A warning for each block of a template that no template it extends has, so nothing shows it: a slip
        (`mian`), or a base.html of the site's whose block was renamed. The closures must have been walked."""
        problems = []
        for shape in self.shapes.values():
            above = self.ancestors(shape)
            if not above:  # extends none (its blocks show where they are), or one not known before rendering
                continue
            known = shape.called.union(*(s.names | s.called for _, s in above))
            extended = ", ".join(name for name, _ in above)
            problems += [Problem(shape.where, f"block {block!r} is in no template it extends ({extended}): "
                                              "nothing shows it", line, warning=True)
                         for block, line in shape.outer if block not in known]
        return sorted_problems(problems)  # a template read under two names (post.html, theme/post.html) once

    def ancestors(self, shape: Shape) -> list[tuple[str, Shape]]:
        """The templates a template extends, nearest first; none when it extends none, or one not known here (a
        computed name, a loop)."""
        found: list[tuple[str, Shape]] = []
        parent = shape.parent
        while parent is not None:
            above = self.shapes.get(parent)
            if above is None or any(name == parent for name, _ in found):
                return []
            found.append((parent, above))
            parent = above.parent
        return found

    def undecodable(self, name: str, exc: UnicodeDecodeError) -> Problem:
        """The template file that is not UTF-8, at the line of its first bad byte."""
        theme = name.startswith("theme/")  # the default theme's own, behind the site's
        name = name.removeprefix("theme/")
        dirs = self.template_dirs[-1:] if theme else self.template_dirs
        path = next((d / name for d in dirs if (d / name).is_file()), Path(name))
        return Problem(self.shown_path(str(path), name), f"not valid UTF-8 (byte {exc.object[exc.start]:#04x})",
                       line_at(exc.object[: exc.start].decode("latin-1"), exc.start))

    def source(self, name: str) -> str:
        return self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]


@dataclass(frozen=True, slots=True)
class Shape:
    """A template's blocks as extending sees them: the template it extends (None: none; "": one computed or
    extended only at times), every block it has, those inside no other block (with their lines), and those it
    renders by name (`self.title()`)."""

    where: str
    parent: str | None
    names: frozenset[str]
    outer: tuple[tuple[str, int], ...]
    called: frozenset[str]


def template_shape(tree: nodes.Template, where: str) -> Shape:
    """The Shape of a parsed template, found at `where`."""
    extends = list(tree.find_all(nodes.Extends))
    # Only one extends, at the top, naming one template, is known before rendering.
    plain = len(extends) == 1 and any(node is extends[0] for node in tree.body)
    names = template_names(extends[0].template) if plain else None
    parent = None if not extends else names[0] if names and len(names) == 1 else ""
    blocks = list(tree.find_all(nodes.Block))
    # A block inside another shows wherever the one around it does; one inside a macro wherever the macro is called.
    inner = {id(block) for outer in [*blocks, *tree.find_all((nodes.Macro, nodes.CallBlock))]
             for block in outer.find_all(nodes.Block)}
    called = frozenset(node.attr for node in tree.find_all(nodes.Getattr)
                       if isinstance(node.node, nodes.Name) and node.node.name == "self")
    return Shape(where, parent, frozenset(block.name for block in blocks),
                 tuple((block.name, block.lineno) for block in blocks if id(block) not in inner), called)


def as_loaded(name: str) -> str:
    """A template name as Jinja's loaders read it: `./x.html`, `/x.html` and `a//x.html` are x.html and a/x.html."""
    return "/".join(part for part in name.split("/") if part not in ("", "."))


def template_names(node: nodes.Expr) -> list[str] | None:
    """The template names an extends, include or import gives as text (one, or a list); None when computed."""
    items = node.items if isinstance(node, (nodes.Tuple, nodes.List)) else [node]
    if all(isinstance(item, nodes.Const) and isinstance(item.value, str) for item in items):
        return [item.value for item in items]  # type: ignore[attr-defined]
    return None

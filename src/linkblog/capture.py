"""Capture an article from its address: fetch the page, read its title, canonical link, source and description."""

from __future__ import annotations

import codecs
import http.client
import json
import os
import re
import time
import unicodedata
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from linkblog import __version__
from linkblog.content import FieldError, pasted_url, read_url
from linkblog.problems import Problem
from linkblog.urls import as_uri
from linkblog.web import MAX_TIMEOUT, WEB_SCHEMES, Deadline, LeavesTheWeb, http_failure, inflated, web_opener
from linkblog.yamlload import CONTROL_CHARACTERS, one_line

TIMEOUT_ENV = "LINKBLOG_FETCH_TIMEOUT"
DEFAULT_TIMEOUT = 10.0
# An article's HTML is well under this; more is a file download or an endless stream.
MAX_BYTES = 5 * 1024 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Page:
    """A fetched HTML page: where the redirects ended, its bytes and the charset its server named."""

    url: str
    html: bytes
    charset: str | None = None


@dataclass(frozen=True)
class Captured:
    """What a page says about itself, as plain text; None where it says nothing."""

    title: str | None
    link: str
    source: str | None
    description: str | None


class _Refused(Exception):
    """A response linkblog will not read, with the reason as its message."""


def capture(url: str, timeout: float | None = None) -> tuple[Captured | None, Problem | None]:
    """Fetch a page and read its metadata, or say in one line why it could not be."""
    page, problem = fetch_page(url, timeout)
    return (page_metadata(page), None) if page else (None, problem)


def fetch_page(url: str, timeout: float | None = None) -> tuple[Page | None, Problem | None]:
    """The page at an http(s) URL, redirects followed, within the time and size limits."""
    url = pasted_url(url)  # as --link and --via-url are read: spaces around it would be sent as %20
    try:
        parts = urlsplit(url)
    except ValueError:  # such as an unclosed IPv6 bracket: http://[oops
        return None, Problem(url, "is not a URL that can be fetched")
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc:
        return None, Problem(url, "only http:// and https:// pages can be fetched")
    if "@" in parts.netloc:  # urllib would take user:password@host for the host name, and a post's link keep them
        return None, Problem(url, "has a user name or password, which linkblog never sends: "
                                  "give the address without them")
    try:
        parts.port  # noqa: B018 - read for the ValueError it raises
    except ValueError:  # the socket would take 74301 as port 8765 (modulo 65536) and fetch another server's page
        return None, Problem(url, "has a port that is not a number from 0 to 65535")
    seconds = timeout if timeout is not None else fetch_timeout()
    if seconds is None:
        return None, Problem(TIMEOUT_ENV, f"must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}, "
                                          f"not '{os.environ[TIMEOUT_ENV]}'")
    request = urllib.request.Request(as_uri(url), headers={
        "User-Agent": f"linkblog/{__version__}", "Accept": "text/html,application/xhtml+xml;q=0.9"})
    deadline = Deadline(seconds)
    try:
        with deadline, web_opener(deadline).open(request, timeout=seconds) as response:
            page = read_page(response, time.monotonic() + seconds)
    except HTTPError as exc:
        return None, Problem(url, one_line(http_failure(exc)))
    except (_Refused, OSError, http.client.HTTPException, ValueError) as exc:  # OSError covers URLError, timeouts
        return None, Problem(url, fetch_failure(TimeoutError() if deadline.expired else exc, seconds))
    if deadline.expired:  # cut short, what was read may look whole
        return None, Problem(url, fetch_failure(TimeoutError(), seconds))
    return page, None


def fetch_timeout() -> float | None:
    """Seconds to wait for a page: $LINKBLOG_FETCH_TIMEOUT, else 10; None when that is not in (0, MAX_TIMEOUT]."""
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        return None
    return seconds if 0 < seconds <= MAX_TIMEOUT else None


def fetch_failure(exc: Exception, seconds: float) -> str:
    """One line saying why a fetch failed."""
    reason = exc.reason if isinstance(exc, URLError) else exc
    if isinstance(reason, TimeoutError):
        return f"no complete answer within {seconds:g} seconds (set {TIMEOUT_ENV} to wait longer)"
    if isinstance(reason, _Refused):
        return str(reason)
    if isinstance(exc, LeavesTheWeb):
        return str(exc.reason)
    detail = reason.strerror if isinstance(reason, OSError) and reason.strerror else reason
    return one_line(f"cannot be fetched: {detail or type(reason).__name__}")


def read_page(response: http.client.HTTPResponse, deadline: float) -> Page:
    """The response's body, refused unless it is HTML within MAX_BYTES and arrives before the deadline."""
    kind = response.headers.get_content_type() if response.headers.get("Content-Type") else None
    if kind is not None and kind not in HTML_TYPES:
        raise _Refused(f"is not an HTML page (the server sent {kind})")
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > MAX_BYTES:
        raise _Refused(too_large())
    chunks, size = [], 0
    # The socket timeout bounds each read; the deadline bounds a server that trickles bytes
    # (read1 returns what has arrived, where read would wait for a whole chunk).
    while chunk := response.read1(_CHUNK):
        size += len(chunk)
        if size > MAX_BYTES:
            raise _Refused(too_large())
        if time.monotonic() > deadline:
            raise TimeoutError
        chunks.append(chunk)
    if response.length:  # read1 returns b"" when the server closes early, where read would raise IncompleteRead
        raise _Refused(f"came cut short: the server sent {size} of the {size + response.length} bytes it announced")
    try:
        body = inflated(b"".join(chunks), response.headers.get("Content-Encoding", ""), MAX_BYTES)
    except ValueError as exc:
        raise _Refused(too_large() if "larger" in str(exc) else str(exc)) from None
    if kind is None and not _LOOKS_HTML.match(body[:1024]):
        raise _Refused("is not an HTML page (the server named no type, and it does not start as HTML does)")
    return Page(response.url, body, response.headers.get_content_charset())


# How an HTML document starts, after any byte-order mark, spaces and comments: what browsers sniff.
_LOOKS_HTML = re.compile(rb"(?:\xef\xbb\xbf)?(?:\s|<!--.*?-->)*<(?:!doctype\s+html|html|head|title|meta|body)\b",
                         re.IGNORECASE | re.DOTALL)


def too_large() -> str:
    return f"is larger than {MAX_BYTES / 1024 / 1024:g} MB, too large for an article page"


def page_metadata(page: Page) -> Captured:
    """Title, canonical link, source and description, read from the page's HTML."""
    root = document(page)
    meta = meta_values(root) if root is not None else {}
    link = canonical_link(root, meta, page.url)
    # The document's own <title>, not one inside an <svg> icon of its body.
    title = meta.get("og:title") or (text_of(next((t for t in root.iter("title") if not any(
        a.tag == "svg" for a in t.iterancestors())), None)) if root is not None else None)
    description = meta.get("og:description") or meta.get("description") or meta.get("twitter:description")
    return Captured(title, link, page_source(root, meta), description)


def document(page: Page) -> lxml.html.HtmlElement | None:
    """The parsed page, decoded as a browser decodes it (page_codec)."""
    return parsed(page.html.decode(page_codec(page), "replace"))


def parsed(text: str) -> lxml.html.HtmlElement | None:
    """HTML text parsed, without its comments; None when there is nothing to parse."""
    try:
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1),
                                             parser=lxml.html.HTMLParser(remove_comments=True))
    except (etree.ParserError, ValueError):  # an empty page, or nothing but whitespace
        return None


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")  # lxml refuses text that still names a byte encoding


def page_codec(page: Page) -> str:
    """The codec for the page: its byte-order mark's, its server's charset, UTF-8 when it is, its <meta> charset,
    else windows-1252, which browsers also read wherever Latin-1 or ASCII is named."""
    bom = next((codec for mark, codec in _BOMS if page.html.startswith(mark)), None)
    return (bom or python_codec(page.charset) or ("utf-8" if is_utf8(page.html) else None)
            or declared_codec(page.html) or "cp1252")


# Browsers look for a <meta> charset in a page's first bytes (the HTML standard's prescan), then, while the page
# is read, in its head.
PRESCAN_BYTES = 1024


def declared_codec(html: bytes) -> str | None:
    """The codec the first <meta> declaring a known charset names, in the page's first 1024 bytes or its head."""
    # A tentative reading: tag and attribute names and charset labels are ASCII, the same bytes in any charset.
    text = html.decode("latin-1")
    return next(filter(None, map(meta_codec, heeded_metas(text))), None)


def heeded_metas(text: str) -> Iterator[lxml.html.HtmlElement]:
    """The <meta> elements browsers take a charset from: those in the first 1024 bytes, then those in the head."""
    early = parsed(text[:text.rfind(">", 0, PRESCAN_BYTES) + 1])  # whole tags only: no value cut short
    yield from early.iter("meta") if early is not None else ()
    whole = parsed(text)
    head = whole.find("head") if whole is not None else None
    yield from head.iter("meta") if head is not None else ()


# The HTML standard's "extracting a character encoding from a meta element": charset=, then a quoted or bare label.
_CONTENT_CHARSET = re.compile(r"""charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;"'][^\s;]*))""",
                              re.IGNORECASE | re.ASCII)  # ASCII white space only, as the standard has it


def meta_codec(meta: lxml.html.HtmlElement) -> str | None:
    """The codec a <meta> declares as the HTML standard reads it: its charset attribute, else the charset in the
    content of an http-equiv="Content-Type" (never a charset= in any other attribute or meta)."""
    codec = declared_label_codec(meta.get("charset"))
    if codec or (meta.get("http-equiv") or "").lower() != "content-type":
        return codec
    found = _CONTENT_CHARSET.search(meta.get("content") or "")
    return declared_label_codec(next(filter(None, found.groups()), None)) if found else None


def declared_label_codec(label: str | None) -> str | None:
    """The codec for a charset a page declares in a <meta>: UTF-16 as UTF-8 (a page that could say so in ASCII is no
    UTF-16) and x-user-defined as windows-1252, as the HTML standard has it."""
    if label and label.strip().lower() == "x-user-defined":
        return "cp1252"
    codec = python_codec(label)
    return "utf-8" if codec and codec.startswith("utf-16") else codec


# Legacy encodings browsers read as the larger one a page named after them uses (the WHATWG Encoding Standard).
_AS_BROWSERS_READ = {"iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254", "iso8859-11": "cp874",
                     "tis-620": "cp874", "gb2312": "gb18030", "gbk": "gb18030", "shift_jis": "cp932",
                     "euc_kr": "cp949", "big5": "big5hkscs"}


def python_codec(label: str | None) -> str | None:
    """Python's codec for an encoding label, as browsers read it (Latin-1 as windows-1252...); None if unknown."""
    try:
        name = codecs.lookup(label.strip()).name if label and label.strip() else None
        if name:  # base64, hex, idna... name no charset: they refuse to decode a page (or to replace a bad byte)
            b"-\xff".decode(name, "replace")
    except (LookupError, UnicodeError):
        return None
    return _AS_BROWSERS_READ.get(name, name) if name else None


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def meta_values(root: lxml.html.HtmlElement) -> dict[str, str]:
    """The first non-empty content of each <meta> name or property, keyed in lowercase."""
    values: dict[str, str] = {}
    for meta in root.iter("meta"):
        content = clean(meta.get("content"))
        for key in (meta.get("property"), meta.get("name")):
            if key and content:
                values.setdefault(key.strip().lower(), content)
    return values


def canonical_link(root: lxml.html.HtmlElement | None, meta: dict[str, str], final_url: str) -> str:
    """The page's own idea of its address: <link rel=canonical>, og:url (resolved against the document's base URL),
    else where the redirects ended."""
    base = base_url(root, final_url)
    links = root.iter("link") if root is not None else ()
    hrefs = [link.get("href") for link in links if "canonical" in (link.get("rel") or "").lower().split()]
    for candidate in [*hrefs, meta.get("og:url")]:
        url = web_url(candidate, base)
        if url:
            return url
    return final_url


def base_url(root: lxml.html.HtmlElement | None, page_url: str) -> str:
    """What a browser resolves the page's relative URLs against: its first <base href>, itself resolved against
    the page's address; else that address."""
    bases = root.iter("base") if root is not None else ()
    href = next((base.get("href") for base in bases if base.get("href") is not None), None)
    try:
        return urljoin(page_url, pasted_url(href)) if href is not None else page_url
    except ValueError:  # such as an unclosed IPv6 bracket, which browsers also pass over
        return page_url


def web_url(candidate: str | None, base: str) -> str | None:
    """An http(s) address the build accepts as a `link`, resolved against the document's base URL."""
    if not candidate or not candidate.strip():
        return None
    try:
        url = read_url(urljoin(base, candidate.strip()), "link")
    except (FieldError, ValueError):
        return None
    return url if url and urlsplit(url).scheme.lower() in WEB_SCHEMES else None


def page_source(root: lxml.html.HtmlElement | None, meta: dict[str, str]) -> str | None:
    """Who the page says wrote it: author meta, JSON-LD author, else og:site_name; None when it names nobody.
    (The host name of last resort is the post's link's, which --link may give: scaffold.prefilled.)"""
    author = meta.get("author")
    if author and is_url(author):  # a profile URL is not a name
        author = None
    return author or (json_ld_author(root) if root is not None else None) or meta.get("og:site_name")


# Authors come as a list, or now and then a list of lists; lists nested deeper are no list of authors.
MAX_AUTHOR_NESTING = 4


def json_ld_author(root: lxml.html.HtmlElement) -> str | None:
    """The first author named in the page's JSON-LD: a name, an object, or a list of them."""
    for script in root.iter("script"):
        if (script.get("type") or "").split(";")[0].strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):  # broken or absurdly nested JSON says nothing usable
            continue
        nodes = list(json_ld_nodes(data))
        by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
        for node in nodes:
            names = author_names(node.get("author"), by_id)
            if names:
                return joined(names)
    return None


def json_ld_nodes(data: Any) -> Iterator[dict]:
    """The objects of a JSON-LD document: itself, a top-level list, and any @graph."""
    for node in data if isinstance(data, list) else [data]:
        if isinstance(node, dict):
            yield node
            graph = node.get("@graph")
            yield from (item for item in graph if isinstance(item, dict)) if isinstance(graph, list) else ()


def author_names(value: Any, by_id: dict[str, dict], depth: int = 0) -> list[str]:
    """The names in a JSON-LD author value; an object may name its author by @id elsewhere in the graph."""
    if isinstance(value, list):
        if depth >= MAX_AUTHOR_NESTING:  # absurd nesting names nobody, and would exhaust the stack
            return []
        return list(dict.fromkeys(name for item in value for name in author_names(item, by_id, depth + 1)))
    if isinstance(value, dict):
        ref = value.get("@id")
        named = value if "name" in value or not isinstance(ref, str) else by_id.get(ref, {})
        value = named.get("name")
    name = clean(value) if isinstance(value, str) else None
    return [name] if name and not is_url(name) else []  # a profile URL is not a name


def is_url(text: str) -> bool:
    return urlsplit(text).scheme.lower() in WEB_SCHEMES


def joined(names: list[str]) -> str:
    """'Ann', 'Ann and Bo', 'Ann, Bo and Cy'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def text_of(element: lxml.html.HtmlElement | None) -> str | None:
    return clean(element.text_content()) if element is not None else None


# A C1 control (U+0080-U+009F) in a page is windows-1252's character, as browsers read `&#147;`: “.
_AS_WINDOWS_1252 = {code: bytes([code]).decode("cp1252", "ignore") or None for code in range(0x80, 0xA0)}
# Bidi embeddings, overrides and isolates: a title never needs them (the page's direction is the template's), and
# one left open runs on past the text it came in, reversing the source name after it.
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def clean(text: str | None) -> str | None:
    """Text on one line without characters no post may hold; None when nothing visible is left."""
    if not text:
        return None
    kept = one_line(CONTROL_CHARACTERS.sub("", text).translate(_AS_WINDOWS_1252).translate(_BIDI_CONTROLS))
    return kept if kept and not is_invisible(kept) else None


def is_invisible(text: str) -> bool:
    """Whether text is only spaces and format characters (zero-width space, byte-order mark, direction marks),
    which show nothing: a title of them is no title."""
    return all(unicodedata.category(char) in ("Cf", "Zs") for char in text)

"""An RSS 0.9x/1.0/2.0 or Atom feed, from a file or a URL -> ImportedPost records (#16)."""

from __future__ import annotations

import html
import http.client
import io
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parseaddr
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request

import feedparser

from linkblog import __version__
from linkblog.importers.attribution import host, links_out
from linkblog.importers.dates import stamped_date, unknown_zone_clock
from linkblog.importers.html import body_markdown, plain_text, title_text
from linkblog.importers.records import Harvest, ImportedPost, ImportOptions
from linkblog.importers.safexml import (
    controls_removed,
    document_encoding,
    parse_xml,
    read_source_file,
    without_controls,
)
from linkblog.markdown import shorten
from linkblog.problems import Problem
from linkblog.urls import as_uri
from linkblog.web import Deadline, http_failure, inflated, web_opener

MAX_BYTES = 50 * 2**20
TIMEOUT_SECONDS = 20
HTML_TYPES = ("text/html", "application/xhtml+xml")
_TITLE_LENGTH = 60
ADDRESS = re.compile(r"[^\s@()<>]+@[^\s@()<>]+\.[^\s@()<>]+")  # an e-mail address in an author's name: name@domain.tld
_AROUND_ADDRESS = re.compile(r"\(\s*\)|<\s*>|\[\s*\]")  # the brackets an address stood in, empty once it is gone
WXR = "{http://wordpress.org/export/"  # the namespace of a WordPress export's wp: elements, any WXR version
_DECLARATION = re.compile(rb"\A<\?xml[^>]*>")
DATE_KEYS = ("published", "updated", "created")
AVATAR_HOST = "gravatar.com"


def read_feed(source: str, options: ImportOptions) -> tuple[Harvest | None, list[Problem]]:
    """Every entry of the feed, or the one problem that stops the import."""
    is_url = source.startswith(("http://", "https://"))
    data, problem, base = fetch(source) if is_url else (*read_source_file(source), None)
    if data is None:
        return None, [problem] if problem else []
    data, removed = without_controls(data)  # for feedparser too, which would fall back to its loose parser
    # defusedxml first: feedparser's XML parser must never meet an entity declaration.
    root, problem = parse_xml(source, data, forbid_dtd=False)
    if root is None:
        return None, [problem] if problem else []
    if any(element.tag.startswith(WXR) for element in root.iter()):
        # A WordPress export is RSS 2.0 too: read as a feed, its private, draft and trashed posts, its pages and
        # attachments would all be published as posts.
        return None, [Problem(source, f"is a WordPress export, not a feed: import it with 'linkblog import "
                                      f"wordpress {source}'; nothing was imported")]
    parsed = parsed_feed(data, base)
    if not is_url and parsed.feed.get("link"):  # a saved feed's relative links are its site's, as the URL's are
        parsed = parsed_feed(data, parsed.feed["link"])
    if not parsed.get("version"):
        return None, [Problem(source, "not an RSS or Atom feed; nothing was imported")]
    if not parsed.entries:
        return None, [Problem(source, "the feed has no entries; nothing was imported")]
    harvest = Harvest(home=parsed.feed.get("link"), warnings=controls_removed(source, removed))
    seen: set[tuple[str, ...]] = set()
    for number, entry in enumerate(parsed.entries, 1):
        identity = entry_identity(entry)
        if identity in seen:  # a feed that lists an entry twice: one post
            harvest.skip("the same entry again (its id)", entry_name(number, entry))
            continue
        seen.add(identity)
        post, warnings = entry_post(f"{source}: entry {number}", entry, byline(entry, parsed), options)
        harvest.warnings += warnings
        if post is None:
            harvest.skip("unreadable date" if written_date(entry) else "no date", entry_name(number, entry))
        else:
            harvest.posts.append(post)
    return harvest, []


def entry_identity(entry: Any) -> tuple[str, ...]:
    """What makes an entry the same one again: its id; without one, everything it shows, since a podcast links
    every episode to the show's home page and its link alone names no entry."""
    if entry.get("id"):
        return (entry["id"],)
    return (entry.get("link") or "", entry.get("title") or "", written_date(entry) or "", entry_html(entry),
            enclosures_html(entry))


def entry_name(number: int, entry: Any) -> str:
    """How a report names an entry left out: its place in the feed, and its title when it has one."""
    title = entry_title(entry)
    return f"entry {number} '{title}'" if title else f"entry {number}"


def byline(entry: Any, parsed: Any) -> Any:
    """What names an entry's author: the entry; without one, an Atom feed's own <author>, which is every such
    entry's (RFC 4287, 4.2.1). An RSS channel's managingEditor is no author of its items."""
    if entry.get("author") or not parsed.get("version", "").startswith("atom"):
        return entry
    return parsed.feed


def entry_title(entry: Any) -> str:
    """An entry's title as text, read as feedparser says it is written: text or HTML."""
    kind = (entry.get("title_detail") or {}).get("type")
    return title_text(entry.get("title", ""), kind in HTML_TYPES if kind else None)


def parsed_feed(data: bytes, base: str | None) -> Any:
    """feedparser's reading of a feed, its relative links resolved against `base` (where no xml:base says)."""
    # A stream, not bytes: feedparser would first try bytes as a file name or URL of its own.
    return feedparser.parse(io.BytesIO(data), response_headers={"content-location": base} if base else {},
                            sanitize_html=False)


def fetch(url: str) -> tuple[bytes | None, Problem | None, str | None]:
    """The feed's bytes, fetched with a timeout and a size limit, or a one-line reason it failed; and where the
    redirects, if any, ended: what the feed's relative links are relative to."""
    deadline = Deadline(TIMEOUT_SECONDS)
    try:
        request = Request(as_uri(url), headers={"User-Agent": f"linkblog/{__version__} (import)"})
        with deadline, web_opener(deadline).open(request, timeout=TIMEOUT_SECONDS) as response:
            data = response.read(MAX_BYTES + 1)
            encoding, final = response.headers.get("Content-Encoding", ""), response.url
            charset = response.headers.get_content_charset()
        if deadline.expired:  # cut short, what was read may look whole
            raise TimeoutError("timed out")
    except HTTPError as exc:
        return None, Problem(url, f"could not fetch it: {http_failure(exc)}"), None
    except (URLError, OSError, ValueError, http.client.HTTPException) as exc:  # InvalidURL: a control character
        reason = getattr(exc, "reason", None) or exc
        return None, Problem(url, f"could not fetch it ({reason}): offline? Save the feed and import the file"), None
    if len(data) > MAX_BYTES:
        return None, Problem(url, f"larger than {MAX_BYTES // 2**20} MB; save the feed and import the file"), None
    try:
        data = inflated(data, encoding, MAX_BYTES)
    except ValueError as exc:
        return None, Problem(url, f"could not read it: {exc}"), None
    return *in_charset(url, data, charset), final


def in_charset(url: str, data: bytes, charset: str | None) -> tuple[bytes | None, Problem | None]:
    """The fetched document, as UTF-8 when it names no encoding of its own and the server named one: for XML the
    server's charset is the one that counts (RFC 7303), and without it the parser would take Latin-1 for UTF-8."""
    if not charset or declares_encoding(data):
        return data, None
    try:
        return data.decode(charset).encode("utf-8"), None
    except LookupError:  # a charset nothing knows: the document read as its own (UTF-8)
        return data, None
    except UnicodeDecodeError as exc:
        return None, Problem(url, f"not valid {charset} text (byte {exc.start}), though the server says it is; "
                                  "nothing was imported")


def declares_encoding(data: bytes) -> bool:
    """Whether a document says its own encoding: a byte order mark, UTF-16's or UTF-32's first bytes, or the
    encoding its XML declaration names (anything but UTF-8 is one of these; UTF-8 may be named too)."""
    declaration = _DECLARATION.match(data)
    return document_encoding(data) != "utf-8" or bool(declaration and b"encoding" in declaration[0])


def entry_post(origin: str, entry: Any, byline: Any, options: ImportOptions) -> tuple[ImportedPost | None,
                                                                                     list[Problem]]:
    """One entry as an ImportedPost: link, date, tags from categories, full content or the summary; its author as
    `byline` (the entry, or the feed whose author it has) names it."""
    date, unknown = entry_date(entry, options)
    if date is None:
        written = written_date(entry)
        why = f"its date '{written}' is not one it can read" if written else "it has no date"
        return None, [Problem(origin, f"skipped: {why}", warning=True)]
    body_html, attached_html = entry_html(entry), enclosures_html(entry)
    title = entry_title(entry)
    (body, warnings), (attached, more) = (body_markdown(html, origin) for html in (body_html, attached_html))
    warnings += more
    if not title:
        title = shorten(plain_text(body_html + attached_html), _TITLE_LENGTH) or "Untitled"
        warnings.append(Problem(origin, f"no title; named it '{title}'", warning=True))
    link = entry.get("link") if links_out(entry.get("link"), None) else None
    tags = dict.fromkeys(name for tag in entry.get("tags", []) if (name := (tag.get("term") or tag.get("label"))))
    post = ImportedPost(origin=f"{origin} '{title}'", title=title, date=date, body=body,
                        tags=tuple(t.strip() for t in tags if t.strip()), link=link, origin_url=link,
                        author=author_name(byline), attached=attached)
    if post.author is None and ADDRESS.search(str(byline.get("author") or "")):
        warnings.append(Problem(post.origin, "its author is given only as an e-mail address, which would be "
                                             "published: left out", warning=True))
    if unknown:
        warnings.append(Problem(post.origin, f"its date '{unknown}' is in a zone whose offset is not known: "
                                             "taken as UTC", warning=True))
    return post, warnings


def author_name(entry: Any) -> str | None:
    """The entry's author's name, never an e-mail address: RSS writes `a@b.example (Ann)`, which gives Ann, and an
    address alone names no one (and would be published), so it gives None."""
    written = one_line(str(entry.get("author") or ""))
    if not ADDRESS.search(written):  # Atom's <name>, dc:creator ('@handle' too), an RSS <author> that is a name
        return written or None
    detail = entry.get("author_detail") or {}
    if detail.get("name") and written == one_line(f"{detail['name']} ({detail.get('email')})"):
        return one_line(detail["name"])  # Atom's <name> and <email>, which feedparser joins so
    # feedparser's own split cuts an address whose domain ends in more than four letters (a@b.example (Ann) gives
    # the name 'ple (Ann'): the standard library's RFC 822 parser reads RSS's `address (Name)` and `Name <address>`.
    name = one_line(parseaddr(written)[0])
    if name and not ADDRESS.search(name):
        return name
    # `Ann Lee (ann@x.example)`, which parseaddr reads the other way round: the words around the address
    return one_line(_AROUND_ADDRESS.sub(" ", ADDRESS.sub("", written)).strip(" ()<>\"'")) or None


def one_line(text: str) -> str:
    """Text with its runs of spaces and newlines as single spaces, as a name is shown."""
    return " ".join(text.split())


def entry_date(entry: Any, options: ImportOptions) -> tuple[datetime | None, str | None]:
    """The entry's date as written, offset kept (feedparser's own parse keeps UTC only); else feedparser's, which
    reads more forms ("02 Jan 2017", a date without its time), in UTC. And the date as written when it names a
    zone whose offset no one knows, taken as UTC."""
    for key in DATE_KEYS:
        written = entry.get(key, "")
        if (clock := unknown_zone_clock(written)) is not None:
            moment = zoned_date(clock, entry.get(f"{key}_parsed"))
            return (moment, None) if moment else (clock.replace(tzinfo=UTC), written)
        moment = stamped_date(written)
        if moment is not None:
            return moment if moment.tzinfo else moment.replace(tzinfo=options.tz), None
    parsed = next((entry[f"{key}_parsed"] for key in DATE_KEYS if entry.get(f"{key}_parsed")), None)
    return (datetime(*parsed[:6], tzinfo=UTC) if parsed else None), None


def zoned_date(clock: datetime, parsed: Any) -> datetime | None:
    """A time written in a zone RFC 822 does not name, at the offset feedparser gives that zone (MEST, MET...):
    the difference between the time as written and feedparser's UTC reading of it. None when there is none,
    feedparser taking a zone it does not know (CEST) as UTC."""
    offset = clock - datetime(*parsed[:6]) if parsed else timedelta(0)
    return clock.replace(tzinfo=timezone(offset)) if timedelta(0) < abs(offset) < timedelta(hours=24) else None


def written_date(entry: Any) -> str | None:
    """The entry's date as the feed spells it, if it gives one."""
    return next((entry[key] for key in DATE_KEYS if entry.get(key)), None)


def enclosures_html(entry: Any) -> str:
    """An entry's enclosures (a podcast's audio, an attached file) and Media RSS files (<media:content>, in a
    <media:group> too: photos, video) as links at the end of its body, each once."""
    hrefs = [e.get("href") for e in entry.get("enclosures", [])]
    hrefs += [m.get("url") for m in entry.get("media_content", [])]
    links = [href for href in hrefs if links_out(href, None) and not is_avatar(href)]
    items = "".join(f'<li><a href="{html.escape(href)}">{html.escape(href.rsplit("/", 1)[-1] or href)}</a></li>'
                    for href in dict.fromkeys(links))
    return f"<p>Attached:</p><ul>{items}</ul>" if items else ""


def is_avatar(url: str) -> bool:
    """Whether a file is a Gravatar: WordPress.com and Jetpack give every item its author's, no file of the post."""
    return host(url) == AVATAR_HOST or host(url).endswith("." + AVATAR_HOST)


def entry_html(entry: Any) -> str:
    """The entry's full content where the feed has it, else its summary, as HTML."""
    details = [c for c in entry.get("content", []) if c.get("value")]
    details.sort(key=lambda c: c.get("type") not in HTML_TYPES)
    detail = details[0] if details else entry.get("summary_detail") or {"value": entry.get("summary", "")}
    value = detail.get("value", "")
    if detail.get("type") == "text/plain":
        return "".join(f"<p>{html.escape(part)}</p>" for part in value.split("\n\n") if part.strip())
    return value

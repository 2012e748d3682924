"""An RSS 0.9x/1.0/2.0 or Atom feed, from a file or a URL -> ImportedPost records (#16)."""

from __future__ import annotations

import html
import io
from datetime import datetime
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request

import feedparser

from linkblog import __version__
from linkblog.importers.attribution import links_out
from linkblog.importers.dates import stamped_date
from linkblog.importers.html import plain_text, title_text, to_markdown
from linkblog.importers.records import Harvest, ImportedPost, ImportOptions
from linkblog.importers.safexml import parse_xml, read_source_file
from linkblog.markdown import shorten
from linkblog.problems import Problem
from linkblog.web import web_opener

MAX_BYTES = 50 * 2**20
TIMEOUT_SECONDS = 20
HTML_TYPES = ("text/html", "application/xhtml+xml")
_TITLE_LENGTH = 60


def read_feed(source: str, options: ImportOptions) -> tuple[Harvest | None, list[Problem]]:
    """Every entry of the feed, or the one problem that stops the import."""
    is_url = source.startswith(("http://", "https://"))
    data, problem = fetch(source) if is_url else read_source_file(source)
    if data is None:
        return None, [problem] if problem else []
    # defusedxml first: feedparser's XML parser must never meet an entity declaration.
    root, problem = parse_xml(source, data, forbid_dtd=False)
    if root is None:
        return None, [problem] if problem else []
    headers = {"content-location": source} if is_url else {}
    # A stream, not bytes: feedparser would first try bytes as a file name or URL of its own.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=False)
    if not parsed.get("version"):
        return None, [Problem(source, "not an RSS or Atom feed; nothing was imported")]
    if not parsed.entries:
        return None, [Problem(source, "the feed has no entries; nothing was imported")]
    harvest = Harvest(home=parsed.feed.get("link"))
    for number, entry in enumerate(parsed.entries, 1):
        post, warnings = entry_post(f"{source}: entry {number}", entry, options)
        harvest.warnings += warnings
        if post is None:
            harvest.skipped["no date"] += 1
        else:
            harvest.posts.append(post)
    return harvest, []


def fetch(url: str) -> tuple[bytes | None, Problem | None]:
    """The feed's bytes, fetched with a timeout and a size limit, or a one-line reason it failed."""
    request = Request(url, headers={"User-Agent": f"linkblog/{__version__} (import)"})
    try:
        with web_opener().open(request, timeout=TIMEOUT_SECONDS) as response:
            data = response.read(MAX_BYTES + 1)
    except HTTPError as exc:
        return None, Problem(url, f"could not fetch it: HTTP {exc.code} {exc.reason}")
    except (URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return None, Problem(url, f"could not fetch it ({reason}): offline? Save the feed and import the file")
    if len(data) > MAX_BYTES:
        return None, Problem(url, f"larger than {MAX_BYTES // 2**20} MB; save the feed and import the file")
    return data, None


def entry_post(origin: str, entry: Any, options: ImportOptions) -> tuple[ImportedPost | None, list[Problem]]:
    """One entry as an ImportedPost: link, date, tags from categories, full content or the summary."""
    date = entry_date(entry, options)
    if date is None:
        return None, [Problem(origin, "skipped: it has no date", warning=True)]
    body_html = entry_html(entry)
    kind = (entry.get("title_detail") or {}).get("type")  # feedparser's verdict: text or HTML
    title = title_text(entry.get("title", ""), kind in HTML_TYPES if kind else None)
    warnings = []
    if not title:
        title = shorten(plain_text(body_html), _TITLE_LENGTH) or "Untitled"
        warnings.append(Problem(origin, f"no title; named it '{title}'", warning=True))
    link = entry.get("link") if links_out(entry.get("link"), None) else None
    tags = dict.fromkeys(name for tag in entry.get("tags", []) if (name := (tag.get("term") or tag.get("label"))))
    post = ImportedPost(origin=f"{origin} '{title}'", title=title, date=date, body=to_markdown(body_html),
                        tags=tuple(t.strip() for t in tags if t.strip()), link=link, origin_url=link)
    return post, warnings


def entry_date(entry: Any, options: ImportOptions) -> datetime | None:
    """The entry's date as written, offset kept (feedparser's own parse keeps UTC only)."""
    for key in ("published", "updated", "created"):
        moment = stamped_date(entry.get(key, ""))
        if moment is not None:
            return moment if moment.tzinfo else moment.replace(tzinfo=options.tz)
    return None


def entry_html(entry: Any) -> str:
    """The entry's full content where the feed has it, else its summary, as HTML."""
    details = [c for c in entry.get("content", []) if c.get("value")]
    details.sort(key=lambda c: c.get("type") not in HTML_TYPES)
    detail = details[0] if details else entry.get("summary_detail") or {"value": entry.get("summary", "")}
    value = detail.get("value", "")
    if detail.get("type") == "text/plain":
        return "".join(f"<p>{html.escape(part)}</p>" for part in value.split("\n\n") if part.strip())
    return value

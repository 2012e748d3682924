"""A WordPress export (WXR 1.0-1.2, Tools -> Export) -> ImportedPost records (#16)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

from linkblog.importers import shortcodes
from linkblog.importers.attribution import LinkFormatPost, links_out
from linkblog.importers.dates import stamped_date
from linkblog.importers.html import body_markdown, plain_text, title_text
from linkblog.importers.records import Harvest, ImportedPost, ImportOptions
from linkblog.importers.safexml import controls_removed, parse_xml, read_source_file, without_controls
from linkblog.importers.writer import same_host
from linkblog.markdown import shorten
from linkblog.model import alias_path
from linkblog.problems import Problem

SUPPORTED = ("1.0", "1.1", "1.2")
_WXR_VERSION = re.compile(r"\{(http://wordpress\.org/export/([^/]+)/)\}wxr_version")
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
_MORE = re.compile(r"<!--more(.*?)-->", re.DOTALL)
_NO_DATE = "0000-00-00 00:00:00"
PUBLISHED = ("publish", "future")  # a scheduled post keeps its date; builds leave it out until then
DRAFTS = ("draft", "pending", "private")
SKIPPED_TYPES = ("page", "attachment", "nav_menu_item")
# Where link-blog plugins, the "link" post format and Page Links To keep the article's URL.
LINK_META = ("_format_link_url", "linked_list_url", "_links_to")
LINK_FORMAT = "post-format-link"
# A synced pattern (reusable block) placed in a post: <!-- wp:block {"ref":99} /-->, the pattern's id in its JSON.
# WordPress writes the JSON's < and > as \u003c and \u003e: a match ends before the next tag or comment, so each
# comment left open is read to there only, not to the post's end (quadratic in a post of such comments).
_PATTERN = re.compile(r"<!--\s*wp:block\s+(\{[^<>]*?\})\s*/-->")
MAX_PATTERN_DEPTH = 10
MAX_PATTERNS = 100
MAX_PATTERN_TEXT = 1_000_000  # characters a post's patterns may add: a big pattern placed 100 times is megabytes
_TITLE_LENGTH = 60
_RSS_START = re.compile(rb"<rss(?=[\s>])")


@dataclass(frozen=True, slots=True)
class Export:
    """What reading each item needs: the file's name, its wp: namespace, authors' names, options, the content
    of each synced pattern (wp_block item) by its id, and the blog's address."""

    name: str
    wp: str
    excerpt: str
    authors: dict[str, str]
    options: ImportOptions
    patterns: dict[str, str]
    home: str | None = None

    def text(self, item: Element, tag: str) -> str:
        return (item.findtext(self.wp + tag) or "").strip()


def read_export(source: str, options: ImportOptions) -> tuple[Harvest | None, list[Problem]]:
    """Every post of the export, or the one problem that stops the import."""
    data, problem = read_source_file(source)
    if data is None:
        return None, [problem] if problem else []
    data, removed = without_controls(data)
    root, problem = parse_xml(source, atom_declared(data), forbid_dtd=True)
    if root is None:
        return None, [problem] if problem else []
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        return None, [Problem(source, "not a WordPress export (no <rss><channel>); export one with "
                              "Tools -> Export in WordPress")]
    export, problem = export_of(source, channel, options)
    if export is None:
        return None, [problem] if problem else []
    harvest = Harvest(home=export.home, warnings=controls_removed(source, removed))
    for item in channel.findall("item"):
        read_item(export, item, harvest)
    return harvest, []


def atom_declared(data: bytes) -> bytes:
    """The export with the atom: prefix declared where WordPress.com uses it in <atom:link> but never declares it."""
    if b"<atom:" not in data or b"xmlns:atom" in data:
        return data
    return _RSS_START.sub(b'<rss xmlns:atom="http://www.w3.org/2005/Atom"', data, count=1)


def export_of(source: str, channel: Element, options: ImportOptions) -> tuple[Export | None, Problem | None]:
    """The export's WXR namespace and authors, or why it is not a WXR file this importer reads."""
    found = next((m for m in map(_WXR_VERSION.fullmatch, (c.tag for c in channel)) if m), None)
    if found is None:
        return None, Problem(source, "not a WordPress export (no wp:wxr_version); export one with "
                             "Tools -> Export in WordPress")
    version = (channel.findtext(found.group()) or "").strip()
    if version not in SUPPORTED or found.group(2) not in SUPPORTED:
        return None, Problem(source, f"unknown WXR version '{version or found.group(2)}' "
                             f"(linkblog reads WXR {', '.join(SUPPORTED)}); nothing was imported")
    wp = "{" + found.group(1) + "}"
    authors = {(a.findtext(wp + "author_login") or "").strip(): (a.findtext(wp + "author_display_name") or "").strip()
               for a in channel.findall(wp + "author")}
    excerpt = "{" + found.group(1) + "excerpt/}encoded"
    patterns = {(item.findtext(wp + "post_id") or "").strip(): item.findtext(CONTENT) or ""
                for item in channel.findall("item") if (item.findtext(wp + "post_type") or "").strip() == "wp_block"}
    home = channel.findtext("link") or channel.findtext(wp + "base_blog_url")
    return Export(source, wp, excerpt, {k: v for k, v in authors.items() if k and v}, options, patterns, home), None


def read_item(export: Export, item: Element, harvest: Harvest) -> None:
    """Add one item to the harvest: as a post, or counted with the reason it was skipped."""
    if comments := len(item.findall(export.wp + "comment")):  # a count of 0 would be a reason with nothing under it
        harvest.skipped["comment"] += comments
    reason = skip_reason(export, item)
    if reason:
        harvest.skip(reason, item_name(export, item))
        return
    post, warnings = item_post(export, item)
    harvest.warnings += warnings
    if post is None:
        harvest.skip("no date", item_name(export, item))
    else:
        harvest.posts.append(post)


def item_name(export: Export, item: Element) -> str:
    """How a report names an item left out: its title, or its number when it has none."""
    title = title_text(item.findtext("title") or "")
    return f"'{title}'" if title else f"item {export.text(item, 'post_id') or '?'}"


def skip_reason(export: Export, item: Element) -> str | None:
    """Why an item is not imported (a page, a draft without --drafts...), or None."""
    kind = export.text(item, "post_type") or "post"
    if kind in SKIPPED_TYPES:
        return kind
    if kind != "post":
        return f"post type '{kind}'"
    status = export.text(item, "status") or "publish"
    if status not in PUBLISHED + DRAFTS:
        return status
    hidden = status in DRAFTS or bool(export.text(item, "post_password"))
    if hidden and not export.options.drafts:
        return f"{status if status in DRAFTS else 'password-protected'} (use --drafts)"
    return None


def item_post(export: Export, item: Element) -> tuple[ImportedPost | None, list[Problem]]:
    """One post item as an ImportedPost, with warnings about what could not be converted."""
    origin = f"{export.name}: post {export.text(item, 'post_id') or '?'}"
    date = item_date(export, item)
    if date is None:
        return None, [Problem(origin, "skipped: it has no date", warning=True)]
    content, warnings = with_patterns(export, item.findtext(CONTENT) or "", origin)
    footnotes, unread = item_footnotes(export, item, origin)
    body, teaser, converted = convert_content(content, origin, footnotes)
    warnings += unread + converted
    # Older WordPress writes the title as escaped text (`&lt;html&gt;` is text), newer as CDATA holding HTML.
    title = title_text(item.findtext("title") or "")
    if not title:
        title = shorten(plain_text(content), _TITLE_LENGTH) or f"Untitled {export.text(item, 'post_id')}".strip()
        warnings.append(Problem(origin, f"no title; named it '{title}'", warning=True))
    creator = (item.findtext(CREATOR) or "").strip()
    permalink = (item.findtext("link") or "").strip() or None
    aliases, old_site = old_address(permalink, export.home)
    draft = export.text(item, "status") in DRAFTS or bool(export.text(item, "post_password"))
    # A Link-format post without a stored URL links to the first link in its content: recovery takes it, listed.
    kind = LinkFormatPost if any(c.get("nicename") == LINK_FORMAT for c in item.findall("category")) else ImportedPost
    post = kind(
        origin=f"{origin} '{title}'", title=title, date=date, body=body, tags=item_tags(item),
        slug=unquote(export.text(item, "post_name")) or None, link=meta_link(export, item), draft=draft,
        summary=plain_text(item.findtext(export.excerpt) or "") or teaser,
        author=export.authors.get(creator, creator) or None, origin_url=permalink,
        aliases=aliases, old_site=old_site)
    return post, warnings


def old_address(permalink: str | None, home: str | None) -> tuple[tuple[str, ...], str | None]:
    """The post's addresses on the old blog (the path of its permalink from the blog's root, as `aliases:` reads
    it) and the blog's address that path is under; none for a plain permalink (/?p=123), which no static site can
    serve, nor for a path no page can be at."""
    try:
        parts, blog = urlsplit(permalink or ""), urlsplit(home or "")
        hosts = parts.hostname, blog.hostname
    except ValueError:  # not a URL: a bracket never closed, a port that is no number
        return (), None
    if parts.scheme not in ("http", "https") or not hosts[0] or parts.query:
        return (), None
    path, root, site = parts.path or "/", blog.path.rstrip("/"), f"{parts.scheme}://{parts.netloc}/"
    if root and same_host(*hosts) and path.startswith(root + "/"):  # a blog in a folder: /blog/2015/x/ is /2015/x/
        path, site = path.removeprefix(root), home or site
    try:
        return (alias_path(path, "aliases"),), site
    except ValueError:
        return (), None


def item_date(export: Export, item: Element) -> datetime | None:
    """When the post was published, in the blog's own offset (post_date against post_date_gmt)."""
    local, gmt = wp_date(export.text(item, "post_date")), wp_date(export.text(item, "post_date_gmt"))
    if local and gmt:
        offset = local - gmt
        if abs(offset) < timedelta(hours=24) and offset % timedelta(minutes=1) == timedelta(0):
            return local.replace(tzinfo=timezone(offset))
    if gmt:
        return gmt.replace(tzinfo=UTC)
    if local:  # drafts have no GMT date: their time is the site's
        return local.replace(tzinfo=export.options.tz)
    return stamped_date(item.findtext("pubDate") or "")


def wp_date(text: str) -> datetime | None:
    """A WordPress 'YYYY-MM-DD HH:MM:SS' value; None for the '0000-00-00' of unpublished posts."""
    if not text or text == _NO_DATE:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def with_patterns(export: Export, content: str, origin: str) -> tuple[str, list[Problem]]:
    """The content with each synced pattern it places replaced by the pattern's own content from the export; one
    not in the export, inside itself, nested too deep or past the most a post may place or gain is left out, named."""
    warnings: list[Problem] = []
    placed = added = 0

    def expanded_in(text: str, within: tuple[str, ...]) -> str:
        return _PATTERN.sub(lambda found: expanded(pattern_ref(found[1]), within), text)

    def expanded(ref: str, within: tuple[str, ...]) -> str:
        nonlocal placed, added
        if ref not in export.patterns:
            why = "is not in this export"
        elif ref in within:
            why = "is inside itself"
        elif len(within) >= MAX_PATTERN_DEPTH:
            why = f"nests more than {MAX_PATTERN_DEPTH} patterns deep"
        elif placed >= MAX_PATTERNS:  # patterns placing patterns many times over would grow without end
            why = f"is past the {MAX_PATTERNS} patterns a post may place"
        elif added + len(export.patterns[ref]) > MAX_PATTERN_TEXT:
            why = f"is past the {MAX_PATTERN_TEXT:,} characters a post's patterns may add"
        else:
            placed += 1
            added += len(export.patterns[ref])
            return expanded_in(export.patterns[ref], (*within, ref))
        warnings.append(Problem(origin, f"synced pattern (reusable block) {ref} {why}; left out", warning=True))
        return ""

    return expanded_in(content, ()), list(dict.fromkeys(warnings))


def pattern_ref(attributes: str) -> str:
    """The pattern id a wp:block comment's JSON names ("ref"), read as data; '?' when it names none."""
    try:
        found = json.loads(attributes)
    except (ValueError, RecursionError):
        return "?"
    return str(found.get("ref", "?")) if isinstance(found, dict) else "?"


def item_footnotes(export: Export, item: Element, origin: str) -> tuple[dict[str, str], list[Problem]]:
    """The block editor's footnotes (WordPress 6.3+), their HTML by id, from the post's `footnotes` meta: a JSON
    list of {"id", "content"}, read as data; a warning when it cannot be read."""
    text = post_meta(export, item).get("footnotes")
    if not text:
        return {}, []
    try:
        notes = json.loads(text)
    except (ValueError, RecursionError):
        notes = None
    if not isinstance(notes, list) or not all(
            isinstance(note, dict) and isinstance(note.get("id"), str) and isinstance(note.get("content"), str)
            for note in notes):
        return {}, [Problem(origin, "its footnotes (the 'footnotes' postmeta) are not a JSON list of notes; "
                            "left out, their numbers kept in the text", warning=True)]
    return {note["id"]: note["content"] for note in notes}, []


def convert_content(content: str, origin: str, footnotes: dict[str, str] | None = None,
                    ) -> tuple[str, str | None, list[Problem]]:
    """Markdown for the post HTML, its footnotes (HTML by id) as Markdown footnotes, the teaser's text when
    <!--more--> ends one, and warnings: shortcodes kept, HTML kept as it was, footnotes without a mark."""
    expanded, kept = shortcodes.expand(content)
    warnings = [Problem(origin, f"shortcode [{name}] has no Markdown form; kept as text", warning=True)
                for name in dict.fromkeys(kept)]
    labels = {key: str(number) for number, key in enumerate(footnotes or {}, 1)}
    parts = _MORE.split(expanded, maxsplit=1)
    if len(parts) < 3:
        body, kept_html = body_markdown(expanded, origin, line_breaks=True, footnotes=labels)
        teaser = None
    else:
        (start, start_html), (end, end_html) = (body_markdown(part, origin, line_breaks=True, footnotes=labels)
                                                for part in (parts[0], parts[2]))
        # The marker stays in the body (Jekyll and Hugo read it too); the teaser becomes the summary.
        body, kept_html = start.strip() + "\n\n<!--more-->\n\n" + end, list(dict.fromkeys(start_html + end_html))
        teaser = plain_text(parts[0]) or None
    notes, unmarked = footnote_definitions(footnotes or {}, body, origin)
    return body + notes, teaser, warnings + kept_html + unmarked


_FOOTNOTE_MARK = re.compile(r'<sup\b[^>]*\bdata-fn="([^"]*)"')


def footnote_definitions(footnotes: dict[str, str], body: str, origin: str) -> tuple[str, list[Problem]]:
    """The footnotes as Markdown footnote definitions to end the body with, numbered in the export's order as
    WordPress numbers them, each converted as a body is; a warning names one whose mark is not in the body."""
    definitions: list[str] = []
    warnings: list[Problem] = []
    for number, html in enumerate(footnotes.values(), 1):
        text, kept_html = body_markdown(html, origin)
        # A footnote's later lines are indented, so that they stay in it.
        definitions.append(f"[^{number}]: " + re.sub(r"\n(?=.)", "\n    ", text.strip()))
        warnings += kept_html
        if f"[^{number}]" not in body:
            warnings.append(Problem(origin, f"footnote {number} has no mark in the text, so no page shows it: its "
                                    f"text ends the post; put [^{number}] where it belongs", warning=True))
    # A mark whose note the export lacks stays as its HTML, a link to nothing.
    warnings += [Problem(origin, f"footnote mark '{mark}' has no footnote text in the export, so it links nowhere: "
                                 "write its footnote or remove the mark", warning=True)
                 for mark in dict.fromkeys(_FOOTNOTE_MARK.findall(body))]
    return "".join(f"\n{definition}\n" for definition in definitions), warnings


def item_tags(item: Element) -> tuple[str, ...]:
    """Categories and tags by name, in the export's order; "Uncategorized" and post formats left out."""
    names: list[str] = []
    for category in item.findall("category"):
        # WXR 1.0 wrote categories without a domain.
        if category.get("domain") not in (None, "category", "post_tag", "tag"):
            continue
        name = plain_text(category.text or "")
        if name and category.get("nicename") != "uncategorized" and name != "Uncategorized" and name not in names:
            names.append(name)
    return tuple(names)


def meta_link(export: Export, item: Element) -> str | None:
    """The article URL a link-format post or a link-blog plugin stored with the post, if any."""
    return next((url for key, url in post_meta(export, item).items() if key in LINK_META and links_out(url, None)),
                None)


def post_meta(export: Export, item: Element) -> dict[str, str]:
    """The post's meta values by key (the first, for a key given twice)."""
    meta: dict[str, str] = {}
    for entry in item.findall(export.wp + "postmeta"):
        meta.setdefault(export.text(entry, "meta_key"), export.text(entry, "meta_value"))
    return meta

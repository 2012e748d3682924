"""A WordPress export (WXR 1.0-1.2, Tools -> Export) -> ImportedPost records (#16)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from linkblog.importers import shortcodes
from linkblog.importers.attribution import links_out
from linkblog.importers.dates import stamped_date
from linkblog.importers.html import body_markdown, plain_text, title_text
from linkblog.importers.records import Harvest, ImportedPost, ImportOptions
from linkblog.importers.safexml import controls_removed, parse_xml, read_source_file, without_controls
from linkblog.markdown import shorten
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
# Where link-blog plugins and the "link" post format keep the article's URL.
LINK_META = ("_format_link_url", "linked_list_url")
_TITLE_LENGTH = 60
_RSS_START = re.compile(rb"<rss(?=[\s>])")


@dataclass(frozen=True, slots=True)
class Export:
    """What reading each item needs: the file's name, its wp: namespace, authors' names, options."""

    name: str
    wp: str
    excerpt: str
    authors: dict[str, str]
    options: ImportOptions

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
    harvest = Harvest(home=channel.findtext("link") or channel.findtext(export.wp + "base_blog_url"),
                      warnings=controls_removed(source, removed))
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
    return Export(source, wp, excerpt, {k: v for k, v in authors.items() if k and v}, options), None


def read_item(export: Export, item: Element, harvest: Harvest) -> None:
    """Add one item to the harvest: as a post, or counted with the reason it was skipped."""
    harvest.skipped["comment"] += len(item.findall(export.wp + "comment"))
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
    content = item.findtext(CONTENT) or ""
    body, teaser, warnings = convert_content(content, origin)
    # Older WordPress writes the title as escaped text (`&lt;html&gt;` is text), newer as CDATA holding HTML.
    title = title_text(item.findtext("title") or "")
    if not title:
        title = shorten(plain_text(content), _TITLE_LENGTH) or f"Untitled {export.text(item, 'post_id')}".strip()
        warnings.append(Problem(origin, f"no title; named it '{title}'", warning=True))
    creator = (item.findtext(CREATOR) or "").strip()
    draft = export.text(item, "status") in DRAFTS or bool(export.text(item, "post_password"))
    post = ImportedPost(
        origin=f"{origin} '{title}'", title=title, date=date, body=body, tags=item_tags(item),
        slug=unquote(export.text(item, "post_name")) or None, link=meta_link(export, item), draft=draft,
        summary=plain_text(item.findtext(export.excerpt) or "") or teaser,
        author=export.authors.get(creator, creator) or None, origin_url=(item.findtext("link") or "").strip() or None)
    return post, warnings


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


def convert_content(content: str, origin: str) -> tuple[str, str | None, list[Problem]]:
    """Markdown for the post HTML, the teaser's text when <!--more--> ends one, and warnings: shortcodes kept,
    HTML kept as it was."""
    expanded, kept = shortcodes.expand(content)
    warnings = [Problem(origin, f"shortcode [{name}] has no Markdown form; kept as text", warning=True)
                for name in dict.fromkeys(kept)]
    parts = _MORE.split(expanded, maxsplit=1)
    if len(parts) < 3:
        body, kept_html = body_markdown(expanded, origin, line_breaks=True)
        return body, None, warnings + kept_html
    teaser, rest = parts[0], parts[2]
    (start, start_html), (end, end_html) = (body_markdown(part, origin, line_breaks=True) for part in (teaser, rest))
    # The marker stays in the body (Jekyll and Hugo read it too); the teaser becomes the summary.
    body = start.strip() + "\n\n<!--more-->\n\n" + end
    return body, plain_text(teaser) or None, warnings + list(dict.fromkeys(start_html + end_html))


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
    for meta in item.findall(export.wp + "postmeta"):
        if export.text(meta, "meta_key") in LINK_META:
            url = export.text(meta, "meta_value")
            if links_out(url, None):
                return url
    return None

"""Post files -> Parsed records. Pure parsing: reads no files itself, never writes."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import frontmatter
import yaml

from linkblog import markdown
from linkblog.digest import post_digest
from linkblog.model import ALIAS_KEYS, Parsed, Via, alias_paths, author_name
from linkblog.problems import Problem, errors
from linkblog.urls import MAX_SLUG_BYTES, is_safe_slug, slugify, worded_slug
from linkblog.yamlload import CONTROL_CHARACTERS, error_line, error_message, load_mapping, one_line
from linkblog.zones import ZoneError, named_zone

KNOWN_FIELDS = {"title", "date", "tags", "link", "source", "via", "slug", "draft", "summary"}
# Keys kept among a post's extra fields that linkblog reads too, so checked: `relinked: true` (no warning for a link
# posted again), Jekyll's `published: false`, which keeps a post out as `draft: true` does (Hugo's reads it so), and
# `author`, who wrote the post when not the site's author (a guest, or a blog imported from several writers), and
# the post's old addresses, as Hugo (`aliases`) and Jekyll (`redirect_from`) name them.
CHECKED_EXTRA = ("relinked", "published", "author", *ALIAS_KEYS)
# Other tools' keys that read like slips of one of ours and are not: suggesting `published` for Hugo's `publishDate`
# or `unpublished` would break the build or turn the meaning round.
OTHER_TOOLS_FIELDS = {"publishdate", "pubdate", "published_at", "publishedat", "unpublished", "expirydate"}
# Fields whose plain YAML scalars stay text as written: `title: 007` is "007", `tags: [yes]` is "yes"
# (but `tags: 5` is still a number, and an error).
# Read as written, whatever YAML 1.1 would make of them: `title: 1984` is "1984", `link: no` not false.
TEXT_FIELDS = ("title", "source", "via", "slug", "summary", "link", "author")
TEXT_ITEM_FIELDS = ("tags",)
JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
# python-frontmatter defines the fence: a line of three or more dashes.
_FENCE = frontmatter.YAMLHandler.FM_BOUNDARY
# The date forms read from text (YAML reads its own timestamps first): ISO 8601's, extended or basic (20150601T0930,
# 2015-W23-1), with `T`, `t` or any run of spaces and tabs (as in YAML's timestamps) before the time, then an offset,
# an IANA zone name, or both. Checked before fromisoformat, which also takes what no one means as a date
# (`10:15:30:45` as 10:15:30.450, `2015-06-01x09:30`).
_DATE_TEXT = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2}|\d{8}|\d{4}-?W\d{2}(?:-?\d)?)"
    r"(?:(?:[Tt]|[ \t]+)(?P<time>\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?)"
    r"(?:[ \t]*(?P<offset>Z|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:\.\d+)?)?)?))?)?"
    r"(?:[ \t]+(?P<zone>[A-Za-z][\w+\-]*(?:/[\w+\-]+)*))?")
# White space other than a plain space, escaped when a date is quoted: a no-break space shown as a space would
# make a refused date look valid.
_UNSEEN_SPACE = re.compile(r"[^\S ]")
_ALLOWED_SCHEMES = ("http", "https", "mailto")
_SHOWN_LENGTH = 60
_OPENED = {"<!--": "an HTML comment (<!--)", "script": "a <script>", "style": "a <style>", "textarea": "a <textarea>"}
_NOT_IN_URL = re.compile(r'[\s<>"]')
# Browsers drop these from anywhere in a URL before reading it (the WHATWG URL standard): a link pasted
# across two lines is one link.
_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")


class FieldError(ValueError):
    """A front-matter value that cannot be used (also raised by read_url, for a link capture refuses)."""


def parse_post(rel: str, data: bytes, tz: ZoneInfo) -> tuple[Parsed | None, list[Problem]]:
    """Parse one post file's bytes, dated in the site's timezone, or say everything wrong with it."""
    text, problems = decode(rel, data)
    if text is None:
        return None, problems
    meta, body, problems = split_front_matter(rel, text)
    if meta is None:
        return None, problems
    fields, problems = read_fields(rel, meta, tz)
    if errors(problems):
        return None, problems
    rendered = markdown.render(body, markdown.doc_id(rel, fields["slug"]))
    first_line = text.count("\n", 0, len(text) - len(body)) + 1  # the body's, in the file
    problems += [Problem(rel, f"{_OPENED[what]} opened here is never closed, which hides the rest of the post in a "
                              f"browser: closed at the post's end, so that no other post on a page is hidden",
                         first_line + line, warning=True) for line, what in rendered.unclosed]
    return Parsed(path=rel, html=rendered.html, excerpt=rendered.excerpt, digest=post_digest(rel, data), **fields), \
        problems


def decode(rel: str, data: bytes) -> tuple[str | None, list[Problem]]:
    """The file's text with '\\n' line ends, or the line of its first undecodable or forbidden character."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]  # lines end as the text's will: \r\n, \r (an old Mac's) or \n
        line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
        return None, [Problem(rel, f"not valid UTF-8 (byte {data[exc.start]:#04x}); "
                              "save the file as UTF-8", line)]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = CONTROL_CHARACTERS.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        return None, [Problem(rel, f"control character U+{ord(bad.group()):04X} is not allowed "
                              "(binary data, or text pasted from a terminal?)", line)]
    return text, []


def split_front_matter(rel: str, text: str) -> tuple[dict | None, str, list[Problem]]:
    """The front matter as a mapping with line numbers, and the Markdown body."""
    if not text.strip():
        return None, "", [Problem(rel, "empty file: a post needs front matter with a title and date", 1)]
    opening = _FENCE.match(text)
    if opening is None:
        return None, "", [Problem(rel, "no front matter: start the file with a '---' line", 1)]
    closing = _FENCE.search(text, opening.end())
    if closing is None:
        return None, "", [Problem(rel, "front matter opened on line 1 is never closed "
                                  "(add a '---' line after it)", 1)]
    # The fence pattern may swallow blank lines; newlines standing in for them keep YAML's
    # line numbers equal to the file's.
    raw = "\n" * text.count("\n", 0, opening.end()) + text[opening.end():closing.start()]
    try:
        data, lines = load_mapping(raw, TEXT_FIELDS, TEXT_ITEM_FIELDS)
    except yaml.YAMLError as exc:
        return None, "", [Problem(rel, error_message(exc), error_line(exc))]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, "", [Problem(rel, "front matter must be 'key: value' lines", 2)]
    located = {key: (value, lines.get(key, lines.get(str(key)))) for key, value in data.items()}
    return located, text[closing.end():].removeprefix("\n"), []


def misspelt(key: str) -> str | None:
    """The known key an unknown one is most likely a slip of (`tag`, `sorce`), if any; a key of the writer's own
    (`image`) is none."""
    if key in KNOWN_FIELDS or key in CHECKED_EXTRA or key.lower() in OTHER_TOOLS_FIELDS:
        return None
    import difflib  # only a post with a key of its own gets here

    close = difflib.get_close_matches(key.lower(), [*KNOWN_FIELDS, *CHECKED_EXTRA], n=1, cutoff=0.8)
    return close[0] if close and close[0] != key else None


def read_fields(rel: str, meta: dict[str, tuple[Any, int]], tz: ZoneInfo) -> tuple[dict, list[Problem]]:
    """Validated post fields from front matter; every bad field becomes a Problem."""
    stem = PurePosixPath(rel).stem
    jekyll = JEKYLL_NAME.match(stem)
    readers = {
        "title": read_title,
        "date": lambda v: read_date(v, tz),
        "tags": read_tags,
        "link": lambda v: read_url(v, "link"),
        "source": lambda v: read_text(v, "source"),
        "via": read_via,
        "slug": read_slug,
        "draft": lambda v: read_bool(v, "draft"),
        "summary": lambda v: read_text(v, "summary", collapse=False),
    }
    fields: dict[str, Any] = {}
    problems = []
    given = set(meta)
    for key, reader in readers.items():
        if key not in meta:
            continue
        value, line = meta[key]
        if key == "date" and value is None and jekyll:  # `date:` left empty: the file name's, as with no line
            given.discard(key)
            continue
        try:
            fields[key] = reader(value)
        except FieldError as exc:
            problems.append(Problem(rel, str(exc), line))
    fields["extra"] = {str(k): v for k, (v, _) in meta.items() if k not in KNOWN_FIELDS}
    problems += [Problem(rel, f"unknown key '{key}': did you mean '{close}'? (kept in post.extra)", line,
                         warning=True) for key, (_, line) in meta.items() if (close := misspelt(str(key)))]
    for key in CHECKED_EXTRA:
        if key in meta:
            try:
                if key in ALIAS_KEYS:
                    alias_paths({key: meta[key][0]})
                elif key != "author":
                    read_bool(meta[key][0], key)
                elif meta[key][0] is not None and author_name(meta[key][0]) is None:
                    problems.append(Problem(rel, "'author' names no one (write a name, or a mapping with a name): "
                                                 "the site's author is shown", meta[key][1], warning=True))
                else:  # a name a feed must carry: no control character
                    clean_text(author_name(meta[key][0]) or "", key)
            except ValueError as exc:  # a FieldError, or an alias that is no path
                problems.append(Problem(rel, str(exc), meta[key][1]))
    if meta.get("published", (None, 0))[0] is False:
        fields["draft"] = True
    problems += fill_defaults(rel, fields, given, jekyll, tz)
    return fields, problems


def fill_defaults(
    rel: str, fields: dict[str, Any], given: set, jekyll: re.Match | None, tz: ZoneInfo
) -> list[Problem]:
    """Date and slug from a Jekyll-style file name; report the required fields still missing."""
    problems = []
    if "title" not in given:
        problems.append(Problem(rel, "missing required field 'title'", 1))
    if "date" not in given:
        if jekyll:
            try:
                fields["date"] = read_date("-".join(jekyll.groups()[:3]), tz)
            except FieldError as exc:
                problems.append(Problem(rel, f"file name: {exc}"))
        else:
            problems.append(Problem(rel, "missing required field 'date' "
                                    "(or name the file YYYY-MM-DD-slug.md)", 1))
    if fields.get("slug") is None:
        title = fields.get("title", "")
        fields["slug"] = worded_slug(jekyll.group(4)) or worded_slug(title) or slugify(jekyll.group(4)) if jekyll \
            else worded_slug(title) or worded_slug(file_name(rel)) or slugify(title or PurePosixPath(rel).stem)
    return problems


def file_name(rel: str) -> str:
    """What a post file is named: its stem, or its folder's name for a bundle's index.md (as Hugo names it)."""
    path = PurePosixPath(rel)
    return path.parent.name if path.stem == "index" else path.stem


def shown(value: Any, as_written: bool = False) -> str:
    """A value as an error message quotes it: not too long, on one line, its runs of white space one space (or,
    as_written, each kept, any but a plain space escaped, where the spacing may be what is wrong)."""
    text = _UNSEEN_SPACE.sub(lambda m: ascii(m.group())[1:-1], str(value)) if as_written \
        else " ".join(str(value).split())
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


def clean_text(text: str, key: str, collapse: bool = True) -> str:
    """Text without surrounding space (or inner runs of it); refuses characters no feed can carry."""
    bad = CONTROL_CHARACTERS.search(text)
    if bad:
        raise FieldError(f"'{key}' contains control character U+{ord(bad.group()):04X}")
    return one_line(text) if collapse else text.strip()


def read_title(value: Any) -> str:
    if value is None:
        raise FieldError("'title' is empty")
    if isinstance(value, (dict, list)):
        raise FieldError("'title' must be text")
    title = clean_text(str(value), "title")
    if not title:
        raise FieldError("'title' is empty")
    return title


def read_text(value: Any, key: str, collapse: bool = True) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list, bool)):
        raise FieldError(f"'{key}' must be text")
    return clean_text(str(value), key, collapse) or None


def described(value: Any) -> str:
    """A value as an error names it: text quoted, anything else by its kind (`1:30` is YAML's 90, a number)."""
    if isinstance(value, str):
        return f"'{shown(value)}'"
    kinds = ((bool, "a true/false value"), ((int, float), "a number"), (date, "a date"), (list, "a list"),
             (dict, "a mapping"))
    return next((kind for types, kind in kinds if isinstance(value, types)), "that")


def read_bool(value: Any, key: str) -> bool:
    if value is None:
        raise FieldError(f"'{key}' is empty: write true or false")
    if not isinstance(value, bool):
        raise FieldError(f"'{key}' must be true or false, not {described(value)}")
    return value


def read_date(value: Any, tz: ZoneInfo) -> datetime:
    """A datetime in the site's timezone; naive values are in that zone."""
    if value is None:
        raise FieldError("'date' is empty: write a date such as 2015-06-01 09:30")
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        moment = parse_date_text(value.strip(), tz)
    else:
        raise FieldError(f"'date' must be a date such as 2015-06-01 09:30, not {described(value)}")
    moment = moment if moment.tzinfo else moment.replace(tzinfo=tz)
    try:  # Year 1 or 9999 with an offset cannot be shown in UTC or the site's zone.
        # Through UTC: a wall time the zone skips (02:30 as clocks spring forward) is the instant it names.
        return moment.astimezone(UTC).astimezone(tz)
    except OverflowError:
        raise FieldError(f"'date' is out of range: '{shown(value)}'") from None


def parse_date_text(text: str, tz: ZoneInfo) -> datetime:
    """ISO 8601 text, optionally followed by an IANA zone name ('2015-06-01 09:30 Europe/Berlin')."""
    parts = _DATE_TEXT.fullmatch(text)
    if parts is None:
        raise not_a_date(text)
    moment = _iso(parts, text)
    if parts["zone"] is None:
        return moment
    try:
        zone = named_zone(parts["zone"])
    except ZoneError as exc:
        raise FieldError(f"{exc} in 'date'") from None
    return zoned(moment, zone, parts["zone"], parts["offset"])


def _iso(parts: re.Match[str], original: str) -> datetime:
    """The date, time and offset matched, as one datetime (naive without an offset)."""
    offset = parts["offset"]
    stamp = f"{parts['date']}T{parts['time'] or '00:00'}{'+00:00' if offset == 'Z' else offset or ''}"
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:  # a day or hour out of range: 2015-02-30, 25:00
        raise not_a_date(original) from None


def zoned(moment: datetime, zone: ZoneInfo, name: str, offset: str | None) -> datetime:
    """A date written with a zone name, in that zone; an offset written too picks the instant, and must be one the
    zone has at that wall time (+01:00 is the second 02:30 of the night Berlin's clocks turn back)."""
    wall = moment.replace(tzinfo=None)
    if offset is None:
        return wall.replace(tzinfo=zone)
    folds = [wall.replace(tzinfo=zone, fold=fold) for fold in (0, 1)]
    for candidate in folds:
        if candidate.utcoffset() == moment.utcoffset():
            return candidate
    # The offset as isoformat ends with it, after the 19 characters of YYYY-MM-DDTHH:MM:SS.
    zones_offsets = " or ".join(dict.fromkeys(candidate.isoformat(timespec="seconds")[19:] for candidate in folds))
    raise FieldError(f"offset {offset} in 'date' is not {name}'s at that time (it is {zones_offsets})")


def not_a_date(text: str) -> FieldError:
    """The error for date text in none of the forms read, quoted with its spacing as written."""
    return FieldError(f"'date' is not a valid date: '{shown(text, as_written=True)}' "
                      "(use YYYY-MM-DD or YYYY-MM-DD HH:MM, optionally with an offset)")


def read_tags(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list):
        items = value
    elif value is None:
        return ()
    else:
        raise FieldError(f"'tags' must be a list or a comma-separated string, not {described(value)}")
    tags = []
    for item in items:
        if isinstance(item, (dict, list)):
            raise FieldError("'tags' must hold plain names, not nested lists or mappings")
        name = clean_text(str(item), "tags") if item is not None else ""
        if name and name not in tags:
            tags.append(name)
    return tuple(tags)


def read_url(value: Any, key: str) -> str | None:
    """A link a reader may follow: http(s) or mailto only, so no script can ride in."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(f"'{key}' must be a URL, not '{shown(value)}'")
    url = pasted_url(value)
    refusal = FieldError(f"'{key}' must be an http(s) or mailto URL, not '{shown(url)}'")
    try:
        parts = urlsplit(url)
    except ValueError:  # such as an unclosed IPv6 bracket: http://[oops
        raise refusal from None
    scheme = parts.scheme.lower()
    if scheme not in _ALLOWED_SCHEMES or (scheme != "mailto" and not parts.netloc) or CONTROL_CHARACTERS.search(url):
        raise refusal
    try:
        parts.port  # noqa: B018 - read for the ValueError it raises
    except ValueError:  # a typo such as :8O80, or :99999: no browser or server can use it
        raise FieldError(f"'{key}' has a port that is not a number from 0 to 65535: '{shown(url)}'") from None
    # A URL holds no white space, angle bracket or double quote: written as a browser shows it, they are
    # percent-encoded, as a browser sends them (feeds' link fields and <link href> need the URL).
    return _NOT_IN_URL.sub(lambda m: "".join(f"%{byte:02X}" for byte in m.group().encode()), url)


def pasted_url(text: str) -> str:
    """A URL as a browser reads it typed or pasted: no white space around it, no tab or line break in it."""
    return text.strip().translate(_TAB_OR_NEWLINE)


def read_via(value: Any) -> Via | None:
    if value is None:
        return None
    if isinstance(value, dict):
        name = read_text(value.get("name"), "via.name")
        if set(value) - {"name", "url"} or not name:
            raise FieldError("'via' must be a name or {name: ..., url: ...}")
        return Via(name, read_url(value.get("url"), "via.url"))
    name = read_text(value, "via")
    return Via(name) if name else None


def read_slug(value: Any) -> str | None:
    if value is None:  # `slug:` with nothing after it: the default, as if the line were not there
        return None
    # As the letters are typed, whatever the editor or file system composes: é is one character, not e and an accent.
    slug = unicodedata.normalize("NFC", str(value).strip())
    if not is_safe_slug(slug):
        raise FieldError(f"'slug' must be one path segment of letters, digits, '-', '_' or '.', "
                         f"not '{shown(slug)}'")
    if slug.lower() == "index.html":  # a folder named as the file of the page above it
        raise FieldError("'slug' cannot be index.html, the name of every page's own file")
    # The cap slugify gives default slugs, so a folder name always fits the file system.
    if len(slug.encode("utf-8")) > MAX_SLUG_BYTES:
        raise FieldError(f"'slug' is longer than {MAX_SLUG_BYTES} bytes: '{shown(slug)}'")
    return slug

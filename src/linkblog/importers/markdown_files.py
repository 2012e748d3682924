"""Jekyll and Hugo folders: Markdown posts with YAML (---), TOML (+++) or JSON front matter ->
ImportedPost records, bodies kept as written (#16)."""

from __future__ import annotations

import itertools
import json
import re
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from linkblog.content import JEKYLL_NAME, TEXT_FIELDS, decode, parse_date_text, read_date
from linkblog.importers.attribution import links_out
from linkblog.importers.dates import iso_offset
from linkblog.importers.html import body_markdown
from linkblog.importers.records import Harvest, ImportedPost, ImportOptions
from linkblog.importers.writer import clean, written_path
from linkblog.model import ALIAS_KEYS, Via, alias_path
from linkblog.problems import Problem
from linkblog.scan import scan
from linkblog.yamlload import MAX_DEPTH, error_line, error_message, load_mapping

MARKDOWN = {".md", ".markdown", ".mkdown", ".mkdn", ".mkd", ".mdown"}  # Jekyll's markdown_ext, and Hugo's
HTML_POSTS = {".html", ".htm"}  # what jekyll-import and hand-written old posts often are: converted to Markdown
OTHER_CONTENT = {".html", ".htm", ".textile", ".org", ".adoc", ".rst", ".pandoc"}
CONTENT = MARKDOWN | OTHER_CONTENT
_YAML = re.compile(r"---[ \t]*\n(.*?\n)??(?:---|\.\.\.)[ \t]*(?:\n|$)", re.DOTALL)
_TOML = re.compile(r"\+\+\+[ \t]*\n(.*?\n)??\+\+\+[ \t]*(?:\n|$)", re.DOTALL)
_TOML_LINE = re.compile(r"at line (\d+)")
# A top-level key as a line of TOML starts (bare or quoted), and as JSON writes one; each found checked by a parser.
_TOML_KEY = re.compile(r"""[ \t]*(?:([A-Za-z0-9_-]+)|"([^"\\\n]*)"|'([^'\n]*)')[ \t]*=""")
_JSON_KEY = re.compile(r'"((?:[^"\\\n]|\\.)*)"\s*:')
_KEYS_CHECKED = 200  # a JSON key is checked by reading the text before it again: real front matter has a dozen
_PROBE = "linkblog-probe"  # a key added after a start of TOML: where it lands tells which table that start ends in
_TOML_TRIES = 200  # lines of front matter read again, each start of them, to find what a TOML error never closed
# A tag may span lines (`{{< figure` then its parameters), but never a blank line, nor another tag's opening: a
# `{%` never closed is text, not the start of a tag that swallows the next one.
_WITHIN_TAG = r"(?:(?!\{[{%]|\n[ \t]*\n).)*?"
TEMPLATE_TAGS = {"jekyll": (re.compile(rf"\{{%{_WITHIN_TAG}%\}}|\{{\{{{_WITHIN_TAG}\}}\}}", re.DOTALL), "Liquid tag"),
                 "hugo": (re.compile(rf"\{{\{{[<%]{_WITHIN_TAG}[%>]\}}\}}", re.DOTALL), "Hugo shortcode")}
# Jekyll's `published` is a flag (published: false); Hugo's is a date.
DATE_KEYS = {"jekyll": ("date",), "hugo": ("date", "publishdate", "pubdate", "published")}  # Hugo's lower-cased
_IGNORED_FOLDERS = {"_site", "vendor", "node_modules"}  # build output and dependencies, wherever they are
# Where Hugo reads its config, in its order: hugo.* before config.*, the root before config/_default/.
HUGO_CONFIGS = tuple(f"{folder}{name}.{form}" for folder in ("", "config/_default/") for name in ("hugo", "config")
                     for form in ("toml", "yaml", "yml", "json"))
# Hugo's output folders: only at the site's root, since content/resources/ or a Jekyll resources/_posts/ holds posts.
HUGO_OUTPUT = frozenset({"public", "resources"})

# A language code as Hugo names a translation: index.en.md, index.pt-br.md.
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})?", re.IGNORECASE)

# Jekyll's permalink styles (its `permalink:` setting), as the patterns they stand for; `date` is the default.
JEKYLL_STYLES = {"date": "/:categories/:year/:month/:day/:title:output_ext",
                 "pretty": "/:categories/:year/:month/:day/:title/",
                 "ordinal": "/:categories/:year/:y_day/:title:output_ext",
                 "none": "/:categories/:title:output_ext"}
# Front matter defaults (_config.yml `defaults:`) setting one of these may change a post's address.
_JEKYLL_URL_KEYS = {"permalink", "categories", "category", "slug", "date"}
_JEKYLL_PLACEHOLDER = re.compile(r":(\w+)")
_PRETTY_KEPT = frozenset("._~!$&'()+,;=@")  # what Jekyll's :title keeps besides letters, marks and digits
_HUGO_PLACEHOLDER = re.compile(r":(\w+)(?:\[.+?\])?")
_HUGO_LITERAL = re.compile(r"[a-z0-9/._-]*")  # a pattern's own text that Hugo's sanitizing leaves as it is
_HUGO_UNSURE = frozenset("#+~%\\")  # characters Hugo versions have put in paths differently
# Hugo settings that change every page's address in ways not followed here.
_HUGO_URL_SETTINGS = ("uglyurls", "removepathaccents", "languages", "frontmatter", "contentdir")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True, slots=True)
class OldSite:
    """What the addresses of the old site's posts depend on: its address, and its settings; a setting is None
    where linkblog cannot be sure of the addresses it gave."""

    url: str | None = None
    pattern: str | None = None  # Jekyll: the pattern of its posts' addresses
    zone: ZoneInfo | None = None  # Jekyll: its own `timezone`, of its dates written without an offset
    sections: dict[str, str | None] | None = None  # Hugo: `[permalinks]` patterns by section
    content: Path | None = None  # Hugo: its content/ folder, which a page's address starts from
    lower: bool = True  # Hugo: paths in lower case (no `disablePathToLower`)


@dataclass(frozen=True, slots=True)
class Folder:
    """A Jekyll or Hugo site being read: its kind, the zone of its naive dates, and the options."""

    kind: str
    tz: ZoneInfo
    options: ImportOptions
    languages: frozenset[str] = frozenset()  # a multilingual Hugo site's: my-post.en.md is my-post in English
    root: Path | None = None  # a Jekyll site's folder: news/_posts/ gives its posts the category news
    old: OldSite = field(default_factory=OldSite)


@dataclass(frozen=True, slots=True)
class Listing:
    """The files an import reads, each with whether it is a Jekyll draft, and those it cannot read, with why."""

    files: list[tuple[Path, bool]]
    unusable: list[tuple[Path, str]]


KeyLines = Callable[[], dict[str, int]]


@dataclass(frozen=True, slots=True)
class Document:
    """A post file split: front matter, the body, the body's first line, and where it came from."""

    name: str
    path: Path
    meta: dict[str, Any]
    body: str
    body_line: int
    in_drafts: bool
    # The line of each top-level front-matter key, as written: found when a problem names one, since TOML's and
    # JSON's are found by reading the front matter again.
    lines: KeyLines = dict


def read_jekyll(source: str, options: ImportOptions) -> tuple[Harvest | None, list[Problem]]:
    """Every post under _posts/ (and _drafts/ with --drafts) of a Jekyll site."""
    root = Path(source)
    if not root.is_dir():
        return None, [Problem(source, "not a folder; give the Jekyll site's folder")]
    settings, warnings = site_settings(source, [root / "_config.yml", root / "_config.yaml"])
    home = joined_url(settings.get("url"), settings.get("baseurl"))
    old = OldSite(home, jekyll_pattern(settings), own_zone(settings.get("timezone")))
    return read_folder(Folder("jekyll", zone(settings.get("timezone"), options), options, root=root, old=old),
                       jekyll_listing(root), home, warnings)


def jekyll_listing(root: Path) -> Listing:
    """Every file of every _posts/ folder (category folders' too) and of _drafts/; with no _posts/ at all, every
    post file of the site. Drafts are listed even without --drafts, to be named as left out."""
    files, unusable = site_files(root)
    has_posts = (root / "_posts").is_dir() or any("_posts" in p.relative_to(root).parts[:-1] for p in files)

    def draft(path: Path) -> bool:
        return path.relative_to(root).parts[:1] == ("_drafts",)

    def read(path: Path, unreadable: bool = False) -> bool:
        if draft(path) or "_posts" in path.relative_to(root).parts[:-1]:
            return True
        return not has_posts and is_content(path, unreadable)

    return Listing([(path, draft(path)) for path in files if read(path)],
                   [(path, why) for path, why in unusable if read(path, unreadable=True)])


def read_hugo(source: str, options: ImportOptions) -> tuple[Harvest | None, list[Problem]]:
    """Every dated page under content/ of a Hugo site; section lists (_index.md) are not posts."""
    root = Path(source)
    if not root.is_dir():
        return None, [Problem(source, "not a folder; give the Hugo site's folder")]
    settings, warnings = site_settings(source, [root / name for name in HUGO_CONFIGS])
    settings = lowered(settings)  # Hugo reads its config keys in any case: baseurl, timezone
    content = root / "content" if (root / "content").is_dir() else root
    files, unusable = site_files(content, HUGO_OUTPUT if content == root else frozenset())
    if content == root:  # a site's own folder, whose templates, images and notes are no one's posts
        files, unusable = [p for p in files if is_content(p)], [(p, w) for p, w in unusable if is_content(p, True)]
    languages = settings.get("languages")
    base = settings.get("baseurl")
    old = OldSite(base if isinstance(base, str) else None, sections=hugo_patterns(settings),
                  content=content if content != root else None, lower=not settings.get("disablepathtolower"))
    folder = Folder("hugo", zone(settings.get("timezone"), options), options,
                    frozenset(str(name).lower() for name in languages) if isinstance(languages, dict) else frozenset(),
                    old=old)
    return read_folder(folder, Listing([(path, False) for path in files], unusable), settings.get("baseurl"),
                       warnings)


def read_folder(folder: Folder, listing: Listing, home: Any,
                warnings: list[Problem]) -> tuple[Harvest | None, list[Problem]]:
    """The posts of every file; any file whose front matter cannot be read stops the import, all of them named."""
    harvest = Harvest(home=home if isinstance(home, str) else None, warnings=warnings)
    for path, why in listing.unusable:
        harvest.skip(why, str(path))
    errors: list[Problem] = []
    # A page bundle's other files are named by its own warning (bundle_files), not again as no Markdown.
    bundles = {path.parent for path, _ in listing.files if path.suffix.lower() in MARKDOWN
               and content_stem(folder, path) == "index"}
    for path, in_drafts in listing.files:
        name = str(path)
        reason = unread_reason(folder, path, in_drafts)
        if reason and not (path.parent in bundles and path.suffix.lower() not in MARKDOWN | HTML_POSTS):
            harvest.skip(reason, name)
        if reason:
            continue
        document, problems = split_document(name, path, in_drafts)
        errors += problems
        if document is not None:
            add_document(folder, document, harvest, errors)
    return (None, errors) if errors else (harvest, [])


def unread_reason(folder: Folder, path: Path, in_drafts: bool) -> str | None:
    """Why a file is left out unread: not Markdown, a Hugo section list, a draft without --drafts (whose front
    matter, unread, cannot stop an import that does not want it)."""
    if path.suffix.lower() not in MARKDOWN | HTML_POSTS:
        return f"not Markdown ({path.suffix.lower() or 'no suffix'})"
    if path.name == "_index.md":
        return "section list page (_index.md)"
    if in_drafts and not folder.options.drafts:
        return "draft (use --drafts)"
    return None


def add_document(folder: Folder, document: Document, harvest: Harvest, errors: list[Problem]) -> None:
    """Add one file's post to the harvest, or count why it is skipped, or note its error."""
    post, reason, problems = document_post(folder, document)
    if any(not p.warning for p in problems):
        errors += problems
        return
    harvest.warnings += problems
    if reason:
        harvest.skip(reason, document.name)
    elif post is not None:
        harvest.posts.append(post)
        harvest.warnings += template_tags(folder.kind, document)
        harvest.warnings += bundle_files(folder, document)


def site_files(folder: Path, output: frozenset[str] = frozenset()) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files under a folder, in a stable order, and what there cannot be read (a link to nothing) with why.
    Links to folders are followed, as a build follows them in posts/, but never back up into a folder they are
    in. Hidden files and folders, editors' backups, build output and dependencies, and the `output` folders at the
    top hold no posts, as Jekyll and Hugo ignore them too."""
    left: list[tuple[str, str]] = []
    found = [Path(file.path) for file in scan(folder, "", (".",), left)]
    unusable = [(folder / rel, why) for rel, why in left]

    def wanted(path: Path) -> bool:
        parts = path.relative_to(folder).parts
        return not (parts[:1] and parts[0] in output) and not any(part in _IGNORED_FOLDERS for part in parts)

    return [p for p in found if wanted(p)], [(p, why) for p, why in unusable if wanted(p)]


def is_content(path: Path, unreadable: bool = False) -> bool:
    """True for a file named as a post is; for one that cannot be read, also for a name without a suffix, which
    may have been a folder of posts."""
    return path.suffix.lower() in (CONTENT | {""} if unreadable else CONTENT)


def split_document(name: str, path: Path, in_drafts: bool) -> tuple[Document | None, list[Problem]]:
    """A file's front matter and body, or the line its front matter breaks on. Control characters are removed first,
    as the other importers remove them: a build would refuse them, and YAML too."""
    try:
        data = path.read_bytes()
    except OSError as exc:  # no permission to read it, or gone since the folder was listed
        return None, [Problem(name, f"cannot be read ({exc.strerror or exc})")]
    text, problems = decode(name, without_controls(data))
    if text is None:
        return None, problems
    meta, end, problem, lines = front_matter(name, text)
    if meta is None:
        return None, [problem] if problem else []
    body_line = text.count("\n", 0, end) + 1
    return Document(name, path, meta, text[end:].lstrip("\n"), body_line, in_drafts, lines), []


def without_controls(data: bytes) -> bytes:
    """The bytes without control characters; bytes that are not UTF-8 kept as they are, for decode() to name."""
    return clean(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")


def front_matter(name: str, text: str) -> tuple[dict[str, Any] | None, int, Problem | None, KeyLines]:
    """The front matter as a mapping, where the body starts, and what gives the line of each key; no front matter
    is an empty mapping."""
    lines: KeyLines = dict
    try:
        if (found := _YAML.match(text)) is not None:
            # A newline for the fence keeps the parsers' line numbers equal to the file's.
            data, read = load_mapping("\n" + (found[1] or ""), TEXT_FIELDS, ("tags", "categories"))
            lines = partial(dict, read)
            data = {} if data is None else data  # `---` then `---`: Jekyll's post named by its file alone
        elif (found := _TOML.match(text)) is not None:
            data = tomllib.loads("\n" + (found[1] or ""))
            lines = partial(toml_key_lines, found[1] or "")
        elif text.startswith("{"):
            data, end = json.JSONDecoder().raw_decode(text)
            return (data, end, None, partial(json_key_lines, text[:end])) if isinstance(data, dict) else (
                None, 0, Problem(name, "front matter must be a JSON object", 1), dict)
        else:
            return {}, 0, None, dict
    except yaml.YAMLError as exc:
        return None, 0, Problem(name, error_message(exc), error_line(exc)), dict
    except tomllib.TOMLDecodeError as exc:
        return None, 0, Problem(name, f"invalid TOML: {str(exc).split(' (at')[0]}",
                                toml_error_line(exc, found[1] or "")), dict
    except json.JSONDecodeError as exc:
        return None, 0, Problem(name, f"invalid JSON: {exc.msg}", exc.lineno), dict
    except RecursionError:  # TOML and JSON parsers recurse once per level; YAML's depth is checked before
        return None, 0, Problem(name, f"front matter nested more than {MAX_DEPTH} levels deep", 1), dict
    if not isinstance(data, dict):
        return None, 0, Problem(name, "front matter must be 'key: value' lines", 2), dict
    return data, found.end(), None, lines


def toml_error_line(exc: tomllib.TOMLDecodeError, block: str) -> int:
    """The file's line a TOML error is on: where tomllib says; at the end of the block (an array, table or string
    never closed), the line after the longest start of it that reads, which opens what is never closed."""
    line = _TOML_LINE.search(str(exc))
    if line:
        return int(line[1])
    lines = block.splitlines(keepends=True)
    fence = len(lines) + 2  # the closing +++, below the opening one and the block
    if len(lines) > _TOML_TRIES:
        return fence
    return next((known + 2 for known in range(len(lines) - 1, -1, -1) if reads_as_toml("".join(lines[:known]))),
                fence)


def toml_key_lines(block: str) -> dict[str, int]:
    """The file's line of each top-level key of a TOML block (the block starts on line 2): a line that starts as a
    key does, where the lines above it end in the top-level table, so never inside a string or another table."""
    lines = block.splitlines(keepends=True)
    found: dict[str, int] = {}
    for number, line in enumerate(lines[:_TOML_TRIES]):
        match = _TOML_KEY.match(line)
        key = next((part for part in match.groups() if part is not None), None) if match else None
        if key is not None and key not in found and in_top_table("".join(lines[:number])):
            found[key] = number + 2
    return found


def in_top_table(text: str) -> bool:
    """True when a key written after this TOML would be a top-level key: the text reads, and ends in no table."""
    try:
        return _PROBE in tomllib.loads(f"{text}\n{_PROBE} = 0\n")
    except tomllib.TOMLDecodeError:
        return False


def json_key_lines(text: str) -> dict[str, int]:
    """The line of each top-level key of a JSON object: a key where the text before it, closed, is an object."""
    found: dict[str, int] = {}
    for match in itertools.islice(_JSON_KEY.finditer(text), _KEYS_CHECKED):
        before = text[:match.start()].rstrip().removesuffix(",")
        try:
            key, closed = json.loads(f'"{match[1]}"'), json.loads(before + "}")
        except (json.JSONDecodeError, RecursionError):  # inside a string or a nested value
            continue
        if isinstance(closed, dict) and key not in closed and key not in found:
            found[key] = text.count("\n", 0, match.start()) + 1
    return found


def reads_as_toml(text: str) -> bool:
    """True when the text is a TOML document."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    return True


def document_post(folder: Folder, doc: Document) -> tuple[ImportedPost | None, str | None, list[Problem]]:
    """The post a file holds, or why it is skipped (a page without a date, a draft), or its problems."""
    if folder.kind == "hugo":  # Hugo reads front-matter keys in any case: Title, Date, publishDate
        doc = replace(doc, meta=lowered(doc.meta))
    meta = doc.meta
    stem = doc.path.parent.name if is_bundle(folder, doc) else content_stem(folder, doc.path)
    named = JEKYLL_NAME.match(stem)
    date, problem = post_date(folder, doc, named)
    if problem:
        return None, None, [problem]
    if date is None:
        return None, "no date (a page?)", []
    # Hugo takes `draft: "true"` for true as well.
    draft = meta.get("draft") is True or (folder.kind == "hugo" and str(meta.get("draft")).strip().lower() == "true") \
        or meta.get("published") is False or doc.in_drafts
    if draft and not folder.options.drafts:
        return None, "draft (use --drafts)", []
    slug = text_value(meta.get("slug")) or (named[4] if named else stem)
    written = next(((k, u) for k in ("link", "external_url") if isinstance(u := meta.get(k), str) and u.strip()),
                   None)
    link = written[1] if written and is_linkable(written[1]) else None
    left_out = [not_linkable(doc, *written)] if written and link is None else []
    (source, author, via), more = people(doc)
    body, kept_html = body_markdown(doc.body, doc.name) if doc.path.suffix.lower() in HTML_POSTS else (doc.body, [])
    aliases, unkept = old_addresses(folder, doc, named, date, draft)
    post = ImportedPost(
        origin=doc.name, title=text_value(meta.get("title")) or slug.replace("-", " ").title(), date=date, body=body,
        tags=tuple(dict.fromkeys(post_tags(meta) + folder_categories(folder, doc.path))), slug=slug,
        link=link, source=source, via=via, draft=draft, author=author,
        summary=next((s for k in ("summary", "excerpt", "description") if (s := text_value(meta.get(k)))), None),
        aliases=aliases, old_site=folder.old.url)
    return post, None, left_out + more + kept_html + unkept


def old_addresses(folder: Folder, doc: Document, named: re.Match | None, date: datetime,
                  draft: bool) -> tuple[tuple[str, ...], list[Problem]]:
    """The post's addresses on the old site, as paths: its `aliases` and `redirect_from`, and its own, which its
    `permalink` (Jekyll) or `url` (Hugo) gives, else the site's settings; a warning for each written one left out."""
    paths, warnings = written_aliases(doc)
    key = "permalink" if folder.kind == "jekyll" else "url"
    if doc.meta.get(key) not in (None, ""):
        own, why = given_address(folder, doc, key, named, date)
        if why:
            warnings.append(Problem(doc.name, f"old address left out: '{key}': {why}", key_line(doc, key),
                                    warning=True))
    elif draft:  # never published, so it had no address of its own
        own = None
    else:
        own = jekyll_address(folder, doc, named, date, folder.old.pattern) if folder.kind == "jekyll" else \
            hugo_address(folder, doc, date)
        own = checked_path(own) if own else None
    return tuple(dict.fromkeys([*paths, *([own] if own else [])])), warnings


def written_aliases(doc: Document) -> tuple[list[str], list[Problem]]:
    """The paths `aliases` and `redirect_from` give (a path or a list), and a warning for each that is none."""
    paths: list[str] = []
    warnings: list[Problem] = []
    for key in ALIAS_KEYS:
        value = doc.meta.get(key)
        for alias in [] if value is None else value if isinstance(value, list) else [value]:
            try:
                paths.append(alias_path(alias, key))
            except ValueError as exc:
                warnings.append(Problem(doc.name, f"old address left out: {exc}", key_line(doc, key), warning=True))
    return paths, warnings


def given_address(folder: Folder, doc: Document, key: str, named: re.Match | None,
                  date: datetime) -> tuple[str | None, str | None]:
    """The path a Jekyll `permalink` or a Hugo `url` gives the post, or why it gives none linkblog can be sure of."""
    value = doc.meta[key]
    if not isinstance(value, str):
        return None, f"{value!r} is no path"
    given = value.strip()
    if _SCHEME.match(given):  # a URL, which alias_path names as no path of the site
        path: str | None = given
    elif folder.kind == "jekyll":
        path = jekyll_address(folder, doc, named, date, given) if _JEKYLL_PLACEHOLDER.search(given) else \
            jekyll_path(given)
    else:  # Hugo takes a url without a leading / from the site's root too
        path = None if _HUGO_PLACEHOLDER.search(given) else given if given.startswith("/") else "/" + given
    if path is None:
        return None, f"{given} is a pattern linkblog cannot work out the post's address from"
    try:
        return alias_path(path, key), None
    except ValueError as exc:
        return None, str(exc).removeprefix(f"'{key}': ")


def checked_path(path: str) -> str | None:
    """The path as an old address, as `aliases:` reads it (/old is /old/); None when no page can be there."""
    try:
        return alias_path(written_path(path), "aliases")
    except ValueError:
        return None


def own_zone(name: Any) -> ZoneInfo | None:
    """The zone a site's `timezone` names, None when it names none."""
    try:
        return ZoneInfo(name) if isinstance(name, str) and name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def jekyll_pattern(settings: dict[str, Any]) -> str | None:
    """The pattern Jekyll gave its posts' addresses by (`permalink:`, a style's name or a pattern); None when
    other settings may change them (front matter defaults, the posts collection's own, `collections_dir`)."""
    collections = settings.get("collections")
    posts = collections.get("posts") if isinstance(collections, dict) else None
    defaults = settings.get("defaults")
    if settings.get("collections_dir") or (isinstance(posts, dict) and "permalink" in posts) or \
            (defaults is not None and not plain_defaults(defaults)):
        return None
    value = settings.get("permalink", "date")
    if not isinstance(value, str) or not value.strip():
        return None
    value = JEKYLL_STYLES.get(value.strip(), value.strip())
    return value if "/" in value or ":" in value else None  # a style linkblog does not know (weekdate)


def plain_defaults(defaults: Any) -> bool:
    """True for front matter defaults that set nothing a post's address is made of."""
    return isinstance(defaults, list) and all(
        isinstance(entry, dict) and isinstance(entry.get("values", {}), dict)
        and not _JEKYLL_URL_KEYS & set(entry.get("values", {})) for entry in defaults)


def jekyll_address(folder: Folder, doc: Document, named: re.Match | None, date: datetime,
                   pattern: str | None) -> str | None:
    """The path Jekyll wrote a post at by a pattern (/:year/:month/:day/:title.html); None when linkblog cannot be
    sure of it (no such post, a placeholder it does not know)."""
    if pattern is None or named is None or folder.root is None:
        return None
    values = jekyll_values(folder, doc, named, date)
    used = [values.get(name) for name in _JEKYLL_PLACEHOLDER.findall(pattern)]
    if any(value is None or ":" in value for value in used):  # (Jekyll fills them one after the other)
        return None
    return jekyll_path(_JEKYLL_PLACEHOLDER.sub(lambda found: values[found[1]] or "", pattern))


def jekyll_values(folder: Folder, doc: Document, named: re.Match, date: datetime) -> dict[str, str | None]:
    """What Jekyll fills a pattern's placeholders with for this post; None for one linkblog cannot be sure of."""
    given = doc.meta.get("slug")
    slug = given if isinstance(given, str) else named[4] if given is None else None
    day = jekyll_day(folder, doc, date)
    dated = {} if day is None else {
        "year": f"{day.year:04d}", "month": f"{day.month:02d}", "day": f"{day.day:02d}", "i_month": str(day.month),
        "i_day": str(day.day), "short_year": f"{day.year % 100:02d}", "y_day": f"{day.timetuple().tm_yday:03d}"}
    title, lowered_slug = (jekyll_slug(slug, pretty=True), jekyll_slug(slug, pretty=False)) if slug else (None, None)
    return {**dated, "title": title, "slug": lowered_slug.lower() if lowered_slug else None,
            "categories": jekyll_categories(folder, doc), "output_ext": ".html"}


def jekyll_day(folder: Folder, doc: Document, date: datetime) -> date | None:
    """The day of a post's address in Jekyll: the day written, but that a date and time YAML reads without an
    offset (2016-03-01 23:30:00) are UTC to Jekyll, shown in its `timezone`: None unless the site has one and that
    gives the same day."""
    value = doc.meta.get("date")
    if not isinstance(value, datetime) or value.tzinfo is not None:  # text, a day, an offset, the file name's day
        return date.date()
    zone = folder.old.zone
    return value.date() if zone and value.replace(tzinfo=UTC).astimezone(zone).date() == value.date() else None


def jekyll_slug(text: str, pretty: bool) -> str | None:
    """Jekyll's slugify: each run of characters but letters, marks and digits (and, `pretty`, ._~!$&'()+,;=@)
    one hyphen, none at either end, case kept; None when nothing is left."""
    slug = ""
    for char in text:
        category = unicodedata.category(char)
        kept = category[0] in "LM" or category == "Nd" or (pretty and char in _PRETTY_KEPT)
        slug += char if kept else "" if slug.endswith("-") else "-"
    return slug.strip("-") or None


def jekyll_categories(folder: Folder, doc: Document) -> str | None:
    """Jekyll's :categories: the front matter's, then the folders' above _posts/ (news/_posts/), then `category`,
    in lower case, each once, joined by /; None where Jekyll versions differ (a _posts/ in a _posts/)."""
    if folder.root is None or not doc.path.is_relative_to(folder.root):
        return None
    parts = doc.path.relative_to(folder.root).parts[:-1]
    written, single = doc.meta.get("categories"), doc.meta.get("category")
    if parts.count("_posts") != 1 or not (single is None or plain_name(single)):
        return None
    if isinstance(written, str):
        names = written.split()
    elif isinstance(written, list) and all(plain_name(item) for item in written):
        names = [str(item) for item in written]
    elif written is None:
        names = []
    else:
        return None
    names += [part for part in parts[:parts.index("_posts")] if part not in names]
    names += [str(single)] if single is not None else []
    return "/".join(dict.fromkeys(name.lower() for name in names))


def plain_name(value: Any) -> bool:
    """True for a category Jekyll writes as Python does: text or a whole number."""
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def jekyll_path(url: str) -> str | None:
    """A Jekyll URL as Jekyll cleans it (one /, a leading one) and as the file it wrote it to: one ending in
    neither / nor .html is that and .html (/2015/x is 2015/x.html); None where Jekyll versions clean it
    differently (.. or ./ in it)."""
    if ".." in url or "./" in url:
        return None
    path = "/" + "/".join(part for part in url.split("/") if part)
    if url.endswith("/") and path != "/":
        return path + "/"
    return path if path.endswith((".html", "/")) else path + ".html"


def hugo_patterns(settings: dict[str, Any]) -> dict[str, str | None] | None:
    """The `[permalinks]` patterns of a Hugo site's regular pages, by section (in lower case; None for a section
    given two); None for settings whose addresses linkblog does not follow (ugly URLs, languages...)."""
    given = settings.get("permalinks")
    if any(settings.get(key) for key in _HUGO_URL_SETTINGS) or not isinstance(given, dict | None):
        return None
    found: dict[str, str | None] = {}
    for key, value in (given or {}).items():
        if isinstance(value, str):
            pairs = [(key, value)]
        elif key == "page" and isinstance(value, dict) and all(isinstance(each, str) for each in value.values()):
            pairs = list(value.items())
        elif key in ("section", "taxonomy", "term") and isinstance(value, dict):
            continue
        else:
            return None
        for section, pattern in pairs:
            name = str(section).strip(" /").lower()
            found[name] = None if name in found else pattern
    return found


def hugo_address(folder: Folder, doc: Document, date: datetime) -> str | None:
    """The path a Hugo page was at: its section's `[permalinks]` pattern, else its folder and its slug or file name
    (content/posts/x.md is /posts/x/); None when linkblog cannot be sure of it."""
    old = folder.old
    if old.sections is None or old.content is None or not doc.path.is_relative_to(old.content):
        return None
    parts = doc.path.relative_to(old.content).parts
    bundle = is_bundle(folder, doc)
    folders, name = (parts[:-2], parts[-2]) if bundle else (parts[:-1], content_stem(folder, doc.path))
    slug = text_value(doc.meta.get("slug")) if isinstance(doc.meta.get("slug"), (str, int)) else None
    section = folders[0].lower() if folders else ""
    if "." in name or section in old.sections and old.sections[section] is None:  # (a language, a format?)
        return None
    if section not in old.sections:
        return hugo_urlized("/" + "/".join((*folders, slug or name)) + "/", old.lower)
    dated = any(doc.meta.get(key) not in (None, "") for key in DATE_KEYS["hugo"])  # else Hugo's was another
    title = doc.meta.get("title") if isinstance(doc.meta.get("title"), str) else None
    values = {"year": str(date.year), "month": f"{date.month:02d}", "day": f"{date.day:02d}"} if dated else {}
    values |= {"slug": hugo_urlized(slug or title or "", old.lower), "title": hugo_urlized(title or "", old.lower),
               "filename": hugo_urlized(name, old.lower), "section": hugo_urlized(folders[0], old.lower)
               if folders else None}
    return hugo_expanded(old.sections[section] or "", values)


def hugo_expanded(pattern: str, values: dict[str, str | None]) -> str | None:
    """A `[permalinks]` pattern filled in: None for one ending in no / (versions differ), with its own text not as
    Hugo leaves it, or a placeholder linkblog does not know or has no value for."""
    pattern = pattern.strip()
    if not pattern.endswith("/") or not _HUGO_LITERAL.fullmatch(_HUGO_PLACEHOLDER.sub("", pattern)) or \
            not all(values.get(found[1]) for found in _HUGO_PLACEHOLDER.finditer(pattern)):
        return None
    filled = _HUGO_PLACEHOLDER.sub(lambda found: values[found[1]] or "", pattern)
    return "/" + "/".join(part for part in filled.split("/") if part) + "/"


def hugo_urlized(text: str, lower: bool) -> str | None:
    """Text as Hugo puts it in a path (its UnicodeSanitize): letters, marks, digits and ./_- kept, each run of
    spaces a hyphen, the rest dropped, in lower case unless the site says not; None for characters that Hugo
    versions treat differently."""
    if _HUGO_UNSURE & set(text):
        return None
    kept: list[str] = []
    hyphen_due = was_hyphen = False
    for char in text:
        if unicodedata.category(char)[0] in "LM" or unicodedata.category(char) == "Nd" or char in "./_-":
            was_hyphen = char == "-"
            if hyphen_due and not was_hyphen:
                kept.append("-")
            hyphen_due = False
            kept.append(char)
        elif kept and char.isspace() and not was_hyphen:
            hyphen_due = True
    sanitized = "".join(kept)
    return sanitized.lower() if lower else sanitized


def lowered(mapping: dict[Any, Any]) -> dict[str, Any]:
    """The mapping with its keys in lower case, as Hugo reads its config's and front matter's keys."""
    return {str(key).lower(): value for key, value in mapping.items()}


def key_line(doc: Document, key: str) -> int | None:
    """The line a front-matter key is written on; a Hugo key (read in any case) in any case."""
    lines = doc.lines()
    return lines.get(key, lowered(lines).get(key))


def post_date(folder: Folder, doc: Document, named: re.Match | None) -> tuple[datetime | None, Problem | None]:
    """The front matter's date (offset kept), else the file name's; a draft's file time as a last resort."""
    key = next((key for key in DATE_KEYS[folder.kind] if doc.meta.get(key) not in (None, "")), None)
    value = doc.meta[key] if key else None
    if value is None and named:
        value = "-".join(named.groups()[:3])
    if value is None and doc.in_drafts:
        value = datetime.fromtimestamp(doc.path.stat().st_mtime, folder.tz).replace(microsecond=0)
    if value is None:
        return None, None
    try:
        return written_date(iso_offset(value) if isinstance(value, str) else value, folder.tz), None
    except ValueError as exc:
        return None, Problem(doc.name, str(exc), key_line(doc, key or "") or 1)


def written_date(value: Any, tz: ZoneInfo) -> datetime:
    """A date with the offset (or zone) it is written with, as the feed importer keeps it: the day and time the old
    blog showed; a date without one is in `tz`, the old site's zone."""
    moment = read_date(value, tz)  # checked, and a naive time in a gap of `tz` moved to the instant it names
    given = value if isinstance(value, datetime) else parse_date_text(value.strip(), tz) if isinstance(value, str) \
        else None
    return moment.astimezone(given.tzinfo) if given is not None and given.tzinfo is not None else moment


def folder_categories(folder: Folder, path: Path) -> tuple[str, ...]:
    """The categories Jekyll gives a post by the folders its _posts/ is in: news/_posts/x.md is in news."""
    if folder.root is None or not path.is_relative_to(folder.root):
        return ()
    parts = path.relative_to(folder.root).parts[:-1]
    last = max((at for at, part in enumerate(parts) if part == "_posts"), default=0)
    return tuple(part for part in parts[:last] if part != "_posts")


def post_tags(meta: dict[str, Any]) -> tuple[str, ...]:
    """Tags, then categories: lists, or strings split on commas (or, without commas, on spaces); Jekyll's
    singular `category` is one name, spaces and all."""
    names: list[str] = []
    for key in ("tags", "categories", "category"):
        value = meta.get(key)
        if key == "category" and isinstance(value, str):
            value = [value]
        if isinstance(value, (int, float)) and not isinstance(value, bool):  # `tags: 2016`: one tag
            value = [value]
        items = value if isinstance(value, list) else split_names(value) if isinstance(value, str) else []
        names += [str(item).strip() for item in items if isinstance(item, (str, int, float)) and str(item).strip()]
    return tuple(dict.fromkeys(names))


def split_names(text: str) -> list[str]:
    return text.split(",") if "," in text else text.split()


def text_value(value: Any) -> str | None:
    return " ".join(str(value).split()) or None if isinstance(value, (str, int, float)) else None


def people(doc: Document) -> tuple[tuple[str | None, str | None, Via | None], list[Problem]]:
    """The post's `source`, `author` and `via`, and a warning for each one (or part of one) left out."""
    source, problems = named_value(doc, "source")
    author, more = named_value(doc, "author")
    via, most = via_value(doc)
    return (source, author, via), problems + more + most


def named_value(doc: Document, key: str) -> tuple[str | None, list[Problem]]:
    """A name as text: as written, or a mapping's `name` (`author: {name: X, email: Y}`, as some Jekyll themes write
    it); anything else is left out, with a warning."""
    value = doc.meta.get(key)
    name = text_value(value.get("name")) if isinstance(value, dict) else text_value(value)
    if name or value is None or isinstance(value, str):
        return name, []
    return None, [Problem(doc.name, f"'{key}' left out: not a name, nor a mapping with one", key_line(doc, key),
                          warning=True)]


def via_value(doc: Document) -> tuple[Via | None, list[Problem]]:
    """Who the post is via, with the mapping's URL when it is one linkblog links (http(s) or mailto:)."""
    name, problems = named_value(doc, "via")
    given = doc.meta.get("via")
    url = given.get("url") if isinstance(given, dict) else None
    if name is None or url in (None, "") or (isinstance(url, str) and is_linkable(url)):
        return (Via(name, url or None) if name else None), problems
    return Via(name), problems + [not_linkable(doc, "via", url, " URL")]


def is_linkable(url: str) -> bool:
    """True for a URL a post may give as its `link` or `via` URL: http(s) or mailto:."""
    return links_out(url, None) or url.startswith("mailto:")


def not_linkable(doc: Document, key: str, url: Any, part: str = "") -> Problem:
    """The warning for a `link` or `via` URL left out."""
    return Problem(doc.name, f"'{key}'{part} left out: '{url}' is not an http(s) or mailto URL", key_line(doc, key),
                   warning=True)


def template_tags(kind: str, doc: Document) -> list[Problem]:
    """Each Liquid tag or Hugo shortcode in the body, at the line it opens on (its lines shown as one): left in
    place, for the user to rework."""
    pattern, what = TEMPLATE_TAGS[kind]
    return [Problem(doc.name, f"{what} {' '.join(found.group().split())!r} left in place",
                    doc.body_line + doc.body.count("\n", 0, found.start()), warning=True)
            for found in pattern.finditer(doc.body)]


def content_stem(folder: Folder, path: Path) -> str:
    """A file's name without its suffix, nor the language a multilingual Hugo site adds: index.fr.md is index."""
    stem, dot, language = path.stem.rpartition(".")
    if dot and folder.kind == "hugo" and (language.lower() in folder.languages or (
            stem == "index" and _LANGUAGE.fullmatch(language))):
        return stem
    return path.stem


def is_bundle(folder: Folder, doc: Document) -> bool:
    """True for a Hugo page bundle's page (index.md, index.en.md): the post is named for its folder."""
    return content_stem(folder, doc.path) == "index"


def bundle_files(folder: Folder, doc: Document) -> list[Problem]:
    """A warning for a Hugo page bundle's images and files, which are not copied."""
    if not is_bundle(folder, doc):
        return []
    others = sorted(p.name for p in doc.path.parent.iterdir() if p.is_file() and p != doc.path)
    if not others:
        return []
    return [Problem(doc.name, f"page bundle files not copied: {', '.join(others)} (put them in static/)",
                    warning=True)]


def site_settings(source: str, candidates: list[Path]) -> tuple[dict[str, Any], list[Problem]]:
    """The first config file found among candidates (Jekyll's _config.yml, Hugo's hugo.toml...)."""
    for path in candidates:
        if path.is_file():
            text, added = wrapped(path)
            meta, _, problem, _ = front_matter(str(path), text)
            if problem is None:
                return meta or {}, []
            line = max(problem.line - added, 1) if problem.line else problem.line
            return {}, [Problem(problem.path, f"{problem.message}; its settings are not used", line, warning=True)]
    return {}, []


def wrapped(path: Path) -> tuple[str, int]:
    """A config file as front matter, so one reader parses YAML, TOML and JSON alike, and the lines that adds above
    the file's first (a fence) or takes away (the blank lines before a JSON object, which starts front matter)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".json":
        data = text.lstrip()
        return data, -text.count("\n", 0, len(text) - len(data))
    fence = "+++" if path.suffix == ".toml" else "---"
    return f"{fence}\n{text}\n{fence}\n", 1


def zone(name: Any, options: ImportOptions) -> ZoneInfo:
    """The source site's own timezone for its naive dates, else the linkblog site's."""
    try:
        return ZoneInfo(name) if isinstance(name, str) and name else options.tz
    except (ZoneInfoNotFoundError, ValueError):
        return options.tz


def joined_url(url: Any, base: Any) -> str | None:
    return f"{url.rstrip('/')}/{base.strip('/') if isinstance(base, str) else ''}" if isinstance(url, str) else None

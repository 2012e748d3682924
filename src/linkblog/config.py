"""config.yaml -> a validated, frozen Config, with every mistake as a Problem."""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from string import Formatter
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import yaml

from linkblog.problems import Problem
from linkblog.urls import PERMALINK_FIELDS, ascii_host
from linkblog.yamlload import (
    CONTROL_CHARACTERS,
    WrittenNumber,
    error_line,
    error_message,
    load_mapping,
    one_line,
    read_settings,
    unknown_key,
)
from linkblog.zones import ZoneError, named_zone


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """How many posts the feeds carry, and whether in full."""

    items: int = 20
    full_content: bool = True
    link_posts: str = "article"  # a link post's entry links the article (with a ★ permalink) or the post


@dataclass(frozen=True, slots=True)
class Config:
    """Site settings from config.yaml, with command-line overrides applied."""

    root: Path
    url: str
    title: str = "My Link Blog"
    author: str = ""
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    per_page: int = 20
    output_dir: str = "build"
    permalink: str = "/{year}/{month}/{slug}/"
    feed: FeedConfig = field(default_factory=FeedConfig)
    excerpt: str = "full"  # what list pages show of a post: full, quote or commentary
    search: bool = False  # a Pagefind index, a /search/ page and a search box (needs linkblog[search])
    cname: str | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def output_path(self) -> Path:
        return (self.root / Path(self.output_dir).expanduser()).resolve()

    @property
    def posts_path(self) -> Path:
        return self.root / "posts"


# What `--config` means when it is not given; commands run from the site's root.
DEFAULT_PATH = Path("config.yaml")
KEYS = {f.name for f in fields(Config)} - {"root"}
FEED_KEYS = {f.name for f in fields(FeedConfig)}
_TYPES: dict[str, type | tuple[type, ...]] = {
    "url": str, "title": str, "author": str, "description": str, "language": str,
    "timezone": str, "per_page": int, "output_dir": str, "permalink": str, "cname": str, "excerpt": str,
    "search": bool,
}
EXCERPTS = ("full", "quote", "commentary")
LINK_POSTS = ("article", "permalink")
# The command-line options that set a setting, named in its problems instead of config.yaml.
OPTIONS = {"url": "--base-url", "output_dir": "--output"}
# Settings that stay text as written: `title: 2015` is the text "2015", `author: no` is "no".
TEXT_KEYS = [key for key, kind in _TYPES.items() if kind is str] + ["feed.link_posts"]
# Text settings shown as one line (the header, <title>, feeds' titles and descriptions).
ONE_LINE_KEYS = ("title", "author", "description")
# Whole-number settings, which must be written in decimal digits (`per_page: 030` is no octal 24).
NUMBER_KEYS = ["per_page", "feed.items"]
# Other tools' names for a setting (Hugo, Jekyll, Pelican), suggested over a close spelling.
OTHER_NAMES = {"paginate": "per_page", "baseURL": "url", "baseurl": "url", "base_url": "url", "SITEURL": "url",
               "timeZone": "timezone", "languageCode": "language", "publishDir": "output_dir",
               "destination": "output_dir", "SITENAME": "title", "SITESUBTITLE": "description",
               "AUTHOR": "author", "TIMEZONE": "timezone", "DEFAULT_LANG": "language", "DEFAULT_PAGINATION": "per_page",
               "OUTPUT_PATH": "output_dir"}
# Where a key written at the wrong level belongs: `items: 5` at the top level, `feed: {per_page: 5}`.
TOP_LEVEL_HINTS = {key: f"'feed.{key}'" for key in FEED_KEYS} | {name: f"'{key}'" for name, key in OTHER_NAMES.items()}
FEED_HINTS = {key: f"'{key}' at the top level" for key in KEYS - {"feed"}}


def load_config(path: Path, overrides: dict[str, Any] | None = None) -> tuple[Config | None, list[Problem]]:
    """Read and validate config.yaml; command-line overrides win over the file."""
    name = path.name
    try:
        text = read_settings(path).decode("utf-8-sig")
    except FileNotFoundError:
        return None, [missing_config(path)]
    except IsADirectoryError:
        return None, [Problem(str(path), "is a folder, not a config file")]
    except OSError as exc:  # not a regular file, too large, unreadable
        return None, [Problem(str(path), f"cannot be read ({exc.strerror or exc})")]
    except UnicodeDecodeError as exc:
        return None, [Problem(name, f"not valid UTF-8 (byte {exc.object[exc.start]:#04x})",
                              exc.object[: exc.start].count(b"\n") + 1)]
    try:
        data, lines = load_mapping(text, TEXT_KEYS, decimal_keys=NUMBER_KEYS)
    except yaml.YAMLError as exc:
        return None, [Problem(name, error_message(exc), error_line(exc))]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, [Problem(name, "config.yaml must be a mapping of settings", 1)]
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    # A value from the command line has no line in the file.
    lines = {k: v for k, v in lines.items() if k not in given}
    data = {**data, **given}
    # A name or address never holds white space at its ends ("https://x.org/\n" from a quoted YAML value).
    data |= {k: v.strip() for k, v in data.items() if k in ("url", "cname") and isinstance(v, str)}
    # One line each, as a post's title is: a YAML block scalar (`description: >`, old Jekyll configs) keeps its breaks.
    data |= {k: one_line(v) for k, v in data.items() if k in ONE_LINE_KEYS and isinstance(v, str)}
    if data.get("cname") == "":
        data["cname"] = None
    # `author:` with nothing after it (YAML's null) is the empty author, `feed:` the feed's defaults.
    data |= {k: {} if k == "feed" else "" for k in ("author", "description", "feed") if k in data and data[k] is None}
    problems = _check_values(name, data, lines, given)
    if problems:
        return None, problems
    feed = FeedConfig(**data.pop("feed", {}) or {})
    config = Config(root=path.parent.resolve(), feed=feed, **data)
    # A cname as DNS and GitHub Pages spell it: lowercase, no final dot, beyond ASCII in IDNA.
    config = replace(config, url=config.url if config.url.endswith("/") else config.url + "/",
                     cname=ascii_host(config.cname) if config.cname else config.cname)
    if not is_utf8(str(config.root)):
        written = os.fsencode(config.root).decode("utf-8", "backslashreplace")  # the byte as \xe9, not \udce9
        return None, [Problem(name, f"is in a folder whose path is not valid UTF-8 ({written}): rename the folder")]
    output_named = OPTIONS["output_dir"] if "output_dir" in given else name
    return config, check_output_dir(config, output_named, lines.get("output_dir")) + \
        cname_problems(config, name, lines)


def is_utf8(path: str) -> bool:
    """False for a path holding bytes that are not UTF-8 (Python keeps them as surrogates), which templates'
    names and the cache cannot hold."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def cname_problems(config: Config, name: str, lines: dict[str, int]) -> list[Problem]:
    """A warning when `cname` names another address than `url` (from the file, not --base-url): GitHub Pages
    serves a custom domain's site at its root, where links made under another host's path lead nowhere."""
    if not config.cname or "url" not in lines:
        return []
    parts = urlsplit(config.url)
    if ascii_host(parts.hostname or "") == ascii_host(config.cname) and parts.path == "/" \
            and parts.scheme == "https" and parts.port in (None, 443):  # Pages serves https on its own port only
        return []
    broken = f"every link under {parts.path} breaks there" if parts.path != "/" else \
        f"feeds, the sitemap and canonical links lead to {config.url} instead"
    return [Problem(name, f"'cname' is {config.cname}, so GitHub Pages serves the site at "
                    f"https://{config.cname}/; set url to that, or {broken}", lines.get("cname"), warning=True)]


def site_url(value: str) -> bool:
    """True for a URL a site can live at: http(s), a host, a port that is a number, a path not starting `//`
    (which every link would then take for a host), no query or fragment."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:  # an unclosed [IPv6 bracket too
        return False
    # A user name or password would be published in every link and feed.
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.path.startswith("//") \
        and "@" not in parts.netloc \
        and not any(c in value for c in "\t\n\r?#")  # urlsplit drops \t\n\r; no link can keep a query or fragment


def url_problem(value: str) -> str | None:
    """Why a `url` (or --base-url) cannot be a site's address, None when it can."""
    if not site_url(value):
        return f"'url' must be an absolute http(s) URL such as https://example.github.io/notes/, not '{value}'"
    parts = urlsplit(value)
    # Browsers resolve . and .. away in every link, so the site would link to pages where its files are not.
    if any(unquote(segment) in (".", "..") for segment in parts.path.split("/")):  # %2e is a dot to browsers too
        return f"'url' must not hold . or .. path segments, which browsers resolve away: write " \
               f"{urlunsplit(parts._replace(path=dotless_path(parts.path)))}, not '{value}'"
    # A page, not a folder: every link would be made under it (/notes/index.html/style.css).
    if unquote(parts.path).removesuffix("/").endswith("/index.html"):
        folder = parts.path[:parts.path.removesuffix("/").rindex("/") + 1]
        return f"'url' must be the folder the site lives in, not its home page: write " \
               f"{urlunsplit(parts._replace(path=folder))}, not '{value}'"
    return None


def dotless_path(path: str) -> str:
    """A URL path with its . and .. segments resolved, as browsers resolve them, ending in /."""
    kept: list[str] = []
    for segment in path.removesuffix("/").split("/")[1:]:
        if unquote(segment) == "..":
            kept = kept[:-1]
        elif unquote(segment) != ".":
            kept.append(segment)
    return "/" + "".join(f"{segment}/" for segment in kept)


_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE)  # one part of a host name, in ASCII


# RFC 5646's shape of a language tag (not its registry): a language (with extended subtags), then a script,
# region, variants, extensions and private use, each optional; or private use alone, or an irregular old tag.
_LANGUAGE_TAG = re.compile(r"""
    (?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})
    (?:-[a-z]{4})?
    (?:-(?:[a-z]{2}|[0-9]{3}))?
    (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*
    (?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*
    (?:-x(?:-[a-z0-9]{1,8})+)?
    |x(?:-[a-z0-9]{1,8})+
    |i-[a-z]{3,8}|en-gb-oed|sgn-(?:be-fr|be-nl|ch-de)
""", re.IGNORECASE | re.VERBOSE)


def language_tag(value: str) -> bool:
    """True for a well-formed BCP 47 language tag (en, pt-BR, zh-Hant-TW, x-klingon), as xml:lang and
    <html lang> take it."""
    return _LANGUAGE_TAG.fullmatch(value) is not None


def domain_name(value: str) -> bool:
    """True for a custom domain as GitHub Pages' CNAME file holds it: notes.example.com, no scheme, path or port;
    a name beyond ASCII (münchen.example) as IDNA spells it."""
    labels = ascii_host(value).split(".")  # a top-level domain of digits alone: an IP address (1.2.3.4)
    return len(labels) > 1 and all(_LABEL.fullmatch(label) for label in labels) and not labels[-1].isdigit()


def missing_config(path: Path) -> Problem:
    """The problem of a config file that is not there: a hint to start a site when it is the default one."""
    if path == DEFAULT_PATH:
        return Problem(path.name, "no config.yaml here (run `linkblog init DIR` to start a site)")
    return Problem(str(path), "no such file")


def _check_values(name: str, data: dict[str, Any], lines: dict[str, int], given: Collection[str]) -> list[Problem]:
    """Every wrong value, at its line, or named by the command-line option that gave it."""
    problems = []
    for key, value in data.items():
        where = OPTIONS[key] if key in given and key in OPTIONS else name
        if key == "feed" and isinstance(value, dict):
            problems += [Problem(name, message, lines.get(f"feed.{inner}", lines.get(key)))
                         for inner, message in _feed_problems(value)]
            continue
        message = _key_problem(key, value)
        if message:
            problems.append(Problem(where, message, lines.get(key)))
    if "url" not in data:
        problems.append(Problem(name, "missing required setting 'url' (the site's absolute base URL)", 1))
    return problems


def _key_problem(key: str, value: Any) -> str | None:
    if key not in KEYS:
        return unknown_key(key, KEYS, "setting", TOP_LEVEL_HINTS)
    if key == "feed":
        return f"'feed' must be a mapping such as {{items: 20, full_content: true}}, not {_type_name(type(value))}"
    expected = _TYPES[key]
    if value is None and key == "cname":
        return None
    if isinstance(value, WrittenNumber):
        return _written_number_problem(key, value)
    if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
        return f"'{key}' must be {_type_name(expected)}, not {_type_name(type(value))}"
    return _value_problem(key, value)


def _value_problem(key: str, value: Any) -> str | None:
    bad = CONTROL_CHARACTERS.search(value) if isinstance(value, str) else None
    if bad:
        return f"'{key}' contains control character U+{ord(bad.group()):04X}"
    if key == "title" and not value.strip():
        return "'title' must not be empty: the header, every page's <title> and the feeds show it"
    if key == "url":
        return url_problem(value)
    if key == "per_page" and value < 1:
        return "'per_page' must be at least 1"
    if key == "timezone":
        return _timezone_problem(value)
    if key == "permalink":
        return _permalink_problem(value)
    if key == "output_dir" and not value.strip():
        return "'output_dir' must not be empty"
    if key == "cname" and value.strip() and not domain_name(value):
        return f"'cname' must be a domain name such as notes.example.com, not '{value}'"
    if key == "language" and not language_tag(value):
        return f"'language' must be a BCP 47 language tag such as en, de or pt-BR, not '{value}'"
    if key == "excerpt" and value not in EXCERPTS:
        return f"'excerpt' must be one of {', '.join(EXCERPTS)}, not '{value}'"
    return None


def _timezone_problem(name: str) -> str | None:
    try:
        named_zone(name)
    except ZoneError as exc:
        return f"{exc} (use an IANA name such as Europe/Berlin or UTC)"
    return None


def _written_number_problem(key: str, written: WrittenNumber) -> str:
    """The problem of a whole number YAML 1.1 reads in another base: `030` (octal), `1:00`, `0x1e`, `1_000`."""
    if written.meant() is not None:
        return f"'{key}' must be written without leading zeros: write {written.meant()}, not '{written}'"
    return f"'{key}' must be a whole number in decimal digits such as 20, not '{written}'"


def _permalink_problem(pattern: str) -> str | None:
    # Fields as they are, nothing more: {year.real}, {slug[0]} or {year:>500} would run or pad at will.
    try:
        parsed = list(Formatter().parse(pattern))
    except ValueError as exc:
        parsed = [("", str(exc), "", None)]
    fields = [field for _, field, spec, conversion in parsed if field is not None
              and (field not in PERMALINK_FIELDS or spec or conversion)]
    if fields:
        return f"'permalink' may only use {{year}}, {{month}}, {{day}} and {{slug}}, not {{{fields[0]}}}"
    if any("{" in text or "}" in text for text, *_ in parsed):  # `{{slug}}` is the text {slug}, in every URL
        return "'permalink' must not contain '{{' or '}}': write a field with one brace each side, as {slug}"
    if "slug" not in {field for _, field, _, _ in parsed} or not pattern.startswith("/") or not pattern.endswith("/"):
        return "'permalink' must start and end with '/' and contain {slug}, e.g. /{year}/{month}/{slug}/"
    if any(part in (".", "..") for part in pattern.split("/")):  # a page outside the output folder
        return "'permalink' must not contain '.' or '..' as a folder"
    # Inside a checkout kept in the output, which a build never touches; git would store no page of such a folder.
    if any(part.lower() == ".git" for part in pattern.split("/")):
        return "'permalink' must not contain '.git' as a folder"
    if "//" in pattern:  # a URL no server gives the page at: every link to it would break
        return "'permalink' must not contain '//' (an empty folder)"
    return None


def _feed_problems(value: dict[Any, Any]) -> list[tuple[Any, str]]:
    """Each wrong feed setting, with its key."""
    problems = []
    for key, item in value.items():
        if key not in FEED_KEYS:
            problems.append((key, unknown_key(key, FEED_KEYS, "feed setting", FEED_HINTS)))
        elif key == "items" and isinstance(item, WrittenNumber):
            problems.append((key, _written_number_problem("feed.items", item)))
        elif key == "items" and (not isinstance(item, int) or isinstance(item, bool) or item < 1):
            problems.append((key, "'feed.items' must be a whole number of at least 1"))
        elif key == "full_content" and not isinstance(item, bool):
            problems.append((key, "'feed.full_content' must be true or false"))
        elif key == "link_posts" and item not in LINK_POSTS:
            shown = f"'{item}'" if isinstance(item, str) else _type_name(type(item))  # `link_posts:` is empty
            problems.append((key, f"'feed.link_posts' must be article or permalink, not {shown}"))
    return problems


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "text", int: "a whole number", bool: "true or false", float: "a number",
             list: "a list", dict: "a mapping", type(None): "empty", date: "a date", datetime: "a date and time"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


# `serve` builds into `.cache/linkblog/preview-XXXX/site`, a folder of its own that no build reads.
PREVIEW_PREFIX = "preview-"


def check_output_dir(config: Config, name: str = "config.yaml", line: int | None = None) -> list[Problem]:
    """Refuse an output dir whose replacement would delete the site, its sources or a home folder."""
    try:
        out = config.output_path
    except RuntimeError:  # '~someone' for a user this machine does not know
        return [Problem(name, f"output_dir '{config.output_dir}' names a home folder that does not exist", line)]
    if not is_utf8(str(out)):
        return [Problem(name, f"output_dir '{config.output_dir}' is in a folder whose path is not valid UTF-8; "
                        "rename it or choose another folder", line)]
    what = _endangered(out, config.root)
    if what is None:
        return []
    if out.exists() and not out.is_dir():
        return [Problem(name, f"output_dir '{config.output_dir}' is a file, which a build would replace; move it "
                        "away or choose another folder", line)]
    return [Problem(name, f"output_dir '{config.output_dir}' would replace {what}; "
                    "choose a folder of its own such as 'build'", line)]


def _endangered(out: Path, root: Path) -> str | None:
    """What a build into `out` would delete that it must not, if anything."""
    preview = out.parent
    if preview.parent == (root / ".cache" / "linkblog").resolve() and preview.name.startswith(PREVIEW_PREFIX):
        return None  # the private folder of `serve` (preview.py), which nothing else in the cache lives in
    if out == Path(out.anchor):
        return "/"
    home = _home()
    if home is not None and home.is_relative_to(out):
        return "your home folder" if out == home else "a folder holding your home folder"
    if out.exists() and not out.is_dir():
        return "a file"
    for place in (root, root / "posts", root / "templates", root / "static", root / ".cache", root / ".git"):
        place = place.resolve()
        inside_source = out.is_relative_to(place) and place != root
        if out == place or place.is_relative_to(out) or inside_source:
            return "the site itself" if place == root else f"the site's {place.name}/ folder"
    return _settings_folder(out, root.resolve())


def _settings_folder(out: Path, root: Path) -> str | None:
    """A hidden folder outside the site that `out` is in (~/.config/autostart: a site's config, cloned with it,
    would put its static files where programs read their settings and start-up files), if any."""
    common = Path(os.path.commonpath([out, root]))
    hidden = next((part for part in out.relative_to(common).parts if part.startswith(".")), None)
    return None if hidden is None or out.is_relative_to(root) else \
        f"a folder in {hidden}/, outside the site, where programs keep their settings"


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except RuntimeError:  # no HOME and no password entry: nothing to protect by that name
        return None

"""sources.yaml -> Sources: each quoted source's name, home page, description and other spellings.

Optional: a site without the file shows sources as its posts spell them. A spelling is
matched by its slug, so "Berkun, Scott" and "berkun scott" are one alias.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from linkblog.content import read_url
from linkblog.problems import Problem
from linkblog.urls import slugify
from linkblog.yamlload import (
    CONTROL_CHARACTERS,
    StrictLoader,
    error_line,
    error_message,
    load_mapping,
    one_line,
    read_settings,
    unknown_key,
)

FILE = "sources.yaml"
KEYS = ("name", "url", "aliases", "description")


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """One source as sources.yaml describes it."""

    name: str
    url: str | None = None
    aliases: tuple[str, ...] = ()
    description: str | None = None

    @property
    def slug(self) -> str:
        return slugify(self.name)


@dataclass(frozen=True, slots=True)
class Sources:
    """Every listed source, found by the slug of its name or of any alias."""

    entries: tuple[SourceEntry, ...] = ()
    by_slug: dict[str, SourceEntry] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for entry in self.entries:
            for spelling in (entry.name, *entry.aliases):
                self.by_slug.setdefault(slugify(spelling), entry)

    def slug(self, spelling: str) -> str:
        """The slug of the source a post names: its entry's, when the spelling is listed."""
        slug = slugify(spelling)
        entry = self.by_slug.get(slug)
        return entry.slug if entry else slug

    def entry(self, slug: str) -> SourceEntry | None:
        """The entry of a source's slug, if sources.yaml lists it."""
        entry = self.by_slug.get(slug)
        return entry if entry is not None and entry.slug == slug else None


NO_SOURCES = Sources()


def load_sources(root: Path) -> tuple[Sources, list[Problem]]:
    """The site's sources.yaml read and checked; no sources (and no problem) when there is none."""
    try:
        text = read_settings(root / FILE).decode("utf-8-sig")
    except FileNotFoundError:
        return NO_SOURCES, []
    except OSError as exc:
        return NO_SOURCES, [Problem(FILE, f"cannot be read ({exc.strerror or exc})")]
    except UnicodeDecodeError as exc:
        return NO_SOURCES, [Problem(FILE, f"not valid UTF-8 (byte {exc.object[exc.start]:#04x})",
                                    exc.object[: exc.start].count(b"\n") + 1)]
    try:
        data, _ = load_mapping(text, KEYS, ("aliases",))  # `- name: Yes` is the source "Yes", as in a post
    except yaml.YAMLError as exc:
        return NO_SOURCES, [Problem(FILE, error_message(exc), error_line(exc))]
    if data is None:
        return NO_SOURCES, []
    if not isinstance(data, list):
        return NO_SOURCES, [Problem(FILE, "must be a list of sources: '- name: ...' entries", 1)]
    return read_entries(data, entry_lines(text, data))


def entry_lines(text: str, data: list[Any]) -> list[dict[Any, int]]:
    """For each list item, the line it starts on (key '') and the line of each of its keys, as built: a key YAML
    does not read as text (`True:`, `~:`) is found too."""
    node = yaml.compose(text, Loader=StrictLoader)  # as load_mapping read it a moment ago: it cannot fail
    lines = []
    for item, built in zip(node.value if isinstance(node, yaml.SequenceNode) else [], data, strict=False):
        found: dict[Any, int] = {"": item.start_mark.line + 1}
        if isinstance(item, yaml.MappingNode) and isinstance(built, dict):  # keys in the document's order
            found |= {key: key_node.start_mark.line + 1 for key, (key_node, _) in zip(built, item.value, strict=True)}
        lines.append(found)
    return lines


def read_entries(data: list[Any], lines: list[dict[Any, int]]) -> tuple[Sources, list[Problem]]:
    """The entries, or every problem with them: bad fields, and a spelling claimed by two sources."""
    entries, problems = [], []
    claimed: dict[str, tuple[str, int]] = {}  # spelling -> the name claiming it and its line
    for item, where in zip(data, lines, strict=True):
        values, item_problems = read_fields(item, where)
        problems += item_problems
        if not item_problems:
            entries.append(SourceEntry(**{k: v for k, v in values.items() if v is not None}))
        if not values.get("name"):
            continue
        # An entry with a bad field still claims its spellings, so that a clash is named in the same run.
        for spelling in dict.fromkeys(slugify(s) for s in (values["name"], *(values.get("aliases") or ()))):
            other = claimed.setdefault(spelling, (values["name"], where[""]))
            if other[1] != where[""]:
                problems.append(Problem(FILE, f"'{spelling}' is claimed by both '{other[0]}' (line {other[1]}) "
                                        f"and '{values['name']}'", where.get("aliases", where[""])))
    return (NO_SOURCES if problems else Sources(tuple(entries))), problems


def read_fields(item: Any, where: dict[Any, int]) -> tuple[dict[str, Any], list[Problem]]:
    """The fields of one entry that could be read, and the problems with the others."""
    if not isinstance(item, dict):
        return {}, [Problem(FILE, "each source must be a mapping such as {name: ..., url: ...}", where[""])]
    problems = [Problem(FILE, unknown_key(key, KEYS), where.get(key, where[""])) for key in item if key not in KEYS]
    values: dict[str, Any] = {}
    for key in KEYS:
        try:
            values[key] = read_value(key, item.get(key))
        except ValueError as exc:
            problems.append(Problem(FILE, str(exc), where.get(key, where[""])))
    if "name" in values and values["name"] is None:
        problems.append(Problem(FILE, "a source needs a 'name'", where.get("name", where[""])))
    return values, problems


def read_value(key: str, value: Any) -> Any:
    """One field's value, checked; a ValueError says what is wrong with it."""
    if value is None:
        return None
    if key == "aliases":
        items = value if isinstance(value, list) else [value]
        return tuple(dict.fromkeys(text_of(key, v) for v in items))
    text = text_of(key, value)  # white space folded: a name or description wrapped over lines is one line
    return home_url(value if isinstance(value, str) else text) if key == "url" else text


def home_url(value: str) -> str:
    """A source's site as a post's `link` is taken (spaces, <, > and " percent-encoded, a line break dropped), but
    http(s) only: a mailto: link is no site to visit."""
    refusal = ValueError(f"'url' must be an http(s) URL such as https://example.com/, not '{value.strip()}'")
    try:
        parts = urlsplit(value.strip())
    except ValueError:  # an unclosed [ of an IPv6 address
        raise refusal from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise refusal
    return read_url(value, "url") or ""  # its FieldError (a ValueError) says what else is wrong: a port, say


def text_of(key: str, value: Any) -> str:
    if isinstance(value, (dict, list, bool)) or value is None:
        raise ValueError(f"'{key}' must be text")
    text = one_line(str(value))
    bad = CONTROL_CHARACTERS.search(text)
    if bad:
        raise ValueError(f"'{key}' contains control character U+{ord(bad.group()):04X}")
    if not text:
        raise ValueError(f"'{key}' is empty")
    return text

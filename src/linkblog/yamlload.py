"""Safe YAML loading that keeps line numbers and refuses duplicate keys."""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

import yaml

try:  # The C loader is several times faster on thousands of posts.
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

# Real front matter nests two or three levels; composing (and later pickling) recurses,
# and libyaml's composer crashes the process outright somewhere past 20,000 levels.
MAX_DEPTH = 100
# Values in a document with its aliases expanded: real front matter holds dozens.
MAX_NODES = 100_000
# Characters of text aliases may add to a document, expanded: a long value repeated a few thousand times stays
# under MAX_NODES yet is gigabytes to whatever walks the data (the cache's JSON, a template).
MAX_EXPANDED_CHARS = 10_000_000
MAX_SETTINGS_BYTES = 10 * 2**20
# Characters no text of a post or setting may hold: they break HTML, XML feeds and terminals.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_WHITE_SPACE = re.compile(r"\s+")
STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
# A whole number as YAML 1.2 and people read it; YAML 1.1 also takes 030 (octal 24), 1:00 (60), 0x1e and 1_000,
# and reads 089 as text.
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DIGITS = re.compile(r"[-+]?[0-9]+")
# The tag of such a number under `decimal_keys`, kept as written (a WrittenNumber) for its reader to refuse.
WRITTEN_NUMBER_TAG = "tag:linkblog,2024:written-number"
MERGE_TAG = "tag:yaml.org,2002:merge"
# Plain scalars YAML 1.1 would turn into something else: `title: yes` must stay "yes".
_RETAGGED = {f"tag:yaml.org,2002:{kind}" for kind in ("bool", "int", "float", "timestamp")}
_OPENERS = {yaml.FlowSequenceStartToken: "[", yaml.FlowMappingStartToken: "{"}
_CLOSERS = {yaml.FlowSequenceEndToken: "[", yaml.FlowMappingEndToken: "{"}


class StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, minus silent duplicate keys and crashes on impossible dates."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:  # its keys would bypass the checks above (duplicates, text as written)
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys ('<<') are not read: write the keys out", key_node.start_mark)
            key = self.construct_object(key_node, deep=deep)
            try:  # any key, not only text: a dict would keep just the last of `1:` and `1:`
                duplicate = key in seen
            except TypeError:  # a list or mapping as a key: the base class would crash on it too
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be plain text, not a list or mapping", key_node.start_mark
                ) from None
            if duplicate:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key_text(key)}'",
                                                        key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def one_line(text: str) -> str:
    """Text on one line: surrounding white space gone, each inner run of it one space, but for a lone space other
    than the ASCII one (no-break, narrow, ideographic: Unicode's Zs), kept as written ("Pourquoi\u00a0?",
    "10\u202fkm", "全角\u3000スペース")."""
    if text.isascii():
        return " ".join(text.split())
    return _WHITE_SPACE.sub(_one_space, text.strip())


def _one_space(run: re.Match[str]) -> str:
    space = run.group()
    return space if len(space) == 1 and space != " " and unicodedata.category(space) == "Zs" else " "


def _timestamp_or_text(loader: StrictLoader, node: yaml.ScalarNode) -> Any:
    # A value like 2015-13-45 looks like a date to YAML; keep it as text so the
    # caller can report it with its field name and line.
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, AttributeError, TypeError):  # `!!timestamp "June 1st"` matches no date at all
        return loader.construct_scalar(node)


class WrittenNumber(str):
    """A whole number written otherwise than in decimal digits (030, 1:00, 0x1e), as written."""

    def meant(self) -> int | None:
        """The number digits with leading zeros (030) spell in decimal; None for another notation (1:00)."""
        try:
            return int(self, 10) if _DIGITS.fullmatch(self) else None
        except ValueError:  # more digits than Python reads
            return None


def _read_or_refused(construct: Callable[[Any, yaml.ScalarNode], Any], wanted: str) -> Callable[..., Any]:
    """A constructor whose failure (`!!int 12x`, `!!bool nope`, more digits than Python reads) is a marked
    error naming what was wanted, never a bare exception."""
    def read(loader: StrictLoader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, KeyError, AttributeError, TypeError):
            digits, most = sum(map(str.isdigit, node.value)), sys.get_int_max_str_digits()
            why = f"has more digits than the {most} Python reads" if most and digits > most else \
                f"cannot be read as {wanted}"
            raise yaml.constructor.ConstructorError(None, None, why, node.start_mark) from None
    return read


def _refused(loader: StrictLoader, node: yaml.Node) -> Any:
    # Bytes, sets and ordered pairs have no place in a post or a setting, and would reach a page as Python shows them.
    raise yaml.constructor.ConstructorError(None, None, f"YAML's {node.tag.replace('tag:yaml.org,2002:', '!!')} "
                                            "is not read: write text, a list or a mapping", node.start_mark)


_SAFE = yaml.constructor.SafeConstructor
for _tag, _construct, _wanted in (("int", _SAFE.construct_yaml_int, "a whole number"),
                                  ("float", _SAFE.construct_yaml_float, "a number"),
                                  ("bool", _SAFE.construct_yaml_bool, "true or false")):
    StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _read_or_refused(_construct, _wanted))
for _tag in ("binary", "set", "omap", "pairs"):
    StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refused)
StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
StrictLoader.add_constructor(WRITTEN_NUMBER_TAG, lambda loader, node: WrittenNumber(loader.construct_scalar(node)))
StrictLoader.add_constructor(
    "tag:yaml.org,2002:map", lambda loader, node: loader.construct_mapping(node)
)


def read_settings(path: Path) -> bytes:
    """The bytes of a settings file (config.yaml, sources.yaml): an OSError naming it when it is no regular
    file or is larger than MAX_SETTINGS_BYTES."""
    return bounded_bytes(path, MAX_SETTINGS_BYTES)


def bounded_bytes(path: Path, limit: int, flags: int = 0) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, opened with the `flags` added (O_NOFOLLOW: never
    through a link); an OSError naming it otherwise (a FIFO would wait forever, /dev/zero fill the memory)."""
    with open(path, "rb", opener=lambda name, mode: os.open(name, mode | os.O_NONBLOCK | flags)) as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        data = file.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit // 2**20} MB", str(path))
    return data


def load_mapping(
    text: str, text_keys: Collection[str] = (), item_keys: Collection[str] = (), decimal_keys: Collection[str] = ()
) -> tuple[Any, dict[Any, int]]:
    """A YAML document's data and the line of each top-level key (and `key.inner` of a mapping's); plain values
    under `text_keys` (and list items under `item_keys`), in the document or in each mapping of a list that it
    is, stay text as written, and so do whole numbers under
    `decimal_keys` not written in decimal digits, as WrittenNumber. Each of these may name a `key.inner`."""
    check_depth(text)
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None and "*" in text:  # no alias, no expansion to bound
            check_expansion(node, len(text))
        if isinstance(node, yaml.MappingNode):
            keep_text(node, text_keys, item_keys)
            keep_written_numbers(node, decimal_keys)
        for item in node.value if isinstance(node, yaml.SequenceNode) else ():  # a list of entries (sources.yaml)
            if isinstance(item, yaml.MappingNode):
                keep_text(item, text_keys, item_keys)
        data = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as exc:
        raise reader_error(text, exc) from None
    except yaml.MarkedYAMLError as exc:
        raise relined(text, tab_error(text, exc) or unclosed_error(text, exc) or exc) from None
    finally:
        loader.dispose()
    lines: dict[Any, int] = {}
    line_of = (lambda mark: file_line(text, mark)) if yaml_only_breaks(text) else (lambda mark: mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        # The keys as built, in the document's order (no duplicate or merge key gets this far): a key YAML does
        # not read as text (`1:`, `null:`) is found at its line too.
        built = list(data) if isinstance(data, dict) and len(data) == len(node.value) else []
        for n, (key_node, value_node) in enumerate(node.value):
            if built and not isinstance(built[n], str):
                lines.setdefault(built[n], line_of(key_node.start_mark))
            if isinstance(key_node, yaml.ScalarNode):
                lines[key_node.value] = line_of(key_node.start_mark)
                if isinstance(value_node, yaml.MappingNode):  # `feed: {items: 0}`'s items, as feed.items
                    lines.update((f"{key_node.value}.{k.value}", line_of(k.start_mark))
                                 for k, _ in value_node.value if isinstance(k, yaml.ScalarNode))
    return data, lines


# Characters YAML takes for line breaks and editors do not: pasted text (U+2028) or a misread "…" (U+0085).
_YAML_ONLY_BREAKS = re.compile("[\u2028\u2029\x85]")


def yaml_only_breaks(text: str) -> bool:
    """True when YAML counts lines in this text otherwise than an editor does."""
    return _YAML_ONLY_BREAKS.search(text) is not None


def relined(text: str, error: yaml.MarkedYAMLError) -> yaml.MarkedYAMLError:
    """The error with its marks on the lines an editor counts (file_line); as it is where YAML counts alike."""
    if yaml_only_breaks(text):
        for name in ("context_mark", "problem_mark"):
            mark = getattr(error, name, None)
            if mark is not None:  # libyaml's marks are read-only: a new one in their place
                setattr(error, name, yaml.Mark(mark.name, mark.index, file_line(text, mark) - 1, mark.column, None,
                                               None))
    return error


def file_line(text: str, mark: yaml.Mark) -> int:
    """The 1-based line of a mark as an editor counts lines (by its character index; YAML's own count also
    breaks lines at U+2028, U+2029 and U+0085)."""
    return text.count("\n", 0, mark.index) + 1


def check_expansion(node: yaml.Node, text_size: int) -> None:
    """Refuse a document whose aliases, expanded, hold more than MAX_NODES values (a "billion laughs": nine
    lines that repeat a list 10^9 times) or add more than MAX_EXPANDED_CHARS characters to the `text_size` of the
    document itself, or a value inside itself (`a: &a [*a]`): anything walking the data (the cache, a template)
    would exhaust the memory or hang on the one and never end the other."""
    # A scalar's value is never longer than its text in the document, so without aliases no document runs out.
    nodes, chars, on_path, todo = MAX_NODES, MAX_EXPANDED_CHARS + text_size, set(), [(node, False)]
    while todo:
        current, leaving = todo.pop()
        if leaving:
            on_path.discard(id(current))
            continue
        if id(current) in on_path:
            raise yaml.MarkedYAMLError(problem="a value holds itself (an alias inside its own anchor)",
                                       problem_mark=current.start_mark)
        nodes -= 1
        if isinstance(current, yaml.ScalarNode):
            chars -= len(current.value)
        else:  # a list or mapping, the only other nodes YAML composes
            on_path.add(id(current))
            todo.append((current, True))
            todo += [(part, False) for part in (current.value if isinstance(current, yaml.SequenceNode)
                                                else (part for pair in current.value for part in pair))]
        if nodes < 0 or chars < 0:
            repeated = f"{MAX_NODES:,} values" if nodes < 0 else f"{MAX_EXPANDED_CHARS:,} characters of text"
            raise yaml.MarkedYAMLError(problem=f"its aliases repeat more than {repeated}",
                                       problem_mark=current.start_mark)


def check_depth(text: str) -> None:
    """Refuse collections nested deeper than MAX_DEPTH, before anything recursive sees them."""
    # Each level needs one of these indicators, so most documents are cleared without parsing.
    if sum(text.count(c) for c in "[{-?:") < MAX_DEPTH:
        return
    depth = 0
    try:
        # The pure-Python parser: libyaml has a nesting limit of its own, worded its own way per release.
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise yaml.MarkedYAMLError(problem=f"nested more than {MAX_DEPTH} levels deep",
                                               problem_mark=event.start_mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.reader.ReaderError as exc:
        raise reader_error(text, exc) from None


def values_under(mapping: yaml.MappingNode, keys: Collection[str]) -> list[yaml.Node]:
    """The value nodes of the keys named in `keys`: a top-level `key`, or `key.inner` in a mapping value."""
    if not keys:  # a post's front matter has no decimal keys: spare every post the walk
        return []
    found = []
    for key, value in mapping.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name in keys:
            found.append(value)
        elif name is not None and isinstance(value, yaml.MappingNode):
            found += [inner_value for inner, inner_value in value.value
                      if isinstance(inner, yaml.ScalarNode) and f"{name}.{inner.value}" in keys]
    return found


def keep_text(mapping: yaml.MappingNode, text_keys: Collection[str], item_keys: Collection[str]) -> None:
    """Retag plain scalars under the given keys as text, so `title: 007` is '007', not 7."""
    todo = values_under(mapping, text_keys)
    todo += [item for value in values_under(mapping, item_keys) if isinstance(value, yaml.SequenceNode)
             for item in value.value]
    seen: set[int] = set()
    while todo:
        node = todo.pop()
        if id(node) in seen:  # aliases can share nodes or even loop
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if not node.style and node.tag in _RETAGGED:  # plain: None, or "" from libyaml
                node.tag = STR_TAG
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            todo.extend(value for _, value in node.value)


def keep_written_numbers(mapping: yaml.MappingNode, keys: Collection[str]) -> None:
    """Retag whole numbers under `keys` that are not in decimal digits, so `per_page: 030` is refused as
    written rather than taken as YAML 1.1's octal 24."""
    for node in values_under(mapping, keys):
        if isinstance(node, yaml.ScalarNode) and (node.tag == INT_TAG or _DIGITS.fullmatch(node.value)) \
                and not _DECIMAL.fullmatch(node.value):
            node.tag = WRITTEN_NUMBER_TAG


def reader_error(text: str, exc: yaml.reader.ReaderError) -> yaml.MarkedYAMLError:
    """A reader error (a forbidden character) with the line it is on."""
    # libyaml counts the position in UTF-8 bytes.
    line = text.encode("utf-8", "surrogatepass")[: exc.position].count(b"\n")
    mark = yaml.Mark("<text>", exc.position, line, 0, None, None)
    return yaml.MarkedYAMLError(problem=f"character U+{exc.character:04X} is not allowed ({exc.reason})",
                                problem_mark=mark)


def tab_error(text: str, exc: yaml.MarkedYAMLError) -> yaml.MarkedYAMLError | None:
    """A plainer error when YAML stumbled on a tab, which it never allows as indentation."""
    mark = exc.problem_mark
    lines = text.split("\n")
    if mark is None or mark.line >= len(lines) or lines[mark.line][mark.column: mark.column + 1] != "\t":
        return None
    return yaml.MarkedYAMLError(problem="a tab character is not allowed for indentation; use spaces",
                                problem_mark=mark)


def unclosed_error(text: str, exc: yaml.MarkedYAMLError) -> yaml.MarkedYAMLError | None:
    """A plainer error, on its opening line, when the parser ran into a '[' or '{' that is never closed."""
    # YAML notices the missing bracket only lines later (at the next key, or the end), so its mark misleads.
    if not isinstance(exc, yaml.parser.ParserError) or exc.problem_mark is None:
        return None
    found = (exc.problem_mark.line, exc.problem_mark.column)
    opened = [(mark, bracket) for mark, bracket in unclosed_brackets(text) if (mark.line, mark.column) <= found]
    if not opened:
        return None
    mark, bracket = max(opened, key=lambda pair: (pair[0].line, pair[0].column))  # the innermost
    return yaml.MarkedYAMLError(problem=f"a '{bracket}' opened on this line is never closed", problem_mark=mark)


def unclosed_brackets(text: str) -> list[tuple[yaml.Mark, str]]:
    """Each flow '[' or '{' that no matching bracket closes, with where it opens; none if the text does not scan."""
    still_open: list[tuple[yaml.Mark, str]] = []
    unclosed = []
    try:
        for token in yaml.scan(text, Loader=_BaseLoader):
            if type(token) in _OPENERS:
                still_open.append((token.start_mark, _OPENERS[type(token)]))
            elif type(token) in _CLOSERS and still_open:
                opening = still_open.pop()
                if opening[1] != _CLOSERS[type(token)]:  # `{a: b]` closes nothing
                    unclosed.append(opening)
    except yaml.YAMLError:
        return []
    return unclosed + still_open


def error_line(error: yaml.YAMLError) -> int | None:
    """The 1-based line a YAML error points at, if it has one."""
    problem = getattr(error, "problem", None) or ""
    context_mark = getattr(error, "context_mark", None)
    # An unclosed quote or bracket is found at the end, a line of text with no `key:` (a body, its front matter
    # never closed) where the next key would be: where it starts is the useful line.
    if ("end of stream" in problem or "expected ':'" in problem) and context_mark is not None:
        return context_mark.line + 1
    mark = getattr(error, "problem_mark", None) or context_mark
    return mark.line + 1 if mark is not None else None


def error_message(error: yaml.YAMLError) -> str:
    """A one-line description of a YAML error, without its location dump."""
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if not problem:
        return "invalid YAML: " + str(error).splitlines()[0]
    text = f"{context} {problem}" if context and "duplicate" not in problem else problem
    if "end of stream" in problem and context and "quoted scalar" in context:
        text = "a quoted value starting on this line is never closed"
    if "mapping values are not allowed" in problem:
        # The usual cause is a title with a colon in it.
        text += " (put a value containing ': ' in quotes)"
    return "invalid YAML: " + " ".join(text.replace("\t", "a tab").split())


def unknown_key(key: Any, known: Collection[str], what: str = "key", elsewhere: Mapping[str, str] | None = None) -> str:
    """"unknown key 'x'", with the key it may be a slip for: `elsewhere`'s hint for it (a key of another level,
    another tool's name), else a close spelling of a known key; the key spelled as YAML reads it."""
    import difflib  # only a misspelt key needs it

    spelled = key_text(key)
    same = [name for name in sorted(known) if name.lower() == spelled.lower()]  # TIMEZONE: as close as can be
    close = same or difflib.get_close_matches(spelled, sorted(known), n=1)
    hint = (elsewhere or {}).get(spelled) or (f"'{close[0]}'" if close else None)
    return f"unknown {what} '{spelled}'" + (f" (did you mean {hint}?)" if hint else "")


def key_text(key: Any) -> str:
    """A key as YAML spells what it read (`null`, `true`), where str() would give Python's `None`, `True`."""
    return "null" if key is None else str(key).lower() if isinstance(key, bool) else str(key)

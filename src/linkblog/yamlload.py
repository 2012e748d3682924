"""Safe YAML loading that keeps line numbers and refuses duplicate keys."""

from __future__ import annotations

from typing import Any

import yaml

try:  # The C loader is several times faster on thousands of posts.
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader


class StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, minus silent duplicate keys and crashes on impossible dates."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _timestamp_or_text(loader: StrictLoader, node: yaml.ScalarNode) -> Any:
    # A value like 2015-13-45 looks like a date to YAML; keep it as text so the
    # caller can report it with its field name and line.
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
StrictLoader.add_constructor(
    "tag:yaml.org,2002:map", lambda loader, node: loader.construct_mapping(node)
)


def load_mapping(text: str) -> tuple[Any, dict[str, int]]:
    """Parse a YAML document; return its data and the 1-based line of each top-level key."""
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                lines[key_node.value] = key_node.start_mark.line + 1
    return data, lines


def error_line(error: yaml.YAMLError) -> int | None:
    """The 1-based line a YAML error points at, if it has one."""
    problem = getattr(error, "problem", None) or ""
    context_mark = getattr(error, "context_mark", None)
    # An unclosed quote or bracket is found at the end; its start is the useful line.
    if "end of stream" in problem and context_mark is not None:
        return context_mark.line + 1
    mark = getattr(error, "problem_mark", None) or context_mark
    return mark.line + 1 if mark is not None else None


def error_message(error: yaml.YAMLError) -> str:
    """A one-line description of a YAML error, without its location dump."""
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if problem:
        text = f"{context} {problem}" if context and "duplicate" not in problem else problem
        return "invalid YAML: " + " ".join(text.replace("\t", "a tab").split())
    return "invalid YAML: " + str(error).splitlines()[0]

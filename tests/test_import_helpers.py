"""Helpers for the import tests: the fixtures folder, and an imported file read back field by field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from conftest import make_site, run_cli

from linkblog.content import parse_post
from linkblog.model import Parsed

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@dataclass
class ImportedFile:
    """A posts/ file as linkblog parses it, its front matter as YAML has it, and its Markdown body."""

    parsed: Parsed
    meta: dict[str, Any]
    body: str
    text: str


def read_imported(path: Path) -> ImportedFile:
    """Parse a written file as a build would; it must parse without a problem."""
    data = path.read_bytes()
    parsed, problems = parse_post(f"posts/{path.name}", data, ZoneInfo("UTC"))
    assert problems == [], problems
    text = data.decode("utf-8")
    empty, front, body = text.split("---\n", 2)
    assert empty == ""
    return ImportedFile(parsed, yaml.safe_load(front), body, text)


def posts_of(site: Path) -> dict[str, ImportedFile]:
    """Every file under posts/, by name."""
    return {p.name: read_imported(p) for p in sorted((site / "posts").iterdir())}


def fresh_site(root: Path) -> Path:
    """An empty site (config, no posts) to import into."""
    return make_site(root)


def assert_builds(site: Path) -> None:
    """The imported site builds with `linkblog build --drafts`, exit 0."""
    done = run_cli(site, "build", "--drafts")
    assert done.code == 0, done.err

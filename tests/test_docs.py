"""The reference in docs/ covers what the code accepts: every setting, front-matter key, CLI option and
template variable, each taken from the code at test time; and the README and docs link only within the repo."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from dataclasses import MISSING, Field, fields, is_dataclass
from pathlib import Path
from typing import Any

import jinja2
import pytest
from conftest import SAMPLE_POSTS, make_site, post_text

from linkblog.cli import parser
from linkblog.config import KEYS, Config
from linkblog.content import KNOWN_FIELDS
from linkblog.engine import page_bytes
from linkblog.load import load_site
from linkblog.model import Count, Group, Listing, Pager, PageSpec, Post, Ref, Tally, Via
from linkblog.render import Renderer, Shown, SiteView
from linkblog.stats import Chart
from linkblog.theme import template_dirs, theme_dir

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
_ROW = re.compile(r"^\|\s*(.+?)\s*\|\s*(.*?)\s*\|", re.M)
_FENCED = re.compile(r"^```.*?^```", re.M | re.S)
_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\]\(([^)\s]+)\)")
# How templates.md names each object a template sees, as the theme's templates name them.
TEMPLATE_OBJECTS = {SiteView: "site", PageSpec: "page", Post: "post", Pager: "page.pager", Group: "page.group",
                    Ref: "ref", Via: "post.via", Count: "row", Listing: "item", Shown: "body", Chart: "chart",
                    Tally: "bar"}


def doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def prose(text: str) -> str:
    """Markdown without its fenced code blocks."""
    return _FENCED.sub("", text)


def code_spans(text: str) -> set[str]:
    """Every `code` span of a Markdown text's prose, with table-escaped pipes unescaped."""
    return {span.replace("\\|", "|") for span in _CODE.findall(prose(text))}


def table_rows(text: str) -> dict[str, str]:
    """Each table row's first-cell code span -> its second cell (the default column)."""
    rows = {}
    for first, second in _ROW.findall(text):
        spans = _CODE.findall(first)
        if spans:
            rows[spans[0]] = second
    return rows


# --- config.yaml -----------------------------------------------------------------------------------------

def default_of(field: Field) -> Any:
    if field.default is not MISSING:
        return field.default
    return field.default_factory() if field.default_factory is not MISSING else MISSING


def settings() -> dict[str, Any]:
    """Every setting config.yaml accepts, nested ones dotted (feed.items), with its default (MISSING: required)."""
    found = {}
    for field in fields(Config):
        if field.name not in KEYS:
            continue
        default = default_of(field)
        if is_dataclass(default):
            found |= {f"{field.name}.{sub.name}": default_of(sub) for sub in fields(default)}
        else:
            found[field.name] = default
    return found


def shown_default(value: Any) -> str:
    """A default as config.md writes it in its default column."""
    if value is MISSING:
        return "required"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    return '`""`' if value == "" else f"`{value}`"


def test_the_settings_are_read_from_config_py():
    names = settings()
    assert {"url", "title", "feed.items", "feed.link_posts", "excerpt"} <= set(names)
    assert {name.split(".")[0] for name in names} == KEYS


@pytest.mark.parametrize("name", sorted(settings()))
def test_every_setting_is_documented_with_its_default(name: str):
    rows = table_rows(doc("config.md"))
    assert name in rows, f"docs/config.md has no row for `{name}`"
    expected = shown_default(settings()[name])
    cell = rows[name]
    assert cell.lower().startswith(expected.lower()), f"`{name}`: default column is {cell!r}, config.py says {expected}"


def test_search_is_documented_before_it_lands():
    row = table_rows(doc("config.md")).get("search", "")
    assert row.startswith("`false`")
    assert "linkblog[search]" in doc("config.md")


# --- front matter ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(KNOWN_FIELDS | {"relinked"}))
def test_every_front_matter_key_is_documented(key: str):
    assert key in table_rows(doc("front-matter.md")), f"docs/front-matter.md has no row for `{key}`"


# --- the command line ------------------------------------------------------------------------------------

def commands(command: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every parser of the CLI with its command path: (), ("build",), ("import", "wordpress"), ..."""
    yield path, command
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, (*path, name))


def arguments(command: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in command._actions
            if not isinstance(a, (argparse._SubParsersAction, argparse._HelpAction))]


def section(text: str, command: str) -> str:
    """The part of commands.md under the heading naming `linkblog COMMAND`."""
    parts = re.split(r"^## ", text, flags=re.M)
    found = [p for p in parts[1:] if p.startswith(f"`linkblog {command}`")]
    assert found, f"docs/commands.md has no section `linkblog {command}`"
    return found[0]


def where_documented(path: tuple[str, ...]) -> str:
    text = doc("commands.md")
    return text if not path else section(text, path[0])


def names_of(action: argparse.Action) -> list[str]:
    return list(action.option_strings) or [action.metavar or action.dest.upper()]


CLI = [(path, name) for path, command in commands(parser()) for action in arguments(command)
       for name in names_of(action)]


def test_the_cli_is_walked():
    paths = {path for path, _ in CLI}
    assert {("build",), ("serve",), ("new",), ("init",), ("import", "hugo")} <= paths
    assert (("serve",), "--no-drafts") in CLI and ((), "--version") in CLI


@pytest.mark.parametrize("path, name", CLI, ids=[" ".join((*p, n)) for p, n in CLI])
def test_every_command_and_option_is_documented(path: tuple[str, ...], name: str):
    text = where_documented(path)
    for command in path[1:]:
        assert f"`{command}`" in text, f"`linkblog {' '.join(path)}` is not in docs/commands.md"
    token = re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])")
    where = f"`linkblog {' '.join(path)}`"
    assert any(token.search(span) for span in code_spans(text)), f"{name} of {where} is not in docs/commands.md"


def defaults() -> list[tuple[tuple[str, ...], str, str]]:
    """(command path, option, its default as text) for each option whose default is a value worth stating."""
    found = []
    for path, command in commands(parser()):
        for action in arguments(command):
            value = action.default
            if not action.option_strings or value in (None, [], argparse.SUPPRESS) or isinstance(value, bool):
                continue
            text = f"{value:g}" if isinstance(value, float) else str(value)
            found.append((path, action.option_strings[0], text))
    return found


@pytest.mark.parametrize("path, option, default", defaults(), ids=[" ".join((*p, o)) for p, o, _ in defaults()])
def test_every_option_s_default_is_in_its_row(path: tuple[str, ...], option: str, default: str):
    rows = [line for line in where_documented(path).splitlines()
            if re.match(r"\| `" + re.escape(option) + r"(?![\w-])", line)]
    assert rows, f"no table row for {option} of `linkblog {' '.join(path)}` in docs/commands.md"
    assert any(default in row for row in rows), f"{option}: the default {default!r} is not in its row"


# --- templates -------------------------------------------------------------------------------------------

class Recording(Renderer):
    """A Renderer that notes each template it renders, with the names in its context and page.extra."""

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.seen: dict[str, set[str]] = {}

    def render(self, name: str, context: dict[str, Any]) -> str:
        names = self.seen.setdefault(name, set())
        names |= set(context)
        page = context.get("page")
        if page is not None:
            names |= {f"page.extra.{key}" for key in page.extra}
        return super().render(name, context)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    """Every page of a small site with tags, sources, a via link and sources.yaml, rendered as a build does."""
    posts = {**SAMPLE_POSTS, "2016-09-01-thanks.md": post_text(
        "Thanks", "2016-09-01", "> Quoted.\n\nMine.", link="https://example.com/x", source="Seth Godin",
        via="{name: Sheri, url: 'https://sheri.example/'}", tags="[support]", aliases="[/thanks-old/]")}
    root = make_site(tmp_path_factory.mktemp("docs") / "site", posts,
                     files={"sources.yaml": "- name: Seth Godin\n  url: https://seths.blog/\n  description: Daily.\n"})
    loaded, problems = load_site(root / "config.yaml")
    assert loaded is not None, problems
    renderer = Recording(loaded.config, template_dirs(loaded.config.root))
    for page in loaded.pages:
        page_bytes(renderer, loaded.config, page)
    return renderer


def test_every_template_is_documented(rendered: Recording):
    spans = code_spans(doc("templates.md"))
    files = {p.name for p in (theme_dir() / "templates").iterdir()}
    assert set(rendered.seen) <= files
    assert not files - spans, f"templates not in docs/templates.md: {sorted(files - spans)}"


def test_every_variable_a_template_is_given_is_documented(rendered: Recording):
    spans = code_spans(doc("templates.md"))
    given = set().union(*rendered.seen.values())
    assert {"page", "post", "heading", "page.extra.rows"} <= given
    assert not given - spans, f"not in docs/templates.md: {sorted(given - spans)}"


def public_names(kind: type) -> set[str]:
    """The public fields and properties of a dataclass."""
    named = {f.name for f in fields(kind) if not f.name.startswith("_")}
    return named | {name for name in dir(kind) if isinstance(getattr(kind, name), property)}


@pytest.mark.parametrize("kind", TEMPLATE_OBJECTS, ids=[k.__name__ for k in TEMPLATE_OBJECTS])
def test_every_field_of_what_templates_see_is_documented(kind: type):
    spans = code_spans(doc("templates.md"))
    prefix = TEMPLATE_OBJECTS[kind]
    missing = {f"{prefix}.{name}" for name in public_names(kind)} - spans
    assert not missing, f"not in docs/templates.md: {sorted(missing)}"


def test_every_global_and_filter_is_documented(tmp_path: Path):
    env = Renderer(Config(root=tmp_path, url="https://example.org/"), [theme_dir() / "templates"]).env
    plain = jinja2.Environment()
    ours = (set(env.globals) - set(plain.globals)) | {f"|{name}" for name in set(env.filters) - set(plain.filters)}
    spans = {span.split("(")[0] for span in code_spans(doc("templates.md"))}
    assert {"site", "entry", "|date"} <= ours
    assert not ours - spans, f"not in docs/templates.md: {sorted(ours - spans)}"


# --- links -----------------------------------------------------------------------------------------------

def heading_anchor(heading: str) -> str:
    """The id GitHub gives a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {heading_anchor(h) for h in re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M)}


MARKDOWN = [REPO / "README.md", *sorted(DOCS.glob("*.md"))]


@pytest.mark.parametrize("page", MARKDOWN, ids=[p.relative_to(REPO).as_posix() for p in MARKDOWN])
def test_links_lead_to_files_in_the_repository(page: Path):
    text = page.read_text(encoding="utf-8")
    for target in _LINK.findall(_CODE.sub("", prose(text))):
        if re.match(r"[a-z]+:", target):
            continue  # a web address, not a file
        file, _, fragment = target.partition("#")
        linked = (page.parent / file).resolve() if file else page
        assert linked.is_relative_to(REPO) and linked.exists(), f"{page.name}: {target} is not in the repository"
        if fragment:
            assert fragment in anchors(linked), f"{page.name}: {target} has no such heading"
    for span in code_spans(text):
        # A path under posts/ is a site's post, shown as an example, not a page to read.
        if re.fullmatch(r"[\w.-]+/[\w./-]+\.md", span) and not span.startswith("posts/"):
            assert (REPO / span).exists(), f"{page.name} names {span}, which is not in the repository"


def test_the_readme_links_the_reference():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "(docs/README.md)" in readme or "(docs/)" in readme
    for name in ("config.md", "front-matter.md", "templates.md", "commands.md"):
        assert f"({name})" in doc("README.md")

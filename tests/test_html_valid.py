"""Every HTML page the default theme writes passes the Nu Html Checker without an error."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import SAMPLE_POSTS, make_site, post_text, run_cli
from test_example_site import REPO, build_example
from test_link_posts import POSTS, SOURCES_YAML, SUB_CONFIG

VNU = REPO / ".cache" / "node" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
MARKUP = post_text(
    "Markup of every kind", "2016-09-05 18:15:30.001",  # a fraction of a second, as a Blogger feed gives it
    "Intro with `code`, *emphasis* and a footnote.[^1]\n\n"
    "| Plan | Price |\n| --- | ---: |\n| Basic | $5 |\n\n"
    "```python\nprint('<hi>')\n```\n\n- one\n- two\n\n1. first\n2. second\n\n---\n\n"
    "<figure><img src=\"/images/x.png\" alt=\"A chart\"><figcaption>A chart</figcaption></figure>\n\n"
    "~~struck~~ and a [link](https://example.com/?a=1&b=2).\n\n[^1]: The footnote.",
    tags="[support, 'Tips & Tricks']", link="https://example.com/a?x=1&y=2", source="Ann & Bob",
    via="{name: Sheri, url: 'https://sheri.example/'}")
EMPTY_CONFIG = "title: Nothing Yet\nurl: https://example.org/empty/\n"
# A preview of link posts: relations, sources, excerpts with "Read more", draft and scheduled markers.
PREVIEW_POSTS = {**POSTS, "draft.md": post_text("A draft", "2016-05-05 10:00", "> Unsure.\n\nMore.", draft="true",
                                                link="https://example.com/draft", source="Seth Godin"),
                 "later.md": post_text("Later", "2999-01-01 10:00", "Not yet.", tags="[support]", draft="true")}


def vnu_jar() -> Path:
    """The checker's jar, installed with npm under the repo's .cache/ if it is not there yet."""
    if not VNU.is_file():
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                        str(REPO / ".cache" / "node"), "vnu-jar"], check=True, timeout=600)
    return VNU


def check(files: list[Path]) -> list[dict]:
    """The Nu Html Checker's error messages for the files."""
    done = subprocess.run(["java", "-jar", str(vnu_jar()), "--errors-only", "--format", "json",
                           *map(str, files)], capture_output=True, text=True, timeout=300)
    report = json.loads(done.stderr or done.stdout)
    return [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """The HTML files of the example site, a small test site and an empty site, each built once."""
    root = tmp_path_factory.mktemp("html")
    example, _ = build_example(root / "example")
    small = make_site(root / "small", {**SAMPLE_POSTS, "2016-09-05-markup.md": MARKUP})
    empty = make_site(root / "empty", {}, config=EMPTY_CONFIG)
    preview = make_site(root / "preview", PREVIEW_POSTS, config=SUB_CONFIG + "excerpt: quote\n",
                        files={"sources.yaml": SOURCES_YAML})
    for site, args in ((small, ()), (empty, ()), (preview, ("--drafts", "--future"))):
        run = run_cli(site, "build", *args)
        assert run.code == 0, run.err
    return {name: sorted(out.rglob("*.html")) for name, out in
            (("example", example), ("small", small / "build"), ("empty", empty / "build"),
             ("preview", preview / "build"))}


def test_every_page_is_valid_html(pages: dict[str, list[Path]]):
    assert len(pages["example"]) > 80 and len(pages["small"]) > 15 and len(pages["empty"]) >= 3
    preview = "".join(path.read_text("utf-8") for path in pages["preview"])
    assert all(f'class="{name}"' in preview for name in ("mark mark-draft", "mark mark-scheduled", "read-more",
                                                          "related", "source-nav", "orders"))
    errors = check([path for files in pages.values() for path in files])
    shown = "\n".join(f"{m.get('url', '')}:{m.get('lastLine', '')}: {m.get('message')} [{m.get('extract', '')}]"
                      for m in errors)
    print(shown)
    assert not errors, f"{len(errors)} HTML errors:\n{shown}"

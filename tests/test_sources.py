"""sources.yaml: entries, aliases folding by slug, and every mistake at its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import make_site, post_text, run_cli

from linkblog.sources import NO_SOURCES, load_sources

GOOD = """\
- name: Scott Berkun
  url: https://scottberkun.com/
  aliases: ["Berkun, Scott", scottberkun.com]
  description: Writes on work and management.
- name: Seth Godin
  aliases: Seth's Blog
"""


def sources_at(tmp_path: Path, text: str | bytes):
    path = tmp_path / "sources.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return load_sources(tmp_path)


def test_no_file_is_no_sources(tmp_path: Path):
    assert load_sources(tmp_path) == (NO_SOURCES, [])


def test_entries_and_their_spellings(tmp_path: Path):
    sources, problems = sources_at(tmp_path, GOOD)
    assert problems == []
    berkun, godin = sources.entries
    assert (berkun.name, berkun.url, berkun.aliases, berkun.description) == (
        "Scott Berkun", "https://scottberkun.com/", ("Berkun, Scott", "scottberkun.com"),
        "Writes on work and management.")
    assert godin.aliases == ("Seth's Blog",) and godin.url is None
    assert [sources.slug(s) for s in ("Berkun, Scott", "berkun scott", "scottberkun.com", "Scott Berkun")] == [
        "scott-berkun"] * 4
    assert sources.slug("Seths Blog") == "seth-godin"
    assert sources.slug("Someone Else") == "someone-else"
    assert sources.entry("scott-berkun") is berkun
    assert sources.entry("berkun-scott") is None  # an alias has no page of its own


def test_an_empty_file_is_no_sources(tmp_path: Path):
    assert sources_at(tmp_path, "# nothing yet\n") == (NO_SOURCES, [])


@pytest.mark.parametrize(("text", "line", "words"), [
    ("- name: A\n  url: ftp://a.example/\n", 2, "'url' must be an http(s) URL"),
    ("- name: A\n  url: http://[oops\n", 2, "'url' must be an http(s) URL such as https://example.com/, not "
                                          "'http://[oops'"),
    ("- name: A\n  url: mailto:a@a.example\n", 2, "'url' must be an http(s) URL"),  # a post's link may be one
    ("- name: A\n  url: https://a.example:99999/\n", 2, "port"),
    ("- name: A\n  url: 123\n", 2, "'url' must be an http(s) URL"),
    ("- name: A\n  url: 2020-01-01\n", 2, "'url' must be an http(s) URL"),
    ("- name: A\n  url: https://\n", 2, "'url' must be an http(s) URL such as"),
    ("- name: A\n  alias: [B]\n", 2, "unknown key 'alias' (did you mean 'aliases'?)"),
    ("- name: A\n  null: B\n", 2, "unknown key 'null'"),
    ("- name: A\n  url: https://a.example/\n  True: B\n", 3, "unknown key 'true'"),
    ("- name: A\n  url: https://a.example/\n  ~: B\n", 3, "unknown key 'null'"),
    ("- name: A\n  true: B\n  yes: C\n", 3, "duplicate key 'true'"),
    ("- url: https://a.example/\n", 1, "needs a 'name'"),
    ("- name:\n", 1, "needs a 'name'"),
    ("- name: [A, B]\n", 1, "'name' must be text"),
    ("- just a name\n", 1, "must be a mapping"),
    ("name: A\n", 1, "must be a list of sources"),
    ("- name: A\n  name: B\n", 2, "duplicate key 'name'"),
    ("- name: 'A\n", 1, "never closed"),
    ("- name: A\n- name: B\n  aliases: [a]\n", 3, "'a' is claimed by both 'A' (line 1) and 'B'"),
    ("- name: A\n- name: a\n", 2, "'a' is claimed by both 'A' (line 1) and 'a'"),
])
def test_mistakes_are_reported_at_their_line(tmp_path: Path, text: str, line: int, words: str):
    sources, problems = sources_at(tmp_path, text)
    assert sources == NO_SOURCES
    assert [(p.path, p.line) for p in problems] == [("sources.yaml", line)]
    assert words in problems[0].message
    assert str(problems[0]).startswith(f"sources.yaml:{line}: ")


def test_bad_utf8_names_its_line(tmp_path: Path):
    _, problems = sources_at(tmp_path, b"- name: A\n- name: \xff\n")
    assert [(p.path, p.line) for p in problems] == [("sources.yaml", 2)]


def test_every_entry_problem_is_reported_at_once(tmp_path: Path):
    _, problems = sources_at(tmp_path, "- name: A\n  url: nope\n- nam: B\n")
    assert [p.line for p in problems] == [2, 3, 3]


def test_an_entry_with_a_bad_field_still_clashes_in_the_same_run(tmp_path: Path):
    _, problems = sources_at(tmp_path, "- name: A\n  url: ftp://a.example/\n- name: B\n  aliases: [a]\n")
    assert [str(p) for p in problems] == ["sources.yaml:2: 'url' must be an http(s) URL such as "
                                          "https://example.com/, not 'ftp://a.example/'",
                                          "sources.yaml:4: 'a' is claimed by both 'A' (line 1) and 'B'"]


def test_a_url_is_percent_encoded_as_a_posts_link_is(tmp_path: Path):
    sources, problems = sources_at(tmp_path, '- name: A\n  url: https://a.example/ with <space> "quoted"\n')
    assert problems == []
    assert sources.entries[0].url == "https://a.example/%20with%20%3Cspace%3E%20%22quoted%22"


def test_the_source_page_links_the_encoded_url(tmp_path: Path):
    site = make_site(tmp_path / "site", {"a.md": post_text("A", "2015-01-01", source="A")},
                     files={"sources.yaml": "- name: A\n  url: https://a.example/ with space\n"})
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    page = BeautifulSoup((site / "build/source/a/index.html").read_text("utf-8"), "html.parser")
    assert page.select_one("a.source-home")["href"] == "https://a.example/%20with%20space"


def test_a_line_break_in_a_sources_url_is_dropped_as_in_a_posts_link(tmp_path: Path):
    sources, problems = sources_at(tmp_path, '- name: A\n  url: "https://a.example/long\\npath"\n')
    assert problems == [] and sources.entries[0].url == "https://a.example/longpath"


def test_names_and_aliases_stay_text_as_written_as_a_posts_source_does(tmp_path: Path):
    # YAML 1.1 reads 0x1F as 31 and Yes as true: the post's `source: 0x1F` would then match nothing
    sources, problems = sources_at(tmp_path, "- name: 0x1F\n  description: 030\n- name: Yes\n  aliases: [no, On]\n")
    assert problems == []
    hexed, yes = sources.entries
    assert (hexed.name, hexed.description, yes.name, yes.aliases) == ("0x1F", "030", "Yes", ("no", "On"))
    assert sources.slug("0x1F") == "0x1f" and sources.entry("0x1f") is hexed

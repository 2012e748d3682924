"""`search: true`: a Pagefind index of the post pages, a /search/ page and a header box; no extra, no search."""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import CONFIG, SAMPLE_POSTS, age, make_site, post_text, run_cli, tree_bytes

from linkblog.build import Builder, BuildOptions
from linkblog.cli import main
from linkblog.search import Later, SearchError, reindex

SEARCH_CONFIG = CONFIG + "search: true\n"
SUB_CONFIG = CONFIG.replace("url: https://example.org/", "url: https://example.org/notes/")
SUB_SEARCH = SUB_CONFIG + "search: true\n"
POST = "posts/2015-06-01-work-vs-progress.md"


def build(site: Path, *args: str, env: dict[str, str] | None = None) -> Path:
    run = run_cli(site, "build", *args, env=env)
    assert run.code == 0, run.err
    return site / "build"


def page(out: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((out / rel).read_text("utf-8"), "html.parser")


def indexed(out: Path) -> list[dict]:
    """Every page the index holds, as Pagefind stores it (a gzipped fragment per page)."""
    fragments = sorted((out / "pagefind" / "fragment").glob("*.pf_fragment"))
    return [json.loads(gzip.decompress(f.read_bytes()).removeprefix(b"pagefind_dcd")) for f in fragments]


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def searched(tmp_path: Path) -> Path:
    """The five-post site under /notes/ with search on."""
    return make_site(tmp_path / "site", SAMPLE_POSTS, config=SUB_SEARCH)


def test_search_is_off_by_default(site: Path):
    out = build(site)
    assert not (out / "pagefind").exists() and not (out / "search").exists()
    home = page(out, "index.html")
    assert home.select_one("form[role=search]") is None
    assert "Search" not in [a.get_text() for a in home.select("header nav a")]


def test_only_post_pages_are_indexed(searched: Path):
    out = build(searched)
    assert json.loads((out / "pagefind/pagefind-entry.json").read_text())["languages"]["en"]["page_count"] == 5
    assert (out / "pagefind/pagefind-ui.js").is_file()
    pages = {entry["url"]: entry for entry in indexed(out)}  # site paths: the search page adds the base path
    shown = pages["/2015/06/work-vs-progress/"]
    assert shown["meta"]["title"] == "Work vs. Progress"
    assert "Busy is not progress" in shown["content"]
    assert "Archive" not in shown["content"]  # the header's navigation is not the post's content


def test_the_search_page_and_the_header_box(searched: Path):
    out = build(searched)
    search = page(out, "search/index.html")
    assert search.h1.get_text() == "Search"
    scripts = [s["src"] for s in search.select("script[src]")]
    assert scripts == ["/notes/pagefind/pagefind-ui.js"] and (out / "pagefind/pagefind-ui.js").is_file()
    assert search.select_one("link[href='/notes/pagefind/pagefind-ui.css']") is not None
    noscript = BeautifulSoup(search.noscript.decode_contents(), "html.parser")
    assert "JavaScript" in noscript.get_text() and noscript.a["href"] == "/notes/archive/"
    for rel in ("index.html", "2015/06/work-vs-progress/index.html", "search/index.html", "tag/support/index.html"):
        form = page(out, rel).select_one("header form[role=search]")
        assert form["action"] == "/notes/search/" and form.get("method") == "get", rel
        assert form.select_one("input[type=search]")["name"] == "q"
    nav = [a.get_text() for a in page(out, "index.html").select("header nav a")]
    assert nav.index("Sources") < nav.index("Search") < nav.index("Feed")
    assert page(out, "index.html").select_one("header nav a[href='/notes/search/']") is not None
    assert "/search/" not in (out / "sitemap.xml").read_text()  # it has no content of its own


def test_a_build_without_changes_leaves_the_index_alone(searched: Path):
    out = build(searched)
    age(searched)
    age(out)
    before = mtimes(out / "pagefind")
    assert build(searched) and mtimes(out / "pagefind") == before
    (searched / "static").mkdir()
    (searched / "static" / "notes.txt").write_text("not a page\n")
    assert build(searched) and mtimes(out / "pagefind") == before  # no page changed: nothing to index again


def test_an_edited_post_is_found_by_its_new_word(searched: Path):
    out = build(searched)
    assert not any("zanzibar" in entry["content"].lower() for entry in indexed(out))
    age(searched)
    with open(searched / POST, "a", encoding="utf-8") as handle:
        handle.write("\nA word from Zanzibar.\n")
    build(searched)
    found = [entry["url"] for entry in indexed(out) if "zanzibar" in entry["content"].lower()]
    assert found == ["/2015/06/work-vs-progress/"]


def test_an_incremental_index_equals_a_clean_one(searched: Path, tmp_path: Path):
    out = build(searched)
    (searched / "posts" / "2016-09-01-new.md").write_text(post_text("A new one", "2016-09-01", "Fresh words."))
    (searched / "posts" / "2015-09-21-customer-success.md").unlink()
    build(searched)
    incremental = tree_bytes(out / "pagefind")
    build(searched, "--clean", "--output", str(tmp_path / "clean"))
    assert tree_bytes(tmp_path / "clean" / "pagefind") == incremental
    urls = sorted(entry["url"] for entry in indexed(out))
    assert "/2016/09/new/" in urls and "/2015/09/customer-success/" not in urls


def test_index_files_removed_by_hand_come_back_with_the_next_build(searched: Path, tmp_path: Path):
    out = build(searched)
    before = tree_bytes(out / "pagefind")
    removed = sorted(rel for rel in before if rel.startswith(("fragment/", "index/")))[:2] + ["pagefind-ui.js"]
    for rel in removed:
        (out / "pagefind" / rel).unlink()
    build(searched)
    assert tree_bytes(out / "pagefind") == before
    (out / "pagefind" / "pagefind-ui.js").unlink()
    with open(searched / POST, "a", encoding="utf-8") as handle:  # and the index changes: the old files go
        handle.write("\nA word from Zanzibar.\n")
    build(searched)
    build(searched, "--clean", "--output", str(tmp_path / "clean"))
    assert tree_bytes(out / "pagefind") == tree_bytes(tmp_path / "clean" / "pagefind")


def test_an_index_file_removed_by_hand_comes_back_after_a_build_into_another_folder(searched: Path, tmp_path: Path):
    out = build(searched)
    before = tree_bytes(out / "pagefind")
    build(searched, "--output", str(tmp_path / "staging"))
    (out / "pagefind" / "pagefind-entry.json").unlink()  # below the folder's top: its own, as its build left it
    build(searched)
    assert tree_bytes(out / "pagefind") == before


def test_turning_search_off_removes_the_index_and_the_page(searched: Path):
    out = build(searched)
    (searched / "config.yaml").write_text(SUB_CONFIG)
    build(searched)
    assert not (out / "pagefind").exists() and not (out / "search").exists()


def test_a_site_without_posts_has_a_search_page_that_passes_its_check(tmp_path: Path):
    site = make_site(tmp_path / "site", {"draft.md": post_text("Draft", "2015-01-01 10:00", draft="true")},
                     config=SEARCH_CONFIG)
    out = build(site)
    assert (out / "search/index.html").is_file() and (out / "pagefind" / "pagefind-ui.js").is_file()
    run = run_cli(site, "check", "--output", "build")
    assert run.code == 0, run.err


def fails_in_one_line(err: str) -> str:
    """The one problem line of a failed build (the summary line aside), with no traceback."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if not line.startswith("build failed")]
    assert len(lines) == 1, err
    return lines[0]


def test_without_the_extra_search_is_a_one_line_error(searched: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]):
    (searched / "config.yaml").write_text(SUB_CONFIG)
    out = build(searched)
    before = tree_bytes(out)
    (searched / "config.yaml").write_text(SUB_SEARCH)
    monkeypatch.chdir(searched)
    monkeypatch.setitem(sys.modules, "pagefind", None)  # as if `pip install linkblog` alone: no import
    monkeypatch.setitem(sys.modules, "pagefind.service", None)
    assert main(["build"]) == 1
    line = fails_in_one_line(capsys.readouterr().err)
    assert "pip install 'linkblog[search]'" in line and line.startswith("config.yaml")
    assert tree_bytes(out) == before


def test_without_the_binary_search_is_a_one_line_error(searched: Path):
    (searched / "config.yaml").write_text(SUB_CONFIG)
    out = build(searched)
    before = tree_bytes(out)
    (searched / "config.yaml").write_text(SUB_SEARCH)
    run = run_cli(searched, "build", env={"PAGEFIND_BINARY_PATH": str(searched / "no-such-pagefind")})
    assert run.code == 1
    assert "pip install 'linkblog[search]'" in fails_in_one_line(run.err)
    assert tree_bytes(out) == before


def test_a_failing_index_is_a_one_line_problem_and_leaves_the_output(searched: Path):
    out = build(searched)
    before = tree_bytes(out)
    broken = searched.parent / "pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: the index could not be written' >&2\nexit 1\n")
    broken.chmod(0o755)
    with open(searched / POST, "a", encoding="utf-8") as handle:
        handle.write("\nMore words.\n")
    run = run_cli(searched, "build", env={"PAGEFIND_BINARY_PATH": str(broken)})
    assert run.code == 1
    assert "the index could not be written" in fails_in_one_line(run.err)
    assert tree_bytes(out) == before
    assert build(searched) and "More words" in (out / "2015/06/work-vs-progress/index.html").read_text()


SLUG_SEARCH = SUB_SEARCH.replace("permalink: /{year}/{month}/{slug}/", "permalink: /{slug}/")


def one_line_refusal(site: Path, change: Callable[[], object]) -> str:
    """The one line a build refuses `change` with, the output left as it was."""
    out = build(site)
    before = tree_bytes(out)
    change()
    run = run_cli(site, "build")
    assert run.code == 1 and tree_bytes(out) == before
    return fails_in_one_line(run.err)


def test_a_post_in_the_index_folder_is_a_one_line_error_and_leaves_the_output(tmp_path: Path):
    site = make_site(tmp_path / "site", SAMPLE_POSTS, config=SLUG_SEARCH)
    post = post_text("Search tips", "2016-09-01", slug="pagefind")
    assert one_line_refusal(site, lambda: (site / "posts" / "search-tips.md").write_text(post)) == (
        "posts/search-tips.md: writes /notes/pagefind/, inside the search index's folder /notes/pagefind/")


def test_a_static_file_in_the_index_folder_is_a_one_line_error_and_leaves_the_output(searched: Path):
    def add_static_file() -> None:
        (searched / "static" / "pagefind").mkdir(parents=True)
        (searched / "static" / "pagefind" / "extra.txt").write_text("mine\n")

    assert one_line_refusal(searched, add_static_file) == (
        "static/pagefind/extra.txt: would replace the search index at /pagefind/extra.txt; rename or remove it")


def test_without_search_the_index_folder_is_the_sites_and_turning_search_on_names_what_is_there(tmp_path: Path):
    site = make_site(tmp_path / "site", {**SAMPLE_POSTS, "search-tips.md": post_text("Tips", "2016-09-01",
                                                                                     slug="pagefind")},
                     config=SLUG_SEARCH.replace("search: true\n", ""), files={"static/pagefind/extra.txt": "mine\n"})
    out = build(site)
    assert (out / "pagefind/index.html").is_file() and (out / "pagefind/extra.txt").is_file()
    before = tree_bytes(out)
    (site / "config.yaml").write_text(SLUG_SEARCH)
    run = run_cli(site, "build")
    assert run.code == 1 and "Traceback" not in run.err
    assert [line.split(": ")[0] for line in run.err.splitlines()[:-1]] == ["posts/search-tips.md",
                                                                           "static/pagefind/extra.txt"]
    assert tree_bytes(out) == before
    (site / "posts" / "search-tips.md").unlink()
    (site / "static" / "pagefind" / "extra.txt").unlink()
    build(site)
    assert not (out / "pagefind/index.html").exists() and not (out / "pagefind/extra.txt").exists()
    assert (out / "pagefind/pagefind-ui.js").is_file()


# A preview's builds (linkblog serve): the index follows the pages, once they have been told.

def preview_builder(site: Path, out: Path) -> Builder:
    return Builder(site / "config.yaml", {"output_dir": str(out)}, BuildOptions(drafts=True, future=True),
                   persist=False)


def test_a_preview_build_leaves_the_index_for_later_and_the_later_index_equals_a_clean_one(searched: Path,
                                                                                           tmp_path: Path):
    out, later = tmp_path / "preview", Later()
    builder = preview_builder(searched, out)
    with later.builds():
        assert builder.build().ok  # the first build writes everything: it indexes at once
    assert later.pending is None and (out / "pagefind/pagefind-entry.json").is_file()
    with open(searched / POST, "a", encoding="utf-8") as handle:
        handle.write("\nA word from Zanzibar.\n")
    (searched / "posts" / "2016-09-01-new.md").write_text(post_text("A new one", "2016-09-01", "Fresh words."))
    with later.builds():
        result = builder.build()
    assert result.ok and "2015/06/work-vs-progress/index.html" in result.written
    assert not any(rel.startswith("pagefind/") for rel in result.written + result.deleted)
    assert not any("zanzibar" in entry["content"].lower() for entry in indexed(out))  # not yet
    job = later.pending
    assert job is not None and job.out == out
    assert reindex(job, interrupted=lambda: False)
    later.pending = None  # as the preview does once it ran
    found = [entry["url"] for entry in indexed(out) if "zanzibar" in entry["content"].lower()]
    assert found == ["/2015/06/work-vs-progress/"] and "/2016/09/new/" in [e["url"] for e in indexed(out)]
    build(searched, "--drafts", "--future", "--output", str(tmp_path / "clean"))
    assert tree_bytes(out / "pagefind") == tree_bytes(tmp_path / "clean" / "pagefind")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean", "preview", "site"]  # no work folder left
    with later.builds():
        assert builder.build().ok and later.pending is None  # nothing changed: nothing to index
    (searched / "static").mkdir()
    (searched / "static" / "notes.txt").write_text("not a page\n")
    with later.builds():
        assert builder.build().ok and later.pending is None  # no page changed


def test_an_interrupted_later_index_stops_pagefind_and_leaves_the_last_index(searched: Path, tmp_path: Path):
    out, later = tmp_path / "preview", Later()
    builder = preview_builder(searched, out)
    assert builder.build().ok
    before = tree_bytes(out / "pagefind")
    with open(searched / POST, "a", encoding="utf-8") as handle:
        handle.write("\nMore words.\n")
    with later.builds():
        assert builder.build().ok
    assert later.pending is not None
    assert not reindex(later.pending, interrupted=lambda: True)  # a save came while Pagefind ran
    assert tree_bytes(out / "pagefind") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["preview", "site"]


def test_a_failing_later_index_is_one_problem_and_leaves_the_last_index(searched: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch):
    out, later = tmp_path / "preview", Later()
    builder = preview_builder(searched, out)
    assert builder.build().ok
    before = tree_bytes(out / "pagefind")
    with open(searched / POST, "a", encoding="utf-8") as handle:
        handle.write("\nMore words.\n")
    with later.builds():
        assert builder.build().ok
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: the index could not be written' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(broken))
    assert later.pending is not None
    with pytest.raises(SearchError) as failed:
        reindex(later.pending, interrupted=lambda: False)
    assert str(failed.value.problem) == ("search: Pagefind could not index the site: "
                                         "Error: the index could not be written")
    assert tree_bytes(out / "pagefind") == before
    broken.unlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["preview", "site"]

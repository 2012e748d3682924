"""load: the pure load reads a site and reports every problem without writing anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CONFIG, SAMPLE_POSTS, make_site, post_text, run_cli, tree_bytes

from linkblog.load import load_site, published_urls


def test_load_writes_nothing(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", SAMPLE_POSTS)
    before = tree_bytes(site)
    loaded, problems = load_site(site / "config.yaml")
    assert problems == []
    assert loaded is not None and len(loaded.site.posts) == 5
    assert "/2015/06/work-vs-progress/" in {page.url for page in loaded.pages}
    assert tree_bytes(site) == before


def test_load_reports_bad_posts_and_url_collisions_together(tmp_path: Path) -> None:
    posts = dict(SAMPLE_POSTS)
    posts["broken.md"] = "---\ntitle: [unclosed\ndate: 2015-01-01\n---\n"
    posts["twin-a.md"] = post_text("Twin", "2016-02-02")
    posts["twin-b.md"] = post_text("Twin", "2016-02-03")
    site = make_site(tmp_path / "site", posts)
    loaded, problems = load_site(site / "config.yaml")
    assert loaded is not None
    assert {(p.path, p.warning) for p in problems} == {("posts/broken.md", False), ("posts/twin-a.md", False)}
    assert not (site / "build").exists() and not (site / ".cache").exists()


def test_load_without_config_names_it(tmp_path: Path) -> None:
    loaded, problems = load_site(tmp_path / "nope.yaml")
    assert loaded is None and [p.path for p in problems] == [str(tmp_path / "nope.yaml")]


def test_published_urls_put_a_post_dated_in_a_skipped_day_where_the_build_does(tmp_path: Path) -> None:
    config = CONFIG.replace("timezone: UTC", "timezone: Pacific/Apia").replace(
        "permalink: /{year}/{month}/{slug}/", "permalink: /{year}/{month}/{day}/{slug}/")
    site = make_site(tmp_path / "site", {"lost-day.md": post_text("Lost day", "2011-12-30 10:00")}, config=config)
    loaded, _ = load_site(site / "config.yaml")
    assert loaded is not None
    assert set(published_urls(loaded.config)) == {"/2011/12/31/lost-day/"}  # Samoa skipped December 30, 2011
    assert [page.url for page in loaded.pages if page.url.startswith("/2011/12/3")] == ["/2011/12/31/lost-day/"]


def test_published_urls_hold_a_post_with_a_warning_which_the_build_publishes(tmp_path: Path) -> None:
    post = post_text("First", "2015-06-01").replace("date:", "tag: misspelt\ndate:", 1)
    site = make_site(tmp_path / "site", {"my-first.md": post})
    loaded, problems = load_site(site / "config.yaml")
    assert loaded is not None and [p.warning for p in problems] == [True]
    assert "/2015/06/first/" in {page.url for page in loaded.pages}
    assert published_urls(loaded.config) == {"/2015/06/first/": {str(site / "posts" / "my-first.md")}}


@pytest.mark.parametrize(("first", "rest"), [
    ("What I learned from a month of writing", "every single day"),
    # a slug too long for a file name: cut, and ended with a digest of the whole
    ("What I learned from a month of writing every single day about the craft of making small tools",
     "and sharing them"),
    ("नमस्ते " * 6, "दुनिया"),
])
def test_new_sees_a_post_whose_long_title_goes_on_below_its_first_line(tmp_path: Path, first: str,
                                                                        rest: str) -> None:
    site = make_site(tmp_path / "site", config=CONFIG.replace("permalink: /{year}/{month}/{slug}/",
                                                              "permalink: /{slug}/"))
    bundle = site / "posts" / "trip" / "index.md"  # a file name that does not give the slug away
    bundle.parent.mkdir(parents=True)
    bundle.write_text(f"---\ntitle: {first}\n  {rest}\ndate: 2026-11-02\n---\nBody.\n", encoding="utf-8")
    run = run_cli(site, "new", f"{first.strip()} {rest}")
    assert run.code == 0, run.err
    assert "posts/trip/index.md" in run.err  # named as the post already at that URL
    assert run_cli(site, "build").code == 0


@pytest.mark.parametrize("text", ["---\ntitle : Café society\ndate: 2026-11-02\n---\nBody.\n",
                                  '---\n"title": Café society\ndate: 2026-11-02\n---\nBody.\n',
                                  "---\rtitle: Café society\rdate: 2026-11-02\r---\rBody.\r",
                                  '---\n"title": Café society\ndate: 2026-11-02\n---\n```yaml\ntitle: Other\n```\n',
                                  '---\n"title": Café society\ndate: 2026-11-02\n----\n```yaml\ntitle: Other\n```\n'])
def test_new_sees_a_post_whose_title_line_is_written_otherwise(tmp_path: Path, text: str) -> None:
    """A key spaced or quoted, old-Mac line ends: the file is read as the build reads it."""
    site = make_site(tmp_path / "site", {"older.md": text},
                     config=CONFIG.replace("permalink: /{year}/{month}/{slug}/", "permalink: /{slug}/"))
    run = run_cli(site, "new", "Café society")
    assert run.code == 0, run.err
    assert run.out.strip().endswith("-cafe-society-2.md") and "posts/older.md" in run.err
    assert run_cli(site, "build").code == 0


@pytest.mark.parametrize("line", ['"Caf\\u00e9 society"', '"Caf\\xe9 society"', '"Café\\tsociety"'])
def test_new_sees_a_post_whose_title_yaml_writes_with_escapes(tmp_path: Path, line: str) -> None:
    """A title quoted with escapes, as PyYAML writes one by default, is read as the build reads it."""
    site = make_site(tmp_path / "site", {"older.md": f"---\ntitle: {line}\ndate: 2026-11-02\n---\nBody.\n"},
                     config=CONFIG.replace("permalink: /{year}/{month}/{slug}/", "permalink: /{slug}/"))
    run = run_cli(site, "new", "Café society")
    assert run.code == 0, run.err
    assert run.out.strip().endswith("-cafe-society-2.md") and "posts/older.md" in run.err
    assert run_cli(site, "build").code == 0

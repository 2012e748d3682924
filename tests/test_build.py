"""build: the Builder stops early when nothing changed, and a watcher's changed paths give what a scan gives."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SAMPLE_POSTS, age, clean_build, make_site, post_text, run_cli, tree_bytes

from linkblog.build import Builder, BuildOptions
from linkblog.theme import theme_dir

NOW = datetime(2030, 1, 1, tzinfo=UTC)
OPTIONS = BuildOptions(now=NOW, jobs=1)
FILED = {"notes/2019-a.md": post_text("Filed away", "2019-01-05 10:00", "Kept in a folder.", tags="[filed]"),
         "notes/2019-b.md": post_text("Also filed", "2019-02-05 10:00", "Next to it.", tags="[filed]")}


def watched(site: Path) -> Builder:
    """A builder as `serve --watch` keeps one: in memory, told what changed."""
    builder = Builder(site / "config.yaml", {"output_dir": str(site / "watched")}, OPTIONS, persist=False)
    assert builder.build().ok
    return builder


def test_a_folder_moved_out_of_posts_takes_its_posts_along(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {**SAMPLE_POSTS, **FILED})
    builder = watched(site)
    assert (site / "watched/tag/filed/index.html").exists()
    (site / "posts/notes").rename(tmp_path / "notes")  # a watcher reports only the folder as deleted
    result = builder.build(changed=[site / "posts/notes"])
    assert result.ok and result.posts == len(SAMPLE_POSTS)
    assert not (site / "watched/tag/filed").exists()
    assert tree_bytes(site / "watched") == clean_build(site, site / "clean", NOW)


def test_posts_moved_away_whole_leave_no_post(site: Path, tmp_path: Path) -> None:
    builder = watched(site)
    (site / "posts").rename(tmp_path / "kept")  # a watcher reports posts/ alone
    result = builder.build(changed=[site / "posts"])
    assert result.ok and result.posts == 0
    assert tree_bytes(site / "watched") == clean_build(site, site / "clean", NOW)


def test_a_folder_moved_into_posts_brings_its_posts(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", SAMPLE_POSTS)
    make_site(tmp_path / "elsewhere", FILED)
    builder = watched(site)
    (tmp_path / "elsewhere/posts/notes").rename(site / "posts/notes")
    result = builder.build(changed=[site / "posts/notes"])
    assert result.ok and result.posts == len(SAMPLE_POSTS) + len(FILED)
    assert tree_bytes(site / "watched") == clean_build(site, site / "clean", NOW)


def test_a_deleted_post_is_dropped_without_a_scan(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builder = watched(site)
    gone = site / "posts/2015-09-21-customer-success.md"
    gone.unlink()
    with monkeypatch.context() as patch:
        patch.setattr(Builder, "scan", lambda *args: pytest.fail("scanned the whole site"))
        result = builder.build(changed=[gone])
    assert result.ok and result.posts == len(SAMPLE_POSTS) - 1
    assert tree_bytes(site / "watched") == clean_build(site, site / "clean", NOW)


def test_nothing_changed_renders_nothing(site: Path) -> None:
    assert Builder(site / "config.yaml", options=OPTIONS).build().ok
    age(site)
    result = Builder(site / "config.yaml", options=OPTIONS).build()
    assert result.ok and result.rendered == 0 and not result.written
    assert result.posts == len(SAMPLE_POSTS) and result.unchanged > 0


def test_an_edit_in_the_same_second_as_the_last_build_is_seen(site: Path) -> None:
    """Stat cannot tell an edit that keeps size and mtime: a file that recent is compared by its bytes."""
    path = site / "posts/2015-04-09-some-customers-suck.md"
    now = time.time_ns()
    os.utime(path, ns=(now, now))  # written a moment before the build, however slow the machine
    assert Builder(site / "config.yaml", options=OPTIONS).build().ok
    path.write_text(path.read_text().replace("Agreed.", "Agreed!"))  # the same size
    os.utime(path, ns=(now, now))
    result = Builder(site / "config.yaml", options=OPTIONS).build()
    assert result.ok
    assert "Agreed!" in (site / "build/2015/04/some-customers-suck/index.html").read_text()


def test_templates_moved_away_give_the_default_theme(site: Path, tmp_path: Path) -> None:
    (site / "templates").mkdir()
    (site / "templates" / "base.html").write_text((theme_dir() / "templates" / "base.html").read_text()
                                                  .replace("</body>", "<!-- the site's own --></body>"))
    builder = watched(site)
    assert "<!-- the site's own -->" in (site / "watched" / "index.html").read_text()
    (site / "templates").rename(tmp_path / "templates-away")
    assert builder.build(changed=[site / "templates"]).ok
    assert tree_bytes(site / "watched") == clean_build(site, site / "clean", NOW)


def test_a_post_that_is_a_symlink_is_a_post(site: Path, tmp_path: Path) -> None:
    builder = watched(site)
    elsewhere = make_site(tmp_path / "elsewhere", FILED) / "posts" / "notes" / "2019-a.md"
    link = site / "posts" / "2019-a.md"
    link.symlink_to(elsewhere)
    result = builder.build(changed=[link])
    assert result.ok and result.posts == len(SAMPLE_POSTS) + 1
    assert tree_bytes(site / "watched") == clean_build(site, site / "clean", NOW)


def test_an_edit_in_a_symlinked_folder_under_posts_is_built(site: Path, tmp_path: Path) -> None:
    """A watcher names a file in a symlinked folder through the link, where the build found it."""
    elsewhere = make_site(tmp_path / "elsewhere", FILED) / "posts" / "notes"
    (site / "posts" / "notes").symlink_to(elsewhere, target_is_directory=True)
    builder = watched(site)
    assert (site / "watched/tag/filed/index.html").exists()
    (elsewhere / "2019-a.md").write_text(post_text("Filed away", "2019-01-05 10:00", "Edited through the link.",
                                                   tags="[filed]"))
    result = builder.build(changed=[site / "posts" / "notes" / "2019-a.md"])
    assert result.ok and "/2019/01/filed-away/" in result.pages
    assert "Edited through the link." in (site / "watched/2019/01/filed-away/index.html").read_text()
    assert tree_bytes(site / "watched") == clean_build(site, site / "clean", NOW)


def test_an_edit_in_a_symlinked_folder_of_a_symlinked_posts_folder_is_built(tmp_path: Path) -> None:
    """posts/ itself a link, as the watcher names its files: by their place in the folder it leads to."""
    site = make_site(tmp_path / "site", SAMPLE_POSTS)
    real = (tmp_path / "real-posts").resolve()
    (site / "posts").rename(real)
    (site / "posts").symlink_to(real, target_is_directory=True)
    elsewhere = make_site(tmp_path / "elsewhere", FILED) / "posts" / "notes"
    (real / "notes").symlink_to(elsewhere, target_is_directory=True)
    builder = watched(site)
    (elsewhere / "2019-a.md").write_text(post_text("Filed away", "2019-01-05 10:00", "Edited twice removed.",
                                                   tags="[filed]"))
    result = builder.build(changed=[real / "notes" / "2019-a.md"])
    assert result.ok and "/2019/01/filed-away/" in result.pages
    assert tree_bytes(site / "watched") == clean_build(site, site / "clean", NOW)


def test_an_edit_in_a_build_cut_short_is_built_by_the_next(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A preview's build that stops on an unreadable file (a symlink loop, a vanished folder) keeps no
    half-made scan: the next build, told only of a later save, still has the edit."""
    builder = watched(site)
    post = site / "posts/2015-09-21-customer-success.md"
    post.write_text(post.read_text().replace("tags: [support, customer-success]", "tags: [support, hiring]"))
    with monkeypatch.context() as patch:
        patch.setattr("linkblog.build.stat_file", lambda path, rel: (_ for _ in ()).throw(OSError(40, "loop")))
        with pytest.raises(OSError):
            builder.build(changed=[post])
    later = site / "posts/2016-01-14-stop-apologising.md"
    later.write_text(later.read_text() + "\nOne more line.\n")
    assert builder.build(changed=[later]).ok
    assert (site / "watched/tag/hiring/index.html").exists()


def test_a_post_unreadable_when_read_is_read_again_once_readable(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A post restored with an old mtime and no read permission: once `chmod +r` (which leaves its stat key
    as it was) makes it readable, the next build reads it, where it used to keep reporting it unreadable."""
    builder = watched(site)
    post = site / "posts/2012-restored.md"
    post.write_text(post_text("Restored from a backup", "2012-03-04 10:00", "Back again."))
    a_year_ago = time.time() - 86_400 * 365
    os.utime(post, (a_year_ago, a_year_ago))
    real_read = Path.read_bytes
    with monkeypatch.context() as patch:
        patch.setattr(Path, "read_bytes", lambda path: (_ for _ in ()).throw(PermissionError(13, "Permission denied"))
                      if path.name == post.name else real_read(path))
        failed = builder.build(changed=[post])
    assert not failed.ok and [p.path for p in failed.problems if not p.warning] == ["posts/2012-restored.md"]
    result = builder.build(changed=[post])
    assert result.ok and "Back again." in (site / "watched/2012/03/restored-from-a-backup/index.html").read_text()


def test_a_config_broken_then_mended_as_it_was_changes_no_more_pages_than_the_edit(site: Path, tmp_path: Path) -> None:
    """A typo in config.yaml, fixed back, while `serve --watch` runs: the next edit rewrites the pages it
    changes, not every page of the site (the engine and what it wrote were dropped with the bad config)."""
    twin = make_site(tmp_path / "twin", SAMPLE_POSTS)
    builders = {root: watched(root) for root in (site, twin)}
    config = site / "config.yaml"
    good = config.read_text()
    config.write_text(good + "per_page: [\n")
    assert not builders[site].build(changed=[config]).ok
    config.write_text(good)
    results = []
    for root in (site, twin):
        post = root / "posts/2016-01-14-stop-apologising.md"
        post.write_text(post.read_text() + "\nOne more line.\n")
        results.append(builders[root].build(changed=[post, *([config] if root == site else [])]))
    assert all(result.ok for result in results)
    assert results[0].pages == results[1].pages and len(results[0].pages) < 20


def test_files_a_build_cannot_read_are_named_and_named_again_by_a_no_change_build(site):
    (site / "posts" / "gone.md").symlink_to(site / "posts" / "nowhere.md")
    os.mkfifo(site / "posts" / "pipe.md")  # read, it would hang the build
    (site / "posts" / "2015").mkdir()
    (site / "posts" / "2015" / "again").symlink_to(site / "posts", target_is_directory=True)
    (site / "static").mkdir()
    (site / "static" / "logo.png").symlink_to(site / "nowhere.png")
    for _ in range(2):
        run = run_cli(site, "build")
        assert run.code == 0, run.err
        named = sorted(line.split(":")[0] for line in run.err.splitlines())
        assert named == ["posts/2015/again", "posts/gone.md", "posts/pipe.md", "static/logo.png"]
        assert "Traceback" not in run.err
    assert len(list((site / "build").rglob("index.html"))) > 1


def test_an_include_marked_ignore_missing_may_be_absent_and_is_used_once_written(site):
    (site / "templates").mkdir()
    (site / "templates" / "post.html").write_text(
        '{% extends "theme/post.html" %}\n{% block main %}{{ super() }}'
        '{% include "_extra.html" ignore missing %}{% include ["_absent.html", "_more.html"] ignore missing %}'
        '{% endblock %}\n')
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    (site / "templates" / "_extra.html").write_text('<p class="extra">Written later.</p>\n')
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    page = (site / "build" / "2015" / "06" / "work-vs-progress" / "index.html").read_text()
    assert '<p class="extra">Written later.</p>' in page
    assert tree_bytes(site / "build") == clean_build(site, site.parent / "expected")


def test_a_post_whose_file_name_is_not_utf8_is_named_and_left_out_and_builds_go_on(site):
    with open(os.fsencode(site / "posts") + b"/caf\xe9.md", "wb") as post:
        post.write(b"---\ntitle: Cafe\ndate: 2020-02-02\n---\nx\n")
    os.symlink("/dev/zero", site / "posts" / "zero.md")
    for _ in range(2):
        run = run_cli(site, "build")
        assert run.code == 0, run.err
        assert "Traceback" not in run.err
        assert sorted(line.split(": ")[0] for line in run.err.splitlines()) == [r"posts/caf\udce9.md",
                                                                                 "posts/zero.md"]
        assert "not a regular file" in run.err


def test_a_static_cname_the_configs_cname_replaces_is_named(site):
    (site / "config.yaml").write_text((site / "config.yaml").read_text().replace(
        "url: https://example.org/", "url: https://notes.example.org/") + "cname: notes.example.org\n")
    (site / "static").mkdir()
    (site / "static" / "CNAME").write_text("old.example.net\n")
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    assert [line.split(": ")[0] for line in run.err.splitlines()] == ["static/CNAME"]
    assert (site / "build" / "CNAME").read_text() == "notes.example.org\n"


def test_a_build_told_of_changed_paths_names_what_it_cannot_read_and_forgets_it_once_mended(site, tmp_path):
    builder = Builder(site / "config.yaml", {"output_dir": str(tmp_path / "preview")}, BuildOptions(jobs=1),
                      persist=False)  # as serve builds
    assert builder.build().ok
    link = site / "posts" / "2017-01-01-later.md"
    link.symlink_to(site / "posts" / "nowhere.md")
    result = builder.build(changed=[link])
    assert [p.path for p in result.problems if p.warning] == ["posts/2017-01-01-later.md"]
    link.unlink()
    link.write_text(post_text("Later", "2017-01-01 10:00", tags="[x]"))
    result = builder.build(changed=[link])
    assert [p.path for p in result.problems if p.warning] == []
    assert (tmp_path / "preview" / "2017" / "01" / "later" / "index.html").is_file()
    odd = Path(os.fsdecode(os.fsencode(site / "posts") + b"/caf\xe9.md"))
    odd.write_bytes(b"---\ntitle: Cafe\ndate: 2020-02-02\n---\nx\n")
    result = builder.build(changed=[odd])
    assert [p.path for p in result.problems if p.warning] == ["posts/caf\udce9.md"]  # 0xe9, as Python decodes it

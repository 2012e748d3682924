"""Output is replaced whole or file by file through a journal: never partial, never lost."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CONFIG, age, make_site, post_text, run_cli, tree_bytes

from linkblog.build import Builder, BuildOptions
from linkblog.output import JOURNAL, Stage, recover, stage_dir


def a_site(root: Path, count: int) -> Path:
    """A generated site big enough that a build takes a while."""
    posts = {
        f"post-{i:04d}.md": post_text(f"Post {i}", f"20{10 + i % 10}-{1 + i % 12:02d}-{1 + i % 28:02d} 08:00",
                                      ("> A quote worth keeping.\n\n" + "Words of my own. " * 40 + "\n\n") * 3,
                                      tags=f"[tag-{i % 7}, tag-{i % 11}]", link=f"https://example.com/{i}",
                                      source=f"Source {i % 13}")
        for i in range(count)
    }
    return make_site(root, posts, CONFIG.replace("per_page: 2", "per_page: 5"))


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Path:
    return a_site(tmp_path_factory.mktemp("big") / "site", 400)


def test_a_staged_incremental_build_is_replayed_after_a_crash(tmp_path):
    out = tmp_path / "build"
    (out / "gone").mkdir(parents=True)
    (out / "gone" / "index.html").write_text("old")
    (out / "kept.html").write_text("old")
    stage = Stage(out, full=False).open()
    stage.write("kept.html", b"new")
    stage.write("added/index.html", b"added")
    stage.deleted = ["gone/index.html"]
    # The crash: the journal is written but nothing applied yet.
    journal = {"mode": "apply", "write": sorted(stage.written), "delete": stage.deleted}
    (stage.root / JOURNAL).write_text(json.dumps(journal))
    assert recover(out) == "finished applying an interrupted build"
    assert tree_bytes(out) == {"added/index.html": b"added", "kept.html": b"new"}
    assert not stage_dir(out).exists()


def test_a_stage_without_a_journal_is_discarded(tmp_path):
    out = tmp_path / "build"
    out.mkdir()
    (out / "index.html").write_text("old")
    Stage(out, full=True).open().write("index.html", b"half-built")
    assert recover(out) == "discarded an unfinished build"
    assert tree_bytes(out) == {"index.html": b"old"}
    assert not stage_dir(out).exists()


def test_a_full_build_swaps_the_whole_tree(tmp_path):
    out = tmp_path / "build"
    out.mkdir()
    (out / "stale.html").write_text("old")
    stage = Stage(out, full=True).open()
    stage.write("index.html", b"new")
    stage.commit()
    assert tree_bytes(out) == {"index.html": b"new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_a_swap_interrupted_after_the_exchange_is_not_undone(tmp_path):
    out = tmp_path / "build"
    stage = Stage(out, full=True).open()
    stage.write("index.html", b"new")
    journal = {"mode": "swap", "inode": stage.tree.stat().st_ino}
    (stage.root / JOURNAL).write_text(json.dumps(journal))
    os.replace(stage.tree, out)  # as if killed right after the swap itself
    recover(out)
    assert tree_bytes(out) == {"index.html": b"new"}
    assert not stage_dir(out).exists()


def clean_build(site: Path, out: Path) -> dict[str, bytes]:
    """The output of a build that neither reads nor writes the site's cache."""
    shutil.rmtree(out, ignore_errors=True)
    assert Builder(site / "config.yaml", {"output_dir": str(out)}, BuildOptions(jobs=1), persist=False).build().ok
    return tree_bytes(out)


def test_a_static_file_may_become_a_folder_and_back(site):
    (site / "static").mkdir()
    (site / "static" / "notes").write_text("a file")
    assert run_cli(site, "build").code == 0
    (site / "static" / "notes").unlink()
    (site / "static" / "notes").mkdir()
    (site / "static" / "notes" / "index.txt").write_text("now a folder")
    assert run_cli(site, "build").code == 0
    assert (site / "build" / "notes" / "index.txt").read_text() == "now a folder"
    (site / "static" / "notes" / "index.txt").unlink()
    (site / "static" / "notes").rmdir()
    (site / "static" / "notes").write_text("a file again")
    assert run_cli(site, "build").code == 0
    assert (site / "build" / "notes").read_text() == "a file again"


def test_a_journal_that_cannot_be_applied_is_discarded_and_the_site_rebuilt(site):
    assert run_cli(site, "build").code == 0
    stage = Stage(site / "build", full=False).open()
    stage.write("index.html", b"staged")
    (site / "build" / "index.html").unlink()
    (site / "build" / "index.html").mkdir()  # os.replace onto a folder fails
    (site / "build" / "index.html" / "x").write_text("in the way")
    (stage.root / JOURNAL).write_text(json.dumps({"mode": "apply", "write": ["index.html"], "delete": []}))
    from linkblog.cache import mark_dirty

    mark_dirty(site)  # as the build that wrote the journal did
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    assert "could not finish an interrupted build" in run.err
    assert tree_bytes(site / "build") == clean_build(site, site.parent / "expected")


def test_a_journal_never_reaches_outside_the_output(tmp_path):
    out = tmp_path / "site" / "build"
    out.mkdir(parents=True)
    (tmp_path / "site" / "precious.md").write_text("keep me")
    stage = Stage(out, full=False).open()
    (stage.root / JOURNAL).write_text(json.dumps({"mode": "apply", "write": [], "delete": ["../precious.md"]}))
    recover(out)
    assert (tmp_path / "site" / "precious.md").read_text() == "keep me"


def test_parallel_and_single_process_builds_are_byte_identical(big_site):
    assert run_cli(big_site, "build", "--jobs", "1", "--output", "one", "--clean").code == 0
    assert run_cli(big_site, "build", "--jobs", "2", "--output", "two", "--clean").code == 0
    assert tree_bytes(big_site / "one") == tree_bytes(big_site / "two")


def test_kill_9_at_random_moments_never_leaves_a_partial_site(big_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(big_site, site)
    assert run_cli(site, "build").code == 0
    rng = random.Random(5)
    for round_ in range(8):
        before = tree_bytes(site / "build")
        post = site / "posts" / f"post-{rng.randrange(400):04d}.md"
        post.write_text(post.read_text().replace("Words of my own.", f"Words, round {round_}.", 1))
        args = ["build", "--clean"] if round_ % 2 else ["build"]
        process = subprocess.Popen([sys.executable, "-m", "linkblog", *args], cwd=site,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert (site / "build" / "index.html").is_file(), "the output went missing"
        recover(site / "build")  # what the next build does first
        expected = clean_build(site, tmp_path / "expected")
        assert tree_bytes(site / "build") in (before, expected), "a partial site"
        assert run_cli(site, "build").code == 0
        assert tree_bytes(site / "build") == expected
    leftovers = [p.name for p in site.iterdir() if "linkblog" in p.name]
    assert leftovers == []


def test_a_deleted_or_emptied_output_folder_is_rebuilt(site):
    age(site)
    assert run_cli(site, "build").code == 0
    shutil.rmtree(site / "build")
    assert run_cli(site, "build").code == 0
    assert (site / "build" / "index.html").is_file()
    for path in (site / "build").iterdir():  # rm -rf build/*: the folder and .nojekyll stay
        if path.is_dir():
            shutil.rmtree(path)
        elif path.name != ".nojekyll":
            path.unlink()
    assert run_cli(site, "build").code == 0
    assert (site / "build" / "index.html").is_file()


def test_a_build_killed_after_changing_the_output_never_leaves_it_stale(site, monkeypatch):
    options = BuildOptions(jobs=1)
    assert Builder(site / "config.yaml", options=options).build().ok
    post = site / "posts" / "2015-04-09-some-customers-suck.md"
    original = post.read_text()
    post.write_text(original.replace("Agreed.", "Changed."))

    def killed(*args):
        raise KeyboardInterrupt  # the output is new, the cache not yet saved

    with monkeypatch.context() as patch:
        patch.setattr(Builder, "remember", killed)
        with pytest.raises(KeyboardInterrupt):
            Builder(site / "config.yaml", options=options).build()
    post.write_text(original)  # back to what the stale cache describes
    assert Builder(site / "config.yaml", options=options).build().ok
    assert tree_bytes(site / "build") == clean_build(site, site.parent / "expected")


def test_a_folder_linkblog_did_not_write_is_never_replaced(site):
    other = site.parent / "other-project"
    other.mkdir()
    (other / "main.c").write_text("int main;")
    run = run_cli(site, "build", "--output", str(other))
    assert run.code == 1
    assert "holds files linkblog did not write" in run.err
    assert tree_bytes(other) == {"main.c": b"int main;"}
    assert run_cli(site, "build", "--output", str(site.parent / "empty-folder")).code == 0

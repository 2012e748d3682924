"""Output is replaced whole or file by file through a journal: never partial, never lost."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CONFIG, age, clean_build, make_site, post_text, run_cli, tree_bytes

from linkblog import scan
from linkblog.build import Builder, BuildOptions
from linkblog.output import JOURNAL, Stage, held_files, missing_files, recover, same_bytes, stage_dir, staged_name


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


def test_a_replay_interrupted_halfway_moves_only_what_is_left(tmp_path):
    out = tmp_path / "build"
    out.mkdir()
    stage = Stage(out, full=False).open()
    stage.write("a/index.html", b"a")
    stage.write("b/index.html", b"b")
    journal = {"mode": "apply", "write": sorted(stage.written), "delete": []}
    (stage.root / JOURNAL).write_text(json.dumps(journal))
    (out / "a").mkdir()
    os.replace(stage.staged("a/index.html"), out / "a" / "index.html")  # the crash came after the first move
    assert recover(out) == "finished applying an interrupted build"
    assert tree_bytes(out) == {"a/index.html": b"a", "b/index.html": b"b"}


def test_an_apply_that_fails_halfway_puts_every_file_back(tmp_path):
    out = tmp_path / "build"
    (out / "gone").mkdir(parents=True)
    (out / "gone" / "index.html").write_text("old gone")
    (out / "kept.html").write_text("old kept")
    (out / "z").write_text("a file where a folder must be")
    before = tree_bytes(out)
    stage = Stage(out, full=False).open()
    for rel, data in (("added/index.html", b"added"), ("kept.html", b"new"), ("z/index.html", b"blocked")):
        stage.write(rel, data)
    stage.deleted = ["gone/index.html"]
    with pytest.raises(NotADirectoryError):
        stage.commit()
    assert tree_bytes(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["gone", "kept.html", "z"]


def test_a_build_that_cannot_write_a_file_names_it_and_leaves_the_output_as_it_was(site):
    assert run_cli(site, "build").code == 0
    out = site / "build"
    shutil.rmtree(out / "tag" / "support")
    (out / "tag" / "support").write_text("a file where a folder must be")  # written after the post page
    before = tree_bytes(out)
    post = site / "posts" / "2015-04-09-some-customers-suck.md"
    post.write_text(post.read_text().replace("Agreed.", "Agreed, and edited."))
    run = run_cli(site, "build")
    assert run.code == 1
    assert "Traceback" not in run.err
    lines = run.err.splitlines()
    assert lines[0].startswith("build/tag/support/")  # its feed or its page, whichever comes first
    assert lines[-1].startswith("build failed")
    assert tree_bytes(out) == before
    run = run_cli(site, "build")  # the next build writes the output whole, and so mends it
    assert run.code == 0, run.err
    assert tree_bytes(out) == clean_build(site, site.parent / "expected")


def test_a_full_disk_fails_the_build_with_one_problem_and_the_output_as_it_was(site, monkeypatch):
    assert run_cli(site, "build").code == 0
    before = tree_bytes(site / "build")
    post = site / "posts" / "2015-04-09-some-customers-suck.md"
    post.write_text(post.read_text().replace("Agreed.", "Agreed, and edited."))

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Stage, "put", full)
    result = Builder(site / "config.yaml", options=BuildOptions(jobs=1)).build()
    assert [(p.path, p.warning) for p in result.problems] == [("build", False)]
    assert os.strerror(errno.ENOSPC) in result.problems[0].message
    assert tree_bytes(site / "build") == before
    assert not stage_dir(site / "build").exists()


@pytest.mark.parametrize("full", [True, False], ids=["whole", "incremental"])
def test_an_output_folder_that_is_a_mount_point_is_named_as_one(site, monkeypatch, full):
    """A Docker volume or a mounted web root cannot be moved aside, nor its files renamed in from beside it: the
    problem says so, and what to do."""
    import linkblog.engine
    import linkblog.output

    out = site / "build"
    if full:
        out.mkdir()
    else:  # built, and a volume mounted over it since
        assert run_cli(site, "build").code == 0
        (site / "posts" / "2017-03-03-new.md").write_text(post_text("New one", "2017-03-03 10:00"))

    def across(source, target):
        number = errno.EBUSY if full else errno.EXDEV
        raise OSError(number, os.strerror(number), str(source), str(target))

    monkeypatch.setattr(linkblog.output, "swap_in" if full else "move_in", across)
    monkeypatch.setattr(linkblog.engine.os.path, "ismount", lambda path: Path(path) == out)
    result = Builder(site / "config.yaml", options=BuildOptions(jobs=1, clean=full)).build()
    [problem] = result.problems
    assert problem.path == "build" and "mount point" in problem.message and "build/site" in problem.message


def test_a_build_waits_for_another_writing_the_same_output(site):
    import fcntl

    assert run_cli(site, "build").code == 0
    post = site / "posts" / "2015-04-09-some-customers-suck.md"
    post.write_text(post.read_text().replace("Agreed.", "Agreed, and edited."))
    before = tree_bytes(site / "build")
    held = os.open(site, os.O_RDONLY)  # the lock another build would hold: on the folder the output is in
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        build = subprocess.Popen([sys.executable, "-m", "linkblog", "build"], cwd=site, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert build.stderr.readline().startswith("waiting for another build writing ")
        time.sleep(0.5)
        assert build.poll() is None
        assert tree_bytes(site / "build") == before
    finally:
        os.close(held)
    out, err = build.communicate(timeout=60)
    assert build.returncode == 0, err
    assert tree_bytes(site / "build") == clean_build(site, site.parent / "expected")


def test_a_folder_the_output_is_in_that_cannot_be_written_is_the_one_named(site, monkeypatch):
    mkdir = Path.mkdir

    def refused(path, *args, **kwargs):
        if path == stage_dir(site / "build") / "tree":  # as in /var/www, where only html/ is writable
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(stage_dir(site / "build")))
        return mkdir(path, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refused)
    result = Builder(site / "config.yaml", options=BuildOptions(jobs=1)).build()
    assert [p.path for p in result.problems] == [str(site)]
    assert "beside build" in result.problems[0].message
    assert not (site / "build").exists()


def test_a_static_file_unreadable_since_the_scan_is_named_as_unreadable(site, monkeypatch):
    (site / "static").mkdir()
    (site / "static" / "private.txt").write_text("x")
    copy = shutil.copyfile

    def refused(source, target, *args, **kwargs):
        if str(source).endswith("private.txt"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(source))
        return copy(source, target, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", refused)
    result = Builder(site / "config.yaml", options=BuildOptions(jobs=1)).build()
    assert [(p.path, "cannot be read" in p.message) for p in result.problems] == [("static/private.txt", True)]


@pytest.mark.parametrize(("before", "after"), [("a", "a/index.html"), ("a/index.html", "a")])
def test_a_replay_after_a_file_became_a_folder_or_back_finishes_it(tmp_path, before, after):
    out = tmp_path / "build"
    (out / before).parent.mkdir(parents=True, exist_ok=True)
    (out / before).write_text("old")
    stage = Stage(out, full=False).open()
    stage.write(after, b"new")
    stage.deleted = [before]
    journal = {"mode": "apply", "write": [after], "delete": [before]}
    (stage.root / JOURNAL).write_text(json.dumps(journal))
    stage.commit()  # applied whole; as if killed before the stage was removed, the journal is put back
    stage.root.mkdir()
    (stage.root / "tree").mkdir()
    (stage.root / JOURNAL).write_text(json.dumps(journal))
    assert recover(out) == "finished applying an interrupted build"
    assert tree_bytes(out) == {after: b"new"}


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


def test_a_file_put_where_the_output_was_during_the_build_is_kept(site, monkeypatch):
    assert Builder(site / "config.yaml", options=BuildOptions(jobs=1)).build().ok
    commit = Stage.commit

    def replaced_first(stage, *args, **kwargs):
        shutil.rmtree(stage.out)
        stage.out.write_text("mine")  # a writer's file, put there while the build ran
        return commit(stage, *args, **kwargs)

    monkeypatch.setattr(Stage, "commit", replaced_first)
    result = Builder(site / "config.yaml", options=BuildOptions(jobs=1, clean=True)).build()
    assert [p.path for p in result.problems] == ["build"] and not result.ok
    assert (site / "build").read_text() == "mine"
    assert sorted(p.name for p in site.iterdir() if "stage" in p.name) == []


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


@pytest.mark.parametrize("kind", ["clone", "worktree"])
def test_a_full_build_keeps_a_git_checkout_in_the_output(site, kind):
    assert run_cli(site, "build").code == 0
    out = site / "build"
    if kind == "clone":
        (out / ".git" / "refs").mkdir(parents=True)
        (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    else:  # a worktree's pointer
        (out / ".git").write_text("gitdir: /elsewhere/.git/worktrees/build\n")
    (out / "gone.html").write_text("a page of an older build, which no manifest lists")
    before = {rel: data for rel, data in tree_bytes(out).items() if rel.startswith(".git")}
    run = run_cli(site, "build", "--clean")
    assert run.code == 0, run.err
    assert {rel: data for rel, data in tree_bytes(out).items() if rel.startswith(".git")} == before
    assert " 1 removed" in run.out, run.out  # git's files are not the build's
    clean = site.parent / "clean"
    assert run_cli(site, "build", "--clean", "--output", str(clean)).code == 0
    assert {rel: data for rel, data in tree_bytes(out).items() if not rel.startswith(".git")} == tree_bytes(clean)


def test_a_first_build_into_a_git_checkout_keeps_it(site):
    """The first publish from a fresh clone of the branch to publish to: the folder holds only its .git."""
    out = site / "build"
    (out / ".git" / "refs").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert (out / "index.html").is_file()


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

    mark_dirty(site, site / "build")  # as the build that wrote the journal did
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


# Run in a child process: the real CLI, stopped at one moment of a build until the test kills it.
PAUSED_BUILD = """
import os, sys, time
from pathlib import Path
from linkblog import cli, engine, output

signal_file, moment, args = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]


def pause():
    signal_file.write_text(moment)
    time.sleep(600)  # until the test kills the process


def paused_before(function):
    return lambda *a, **k: (pause(), function(*a, **k))


def paused_after(function):
    return lambda *a, **k: (function(*a, **k), pause())


if moment == "render":  # some pages rendered into the stage, the rest still to do
    counter = engine.counter
    def first_page_paused(stage, items, progress):
        advance = counter(stage, items, progress)
        return paused_after(advance) if stage == "render" else advance
    engine.counter = first_page_paused
elif moment == "staged":  # every file staged, no journal yet
    output.Stage.commit = paused_before(output.Stage.commit)
elif moment == "journaled":  # the journal written, nothing of it applied
    output.replay = paused_before(output.replay)
elif moment == "applying":  # one staged file moved into the output, or the staged tree swapped in
    tree = str(output.stage_dir(Path("build").resolve()) / "tree") + os.sep
    real_replace = os.replace
    def replace(source, target, **kwargs):
        real_replace(source, target, **kwargs)
        if str(source).startswith(tree):
            pause()
    os.replace = replace
    output.swap_in = paused_after(output.swap_in)
sys.exit(cli.main(args))
"""
MOMENTS = ["render", "staged", "journaled", "applying"]
EDITED_POST = "post-0123.md"


def edit(site: Path) -> None:
    post = site / "posts" / EDITED_POST
    post.write_text(post.read_text().replace("Words of my own.", "Words, edited.", 1))


KILLED_POSTS = 150  # enough pages that a clean build hands some to worker processes


@pytest.fixture(scope="module")
def edited_output(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """What a clean build writes for the kill tests' site once EDITED_POST is edited."""
    site = a_site(tmp_path_factory.mktemp("edited") / "site", KILLED_POSTS)
    edit(site)
    return clean_build(site, site / "build")


def kill_paused_build(site: Path, moment: str, *args: str) -> str:
    """Start `linkblog ARGS` stopped at `moment`, kill -9 it there and wait for every process it started;
    return what it printed."""
    paused, printed = site.parent / "paused", site.parent / "printed"
    with printed.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-c", PAUSED_BUILD, str(paused), moment, *args], cwd=site,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while not paused.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert process.poll() is None, f"the build ended before {moment}: {printed.read_text()}"
        assert paused.exists(), f"the build never reached {moment}"
        assert stage_dir(site / "build").is_dir(), "the kill must land while a build is staged"
        process.send_signal(signal.SIGKILL)
        process.wait()
        while time.monotonic() < deadline:  # workers of a killed build must end too, not write on
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.01)
        else:
            pytest.fail("processes of the killed build are still running")
    return printed.read_text()


@pytest.mark.parametrize("clean", [False, True], ids=["incremental", "clean"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_kill_9_mid_build_never_leaves_a_partial_site(edited_output, tmp_path, moment, clean):
    site = a_site(tmp_path / "site", KILLED_POSTS)
    assert run_cli(site, "build").code == 0
    before = tree_bytes(site / "build")
    edit(site)
    printed = kill_paused_build(site, moment, "build", *(["--clean"] if clean else []))
    assert "Built" not in printed, "killed after the build had finished"
    assert "Traceback" not in printed  # the workers end with it, quietly
    journal = stage_dir(site / "build") / JOURNAL
    assert journal.exists() == (moment in ("journaled", "applying"))
    if journal.exists():
        assert json.loads(journal.read_text())["mode"] == ("swap" if clean else "apply")
    if moment != "applying":
        assert tree_bytes(site / "build") == before, "a killed build changed the output before its journal"
    assert (site / "build" / "index.html").is_file(), "the output went missing"
    finished = journal.exists()
    assert recover(site / "build") == ("finished applying an interrupted build" if finished
                                       else "discarded an unfinished build")  # what the next build does first
    assert tree_bytes(site / "build") == (edited_output if finished else before)
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    assert tree_bytes(site / "build") == edited_output
    assert not stage_dir(site / "build").exists()
    assert [p.name for p in site.rglob("*linkblog-tmp*")] == []


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

    def killed(*args, **kwargs):
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


@pytest.mark.parametrize("clean", [False, True])
def test_the_sites_own_output_without_its_nojekyll_is_built_and_gets_it_back(site, clean):
    assert run_cli(site, "build").code == 0
    (site / "build" / ".nojekyll").unlink()  # by hand: every other file is the last build's
    run = run_cli(site, "build", *(["--clean"] if clean else []))
    assert run.code == 0, run.err
    assert (site / "build" / ".nojekyll").read_bytes() == b""


@pytest.mark.parametrize("home", [None, "<p>my own home page</p>"])
def test_a_folder_of_other_files_put_where_the_output_was_is_never_replaced(site, home):
    assert run_cli(site, "build").code == 0
    shutil.rmtree(site / "build")
    mine = {"notes.txt": b"precious", "photos/a.jpg": b"jpg", **({"index.html": home.encode()} if home else {})}
    for rel, data in mine.items():
        (site / "build" / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / "build" / rel).write_bytes(data)
    for args in ([], ["--clean"]):
        run = run_cli(site, "build", *args)
        assert (run.code, "holds files linkblog did not write" in run.err) == (1, True), run.err
        assert tree_bytes(site / "build") == mine


def test_a_static_file_touched_keeps_its_copy_and_one_edited_is_copied(site):
    (site / "static").mkdir()
    source = site / "static" / "notes.txt"
    source.write_text("a file")
    assert run_cli(site, "build").code == 0
    copy = site / "build" / "notes.txt"
    before = copy.stat().st_mtime_ns
    later = time.time_ns() + 5_000_000_000
    os.utime(source, ns=(later, later))
    run = run_cli(site, "build")
    assert (run.code, " 0 files written" in run.out) == (0, True), run.out
    assert copy.stat().st_mtime_ns == before
    source.write_text("a fil!")  # the same size
    assert " 1 file written" in run_cli(site, "build").out
    assert copy.read_text() == "a fil!"


def test_a_static_file_removed_beside_a_post_edit_is_removed_and_no_page_is(site):
    (site / "static").mkdir()
    (site / "static" / "notes.txt").write_text("a file")
    assert run_cli(site, "build").code == 0
    before = set(tree_bytes(site / "build"))
    (site / "static" / "notes.txt").unlink()
    post = site / "posts" / "2015-04-09-some-customers-suck.md"
    post.write_text(post.read_text().replace("Agreed.", "Agreed, and edited."))
    assert run_cli(site, "build").code == 0
    assert set(tree_bytes(site / "build")) == before - {"notes.txt"}
    assert tree_bytes(site / "build") == clean_build(site, site.parent / "clean")


@pytest.mark.parametrize("whole", ["--clean", "another folder built last"])
def test_a_build_written_whole_counts_the_files_it_took_away(site, whole):
    assert run_cli(site, "build").code == 0
    before = set(tree_bytes(site / "build"))
    if whole != "--clean":  # the cache then describes the other folder: this one is written whole
        assert run_cli(site, "build", "--output", str(site.parent / "other")).code == 0
    (site / "posts" / "2015-04-09-some-customers-suck.md").unlink()
    run = run_cli(site, "build", *([whole] if whole == "--clean" else []))
    assert run.code == 0, run.err
    gone = len(before - set(tree_bytes(site / "build")))
    assert gone > 0 and f", {gone} removed in " in run.out


def test_a_link_in_the_output_counts_as_one_file_taken_away(site):
    assert run_cli(site, "build").code == 0
    elsewhere = site.parent / "elsewhere"
    elsewhere.mkdir()
    for n in range(5):
        (elsewhere / f"{n}.txt").write_text("kept")
    (site / "build" / "linked").symlink_to(elsewhere, target_is_directory=True)
    run = run_cli(site, "build", "--clean")
    assert run.code == 0 and ", 1 removed in " in run.out
    assert len(list(elsewhere.iterdir())) == 5


def test_missing_files_are_those_the_output_folder_lacks(tmp_path: Path) -> None:
    out = tmp_path / "build"
    (out / "2015" / "06").mkdir(parents=True)
    (out / "2015" / "06" / "index.html").write_text("page")
    (out / "feed.xml").write_text("feed")
    (out / "atom.xml").mkdir()  # no longer the file the build wrote
    written = ["2015/06/index.html", "feed.xml", "2015/07/index.html", "style.css", "atom.xml"]
    assert missing_files(out, written) == {"2015/07/index.html", "style.css", "atom.xml"}
    assert missing_files(tmp_path / "gone", written) == set(written)


def test_held_files_are_the_outputs_files_by_digest_a_kept_checkout_aside(tmp_path: Path) -> None:
    out = tmp_path / "build"
    (out / ".git").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (out / "2015").mkdir()
    (out / "index.html").write_bytes(b"home")
    (out / "2015" / "index.html").write_bytes(b"year")
    (out / "same.html").write_bytes(b"home")
    held = held_files(out)
    assert sorted(held) == ["2015/index.html", "index.html", "same.html"]
    assert held["index.html"] == held["same.html"] != held["2015/index.html"]


# --- a cloned repository's output folder and stage: nothing written or deleted outside the output --------------

def crafted_clone(tmp_path: Path) -> tuple[Path, Path]:
    """A built site whose output holds a link to a folder outside it, as a repository may carry one."""
    site = a_site(tmp_path / "site", 3)
    assert run_cli(site, "build").code == 0
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine\n")
    return site, victim


def test_a_planted_journal_never_writes_or_deletes_through_a_link_in_the_output(tmp_path: Path) -> None:
    site, victim = crafted_clone(tmp_path)
    (site / "build" / "x").symlink_to(victim)
    stage = stage_dir(site / "build")
    (stage / "tree").mkdir(parents=True)
    (stage / "tree" / staged_name("x/.bashrc")).write_text("echo planted\n")
    (stage / JOURNAL).write_text(json.dumps({"mode": "apply", "write": ["x/.bashrc"], "delete": ["x/keep.txt"]}))
    run = run_cli(site, "build")
    assert (run.code, "Traceback" in run.err) == (0, False), run.err
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt"]
    assert tree_bytes(site / "build") == clean_build(site, tmp_path / "clean")


def test_a_stage_that_is_a_link_is_never_built_into(tmp_path: Path) -> None:
    site, victim = crafted_clone(tmp_path)
    stage_dir(site / "build").symlink_to(victim)
    (site / "posts" / "post-0000.md").write_text(post_text("Edited", "2010-01-01 08:00", "Edited.", tags="[x]"))
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt"]
    assert "Edited." in (site / "build" / "2010" / "01" / "edited" / "index.html").read_text()


def test_an_edit_is_never_written_through_a_link_inside_the_output(tmp_path: Path) -> None:
    site, victim = crafted_clone(tmp_path)
    month = site / "build" / "2010" / "01"
    shutil.rmtree(month)
    month.symlink_to(victim)  # below the output's top: the folder itself is as its last build left it
    before = tree_bytes(site / "build")
    post = site / "posts" / "post-0000.md"
    post.write_text(post.read_text().replace("Words of my own.", "Words, edited."))
    run = run_cli(site, "build")
    assert (run.code, "Traceback" in run.err) == (1, False), run.err
    assert "build/2010/01" in run.err and len(run.err.strip().splitlines()) <= 2
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt"]
    assert tree_bytes(site / "build") == before


def test_a_same_size_static_edit_in_the_second_of_the_last_build_is_copied(site, monkeypatch):
    """On a file system keeping whole seconds (FAT, HFS+), an edit of the same size in the second the last build
    ran changes no stat: a static file that recent is compared by its bytes next time."""
    (site / "static").mkdir()
    sheet = site / "static" / "r.txt"
    sheet.write_text("aaaa\n")
    then = time.time_ns()
    monkeypatch.setattr(scan, "changed_stamp", lambda stat: then)  # every stat as a coarse clock keeps it
    assert Builder(site / "config.yaml", options=BuildOptions(jobs=1)).build().ok
    sheet.write_text("bbbb\n")
    assert Builder(site / "config.yaml", options=BuildOptions(jobs=1)).build().ok
    assert (site / "build" / "r.txt").read_text() == "bbbb\n"


def test_bytes_are_compared_afresh_each_time(tmp_path):
    # filecmp keeps its answers by size and mtime: a same-size edit whose mtime was put back would be "the same".
    source, copy = tmp_path / "source.txt", tmp_path / "copy.txt"
    source.write_text("aaaa\n")
    copy.write_text("aaaa\n")
    assert same_bytes(source, copy)
    stamp = source.stat()
    source.write_text("bbbb\n")
    os.utime(source, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert not same_bytes(source, copy)

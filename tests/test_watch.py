"""watch.py: editor noise dropped, bursts debounced, real watchdog events from editor-like saves."""

from __future__ import annotations

import os
import queue
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from linkblog import watch
from linkblog.scan import HIDDEN, PRIVATE, STATIC_SKIPPED
from linkblog.watch import Debouncer, Watcher

POST = "---\ntitle: A post\ndate: 2015-06-01\n---\nWords.\n"
# The quiet moment that ends a burst, for watchers of real events: long enough that a test run beside
# others, its writing thread descheduled between two steps of one save, still sees that save as one burst.
QUIET = 0.3


class Calls:
    """What a callback was called with, to wait for."""

    def __init__(self) -> None:
        self.queue: queue.Queue[set[Path]] = queue.Queue()

    def __call__(self, paths: set[Path]) -> None:
        self.queue.put(paths)

    def next(self, timeout: float = 10) -> set[Path]:
        return self.queue.get(timeout=timeout)


def test_a_burst_gives_one_call_with_every_path():
    calls = Calls()
    debouncer = Debouncer(calls, delay=0.05)
    for name in ("a.md", "b.md", "a.md", "c.css"):
        debouncer.add([Path(name)])
    assert calls.next() == {Path("a.md"), Path("b.md"), Path("c.css")}
    debouncer.add([Path("d.md")])  # the next burst: a call of its own, nothing of the last
    assert calls.next() == {Path("d.md")}
    assert calls.queue.empty()


def test_the_quiet_moment_is_waited_for_after_the_last_path():
    calls = Calls()
    debouncer = Debouncer(calls, delay=0.2)
    for name in ("a.md", "b.md", "c.md"):
        debouncer.add([Path(name)])
        time.sleep(0.05)  # each within the quiet moment of the one before
    assert calls.next() == {Path("a.md"), Path("b.md"), Path("c.md")}


def test_a_file_created_and_gone_within_a_burst_is_not_delivered(tmp_path: Path):
    calls = Calls()
    debouncer = Debouncer(calls, delay=0.05)
    kept, gone, deleted = tmp_path / "new.md", tmp_path / "tmp123", tmp_path / "old.md"
    kept.write_text(POST)
    debouncer.add([kept, gone], created=True)  # the temporary file was renamed away: it no longer exists
    debouncer.add([deleted])  # a file that was there before the burst and is gone now: a deleted post
    debouncer.add([gone, kept])
    assert calls.next() == {kept, deleted}


def test_a_file_saved_in_place_is_delivered_after_the_short_wait(tmp_path: Path):
    calls = Calls()
    debouncer = Debouncer(calls, delay=30, saved=0.01)  # the long wait would outlast the test
    post = tmp_path / "post.md"
    post.write_text(POST)
    debouncer.add([post])  # truncated and written...
    debouncer.add([post], closed=True)  # ...and closed: the save is over
    assert calls.next(timeout=5) == {post}


def test_a_file_made_in_the_burst_and_closed_waits_the_long_wait(tmp_path: Path):
    calls = Calls()
    debouncer = Debouncer(calls, delay=0.5, saved=0.01)
    temp, post = tmp_path / "tmpk3j9x2a1", tmp_path / "post.md"
    temp.write_text(POST)
    debouncer.add([temp], created=True)
    debouncer.add([temp], closed=True)  # a temporary file, perhaps, about to be renamed over the post
    time.sleep(0.2)
    assert calls.queue.empty()
    temp.replace(post)
    debouncer.add([temp, post])
    assert calls.next() == {post}


def test_an_event_after_the_close_waits_again(tmp_path: Path):
    calls = Calls()
    debouncer = Debouncer(calls, delay=0.5, saved=0.01)
    post, other = tmp_path / "post.md", tmp_path / "other.md"
    post.write_text(POST)
    debouncer.add([post], closed=True)
    debouncer.add([other])  # a rename, say, within the short wait: the long one again
    time.sleep(0.2)
    assert calls.queue.empty()
    assert calls.next() == {post, other}


def test_a_file_written_to_and_not_yet_closed_is_waited_for(tmp_path: Path):
    calls = Calls()
    debouncer = Debouncer(calls, delay=0.05, saved=0.01, writing=30)  # the cap would outlast the test
    post = tmp_path / "post.md"
    post.write_text(POST)
    debouncer.add([post], modified=True)  # a writer that pauses halfway
    time.sleep(0.3)
    assert calls.queue.empty()
    debouncer.add([post], modified=True)
    debouncer.add([post], closed=True)
    assert calls.next(timeout=5) == {post}


def test_a_file_never_closed_is_delivered_after_the_writing_wait(tmp_path: Path):
    calls = Calls()
    debouncer = Debouncer(calls, delay=0.05, saved=0.01, writing=0.3)
    started = time.monotonic()
    debouncer.add([tmp_path / "post.md"], modified=True)  # a chmod, say: no close follows
    assert calls.next() == {tmp_path / "post.md"}
    assert time.monotonic() - started >= 0.25


def test_a_post_written_with_pauses_is_built_once_whole(site: Path, watched: Calls):
    post = site / "posts" / "slow.md"
    with post.open("w") as out:
        for part in POST.partition("\n---\n"):
            out.write(part)
            out.flush()
            time.sleep(QUIET + 0.2)  # longer than the quiet moment that ends a burst
    assert watched.next() == {post}
    then_only(site, watched)


def test_a_post_made_and_written_only_after_a_pause_is_built_once_whole(site: Path, watched: Calls):
    # A heredoc whose $(...) takes a moment: the file is made, and written only later.
    post = site / "posts" / "made-then-written.md"
    with post.open("w") as out:
        time.sleep(QUIET + 0.2)  # longer than the quiet moment that ends a burst
        out.write(POST)
    assert watched.next() == {post}
    then_only(site, watched)


def test_a_post_moved_in_is_not_waited_for_as_one_still_open(site: Path, calls: Calls, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(watch, "WRITING_SECONDS", 30)  # a wait for a close that never comes would outlast the test
    watcher = Watcher([site / "posts"], [], [], calls, QUIET)
    watcher.start()
    try:
        draft = tmp_path / "draft.md"  # written elsewhere: no close comes from posts/
        draft.write_text(POST)
        draft.rename(site / "posts" / "moved.md")
        assert calls.next(timeout=5) == {site / "posts" / "moved.md"}
    finally:
        watcher.stop()


def test_a_file_written_to_and_then_deleted_or_moved_away_is_not_waited_for(tmp_path: Path):
    calls = Calls()
    debouncer = Debouncer(calls, delay=0.05, saved=0.01, writing=30)
    post, moved = tmp_path / "post.md", tmp_path / "moved.md"
    debouncer.add([post], modified=True)
    debouncer.add([post, moved], gone=True)  # renamed away while its writer had it open
    assert calls.next(timeout=5) == {post, moved}


def test_a_cancelled_debouncer_delivers_nothing():
    calls = Calls()
    debouncer = Debouncer(calls, delay=0.05)
    debouncer.add([Path("a.md")])
    debouncer.cancel()
    debouncer.add([Path("b.md")])
    assert calls.next() == {Path("b.md")}


# Real watchdog events on a site in tmp_path.

@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    for folder in ("posts", "templates", "static/css", "build", ".cache/linkblog"):
        (root / folder).mkdir(parents=True)
    (root / "config.yaml").write_text("title: T\n")
    (root / "posts" / "post.md").write_text(POST)
    (root / "static" / "css" / "style.css").write_text("body {}\n")
    return root.resolve()


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def watcher(site: Path, calls: Calls) -> Iterator[Watcher]:
    """The site's watcher as `linkblog serve --watch` makes it, for a test to start once its files are in place."""
    watcher = Watcher([site / "posts", site / "templates", site / "static"], [site / "config.yaml"],
                      [site / "build", site / ".cache" / "linkblog"], calls, QUIET,
                      skipped={site / "posts": PRIVATE, site / "templates": HIDDEN, site / "static": STATIC_SKIPPED})
    yield watcher
    watcher.stop()


@pytest.fixture
def watched(watcher: Watcher, calls: Calls) -> Calls:
    watcher.start()
    return calls


def then_only(site: Path, calls: Calls) -> None:
    """A later save is delivered alone: nothing of the one before came late or comes again."""
    sentinel = site / "posts" / "sentinel.md"
    sentinel.write_text(POST)
    assert calls.next() == {sentinel}


def vim_save(post: Path) -> None:
    """vim with its defaults: a 4913 probe, the original renamed to a backup, a new file, the swap file."""
    swap = post.with_name(f".{post.name}.swp")
    swap.write_bytes(b"b0VIM 9.0")
    probe = post.with_name("4913")
    probe.write_bytes(b"")
    probe.unlink()
    backup = post.with_name(post.name + "~")
    post.rename(backup)
    post.write_text(POST + "Saved by vim.\n")
    backup.unlink()
    swap.write_bytes(b"b0VIM 9.0 again")


def emacs_save(post: Path) -> None:
    """emacs: a .# lock symlink, a ~ backup made by renaming, the file written anew, an autosave removed."""
    lock = post.with_name(".#" + post.name)
    lock.symlink_to("user@host.1234:1700000000")
    autosave = post.with_name(f"#{post.name}#")
    autosave.write_text(POST)
    post.rename(post.with_name(post.name + "~"))
    post.write_text(POST + "Saved by emacs.\n")
    autosave.unlink()
    lock.unlink()


def atomic_save(post: Path) -> None:
    """Most editors and tools: write a temporary file beside the real one, then rename it over it."""
    temp = post.with_name("tmpk3j9x2a1")
    temp.write_text(POST + "Saved atomically.\n")
    os.replace(temp, post)


def jetbrains_save(post: Path) -> None:
    temp = post.with_name(post.name + "___jb_tmp___")
    temp.write_text(POST + "Saved by an IDE.\n")
    old = post.with_name(post.name + "___jb_old___")
    post.rename(old)
    temp.rename(post)
    old.unlink()


def plain_save(post: Path) -> None:
    post.write_text(POST + "Saved in place.\n")


@pytest.mark.parametrize("save", [vim_save, emacs_save, atomic_save, jetbrains_save, plain_save])
def test_one_save_is_one_delivery_of_the_real_path(site: Path, watched: Calls, save: Callable[[Path], None]):
    post = site / "posts" / "post.md"
    save(post)
    assert watched.next() == {post}
    then_only(site, watched)


def test_output_cache_and_other_files_never_trigger(site: Path, watched: Calls):
    (site / "build" / "2015" / "06").mkdir(parents=True)
    (site / "build" / "2015" / "06" / "index.html").write_text("<p>out</p>")
    (site / "build" / "index.html").write_text("<p>out</p>")
    (site / ".cache" / "linkblog" / "cache.sqlite").write_bytes(b"SQLite")
    (site / "README.md").write_text("not part of the site")
    (site / "posts" / ".DS_Store").write_bytes(b"\x00")
    (site / "posts" / ".post.md.kate-swp").write_bytes(b"kate")  # hidden and private files no build reads
    (site / "posts" / "_ideas").mkdir()
    (site / "posts" / "_ideas" / "someday.md").write_text(POST)
    then_only(site, watched)


def test_the_config_file_a_stylesheet_a_template_and_new_and_deleted_posts(site: Path, watched: Calls):
    config = site / "config.yaml"
    config.write_text("title: Another\n")
    assert watched.next() == {config}
    style = site / "static" / "css" / "style.css"
    style.write_text("body { color: red }\n")
    assert watched.next() == {style}
    template = site / "templates" / "post.html"
    template.write_text("{{ page.title }}")
    assert watched.next() == {template}
    new = site / "posts" / "2016" / "new.md"
    new.parent.mkdir()
    new.write_text(POST)
    assert new in watched.next()
    (site / "posts" / "post.md").unlink()
    assert watched.next() == {site / "posts" / "post.md"}


def test_a_folder_made_again_is_watched_again(site: Path, watched: Calls, tmp_path: Path):
    """`rm -rf posts` and a checkout that brings it back: the new folder's changes are seen too."""
    shutil.copytree(site / "posts", tmp_path / "kept")
    shutil.rmtree(site / "posts")
    assert site / "posts" in watched.next()
    shutil.copytree(tmp_path / "kept", site / "posts")
    assert site / "posts" in watched.next()
    then_only(site, watched)


def test_a_folder_made_after_the_start_is_watched(tmp_path: Path):
    """A site that had no templates/ when the preview started, given one (to override the theme)."""
    root = tmp_path.resolve()
    calls = Calls()
    watcher = Watcher([root / "posts", root / "templates"], [root / "config.yaml"], [], calls, QUIET)
    (root / "posts").mkdir()
    watcher.start()
    try:
        (root / "templates").mkdir()
        assert calls.next() == {root / "templates"}
        (root / "templates" / "base.html").write_text("<html></html>")
        assert calls.next() == {root / "templates" / "base.html"}
    finally:
        watcher.stop()


def test_a_folder_that_cannot_be_watched_again_is_still_delivered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An error from watchdog (no inotify watch left) would end its thread, and all watching, if it escaped."""
    root = tmp_path.resolve()
    (root / "posts").mkdir()
    calls = Calls()
    watcher = Watcher([root / "posts"], [], [], calls, QUIET)

    def no_watch_left(*args: object, **kwargs: object) -> None:
        raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watcher.observer, "schedule", no_watch_left)
    watcher.saw([root / "posts"], created=True)
    assert calls.next() == {root / "posts"}


def test_a_symlinked_folder_in_posts_is_watched_through_its_link(tmp_path: Path):
    """The build reads posts in a symlinked folder; a save there is named where the build found the post."""
    root = (tmp_path / "site").resolve()
    elsewhere = (tmp_path / "elsewhere").resolve()
    (root / "posts").mkdir(parents=True)
    elsewhere.mkdir()
    (elsewhere / "linked.md").write_text(POST)
    (root / "posts" / "notes").symlink_to(elsewhere, target_is_directory=True)
    calls = Calls()
    watcher = Watcher([root / "posts"], [root / "config.yaml"], [], calls, QUIET)
    watcher.start()
    try:
        (elsewhere / "linked.md").write_text(POST + "Saved through the link.\n")
        assert calls.next() == {root / "posts" / "notes" / "linked.md"}
        later = (tmp_path / "later").resolve()
        (later / "inner").mkdir(parents=True)
        deeper = (tmp_path / "deeper").resolve()
        deeper.mkdir()
        (later / "inner" / "deeper").symlink_to(deeper, target_is_directory=True)  # a link in the linked folder
        (root / "posts" / "later").symlink_to(later, target_is_directory=True)  # made while watching
        assert calls.next() == {root / "posts" / "later"}
        (later / "new.md").write_text(POST)
        assert calls.next() == {root / "posts" / "later" / "new.md"}
        (deeper / "deep.md").write_text(POST)
        assert calls.next() == {root / "posts" / "later" / "inner" / "deeper" / "deep.md"}
    finally:
        watcher.stop()


def test_a_link_removed_is_no_longer_followed(tmp_path: Path):
    root = (tmp_path / "site").resolve()
    elsewhere = (tmp_path / "elsewhere").resolve()
    (root / "posts").mkdir(parents=True)
    elsewhere.mkdir()
    link = root / "posts" / "notes"
    link.symlink_to(elsewhere, target_is_directory=True)
    calls = Calls()
    watcher = Watcher([root / "posts"], [root / "config.yaml"], [], calls, QUIET)
    watcher.start()
    try:
        link.unlink()
        assert calls.next() == {link}
        (elsewhere / "unread.md").write_text(POST)  # no longer part of the site
        sentinel = root / "posts" / "sentinel.md"
        sentinel.write_text(POST)
        assert calls.next() == {sentinel}
    finally:
        watcher.stop()


def test_a_link_back_into_posts_is_left_to_the_watch_of_posts(tmp_path: Path):
    """An alias is not watched twice (inotify would name its files by one path only, the alias's), and a loop
    is never walked: two links back up would make a walk of 2^40 paths."""
    root = (tmp_path / "site").resolve()
    (root / "posts" / "2019").mkdir(parents=True)
    (root / "posts" / "_wip").mkdir()
    (root / "posts" / "_wip" / "current").symlink_to(root / "posts" / "2019", target_is_directory=True)
    (root / "posts" / "2019" / "same").symlink_to(root / "posts" / "2019", target_is_directory=True)
    for name in ("loop0", "loop1"):
        (root / "posts" / "2019" / name).symlink_to(root / "posts", target_is_directory=True)
    calls = Calls()
    watcher = Watcher([root / "posts"], [root / "config.yaml"], [], calls, QUIET)
    starting = threading.Thread(target=watcher.start, daemon=True)
    starting.start()
    starting.join(timeout=60)
    try:
        assert not starting.is_alive(), "the watcher walked the loop"
        post = root / "posts" / "2019" / "x.md"
        post.write_text(POST)
        assert calls.next() == {post}  # where the build reads it, not through the private alias
    finally:
        watcher.stop()


def test_a_link_renamed_is_followed_under_its_new_name(tmp_path: Path):
    """`ln -s` under the new name first, then `rm` of the old: the new one was left out while the old one
    led to the same folder, and is followed once the old one is gone."""
    root = (tmp_path / "site").resolve()
    elsewhere = (tmp_path / "elsewhere").resolve()
    (root / "posts" / "box").mkdir(parents=True)
    elsewhere.mkdir()
    old = root / "posts" / "box" / "notes"
    old.symlink_to(elsewhere, target_is_directory=True)
    calls = Calls()
    watcher = Watcher([root / "posts"], [root / "config.yaml"], [], calls, QUIET)
    watcher.start()
    try:
        new = root / "posts" / "journal"
        new.symlink_to(elsewhere, target_is_directory=True)
        assert calls.next() == {new}
        (root / "posts" / "box").rename(tmp_path / "box")  # the old link goes with the folder holding it
        assert calls.next() == {root / "posts" / "box"}
        (elsewhere / "post.md").write_text(POST)
        assert calls.next() == {new / "post.md"}
    finally:
        watcher.stop()


# Links to files: `build` reads a post or static file through its link, so a save of the file it leads to is a
# change of the link's path.

def elsewhere(site: Path, name: str) -> Path:
    """A file outside the site, as in a folder of notes kept beside it."""
    target = site.parent / "shared" / name
    target.parent.mkdir(exist_ok=True)
    target.write_text(POST)
    return target


def linked(link: Path, target: Path) -> Path:
    """A relative link, as `ln -s ../../shared/solo.md` makes one."""
    link.symlink_to(os.path.relpath(target, link.parent))
    return link


def watched_folders(watcher: Watcher) -> list[Path]:
    """The folders watched, once per watch."""
    return sorted(Path(emitter.watch.path) for emitter in watcher.observer.emitters)


def site_folders(site: Path, *more: Path) -> list[Path]:
    """The folders a watcher of the site watches (its own for config.yaml, the watched ones), and `more`."""
    return sorted([site, site / "posts", site / "templates", site / "static", *more])


@pytest.mark.parametrize("save", [vim_save, emacs_save, atomic_save, jetbrains_save, plain_save])
def test_a_save_of_the_file_a_post_links_to_is_one_delivery_of_the_link(site: Path, watcher: Watcher, calls: Calls,
                                                                        save: Callable[[Path], None]):
    target = elsewhere(site, "solo.md")
    post = linked(site / "posts" / "2022-02-02-solo.md", target)
    watcher.start()
    save(target)
    assert calls.next() == {post}
    then_only(site, calls)


def test_a_static_file_that_is_a_link_is_delivered_as_the_link(site: Path, watcher: Watcher, calls: Calls):
    target = elsewhere(site, "brand.css")
    style = linked(site / "static" / "css" / "brand.css", target)
    watcher.start()
    atomic_save(target)
    assert calls.next() == {style}
    then_only(site, calls)


@pytest.mark.parametrize("made_later", [False, True])
def test_links_named_with_an_underscore_outside_posts_are_followed(site: Path, watcher: Watcher, calls: Calls,
                                                                   made_later: bool):
    """A build reads templates/_entry.html and static/_assets/ (only posts/ keeps _names private)."""
    partial_target = elsewhere(site, "entry.html")
    assets = site.parent / "shared" / "assets"
    assets.mkdir(parents=True)
    (assets / "a.txt").write_text("v1")
    if made_later:
        watcher.start()
    partial = linked(site / "templates" / "_entry.html", partial_target)
    linked(site / "static" / "_assets", assets)
    if made_later:
        calls.next()  # the links made
    else:
        watcher.start()
    atomic_save(partial_target)
    assert calls.next() == {partial}
    (assets / "a.txt").write_text("v2")
    assert calls.next() == {site / "static" / "_assets" / "a.txt"}
    then_only(site, calls)


@pytest.mark.parametrize("made_later", [False, True])
def test_links_under_names_the_build_skips_are_not_followed(site: Path, watcher: Watcher, calls: Calls,
                                                            made_later: bool):
    """templates/.venv and static/.git are never read: neither watched nor a reason to rebuild."""
    big = site.parent / "big"
    (big / "sub").mkdir(parents=True)
    if made_later:
        watcher.start()
    linked(site / "templates" / ".venv", big)
    linked(site / "static" / ".git", big)
    if not made_later:
        watcher.start()
    (big / "sub" / "x.txt").write_text("written")  # nothing comes of the links or of this
    then_only(site, calls)
    assert big not in watched_folders(watcher)


def test_a_link_to_a_file_made_after_the_start_is_followed(site: Path, watched: Calls):
    target = elsewhere(site, "solo.md")
    post = linked(site / "posts" / "2022-02-02-solo.md", target)
    assert watched.next() == {post}
    atomic_save(target)
    assert watched.next() == {post}
    then_only(site, watched)


def test_a_link_removed_delivers_its_file_no_more(site: Path, watcher: Watcher, calls: Calls):
    target = elsewhere(site, "solo.md")
    post = linked(site / "posts" / "2022-02-02-solo.md", target)
    watcher.start()
    plain_save(target)
    assert calls.next() == {post}
    post.unlink()
    assert calls.next() == {post}
    assert watched_folders(watcher) == site_folders(site)  # no link needs the shared folder's watch any more
    plain_save(target)
    then_only(site, calls)


def pointed_anew(post: Path, target: Path) -> None:
    post.unlink()
    linked(post, target)


def replaced_by_a_new_link(post: Path, target: Path) -> None:
    """A link made under another name and renamed over the old one, which is never missing."""
    os.replace(linked(post.with_name(".new-link"), target), post)


@pytest.mark.parametrize("repoint", [pointed_anew, replaced_by_a_new_link])
def test_a_link_pointed_elsewhere_delivers_its_new_file_not_its_old(site: Path, watcher: Watcher, calls: Calls,
                                                                   repoint: Callable[[Path, Path], None]):
    old, new = elsewhere(site, "old.md"), elsewhere(site, "new.md")
    post = linked(site / "posts" / "2022-02-02-solo.md", old)
    watcher.start()
    plain_save(old)
    assert calls.next() == {post}
    repoint(post, new)
    assert calls.next() == {post}
    plain_save(old)  # in the folder still watched for new.md, and no longer read by the build
    plain_save(new)
    assert calls.next() == {post}
    then_only(site, calls)


def test_links_to_files_in_one_folder_share_its_watch_until_none_needs_it(site: Path, watcher: Watcher, calls: Calls):
    """One watch for the folder however many links lead into it; the site's own (for config.yaml) shared too, and
    never ended by a link that goes."""
    first, second = elsewhere(site, "first.md"), elsewhere(site, "second.md")
    posts = site / "posts"
    one, again = linked(posts / "one.md", first), linked(posts / "again.md", first)
    two = linked(posts / "two.md", second)
    about = site / "about.md"
    about.write_text(POST)
    page = linked(posts / "about.md", about)
    watcher.start()
    assert watched_folders(watcher) == site_folders(site, site.parent / "shared")
    plain_save(first)
    assert calls.next() == {one, again}  # every link that leads to it
    plain_save(about)
    assert calls.next() == {page}
    one.unlink()
    again.unlink()
    assert calls.next() == {one, again}
    plain_save(first)
    plain_save(second)  # its folder still watched for it
    assert calls.next() == {two}
    two.unlink()
    page.unlink()
    assert calls.next() == {two, page}
    assert watched_folders(watcher) == site_folders(site)
    (site / "config.yaml").write_text("title: Another\n")
    assert calls.next() == {site / "config.yaml"}


def test_a_link_to_a_file_in_a_watched_folder_adds_no_watch(site: Path, watcher: Watcher, calls: Calls):
    """posts/latest.md a link to a post in posts/: the watch of posts/ sees its saves, which change both posts."""
    post = site / "posts" / "2019" / "post.md"
    post.parent.mkdir()
    post.write_text(POST)
    latest = linked(site / "posts" / "latest.md", post)
    copy = linked(site / "static" / "post.md", post)  # from another watched folder: no watch of its own either
    watcher.start()
    assert watched_folders(watcher) == site_folders(site)
    plain_save(post)
    assert calls.next() == {post, latest, copy}
    then_only(site, calls)


def test_links_no_build_reads_are_not_followed(site: Path, watcher: Watcher, calls: Calls):
    """Links to nothing, in a loop, private or hidden: skipped, as the build skips them; the others followed."""
    posts = site / "posts"
    (posts / "gone.md").symlink_to("../nowhere.md")
    (posts / "loop1.md").symlink_to("loop2.md")
    (posts / "loop2.md").symlink_to("loop1.md")
    draft = site.parent / "drafts" / "draft.md"
    draft.parent.mkdir()
    draft.write_text(POST)
    (posts / "_drafts").mkdir()
    linked(posts / "_drafts" / "draft.md", draft)
    linked(posts / "_draft.md", draft)
    linked(posts / ".draft.md", draft)
    post = linked(posts / "2022-02-02-solo.md", elsewhere(site, "solo.md"))
    watcher.start()
    assert watched_folders(watcher) == site_folders(site, site.parent / "shared")
    plain_save(post.resolve())
    assert calls.next() == {post}
    then_only(site, calls)


def test_a_link_to_a_file_in_a_linked_folder_is_delivered_through_both_links(tmp_path: Path):
    root = (tmp_path / "site").resolve()
    notes = (tmp_path / "notes").resolve()
    (root / "posts").mkdir(parents=True)
    notes.mkdir()
    (root / "posts" / "notes").symlink_to(notes, target_is_directory=True)
    target = elsewhere(root, "solo.md")
    linked(notes / "solo.md", target)
    calls = Calls()
    watcher = Watcher([root / "posts"], [root / "config.yaml"], [], calls, QUIET)
    watcher.start()
    try:
        atomic_save(target)
        assert calls.next() == {root / "posts" / "notes" / "solo.md"}
    finally:
        watcher.stop()


def test_a_watcher_stopped_before_it_started_stops_quietly(tmp_path: Path):
    Watcher([tmp_path], [], [], Calls(), QUIET).stop()  # Ctrl-C while `serve` was still starting it


def test_a_folder_named_like_a_temporary_file_moved_away_is_delivered(site: Path, watcher: Watcher, calls: Calls,
                                                                       tmp_path: Path):
    folder = site / "static" / "v1.part"
    folder.mkdir()
    (folder / "a.txt").write_text("a")
    watcher.start()
    folder.rename(tmp_path / "elsewhere")  # out of the site: one event, for the folder
    assert folder in calls.next()

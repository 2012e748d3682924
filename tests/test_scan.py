import os

import pytest

from linkblog.scan import PRIVATE, is_private, is_temporary, scan, scan_posts, scan_static


def test_scan_skips_hidden_private_and_backup_files(tmp_path):
    for name in ("a.md", "sub/b.md", ".hidden.md", "_draft.md", "_drafts/c.md", "#x.md#", "c.md~", "notes.txt",
                 ".git/d.md", "e.md.swp"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [f.rel for f in scan(tmp_path, ".md", PRIVATE)] == ["a.md", "sub/b.md"]
    assert [f.rel for f in scan(tmp_path)] == ["_draft.md", "_drafts/c.md", "a.md", "notes.txt", "sub/b.md"]


def test_scan_gives_stat_keys_an_mtime_set_back_cannot_hide_a_change_in(tmp_path):
    (tmp_path / "a.md").write_text("hello")
    os.utime(tmp_path / "a.md", ns=(1, 123))  # as `touch -d` or `cp -p` leave it
    [found] = scan(tmp_path, ".md")
    assert (found.changed_ns, found.size, found.path) == ((tmp_path / "a.md").stat().st_ctime_ns, 5,
                                                          str(tmp_path / "a.md"))


def test_scan_of_a_missing_folder_is_empty(tmp_path):
    assert scan(tmp_path / "nope") == []


def test_scan_can_keep_hidden_files(tmp_path):
    (tmp_path / ".well-known").mkdir()
    (tmp_path / ".well-known" / "security.txt").write_text("x")
    (tmp_path / "x.swp").write_text("x")
    assert [f.rel for f in scan(tmp_path, skipped=())] == [".well-known/security.txt"]


def test_scan_names_what_it_cannot_read_as_a_file(tmp_path):
    (tmp_path / "a.md").write_text("x")
    (tmp_path / "gone.md").symlink_to(tmp_path / "nowhere.md")
    os.mkfifo(tmp_path / "pipe.md")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "sub" / "b.md").write_text("x")
    (tmp_path / "self.md").symlink_to("self.md")  # a link that leads to itself: no file, no folder
    unusable = []
    assert [f.rel for f in scan(tmp_path, ".md", unusable=unusable)] == ["a.md", "sub/b.md"]
    assert sorted(rel for rel, _ in unusable) == ["gone.md", "pipe.md", "self.md", "sub/up"]


def test_scan_follows_a_link_to_a_folder_outside(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "c.md").write_text("x")
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "more").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    unusable = []
    assert [f.rel for f in scan(tmp_path / "posts", ".md", unusable=unusable)] == ["more/c.md"]
    assert unusable == []


def test_scan_never_follows_a_link_to_a_folder_above_the_one_it_scans(tmp_path):
    site = tmp_path / "site"
    (site / "static").mkdir(parents=True)
    (site / "config.yaml").write_text("x")
    (site / "static" / "style.css").write_text("x")
    (site / "static" / "site").symlink_to(site, target_is_directory=True)  # the site's own folder, static/ in it
    (site / "static" / "top").symlink_to(tmp_path, target_is_directory=True)
    unusable = []
    assert [f.rel for f in scan(site / "static", unusable=unusable)] == ["style.css"]
    assert sorted(rel for rel, _ in unusable) == ["site", "top"]


def test_scan_never_follows_a_link_to_the_output_folder(tmp_path):
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "index.html").write_text("x")
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "old").symlink_to(tmp_path / "build", target_is_directory=True)
    unusable = []
    assert scan(tmp_path / "static", unusable=unusable, output=tmp_path / "build") == []
    assert [rel for rel, _ in unusable] == ["old"]


@pytest.mark.parametrize("name", [
    ".#post.md", "#post.md#", "post.md~", ".post.md.swp", ".post.md.swo", ".post.md.swx",
    ".DS_Store", "post.md.tmp", "post.md___jb_tmp___", "post.md___jb_old___", ".goutputstream-8XKJ2Z",
    "logo.png.crdownload", "logo.png.part",
])
def test_editor_browser_and_system_files_are_temporary(name: str):
    assert is_temporary(name)


@pytest.mark.parametrize("name", [
    "post.md", "2015-06-01-work-vs-progress.md", "style.css", "4913", "4913.md", "a~b.md", "movie.swf", "sw.js",
    "CNAME", ".well-known", "tmp.md",
])
def test_site_files_are_not_temporary(name: str):
    assert not is_temporary(name)


def test_a_folder_named_like_a_temporary_file_is_scanned(tmp_path):
    for name in ("v1.part/a.txt", "old~/b.txt", "archives/4913/index.html", "v1.part.txt~"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [f.rel for f in scan(tmp_path)] == ["archives/4913/index.html", "old~/b.txt", "v1.part/a.txt"]


@pytest.mark.parametrize(("rel", "private"), [
    ("a.md", False), ("_a.md", True), ("x/_ideas/a.md", True), ("_ideas/a.md", True), ("a_b/c_.md", False),
    ("x/y/_z", True)])
def test_a_name_starting_with_an_underscore_anywhere_on_the_path_is_private(rel: str, private: bool) -> None:
    assert is_private(rel) is private


def test_a_folder_asked_for_that_is_a_file_or_a_link_to_nothing_is_named_as_the_folder(tmp_path):
    (tmp_path / "file").write_text("x")
    (tmp_path / "gone").symlink_to(tmp_path / "nowhere", target_is_directory=True)
    for folder in (tmp_path / "file", tmp_path / "gone", (tmp_path / "gone").resolve()):
        unusable = []
        assert scan(folder, unusable=unusable) == []
        assert [rel for rel, _ in unusable] == [""], folder


def test_posts_that_is_a_file_is_named_once(tmp_path):
    (tmp_path / "posts").write_text("x")
    unusable = []
    assert scan_posts(tmp_path / "posts", unusable) == ({}, [])
    assert [rel for rel, _ in unusable] == ["posts"]


def test_static_files_are_named_under_static_whatever_its_link_leads_to(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "gone.png").symlink_to(tmp_path / "nowhere.png")
    (tmp_path / "static").symlink_to(tmp_path / "assets", target_is_directory=True)
    unusable = []
    assert scan_static([(tmp_path / "static").resolve()], unusable) == {}
    assert [rel for rel, _ in unusable] == ["static/gone.png"]

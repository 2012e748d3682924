"""Compiled templates kept per user: used while they hold, never from a folder others can write, never fatal."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import jinja2
import pytest

from linkblog.compiled import CompiledTemplates, compiled_templates, private_folder
from linkblog.config import Config
from linkblog.render import Renderer
from tests.conftest import make_site, post_text, run_cli, tree_bytes


def renderer(root: Path, compiled: jinja2.BytecodeCache | None) -> Renderer:
    return Renderer(Config(root=root, url="https://example.org/"), [root / "templates"], compiled=compiled)


def template(root: Path, text: str) -> None:
    (root / "templates").mkdir(parents=True, exist_ok=True)
    (root / "templates" / "page.html").write_text(text, encoding="utf-8")


def planted(root: Path, folder: Path, code: str, shown: str) -> CompiledTemplates:
    """A cache whose entry for templates/page.html (as it is now) holds the code of a template showing `shown`."""
    compiled = CompiledTemplates(folder, code)
    env = renderer(root, compiled).env
    source = (root / "templates" / "page.html").read_text()
    bucket = compiled.get_bucket(env, "page.html", str(root / "templates" / "page.html"), source)
    bucket.code = env.compile(shown, "page.html")
    compiled.set_bucket(bucket)
    return compiled


def test_a_build_keeps_compiled_templates_in_the_users_cache_and_none_in_the_site(tmp_path: Path) -> None:
    user_cache = tmp_path / "user-cache"
    site = make_site(tmp_path / "site", {"a.md": post_text("A post", "2020-01-02 10:00")})
    first = run_cli(site, "build", env={"XDG_CACHE_HOME": str(user_cache)})
    assert first.code == 0, first.stderr
    kept = list((user_cache / "linkblog" / "templates").iterdir())
    assert kept and all(path.suffix == ".jinja" for path in kept)
    assert not [p for p in site.rglob("*.jinja")]
    built = tree_bytes(site / "build")
    for path in (site / "build", site / ".cache"):
        os.rename(path, tmp_path / f"old-{path.name}")  # a build afresh, from the kept compiled templates
    second = run_cli(site, "build", env={"XDG_CACHE_HOME": str(user_cache)})
    assert second.code == 0, second.stderr
    assert tree_bytes(site / "build") == built


def test_a_changed_template_is_compiled_again(tmp_path: Path) -> None:
    compiled = CompiledTemplates(tmp_path / "compiled", "code")
    (tmp_path / "compiled").mkdir()
    template(tmp_path, "first {{ page }}")
    assert renderer(tmp_path, compiled).render("page.html", {"page": 1}) == "first 1"
    template(tmp_path, "second {{ page }}")
    assert renderer(tmp_path, compiled).render("page.html", {"page": 2}) == "second 2"


def test_code_compiled_by_another_linkblog_is_not_taken(tmp_path: Path) -> None:
    folder = tmp_path / "compiled"
    folder.mkdir()
    template(tmp_path, "from the file")
    # Another linkblog's entry for this very template, holding other code (as other settings would compile it).
    theirs = planted(tmp_path, folder, "their code", "compiled elsewhere")
    assert renderer(tmp_path, theirs).render("page.html", {}) == "compiled elsewhere"  # what such an entry does
    assert renderer(tmp_path, CompiledTemplates(folder, "our code")).render("page.html", {}) == "from the file"


def test_two_linkblogs_keep_an_entry_each_and_neither_compiles_over_the_other(tmp_path: Path) -> None:
    folder = tmp_path / "compiled"
    folder.mkdir(mode=0o700)
    template(tmp_path, "made {{ page }}")
    for code in ("a project's linkblog", "a pipx linkblog"):
        assert renderer(tmp_path, CompiledTemplates(folder, code)).render("page.html", {"page": 1}) == "made 1"
    kept = {path.name: path.stat().st_ino for path in folder.iterdir()}
    assert len(kept) == 2
    for code in ("a project's linkblog", "a pipx linkblog"):  # each takes its own: nothing is written again
        assert renderer(tmp_path, CompiledTemplates(folder, code)).render("page.html", {"page": 2}) == "made 2"
    assert {path.name: path.stat().st_ino for path in folder.iterdir()} == kept


def test_writing_an_entry_removes_those_unused_for_long_and_stale_temporary_files(tmp_path: Path) -> None:
    folder = tmp_path / "compiled"
    folder.mkdir(mode=0o700)
    template(tmp_path, "in use {{ page }}")
    assert renderer(tmp_path, CompiledTemplates(folder, "code")).render("page.html", {"page": 1}) == "in use 1"
    (in_use,) = folder.iterdir()
    days_ago = {in_use: 90, folder / "deleted-site.jinja": 61, folder / "recent.jinja": 30,
                folder / "killed-build.jinja.123.tmp": 2, folder / "running-build.jinja.456.tmp": 0,
                folder / "not-ours.txt": 400}
    for path, days in days_ago.items():
        path.touch()
        os.utime(path, (time.time() - days * 86_400,) * 2)
    assert renderer(tmp_path, CompiledTemplates(folder, "code")).render("page.html", {"page": 2}) == "in use 2"
    (tmp_path / "templates" / "other.html").write_text("other", encoding="utf-8")
    before = set(folder.iterdir())
    assert renderer(tmp_path, CompiledTemplates(folder, "code")).render("other.html", {}) == "other"
    (written,) = set(folder.iterdir()) - before
    assert {path.name for path in folder.iterdir()} == {
        written.name, in_use.name, "recent.jinja", "running-build.jinja.456.tmp", "not-ours.txt"}


def kept_bytes(folder: Path) -> bytes:
    (file,) = folder.iterdir()
    return file.read_bytes()


@pytest.mark.parametrize("damage", [
    lambda data: b"",
    lambda data: b"garbage",
    lambda data: data[:len(data) // 2],
    lambda data: data[:10],  # Jinja's magic bytes only, then nothing
    lambda data: data[:10] + b"\0" * 40,  # the magic, then no checksum Python can read
    lambda data: data[:60],  # cut inside the checksum
    lambda data: data.replace(data[-40:], pickle.dumps(7)[:40]),  # something other than code
], ids=["empty", "garbage", "half", "magic", "magic+zeros", "cut-checksum", "not-code"])
def test_a_damaged_compiled_template_is_compiled_again_and_replaced(tmp_path: Path, damage) -> None:
    folder = tmp_path / "compiled"
    folder.mkdir(mode=0o700)
    template(tmp_path, "made {{ page }}")
    assert renderer(tmp_path, CompiledTemplates(folder, "code")).render("page.html", {"page": 1}) == "made 1"
    good = kept_bytes(folder)
    (file,) = folder.iterdir()
    file.write_bytes(damage(good))
    assert renderer(tmp_path, CompiledTemplates(folder, "code")).render("page.html", {"page": 2}) == "made 2"
    assert kept_bytes(folder) == good


def test_damaged_compiled_templates_do_not_fail_a_build(tmp_path: Path) -> None:
    user_cache = tmp_path / "user-cache"
    site = make_site(tmp_path / "site", {"a.md": post_text("A post", "2020-01-02 10:00")})
    assert run_cli(site, "build", env={"XDG_CACHE_HOME": str(user_cache)}).code == 0
    built = tree_bytes(site / "build")
    for file in (user_cache / "linkblog" / "templates").iterdir():
        file.write_bytes(file.read_bytes()[:12])
    os.rename(site / "build", tmp_path / "old-build")
    os.rename(site / ".cache", tmp_path / "old-cache")
    again = run_cli(site, "build", env={"XDG_CACHE_HOME": str(user_cache)})
    assert again.code == 0, again.stderr
    assert tree_bytes(site / "build") == built


def test_a_worker_given_the_cache_pickled_opens_the_folder_again(tmp_path: Path) -> None:
    folder = tmp_path / "compiled"
    folder.mkdir(mode=0o700)
    template(tmp_path, "from the file")
    theirs = planted(tmp_path, folder, "code", "kept before")
    travelled = pickle.loads(pickle.dumps(theirs))  # as a fork server's worker receives it
    assert renderer(tmp_path, travelled).render("page.html", {}) == "kept before"


def test_a_folder_swapped_for_a_link_once_opened_is_not_followed(tmp_path: Path) -> None:
    ours, elsewhere = tmp_path / "compiled", tmp_path / "planted"
    ours.mkdir(mode=0o700)
    elsewhere.mkdir(mode=0o700)
    template(tmp_path, "from the file")
    compiled = CompiledTemplates(ours, "code")
    assert renderer(tmp_path, compiled).render("page.html", {}) == "from the file"  # the folder is open now
    planted(tmp_path, elsewhere, "code", "planted")  # code someone else left for this very template
    os.rename(ours, tmp_path / "moved-away")
    ours.symlink_to(elsewhere)
    assert renderer(tmp_path, compiled).render("page.html", {}) == "from the file"


def test_a_folder_it_cannot_write_costs_only_speed(tmp_path: Path) -> None:
    template(tmp_path, "still {{ page }}")
    missing = CompiledTemplates(tmp_path / "not-there", "code")  # removed after it was found
    assert renderer(tmp_path, missing).render("page.html", {"page": "rendered"}) == "still rendered"


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o722])
def test_a_folder_others_can_write_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "linkblog" / "templates"
    folder.mkdir(parents=True)
    folder.chmod(mode)
    assert private_folder() is None
    assert compiled_templates("code") is None


def test_a_link_in_place_of_the_folder_is_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (tmp_path / "linkblog").mkdir()
    (tmp_path / "linkblog" / "templates").symlink_to(elsewhere)
    assert private_folder() is None


def test_the_folder_is_made_private_under_xdg_cache_home_else_home(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = private_folder()
    assert folder == tmp_path / "xdg" / "linkblog" / "templates"
    assert folder.stat().st_mode & 0o777 == 0o700
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # as the XDG spec says of a relative path
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert private_folder() == tmp_path / "home" / ".cache" / "linkblog" / "templates"


@pytest.mark.parametrize("home", ["relative-home", ""])
def test_no_folder_under_a_home_that_is_not_an_absolute_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             home: str) -> None:
    monkeypatch.chdir(tmp_path)  # a relative HOME would land in the folder linkblog runs in: a site's
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", home)
    assert private_folder() is None
    assert not (tmp_path / "relative-home").exists()
